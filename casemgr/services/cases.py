"""Administrative case use cases: open, apply lifecycle events, records, stops, extensions.

Every step is one transaction: the guards run on the facts *with* the step's data, the case
moves through ``ADMINISTRATIVE`` (the only writer of ``status``), the transition is recorded
and the deadlines follow; any failure rolls all of it back.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from casemgr.db import transaction
from casemgr.exceptions import Conflict, InvalidInput, NotFound, StaleVersion
from casemgr.i18n import N_
from casemgr.lifecycles.administrative import (
    ADMINISTRATIVE,
    AdminEvent,
    AdminFacts,
    AdminStatus,
    decision_overdue,
    hearing_eligible,
)
from casemgr.models import AuditAction, OrganKind, User
from casemgr.models.audit import write_entry
from casemgr.models.cases import (
    Case,
    CaseTransition,
    Channel,
    ClockStopRecord,
    Extension,
    InvestigationRecord,
    Procedure,
)
from casemgr.policy import Actor, Permission, Role
from casemgr.repositories.common import Page, apply_sort, paginate
from casemgr.services import case_numbers, deadlines
from casemgr.services.access import (
    audit_list_read,
    family_before_organ,
    organ_violations,
    require,
)
from casemgr.services.enterprises import territory_counties
from casemgr.services.localtime import LOCAL, local_today
from casemgr.services.reference import organ_code
from casemgr.services.violations import visible_violation

_E = AdminEvent

# Who may take a step: the head approves filing, decisions, transfers and closing; the legal
# reviewer reviews (行政处罚法 arts. 54, 57, 58); officers record the rest.
EVENT_PERMISSION: Mapping[AdminEvent, Permission] = {
    _E.FILE: Permission.APPROVE_CASES,
    _E.DECLINE_TO_FILE: Permission.APPROVE_CASES,
    _E.DECIDE: Permission.APPROVE_CASES,
    _E.DECIDE_NO_PENALTY_MINOR: Permission.APPROVE_CASES,
    _E.DECIDE_NO_PENALTY_UNFOUNDED: Permission.APPROVE_CASES,
    _E.TRANSFER_CRIMINAL: Permission.APPROVE_CASES,
    _E.TRANSFER_DETENTION: Permission.APPROVE_CASES,
    _E.WITHDRAW: Permission.APPROVE_CASES,
    _E.REVOKE_DECISION: Permission.APPROVE_CASES,
    _E.CONCLUDE_COLLECTIVE_DISCUSSION: Permission.APPROVE_CASES,
    _E.APPLY_COURT_ENFORCEMENT: Permission.APPROVE_CASES,
    _E.CLOSE: Permission.APPROVE_CASES,
    _E.PASS_LEGAL_REVIEW: Permission.LEGAL_REVIEW,
    _E.FAIL_LEGAL_REVIEW: Permission.LEGAL_REVIEW,
}

# Clock stops that events open and close (生态环境行政处罚办法 2023 art. 57; DOMAIN §2.1).
STOP_OPENED_BY = {
    _E.REQUEST_HEARING: "hearing",
    _E.SUSPEND: "suspended",
    _E.TRANSFER_CRIMINAL: "criminal_transfer",
}
STOP_CLOSED_BY = {
    _E.CONCLUDE_HEARING: "hearing",
    _E.WAIVE_HEARING: "hearing",
    _E.RESUME: "suspended",
    _E.RETURNED_BY_JUDICIAL_ORGANS: "criminal_transfer",
    _E.CRIMINAL_CASE_CONCLUDED: "criminal_transfer",
}
_DECISIONS = {_E.DECIDE, _E.DECIDE_NO_PENALTY_MINOR, _E.DECIDE_NO_PENALTY_UNFOUNDED}
# Events after which no running deadline of the case is owed any more.
_ENDINGS = {
    _E.DECLINE_TO_FILE,
    _E.WITHDRAW,
    _E.REVOKE_DECISION,
    _E.CRIMINAL_CASE_CONCLUDED,
    _E.CLOSE,
}


def visible_case(session: Session, actor: Actor, case_id: int) -> Case:
    """Raises NotFound, also outside the actor's jurisdiction (existence must not leak)."""
    case = session.get(Case, case_id)
    if case is None:
        raise NotFound(kind="Case", key=case_id)
    if actor.organ_scoped:
        # Prosecutors and judges see the families before their own organ, nothing else.
        if not family_before_organ(session, actor, case.violation_id):
            raise NotFound(kind="Case", key=case_id)
    elif not actor.covers(case.county_code):
        raise NotFound(kind="Case", key=case_id)
    return case


