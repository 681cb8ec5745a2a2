"""Coercive and special measures of an administrative case (DOMAIN.md §1.4, §1.6 rules 1, 9, 10).

Each measure's legal periods are rows of the case's deadline table, opened and met through
``casemgr.services.deadlines`` under the rule codes of ``casemgr.legalclock.RULES``. A rule code
is unique per case (``Deadline``: UniqueConstraint(case_id, rule_code)), so a case holds at most
one running measure of each group at a time: one seizure in force, one production limit or
suspension in force, one daily penalty awaiting its re-check, one detention transfer. A later
measure of the same group restarts the group's deadline rows; the earlier measure keeps its own
dates on its row.

An extension opens the rule's ``*.extension`` period from the end of the first one and meets
the first; the clock tracks the legal maximum (30 days, 3 months), since ending earlier is a
release.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from casemgr.db import transaction
from casemgr.exceptions import Conflict, GuardFailed, InvalidInput, NotFound
from casemgr.i18n import N_
from casemgr.legalbasis import Citation, Law
from casemgr.legalclock import daily_penalty_total
from casemgr.models import AuditAction, User
from casemgr.models.audit import write_entry
from casemgr.models.cases import Case
from casemgr.models.penalties import CoerciveMeasure, MeasureKind, MeasureStatus, MeasureStep
from casemgr.policy import Actor, Permission
from casemgr.services import deadlines
from casemgr.services.access import require
from casemgr.services.cases import case_for_change, touch, visible_case
from casemgr.services.localtime import local_today

__all__ = [
    "decide_measure",
    "extend_measure",
    "list_measures",
    "record_recheck",
    "record_step",
    "release_measure",
]

_K = MeasureKind
_S = MeasureStatus

DEFAULT_BASIS: Mapping[MeasureKind, str] = {
    _K.SEIZURE: "环境保护法 art. 25; 行政强制法 arts. 18, 24, 25; MEP Order 29",
    _K.PRODUCTION_LIMIT: "环境保护法 art. 60; MEP Order 30 arts. 5, 15",
    _K.SUSPENSION: "环境保护法 art. 60; MEP Order 30 arts. 6, 15",
    _K.DAILY_PENALTY: "环境保护法 art. 59; MEP Order 28 arts. 5, 10, 17, 19",
    _K.DETENTION_TRANSFER: "环境保护法 art. 63; 行政主管部门移送适用行政拘留环境违法案件暂行办法",
}

# (first period, its one extension): 行政强制法 art. 25 and MEP Order 29 art. 15 (30 + 30 days,
# head's approval); MEP Order 30 art. 15 (限制生产 3 + 3 months, head's approval). 停产整治 runs
# until released (Order 30 art. 15 ¶2) and has no limit.
LIMIT_RULES: Mapping[MeasureKind, tuple[str, str]] = {
    _K.SEIZURE: ("seizure.duration", "seizure.extension"),
    _K.PRODUCTION_LIMIT: ("production_limit.duration", "production_limit.extension"),
}

# Measures that share deadline rows: only one of a group may run at a time (see module doc).
_GROUP: Mapping[MeasureKind, frozenset[MeasureKind]] = {
    _K.SEIZURE: frozenset({_K.SEIZURE}),
    _K.PRODUCTION_LIMIT: frozenset({_K.PRODUCTION_LIMIT, _K.SUSPENSION}),
    _K.SUSPENSION: frozenset({_K.PRODUCTION_LIMIT, _K.SUSPENSION}),
    _K.DAILY_PENALTY: frozenset({_K.DAILY_PENALTY}),
    _K.DETENTION_TRANSFER: frozenset({_K.DETENTION_TRANSFER}),
}
_RUNNING = frozenset({_S.IN_FORCE, _S.AWAITING_RECHECK, _S.TRANSFERRED})

# Releasing a seizure is the head's decision (MEP Order 29 arts. 19-21); a production limit or
# suspension is released by the filing of the party's completion report (Order 30 art. 17),
# which an officer records.
RELEASE_PERMISSION: Mapping[MeasureKind, Permission] = {
    _K.SEIZURE: Permission.APPROVE_CASES,
    _K.PRODUCTION_LIMIT: Permission.WRITE_CASES,
    _K.SUSPENSION: Permission.WRITE_CASES,
}

_MISSING = N_("Missing data for required field.")
_FUTURE = N_("The date lies in the future.")


def _need(data: Mapping[str, Any], field: str) -> Any:
    value = data.get(field)
    if value is None or value == "" or value == []:
        raise InvalidInput.field(field, _MISSING)
    return value


def _date(data: Mapping[str, Any], field: str, today: date, *, default: date | None = None) -> date:
    value: date | None = data.get(field) or default
    if value is None:
        raise InvalidInput.field(field, _MISSING)
    if value > today:
        raise InvalidInput.field(field, _FUTURE)
    return value


def _not_before(field: str, value: date, earlier: date) -> None:
    if value < earlier:
        raise InvalidInput.field(
            field, N_("The date cannot precede {earlier}."), earlier=earlier.isoformat()
        )


def _measure(session: Session, case: Case, measure_id: int) -> CoerciveMeasure:
    measure = session.get(CoerciveMeasure, measure_id)
    if measure is None or measure.case_id != case.id:
        raise NotFound(kind="Measure", key=measure_id)
    return measure


def _measures(session: Session, case: Case) -> list[CoerciveMeasure]:
    return list(
        session.scalars(
            select(CoerciveMeasure)
            .where(CoerciveMeasure.case_id == case.id)
            .order_by(CoerciveMeasure.id)
        )
    )


def list_measures(session: Session, actor: Actor, case_id: int) -> list[CoerciveMeasure]:
    """The measures of a case, oldest first. A prosecutor's or judge's read is audited.

    Raises PermissionDenied, NotFound.
    """
    require(actor, Permission.READ_CASES)
    if actor.read_audited:
        with transaction(session, actor=actor):
            case = visible_case(session, actor, case_id)
            write_entry(
                session, action=AuditAction.READ, table_name="cases", record_key=str(case.id)
            )
    return _measures(session, visible_case(session, actor, case_id))


def _sync_end(case: Case, measure: CoerciveMeasure) -> None:
    rules = LIMIT_RULES.get(measure.kind)
    if rules is None:
        return
    row = deadlines.find(case, rules[1] if measure.extended else rules[0])
    measure.end_on = row.due_on if row is not None else None


def _certified_on(users: list[User], on: date) -> int:
    return sum(
        1
        for u in users
        if u.certificate_number
        and (u.certificate_valid_until is None or u.certificate_valid_until >= on)
    )


def _officers(session: Session, ids: list[int], on: date) -> list[User]:
    """Two or more officers with enforcement certificates valid on the day (行政强制法 art. 18
    (2); MEP Order 29 art. 12 (1)), as for investigation records (行政处罚法 art. 42)."""
    users = []
    for uid in dict.fromkeys(ids):
        user = session.get(User, uid)
        if user is None:
            raise InvalidInput.field("officer_ids", N_("User {id} does not exist."), id=uid)
        users.append(user)
    if _certified_on(users, on) < 2:
        raise GuardFailed(
            rule="two_officers",
            rule_title=N_("Two or more certified officers"),  # 两名以上持证执法人员
            basis=(
                Citation(Law.ADMIN_COERCION_LAW, "18", note=N_("item 2")),
                Citation(Law.MEP_ORDER_29, "12", note=N_("item 1")),
            ),
            reason=N_(
                "A seizure must be carried out by at least two officers holding enforcement "
                "certificates valid on the day."
            ),
            ways_forward=(
                N_("Name every officer present at the seizure."),
                N_(
                    "Check that each officer's enforcement certificate was valid on the "
                    "record date."
                ),
            ),
        )
    return users


def _refuse_running(session: Session, case: Case, kind: MeasureKind) -> None:
    group = _GROUP[kind]
    if kind is _K.DETENTION_TRANSFER:
        running = [m for m in _measures(session, case) if m.kind in group]
    else:
        running = [m for m in _measures(session, case) if m.kind in group and m.status in _RUNNING]
    if running:
        raise Conflict(
            N_(
                "Measure {id} of this kind is still running on the case; release or complete it "
                "first (no facility is sealed up twice, MEP Order 29 art. 5)."
            ),
            id=running[0].id,
        )


def _original_fine(case: Case) -> int:
    if case.decided_on is None or not case.final_fine_cents:
        raise GuardFailed(
            rule="original_decision",
            rule_title=N_("Original penalty decision"),  # 原处罚决定
            basis=(Citation(Law.ENV_PROTECTION_LAW, "59"), Citation(Law.MEP_ORDER_28, "5, 7")),
            reason=N_(
                "A daily penalty needs an original penalty decision with a fine on the case."
            ),
            ways_forward=(N_("Decide the original penalty, with its fine, first."),),
        )
    return case.final_fine_cents


def _check(
    session: Session, case: Case, measure: CoerciveMeasure, data: Mapping[str, Any], today: date
) -> None:
    """The kind-specific facts of a new measure, checked and set on it."""
    kind, decided = measure.kind, measure.decided_on
    if kind is _K.SEIZURE:
        start = _date(data, "start_on", today, default=decided)
        # Emergency: act first, approval within 24 hours (行政强制法 art. 19; Order 29 art. 13).
        _not_before("start_on", start, decided - timedelta(days=1))
        measure.items = str(_need(data, "items"))
        measure.officers = _officers(session, list(_need(data, "officer_ids")), start)
        measure.start_on = measure.served_on = start  # served on the spot, Order 29 art. 14
    elif kind in (_K.PRODUCTION_LIMIT, _K.SUSPENSION):
        served = _date(data, "served_on", today)
        _not_before("served_on", served, decided)
        measure.served_on = measure.start_on = served  # Order 30 art. 15 ¶2
    elif kind is _K.DAILY_PENALTY:
        measure.original_fine_cents = _original_fine(case)
        served = _date(data, "correction_order_served_on", today)
        _not_before("correction_order_served_on", served, decided)
        measure.correction_order_served_on = measure.start_on = served
    else:
        sent = _date(data, "served_on", today)
        _not_before("served_on", sent, decided)
        measure.served_on = sent


def _open_deadlines(case: Case, measure: CoerciveMeasure, today: date) -> None:
    kind, decided = measure.kind, measure.decided_on
    start = measure.start_on or decided
    if kind is _K.SEIZURE:
        deadlines.open_deadline(case, "seizure.duration", start, today=today)
    elif kind in (_K.PRODUCTION_LIMIT, _K.SUSPENSION):
        # Decision served within 7 working days (Order 30 art. 14); plan within 15 (art. 16).
        deadlines.open_deadline(case, "production_limit.decision_service", decided, today=today)
        deadlines.meet(case, "production_limit.decision_service", start, today=today)
        deadlines.open_deadline(case, "production_limit.rectification_plan", start, today=today)
        if kind is _K.PRODUCTION_LIMIT:
            deadlines.open_deadline(case, "production_limit.duration", start, today=today)
    elif kind is _K.DAILY_PENALTY:
        row = deadlines.open_deadline(case, "daily_penalty.recheck", start, today=today)
        measure.end_on = row.due_on  # the re-check limit, Order 28 art. 10
    else:  # the file goes to the police within 3 working days (暂行办法 arts. 12, 19)
        deadlines.open_deadline(case, "detention.transfer", decided, today=today)
        deadlines.meet(case, "detention.transfer", measure.served_on or decided, today=today)


_INITIAL_STATUS = {
    _K.SEIZURE: _S.IN_FORCE,
    _K.PRODUCTION_LIMIT: _S.IN_FORCE,
    _K.SUSPENSION: _S.IN_FORCE,
    _K.DAILY_PENALTY: _S.AWAITING_RECHECK,
    _K.DETENTION_TRANSFER: _S.TRANSFERRED,
}


def decide_measure(
    session: Session, actor: Actor, case_id: int, data: Mapping[str, Any], *, expected_version: int
) -> CoerciveMeasure:
    """Record a measure decided by the head (MEP Order 29 art. 10, Order 30 art. 10; a daily
    penalty starts with its served correction order, Order 28 art. 8) and open its deadlines.

    Raises PermissionDenied, NotFound, StaleVersion, InvalidInput, Conflict, GuardFailed (a
    seizure without two certified officers; a daily penalty without an original fine).
    """
    require(actor, Permission.APPROVE_CASES)
    today = local_today()
    kind = MeasureKind(data["kind"])
    decided = _date(data, "decided_on", today)
    with transaction(session, actor=actor):
        case = case_for_change(session, actor, case_id, expected_version)
        measure = CoerciveMeasure(
            case_id=case.id,
            kind=kind,
            status=_INITIAL_STATUS[kind],
            decided_on=decided,
            decided_by_id=actor.user_id or None,
            basis=data.get("basis") or DEFAULT_BASIS[kind],
            note=data.get("note") or "",
            extended=False,
        )
        _check(session, case, measure, data, today)
        _refuse_running(session, case, kind)
        _open_deadlines(case, measure, today)
        session.add(measure)
        _sync_end(case, measure)
        touch(case)
        session.flush()
    return measure


def extend_measure(
    session: Session,
    actor: Actor,
    case_id: int,
    measure_id: int,
    data: Mapping[str, Any],
    *,
    expected_version: int,
) -> CoerciveMeasure:
    """Extend a seizure (≤30 days) or a production limit (≤3 months) once, with the head's
    approval given before the first period ends (行政强制法 art. 25; MEP Order 29 art. 15;
    Order 30 art. 15).

    Raises PermissionDenied, NotFound, StaleVersion, InvalidInput, Conflict.
    """
    require(actor, Permission.APPROVE_CASES)
    today = local_today()
    approved = _date(data, "approved_on", today, default=today)
    with transaction(session, actor=actor):
        case = case_for_change(session, actor, case_id, expected_version)
        measure = _measure(session, case, measure_id)
        rules = LIMIT_RULES.get(measure.kind)
        if rules is None:
            raise Conflict(N_("Only a seizure or a production limit can be extended."))
        if measure.status is not _S.IN_FORCE:
            raise Conflict(N_("The measure is no longer in force."))
        if measure.extended:
            raise Conflict(N_("The measure was already extended; the law allows one extension."))
        first = deadlines.find(case, rules[0])
        if first is None:  # pragma: no cover - opened with the measure
            raise Conflict(N_("The measure is no longer in force."))
        if approved > first.due_on:
            raise InvalidInput.field(
                "approved_on",
                N_("An extension must be approved before the measure ends ({due})."),
                due=first.due_on.isoformat(),
            )
        _not_before("approved_on", approved, measure.start_on or measure.decided_on)
        first_end = first.due_on
        deadlines.meet(case, rules[0], approved, today=today)
        deadlines.open_deadline(case, rules[1], first_end, today=today)
        measure.extended = True
        measure.extension_approved_on = approved
        measure.extension_approved_by_id = actor.user_id or None
        measure.extension_reason = str(data.get("reason") or "")
        _sync_end(case, measure)
        touch(case)
    return measure


def release_measure(
    session: Session,
    actor: Actor,
    case_id: int,
    measure_id: int,
    data: Mapping[str, Any],
    *,
    expected_version: int,
) -> CoerciveMeasure:
    """Release a seizure, production limit or suspension; a release after the limit stays
    visible as a missed deadline. Releasing a production limit or suspension opens the 30-day
    follow-up inspection (MEP Order 30 art. 20).

    Raises PermissionDenied, NotFound, StaleVersion, InvalidInput, Conflict.
    """
    require(actor, Permission.WRITE_CASES)
    today = local_today()
    released = _date(data, "released_on", today, default=today)
    with transaction(session, actor=actor):
        case = case_for_change(session, actor, case_id, expected_version)
        measure = _measure(session, case, measure_id)
        if measure.kind not in RELEASE_PERMISSION:
            raise Conflict(N_("Only a seizure, a production limit or a suspension is released."))
        require(actor, RELEASE_PERMISSION[measure.kind])
        if measure.status is not _S.IN_FORCE:
            raise Conflict(N_("The measure is no longer in force."))
        _not_before("released_on", released, measure.start_on or measure.decided_on)
        rules = LIMIT_RULES.get(measure.kind)
        if rules is not None:
            deadlines.meet(case, rules[1] if measure.extended else rules[0], released, today=today)
        if measure.kind in (_K.PRODUCTION_LIMIT, _K.SUSPENSION):
            deadlines.open_deadline(case, "production_limit.follow_up", released, today=today)
        measure.status = _S.RELEASED
        measure.released_on = released
        if data.get("note"):
            measure.note = "\n".join(s for s in (measure.note, str(data["note"])) if s)
        _sync_end(case, measure)
        touch(case)
    return measure


def record_recheck(
    session: Session,
    actor: Actor,
    case_id: int,
    measure_id: int,
    data: Mapping[str, Any],
    *,
    expected_version: int,
) -> CoerciveMeasure:
    """Record the covert re-check of a daily penalty, due within 30 days of serving the
    correction order (MEP Order 28 art. 10). If the violation continues (拒不改正, art. 13), the
    penalty is the original fine × the days from the day after service to the re-check
    (arts. 17, 19; ``legalclock.daily_penalty_total``); otherwise none is imposed (art. 12 ¶2).

    Raises PermissionDenied, NotFound, StaleVersion, InvalidInput, Conflict.
    """
    require(actor, Permission.WRITE_CASES)
    today = local_today()
    on = _date(data, "recheck_on", today)
    found = bool(data["found_violation"])
    with transaction(session, actor=actor):
        case = case_for_change(session, actor, case_id, expected_version)
        measure = _measure(session, case, measure_id)
        if measure.kind is not _K.DAILY_PENALTY:
            raise Conflict(N_("Only a daily penalty has a re-check."))
        if measure.status is not _S.AWAITING_RECHECK:
            raise Conflict(N_("The re-check of this daily penalty is already recorded."))
        served = measure.correction_order_served_on
        if served is None or on <= served:
            raise InvalidInput.field(
                "recheck_on",
                N_("The re-check must come after the day the correction order was served."),
            )
        window = deadlines.find(case, "daily_penalty.recheck")
        if window is not None and on > window.due_on:
            raise InvalidInput.field(
                "recheck_on",
                N_(
                    "The re-check must take place within 30 days of serving the correction order "
                    "(by {due})."
                ),
                due=window.due_on.isoformat(),
            )
        deadlines.meet(case, "daily_penalty.recheck", on, today=today)
        measure.recheck_on = on
        measure.recheck_found_violation = found
        if found:
            measure.total_cents = daily_penalty_total(measure.original_fine_cents or 0, served, on)
            measure.status = _S.IMPOSED
        else:
            measure.total_cents = 0
            measure.status = _S.NOT_IMPOSED
        if data.get("note"):
            measure.note = "\n".join(s for s in (measure.note, str(data["note"])) if s)
        touch(case)
    return measure


def record_step(
    session: Session,
    actor: Actor,
    case_id: int,
    measure_id: int,
    data: Mapping[str, Any],
    *,
    expected_version: int,
) -> CoerciveMeasure:
    """Record the party's rectification plan (filed within 15 working days of receipt, MEP
    Order 30 art. 16) or the follow-up inspection after release (within 30 days, art. 20).

    Raises PermissionDenied, NotFound, StaleVersion, InvalidInput, Conflict.
    """
    require(actor, Permission.WRITE_CASES)
    today = local_today()
    step = MeasureStep(data["step"])
    on = _date(data, "on", today, default=today)
    with transaction(session, actor=actor):
        case = case_for_change(session, actor, case_id, expected_version)
        measure = _measure(session, case, measure_id)
        if measure.kind not in (_K.PRODUCTION_LIMIT, _K.SUSPENSION):
            raise Conflict(N_("Only a production limit or a suspension has these steps."))
        if step is MeasureStep.RECTIFICATION_PLAN_FILED:
            if measure.rectification_plan_filed_on is not None:
                raise Conflict(N_("This step is already recorded."))
            _not_before("on", on, measure.served_on or measure.decided_on)
            measure.rectification_plan_filed_on = on
            deadlines.meet(case, "production_limit.rectification_plan", on, today=today)
        else:
            if measure.released_on is None:
                raise Conflict(N_("The follow-up inspection comes after the release."))
            if measure.follow_up_on is not None:
                raise Conflict(N_("This step is already recorded."))
            _not_before("on", on, measure.released_on)
            measure.follow_up_on = on
            deadlines.meet(case, "production_limit.follow_up", on, today=today)
        touch(case)
    return measure
