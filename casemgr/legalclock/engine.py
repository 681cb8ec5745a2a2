"""Legal clock (法定期限): deadlines in calendar days, working days, hours and months.

A pure library (standard library and :mod:`casemgr.legalbasis` only): it knows the
statutory-holiday calendar with its make-up working days (调休), counts periods the way the law
does, pauses them for clock stops and says whether a deadline was met. Services adapt it to the
stored cases.

The counting rules, each from DOMAIN.md §0:

* the start day (or hour) is not counted: a period runs from the next day
  (刑事诉讼法 2018 art. 105; 环境保护行政执法与刑事司法衔接工作办法 2017 art. 38; 民法典 art. 201);
* a period whose last day is a rest day ends on the next working day (衔接办法 2017 art. 38;
  刑事诉讼法 art. 105; the same practice under 民事诉讼法 and 行政诉讼法);
* the short periods of the Administrative Penalty Law (二日, 三日, 五日, 七日) and the periods of
  ten days or less of the Administrative Coercion Law are working days, which exclude weekends and
  statutory holidays but include make-up working days (行政处罚法 2021 art. 85;
  行政强制法 art. 69); every other period is in calendar days;
* clock stops (hearing, public notice, monitoring, assessment, appraisal, 认定, service, criminal
  transfer pending) do not count toward the decision limit (生态环境行政处罚办法 2023 art. 57;
  衔接办法 2017 art. 16).

This module is the engine; the rules (data, one module per channel) and the registry ``RULES``
live beside it in the ``casemgr.legalclock`` package.
"""

from __future__ import annotations

import csv
import functools
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from importlib import resources
from pathlib import Path
from types import MappingProxyType

from casemgr.legalbasis import Basis, Citation

__all__ = [
    "ClockStop",
    "DeadlineState",
    "Due",
    "HolidayCalendar",
    "Rule",
    "Unit",
    "compute_due",
    "daily_penalty_total",
    "days_late",
    "deadline_state",
    "default_calendar",
    "late_surcharge",
    "load_calendar",
    "load_calendar_csv",
    "working_days_between",
]


class Unit(StrEnum):
    """The unit a legal period is counted in.

    Attributes
    ----------
    CALENDAR_DAY : "calendar_day"
        Natural days (日, 自然日): every day counts.
    WORKING_DAY : "working_day"
        Working days (工作日): weekends and statutory holidays are skipped, make-up working days
        (调休上班) count.
    HOUR : "hour"
        Hours (小时), e.g. the 24 hours for the approval of an emergency seal-up.
    MONTH : "month"
        Months (月): the same day of the month, clamped to the month's last day.
    """

    CALENDAR_DAY = "calendar_day"
    WORKING_DAY = "working_day"
    HOUR = "hour"
    MONTH = "month"


class DeadlineState(StrEnum):
    """Where a stored deadline stands.

    Attributes
    ----------
    OPEN : "open"
        Not done yet and not yet due (or a waiting period still running).
    MET : "met"
        Done in time.
    MISSED : "missed"
        Done late, or not done and past due; for a waiting period, done too early.
    PAUSED : "paused"
        A clock stop is running: the due date will move when it ends.
    """

    OPEN = "open"
    MET = "met"
    MISSED = "missed"
    PAUSED = "paused"


# ------------------------------------------------------------------------------------------------
# Holiday calendar
# ------------------------------------------------------------------------------------------------


def _weekdays_before(o: int) -> int:
    """Mondays to Fridays with an ordinal below ``o`` (ordinal 1, 0001-01-01, is a Monday)."""
    q, r = divmod(o - 1, 7)
    return 5 * q + (r if r < 5 else 5)


def _kth_weekday(k: int) -> int:
    """Ordinal of the weekday with index ``k`` (0-based) in the proleptic calendar."""
    q, r = divmod(k, 5)
    return 1 + 7 * q + r