def case_for_change(session: Session, actor: Actor, case_id: int, expected_version: int) -> Case:
    """The administrative case about to change. Raises NotFound, StaleVersion, Conflict."""
    case = visible_case(session, actor, case_id)
    if case.version != expected_version:
        raise StaleVersion()
    if case.channel is not Channel.ADMINISTRATIVE:
        raise Conflict(N_("This case is not in the administrative channel."))
    return case


def get_case(session: Session, actor: Actor, case_id: int) -> Case:
    """Raises PermissionDenied, NotFound. A prosecutor's or judge's read is audited."""
    require(actor, Permission.READ_CASES)
    if actor.read_audited:
        with transaction(session, actor=actor):
            case = visible_case(session, actor, case_id)
            write_entry(
                session, action=AuditAction.READ, table_name="cases", record_key=str(case.id)
            )
        return case
    return visible_case(session, actor, case_id)


def open_case(session: Session, actor: Actor, violation_id: int, data: Mapping[str, Any]) -> Case:
    """Open an administrative case on a violation, as a lead (线索).

    Raises PermissionDenied, NotFound (violation), InvalidInput.
    """
    require(actor, Permission.WRITE_CASES)
    today = local_today()
    with transaction(session, actor=actor):
        violation = visible_violation(session, actor, violation_id)
        party_id = data.get("party_enterprise_id")
        if party_id is None and len(violation.enterprises) == 1:
            party_id = violation.enterprises[0].id
        if party_id not in {e.id for e in violation.enterprises}:
            raise InvalidInput.field(
                "party_enterprise_id",
                N_("The party must be one of the violation's enterprises."),
            )
        received = data.get("lead_received_on") or today
        if received > today:
            raise InvalidInput.field("lead_received_on", N_("The date lies in the future."))
        case = Case(
            violation_id=violation.id,
            channel=Channel.ADMINISTRATIVE,
            procedure=data.get("procedure") or Procedure.GENERAL,
            status=ADMINISTRATIVE.initial.value,
            county_code=violation.county_code,
            party_enterprise_id=party_id,
            party_is_organisation=data.get("party_is_organisation", True),
            lead_officer_id=actor.user_id or None,
            title=data.get("title") or violation.summary,
            lead_received_on=received,
            art58_conditions=sorted(data.get("art58_conditions") or []),
            collective_discussion_required=bool(data.get("collective_discussion_required")),
            proposed_penalty_types=[],
            penalty_types=[],
        )
        session.add(case)
        session.flush()
        deadlines.open_deadline(case, "admin.filing_decision", received, today=today)
    return case


def _certified_officers(session: Session, record: InvestigationRecord) -> int:
    on = record.held_at.astimezone(LOCAL).date()
    return sum(
        1
        for u in record.officers
        if u.certificate_number
        and (u.certificate_valid_until is None or u.certificate_valid_until >= on)
    )


def _fines(items: list[Mapping[str, Any]] | None) -> tuple[int | None, dict[str, int]]:
    if not items:
        return None, {}
    total = sum(int(i["amount_cents"]) for i in items)
    return total, dict(Counter(str(i["act"]) for i in items))


