"""One money and remediation ledger per violation (台账): fines assessed, paid, overdue and
offset against a criminal fine; compensation agreed and paid; restoration projects with their
milestones and evaluated results.

The offset: a fine paid for the same act is deducted from a later criminal fine (行政处罚法
2021 art. 35 ¶2; 移送规定 2020 art. 11), so the ledger carries it to the criminal record.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from casemgr.db import transaction
from casemgr.exceptions import Conflict, InvalidInput, NotFound, PermissionDenied, StaleVersion
from casemgr.i18n import N_
from casemgr.lifecycles import Organ
from casemgr.models import (
    Case,
    Payment,
    PaymentKind,
    RestorationMilestone,
    RestorationProject,
    RestorationStatus,
)
from casemgr.models.cases import Channel
from casemgr.policy import Actor, Permission
from casemgr.services import channels
from casemgr.services.access import require
from casemgr.services.cases import touch
from casemgr.services.localtime import local_today
from casemgr.services.penalties import Ledger, compute_ledger

# Administrative statuses in which no fine is owed (withdrawn or revoked decisions).
_VOID = ("withdrawn", "not_filed", "no_penalty_minor", "no_penalty_unfounded")
_COMPENSATION_KINDS = (PaymentKind.COMPENSATION, PaymentKind.RESTORATION_COST)


@dataclass(frozen=True)
class FamilyLedger:
    """Money and remediation of every case of one violation, as of a day."""

    as_of: date
    fines_assessed_cents: int
    fines_paid_cents: int
    fines_outstanding_cents: int
    fines_overdue_cents: int
    surcharges_cents: int
    criminal_fine_cents: int  # the fines of the criminal judgments (判处罚金)
    offset_cents: int  # administrative fines paid, deducted from the criminal fine
    criminal_fine_due_cents: int
    compensation_agreed_cents: int  # agreements and judgments (赔偿协议, 判决)
    compensation_paid_cents: int
    compensation_outstanding_cents: int
    restoration_budget_cents: int
    administrative: tuple[Ledger, ...]
    compensation_payments: tuple[Payment, ...]
    restoration: tuple[RestorationProject, ...]


def _int(value: Any) -> int:
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


def criminal_fine(case: Case) -> int:
    """The fine of the judgment in force: second instance over first (刑事诉讼法 art. 244)."""
    d = case.details or {}
    if d.get("verdict") not in (None, "conviction"):
        return 0
    return _int(d.get("second_instance_fine_cents") or d.get("fine_cents"))


def compensation_agreed(case: Case) -> int:
    """The amount agreed (赔偿协议) or adjudged on a compensation or civil case."""
    d = case.details or {}
    return _int(d.get("awarded_cents") or d.get("agreed_cents"))


def compute_family_ledger(session: Session, cases: Iterable[Case], *, as_of: date) -> FamilyLedger:
    """The ledger of already visible cases of one violation (no access control here)."""
    cases = list(cases)
    admin = [
        compute_ledger(session, c, as_of)
        for c in cases
        if c.channel is Channel.ADMINISTRATIVE and c.decided_on and c.status not in _VOID
    ]
    paid = sum(lg.fine_paid_cents for lg in admin)
    crim = sum(criminal_fine(c) for c in cases if c.channel is Channel.CRIMINAL)
    offset = min(paid, crim)
    money_cases = [c for c in cases if c.channel in (Channel.COMPENSATION, Channel.CIVIL)]
    ids = [c.id for c in money_cases]
    payments: tuple[Payment, ...] = ()
    projects: tuple[RestorationProject, ...] = ()
    if ids:
        payments = tuple(
            session.scalars(
                select(Payment)
                .where(
                    Payment.case_id.in_(ids),
                    Payment.kind.in_(_COMPENSATION_KINDS),
                    Payment.paid_on <= as_of,
                )
                .order_by(Payment.paid_on, Payment.id)
            )
        )
    all_ids = [c.id for c in cases]
    if all_ids:
        projects = tuple(
            session.scalars(
                select(RestorationProject)
                .where(RestorationProject.case_id.in_(all_ids))
                .options(selectinload(RestorationProject.milestones))
                .order_by(RestorationProject.id)
            )
        )
    agreed = sum(compensation_agreed(c) for c in money_cases)
    comp_paid = sum(p.amount_cents for p in payments)
    return FamilyLedger(
        as_of=as_of,
        fines_assessed_cents=sum(lg.fine_cents for lg in admin),
        fines_paid_cents=paid,
        fines_outstanding_cents=sum(lg.fine_outstanding_cents for lg in admin),
        fines_overdue_cents=sum(lg.fine_outstanding_cents for lg in admin if lg.overdue),
        surcharges_cents=sum(lg.surcharge_cents for lg in admin),
        criminal_fine_cents=crim,
        offset_cents=offset,
        criminal_fine_due_cents=crim - offset,
        compensation_agreed_cents=agreed,
        compensation_paid_cents=comp_paid,
        compensation_outstanding_cents=max(0, agreed - comp_paid),
        restoration_budget_cents=sum(p.budget_cents for p in projects),
        administrative=tuple(admin),
        compensation_payments=payments,
        restoration=projects,
    )


# -- changes ---------------------------------------------------------------------------------


def _money_case(session: Session, actor: Actor, case_id: int, expected_version: int) -> Case:
    case = channels.channel_case_for_change(session, actor, case_id, expected_version)
    if case.channel not in (Channel.COMPENSATION, Channel.CIVIL):
        raise Conflict(N_("Compensation and restoration belong to compensation and civil cases."))
    return case


def _require_claimant_or_court(actor: Actor, case: Case) -> None:
    """The claimant's department keeps the compensation ledger (赔偿若干规定 art. 15); the court
    (or the procuratorate that sued) keeps a civil suit's."""
    organ = Organ.CLAIMANT if case.channel is Channel.COMPENSATION else Organ.COURT
    if not (
        channels.may_act(actor, case, organ)
        or (case.channel is Channel.CIVIL and channels.may_act(actor, case, Organ.PROCURATORATE))
    ):
        raise PermissionDenied()