@dataclass(frozen=True, slots=True)
class HolidayCalendar:
    """Statutory days off and make-up working days (法定节假日与调休) of the loaded years.

    Days outside the loaded years follow the ordinary week (Saturday and Sunday off); a
    computation that depends on such a day is marked provisional by :func:`compute_due`.

    Parameters
    ----------
    holidays : frozenset of date
        Days off under the State Council notices, including the bridged weekend days.
    workdays : frozenset of date
        Saturdays and Sundays that are working days (调休上班).
    years : frozenset of int
        The years whose official schedule is loaded.
    sources : Mapping[int, str]
        Year -> the notice the schedule comes from, with its [V]/[R] tag.
    names : Mapping[date, str]
        Day -> festival name (国庆节 ...), for display.

    Examples
    --------
    >>> cal = default_calendar()
    >>> cal.is_working_day(date(2026, 10, 8)), cal.is_working_day(date(2026, 10, 10))
    (True, True)
    >>> cal.is_rest_day(date(2026, 10, 1)), cal.names[date(2026, 10, 1)]
    (True, '国庆节')
    >>> cal.next_working_day(date(2026, 10, 3))
    datetime.date(2026, 10, 8)
    >>> cal.covers(date(2026, 5, 1)), cal.covers(date(2027, 5, 1))
    (True, False)
    """

    holidays: frozenset[date] = frozenset()
    workdays: frozenset[date] = frozenset()
    years: frozenset[int] = frozenset()
    sources: Mapping[int, str] = field(default_factory=dict, hash=False)
    names: Mapping[date, str] = field(default_factory=dict, hash=False, compare=False)
    # Derived tables over the window [_lo, _lo + len(_flags)) that holds every listed day:
    # _flags[i] is 1 for a working day, _cum[i] counts working days before _lo + i and _nth lists
    # the working days' ordinals, so counting and adding working days are O(1) lookups.
    _lo: int = field(init=False, repr=False, compare=False, hash=False)
    _flags: bytes = field(init=False, repr=False, compare=False, hash=False)
    _cum: tuple[int, ...] = field(init=False, repr=False, compare=False, hash=False)
    _nth: tuple[int, ...] = field(init=False, repr=False, compare=False, hash=False)
    _adj: int = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        both = self.holidays & self.workdays
        if both:
            raise ValueError(f"listed both as holiday and as working day: {min(both)}")
        for d in sorted(self.workdays):
            if d.weekday() < 5:
                raise ValueError(f"make-up working day {d} is not a Saturday or Sunday")
        set_ = object.__setattr__
        set_(self, "sources", MappingProxyType(dict(self.sources)))
        set_(self, "names", MappingProxyType(dict(self.names)))
        listed = [d.toordinal() for d in self.holidays | self.workdays]
        listed += [date(y, 1, 1).toordinal() for y in self.years]
        listed += [date(y, 12, 31).toordinal() for y in self.years]
        lo, hi = (min(listed), max(listed)) if listed else (1, 0)
        off = {d.toordinal() for d in self.holidays}
        on = {d.toordinal() for d in self.workdays}
        flags = bytearray(hi - lo + 1)
        cum: list[int] = []
        nth: list[int] = []
        count = _weekdays_before(lo)
        for i in range(hi - lo + 1):
            o = lo + i
            cum.append(count)
            if o in on or ((o - 1) % 7 < 5 and o not in off):
                flags[i] = 1
                nth.append(o)
                count += 1
        cum.append(count)
        set_(self, "_lo", lo)
        set_(self, "_flags", bytes(flags))
        set_(self, "_cum", tuple(cum))
        set_(self, "_nth", tuple(nth))
        set_(self, "_adj", count - _weekdays_before(hi + 1))

    # Ordinal arithmetic, the fast path of compute_due -----------------------------------------

    def _working(self, o: int) -> bool:
        i = o - self._lo
        if 0 <= i < len(self._flags):
            return self._flags[i] == 1
        return (o - 1) % 7 < 5

    def _count_before(self, o: int) -> int:
        """Working days with an ordinal below ``o`` (a rank, not a length)."""
        i = o - self._lo
        if i < 0:
            return _weekdays_before(o)
        if i < len(self._cum):
            return self._cum[i]
        return _weekdays_before(o) + self._adj

    def _kth(self, k: int) -> int:
        """Ordinal of the working day whose rank is ``k`` (inverse of ``_count_before``)."""
        j = k - self._cum[0]
        if j < 0:
            return _kth_weekday(k)
        if j < len(self._nth):
            return self._nth[j]
        return _kth_weekday(k - self._adj)

    def _loaded(self, first: int, last: int) -> bool:
        y0, y1 = date.fromordinal(first).year, date.fromordinal(last).year
        return all(y in self.years for y in range(y0, y1 + 1))

    # Public API --------------------------------------------------------------------------------

    def is_working_day(self, d: date) -> bool:
        """Whether ``d`` is a working day: a weekday that is not a holiday, or a make-up day."""
        return self._working(d.toordinal())

    def is_rest_day(self, d: date) -> bool:
        """Whether ``d`` is a weekend day or a statutory holiday, and not a make-up day."""
        return not self._working(d.toordinal())

    def next_working_day(self, d: date) -> date:
        """``d`` itself if it is a working day, else the first working day after it."""
        o = d.toordinal()
        return d if self._working(o) else date.fromordinal(self._kth(self._count_before(o)))

    def add_working_days(self, d: date, n: int) -> date:
        """The ``n``-th working day after ``d`` (before it if ``n`` < 0); ``d`` itself for 0.

        Examples
        --------
        >>> default_calendar().add_working_days(date(2026, 9, 29), 7)
        datetime.date(2026, 10, 14)
        >>> default_calendar().add_working_days(date(2026, 10, 14), -7)
        datetime.date(2026, 9, 29)
        """
        o = d.toordinal()
        if n > 0:
            return date.fromordinal(self._kth(self._count_before(o + 1) + n - 1))
        if n < 0:
            return date.fromordinal(self._kth(self._count_before(o) + n))
        return d

    def covers(self, d: date) -> bool:
        """Whether the official schedule of ``d``'s year is loaded."""
        return d.year in self.years