def facts_for(
    session: Session,
    case: Case,
    actor: Actor,
    *,
    today: date,
    data: Mapping[str, Any] | None = None,
) -> AdminFacts:
    """The guards' view of a case, with the data of the step being attempted laid over it."""
    data = data or {}
    decision = deadlines.find(case, "admin.decision")
    reply = deadlines.find(case, "admin.statement_defence")
    proposed_types = frozenset(data.get("proposed_penalty_types") or case.proposed_penalty_types)
    proposed_fine = data.get("proposed_fine_cents", case.proposed_fine_cents)
    final_fine, per_act = _fines(data.get("fines"))
    windows = deadlines.remedy_windows(case, today=today)
    reminder = deadlines.find(case, "enforcement.after_demand")
    return AdminFacts(
        today=data.get("on") or today,
        actor_is_bureau_head=Role.BUREAU_HEAD in actor.roles or Role.ADMIN in actor.roles,
        investigation_officer_counts=tuple(_certified_officers(session, r) for r in case.records),
        notice_served=case.notice_served_on is not None,
        rights_waived_in_writing=bool(
            data.get("rights_waived_in_writing", case.rights_waived_in_writing)
        ),
        reply_period_ends=reply.due_on if reply else None,
        defence_received=case.defence_received,
        hearing_eligible=hearing_eligible(
            proposed_types,
            proposed_fine or 0,
            case.party_is_organisation,
            data.get("on") or today,
        ),
        hearing_requested=case.hearing_requested,
        hearing_held_or_waived=case.hearing_held_or_waived,
        art58_conditions=frozenset(data.get("art58_conditions") or case.art58_conditions),
        legal_review_passed=case.legal_review_passed,
        collective_discussion_required=case.collective_discussion_required,
        collective_discussion_done=case.collective_discussion_done,
        party_is_organisation=case.party_is_organisation,
        proposed_penalty_types=proposed_types,
        proposed_fine_cents=proposed_fine,
        penalty_types=frozenset(data.get("penalty_types") or case.penalty_types),
        final_fine_cents=final_fine if final_fine is not None else case.final_fine_cents,
        fines_per_act=per_act,
        has_correction_order=(data.get("correction_ordered_on") or case.correction_ordered_on)
        is not None,
        decision_due=decision.due_on if decision else None,
        overdue_reason=data.get("overdue_reason"),
        reminder_period_ends=reminder.due_on if reminder else None,
        court_application_opens=windows.court_enforcement_opens if windows else None,
        court_application_closes=windows.court_enforcement_closes if windows else None,
    )


def allowed_events(session: Session, actor: Actor, case: Case) -> list[str]:
    """Events this actor may take now (table, guards and permissions)."""
    if case.channel is not Channel.ADMINISTRATIVE:
        return []
    facts = facts_for(session, case, actor, today=local_today())
    return [
        e.value
        for e in ADMINISTRATIVE.allowed_events(AdminStatus(case.status), facts)
        if actor.can(EVENT_PERMISSION.get(e, Permission.WRITE_CASES))
    ]


def _open_stop(case: Case, reason: str, on: date) -> None:
    if any(s.reason == reason and s.end_on is None for s in case.clock_stops):
        return
    case.clock_stops.append(ClockStopRecord(reason=reason, start_on=on))


def _close_stop(case: Case, reason: str, on: date) -> None:
    for s in case.clock_stops:
        if s.reason == reason and s.end_on is None:
            s.end_on = max(on, s.start_on)


