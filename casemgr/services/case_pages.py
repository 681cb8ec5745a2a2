"""Read queries of the case pages: the case and violation lists with the filters people use, the
steps a case offers its reader (with why the others are not possible yet), and the choices the
page forms need (officers holding a certificate, counties, a case's parties).

Nothing here writes: every change goes through the services the API uses. Access is checked as
those services check it (jurisdiction, or the organ a prosecutor or judge belongs to).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session, selectinload

from casemgr.lifecycles import GuardFailure
from casemgr.lifecycles.administrative import ADMINISTRATIVE, AdminEvent, AdminStatus
from casemgr.models import (
    Case,
    CaseParty,
    Division,
    DivisionLevel,
    Enterprise,
    JudicialOrgan,
    User,
    UserJurisdiction,
    Violation,
)
from casemgr.models.cases import Channel
from casemgr.models.evidence import Evidence, IssuedDocument
from casemgr.models.violations import violation_enterprises
from casemgr.policy import Actor, Permission, PersonalField, mask
from casemgr.repositories.common import Page, apply_sort, paginate
from casemgr.repositories.enterprises import EnterpriseFilter, enterprise_query
from casemgr.repositories.violations import VIOLATION_SORTS, ViolationFilter, violation_query
from casemgr.services import cases as admin_cases
from casemgr.services import channels
from casemgr.services.access import audit_list_read, organ_violations, require
from casemgr.services.enterprises import territory_counties
from casemgr.services.localtime import LOCAL, local_today

# How many enterprises a name fragment may stand for in a list filter: beyond that the
# fragment is too vague to narrow a list of cases usefully.
ENTERPRISE_MATCHES = 200

# Decision events whose guards also read the step's own data (the fines, the correction
# order, an overdue reason): their form is offered whatever the guards say beforehand.
DATA_EVENTS = frozenset({AdminEvent.DECIDE, AdminEvent.PENALISE_ON_THE_SPOT})
# Rules a decision's own data can satisfy (行政处罚法 arts. 28, 29, 45, 60).
_DATA_RULES = frozenset(
    {
        "correction_order",
        "one_fine_per_act",
        "no_increase_after_notice",
        "simple_procedure_limits",
        "decision_time_limit",
    }
)


# -- lists -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseListFilter:
    """What the case list is narrowed by (each optional)."""

    territory: str | None = None
    status: str | None = None
    track: str | None = None
    number: str | None = None
    violation_id: int | None = None
    enterprise: str | None = None  # a name fragment or a USCC
    received_from: date | None = None
    received_to: date | None = None


CASE_LIST_SORTS = {**admin_cases.CASE_SORTS}


def _enterprise_ids(fragment: str, scope: Collection[str] | None) -> Any:
    """The ids of the enterprises a fragment names (as a subquery, at most a few hundred)."""
    stmt = enterprise_query(EnterpriseFilter(q=fragment), scope=None)
    return stmt.with_only_columns(Enterprise.id).order_by(None).limit(ENTERPRISE_MATCHES)


def search_case_rows(
    session: Session,
    actor: Actor,
    f: CaseListFilter,
    *,
    page: int = 1,
    per_page: int = 20,
    sort: str | None = None,
) -> Page[Case]:
    """Cases the actor may read, narrowed by ``f`` (the filters of ``cases.search_cases`` plus
    the party and the day the lead was received). Raises PermissionDenied, InvalidInput."""
    require(actor, Permission.READ_CASES)
    stmt = select(Case)
    if actor.organ_scoped:
        stmt = stmt.where(Case.violation_id.in_(organ_violations(actor)))
    elif actor.counties is not None:
        stmt = stmt.where(Case.county_code.in_(sorted(actor.counties)))
    if f.territory:
        counties = territory_counties(session, f.territory, field="county")
        if counties is not None:
            stmt = stmt.where(Case.county_code.in_(sorted(counties)))
    if f.status:
        stmt = stmt.where(Case.status == f.status)
    if f.track:
        stmt = stmt.where(Case.track == f.track)
    if f.number:
        stmt = stmt.where(Case.number == f.number)
    if f.violation_id is not None:
        stmt = stmt.where(Case.violation_id == f.violation_id)
    if f.enterprise:
        stmt = stmt.where(Case.party_enterprise_id.in_(_enterprise_ids(f.enterprise, None)))
    if f.received_from is not None:
        stmt = stmt.where(Case.lead_received_on >= f.received_from)
    if f.received_to is not None:
        stmt = stmt.where(Case.lead_received_on <= f.received_to)
    stmt = apply_sort(stmt, sort, CASE_LIST_SORTS, "-lead_received_on", Case.id)
    audit_list_read(
        session,
        actor,
        "cases",
        f"page:status={f.status},track={f.track},number={f.number},party={f.enterprise}",
    )
    return paginate(session, stmt, page=page, per_page=per_page)


def search_violation_rows(
    session: Session,
    actor: Actor,
    f: ViolationFilter,
    *,
    territory: str | None = None,
    enterprise: str | None = None,
    page: int = 1,
    per_page: int = 20,
    sort: str | None = None,
) -> Page[Violation]:
    """Violations in the actor's jurisdiction (``violations.search_violations`` plus a party
    named by a fragment or USCC), with their enterprises loaded. Raises PermissionDenied,
    InvalidInput."""
    require(actor, Permission.READ_CASES)
    if actor.organ_scoped:
        # Prosecutors and judges see the violations whose family is before their organ; their
        # reads of a list are audited.
        stmt = violation_query(f, scope=None).where(Violation.id.in_(organ_violations(actor)))
        audit_list_read(session, actor, "violations", f"page:q={f.q},party={enterprise}")
    else:
        if territory:
            f = replace(f, counties=territory_counties(session, territory, field="county"))
        stmt = violation_query(f, scope=actor.counties)
    if enterprise:
        stmt = stmt.where(
            exists().where(
                violation_enterprises.c.violation_id == Violation.id,
                violation_enterprises.c.enterprise_id.in_(_enterprise_ids(enterprise, None)),
            )
        )
    stmt = stmt.options(selectinload(Violation.enterprises))
    stmt = apply_sort(stmt, sort, VIOLATION_SORTS, "-found_at", Violation.id)
    return paginate(session, stmt, page=page, per_page=per_page)


def case_counts(session: Session, violation_ids: Iterable[int]) -> dict[int, int]:
    """How many cases (every channel) each violation has."""
    ids = list(violation_ids)
    if not ids:
        return {}
    rows = session.execute(
        select(Case.violation_id, func.count())
        .where(Case.violation_id.in_(ids))
        .group_by(Case.violation_id)
    )
    return {vid: n for vid, n in rows}


def enterprise_names(session: Session, ids: Iterable[int | None]) -> dict[int, Enterprise]:
    """The enterprises of the given ids (one query)."""
    wanted = sorted({i for i in ids if i is not None})
    if not wanted:
        return {}
    return {e.id: e for e in session.scalars(select(Enterprise).where(Enterprise.id.in_(wanted)))}


def division_names(session: Session, codes: Iterable[str | None]) -> dict[str, str]:
    """Names of divisions (counties, prefectures) by code."""
    wanted = sorted({c for c in codes if c})
    if not wanted:
        return {}
    rows = session.execute(select(Division.code, Division.name).where(Division.code.in_(wanted)))
    return {code: name for code, name in rows}


def organ_names(session: Session, codes: Iterable[str | None]) -> dict[str, str]:
    """Names of judicial organs (公安机关, 人民检察院, 人民法院) by code."""
    wanted = sorted({c for c in codes if c})
    if not wanted:
        return {}
    rows = session.execute(
        select(JudicialOrgan.code, JudicialOrgan.name).where(JudicialOrgan.code.in_(wanted))
    )
    return {code: name for code, name in rows}


def local_day_bounds(
    start: date | None, end: date | None
) -> tuple[datetime | None, datetime | None]:
    """A day range [start, end] as aware datetimes for ``found_at`` filters (end exclusive)."""
    lo = datetime.combine(start, time.min, tzinfo=LOCAL) if start else None
    hi = datetime.combine(end + timedelta(days=1), time.min, tzinfo=LOCAL) if end else None
    return lo, hi


# -- form choices -----------------------------------------------------------------------------


def county_choices(session: Session, actor: Actor) -> list[tuple[str, str]]:
    """(code, name) of the counties where the actor may log a violation."""
    stmt = select(Division.code, Division.name).where(Division.level == DivisionLevel.COUNTY)
    if actor.counties is not None:
        stmt = stmt.where(Division.code.in_(sorted(actor.counties)))
    return [
        (code, f"{name} {code}") for code, name in session.execute(stmt.order_by(Division.code))
    ]


def _ancestors(session: Session, county_code: str) -> list[str]:
    codes: list[str] = []
    code: str | None = county_code
    while code and len(codes) < 4:
        codes.append(code)
        division = session.get(Division, code)
        code = division.parent_code if division is not None else None
    return codes


def certified_officers(session: Session, county_code: str, *, limit: int = 200) -> list[User]:
    """Active users holding an enforcement certificate (执法证) whose jurisdiction covers the
    county (through the county, its prefecture or the province): the officers a record or a
    transfer report may name (行政处罚法 art. 42)."""
    stmt = (
        select(User)
        .where(
            User.active.is_(True),
            User.certificate_number.is_not(None),
            User.id.in_(
                select(UserJurisdiction.user_id).where(
                    UserJurisdiction.code.in_(_ancestors(session, county_code))
                )
            ),
        )
        .order_by(User.id)
        .limit(limit)
    )
    return list(session.scalars(stmt))


# -- one case ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class StepOption:
    """A step the lifecycle table offers from the case's status to this reader.

    ``blocked`` lists the rules that do not hold yet (empty: the step may be taken now);
    ``with_data`` marks a decision whose form is offered anyway, since its own data (the fines,
    the order to correct) may satisfy the rules checked when it is submitted.
    """

    event: str
    blocked: tuple[GuardFailure, ...] = ()
    with_data: bool = False

    @property
    def open(self) -> bool:
        return not self.blocked or self.with_data


def admin_steps(session: Session, actor: Actor, case: Case, *, today: date) -> list[StepOption]:
    """The steps of an administrative case this actor's roles may take, in lifecycle order."""
    if case.channel is not Channel.ADMINISTRATIVE or actor.organ_scoped:
        return []
    status = AdminStatus(case.status)
    facts = admin_cases.facts_for(session, case, actor, today=today)
    out = []
    for event in ADMINISTRATIVE.events_from(status):
        needed = admin_cases.EVENT_PERMISSION.get(event, Permission.WRITE_CASES)
        if not actor.can(needed):
            continue
        failures = tuple(ADMINISTRATIVE.failures(status, event, facts))
        if event in DATA_EVENTS:
            failures = tuple(f for f in failures if f.rule not in _DATA_RULES)
            out.append(StepOption(event.value, failures, with_data=True))
        else:
            out.append(StepOption(event.value, failures))
    return out


