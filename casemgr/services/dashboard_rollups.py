"""Dashboard rollups (统计看板汇总): the dashboard's counts and sums per county and month.

:func:`refresh` rebuilds the three rollup tables of :mod:`casemgr.models.dashboards` from the
cases, payments and deadlines in one unit of work (the scheduled job ``refresh_dashboards``,
every few minutes; ``casemgr dashboards refresh`` by hand). The conditions of what counts are
defined here once (:func:`assessed`, :func:`collected`, :func:`undone`) and used both by the
rebuild and by the dashboard's own queries over the tables, so the two never disagree.

:func:`split` cuts a date range into whole months, read from the rollups, and the days of a
partial month at either end, read from the tables: a range stays exact to the day.
"""

from __future__ import annotations

import time
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Date, cast, delete, func, insert, literal_column, select
from sqlalchemy.orm import Session

from casemgr.db import transaction, utcnow
from casemgr.models.cases import Case, Channel, Deadline, DeadlineStateValue
from casemgr.models.dashboards import (
    DashboardCaseCount,
    DashboardMoney,
    DashboardOverdue,
    DashboardRefresh,
)
from casemgr.models.penalties import Payment, PaymentKind
from casemgr.services.ledger import _VOID as VOID_STATUSES

__all__ = [
    "NAME",
    "Months",
    "assessed",
    "collected",
    "month_of",
    "refresh",
    "refreshed_at",
    "in_counties",
    "split",
    "undone",
]

NAME = "dashboards"


def month_of(column: Any, dialect: str) -> Any:
    """The first day of the month of a date column, as a date (literals, not parameters:
    PostgreSQL matches a grouped expression by its text)."""
    if dialect == "postgresql":
        return cast(func.date_trunc(literal_column("'month'"), column), Date)
    return func.date(column, literal_column("'start of month'"))


def assessed() -> list[Any]:
    """Cases whose decision assessed a fine (行政处罚法 art. 9 (2)): administrative, decided,
    a final fine, not withdrawn or revoked; counted on the day of the decision."""
    return [
        Case.channel == Channel.ADMINISTRATIVE,
        Case.decided_on.is_not(None),
        Case.final_fine_cents > 0,
        Case.status.not_in(VOID_STATUSES),
    ]


def collected() -> list[Any]:
    """Payments of a fine (行政处罚法 art. 67), counted on the day received."""
    return [Payment.kind == PaymentKind.FINE]


def undone() -> list[Any]:
    """Deadlines running or missed and not done: overdue once their last day has passed."""
    return [
        Deadline.state.in_([DeadlineStateValue.OPEN, DeadlineStateValue.MISSED]),
        Deadline.done_on.is_(None),
    ]


@dataclass(frozen=True)
class RefreshReport:
    case_rows: int
    money_rows: int
    overdue_rows: int
    seconds: float


def refresh(session: Session) -> RefreshReport:
    """Rebuild the rollups from the tables, all three in one unit of work (readers see the
    old ones until it commits)."""
    started = time.monotonic()
    dialect = session.get_bind().dialect.name
    with transaction(session):
        for table in (DashboardCaseCount, DashboardMoney, DashboardOverdue):
            session.execute(delete(table))
        lead = month_of(Case.lead_received_on, dialect)
        cases = select(
            Case.county_code, Case.channel, Case.track, Case.status, lead, func.count()
        ).group_by(Case.county_code, Case.channel, Case.track, Case.status, lead)
        session.execute(
            insert(DashboardCaseCount).from_select(
                ["county_code", "channel", "track", "status", "month", "n"], cases
            )
        )
        due = month_of(Deadline.due_on, dialect)
        overdue = (
            select(Deadline.county_code, Deadline.channel, Deadline.rule_code, due, func.count())
            .where(*undone())
            .group_by(Deadline.county_code, Deadline.channel, Deadline.rule_code, due)
        )
        session.execute(
            insert(DashboardOverdue).from_select(
                ["county_code", "channel", "rule_code", "month", "n"], overdue
            )
        )
        money: dict[tuple[str, date], list[int]] = {}
        decided = month_of(Case.decided_on, dialect)
        for county, month, cents in session.execute(
            select(Case.county_code, decided, func.sum(Case.final_fine_cents))
            .where(*assessed())
            .group_by(Case.county_code, decided)
        ):
            money.setdefault((county, _as_date(month)), [0, 0])[0] += int(cents or 0)
        paid = month_of(Payment.paid_on, dialect)
        for county, month, cents in session.execute(
            select(Case.county_code, paid, func.sum(Payment.amount_cents))
            .join(Case, Case.id == Payment.case_id)
            .where(*collected())
            .group_by(Case.county_code, paid)
        ):
            money.setdefault((county, _as_date(month)), [0, 0])[1] += int(cents or 0)
        if money:
            session.execute(
                insert(DashboardMoney),
                [
                    {"county_code": c, "month": m, "assessed_cents": a, "collected_cents": p}
                    for (c, m), (a, p) in sorted(money.items())
                ],
            )
        seconds = time.monotonic() - started
        row = session.get(DashboardRefresh, NAME) or DashboardRefresh(name=NAME)
        row.refreshed_at, row.seconds = utcnow(), round(seconds, 3)
        session.add(row)
        counts = [
            session.scalar(select(func.count()).select_from(t)) or 0
            for t in (DashboardCaseCount, DashboardMoney, DashboardOverdue)
        ]
    return RefreshReport(counts[0], counts[1], counts[2], round(seconds, 3))


def _as_date(value: Any) -> date:
    """A month as the database returns it (a date; SQLite: its ISO text)."""
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def refreshed_at(session: Session) -> datetime | None:
    """When the rollups were last rebuilt; None: never (the dashboard counts from the
    tables)."""
    return session.scalar(
        select(DashboardRefresh.refreshed_at).where(DashboardRefresh.name == NAME)
    )


# -- date ranges ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Months:
    """A range of days cut at month boundaries: the whole months ``first``..``last`` (first
    days; None: unbounded on that side; ``empty`` when there is none), and the days before and
    after them (inclusive ranges, None when there are none)."""

    first: date | None
    last: date | None
    empty: bool
    head: tuple[date, date] | None
    tail: tuple[date, date] | None

    def bounds(self, column: Any) -> list[Any]:
        """Conditions on a month column for the whole months."""
        out = []
        if self.first is not None:
            out.append(column >= self.first)
        if self.last is not None:
            out.append(column <= self.last)
        return out


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def split(lo: date | None, hi: date | None) -> Months:
    """Cut the days ``lo``..``hi`` (inclusive; None: unbounded) into whole months and the
    partial months at either end."""
    first = None if lo is None else (lo if lo.day == 1 else _next_month(lo))
    after: date | None = None  # the first day after the whole months
    if hi is not None:
        after = _next_month(hi) if _next_month(hi) - timedelta(days=1) == hi else hi.replace(day=1)
    last = None if after is None else _month_start(after - timedelta(days=1))
    if first is not None and after is not None and first >= after:  # no whole month inside
        assert lo is not None and hi is not None
        return Months(first, last, True, (lo, hi) if lo <= hi else None, None)
    head = None
    if lo is not None and first is not None and lo < first:
        head = (lo, first - timedelta(days=1))
    tail = (after, hi) if hi is not None and after is not None and after <= hi else None
    return Months(first, last, False, head, tail)


def in_counties(column: Any, counties: Collection[str] | None) -> list[Any]:
    """A condition limiting ``column`` to ``counties`` (none for None, the whole province)."""
    return [] if counties is None else [column.in_(sorted(counties))]