def _record_step(
    case: Case, event: AdminEvent, data: Mapping[str, Any], on: date, today: date, facts: AdminFacts
) -> None:
    """What each event changes on the case and its deadlines."""
    if event is _E.FILE:
        case.filed_on = on
        deadlines.meet(case, "admin.filing_decision", on, today=today)
        deadlines.open_deadline(case, "admin.decision", on, today=today)
    elif event is _E.DECLINE_TO_FILE:
        deadlines.meet(case, "admin.filing_decision", on, today=today)
    elif event is _E.NOTIFY:
        case.notice_served_on = on
        case.proposed_penalty_types = sorted(data.get("proposed_penalty_types") or [])
        case.proposed_fine_cents = data.get("proposed_fine_cents")
        case.rights_waived_in_writing = bool(data.get("rights_waived_in_writing"))
        deadlines.open_deadline(case, "admin.statement_defence", on, today=today)
        if facts.hearing_eligible:
            deadlines.open_deadline(case, "admin.hearing_request", on, today=today)
    elif event is _E.RECEIVE_STATEMENT:
        case.defence_received = True
        deadlines.meet(case, "admin.statement_defence", on, today=today)
    elif event is _E.END_REPLY_PERIOD:
        deadlines.meet(case, "admin.statement_defence", on, today=today)
    elif event is _E.REQUEST_HEARING:
        case.hearing_requested = True
        deadlines.meet(case, "admin.hearing_request", on, today=today)
        deadlines.meet(case, "admin.statement_defence", on, today=today)  # heard instead
    elif event in (_E.CONCLUDE_HEARING, _E.WAIVE_HEARING):
        case.hearing_held_or_waived = True
    elif event is _E.PASS_LEGAL_REVIEW:
        case.legal_review_passed = True
    elif event is _E.FAIL_LEGAL_REVIEW:
        case.legal_review_passed = False
    elif event is _E.CONCLUDE_COLLECTIVE_DISCUSSION:
        case.collective_discussion_done = True
    elif event in _DECISIONS or event is _E.PENALISE_ON_THE_SPOT:
        case.decided_on = on
        if event is _E.PENALISE_ON_THE_SPOT:
            deadlines.meet(case, "admin.filing_decision", on, today=today)
        if event in (_E.DECIDE, _E.PENALISE_ON_THE_SPOT):
            case.penalty_types = sorted(data.get("penalty_types") or [])
            case.final_fine_cents = facts.final_fine_cents
            if data.get("correction_ordered_on"):
                case.correction_ordered_on = data["correction_ordered_on"]
        if event in _DECISIONS:
            overdue = decision_overdue(facts)
            case.overdue_reason = data.get("overdue_reason") if overdue else None
            deadlines.meet(
                case, "admin.decision", on, today=today, breach_reason=case.overdue_reason
            )
            if event is _E.DECIDE:  # no-penalty decisions close the case without this step
                deadlines.open_deadline(case, "admin.decision_service", on, today=today)
    elif event is _E.SERVE:
        case.served_on = on
        deadlines.meet(case, "admin.decision_service", on, today=today)
        if case.final_fine_cents:
            deadlines.open_deadline(case, "admin.fine_payment", on, today=today)
    elif event is _E.SEND_REMINDER:
        deadlines.open_deadline(case, "enforcement.after_demand", on, today=today)
    elif event is _E.APPLY_COURT_ENFORCEMENT:
        deadlines.meet(case, "enforcement.after_demand", on, today=today)
        if case.court_code is None:
            # The agency applies to the competent court where it sits (行政强制法 art. 54), the
            # basic court (行诉解释 2018 art. 157 [R]): the family is then before that court.
            case.court_code = organ_code(OrganKind.COURT, case.county_code)
    elif event is _E.RECORD_PERFORMANCE:
        deadlines.meet(case, "admin.fine_payment", on, today=today)
        case.closed_on = on
    elif event is _E.CLOSE or event is _E.CRIMINAL_CASE_CONCLUDED:
        case.closed_on = on
    if event in _ENDINGS:
        deadlines.cancel_open(case, on)
    if event in STOP_OPENED_BY:
        _open_stop(case, STOP_OPENED_BY[event], on)
    if event in STOP_CLOSED_BY:
        _close_stop(case, STOP_CLOSED_BY[event], on)