def channel_steps(session: Session, actor: Actor, case: Case, *, today: date) -> list[StepOption]:
    """The steps of a criminal, civil or compensation case this actor may record."""
    spec = channels.specs().get(case.track)
    if spec is None:
        return []
    computed = channels.computed_facts(session, case, {})
    facts = channels.build_facts(spec, case, {}, today=today, computed=computed)
    status = spec.lifecycle.statuses(case.status)
    out = []
    for event in spec.lifecycle.events_from(status):
        if not channels.may_act(actor, case, spec.event_organ[event]):
            continue
        failures = tuple(spec.lifecycle.failures(status, event, facts))
        # A step whose required data feed its guards is offered with its form.
        with_data = bool(spec.requires.get(event)) or bool(spec.records.get(event))
        out.append(StepOption(event.value, failures, with_data=with_data))
    return out


def step_fields(track: str, event: str) -> list[tuple[str, str, bool]]:
    """(name, JSON type, required) of the data a channel step takes, from its spec."""
    spec = channels.specs()[track]
    ev = spec.lifecycle.events(event)
    required = spec.requires.get(ev, ())
    names = list(dict.fromkeys((*required, *spec.records.get(ev, ()))))
    return [(n, spec.fields.get(n, "str"), n in required) for n in names]


@dataclass(frozen=True)
class PartyRow:
    """A party of a case with personal data masked for roles that do not need them."""

    role: str
    name: str
    is_organisation: bool
    id_number: str
    phone: str
    address: str
    masked: tuple[str, ...]