_KINDS = ("holiday", "workday")


def _parse(entries: Iterable[tuple[str, Mapping[str, str]]]) -> HolidayCalendar:
    """Check the rows and build the calendar; errors name the row (``where``)."""
    seen: dict[date, str] = {}
    holidays: set[date] = set()
    workdays: set[date] = set()
    years: set[int] = set()
    sources: dict[int, list[str]] = {}
    names: dict[date, str] = {}
    for where, row in entries:
        text = ",".join(str(row.get(k, "")) for k in ("date", "kind", "name"))
        try:
            d = date.fromisoformat(str(row.get("date", "")).strip())
        except ValueError:
            raise ValueError(f"{where} ({text}): not an ISO date") from None
        kind = str(row.get("kind", "")).strip()
        source = str(row.get("source", "") or "").strip()
        if kind not in _KINDS:
            raise ValueError(f"{where} ({text}): kind must be 'holiday' or 'workday'")
        if not source:
            raise ValueError(f"{where} ({text}): the source of the schedule is missing")
        if d in seen:
            raise ValueError(f"{where} ({text}): {d} is already listed ({seen[d]})")
        if kind == "workday" and d.weekday() < 5:
            raise ValueError(
                f"{where} ({text}): a make-up working day must be a Saturday or Sunday, "
                f"{d} is a {d.strftime('%A')}"
            )
        seen[d] = where
        (holidays if kind == "holiday" else workdays).add(d)
        year = int(row.get("year") or d.year)
        years.add(year)
        if source not in sources.setdefault(year, []):
            sources[year].append(source)
        names[d] = str(row.get("name", "") or "").strip()
    return HolidayCalendar(
        holidays=frozenset(holidays),
        workdays=frozenset(workdays),
        years=frozenset(years),
        sources={y: "; ".join(s) for y, s in sources.items()},
        names=names,
    )


def load_calendar(rows: Iterable[Mapping[str, str]]) -> HolidayCalendar:
    """Build a calendar from rows ``{date, kind, name, source[, year]}``.

    ``kind`` is ``"holiday"`` (a day off, bridged weekend days included) or ``"workday"`` (a
    Saturday or Sunday worked, 调休上班); ``year`` (optional) is the year of the notice.

    Raises
    ------
    ValueError
        Naming the row: a bad date or kind, no source, a date listed twice, or a ``workday`` that
        is not a Saturday or Sunday.

    Examples
    --------
    >>> src = "国务院办公厅关于2026年部分节假日安排的通知"
    >>> cal = load_calendar([
    ...     {"date": "2026-10-01", "kind": "holiday", "name": "国庆节", "source": src},
    ...     {"date": "2026-10-10", "kind": "workday", "name": "国庆节", "source": src},
    ... ])
    >>> cal.is_rest_day(date(2026, 10, 1)), cal.is_working_day(date(2026, 10, 10))
    (True, True)
    >>> rows = [{"date": "2026-10-09", "kind": "workday", "name": "x", "source": src}]
    >>> load_calendar(rows)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: row 1 (2026-10-09,workday,x): a make-up working day must be a Saturday or ...
    """
    return _parse((f"row {i}", row) for i, row in enumerate(rows, 1))