def record_compensation_payment(
    session: Session, actor: Actor, case_id: int, data: Mapping[str, Any], *, expected_version: int
) -> Payment:
    """Record compensation (赔偿金) or restoration cost paid under an agreement or judgment;
    never more than is outstanding.

    Raises PermissionDenied, NotFound, StaleVersion, Conflict, InvalidInput.
    """
    require(actor, Permission.READ_CASES)
    today = local_today()
    with transaction(session, actor=actor):
        case = _money_case(session, actor, case_id, expected_version)
        _require_claimant_or_court(actor, case)
        agreed = compensation_agreed(case)
        if not agreed:
            raise Conflict(N_("No amount has been agreed or adjudged on this case yet."))
        paid_on = data["paid_on"]
        if paid_on > today:
            raise InvalidInput.field("paid_on", N_("The date lies in the future."))
        already = sum(
            p.amount_cents
            for p in session.scalars(
                select(Payment).where(
                    Payment.case_id == case.id, Payment.kind.in_(_COMPENSATION_KINDS)
                )
            )
        )
        if data["amount_cents"] > agreed - already:
            raise InvalidInput.field(
                "amount_cents",
                N_("More than the outstanding {outstanding} cents."),
                outstanding=str(agreed - already),
            )
        payment = Payment(
            case_id=case.id,
            kind=PaymentKind(data["kind"]),
            amount_cents=data["amount_cents"],
            paid_on=paid_on,
            reference=data["reference"],
            note=data.get("note", ""),
            recorded_by_id=actor.user_id or None,
        )
        session.add(payment)
        touch(case)
    return payment


