"""Deadlines of cases on the legal clock: opening, meeting, refreshing, the deadline board."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from casemgr.db import transaction
from casemgr.legalbasis import basis_text
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
from casemgr.services.access import audit_list_read, organ_cases, require
from casemgr.services.calendars import calendar_for
from casemgr.services.localtime import LOCAL

# Which clock stops pause which rule. The decision limit excludes suspension, hearing, public
# notice, monitoring/testing, assessment, appraisal, 认定 and service time (生态环境行政处罚办法
# 2023 art. 57) and a pending criminal transfer (衔接办法 2017 art. 16); a seal-up excludes
# testing and appraisal time only (行政强制法 art. 25 ¶3). Rules not listed take every stop.
STOP_REASONS_BY_RULE: dict[str, frozenset[str]] = {
    "admin.decision": frozenset(
        {
            "hearing",
            "suspended",
            "criminal_transfer",
            "appraisal",
            "monitoring",
            "assessment",
            "public_notice",
            "identification",
            "service",
        }
    ),
    "seizure.duration": frozenset({"appraisal", "monitoring"}),
}


def _stops(case: Case, rule_code: str) -> list[ClockStop]:
    wanted = STOP_REASONS_BY_RULE.get(rule_code)
    return [
        ClockStop(s.start_on, s.end_on, s.reason)
        for s in case.clock_stops
        if wanted is None or s.reason in wanted
    ]


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
    rule = RULES[rule_code]
    start: date = start_on
    if rule.unit is Unit.HOUR and not isinstance(start_on, datetime):
        # Only the day of the starting act is recorded: count the hours from its first moment
        # [A], so a 24-hour period started on day D ends as day D+1 begins (the due day D+1).
        start = datetime.combine(start_on, time.min, tzinfo=LOCAL)
    return compute_due(
        rule,
        start,
        calendar=calendar or calendar_for(_session_of(case)),
        stops=_stops(case, rule_code),
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
    # The canonical English title and basis; pages render the rule's own in the reader's
    # language and show these only for a code the legal clock no longer knows.
    d.title, d.basis, d.start_event = rule.title, basis_text(rule.basis), rule.start_event
    d.start_on, d.done_on, d.breach_reason = start_on, None, None
    d.officer_id = case.lead_officer_id
    _set(d, due, today=today)
    if d not in case.deadlines:
        case.deadlines.append(d)
    return d


# The party's windows (陈述申辩, 听证申请): the agency waits them out, guarded by the lifecycle;
# closing one early (the party replied) or late (the agency moved on later) is no breach.
PARTY_WINDOWS = frozenset(
    {
        "admin.statement_defence",
        "admin.hearing_request",
        # Remedies the agency may take or leave (移送规定 2020 art. 9; 衔接办法 2017 arts. 11-12).
        "criminal.reconsideration_request",
        "criminal.supervision_request",
    }
)


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
    if d.state is DeadlineStateValue.CANCELLED:
        return d.state
    if d.rule_code in PARTY_WINDOWS and (d.done_on is not None or today > due.due_date):
        return DeadlineStateValue.MET  # the window closed; nobody breached anything
    return DeadlineStateValue(deadline_state(due, done_on=d.done_on, today=today).value)


def cancel(case: Case, rule_code: str, on: date) -> None:
    """Close one running deadline the procedure made moot (an appeal ends the wait for
    finality): cancelled, neither met nor missed."""
    d = find(case, rule_code)
    if d is not None and d.done_on is None and d.state is not DeadlineStateValue.MISSED:
        d.state = DeadlineStateValue.CANCELLED
        d.done_on = on


def cancel_open(case: Case, on: date) -> None:
    """Close the deadlines the procedure no longer needs (it ended another way)."""
    for d in case.deadlines:
        # A deadline already missed stays missed: ending the case does not undo a breach.
        if d.done_on is None and d.state in (DeadlineStateValue.OPEN, DeadlineStateValue.PAUSED):
            d.state = DeadlineStateValue.CANCELLED
            d.done_on = on


def refresh(case: Case, *, today: date) -> None:
    """Recompute every deadline of a case (after a clock stop, an extension, or a new day)."""
    for d in case.deadlines:
        _recompute(case, d, today=today)


@dataclass(frozen=True)
class RemedyWindows:
    """The party's remedies and the agency's court-enforcement window, from service.

    ``court_enforcement_opens`` is the first day after the 6-month suit period (a waiting
    period: the application is lawful only after it, 行诉解释 2018 art. 156).
    """

    reconsideration_until: date  # 60 days, 行政复议法 2023 art. 20
    direct_suit_until: date  # 6 months, 行政诉讼法 art. 46
    court_enforcement_opens: date  # 行政强制法 art. 53; 行诉解释 2018 art. 156
    court_enforcement_closes: date  # 3 months after the suit period expires
    provisional: bool  # a date depends on a year whose holiday schedule is not loaded


def remedy_windows(case: Case, *, today: date) -> RemedyWindows | None:
    """The party's remedy windows and the court-enforcement window of a served decision."""
    served = case.served_on
    if served is None:
        return None
    recon = compute(case, "remedy.reconsideration", served, today=today)
    suit = compute(case, "remedy.direct_suit", served, today=today)
    opens = compute(case, "enforcement.window_opens", served, today=today)
    closes = compute(case, "enforcement.window_closes", opens.due_date, today=today)
    return RemedyWindows(
        reconsideration_until=recon.due_date,
        direct_suit_until=suit.due_date,
        court_enforcement_opens=opens.due_date + timedelta(days=1),
        court_enforcement_closes=closes.due_date,
        provisional=any(d.provisional for d in (recon, suit, opens, closes)),
    )


@dataclass(frozen=True)
class BoardFilter:
    counties: Collection[str] | None = None
    officer_id: int | None = None
    channel: str | None = None
    rule_code: str | None = None
    states: Collection[DeadlineStateValue] = (DeadlineStateValue.OPEN, DeadlineStateValue.MISSED)
    due_before: date | None = None
    due_after: date | None = None  # due on or after this day
    undone: bool = False  # only deadlines not yet done (overdue = missed and still undone)


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
    if f.due_after is not None:
        stmt = stmt.where(Deadline.due_on >= f.due_after)
    if f.undone:
        stmt = stmt.where(Deadline.done_on.is_(None))
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
    if actor.organ_scoped:
        # A prosecutor's or judge's board: the deadlines of the cases before their own organ.
        stmt = board_query(f, scope=None).where(Deadline.case_id.in_(organ_cases(actor)))
    else:
        stmt = board_query(f, scope=actor.counties)
    stmt = apply_sort(stmt, sort, BOARD_SORTS, "due_on", Deadline.id)
    states = "|".join(sorted(DeadlineStateValue(s).value for s in f.states))
    audit_list_read(session, actor, "deadlines", f"board:{f.channel},{f.rule_code},{states}")
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
