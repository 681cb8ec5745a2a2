"""Read queries behind the home page (工作台) of each role and the deadline board's rows.

Every query is bounded (a LIMIT of 10-20 rows; counts capped or estimated) so the home page stays
fast on a full province: 1,000,000 enterprises and hundreds of thousands of cases. Each function
checks the caller's permission and filters by their jurisdiction, or by their own court or
procuratorate for judges and prosecutors, as the services they summarise do.

The module holds one small section per role (cases, deadlines, notifications, case families,
credit, inspections, system status): each is a couple of bounded queries and their row type,
read together by the one home page, hence its length.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Select, Table, func, literal, select, text
from sqlalchemy.orm import Session, selectinload

from casemgr.i18n import N_
from casemgr.lifecycles.administrative import ADMINISTRATIVE, AdminStatus
from casemgr.models import (
    Case,
    CreditObjection,
    CreditRepair,
    CreditScore,
    Division,
    Enterprise,
    InspectionDraw,
    InspectionRound,
    InspectionUnit,
    JobRun,
    JudicialOrgan,
    Notification,
    RequestState,
    Task,
    TaskStatus,
    UnitInspection,
    User,
    Violation,
)
from casemgr.models.cases import Deadline, DeadlineStateValue
from casemgr.models.inspections import RoundStatus
from casemgr.models.notifications import scheduler_jobs
from casemgr.policy import Actor, Permission
from casemgr.repositories.common import COUNT_CAP
from casemgr.repositories.territories import counties_under
from casemgr.services.access import audit_list_read, organ_cases, require
from casemgr.services.channels import specs
from casemgr.services.draw_schedule import find_draw

SECTION_LIMIT = 10

# Where an administrative case waits for the bureau head (负责人): the filing decision
# (立案, 行政处罚法 art. 54), the decision after review (art. 57) and the collective discussion
# of the heads (art. 57 ¶2); and for the legal reviewer: legal review (法制审核, art. 58).
APPROVAL_STATUSES = (AdminStatus.LEAD, AdminStatus.REVIEW, AdminStatus.COLLECTIVE_DISCUSSION)
LEGAL_REVIEW_STATUSES = (AdminStatus.LEGAL_REVIEW,)


def _ended_statuses() -> frozenset[str]:
    """Statuses after which a case needs no more work from its officer."""
    ended = {"closed", "not_filed", "withdrawn", *ADMINISTRATIVE.terminal}
    for spec in specs().values():
        ended |= {str(s) for s in spec.lifecycle.terminal}
    return frozenset(str(s) for s in ended)


def division_names(session: Session, codes: Sequence[str]) -> list[str]:
    """The names of the divisions or inspection units (a jurisdiction's codes), in order."""
    if not codes:
        return []
    names = dict(
        session.execute(select(Division.code, Division.name).where(Division.code.in_(codes))).all()
    )
    missing = [c for c in codes if c not in names]
    if missing:
        names |= dict(
            session.execute(
                select(InspectionUnit.code, InspectionUnit.name).where(
                    InspectionUnit.code.in_(missing)
                )
            ).all()
        )
    return [f"{names.get(c, c)} ({c})" for c in codes]


def organ_name(session: Session, code: str | None) -> str | None:
    """A court's, procuratorate's or police bureau's name."""
    organ = session.get(JudicialOrgan, code) if code else None
    return organ.name if organ is not None else None


# --- Cases ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseRow:
    """A case as a home page lists it: number, title, stage, party (the page names the stage
    in the reader's language from ``track`` and ``status``)."""

    id: int
    violation_id: int
    number: str | None
    title: str
    track: str
    channel: str
    status: str
    county_code: str
    lead_received_on: date
    enterprise_id: int | None
    enterprise_name: str


def _in_scope(stmt: Any, actor: Actor, column: Any) -> Any:
    """``stmt`` (a Select of any shape) limited to the actor's counties."""
    return stmt if actor.counties is None else stmt.where(column.in_(sorted(actor.counties)))


def _enterprise_names(session: Session, ids: Iterable[int | None]) -> dict[int, str]:
    wanted = sorted({i for i in ids if i is not None})
    if not wanted:
        return {}
    rows = session.execute(select(Enterprise.id, Enterprise.name).where(Enterprise.id.in_(wanted)))
    return {i: n for i, n in rows}


def _case_rows(session: Session, cases: Sequence[Case]) -> list[CaseRow]:
    names = _enterprise_names(session, (c.party_enterprise_id for c in cases))
    return [
        CaseRow(
            id=c.id,
            violation_id=c.violation_id,
            number=c.number,
            title=c.title,
            track=c.track,
            channel=c.channel.value,
            status=c.status,
            county_code=c.county_code,
            lead_received_on=c.lead_received_on,
            enterprise_id=c.party_enterprise_id,
            enterprise_name=names.get(c.party_enterprise_id or 0, ""),
        )
        for c in cases
    ]


def my_cases(session: Session, actor: Actor, *, limit: int = SECTION_LIMIT) -> list[CaseRow]:
    """The actor's own open cases (承办案件: they are the lead officer), newest first.

    Raises PermissionDenied."""
    require(actor, Permission.READ_CASES)
    stmt = select(Case).where(
        Case.lead_officer_id == actor.user_id,
        Case.closed_on.is_(None),
        Case.status.not_in(sorted(_ended_statuses())),
    )
    stmt = _in_scope(stmt, actor, Case.county_code).order_by(Case.id.desc()).limit(limit)
    return _case_rows(session, session.scalars(stmt).all())


def cases_awaiting(
    session: Session,
    actor: Actor,
    statuses: Sequence[AdminStatus],
    permission: Permission,
    *,
    limit: int = SECTION_LIMIT,
) -> list[CaseRow]:
    """Administrative cases in the actor's jurisdiction waiting in one of ``statuses`` for the
    actor's approval or review, the longest waiting first. Raises PermissionDenied."""
    require(actor, Permission.READ_CASES)
    require(actor, permission)
    # The waiting cases' ids and days from ``ix_cases_status_lead`` alone (a few thousand
    # entries province-wide: stages a case passes through), the oldest picked here, then only
    # the rows shown. Reading every waiting case's row to sort them took 100 ms province-wide;
    # an ORDER BY ... LIMIT lets PostgreSQL walk the cases by lead day from the oldest, which
    # are all archived, for as long.
    stmt = select(Case.id, Case.lead_received_on).where(
        Case.status.in_([s.value for s in statuses]), Case.track == ADMINISTRATIVE.name
    )
    waiting = session.execute(_in_scope(stmt, actor, Case.county_code)).all()
    ids = [i for i, _day in heapq.nsmallest(limit, waiting, key=lambda r: (r[1], r[0]))]
    rows = {c.id: c for c in session.scalars(select(Case).where(Case.id.in_(ids)))} if ids else {}
    return _case_rows(session, [rows[i] for i in ids])


# --- Deadlines --------------------------------------------------------------------------------


@dataclass(frozen=True)
class DeadlineRow:
    """A deadline with its case and party, and how it stands today."""

    deadline: Deadline
    case_number: str | None
    case_title: str
    enterprise_id: int | None
    enterprise_name: str
    shown_state: str  # open, due_soon, overdue, paused, met, missed, cancelled
    days_left: int | None  # negative when overdue; None once done or cancelled


def shown_state(d: Deadline, *, today: date, soon_days: int) -> str:
    """How a deadline stands today. Overdue: past its last day and still not done (the nightly
    refresh may not have marked it missed yet); missed: done, but late."""
    if d.state is DeadlineStateValue.CANCELLED:
        return "cancelled"
    if d.state is DeadlineStateValue.MET:
        return "met"
    if d.done_on is not None:
        return "missed" if d.state is DeadlineStateValue.MISSED else "met"
    if d.state is DeadlineStateValue.MISSED or d.due_on < today:
        return "overdue"
    if d.state is DeadlineStateValue.PAUSED:
        return "paused"
    if d.due_on <= today + timedelta(days=soon_days):
        return "due_soon"
    return "open"


def deadline_rows(
    session: Session, deadlines: Sequence[Deadline], *, today: date, soon_days: int
) -> list[DeadlineRow]:
    """The deadlines with their case number and party: two queries for the whole page."""
    cases = {
        c.id: c
        for c in session.execute(
            select(Case.id, Case.number, Case.title, Case.party_enterprise_id).where(
                Case.id.in_(sorted({d.case_id for d in deadlines}))
            )
        )
    }
    names = _enterprise_names(session, (c.party_enterprise_id for c in cases.values()))
    rows = []
    for d in deadlines:
        case = cases.get(d.case_id)
        state = shown_state(d, today=today, soon_days=soon_days)
        running = d.done_on is None and state != "cancelled"
        rows.append(
            DeadlineRow(
                deadline=d,
                case_number=case.number if case else None,
                case_title=case.title if case else "",
                enterprise_id=case.party_enterprise_id if case else None,
                enterprise_name=names.get(case.party_enterprise_id or 0, "") if case else "",
                shown_state=state,
                days_left=(d.due_on - today).days if running else None,
            )
        )
    return rows


# --- Notifications ----------------------------------------------------------------------------


def unread_notifications(
    session: Session, actor: Actor, *, limit: int = SECTION_LIMIT
) -> list[Notification]:
    """The actor's unread notifications, newest first (the inbox's first page)."""
    stmt = (
        select(Notification)
        .where(Notification.user_id == actor.user_id, Notification.read_at.is_(None))
        .order_by(Notification.id.desc())
        .limit(limit)
    )
    return list(session.scalars(stmt))


# --- Judges and prosecutors -------------------------------------------------------------------


@dataclass(frozen=True)
class FamilyRow:
    """A case family (案件族) before the actor's court or procuratorate."""

    violation: Violation
    cases: list[CaseRow] = field(default_factory=list)


def families_before_organ(
    session: Session, actor: Actor, *, limit: int = SECTION_LIMIT
) -> list[FamilyRow]:
    """The families with a case before the actor's own court or procuratorate, the most recent
    first. The read is audited for judges and prosecutors. Raises PermissionDenied."""
    require(actor, Permission.READ_CASES)
    newest = func.max(Case.id)
    recent = session.execute(
        select(Case.violation_id, newest)
        .where(Case.id.in_(organ_cases(actor)))
        .group_by(Case.violation_id)
        .order_by(newest.desc())
        .limit(limit)
    ).all()
    ids = [vid for vid, _ in recent]
    audit_list_read(session, actor, "violations", "home:families before organ")
    if not ids:
        return []
    violations = {
        v.id: v
        for v in session.scalars(
            select(Violation)
            .where(Violation.id.in_(ids))
            .options(selectinload(Violation.enterprises))
        )
    }
    cases = _case_rows(
        session,
        session.scalars(select(Case).where(Case.violation_id.in_(ids)).order_by(Case.id)).all(),
    )
    by_violation: dict[int, list[CaseRow]] = {}
    for c in cases:
        by_violation.setdefault(c.violation_id, []).append(c)
    return [FamilyRow(violations[i], by_violation.get(i, [])) for i in ids if i in violations]


# --- Credit regulators ------------------------------------------------------------------------


@dataclass(frozen=True)
class TierChange:
    """A stored score whose tier differs from the enterprise's previous one (信用等级变动)."""

    score: CreditScore
    enterprise_name: str
    previous_tier: str | None
    first: bool  # the enterprise's first score under the scheme


def recent_tier_changes(
    session: Session, actor: Actor, scheme_key: str, *, limit: int = SECTION_LIMIT
) -> list[TierChange]:
    """The latest tier changes of enterprises in the actor's jurisdiction (the append-only
    credit history: a row is stored only when a result changes). Raises PermissionDenied."""
    require(actor, Permission.READ_ENTERPRISES)
    prev = CreditScore.__table__.alias("prev")
    previous_id = (
        select(prev.c.id)
        .where(
            prev.c.scheme == CreditScore.scheme,
            prev.c.enterprise_id == CreditScore.enterprise_id,
            prev.c.id < CreditScore.id,
        )
        .order_by(prev.c.id.desc())
        .limit(1)
        .correlate(CreditScore)
        .scalar_subquery()
    )
    stmt = (
        select(CreditScore, Enterprise.name, previous_id)
        .join(Enterprise, Enterprise.id == CreditScore.enterprise_id)
        .where(CreditScore.scheme == scheme_key)
    )
    # Most stored rows change only points; read a few pages of them to find the tier changes.
    stmt = _in_scope(stmt, actor, Enterprise.county_code).order_by(CreditScore.id.desc())
    rows = session.execute(stmt.limit(limit * 8)).all()
    prev_ids = sorted({p for _, _, p in rows if p is not None})
    tiers: dict[int, str | None] = {}
    if prev_ids:
        tiers = dict(
            session.execute(
                select(CreditScore.id, CreditScore.tier).where(CreditScore.id.in_(prev_ids))
            ).all()
        )
    out = []
    for score, name, prev_id in rows:
        before = tiers.get(prev_id) if prev_id is not None else None
        if prev_id is None or before != score.tier:
            out.append(TierChange(score, name, before, prev_id is None))
        if len(out) == limit:
            break
    return out


@dataclass(frozen=True)
class CreditRequestRow:
    """A pending objection (异议) or credit repair (信用修复) application."""

    kind: str  # objections | repairs
    id: int
    enterprise_id: int
    enterprise_name: str
    record: str
    filed_on: date


def pending_credit_requests(
    session: Session, actor: Actor, *, limit: int = SECTION_LIMIT
) -> list[CreditRequestRow]:
    """Objections and repairs waiting for a decision on enterprises in the actor's
    jurisdiction, the oldest first. Raises PermissionDenied."""
    require(actor, Permission.MANAGE_CREDIT)
    out: list[CreditRequestRow] = []
    for kind, model, filed in (
        ("objections", CreditObjection, CreditObjection.filed_on),
        ("repairs", CreditRepair, CreditRepair.applied_on),
    ):
        pending = (
            select(model.id, model.enterprise_id, Enterprise.name, model.record, filed)
            .join(Enterprise, Enterprise.id == model.enterprise_id)
            .where(model.state == RequestState.PENDING)
        )
        stmt = _in_scope(pending, actor, Enterprise.county_code).order_by(model.id).limit(limit)
        out += [CreditRequestRow(kind, *row) for row in session.execute(stmt)]
    return sorted(out, key=lambda r: (r.filed_on, r.kind, r.id))[:limit]


# --- Inspection planners ----------------------------------------------------------------------


@dataclass(frozen=True)
class RoundOutlook:
    """The current inspection round (督察轮次) and its next stays on site."""

    round: InspectionRound
    stays: list[UnitInspection]
    unit_names: dict[str, str]


def current_round(
    session: Session, actor: Actor, *, today: date, limit: int = SECTION_LIMIT
) -> RoundOutlook | None:
    """The round running today (else the latest one) with the stays not yet over, the
    soonest first. Raises PermissionDenied."""
    require(actor, Permission.READ_CASES)
    running = (
        select(InspectionRound)
        .where(
            InspectionRound.status != RoundStatus.CLOSED,
            InspectionRound.cycle_start <= today,
            InspectionRound.cycle_end >= today,
        )
        .order_by(InspectionRound.cycle_start.desc(), InspectionRound.id.desc())
        .limit(1)
    )
    rnd = session.scalar(running) or session.scalar(
        select(InspectionRound)
        .order_by(InspectionRound.cycle_start.desc(), InspectionRound.id.desc())
        .limit(1)
    )
    if rnd is None:
        return None
    stays = list(
        session.scalars(
            select(UnitInspection)
            .where(UnitInspection.round_id == rnd.id, UnitInspection.end_on >= today)
            .order_by(UnitInspection.start_on, UnitInspection.id)
            .limit(limit)
        )
    )
    codes = sorted({s.unit_code for s in stays})
    names = dict(
        session.execute(
            select(InspectionUnit.code, InspectionUnit.name).where(InspectionUnit.code.in_(codes))
        ).all()
    )
    return RoundOutlook(rnd, stays, names)


@dataclass(frozen=True)
class DrawOutlook:
    """A scheduled random draw (双随机抽查) of a scope: this quarter's and the next one's."""

    scope_code: str
    scope_name: str
    current_label: str
    current: InspectionDraw | None
    next_label: str
    next_on: date  # the scheduler prepares and draws it on the quarter's first day


def _quarter(day: date) -> tuple[str, date]:
    q = (day.month - 1) // 3
    return f"{day.year}Q{q + 1}", date(day.year, q * 3 + 1, 1)


def draw_outlook(
    session: Session, actor: Actor, scopes: Sequence[str], *, today: date
) -> list[DrawOutlook]:
    """The scheduled draws of the configured scopes the actor's jurisdiction covers (as the
    planners told of them by the scheduler). Raises PermissionDenied."""
    require(actor, Permission.PLAN_INSPECTIONS)
    label, start = _quarter(today)
    following = (
        date(start.year + 1, 1, 1) if start.month == 10 else date(start.year, start.month + 3, 1)
    )
    next_label, next_on = _quarter(following)
    out = []
    for scope in scopes:
        under = counties_under(session, scope)
        if actor.counties is not None and (under is None or not under <= actor.counties):
            continue
        division = session.get(Division, scope)
        out.append(
            DrawOutlook(
                scope_code=scope,
                scope_name=division.name if division else scope,
                current_label=label,
                current=find_draw(session, scope, label),
                next_label=next_label,
                next_on=next_on,
            )
        )
    return out


# --- Administrators ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Count:
    label: str  # an English msgid, translated in the template
    value: int
    exact: bool  # False: an estimate (over COUNT_CAP rows, from the planner's statistics)
    href: str = ""


def capped_count(
    session: Session, stmt: Select[Any], table: Table | None = None
) -> tuple[int, bool]:
    """Count the rows of ``stmt`` up to COUNT_CAP; beyond it, PostgreSQL's estimate of the
    table's size when ``table`` is given (whole-table counts), else the cap as a lower bound."""
    capped = stmt.limit(COUNT_CAP + 1).subquery()
    n = session.scalar(select(func.count()).select_from(capped)) or 0
    if n <= COUNT_CAP:
        return n, True
    if table is not None and session.get_bind().dialect.name == "postgresql":
        estimate = session.scalar(
            text("SELECT reltuples::bigint FROM pg_class WHERE oid = to_regclass(:t)"),
            {"t": table.name},
        )
        return max(int(estimate or 0), COUNT_CAP), False
    return COUNT_CAP, False


@dataclass(frozen=True)
class SystemStatus:
    counts: list[Count]
    job_runs: list[JobRun]


def system_status(session: Session, actor: Actor, *, today: date) -> SystemStatus:
    """Sizes of the main tables and the latest run of each scheduled job. Raises
    PermissionDenied (administrators only)."""
    require(actor, Permission.MANAGE_USERS)

    def whole(model: Any) -> tuple[int, bool]:
        return capped_count(session, select(literal(1)).select_from(model), model.__table__)

    overdue = select(literal(1)).where(
        Deadline.state.in_([DeadlineStateValue.OPEN, DeadlineStateValue.MISSED]),
        Deadline.due_on < today,
        Deadline.done_on.is_(None),
    )
    queued = select(literal(1)).where(Task.status.in_([TaskStatus.QUEUED, TaskStatus.RUNNING]))
    counts = [
        Count(N_("Users"), *whole(User)),
        Count(N_("Enterprises"), *whole(Enterprise), href="/enterprises"),
        Count(N_("Violations"), *whole(Violation), href="/cases"),
        Count(N_("Cases"), *whole(Case), href="/cases"),
        Count(
            N_("Overdue deadlines"),
            *capped_count(session, overdue),
            href="/deadlines?state=overdue",
        ),
        Count(N_("Queued or running tasks"), *capped_count(session, queued), href="/tasks"),
    ]
    return SystemStatus(counts, latest_job_runs(session))


def latest_job_runs(session: Session) -> list[JobRun]:
    """The latest run of each job: the jobs in the scheduler's store and those that ran
    recently, one indexed lookup each (the log grows by thousands of rows a day)."""
    ids = set(session.scalars(select(scheduler_jobs.c.id)))
    recent = select(JobRun.job_id).order_by(JobRun.id.desc()).limit(200).subquery()
    ids |= set(session.scalars(select(recent.c.job_id).distinct()))
    runs = []
    for job_id in sorted(ids):
        run = session.scalar(
            select(JobRun).where(JobRun.job_id == job_id).order_by(JobRun.id.desc()).limit(1)
        )
        if run is not None:
            runs.append(run)
    return runs


__all__ = [
    "APPROVAL_STATUSES",
    "LEGAL_REVIEW_STATUSES",
    "CaseRow",
    "CreditRequestRow",
    "DeadlineRow",
    "DrawOutlook",
    "FamilyRow",
    "RoundOutlook",
    "SystemStatus",
    "TierChange",
    "cases_awaiting",
    "current_round",
    "deadline_rows",
    "draw_outlook",
    "families_before_organ",
    "my_cases",
    "pending_credit_requests",
    "recent_tier_changes",
    "shown_state",
    "system_status",
    "unread_notifications",
]