def apply_event(
    session: Session,
    actor: Actor,
    case_id: int,
    event: AdminEvent,
    data: Mapping[str, Any],
    *,
    expected_version: int,
) -> Case:
    """Take one step of the administrative procedure.

    Raises PermissionDenied, NotFound, StaleVersion, InvalidInput, IllegalTransition and
    GuardFailed (409, naming the allowed events or the rule, its basis and the ways forward).
    """
    # Each step's own permission: officers record, heads approve, and the legal reviewer, who
    # records nothing else, passes or fails the legal review (行政处罚法 art. 58).
    require(actor, EVENT_PERMISSION.get(event, Permission.WRITE_CASES))
    today = local_today()
    on = data.get("on") or today
    if on > today:
        raise InvalidInput.field("on", N_("The date lies in the future."))
    with transaction(session, actor=actor):
        case = case_for_change(session, actor, case_id, expected_version)
        if (
            event in _DECISIONS
            and data.get("overdue_reason")
            and not actor.can(Permission.APPROVE_CASES)
        ):
            raise InvalidInput.field(
                "overdue_reason", N_("Only a bureau head records an overdue decision.")
            )
        step(session, actor, case, event, data, on=on, today=today)
    return case


def step(
    session: Session,
    actor: Actor,
    case: Case,
    event: AdminEvent,
    data: Mapping[str, Any],
    *,
    on: date,
    today: date,
) -> None:
    """Apply one administrative event inside the caller's transaction (also the effect of
    another channel's step, e.g. a criminal referral approved pausing the penalty clock)."""
    deadlines.refresh(case, today=on)
    facts = facts_for(session, case, actor, today=on, data={**data, "on": on})
    if event is _E.DECIDE and not data.get("fines") and "fine" in (data.get("penalty_types") or []):
        raise InvalidInput.field("fines", N_("A fine needs its amount per act."))
    previous = case.status
    target = ADMINISTRATIVE.next_status(AdminStatus(previous), event, facts)
    if event is _E.FILE and case.number is None:
        prefix = case_numbers.prefix_for(session, case.county_code)
        case.number = case_numbers.next_number(session, prefix, on.year)
    _record_step(case, event, data, on, today, facts)
    case.status = target.value
    record_transition(case, actor, previous, event.value, data, on=on)
    deadlines.refresh(case, today=today)


def record_transition(
    case: Case, actor: Actor, previous: str, event: str, data: Mapping[str, Any], *, on: date
) -> None:
    """Append the step to the case's history: from, to, event, the legal date, who, the data."""
    case.transitions.append(
        CaseTransition(
            from_status=previous,
            to_status=case.status,
            event=event,
            on=on,
            actor_id=actor.user_id or None,
            actor_name=actor.username,
            note=data.get("note") or "",
            data={k: plain_json(v) for k, v in data.items() if k not in {"on", "note"}},
        )
    )


def plain_json(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple | set | frozenset):
        return [plain_json(v) for v in value]
    if isinstance(value, dict):
        return {k: plain_json(v) for k, v in value.items()}
    return getattr(value, "value", value)


def add_record(
    session: Session, actor: Actor, case_id: int, data: Mapping[str, Any], *, expected_version: int
) -> InvestigationRecord:
    """Add an investigation record (笔录) with the officers present.

    Raises PermissionDenied, NotFound, StaleVersion, InvalidInput.
    """
    require(actor, Permission.WRITE_CASES)
    with transaction(session, actor=actor):
        case = case_for_change(session, actor, case_id, expected_version)
        officers = []
        for uid in dict.fromkeys(data["officer_ids"]):
            user = session.get(User, uid)
            if user is None:
                raise InvalidInput.field("officer_ids", N_("User {id} does not exist."), id=uid)
            officers.append(user)
        record = InvestigationRecord(
            kind=data["kind"],
            held_at=data["held_at"],
            place=data.get("place", ""),
            summary=data.get("summary", ""),
            officers=officers,
        )
        case.records.append(record)
        session.flush()
        touch(case)
    return record


def touch(case: Case) -> None:
    """Count a change to a case's children (records, stops, documents, payments, measures) as a
    change of the case, so its version moves (optimistic concurrency)."""
    case.updated_at = datetime.now(LOCAL)