def _shown(actor: Actor, party: CaseParty, personal: PersonalField, value: str) -> str:
    if party.is_organisation or not value or actor.sees_personal(personal):
        return value
    return mask(personal, value)


def party_rows(actor: Actor, parties: Sequence[CaseParty]) -> list[PartyRow]:
    """Parties as the reader may see them (个人信息保护法 arts. 6, 28; ``PERSONAL_DATA_ROLES``)."""
    out = []
    for p in parties:
        values = {
            PersonalField.ID_NUMBER: p.id_number,
            PersonalField.PHONE: p.phone,
            PersonalField.HOME_ADDRESS: p.address,
        }
        shown = {f: _shown(actor, p, f, v) for f, v in values.items()}
        out.append(
            PartyRow(
                role=p.role.value,
                name=p.name,
                is_organisation=p.is_organisation,
                id_number=shown[PersonalField.ID_NUMBER],
                phone=shown[PersonalField.PHONE],
                address=shown[PersonalField.HOME_ADDRESS],
                masked=tuple(f.value for f in values if shown[f] != values[f]),
            )
        )
    return out


@dataclass(frozen=True)
class CasePage:
    """Everything the case page shows besides the case itself."""

    case: Case
    violation: Violation
    party: Enterprise | None
    parties: list[PartyRow]
    evidence: list[Evidence]
    documents: list[IssuedDocument]
    steps: list[StepOption]
    lead_officer: User | None
    county_name: str
    organs: dict[str, str]
    sibling_count: int


