"""Dashboard statistics (统计看板): counts and sums for the dashboard charts, aggregated in SQL.

Each chart is scoped to the caller's jurisdiction (辖区) the way the lists behind it are
scoped: cases and money by the case's county, or for a prosecutor or judge by the families
before their own organ (as the case list); deadlines as the deadline board; credit tiers by the
enterprise's county (as the enterprise search).

Speed. Province-wide, a chart counted from its table reads hundreds of thousands of rows even
from an index (0.1-0.3 s each on the benchmark data). So the tiers are read from the tier
counts kept with the current scores (exact, at once), for a past day from the tier counts per
day kept by the rollup job (exact too: used only while no score dated on or before the day
was stored since the job's last run), and the other charts, for a territorial scope, from the
rollups per county and month (:mod:`casemgr.services.dashboard_rollups`, rebuilt every few
minutes: figures as of then) plus, from the tables, the days of a partial month at either end
of the range. A prosecutor's or judge's charts, and all of them before the first rebuild, are
counted from the tables.

* :func:`tier_counts`: enterprises per prefecture and credit tier in force on a day (信用等级).
* :func:`case_counts`: cases per channel, track and stage (案件阶段).
* :func:`overdue_counts`: deadlines past their last day and not done, per county bureau,
  channel and rule (逾期期限).
* :func:`money_counts`: fines assessed (决定罚款) and collected (已缴罚款) per month and
  prefecture.

:func:`dashboard` checks the caller and the filters and runs the four.
"""

from __future__ import annotations

import threading
import time
from collections import Counter, OrderedDict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import Select, func, literal_column, select, union_all
from sqlalchemy.orm import Session

from casemgr.exceptions import InvalidInput, OutsideJurisdiction
from casemgr.i18n import N_
from casemgr.legalclock import RULES
from casemgr.models import CreditScore, Division, DivisionLevel
from casemgr.models.cases import Case, Channel, Deadline
from casemgr.models.dashboards import DashboardCaseCount, DashboardMoney, DashboardOverdue
from casemgr.models.penalties import Payment
from casemgr.policy import Actor, Permission
from casemgr.repositories import credit_current
from casemgr.services import dashboard_rollups as rollup
from casemgr.services.access import audit_list_read, organ_cases, organ_violations, require
from casemgr.services.deadlines import PARTY_WINDOWS

if TYPE_CHECKING:
    AnySelect = Select[*tuple[Any, ...]]

__all__ = [
    "CaseCount",
    "Dashboard",
    "DashboardFilter",
    "MoneyCount",
    "OverdueCount",
    "Scope",
    "TierCount",
    "case_counts",
    "clear_tier_cache",
    "dashboard",
    "money_counts",
    "month_range",
    "not_overdue_rules",
    "overdue_counts",
    "prefecture_options",
    "tier_counts",
]

# The 4-digit prefix of a county's GB/T 2260 code is its prefecture's (5203xx -> 520300).
PREFIX = 4


def _prefix(column: Any) -> Any:
    return func.substr(column, 1, PREFIX)


@dataclass(frozen=True)
class DashboardFilter:
    """The dashboard's optional filters: a prefecture (市州) and a date range."""

    prefecture: str | None = None
    date_from: date | None = None
    date_to: date | None = None


@dataclass(frozen=True)
class Scope:
    """Which rows the caller may count.

    ``counties`` is None for the whole province, else the county codes (the jurisdiction, cut
    down to the chosen prefecture); ``actor`` is set for a prosecutor or judge, who counts the
    cases before their own organ instead of a territory's.
    """

    counties: frozenset[str] | None
    actor: Actor | None = None

    def cases(self, stmt: AnySelect) -> AnySelect:
        """``stmt`` (over cases) limited to the cases in scope (as the case list)."""
        if self.actor is not None:
            stmt = stmt.where(Case.violation_id.in_(organ_violations(self.actor)))
        if self.counties is not None:
            stmt = stmt.where(Case.county_code.in_(sorted(self.counties)))
        return stmt

    def deadlines(self, stmt: AnySelect) -> AnySelect:
        """``stmt`` (over deadlines) limited to the deadlines in scope (as the board)."""
        if self.actor is not None:
            stmt = stmt.where(Deadline.case_id.in_(organ_cases(self.actor)))
        if self.counties is not None:
            stmt = stmt.where(Deadline.county_code.in_(sorted(self.counties)))
        return stmt


