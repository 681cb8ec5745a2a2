"""The case family (案件族) of a violation: every case in every channel, the links between
them, parties, documents, deadlines, alerts, the ledger and one merged timeline.

Prosecutors and judges read it for the families before their own organ; their reads are
audited. Personal data of individuals are masked for the roles that do not need them
(``casemgr.policy.PERSONAL_DATA_ROLES``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from casemgr.db import transaction
from casemgr.exceptions import NotFound
from casemgr.i18n import N_
from casemgr.legalbasis import Basis, Citation, Law
from casemgr.models import (
    Alert,
    AlertState,
    AuditAction,
    Case,
    CaseLink,
    CaseParty,
    IssuedDocument,
    Violation,
)
from casemgr.models.audit import write_entry
from casemgr.models.cases import Channel, Deadline
from casemgr.policy import Actor, Permission, PersonalField, mask
from casemgr.services import channels
from casemgr.services.access import family_before_organ, require
from casemgr.services.alerts import violation_alerts
from casemgr.services.cases import allowed_events as admin_allowed_events
from casemgr.services.ledger import FamilyLedger, compute_family_ledger
from casemgr.services.localtime import LOCAL, local_today


@dataclass(frozen=True)
class ConsistencyAlert:
    """Something the family's cases, taken together, say is missing."""

    code: str
    title: str  # English msgid, translated at the edge
    basis: Basis
    reason: str  # English msgid, translated at the edge
    case_id: int | None = None


@dataclass(frozen=True)
class TimelineEntry:
    on: date
    kind: str  # transition, document, service, payment, link, alert, milestone
    case_id: int | None
    channel: str | None
    title: str
    detail: dict[str, Any] = field(default_factory=dict)
    at: datetime | None = None


@dataclass(frozen=True)
class PartyView:
    id: int
    case_id: int
    role: str
    is_organisation: bool
    enterprise_id: int | None
    name: str
    id_number: str
    phone: str
    address: str
    masked: tuple[str, ...]


@dataclass(frozen=True)
class CaseEntry:
    case: Case
    allowed_events: list[str]

    def __getattr__(self, name: str) -> Any:
        return getattr(self.case, name)


@dataclass(frozen=True)
class Family:
    violation: Violation
    cases: list[CaseEntry]
    links: list[CaseLink]
    parties: list[PartyView]
    documents: list[IssuedDocument]
    deadlines: list[Deadline]
    alerts: list[Alert]
    consistency: list[ConsistencyAlert]
    ledger: FamilyLedger
    timeline: list[TimelineEntry]


def visible_family(session: Session, actor: Actor, violation_id: int) -> Violation:
    """The violation whose family the actor may read. Raises NotFound (existence must not
    leak): prosecutors and judges see the families before their own organ; everyone else
    those in their jurisdiction."""
    v = session.get(Violation, violation_id)
    if v is None:
        raise NotFound(kind="Violation", key=violation_id)
    if actor.organ_scoped:
        if not family_before_organ(session, actor, violation_id):
            raise NotFound(kind="Violation", key=violation_id)
    elif not actor.covers(v.county_code):
        raise NotFound(kind="Violation", key=violation_id)
    return v


def get_family(
    session: Session, actor: Actor, violation_id: int, *, with_events: bool = True
) -> Family:
    """The whole story of a violation. Raises PermissionDenied, NotFound.

    ``with_events`` false leaves each case's ``allowed_events`` empty: a reader that does not
    offer the steps (the family page links to each case's own page) skips checking every
    step's guards of every case."""
    require(actor, Permission.READ_CASES)
    if actor.read_audited:
        with transaction(session, actor=actor):
            v = visible_family(session, actor, violation_id)
            write_entry(
                session,
                action=AuditAction.READ,
                table_name="violations",
                record_key=f"{v.id}/family",
            )
    v = visible_family(session, actor, violation_id)
    return assemble(session, actor, v, as_of=local_today(), with_events=with_events)