def add_project(
    session: Session, actor: Actor, case_id: int, data: Mapping[str, Any], *, expected_version: int
) -> RestorationProject:
    """Add a restoration project (修复项目) with its milestones to a compensation or civil case.

    Raises PermissionDenied, NotFound, StaleVersion, Conflict, InvalidInput.
    """
    require(actor, Permission.READ_CASES)
    with transaction(session, actor=actor):
        case = _money_case(session, actor, case_id, expected_version)
        _require_claimant_or_court(actor, case)
        start, due = data.get("start_on"), data.get("due_on")
        if start and due and due < start:
            raise InvalidInput.field("due_on", N_("The end lies before the start."))
        project = RestorationProject(
            case_id=case.id,
            violation_id=case.violation_id,
            title=data["title"],
            budget_cents=data.get("budget_cents", 0),
            start_on=start,
            due_on=due,
            status=RestorationStatus.PLANNED if start is None else RestorationStatus.IN_PROGRESS,
        )
        for m in data.get("milestones") or []:
            project.milestones.append(RestorationMilestone(title=m["title"], due_on=m["due_on"]))
        session.add(project)
        touch(case)
    return project


def _project_for_change(
    session: Session, actor: Actor, project_id: int, expected_version: int
) -> RestorationProject:
    project = session.get(RestorationProject, project_id)
    if project is None:
        raise NotFound(kind="RestorationProject", key=project_id)
    case = session.get(Case, project.case_id)
    assert case is not None
    if not channels.may_act(actor, case, _organ_of(case)):
        raise NotFound(kind="RestorationProject", key=project_id)
    if project.version != expected_version:
        raise StaleVersion()
    return project


def _organ_of(case: Case) -> Organ:
    return Organ.CLAIMANT if case.channel is Channel.COMPENSATION else Organ.COURT


def update_project(
    session: Session,
    actor: Actor,
    project_id: int,
    data: Mapping[str, Any],
    *,
    expected_version: int,
) -> RestorationProject:
    """Record progress: milestones done, completion, the effect evaluation (修复效果评估).

    Raises PermissionDenied, NotFound, StaleVersion, Conflict, InvalidInput.
    """
    require(actor, Permission.READ_CASES)
    today = local_today()
    with transaction(session, actor=actor):
        project = _project_for_change(session, actor, project_id, expected_version)
        for item in data.get("milestones_done") or []:
            milestone = next((m for m in project.milestones if m.id == item["id"]), None)
            if milestone is None:
                raise InvalidInput.field(
                    "milestones_done",
                    N_("Milestone {id} is not part of this project."),
                    id=item["id"],
                )
            done_on = item.get("done_on") or today
            if done_on > today:
                raise InvalidInput.field("milestones_done", N_("The date lies in the future."))
            milestone.done_on = done_on
        if data.get("start_on"):
            project.start_on = data["start_on"]
            if project.status is RestorationStatus.PLANNED:
                project.status = RestorationStatus.IN_PROGRESS
        if data.get("completed_on"):
            if data["completed_on"] > today:
                raise InvalidInput.field("completed_on", N_("The date lies in the future."))
            project.completed_on = data["completed_on"]
            project.status = RestorationStatus.COMPLETED
        if "evaluation_passed" in data:
            if project.completed_on is None:
                raise Conflict(N_("A restoration is evaluated once it is completed."))
            project.evaluation_passed = bool(data["evaluation_passed"])
            project.evaluated_on = data.get("evaluated_on") or today
            project.evaluation_note = data.get("evaluation_note", "")
            project.status = RestorationStatus.EVALUATED
        if data.get("exempt_reason"):
            project.status = RestorationStatus.EXEMPT
            project.evaluation_note = data["exempt_reason"]
    return project


def open_milestones(
    projects: Iterable[RestorationProject], as_of: date
) -> list[RestorationMilestone]:
    """Milestones past their day and not done."""
    return [m for p in projects for m in p.milestones if m.done_on is None and m.due_on < as_of]