# -- credit tiers -----------------------------------------------------------------------------


@dataclass(frozen=True)
class TierCount:
    """Enterprises of a prefecture (code prefix) with a tier in force (None: abnormal, 异常)."""

    prefecture: str
    tier: str | None
    count: int


# Without tier counts of past days covering it (see tier_counts), a day before some
# enterprise's latest score is counted from the history for those rescored since (seconds
# province-wide on the benchmark, for a day months back). Such a count changes only when a
# score dated on or before the day is stored: it is kept per process and checked against the
# scores stored since (one probe of the primary key). The age limit bounds the one change
# that check misses: an enterprise moving county.
_PAST: OrderedDict[tuple[Any, ...], tuple[float, int, Counter[tuple[str, str]]]] = OrderedDict()
_PAST_SIZE = 64
_PAST_SECONDS = 600.0
_PAST_LOCK = threading.Lock()


def _past_counts(
    session: Session, scheme_key: str, on: date, counties: Collection[str] | None
) -> Counter[tuple[str, str]]:
    scope = None if counties is None else tuple(sorted(counties))
    key = (str(session.get_bind().engine.url), scheme_key, on, scope)
    newest = session.scalar(select(func.max(CreditScore.id))) or 0
    now = time.monotonic()
    with _PAST_LOCK:
        hit = _PAST.get(key)
    if hit is not None and now - hit[0] < _PAST_SECONDS:
        since = select(CreditScore.id).where(
            CreditScore.id > hit[1], CreditScore.scheme == scheme_key, CreditScore.as_of <= on
        )
        if hit[1] == newest or session.execute(since.limit(1)).first() is None:
            return Counter(hit[2])
    counts = credit_current.tier_counts(session, scheme_key, on, counties)
    with _PAST_LOCK:
        _PAST[key] = (now, newest, counts)
        _PAST.move_to_end(key)
        while len(_PAST) > _PAST_SIZE:
            _PAST.popitem(last=False)
    return Counter(counts)


def tier_counts(
    session: Session, *, scheme_key: str, on: date, counties: Collection[str] | None
) -> list[TierCount]:
    """Enterprises per prefecture and credit tier in force on ``on`` under ``scheme_key`` (the
    latest score on or before it, as :func:`casemgr.services.credit.in_force`), among the
    enterprises of ``counties`` (None: the whole province). Enterprises never scored are not
    counted. Read from the tier counts kept with the current scores (``credit_tier_counts``:
    at most a row per county and tier); a day before some enterprise's latest score from the
    tier counts of past days (``dashboard_rollups.tier_counts_on``: as many rows), or when
    they do not cover the day (before the job's first run, or a score dated on or before the
    day stored since its last), by correcting the current counts from the history, once per
    process until a score dated on or before the day is stored."""
    if credit_current.exact_on(session, scheme_key, on):
        counts = credit_current.tier_counts(session, scheme_key, on, counties)
    else:
        kept = rollup.tier_counts_on(session, scheme_key, on, counties)
        counts = kept if kept is not None else _past_counts(session, scheme_key, on, counties)
    by_prefecture: Counter[tuple[str, str | None]] = Counter()
    for (county, tier), n in counts.items():
        by_prefecture[(county[:PREFIX], None if tier == credit_current.ABNORMAL else tier)] += n
    return [TierCount(p, tier, n) for (p, tier), n in sorted(by_prefecture.items(), key=str)]


def clear_tier_cache() -> None:
    """Forget the tier counts of past days kept by this process."""
    with _PAST_LOCK:
        _PAST.clear()


# -- cases by channel and stage ---------------------------------------------------------------


@dataclass(frozen=True)
class CaseCount:
    """Cases of one channel and lifecycle (track) in one stage (status)."""

    channel: str
    track: str
    status: str
    count: int


