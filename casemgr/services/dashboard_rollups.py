"""Dashboard rollups (统计看板汇总): the dashboard's counts and sums per county and month.

:func:`refresh` rebuilds the three rollup tables of :mod:`casemgr.models.dashboards` from the
cases, payments and deadlines in one unit of work (the scheduled job ``refresh_dashboards``,
every few minutes; ``casemgr dashboards refresh`` by hand). The conditions of what counts are
defined here once (:func:`assessed`, :func:`collected`, :func:`undone`) and used both by the
rebuild and by the dashboard's own queries over the tables, so the two never disagree.

:func:`split` cuts a date range into whole months, read from the rollups, and the days of a
partial month at either end, read from the tables: a range stays exact to the day.

The same job keeps the credit tier counts of past days (:class:`TierDayCount`), so that the
tier chart of a past end date reads at most a row per county and tier instead of counting the
score history (5-9 s province-wide on the benchmark data):

* a rebuild reads the history of each scheme once, in the order of ``ix_credit_scores_history``
  (enterprise, day, id), follows each enterprise's score in force from day to day (the highest
  id dated on or before the day, as ``services.credit.in_force``) and writes the counts per
  county and tier at the end of each day on which they changed (1.5 million scores of a
  million enterprises over 9 months: 145,000 rows, 14 s on a 2-core machine busy with other
  work; memory: the days' counts, not the enterprises);
* a run after scores were stored rebuilds only if one of them is dated before today (back-dated:
  it changes past days). Rescoring dates its scores today, which the chart reads from
  ``credit_tier_counts``: the run only records them (:attr:`TierDayState.exact_before`);
* a run on a later day than the rebuild rebuilds (an enterprise may have moved county).

:func:`tier_counts_on` reads the counts of a day when the rows cover every score dated on or
before it (one probe of the scores' primary key) and says None otherwise: the caller counts
from the history then, as before the first rebuild.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Date, and_, cast, delete, func, insert, literal_column, select
from sqlalchemy.orm import Session

from casemgr.db import transaction, utcnow
from casemgr.models.cases import Case, Channel, Deadline, DeadlineStateValue
from casemgr.models.credit import CreditCurrent, CreditScore, CreditTierCount
from casemgr.models.dashboards import (
    DashboardCaseCount,
    DashboardMoney,
    DashboardOverdue,
    DashboardRefresh,
    TierDayCount,
    TierDayState,
)
from casemgr.models.penalties import Payment, PaymentKind
from casemgr.repositories.bulk import copy_rows
from casemgr.repositories.credit_current import ABNORMAL
from casemgr.services.ledger import _VOID as VOID_STATUSES
from casemgr.services.localtime import local_today

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
    "tier_counts_on",
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
    tier_rows: int = 0  # tier counts of past days written (0: the ones kept were still exact)


def refresh(session: Session, *, today: date | None = None) -> RefreshReport:
    """Rebuild the rollups from the tables, all three in one unit of work (readers see the
    old ones until it commits), and bring the tier counts of past days up to date with the
    scores (``today``: the local day, by default now's)."""
    started = time.monotonic()
    dialect = session.get_bind().dialect.name
    today = today or local_today()
    with transaction(session):
        tier_rows = _refresh_tier_days(session, today)
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
    return RefreshReport(counts[0], counts[1], counts[2], round(seconds, 3), tier_rows)


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


# -- credit tiers of past days ----------------------------------------------------------------

Key = tuple[str, str]  # (county code, tier code), as credit_tier_counts keys its counts
WRITE_BATCH = 20_000  # rows of tier counts per COPY (a year of days is about 190,000)


def _tier_code(tier: str | None) -> str:
    return ABNORMAL if tier is None else tier


def _schemes(session: Session) -> list[str]:
    """The schemes with current scores (``credit_tier_counts``: a few rows per county)."""
    return list(session.scalars(select(CreditTierCount.scheme).distinct().order_by("scheme")))


def _newest_score(session: Session, scheme_key: str) -> int:
    """The highest score id, once no transaction storing scores of the scheme is under way.

    Ids are taken before their transaction commits: a watermark read while a writer is between
    its insert and its commit could pass over ids committed later. The writers of a scheme hold
    its lock (``credit_current``'s advisory lock, PostgreSQL) from right after their insert
    (``credit_current.refresh``) until they commit, so the watermark is read under it; a busy
    lock (a full rescoring under way) gives -1: nothing is brought up to date on this run. The
    instant between an insert and that lock remains (the next day's rebuild covers it). SQLite
    has one writer at a time anyway."""
    newest = select(func.max(CreditScore.id))
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        return session.scalar(newest) or 0
    key = (func.hashtext("credit_current"), func.hashtext(scheme_key))
    if not connection.scalar(select(func.pg_try_advisory_lock(*key))):
        return -1
    try:
        through = connection.scalar(newest) or 0
    except BaseException:
        connection.invalidate()  # a session-level lock outlives a rollback, not its connection
        raise
    connection.execute(select(func.pg_advisory_unlock(*key)))
    return through


def _refresh_tier_days(session: Session, today: date) -> int:
    """Bring each scheme's tier counts of past days up to date (see the module's docstring);
    the number of rows written."""
    written = 0
    for scheme_key in _schemes(session):
        started = time.monotonic()
        newest = _newest_score(session, scheme_key)
        if newest < 0:
            continue
        state = session.get(TierDayState, scheme_key)
        if state is not None and state.built_on == today:
            if newest <= state.scores_through:
                continue
            first = session.scalar(
                select(func.min(CreditScore.as_of)).where(
                    CreditScore.id > state.scores_through,
                    CreditScore.id <= newest,
                    CreditScore.scheme == scheme_key,
                )
            )
            if first is None or first >= today:  # none of this scheme, or none back-dated
                state.scores_through = newest
                if first is not None:
                    state.exact_before = min(first, state.exact_before or first)
                continue
        session.execute(delete(TierDayCount).where(TierDayCount.scheme == scheme_key))
        rows: list[dict[str, Any]] = []
        for day, counts in _tier_days(session, scheme_key, newest):
            rows.extend(
                {"scheme": scheme_key, "day": day, "county_code": county, "tier": tier, "n": n}
                for (county, tier), n in sorted(counts.items())
            )
            if len(rows) >= WRITE_BATCH:
                copy_rows(session, TierDayCount, rows)
                written, rows = written + len(rows), []
        copy_rows(session, TierDayCount, rows)
        written += len(rows)
        state = state or TierDayState(scheme=scheme_key)
        state.scores_through, state.exact_before, state.built_on = newest, None, today
        state.built_at, state.seconds = utcnow(), round(time.monotonic() - started, 3)
        session.add(state)
    session.flush()
    return written


def _tier_days(
    session: Session, scheme_key: str, through: int
) -> Iterable[tuple[date, Counter[Key]]]:
    """The counts per county and tier at the end of each day on which they changed, in day
    order, from the scores of the scheme with ids up to ``through``.

    One pass over the history in (enterprise, day, id) order (the order of
    ``ix_credit_scores_history``): within an enterprise the score in force changes to a row on
    its day exactly when the row's id is higher than every earlier-dated one's (the in-force
    score is the highest id dated on or before the day), moving one enterprise from the old
    (county, tier) to the new one on that day. Only these moves are kept, per day (at most a
    county-and-tier pair's worth each), then added up day after day. The county is the one of
    the enterprise's ``credit_current`` row, as the history count and ``credit_tier_counts``
    use; an enterprise without such a row is not counted there either."""
    s, c = CreditScore, CreditCurrent
    stmt = (
        select(s.enterprise_id, s.id, s.as_of, s.tier, c.county_code)
        .join(c, and_(c.scheme == s.scheme, c.enterprise_id == s.enterprise_id))
        .where(s.scheme == scheme_key, s.id <= through)
        .order_by(s.enterprise_id, s.as_of, s.id)
        .execution_options(stream_results=True, max_row_buffer=10_000)
    )
    moves: defaultdict[tuple[date, tuple[str, str | None]], int] = defaultdict(int)
    enterprise, top, held = None, 0, None
    # Core rows from a server-side cursor: the ORM's handling of 1.5 million rows tripled the
    # time of the pass.
    for eid, sid, day, tier, county in session.connection().execute(stmt):
        if eid != enterprise:
            enterprise, top, held = eid, 0, None
        elif sid <= top:
            continue  # a later-dated score stored before the one in force: never in force
        top = sid
        key = (county, tier)
        if key == held:
            continue
        if held is not None:
            moves[day, held] -= 1
        moves[day, key] += 1
        held = key
    by_day: dict[date, Counter[Key]] = {}
    for (day, (county, tier)), n in moves.items():
        by_day.setdefault(day, Counter())[(county, _tier_code(tier))] += n
    counts: Counter[Key] = Counter()
    for day in sorted(by_day):
        counts.update(by_day[day])
        yield day, +counts


def tier_counts_on(
    session: Session, scheme_key: str, day: date, counties: Collection[str] | None
) -> Counter[Key] | None:
    """Enterprises per (county, tier code) with a score in force on ``day`` under the scheme,
    among ``counties`` (None: all), from the tier counts of past days: the counts of the
    latest day on or before ``day`` (an index probe and at most a row per county and tier).
    None when they do not cover ``day``: never built, or a score dated on or before it was
    stored since (one probe of the scores' primary key from the rebuild's watermark)."""
    state = session.execute(
        select(TierDayState.scores_through, TierDayState.exact_before).where(
            TierDayState.scheme == scheme_key
        )
    ).first()
    if state is None or (state.exact_before is not None and day >= state.exact_before):
        return None
    since = select(CreditScore.id).where(
        CreditScore.id > state.scores_through,
        CreditScore.scheme == scheme_key,
        CreditScore.as_of <= day,
    )
    if session.execute(since.limit(1)).first() is not None:
        return None
    t = TierDayCount
    latest = select(func.max(t.day)).where(t.scheme == scheme_key, t.day <= day).scalar_subquery()
    stmt = select(t.county_code, t.tier, t.n).where(
        t.scheme == scheme_key, t.day == latest, *in_counties(t.county_code, counties)
    )
    return Counter({(county, tier): int(n) for county, tier, n in session.execute(stmt)})