def case_page(session: Session, actor: Actor, case_id: int) -> CasePage:
    """The case with its party, evidence, documents and the steps open to the reader.

    Raises PermissionDenied, NotFound (also outside the reader's jurisdiction or organ). A
    prosecutor's or judge's read is audited (``cases.get_case``).
    """
    case = admin_cases.get_case(session, actor, case_id)
    today = local_today()
    violation = session.get(Violation, case.violation_id)
    assert violation is not None  # a foreign key
    if case.channel is Channel.ADMINISTRATIVE:
        steps = admin_steps(session, actor, case, today=today)
    else:
        steps = channel_steps(session, actor, case, today=today)
    evidence = list(
        session.scalars(
            select(Evidence)
            .where(Evidence.case_id == case.id)
            .options(selectinload(Evidence.custody))
            .order_by(Evidence.id)
        )
    )
    documents = list(
        session.scalars(
            select(IssuedDocument)
            .where(IssuedDocument.case_id == case.id)
            .options(selectinload(IssuedDocument.services))
            .order_by(IssuedDocument.id)
        )
    )
    parties = list(
        session.scalars(
            select(CaseParty).where(CaseParty.case_id == case.id).order_by(CaseParty.id)
        )
    )
    siblings = session.scalar(
        select(func.count()).where(Case.violation_id == case.violation_id, Case.id != case.id)
    )
    return CasePage(
        case=case,
        violation=violation,
        party=session.get(Enterprise, case.party_enterprise_id)
        if case.party_enterprise_id
        else None,
        parties=party_rows(actor, parties),
        evidence=evidence,
        documents=documents,
        steps=steps,
        lead_officer=session.get(User, case.lead_officer_id) if case.lead_officer_id else None,
        county_name=division_names(session, [case.county_code]).get(case.county_code, ""),
        organs=organ_names(session, [case.police_code, case.procuratorate_code, case.court_code]),
        sibling_count=siblings or 0,
    )


def violation_cases(session: Session, actor: Actor, violation: Violation) -> list[Case]:
    """The cases of a violation the actor may read (every channel), oldest first."""
    stmt = select(Case).where(Case.violation_id == violation.id).order_by(Case.id)
    if actor.organ_scoped:
        stmt = stmt.where(Case.violation_id.in_(organ_violations(actor)))
    elif not actor.covers(violation.county_code):
        return []
    return list(session.scalars(stmt))