def _cases_live(
    session: Session, scope: Scope, lo: date | None, hi: date | None
) -> Counter[tuple[str, str, str]]:
    stmt = scope.cases(
        select(Case.channel, Case.track, Case.status, func.count()).group_by(
            Case.channel, Case.track, Case.status
        )
    )
    if lo is not None:
        stmt = stmt.where(Case.lead_received_on >= lo)
    if hi is not None:
        stmt = stmt.where(Case.lead_received_on <= hi)
    return Counter(
        {(Channel(c).value, track, status): int(n) for c, track, status, n in session.execute(stmt)}
    )


def case_counts(
    session: Session, scope: Scope, f: DashboardFilter, *, rollups: bool = False
) -> list[CaseCount]:
    """Cases per channel, track and stage; the date range is the day the lead was received.
    With ``rollups`` (a territorial scope), whole months are read from the rollups and only
    the days of a partial month from the cases."""
    if not rollups:
        counts = _cases_live(session, scope, f.date_from, f.date_to)
    else:
        months = rollup.split(f.date_from, f.date_to)
        counts = Counter()
        if not months.empty:
            r = DashboardCaseCount
            stmt = (
                select(r.channel, r.track, r.status, func.sum(r.n))
                .where(*months.bounds(r.month), *rollup.in_counties(r.county_code, scope.counties))
                .group_by(r.channel, r.track, r.status)
            )
            counts.update({(c, t, st): int(n) for c, t, st, n in session.execute(stmt)})
        for days in (months.head, months.tail):
            if days is not None:
                counts.update(_cases_live(session, scope, *days))
    return [CaseCount(c, t, st, n) for (c, t, st), n in sorted(counts.items()) if n]


# -- overdue deadlines by bureau --------------------------------------------------------------


@dataclass(frozen=True)
class OverdueCount:
    """Deadlines of one rule and channel past their last day and not done, in one county."""

    county_code: str
    channel: str
    rule_code: str
    count: int


def not_overdue_rules() -> list[str]:
    """Rules whose passing day is no breach: waiting periods (the act is lawful only after
    them) and the party's own windows (陈述申辩, 听证申请; ``deadlines.PARTY_WINDOWS``)."""
    return sorted({code for code, rule in RULES.items() if rule.waiting} | PARTY_WINDOWS)


def _overdue_live(
    session: Session, scope: Scope, lo: date | None, hi: date
) -> Counter[tuple[str, str, str]]:
    stmt = scope.deadlines(
        select(Deadline.county_code, Deadline.channel, Deadline.rule_code, func.count())
        .where(
            *rollup.undone(),
            Deadline.due_on <= hi,
            Deadline.rule_code.not_in(not_overdue_rules()),
        )
        .group_by(Deadline.county_code, Deadline.channel, Deadline.rule_code)
    )
    if lo is not None:
        stmt = stmt.where(Deadline.due_on >= lo)
    return Counter({(c, ch, rule): int(n) for c, ch, rule, n in session.execute(stmt)})


def overdue_counts(
    session: Session, scope: Scope, f: DashboardFilter, *, today: date, rollups: bool = False
) -> list[OverdueCount]:
    """Deadlines past their last day on ``today`` and not done (missed, or open and not yet
    marked by the nightly refresh, as the reminders read them), per county, channel and rule;
    the date range is the due day. With ``rollups``, whole months are read from the rollups."""
    hi = today - timedelta(days=1)
    if f.date_to is not None:
        hi = min(hi, f.date_to)
    if not rollups:
        counts = _overdue_live(session, scope, f.date_from, hi)
    else:
        months = rollup.split(f.date_from, hi)
        counts = Counter()
        if not months.empty:
            r = DashboardOverdue
            stmt = (
                select(r.county_code, r.channel, r.rule_code, func.sum(r.n))
                .where(
                    *months.bounds(r.month),
                    *rollup.in_counties(r.county_code, scope.counties),
                    r.rule_code.not_in(not_overdue_rules()),
                )
                .group_by(r.county_code, r.channel, r.rule_code)
            )
            counts.update({(c, ch, rule): int(n) for c, ch, rule, n in session.execute(stmt)})
        for days in (months.head, months.tail):
            if days is not None:
                counts.update(_overdue_live(session, scope, *days))
    return [OverdueCount(c, ch, rule, n) for (c, ch, rule), n in sorted(counts.items()) if n]