def assemble(
    session: Session, actor: Actor, v: Violation, *, as_of: date, with_events: bool = True
) -> Family:
    cases = list(
        session.scalars(
            select(Case)
            .where(Case.violation_id == v.id)
            .options(
                selectinload(Case.transitions),
                selectinload(Case.deadlines),
                selectinload(Case.clock_stops),
                selectinload(Case.extensions),
            )
            .order_by(Case.id)
        )
    )
    ids = [c.id for c in cases]
    by_id = {c.id: c for c in cases}
    links = list(
        session.scalars(select(CaseLink).where(CaseLink.violation_id == v.id).order_by(CaseLink.id))
    )
    parties = list(
        session.scalars(select(CaseParty).where(CaseParty.case_id.in_(ids)).order_by(CaseParty.id))
    )
    documents = list(
        session.scalars(
            select(IssuedDocument)
            .where(IssuedDocument.case_id.in_(ids))
            .options(selectinload(IssuedDocument.services))
            .order_by(IssuedDocument.id)
        )
    )
    alerts = violation_alerts(session, v.id)
    ledger = compute_family_ledger(session, cases, as_of=as_of)
    entries = [CaseEntry(c, _allowed(session, actor, c) if with_events else []) for c in cases]
    return Family(
        violation=v,
        cases=entries,
        links=links,
        parties=[_party_view(actor, p) for p in parties],
        documents=documents,
        deadlines=sorted((d for c in cases for d in c.deadlines), key=lambda d: (d.due_on, d.id)),
        alerts=alerts,
        consistency=consistency_alerts(v, cases, alerts),
        ledger=ledger,
        timeline=timeline(by_id, links, documents, alerts, ledger),
    )


def _allowed(session: Session, actor: Actor, case: Case) -> list[str]:
    if case.channel is Channel.ADMINISTRATIVE:
        if actor.organ_scoped:
            return []  # prosecutors and judges record their own acts only
        return admin_allowed_events(session, actor, case)
    return channels.allowed_channel_events(session, actor, case)


def _party_view(actor: Actor, p: CaseParty) -> PartyView:
    masked: list[str] = []

    def shown(personal: PersonalField, value: str) -> str:
        if p.is_organisation or not value or actor.sees_personal(personal):
            return value
        masked.append(personal.value)
        return mask(personal, value)

    id_number = shown(PersonalField.ID_NUMBER, p.id_number)
    phone = shown(PersonalField.PHONE, p.phone)
    address = shown(PersonalField.HOME_ADDRESS, p.address)
    return PartyView(
        id=p.id,
        case_id=p.case_id,
        role=p.role.value,
        is_organisation=p.is_organisation,
        enterprise_id=p.enterprise_id,
        name=p.name,
        id_number=id_number,
        phone=phone,
        address=address,
        masked=tuple(masked),
    )


# -- consistency ------------------------------------------------------------------------------

_REFERRAL_DUTY = (Citation(Law.TRANSFER_PROVISIONS, "3"), Citation(Law.ENV_LINKAGE_MEASURES, "5"))
_NO_PENALTY_INSTEAD = (
    Citation(Law.TRANSFER_PROVISIONS, "11"),
    Citation(Law.ADMIN_PENALTY_LAW, "27"),
)


def consistency_alerts(
    v: Violation, cases: list[Case], alerts: list[Alert]
) -> list[ConsistencyAlert]:
    """What the family's cases, taken together, say is missing (never acted on
    automatically)."""
    out: list[ConsistencyAlert] = []
    channels_present = {c.channel for c in cases}
    standing = [a for a in alerts if a.state is AlertState.OPEN and a.tier == 1]
    if standing and Channel.CRIMINAL not in channels_present:
        out.append(
            ConsistencyAlert(
                "threshold_not_referred",
                N_("Criminal threshold met but not referred"),  # 达到入罪标准但未移送
                _REFERRAL_DUTY,
                N_("The violation meets a criminal threshold but was never referred."),
            )
        )
        for c in cases:
            if (
                c.channel is Channel.ADMINISTRATIVE
                and c.status in ("closed", "archived")
                and c.decided_on is not None
                and (c.final_fine_cents or 0) > 0
            ):
                out.append(
                    ConsistencyAlert(
                        "penalty_instead_of_referral",
                        N_("Risk of a fine in place of a criminal referral"),  # 以罚代刑风险
                        _NO_PENALTY_INSTEAD,
                        N_("The case was closed with a fine while a referral alert stands."),
                        case_id=c.id,
                    )
                )
    if v.ecological_damage and Channel.COMPENSATION not in channels_present:
        out.append(
            ConsistencyAlert(
                "damage_no_claim",
                # 发现生态环境损害但未开展索赔线索筛查
                N_("Ecological damage found but no claim screened"),
                (
                    Citation(
                        Law.ECO_DAMAGE_COMPENSATION_RULES, note=N_("lead screening"), recalled=True
                    ),
                ),
                N_("Ecological damage was found but no compensation claim was screened."),
            )
        )
    for c in cases:
        investigated = any(t.to_status == "investigation" for t in c.transitions)
        if (
            c.channel is Channel.COMPENSATION
            and investigated
            and not (c.details or {}).get("procuratorate_notified_on")
        ):
            out.append(
                ConsistencyAlert(
                    "procuratorate_not_notified",
                    # 损害调查启动未通报检察机关
                    N_("Damage investigation opened without notifying the procuratorate"),
                    (
                        Citation(
                            Law.ECO_DAMAGE_COMPENSATION_RULES,
                            note=N_("notifying the procuratorate"),
                            recalled=True,
                        ),
                    ),
                    N_("A compensation investigation opened without notifying the procuratorate."),
                    case_id=c.id,
                )
            )
    return out