def _csv_entries(name: str, text: str) -> Iterator[tuple[str, Mapping[str, str]]]:
    reader = csv.DictReader(text.splitlines())
    for row in reader:
        yield f"{name} line {reader.line_num}", row


def load_calendar_csv(path: str | Path) -> HolidayCalendar:
    """Load one CSV file in the format of :func:`load_calendar` (errors name file and line).

    Examples
    --------
    >>> import tempfile, os
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     p = os.path.join(tmp, "2026.csv")
    ...     with open(p, "w", encoding="utf-8") as f:
    ...         _ = f.write("date,kind,name,source\\n2026-10-01,holiday,国庆节,notice\\n")
    ...     load_calendar_csv(p).is_rest_day(date(2026, 10, 1))
    True
    """
    p = Path(path)
    return _parse(_csv_entries(p.name, p.read_text(encoding="utf-8")))


@functools.cache
def default_calendar() -> HolidayCalendar:
    """The calendar of the files shipped in ``casemgr/refdata/holidays`` (read once, cached).

    Examples
    --------
    >>> sorted(default_calendar().years)
    [2025, 2026]
    """
    folder = resources.files("casemgr").joinpath("refdata", "holidays")
    files = sorted((f for f in folder.iterdir() if f.name.endswith(".csv")), key=lambda f: f.name)
    return _parse(e for f in files for e in _csv_entries(f.name, f.read_text(encoding="utf-8")))


# ------------------------------------------------------------------------------------------------
# Rules, stops and due dates
# ------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Rule:
    """A legal period: how long, in which unit, from which event, under which article.

    Parameters
    ----------
    code : str
        Stable key, e.g. ``"admin.decision"``.
    amount : int
        Length of the period (≥ 1) in ``unit``.
    unit : Unit
        How the period is counted.
    basis : Basis
        The citations of the rule (law, articles, note), ``recalled`` where DOMAIN.md marks
        them [R]; :func:`casemgr.legalbasis.render_basis` renders them in either language.
    title : str
        English msgid marked with ``N_`` whose zh-CN translation is the name officers use,
        e.g. ``"Time limit for the penalty decision"`` (作出处罚决定期限).
    start_event : str
        The event whose day starts the clock (the day itself not counted).
    pausable : bool
        Whether clock stops extend this period; stops passed for other rules are ignored.
    roll_to_working_day : bool
        A period ending on a rest day ends on the next working day (衔接办法 2017 art. 38).
        Must be False for hour periods, which run continuously.
    waiting : bool
        A waiting period rather than a deadline: the act is lawful only *after* the due date
        (hearing notice, 催告 before court enforcement). Read conservatively: the earliest lawful
        day is the day after the due date [R].

    Examples
    --------
    >>> from casemgr.legalclock import RULES
    >>> RULES["admin.decision"].amount, RULES["admin.decision"].unit
    (90, <Unit.CALENDAR_DAY: 'calendar_day'>)
    >>> RULES["admin.decision.extension_1"].as_extension()
    (30, <Unit.CALENDAR_DAY: 'calendar_day'>)
    >>> from casemgr.legalbasis import basis_text
    >>> basis_text(RULES["admin.fine_payment"].basis)
    'Administrative Penalty Law (2021) art. 67'
    """

    code: str
    amount: int
    unit: Unit
    basis: Basis
    title: str
    start_event: str
    pausable: bool = True
    roll_to_working_day: bool = True
    waiting: bool = False

    def __post_init__(self) -> None:
        if self.amount < 1:
            raise ValueError(f"rule {self.code}: the period must be at least 1, not {self.amount}")
        if self.unit is Unit.HOUR and self.roll_to_working_day:
            raise ValueError(f"rule {self.code}: hour periods run continuously and never roll")
        if not self.basis or not all(isinstance(c, Citation) for c in self.basis):
            raise ValueError(f"rule {self.code}: the basis must be a non-empty tuple of Citation")

    def as_extension(self) -> tuple[int, Unit]:
        """This rule's period as an ``extensions`` item for :func:`compute_due`."""
        return (self.amount, self.unit)