# -- fines assessed and collected -------------------------------------------------------------


@dataclass(frozen=True)
class MoneyCount:
    """Fines (罚款) assessed by the decisions made, and collected by the payments received, in
    one month and prefecture, in cents."""

    year: int
    month: int
    prefecture: str
    assessed_cents: int
    collected_cents: int


def month_range(start: date, end: date) -> list[tuple[int, int]]:
    """The (year, month) pairs from ``start``'s month to ``end``'s, in order."""
    out = []
    y, m = start.year, start.month
    while (y, m) <= (end.year, end.month):
        out.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


Sums = dict[tuple[int, int, str], list[int]]


def _money_live(session: Session, scope: Scope, start: date, end: date, sums: Sums) -> None:
    assessed = scope.cases(
        select(
            func.extract("year", Case.decided_on).label("y"),
            func.extract("month", Case.decided_on).label("m"),
            _prefix(Case.county_code).label("p"),
            literal_column("'a'").label("kind"),
            func.sum(Case.final_fine_cents).label("cents"),
        )
        .where(*rollup.assessed(), Case.decided_on.between(start, end))
        .group_by("y", "m", "p")
    )
    collected = scope.cases(
        select(
            func.extract("year", Payment.paid_on).label("y"),
            func.extract("month", Payment.paid_on).label("m"),
            _prefix(Case.county_code).label("p"),
            literal_column("'c'").label("kind"),
            func.sum(Payment.amount_cents).label("cents"),
        )
        .join(Case, Case.id == Payment.case_id)
        .where(*rollup.collected(), Payment.paid_on.between(start, end))
        .group_by("y", "m", "p")
    )
    for y, m, p, kind, cents in session.execute(union_all(assessed, collected)):
        row = sums.setdefault((int(y), int(m), p), [0, 0])
        row[0 if kind == "a" else 1] += int(cents or 0)


def money_counts(
    session: Session, scope: Scope, start: date, end: date, *, rollups: bool = False
) -> list[MoneyCount]:
    """Fines assessed (the final fine of the administrative decisions made in the period, not
    withdrawn or revoked; 行政处罚法 art. 9 (2)) and fines collected (payments of the fine
    received in the period; art. 67) per month and prefecture. With ``rollups``, whole months
    are read from the rollups and only the days of a partial month from the tables."""
    sums: Sums = {}
    if not rollups:
        _money_live(session, scope, start, end, sums)
    else:
        months = rollup.split(start, end)
        if not months.empty:
            r = DashboardMoney
            stmt = select(r.county_code, r.month, r.assessed_cents, r.collected_cents).where(
                *months.bounds(r.month), *rollup.in_counties(r.county_code, scope.counties)
            )
            for county, month, a, c in session.execute(stmt):
                row = sums.setdefault((month.year, month.month, county[:PREFIX]), [0, 0])
                row[0] += int(a)
                row[1] += int(c)
        for days in (months.head, months.tail):
            if days is not None:
                _money_live(session, scope, *days, sums)
    return [MoneyCount(y, m, p, a, c) for (y, m, p), (a, c) in sorted(sums.items()) if a or c]


# -- the dashboard ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Dashboard:
    """Everything the dashboard page shows, with the names of the divisions it mentions."""

    filters: DashboardFilter
    today: date
    tiers_on: date
    money_from: date
    money_to: date
    scheme_key: str
    tiers: list[TierCount]
    cases: list[CaseCount]
    overdue: list[OverdueCount]
    money: list[MoneyCount]
    names: dict[str, str]  # division code -> name (counties, prefectures, the province)
    # When the rollups behind the case, deadline and money charts were rebuilt (their whole
    # months are figures as of then); None: every figure was counted now.
    figures_at: datetime | None = None


def _default_start(end: date) -> date:
    """The first day of the twelfth month back from ``end``'s (a year of months)."""
    y, m = end.year, end.month - 11
    if m < 1:
        y, m = y - 1, m + 12
    return date(y, m, 1)