def add_clock_stop(
    session: Session, actor: Actor, case_id: int, data: Mapping[str, Any], *, expected_version: int
) -> Case:
    """Record a clock stop (appraisal, public notice, monitoring...). Raises PermissionDenied,
    NotFound, StaleVersion, InvalidInput."""
    require(actor, Permission.WRITE_CASES)
    today = local_today()
    with transaction(session, actor=actor):
        case = case_for_change(session, actor, case_id, expected_version)
        start, end = data["start_on"], data.get("end_on")
        if start > today or (end is not None and (end < start or end > today)):
            raise InvalidInput.field(
                "end_on", N_("The period must lie between the start and today.")
            )
        case.clock_stops.append(
            ClockStopRecord(
                reason=data["reason"], note=data.get("note", ""), start_on=start, end_on=end
            )
        )
        deadlines.refresh(case, today=today)
        touch(case)
    return case


def approve_extension(
    session: Session, actor: Actor, case_id: int, data: Mapping[str, Any], *, expected_version: int
) -> Case:
    """Extend the 90-day decision limit: +30 days by the head, a further ≤30 days only by
    collective discussion, each approved before the running limit (行政处罚法 art. 60;
    生态环境行政处罚办法 2023 art. 57).

    Raises PermissionDenied, NotFound, StaleVersion, InvalidInput, Conflict.
    """
    require(actor, Permission.APPROVE_CASES)
    today = local_today()
    with transaction(session, actor=actor):
        case = case_for_change(session, actor, case_id, expected_version)
        decision = deadlines.find(case, "admin.decision")
        if decision is None or decision.done_on is not None:
            raise Conflict(N_("There is no running decision limit to extend."))
        approved_on = data.get("approved_on") or today
        if approved_on > decision.due_on:
            raise InvalidInput.field(
                "approved_on",
                N_("An extension must be approved before the limit ({due})."),
                due=decision.due_on.isoformat(),
            )
        earlier = [e for e in case.extensions if e.rule_code == "admin.decision"]
        if len(earlier) >= 2:
            raise Conflict(N_("The decision limit was already extended twice."))
        if earlier and not data.get("by_collective_discussion"):
            raise InvalidInput.field(
                "by_collective_discussion",
                N_("A second extension needs a collective discussion of the heads."),
            )
        case.extensions.append(
            Extension(
                rule_code="admin.decision",
                days=data["days"],
                approved_on=approved_on,
                approved_by_id=actor.user_id or None,
                by_collective_discussion=bool(data.get("by_collective_discussion")),
                reason=data["reason"],
            )
        )
        deadlines.refresh(case, today=today)
        touch(case)
    return case


CASE_SORTS = {
    "lead_received_on": Case.lead_received_on,
    "filed_on": Case.filed_on,
    "number": Case.number,
    "status": Case.status,
}


def search_cases(
    session: Session,
    actor: Actor,
    *,
    territory: str | None = None,
    status: str | None = None,
    violation_id: int | None = None,
    number: str | None = None,
    track: str | None = None,
    page: int = 1,
    per_page: int = 20,
    sort: str | None = None,
) -> Page[Case]:
    """Cases within the actor's jurisdiction. Raises PermissionDenied, InvalidInput."""
    require(actor, Permission.READ_CASES)
    stmt = select(Case)
    if actor.organ_scoped:
        stmt = stmt.where(Case.violation_id.in_(organ_violations(actor)))
    elif actor.counties is not None:
        stmt = stmt.where(Case.county_code.in_(sorted(actor.counties)))
    if territory:
        counties = territory_counties(session, territory, field="county")
        if counties is not None:
            stmt = stmt.where(Case.county_code.in_(sorted(counties)))
    if status:
        stmt = stmt.where(Case.status == status)
    if violation_id is not None:
        stmt = stmt.where(Case.violation_id == violation_id)
    if number:
        stmt = stmt.where(Case.number == number)
    if track:
        stmt = stmt.where(Case.track == track)
    stmt = apply_sort(stmt, sort, CASE_SORTS, "-lead_received_on", Case.id)
    audit_list_read(
        session,
        actor,
        "cases",
        f"search:territory={territory},status={status},violation={violation_id},number={number}",
    )
    return paginate(session, stmt, page=page, per_page=per_page)