@dataclass(frozen=True, slots=True)
class ClockStop:
    """Days on which the clock does not run (中止, 不计入期限), both ends included.

    ``end=None`` means the stop is still running. Stops are whole days, for hour periods too.

    Examples
    --------
    >>> ClockStop(date(2026, 4, 1), date(2026, 4, 12), "hearing").days
    12
    """

    start: date
    end: date | None
    reason: str = ""

    def __post_init__(self) -> None:
        if self.end is not None and self.end < self.start:
            raise ValueError(f"clock stop ({self.reason}) ends {self.end} before {self.start}")

    @property
    def days(self) -> int | None:
        """Length in days, None while the stop is running."""
        return None if self.end is None else (self.end - self.start).days + 1


@dataclass(frozen=True, slots=True)
class Due:
    """A computed deadline.

    Attributes
    ----------
    rule : Rule
    start : date or datetime
        The start event's day (its time for hour periods); not counted.
    due : date or datetime
        The last day of the period (for a waiting period: the last day before the act).
    paused_days : int
        Calendar days of clock stops inside the running period (for working-day rules only the
        stopped working days among them move the due date).
    paused : bool
        A clock stop is running: ``due`` assumes it ends on the ``today`` given.
    provisional : bool
        The result depends on a year whose holiday schedule is not loaded.
    """

    rule: Rule
    start: date | datetime
    due: date | datetime
    paused_days: int = 0
    paused: bool = False
    provisional: bool = False

    @property
    def due_date(self) -> date:
        """The due day, also for hour periods."""
        return _as_date(self.due)


def _as_date(d: date) -> date:
    return d.date() if isinstance(d, datetime) else d


def _add_months(o: int, n: int) -> int:
    """Same day ``n`` months later, clamped to the month's end (民法典 art. 202 style)."""
    d = date.fromordinal(o)
    y, m = divmod(d.month - 1 + n, 12)
    y, m = d.year + y, m + 1
    if m == 2:
        last = 29 if (y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)) else 28
    else:
        last = 30 if m in (4, 6, 9, 11) else 31
    return date(y, m, d.day if d.day <= last else last).toordinal()


def _intervals(stops: Sequence[ClockStop], after: int, today: date | None) -> list[list[int]]:
    """Stops as merged ``[first, last, open]`` ordinals, clipped to days after ``after``."""
    spans: list[list[int]] = []
    for stop in stops:
        if stop.end is None:
            if today is None:
                raise ValueError(f"clock stop ({stop.reason}) is still running: pass today=")
            if today < stop.start:
                raise ValueError(f"clock stop ({stop.reason}) starts {stop.start}, after today")
            last, is_open = today.toordinal(), 1
        else:
            last, is_open = stop.end.toordinal(), 0
        first = max(stop.start.toordinal(), after + 1)
        if is_open:  # kept even while still empty: the clock is stopped from its next day on
            spans.append([first, max(last, first - 1), 1])
        elif last >= first:
            spans.append([first, last, 0])
    spans.sort()
    merged: list[list[int]] = []
    for span in spans:
        if merged and span[0] <= merged[-1][1] + 1:
            top = merged[-1]
            top[1], top[2] = max(top[1], span[1]), top[2] | span[2]
        else:
            merged.append(span)
    return merged