# -- timeline ---------------------------------------------------------------------------------


def _day(moment: datetime | None) -> date | None:
    return moment.astimezone(LOCAL).date() if moment is not None else None


def timeline(
    cases: dict[int, Case],
    links: list[CaseLink],
    documents: list[IssuedDocument],
    alerts: list[Alert],
    ledger: FamilyLedger,
) -> list[TimelineEntry]:
    """One merged timeline of the family, by legal date (then recording time)."""
    entries: list[TimelineEntry] = []

    def channel_of(case_id: int | None) -> str | None:
        case = cases.get(case_id) if case_id is not None else None
        return case.channel.value if case is not None else None

    for case in cases.values():
        for t in case.transitions:
            entries.append(
                TimelineEntry(
                    t.on,
                    "transition",
                    case.id,
                    case.channel.value,
                    t.event,
                    {"from": t.from_status, "to": t.to_status, "actor": t.actor_name},
                    t.at,
                )
            )
    for doc in documents:
        entries.append(
            TimelineEntry(
                doc.issued_on,
                "document",
                doc.case_id,
                channel_of(doc.case_id),
                doc.kind.value,
                {"number": doc.number},
            )
        )
        for s in doc.services:
            entries.append(
                TimelineEntry(
                    s.served_on,
                    "service",
                    doc.case_id,
                    channel_of(doc.case_id),
                    doc.kind.value,
                    {"method": s.method.value},
                )
            )
    for lg in ledger.administrative:
        for p in lg.payments:
            entries.append(
                TimelineEntry(
                    p.paid_on,
                    "payment",
                    p.case_id,
                    channel_of(p.case_id),
                    p.kind.value,
                    {"amount_cents": p.amount_cents},
                    p.recorded_at,
                )
            )
    for p in ledger.compensation_payments:
        entries.append(
            TimelineEntry(
                p.paid_on,
                "payment",
                p.case_id,
                channel_of(p.case_id),
                p.kind.value,
                {"amount_cents": p.amount_cents},
                p.recorded_at,
            )
        )
    for link in links:
        entries.append(
            TimelineEntry(
                link.on,
                "link",
                link.to_case_id,
                channel_of(link.to_case_id),
                link.kind.value,
                {"from_case_id": link.from_case_id},
            )
        )
    for a in alerts:
        entries.append(
            TimelineEntry(
                a.raised_on,
                "alert",
                None,
                None,
                a.predicate,
                {"state": a.state.value, "title": a.title, "article": a.article},
                a.created_at,
            )
        )
    for project in ledger.restoration:
        for m in project.milestones:
            if m.done_on is not None:
                entries.append(
                    TimelineEntry(
                        m.done_on,
                        "milestone",
                        project.case_id,
                        channel_of(project.case_id),
                        m.title,
                        {"project_id": project.id},
                    )
                )
        if project.evaluated_on is not None:
            entries.append(
                TimelineEntry(
                    project.evaluated_on,
                    "evaluation",
                    project.case_id,
                    channel_of(project.case_id),
                    project.title,
                    {"passed": project.evaluation_passed},
                )
            )
    floor = datetime.min.replace(tzinfo=LOCAL)
    entries.sort(key=lambda e: (e.on, e.at or floor))
    return entries