def _check(
    session: Session, actor: Actor, f: DashboardFilter, today: date
) -> tuple[Scope, frozenset[str] | None]:
    """The scope of the case charts and the counties of the credit chart, after the filters."""
    if f.date_to is not None and f.date_to > today:
        raise InvalidInput.field("date_to", N_("The date lies in the future."))
    if f.date_from is not None and f.date_to is not None and f.date_to < f.date_from:
        raise InvalidInput.field("date_to", N_("The end lies before the start."))
    territory: frozenset[str] | None = None
    if f.prefecture:
        territory = frozenset(
            session.scalars(
                select(Division.code).where(
                    Division.parent_code == f.prefecture,
                    Division.level == DivisionLevel.COUNTY,
                )
            )
        )
        if not territory:
            raise InvalidInput.field(
                "prefecture", N_("Unknown prefecture code {code}."), code=f.prefecture
            )
        if not actor.organ_scoped and actor.counties is not None:
            if not territory & actor.counties:
                raise OutsideJurisdiction()

    def cut(counties: frozenset[str] | None) -> frozenset[str] | None:
        if counties is None or territory is None:
            return territory if counties is None else counties
        return counties & territory

    if actor.organ_scoped:
        # Prosecutors and judges: the cases before their organ, wherever they lie.
        return Scope(cut(None), actor), cut(actor.counties)
    return Scope(cut(actor.counties)), cut(actor.counties)


def _names(session: Session, codes: Iterable[str]) -> dict[str, str]:
    wanted = sorted(set(codes))
    if not wanted:
        return {}
    stmt = select(Division.code, Division.name).where(Division.code.in_(wanted))
    return {code: name for code, name in session.execute(stmt)}


def prefecture_options(session: Session, actor: Actor) -> list[tuple[str, str]]:
    """The prefectures (code, name) with at least one county in the actor's jurisdiction."""
    stmt = select(Division.code, Division.name).where(Division.level == DivisionLevel.PREFECTURE)
    if actor.counties is not None:
        parents = {f"{c[:PREFIX]}00" for c in actor.counties}
        stmt = stmt.where(Division.code.in_(sorted(parents)))
    return [(c, n) for c, n in session.execute(stmt.order_by(Division.code))]


def dashboard(
    session: Session, actor: Actor, f: DashboardFilter, *, scheme_key: str, today: date
) -> Dashboard:
    """The four dashboard charts' numbers within the actor's jurisdiction. A prosecutor's or
    judge's view is audited as a list read.

    Raises PermissionDenied, InvalidInput (unknown prefecture, dates), OutsideJurisdiction.
    """
    require(actor, Permission.READ_CASES)
    scope, credit_counties = _check(session, actor, f, today)
    audit_list_read(
        session,
        actor,
        "cases",
        f"dashboard:prefecture={f.prefecture},from={f.date_from},to={f.date_to}",
    )
    tiers_on = f.date_to or today
    money_to = f.date_to or today
    money_from = f.date_from or _default_start(money_to)
    tiers = tier_counts(session, scheme_key=scheme_key, on=tiers_on, counties=credit_counties)
    # The rollups are per county: a prosecutor's or judge's cases are counted from the tables.
    figures_at = None if scope.actor is not None else rollup.refreshed_at(session)
    rollups = figures_at is not None
    cases = case_counts(session, scope, f, rollups=rollups)
    overdue = overdue_counts(session, scope, f, today=today, rollups=rollups)
    money = money_counts(session, scope, money_from, money_to, rollups=rollups)
    codes = {o.county_code for o in overdue}
    codes |= {f"{p}00" for p in {t.prefecture for t in tiers} | {m.prefecture for m in money}}
    return Dashboard(
        filters=f,
        today=today,
        tiers_on=tiers_on,
        money_from=money_from,
        money_to=money_to,
        scheme_key=scheme_key,
        tiers=tiers,
        cases=cases,
        overdue=overdue,
        money=money,
        names=_names(session, codes),
        figures_at=figures_at,
    )