def compute_due(
    rule: Rule,
    start: date,
    *,
    calendar: HolidayCalendar,
    stops: Sequence[ClockStop] = (),
    extensions: Sequence[tuple[int, Unit]] = (),
    today: date | None = None,
) -> Due:
    """Compute the due date of ``rule`` started on ``start``.

    1. The start day is not counted (刑事诉讼法 art. 105; 衔接办法 2017 art. 38): calendar days
       give ``start + n``; working days the n-th working day after ``start``; months the same
       day n months later, clamped to the month's end (Jan 31 + 1 month = Feb 28/29); hours
       ``start + n`` hours. ``extensions`` in the rule's unit lengthen the period (e.g. 90 + 30
       days, not 90 days then 30); other units are added after it, in order.
    2. Stops (only for a ``pausable`` rule): each stopped day after the start day that falls
       within the running period, up to the due date as it moves, pushes the due date one day;
       for working-day rules only stopped working days push it, by working days
       (生态环境行政处罚办法 2023 art. 57). A running stop counts up to ``today``. Hour
       periods take whole-day stops: each adds 24 hours.
    3. Roll: if ``rule.roll_to_working_day`` and the due day is a rest day, the next working day
       (衔接办法 2017 art. 38).

    Parameters
    ----------
    rule : Rule
    start : date or datetime
        A datetime for hour rules; for day rules a datetime is reduced to its day.
    calendar : HolidayCalendar
    stops : sequence of ClockStop
        May overlap; a stop before or on the start day is ignored.
    extensions : sequence of (int, Unit)
        Approved extensions, e.g. ``(RULES["admin.decision.extension_1"].as_extension(),)``.
    today : date, optional
        Required when a stop is still running.

    Returns
    -------
    Due

    Raises
    ------
    ValueError
        A running stop without ``today``, a stop starting after ``today``, a non-positive
        extension, an hour extension on a day rule (or the reverse), an hour rule without a time.

    Examples
    --------
    >>> cal = default_calendar()
    >>> from casemgr.legalclock import RULES
    >>> compute_due(RULES["admin.decision"], date(2026, 3, 5), calendar=cal).due
    datetime.date(2026, 6, 3)
    >>> stop = ClockStop(date(2026, 4, 1), date(2026, 4, 12), "hearing (听证)")
    >>> d = compute_due(RULES["admin.decision"], date(2026, 3, 5), calendar=cal, stops=[stop])
    >>> d.due, d.paused_days
    (datetime.date(2026, 6, 15), 12)
    >>> compute_due(RULES["admin.decision_service"], date(2026, 9, 29), calendar=cal).due
    datetime.date(2026, 10, 14)
    """
    unit = rule.unit
    if unit is Unit.HOUR:
        return _compute_hours(rule, start, stops, extensions, today)
    day = start.date() if isinstance(start, datetime) else start
    amount = rule.amount
    later: list[tuple[int, Unit]] = []
    for n, u in extensions:
        if n < 1 or u is Unit.HOUR:
            raise ValueError(f"rule {rule.code}: invalid extension ({n}, {u})")
        if u is unit:
            amount += n
        else:
            later.append((n, u))
    cal = calendar
    end = day.toordinal()
    consulted = 0  # first ordinal whose rest/working status the result depends on (0: none)
    for n, u in [(amount, unit), *later]:
        if u is Unit.CALENDAR_DAY:
            end += n
        elif u is Unit.WORKING_DAY:
            consulted = consulted or end + 1
            end = cal._kth(cal._count_before(end + 1) + n - 1)
        else:
            end = _add_months(end, n)
    paused_days = 0
    paused = False
    if stops and rule.pausable:
        spans = _intervals(stops, day.toordinal(), today)
        by_working_days = unit is Unit.WORKING_DAY
        for first, last, is_open in spans:
            if first > end:
                break
            paused_days += last - first + 1
            paused = paused or is_open == 1
            if by_working_days:
                stopped = cal._count_before(last + 1) - cal._count_before(first)
                if stopped:
                    end = cal._kth(cal._count_before(end + 1) - 1 + stopped)
            else:
                end += last - first + 1
    if rule.roll_to_working_day:
        consulted = consulted or end
        if not cal._working(end):
            end = cal._kth(cal._count_before(end))
    provisional = consulted != 0 and not cal._loaded(consulted, end)
    return Due(rule, day, date.fromordinal(end), paused_days, paused, provisional)


def _compute_hours(
    rule: Rule,
    start: date,
    stops: Sequence[ClockStop],
    extensions: Sequence[tuple[int, Unit]],
    today: date | None,
) -> Due:
    if not isinstance(start, datetime):
        raise ValueError(f"rule {rule.code} counts hours: start must be a datetime")
    hours = rule.amount
    for n, u in extensions:
        if n < 1 or u is not Unit.HOUR:
            raise ValueError(f"rule {rule.code}: invalid extension ({n}, {u})")
        hours += n
    end = start + timedelta(hours=hours)
    paused_days = 0
    paused = False
    if stops and rule.pausable:
        for first, last, is_open in _intervals(stops, start.date().toordinal(), today):
            if first > end.date().toordinal():
                break
            paused_days += last - first + 1
            paused = paused or is_open == 1
            end += timedelta(days=last - first + 1)
    return Due(rule, start, end, paused_days, paused, False)


