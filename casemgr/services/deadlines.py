"""Deadlines of cases on the legal clock: opening, meeting, refreshing, the deadline board."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from casemgr.db import transaction
from casemgr.legalclock import (
    RULES,
    ClockStop,
    HolidayCalendar,
    Unit,
    compute_due,
    deadline_state,
)
from casemgr.models.cases import Case, Deadline, DeadlineStateValue
from casemgr.policy import Actor, Permission
from casemgr.repositories.common import Page, apply_sort, paginate
from casemgr.services.access import require
from casemgr.services.calendars import calendar_for


def _stops(case: Case) -> list[ClockStop]:
    return [ClockStop(s.start_on, s.end_on, s.reason) for s in case.clock_stops]


def _extensions(case: Case, rule_code: str) -> list[tuple[int, Unit]]:
    return [(e.days, Unit.CALENDAR_DAY) for e in case.extensions if e.rule_code == rule_code]


def compute(
    case: Case,
    rule_code: str,
    start_on: date,
    *,
    today: date,
    calendar: HolidayCalendar | None = None,
) -> Any:
    """The legal clock's ``Due`` for one rule of a case (its stops and extensions applied)."""
    return compute_due(
        RULES[rule_code],
        start_on,
        calendar=calendar or calendar_for(_session_of(case)),
        stops=_stops(case),
        extensions=_extensions(case, rule_code),
        today=today,
    )


def _session_of(case: Case) -> Session:
    session = Session.object_session(case)
    if session is None:
        raise RuntimeError("a case's deadlines are computed while it belongs to a session")
    return session


def find(case: Case, rule_code: str) -> Deadline | None:
    return next((d for d in case.deadlines if d.rule_code == rule_code), None)


def open_deadline(case: Case, rule_code: str, start_on: date, *, today: date) -> Deadline:
    """Start (or restart) the clock of ``rule_code`` on a case."""
    rule = RULES[rule_code]
    due = compute(case, rule_code, start_on, today=today)  # before any new row can autoflush
    d = find(case, rule_code)
    if d is None:
        d = Deadline(rule_code=rule_code, county_code=case.county_code, channel=case.channel.value)
    d.title, d.basis, d.start_event = rule.title, rule.basis, rule.start_event
    d.start_on, d.done_on, d.breach_reason = start_on, None, None
    d.officer_id = case.lead_officer_id
    _set(d, due, today=today)
    if d not in case.deadlines:
        case.deadlines.append(d)
    return d


# The party's windows (陈述申辩, 听证申请): the agency waits them out, guarded by the lifecycle;
# closing one early (the party replied) or late (the agency moved on later) is no breach.
PARTY_WINDOWS = frozenset({"admin.statement_defence", "admin.hearing_request"})


def meet(
    case: Case, rule_code: str, on: date, *, today: date, breach_reason: str | None = None
) -> Deadline | None:
    """Mark a deadline done on ``on``; done late, it stays visible as missed (with the reason)."""
    d = find(case, rule_code)
    if d is None or d.done_on is not None:
        return d
    d.done_on = on
    d.breach_reason = breach_reason
    _recompute(case, d, today=today)
    return d


def _recompute(case: Case, d: Deadline, *, today: date) -> None:
    _set(d, compute(case, d.rule_code, d.start_on, today=today), today=today)


def _set(d: Deadline, due: Any, *, today: date) -> None:
    d.due_on = due.due_date
    d.paused_days = due.paused_days
    d.provisional = due.provisional
    d.state = _state(d, due, today=today)


def _state(d: Deadline, due: Any, *, today: date) -> DeadlineStateValue:
    if d.rule_code in PARTY_WINDOWS and d.done_on is not None:
        return DeadlineStateValue.MET
    return DeadlineStateValue(deadline_state(due, done_on=d.done_on, today=today).value)


def refresh(case: Case, *, today: date) -> None:
    """Recompute every deadline of a case (after a clock stop, an extension, or a new day)."""
    for d in case.deadlines:
        _recompute(case, d, today=today)


@dataclass(frozen=True)
class BoardFilter:
    counties: Collection[str] | None = None
    officer_id: int | None = None
    channel: str | None = None
    rule_code: str | None = None
    states: Collection[DeadlineStateValue] = (DeadlineStateValue.OPEN, DeadlineStateValue.MISSED)
    due_before: date | None = None


BOARD_SORTS = {
    "due_on": Deadline.due_on,
    "county_code": Deadline.county_code,
    "rule_code": Deadline.rule_code,
}


def board_query(f: BoardFilter, *, scope: Collection[str] | None) -> Select[Any]:
    stmt = select(Deadline)
    if scope is not None:
        stmt = stmt.where(Deadline.county_code.in_(sorted(scope)))
    if f.counties is not None:
        stmt = stmt.where(Deadline.county_code.in_(sorted(f.counties)))
    if f.officer_id is not None:
        stmt = stmt.where(Deadline.officer_id == f.officer_id)
    if f.channel:
        stmt = stmt.where(Deadline.channel == f.channel)
    if f.rule_code:
        stmt = stmt.where(Deadline.rule_code == f.rule_code)
    if f.states:
        stmt = stmt.where(Deadline.state.in_(list(f.states)))
    if f.due_before is not None:
        stmt = stmt.where(Deadline.due_on <= f.due_before)
    return stmt


def board(
    session: Session,
    actor: Actor,
    f: BoardFilter,
    *,
    page: int = 1,
    per_page: int = 50,
    sort: str | None = None,
) -> Page[Deadline]:
    """The deadline board across cases within the actor's jurisdiction.

    Raises PermissionDenied, InvalidInput (unknown sort field).
    """
    require(actor, Permission.READ_CASES)
    stmt = apply_sort(
        board_query(f, scope=actor.counties), sort, BOARD_SORTS, "due_on", Deadline.id
    )
    return paginate(session, stmt, page=page, per_page=per_page)


def refresh_open_deadlines(session: Session, *, today: date) -> int:
    """Move deadlines whose day has passed from open to missed (the daily job)."""
    n = 0
    with transaction(session):
        for d in session.scalars(
            select(Deadline).where(
                Deadline.state == DeadlineStateValue.OPEN, Deadline.due_on < today
            )
        ):
            _recompute(d.case, d, today=today)
            n += 1
    return n
