"""Two-year inspection rounds (督察轮次): plan the on-site visits and re-check edited plans.

The province inspects (督察) every inspection unit — the nine prefecture-level divisions, Gui'an
New Area and the 省直管县 pilots — once per cycle. That the cycle lasts two years is the seed
plan's assumption, not a published Guizhou rule (DOMAIN.md §5.2 [A]), so the cycle is an input.
The on-site stay (督察进驻) lasts about one month per unit (DOMAIN.md §5.2 [V]), hence the default
of 30 days on site.

:func:`plan_round` builds the routine plan, :func:`check_plan` re-checks any set of visits (an
edited plan plus special inspections, 专项督察) and :func:`check_edit` keeps the breaches one edit
causes, so that the service can refuse it with the reason. All periods are inclusive dates. Dates
in ``params`` are ISO strings, so that errors and breaches serialise to JSON as they are.

Example
-------
>>> from datetime import date
>>> spec = RoundSpec(
...     date(2026, 1, 1), date(2027, 12, 31), units=("520100", "520200", "GA0001"),
...     teams=("T1", "T2"), blackouts=spring_festival_blackouts((2026, 2027)),
... )
>>> for visit in plan_round(spec):
...     print(visit.unit, visit.team, visit.start, visit.end)
520100 T1 2026-01-01 2026-01-30
520200 T2 2026-09-01 2026-09-30
GA0001 T1 2027-05-02 2027-05-31
>>> check_plan(spec, plan_round(spec))
()
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from types import MappingProxyType

from casemgr.i18n import N_
from casemgr.planning.round_messages import BREACH_MESSAGES, PLAN_ERROR_MESSAGES

__all__ = [
    "BREACH_MESSAGES",
    "LUNAR_NEW_YEAR",
    "PLAN_ERROR_MESSAGES",
    "ROUTINE",
    "SPECIAL",
    "Blackout",
    "Breach",
    "PlanError",
    "RoundSpec",
    "Visit",
    "check_edit",
    "check_plan",
    "plan_round",
    "spring_festival_blackouts",
]

ROUTINE = N_("routine")  # 例行督察: every unit exactly once per cycle
SPECIAL = N_("special")  # 专项督察: any unit, any time in the cycle, no coverage duty
_KINDS = frozenset({ROUTINE, SPECIAL})

# First day of the lunar year (正月初一), an astronomical fact (computed under GB/T 33661-2017
# 农历的编算和颁行). Spring Festival (春节) is the period when no team is sent on site.
LUNAR_NEW_YEAR: Mapping[int, date] = MappingProxyType(
    {
        2024: date(2024, 2, 10),
        2025: date(2025, 1, 29),
        2026: date(2026, 2, 17),
        2027: date(2027, 2, 6),
        2028: date(2028, 1, 26),
        2029: date(2029, 2, 13),
        2030: date(2030, 2, 3),
        2031: date(2031, 1, 23),
        2032: date(2032, 2, 11),
    }
)

# A cycle beyond three years is a typing error, not a plan: the seed cycle is two years.
_MAX_CYCLE_YEARS = 3
# Spread factors tried in turn, in quarters of the even spacing (see plan_round).
_SPREADS = (4, 3, 2, 1, 0)


class PlanError(ValueError):
    """A round specification that cannot be planned or checked.

    Attributes
    ----------
    code : str
        ``no_units``, ``no_teams``, ``duplicate_unit``, ``duplicate_team``, ``bad_cycle``,
        ``bad_days``, ``bad_blackout``, ``unit_too_long``, ``capacity`` or ``unknown_year``.
    field : str
        The :class:`RoundSpec` field (or argument) at fault.
    params : dict[str, object]
        The numbers and names of the message (see :data:`PLAN_ERROR_MESSAGES`), JSON-ready.
    """

    def __init__(self, code: str, field: str, **params: object) -> None:
        template = PLAN_ERROR_MESSAGES.get(f"{code}/{field}", PLAN_ERROR_MESSAGES.get(code, code))
        super().__init__(template.format(field=field, **params))
        self.code = code
        self.field = field
        self.params: dict[str, object] = params


@dataclass(frozen=True, slots=True)
class Blackout:
    """A period, inclusive, with no on-site day, e.g. Spring Festival (春节)."""

    name: str
    start: date
    end: date


@dataclass(frozen=True, slots=True)
class RoundSpec:
    """What a round must achieve and with what.

    ``unit_days`` overrides ``days_on_site`` per unit. ``rest_days`` is the minimum number of days
    between two on-site periods of one team (report and preparation, 督察报告 and 督察准备);
    ``unit_gap_days`` the minimum number of days between two on-site periods of different teams in
    one unit (0: they must only not overlap).
    """

    cycle_start: date
    cycle_end: date
    units: Sequence[str]
    teams: Sequence[str]
    days_on_site: int = 30
    unit_days: Mapping[str, int] = field(default_factory=dict)
    blackouts: Sequence[Blackout] = ()
    rest_days: int = 14
    unit_gap_days: int = 0


@dataclass(frozen=True, slots=True)
class Visit:
    """An on-site period (督察进驻) of a team in a unit, inclusive.

    ``kind`` is :data:`ROUTINE` (例行) or :data:`SPECIAL` (专项); ``ref`` is the caller's opaque id
    (a database id), unique within a plan, that breaches point to.
    """

    unit: str
    team: str
    start: date
    end: date
    kind: str = ROUTINE
    ref: str = ""

    def __post_init__(self) -> None:
        if self.kind not in _KINDS:
            raise ValueError(f"visit kind must be 'routine' or 'special', not {self.kind!r}")


@dataclass(frozen=True, slots=True)
class Breach:
    """One constraint a set of visits breaks; ``refs`` are the refs of the visits involved.

    ``params`` always hold the fields that :data:`BREACH_MESSAGES` uses for the code.
    """

    code: str
    refs: tuple[str, ...]
    params: dict[str, object]
    message: str


def spring_festival_blackouts(
    years: Iterable[int], days_before: int = 7, days_after: int = 10
) -> tuple[Blackout, ...]:
    """Spring Festival (春节) blackouts around each year's lunar new year.

    Parameters
    ----------
    years : iterable of int
        Gregorian years, each in :data:`LUNAR_NEW_YEAR` (2024-2032).
    days_before, days_after : int
        Days blacked out before and after the new year's day; the default covers the statutory
        holiday (Feb 15-23 in 2026, DOMAIN.md §1) and the weeks when offices are half empty.

    Raises
    ------
    PlanError
        ``unknown_year`` for a year outside the table, ``bad_days`` for a negative margin.

    Examples
    --------
    >>> [(b.name, str(b.start), str(b.end)) for b in spring_festival_blackouts([2026, 2027])]
    [('Spring Festival 2026', '2026-02-10', '2026-02-27'), ('Spring Festival 2027', '2027-01-30', '2027-02-16')]
    """  # noqa: E501 - a doctest output line
    for name, days in (("days_before", days_before), ("days_after", days_after)):
        if days < 0:
            raise PlanError("bad_days", name, days=days, minimum=0)
    out = []
    for year in years:
        if year not in LUNAR_NEW_YEAR:
            first, last = min(LUNAR_NEW_YEAR), max(LUNAR_NEW_YEAR)
            raise PlanError("unknown_year", "years", year=year, first=first, last=last)
        day = LUNAR_NEW_YEAR[year]
        start, end = day - timedelta(days_before), day + timedelta(days_after)
        out.append(Blackout(f"Spring Festival {year}", start, end))
    return tuple(out)


def plan_round(spec: RoundSpec) -> tuple[Visit, ...]:
    """Plan the routine visits (例行督察) of one cycle: each unit once, spread over the cycle.

    Unit ``i`` of ``n`` (in the given order) gets the target start ``i * L / n`` days into the
    cycle of ``L`` days and goes to the team that can start it earliest on or after the target
    (past blackouts, the team's other visits and its rest days); ties go to the team with fewer
    visits, then to the team listed first, so that equal units go round-robin. When this even
    spread leaves a unit unplaced, the targets are compressed towards the cycle start (3/4, 1/2,
    1/4 of the spacing, then none) before giving up. Same spec, same plan.

    Parameters
    ----------
    spec : RoundSpec

    Returns
    -------
    tuple of Visit
        Routine visits with empty refs, by start date.

    Raises
    ------
    PlanError
        Invalid spec (see :class:`PlanError`); ``unit_too_long`` when a unit's stay fits in no
        stretch between blackouts; ``capacity`` when the teams cannot place every unit, with
        ``needed`` on-site team-days vs. ``available`` (teams x days outside blackouts).

    Examples
    --------
    >>> from datetime import date
    >>> spec = RoundSpec(date(2026, 1, 1), date(2026, 6, 30), units=("520100", "520200"),
    ...                  teams=("T1",), unit_days={"520200": 20})
    >>> [(v.unit, v.start.isoformat(), v.end.isoformat()) for v in plan_round(spec)]
    [('520100', '2026-01-01', '2026-01-30'), ('520200', '2026-04-01', '2026-04-20')]
    """
    _validate(spec)
    blocked = _blocked_days(spec)
    length, n = len(blocked), len(spec.units)
    days = {unit: spec.unit_days.get(unit, spec.days_on_site) for unit in spec.units}
    # prev_block[d]: the last blacked-out day <= d (-1 if none), to jump past blackouts at once.
    prev_block, last = [], -1
    for offset, is_blocked in enumerate(blocked):
        last = offset if is_blocked else last
        prev_block.append(last)
    longest = max(d - prev_block[d] for d in range(length))  # the longest run of free days
    for unit in spec.units:
        if days[unit] > longest:
            field_name = "unit_days" if unit in spec.unit_days else "days_on_site"
            raise PlanError(
                "unit_too_long", field_name, unit=unit, days=days[unit], longest_window=longest
            )
    unplaced: list[str] = []
    for quarters in _SPREADS:
        targets = [
            min(i * length * quarters // (4 * n), length - days[unit])
            for i, unit in enumerate(spec.units)
        ]
        placed, unplaced = _place(spec, days, targets, prev_block)
        if not unplaced:
            first = spec.cycle_start
            return tuple(
                Visit(unit, team, first + timedelta(s), first + timedelta(s + days[unit] - 1))
                for s, _, unit, team in sorted(placed)
            )
    needed, free = sum(days.values()), length - sum(blocked)
    available = len(spec.teams) * free
    # needed <= available is necessary, not sufficient: rest days and the ~1-month stays may
    # still not fit between blackouts, so name the units left over as well.
    numbers = {"needed": needed, "available": available, "free_days": free, "units": n}
    other = {
        "teams": len(spec.teams),
        "rest_days": spec.rest_days,
        "left_over": ", ".join(unplaced),
    }
    cycle = {"cycle_start": str(spec.cycle_start), "cycle_end": str(spec.cycle_end)}
    raise PlanError("capacity", "teams", **numbers, **other, **cycle, unplaced=tuple(unplaced))


def check_plan(spec: RoundSpec, visits: Sequence[Visit]) -> tuple[Breach, ...]:
    """Every constraint that ``visits`` break, routine and special (专项) visits alike.

    Per visit: ``bad_period`` (then nothing else about it), ``unknown_unit``, ``unknown_team``,
    ``outside_cycle``, ``in_blackout`` (one per blackout touched). Per pair: ``team_overlap``
    (one team, overlapping or fewer than ``rest_days`` days apart) and ``unit_overlap`` (two teams
    in one unit at once, or fewer than ``unit_gap_days`` days apart). Per unit, counting routine
    visits only: ``unit_missing`` (no refs) and ``unit_twice``. See :data:`BREACH_MESSAGES`.

    Parameters
    ----------
    spec : RoundSpec
    visits : sequence of Visit
        Refs should be unique, or the breaches cannot tell the visits apart.

    Returns
    -------
    tuple of Breach
        In the order above, visits and pairs in the order given; empty when the plan holds.

    Raises
    ------
    PlanError
        When the spec itself is invalid (the checks of :func:`plan_round` before feasibility).

    Examples
    --------
    >>> from datetime import date
    >>> spec = RoundSpec(date(2026, 1, 1), date(2027, 12, 31), units=("520100",), teams=("T1",))
    >>> visit = Visit("520100", "T1", date(2028, 1, 1), date(2028, 1, 30), ref="7")
    >>> [(b.code, b.refs, b.message) for b in check_plan(spec, [visit])]
    [('outside_cycle', ('7',), 'routine visit of team T1 to 520100 (2028-01-01..2028-01-30) is not within the cycle 2026-01-01..2027-12-31')]
    """  # noqa: E501 - a doctest output line
    _validate(spec)
    breaches: list[Breach] = []
    valid: list[Visit] = []
    cycle = {"cycle_start": str(spec.cycle_start), "cycle_end": str(spec.cycle_end)}
    for v in visits:
        if v.end < v.start:
            breaches.append(_breach("bad_period", v))
            continue
        valid.append(v)
        if v.unit not in spec.units:
            breaches.append(_breach("unknown_unit", v))
        if v.team not in spec.teams:
            breaches.append(_breach("unknown_team", v))
        if v.start < spec.cycle_start or v.end > spec.cycle_end:
            breaches.append(_breach("outside_cycle", v, **cycle))
        for out in spec.blackouts:
            first, last = max(v.start, out.start), min(v.end, out.end)
            if first <= last:
                period = {"blackout_start": str(out.start), "blackout_end": str(out.end)}
                days = (last - first).days + 1
                breaches.append(_breach("in_blackout", v, blackout=out.name, days=days, **period))
    for i, a in enumerate(valid):
        for b in valid[i + 1 :]:
            if a.team == b.team:
                breaches.extend(_pair("team_overlap", a, b, spec.rest_days, "rest"))
            elif a.unit == b.unit:
                breaches.extend(_pair("unit_overlap", a, b, spec.unit_gap_days, "gap"))
    for unit in spec.units:
        # A broken or misplaced routine visit still counts: it has its own breach already.
        routine = [v for v in visits if v.unit == unit and v.kind == ROUTINE]
        params: dict[str, object] = {"unit": unit, **cycle}
        if not routine:
            breaches.append(Breach("unit_missing", (), params, _message("unit_missing", params)))
        elif len(routine) > 1:
            params |= {
                "count": len(routine),
                "teams": tuple(v.team for v in routine),
                "visits": "; ".join(f"team {v.team} {v.start}..{v.end}" for v in routine),
            }
            refs = tuple(v.ref for v in routine)
            breaches.append(Breach("unit_twice", refs, params, _message("unit_twice", params)))
    return tuple(breaches)


def check_edit(spec: RoundSpec, visits: Sequence[Visit], changed: Visit) -> tuple[Breach, ...]:
    """The breaches an edit causes: those involving ``changed`` or absent before the edit.

    ``changed`` replaces the visit of ``visits`` with the same ref, or is added (a new special
    inspection: give it a provisional ref). A breach absent before the edit is reported even
    without ``changed``'s ref: moving a unit's routine visit elsewhere leaves it ``unit_missing``.
    A ``ValueError`` is raised when ``changed`` has no ref: it could not be told apart.

    Examples
    --------
    >>> from datetime import date
    >>> spec = RoundSpec(date(2026, 1, 1), date(2026, 12, 31), units=("520100", "520200"),
    ...                  teams=("T1", "T2"))
    >>> plan = [Visit("520100", "T1", date(2026, 3, 1), date(2026, 3, 30), ref="1"),
    ...         Visit("520200", "T2", date(2026, 6, 1), date(2026, 6, 30), ref="2")]
    >>> moved = Visit("520100", "T2", date(2026, 6, 10), date(2026, 7, 9), ref="1")
    >>> [(b.code, b.refs, b.params["reason"]) for b in check_edit(spec, plan, moved)]
    [('team_overlap', ('2', '1'), 'overlap')]
    """
    if not changed.ref:
        raise ValueError("check_edit needs the ref of the changed visit")
    after = [changed if v.ref == changed.ref else v for v in visits]
    if not any(v.ref == changed.ref for v in visits):
        after.append(changed)
    before = check_plan(spec, visits)
    return tuple(b for b in check_plan(spec, after) if changed.ref in b.refs or b not in before)


def _validate(spec: RoundSpec) -> None:
    """Raise the first :class:`PlanError` that the spec deserves, in the documented order."""
    if error := next(_spec_errors(spec), None):
        raise error


def _spec_errors(spec: RoundSpec) -> Iterator[PlanError]:
    if not spec.units:
        yield PlanError("no_units", "units")
    if not spec.teams:
        yield PlanError("no_teams", "teams")
    for i, unit in enumerate(spec.units):
        if unit in spec.units[:i]:
            yield PlanError("duplicate_unit", "units", unit=unit)
    for i, team in enumerate(spec.teams):
        if team in spec.teams[:i]:
            yield PlanError("duplicate_team", "teams", team=team)
    start, end = spec.cycle_start, spec.cycle_end
    try:
        max_end = start.replace(year=start.year + _MAX_CYCLE_YEARS) - timedelta(1)
    except ValueError:  # 29 February
        max_end = date(start.year + _MAX_CYCLE_YEARS, 2, 28)
    if end < start or end > max_end:
        cycle = {"cycle_start": str(start), "cycle_end": str(end), "max_end": str(max_end)}
        yield PlanError("bad_cycle", "cycle_end", **cycle)
    if spec.days_on_site < 1:
        yield PlanError("bad_days", "days_on_site", days=spec.days_on_site, minimum=1)
    for unit, days in spec.unit_days.items():
        if unit not in spec.units or days < 1:
            yield PlanError("bad_days", "unit_days", unit=unit, days=days, minimum=1)
    for name, value in (("rest_days", spec.rest_days), ("unit_gap_days", spec.unit_gap_days)):
        if value < 0:
            yield PlanError("bad_days", name, days=value, minimum=0)
    for b in spec.blackouts:
        if b.end < b.start:
            period = {"start": str(b.start), "end": str(b.end)}
            yield PlanError("bad_blackout", "blackouts", name=b.name, **period)


def _blocked_days(spec: RoundSpec) -> list[bool]:
    """Per day of the cycle, whether a blackout covers it."""
    length = (spec.cycle_end - spec.cycle_start).days + 1
    blocked = [False] * length
    for b in spec.blackouts:
        first = max((b.start - spec.cycle_start).days, 0)
        last = min((b.end - spec.cycle_start).days, length - 1)
        for offset in range(first, last + 1):
            blocked[offset] = True
    return blocked


def _place(
    spec: RoundSpec, days: Mapping[str, int], targets: Sequence[int], prev_block: Sequence[int]
) -> tuple[list[tuple[int, int, str, str]], list[str]]:
    """Greedy list scheduling; returns (start, unit index, unit, team) rows and unplaced units."""
    busy: dict[str, list[tuple[int, int]]] = {team: [] for team in spec.teams}
    placed: list[tuple[int, int, str, str]] = []
    unplaced: list[str] = []
    for index, (unit, target) in enumerate(zip(spec.units, targets, strict=True)):
        best: tuple[tuple[int, int, int], str] | None = None
        for rank, team in enumerate(spec.teams):
            start = _earliest_start(busy[team], target, days[unit], spec.rest_days, prev_block)
            if start is not None and (best is None or (start, len(busy[team]), rank) < best[0]):
                best = ((start, len(busy[team]), rank), team)
        if best is None:
            unplaced.append(unit)
            continue
        (start, _, _), team = best
        busy[team].append((start, start + days[unit] - 1))
        placed.append((start, index, unit, team))
    return placed, unplaced


def _earliest_start(
    busy: Sequence[tuple[int, int]], target: int, days: int, rest: int, prev_block: Sequence[int]
) -> int | None:
    """First start >= target with no blackout day and ``rest`` days clear of the team's visits."""
    start = target
    while start + days <= len(prev_block):
        end = start + days - 1
        if prev_block[end] >= start:
            start = prev_block[end] + 1
            continue
        for first, last in busy:
            # Every start up to last + rest collides with this visit too: jump past them all.
            if start <= last + rest and first <= end + rest:
                start = last + rest + 1
                break
        else:
            return start
    return None


def _message(code: str, params: Mapping[str, object]) -> str:
    return BREACH_MESSAGES[code].format(**params)


def _breach(code: str, v: Visit, **extra: object) -> Breach:
    params: dict[str, object] = {
        "unit": v.unit,
        "team": v.team,
        "kind": v.kind,
        "start": str(v.start),
        "end": str(v.end),
        **extra,
    }
    return Breach(code, (v.ref,), params, _message(code, params))


def _pair(code: str, a: Visit, b: Visit, minimum: int, what: str) -> list[Breach]:
    """A pair breach when the two periods overlap or are fewer than ``minimum`` days apart."""
    a, b = sorted((a, b), key=lambda v: (v.start, v.end))
    gap = (b.start - a.end).days - 1  # days strictly between the two periods
    if gap >= minimum:
        return []
    reason, days = ("overlap", (min(a.end, b.end) - b.start).days + 1) if gap < 0 else (what, gap)
    params: dict[str, object] = {
        "reason": reason,
        "days": days,
        "minimum": minimum,
        "teams": (a.team, b.team),
        "units": (a.unit, b.unit),
        "periods": (f"{a.start}..{a.end}", f"{b.start}..{b.end}"),
    }
    return [Breach(code, (a.ref, b.ref), params, _message(f"{code}/{reason}", params))]