# ------------------------------------------------------------------------------------------------
# State, lateness and money
# ------------------------------------------------------------------------------------------------


def deadline_state(due: Due, *, done_on: date | None, today: date) -> DeadlineState:
    """State of a deadline given the day it was done (None: not yet) and today.

    For a waiting period (``rule.waiting``) acting on or before the due date is MISSED and a
    waiting period never becomes MISSED by the passing of time.

    Examples
    --------
    >>> from casemgr.legalclock import RULES
    >>> d = compute_due(RULES["admin.fine_payment"], date(2026, 3, 2), calendar=default_calendar())
    >>> d.due
    datetime.date(2026, 3, 17)
    >>> deadline_state(d, done_on=date(2026, 3, 17), today=date(2026, 4, 1))
    <DeadlineState.MET: 'met'>
    >>> deadline_state(d, done_on=None, today=date(2026, 3, 18))
    <DeadlineState.MISSED: 'missed'>
    """
    if isinstance(due.due, datetime) and isinstance(done_on, datetime):
        last: date = due.due
    else:
        last, done_on = due.due_date, None if done_on is None else _as_date(done_on)
    if due.rule.waiting:
        if done_on is not None:
            return DeadlineState.MET if done_on > last else DeadlineState.MISSED
        return DeadlineState.PAUSED if due.paused else DeadlineState.OPEN
    if done_on is not None:
        return DeadlineState.MET if done_on <= last else DeadlineState.MISSED
    if due.paused:
        return DeadlineState.PAUSED
    return DeadlineState.MISSED if _as_date(today) > due.due_date else DeadlineState.OPEN


def days_late(due: Due, today: date) -> int:
    """Calendar days past the due date (0 if not late).

    Examples
    --------
    >>> from casemgr.legalclock import RULES
    >>> d = compute_due(RULES["admin.fine_payment"], date(2026, 3, 2), calendar=default_calendar())
    >>> days_late(d, date(2026, 3, 27)), days_late(d, date(2026, 3, 1))
    (10, 0)
    """
    return max(0, (_as_date(today) - due.due_date).days)


def working_days_between(a: date, b: date, calendar: HolidayCalendar) -> int:
    """Working days in ``(a, b]`` (start day not counted); negative if ``b`` < ``a``.

    Examples
    --------
    >>> working_days_between(date(2026, 9, 29), date(2026, 10, 14), default_calendar())
    7
    """
    return calendar._count_before(b.toordinal() + 1) - calendar._count_before(a.toordinal() + 1)


def late_surcharge(fine_cents: int, days_late: int) -> int:
    """Late-payment surcharge (加处罚款): 3 % of the fine a day, at most the fine.

    行政处罚法 2021 art. 72. Whole cents, rounded down. Days during reconsideration or suit are
    not counted (art. 73): the caller passes the days that count.

    Examples
    --------
    >>> late_surcharge(1_000_000, 20), late_surcharge(1_000_000, 40)
    (600000, 1000000)
    """
    if fine_cents < 0 or days_late < 0:
        raise ValueError("fine and days late must not be negative")
    return min(fine_cents, fine_cents * 3 * days_late // 100)


def daily_penalty_total(fine_cents: int, order_served: date, recheck_found: date) -> int:
    """Daily continuous penalty (按日连续处罚): the original fine × the days counted.

    MEP Order 28 (环境保护主管部门实施按日连续处罚办法) arts. 17, 19; 环境保护法 art. 59: the days
    run from the day after the correction order is served to the day the re-check finds the
    violation, both included; a later refusal adds its own days (art. 17). Whether the re-check
    was within 30 days (art. 10) is a guard of the case lifecycle.

    Examples
    --------
    >>> daily_penalty_total(10_000_000, date(2026, 3, 2), date(2026, 3, 20))
    180000000
    """
    if recheck_found < order_served:
        raise ValueError(f"re-check {recheck_found} is before the order was served {order_served}")
    return fine_cents * (recheck_found - order_served).days
