"""Two-year inspection rounds (督察轮次): the planner, the plan checker and the edit checker."""

from __future__ import annotations

import doctest
from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta
from itertools import combinations
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casemgr.planning import rounds
from casemgr.planning.rounds import (
    BREACH_MESSAGES,
    LUNAR_NEW_YEAR,
    PLAN_ERROR_MESSAGES,
    SPECIAL,
    Blackout,
    Breach,
    PlanError,
    RoundSpec,
    Visit,
    check_edit,
    check_plan,
    plan_round,
    spring_festival_blackouts,
)

# The 9 prefecture-level divisions, Gui'an New Area and the two 省直管县 pilots (DOMAIN.md §5.3).
UNITS = (
    "520100",
    "520200",
    "520300",
    "520400",
    "520500",
    "520600",
    "522300",
    "522600",
    "522700",
    "GA0001",
    "520382",
    "520526",
)
TEAMS = ("T1", "T2", "T3")
CYCLE_START, CYCLE_END = date(2026, 1, 1), date(2027, 12, 31)
SPEC = RoundSpec(
    CYCLE_START,
    CYCLE_END,
    UNITS,
    TEAMS,
    days_on_site=30,
    blackouts=spring_festival_blackouts((2026, 2027)),
)
BREACH_CODES = {key.split("/")[0] for key in BREACH_MESSAGES}
D = date


def refd(plan: tuple[Visit, ...]) -> list[Visit]:
    """The plan with each visit's ref set to ``v-<unit>``, as a service would after saving it."""
    return [replace(v, ref=f"v-{v.unit}") for v in plan]


PLAN = refd(plan_round(SPEC))


def by_unit(visits: list[Visit], unit: str) -> Visit:
    return next(v for v in visits if v.unit == unit)


def days_between(a: Visit, b: Visit) -> int:
    """Days strictly between two periods, negative when they overlap (independent of the module)."""
    first, second = sorted((a, b), key=lambda v: v.start)
    return (second.start - first.end).days - 1


# --- the generated 2026-2027 plan -------------------------------------------------------------


def test_generated_plan_inspects_each_unit_exactly_once() -> None:
    assert sorted(v.unit for v in PLAN) == sorted(UNITS)
    assert all(v.kind == "routine" for v in PLAN)


def test_generated_plan_keeps_each_unit_on_site_for_the_requested_days() -> None:
    assert {(v.end - v.start).days + 1 for v in PLAN} == {30}


def test_generated_plan_stays_within_the_cycle() -> None:
    assert all(CYCLE_START <= v.start <= v.end <= CYCLE_END for v in PLAN)


def test_generated_plan_has_no_on_site_day_in_spring_festival() -> None:
    for visit in PLAN:
        for blackout in SPEC.blackouts:
            assert visit.end < blackout.start or visit.start > blackout.end, (visit, blackout)


def test_generated_plan_never_puts_two_teams_in_one_unit_at_once() -> None:
    for a, b in combinations(PLAN, 2):
        if a.unit == b.unit:
            assert days_between(a, b) >= 0


def test_generated_plan_gives_each_team_its_rest_days_between_visits() -> None:
    for a, b in combinations(PLAN, 2):
        if a.team == b.team:
            assert days_between(a, b) >= SPEC.rest_days, (a, b)


def test_check_plan_finds_no_breach_in_the_generated_plan() -> None:
    assert check_plan(SPEC, PLAN) == ()


def test_generated_plan_spreads_visits_over_the_cycle() -> None:
    starts = sorted(v.start for v in PLAN)
    assert starts[0] < CYCLE_START + timedelta(days=182)  # first quarter
    assert starts[-1] > CYCLE_START + timedelta(days=365)  # last half
    # Every half-year of the cycle sees some visits start: nothing crammed at one end.
    for half in range(4):
        lo = CYCLE_START + timedelta(days=182 * half)
        assert any(lo <= s < lo + timedelta(days=183) for s in starts), half


def test_generated_plan_shares_units_round_robin_in_the_given_order() -> None:
    teams = [by_unit(PLAN, unit).team for unit in UNITS]
    assert teams == ["T1", "T2", "T3"] * 4


def test_generated_plan_moves_a_visit_past_spring_festival() -> None:
    # 522300's even target (2027-01-01) would run into Spring Festival 2027 (01-30..02-16).
    assert by_unit(PLAN, "522300").start == D(2027, 2, 17)


def test_plan_is_returned_by_start_date_with_empty_refs() -> None:
    plan = plan_round(SPEC)
    assert [v.start for v in plan] == sorted(v.start for v in plan)
    assert {v.ref for v in plan} == {""}


def test_same_spec_gives_the_same_plan() -> None:
    copy = RoundSpec(
        CYCLE_START,
        CYCLE_END,
        list(UNITS),
        list(TEAMS),
        unit_days={},
        blackouts=list(spring_festival_blackouts([2026, 2027])),
    )
    assert plan_round(SPEC) == plan_round(copy) == plan_round(SPEC)


def test_team_order_decides_who_takes_the_first_unit() -> None:
    plan = plan_round(replace(SPEC, teams=("T3", "T1", "T2")))
    assert by_unit(list(plan), "520100").team == "T3"


def test_unit_days_override_the_default_stay() -> None:
    plan = plan_round(replace(SPEC, unit_days={"522600": 45}))
    visit = by_unit(list(plan), "522600")
    assert (visit.end - visit.start).days + 1 == 45
    assert check_plan(replace(SPEC, unit_days={"522600": 45}), plan) == ()


def test_planner_compresses_the_spread_when_the_even_one_does_not_fit() -> None:
    # Even targets (day 0 and day 50) leave no room before the blackout from day 60; compressed
    # ones (day 0 and day 25) put the visits back to back.
    spec = RoundSpec(
        D(2026, 1, 1),
        D(2026, 4, 10),
        ("A", "B"),
        ("T1",),
        rest_days=0,
        blackouts=(Blackout("closed", D(2026, 3, 2), D(2026, 4, 10)),),
    )
    plan = plan_round(spec)
    assert [(v.start, v.end) for v in plan] == [
        (D(2026, 1, 1), D(2026, 1, 30)),
        (D(2026, 1, 31), D(2026, 3, 1)),
    ]


def test_more_teams_than_units_leaves_teams_idle() -> None:
    plan = plan_round(RoundSpec(CYCLE_START, CYCLE_END, ("520100",), TEAMS))
    assert [(v.unit, v.team) for v in plan] == [("520100", "T1")]


# --- Spring Festival blackouts -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("year", "new_year"),
    [
        (2024, D(2024, 2, 10)),
        (2025, D(2025, 1, 29)),
        (2026, D(2026, 2, 17)),
        (2027, D(2027, 2, 6)),
        (2028, D(2028, 1, 26)),
        (2029, D(2029, 2, 13)),
        (2030, D(2030, 2, 3)),
        (2031, D(2031, 1, 23)),
        (2032, D(2032, 2, 11)),
    ],
)
def test_spring_festival_blackout_runs_from_a_week_before_to_ten_days_after_new_year(
    year: int, new_year: date
) -> None:
    assert LUNAR_NEW_YEAR[year] == new_year
    (blackout,) = spring_festival_blackouts([year])
    assert blackout == Blackout(
        f"Spring Festival {year}", new_year - timedelta(days=7), new_year + timedelta(days=10)
    )


def test_spring_festival_2026_blackout_covers_the_statutory_holiday() -> None:
    (blackout,) = spring_festival_blackouts([2026])
    assert blackout.start <= D(2026, 2, 15) and D(2026, 2, 23) <= blackout.end  # DOMAIN.md §1


def test_spring_festival_margins_are_adjustable() -> None:
    (blackout,) = spring_festival_blackouts([2027], days_before=0, days_after=0)
    assert blackout.start == blackout.end == D(2027, 2, 6)


@pytest.mark.parametrize(
    ("kwargs", "code", "field"),
    [
        pytest.param({"years": [2023]}, "unknown_year", "years", id="before-table"),
        pytest.param({"years": [2026, 2033]}, "unknown_year", "years", id="after-table"),
        pytest.param({"years": [2026], "days_before": -1}, "bad_days", "days_before", id="before"),
        pytest.param({"years": [2026], "days_after": -1}, "bad_days", "days_after", id="after"),
    ],
)
def test_spring_festival_blackouts_refuse_what_the_table_cannot_answer(
    kwargs: dict[str, Any], code: str, field: str
) -> None:
    with pytest.raises(PlanError) as caught:
        spring_festival_blackouts(**kwargs)
    assert (caught.value.code, caught.value.field) == (code, field)
    if code == "unknown_year":
        assert "2024-2032" in str(caught.value)


# --- plan errors -------------------------------------------------------------------------------

SPRING_2026 = spring_festival_blackouts([2026])
WINTER = RoundSpec(D(2026, 1, 1), D(2026, 3, 31), ("520100",), ("T1",), blackouts=SPRING_2026)

# (spec, code, field, params expected among the error's params)
PLAN_ERRORS = [
    pytest.param(replace(SPEC, units=()), "no_units", "units", {}, id="no-units"),
    pytest.param(replace(SPEC, teams=[]), "no_teams", "teams", {}, id="no-teams"),
    pytest.param(
        replace(SPEC, units=(*UNITS, "520300")),
        "duplicate_unit",
        "units",
        {"unit": "520300"},
        id="duplicate-unit",
    ),
    pytest.param(
        replace(SPEC, teams=("T1", "T2", "T1")),
        "duplicate_team",
        "teams",
        {"team": "T1"},
        id="duplicate-team",
    ),
    pytest.param(
        replace(SPEC, cycle_end=D(2025, 12, 31)),
        "bad_cycle",
        "cycle_end",
        {"cycle_end": "2025-12-31"},
        id="end-before-start",
    ),
    pytest.param(
        replace(SPEC, cycle_end=D(2029, 1, 1)),
        "bad_cycle",
        "cycle_end",
        {"max_end": "2028-12-31"},
        id="longer-than-3-years",
    ),
    pytest.param(
        replace(SPEC, cycle_start=D(2028, 2, 29), cycle_end=D(2031, 3, 1)),
        "bad_cycle",
        "cycle_end",
        {"max_end": "2031-02-28"},
        id="3-years-from-29-february",
    ),
    pytest.param(
        replace(SPEC, days_on_site=0), "bad_days", "days_on_site", {"days": 0}, id="days-0"
    ),
    pytest.param(
        replace(SPEC, unit_days={"520100": 0}),
        "bad_days",
        "unit_days",
        {"unit": "520100", "days": 0},
        id="unit-days-0",
    ),
    pytest.param(
        replace(SPEC, unit_days={"520199": 20}),
        "bad_days",
        "unit_days",
        {"unit": "520199"},
        id="unit-days-unknown-unit",
    ),
    pytest.param(replace(SPEC, rest_days=-1), "bad_days", "rest_days", {"days": -1}, id="rest"),
    pytest.param(
        replace(SPEC, unit_gap_days=-2), "bad_days", "unit_gap_days", {"days": -2}, id="gap"
    ),
    pytest.param(
        replace(SPEC, blackouts=(Blackout("typo", D(2026, 5, 2), D(2026, 5, 1)),)),
        "bad_blackout",
        "blackouts",
        {"name": "typo"},
        id="blackout-backwards",
    ),
    pytest.param(
        replace(WINTER, days_on_site=41),  # Jan 1 - Feb 9 is the longest stretch: 40 days
        "unit_too_long",
        "days_on_site",
        {"unit": "520100", "days": 41, "longest_window": 40},
        id="too-long-default",
    ),
    pytest.param(
        replace(WINTER, unit_days={"520100": 91}),
        "unit_too_long",
        "unit_days",
        {"days": 91},
        id="too-long-override",
    ),
    pytest.param(
        replace(SPEC, teams=("T1",), days_on_site=90),
        "capacity",
        "teams",
        {"needed": 1080, "available": 694, "teams": 1, "free_days": 694},
        id="capacity-arithmetic",
    ),
    pytest.param(
        RoundSpec(D(2026, 1, 1), D(2026, 4, 10), ("A", "B", "C"), ("T1",), rest_days=30),
        "capacity",
        "teams",
        {"needed": 90, "available": 100, "unplaced": ("C",)},
        id="capacity-rest-days",
    ),
]


@pytest.mark.parametrize(("spec", "code", "field", "params"), PLAN_ERRORS)
def test_plan_round_raises_plan_error_naming_the_fault(
    spec: RoundSpec, code: str, field: str, params: dict[str, object]
) -> None:
    with pytest.raises(PlanError) as caught:
        plan_round(spec)
    error = caught.value
    assert isinstance(error, ValueError)
    assert (error.code, error.field) == (code, field)
    assert params.items() <= error.params.items()
    for value in params.values():
        if isinstance(value, str | int):
            assert str(value) in str(error)


def test_capacity_error_names_team_days_needed_and_available() -> None:
    with pytest.raises(PlanError) as caught:
        plan_round(replace(SPEC, teams=("T1",), days_on_site=90))
    assert str(caught.value).startswith(
        "12 units cannot be inspected in 2026-01-01..2027-12-31 by 1 team(s): 1080 team-days "
        "needed on site, 694 available outside blackouts (694 days x 1)"
    )


def test_a_cycle_of_exactly_three_years_is_accepted() -> None:
    spec = RoundSpec(D(2026, 1, 1), D(2028, 12, 31), ("520100",), ("T1",))
    assert len(plan_round(spec)) == 1


@pytest.mark.parametrize("spec", [p.values[0] for p in PLAN_ERRORS[:13]])
def test_check_plan_refuses_an_invalid_spec_like_plan_round(spec: RoundSpec) -> None:
    with pytest.raises(PlanError):
        check_plan(spec, PLAN)


def test_every_plan_error_code_has_a_message() -> None:
    codes = {str(p.values[1]) for p in PLAN_ERRORS} | {"unknown_year"}
    assert codes <= set(PLAN_ERROR_MESSAGES)


def test_visit_kind_must_be_routine_or_special() -> None:
    with pytest.raises(ValueError, match="'adhoc'"):
        Visit("520100", "T1", D(2026, 1, 1), D(2026, 1, 2), kind="adhoc")


# --- breaches from hand-made edits --------------------------------------------------------------

Edit = Callable[[list[Visit]], list[Visit]]


def move(unit: str, **changes: Any) -> Edit:
    return lambda plan: [replace(v, **changes) if v.unit == unit else v for v in plan]


def add(visit: Visit) -> Edit:
    return lambda plan: [*plan, visit]


def drop(unit: str) -> Edit:
    return lambda plan: [v for v in plan if v.unit != unit]


def special(unit: str, team: str, start: date, end: date) -> Visit:
    return Visit(unit, team, start, end, kind=SPECIAL, ref="sp")


# (edit, spec changes, code, refs, params expected, words of the message)
BREACHES = [
    pytest.param(
        drop("520100"),
        {},
        "unit_missing",
        (),
        {"unit": "520100"},
        ["520100", "no routine"],
        id="unit-missing",
    ),
    pytest.param(
        add(Visit("520100", "T3", D(2026, 8, 1), D(2026, 8, 30), ref="again")),
        {},
        "unit_twice",
        ("v-520100", "again"),
        {"unit": "520100", "count": 2, "teams": ("T1", "T3")},
        ["520100", "2 routine visits", "team T3 2026-08-01..2026-08-30"],
        id="unit-twice",
    ),
    pytest.param(
        add(special("520199", "T3", D(2026, 8, 1), D(2026, 8, 10))),
        {},
        "unknown_unit",
        ("sp",),
        {"unit": "520199", "kind": "special"},
        ["520199 is not a unit"],
        id="unknown-unit",
    ),
    pytest.param(
        move("520100", team="T9"),
        {},
        "unknown_team",
        ("v-520100",),
        {"team": "T9"},
        ["T9 is not a team"],
        id="unknown-team",
    ),
    pytest.param(
        move("520526", start=D(2027, 12, 15), end=D(2028, 1, 13)),
        {},
        "outside_cycle",
        ("v-520526",),
        {"cycle_end": "2027-12-31"},
        ["520526", "2028-01-13", "2026-01-01..2027-12-31"],
        id="outside-cycle",
    ),
    pytest.param(
        add(special("520300", "T1", D(2025, 12, 1), D(2025, 12, 10))),
        {},
        "outside_cycle",
        ("sp",),
        {"kind": "special"},
        ["special visit of team T1 to 520300"],
        id="special-outside-cycle",
    ),
    pytest.param(
        move("520200", start=D(2026, 2, 20), end=D(2026, 3, 21)),
        {},
        "in_blackout",
        ("v-520200",),
        {"blackout": "Spring Festival 2026", "days": 8},
        ["T2", "520200", "8 on-site days in Spring Festival 2026 (2026-02-10..2026-02-27)"],
        id="in-blackout",
    ),
    pytest.param(
        add(special("520300", "T3", D(2027, 2, 1), D(2027, 2, 3))),
        {},
        "in_blackout",
        ("sp",),
        {"blackout": "Spring Festival 2027", "days": 3},
        ["special visit", "Spring Festival 2027"],
        id="special-in-blackout",
    ),
    pytest.param(
        move("520200", team="T1", start=D(2026, 7, 10), end=D(2026, 8, 8)),
        {},
        "team_overlap",
        ("v-520400", "v-520200"),
        {"reason": "overlap", "days": 22, "teams": ("T1", "T1")},
        ["team T1 is in 520400 (2026-07-02..2026-07-31) and 520200", "22 days overlap"],
        id="team-overlap",
    ),
    pytest.param(
        move("520200", team="T1", start=D(2026, 8, 5), end=D(2026, 9, 3)),
        {},
        "team_overlap",
        ("v-520400", "v-520200"),
        {"reason": "rest", "days": 4, "minimum": 14},
        ["team T1 has only 4 rest days between 520400", "14 required"],
        id="team-without-rest",
    ),
    pytest.param(
        add(special("520300", "T1", D(2026, 5, 10), D(2026, 5, 20))),
        {},
        "unit_overlap",
        ("v-520300", "sp"),
        {"reason": "overlap", "days": 11, "teams": ("T3", "T1"), "units": ("520300", "520300")},
        ["teams T3 (2026-05-02..2026-05-31) and T1 (2026-05-10..2026-05-20)", "520300 for 11"],
        id="unit-overlap",
    ),
    pytest.param(
        add(special("520300", "T1", D(2026, 6, 5), D(2026, 6, 15))),
        {"unit_gap_days": 30},
        "unit_overlap",
        ("v-520300", "sp"),
        {"reason": "gap", "days": 4, "minimum": 30},
        ["team T1 comes to 520300", "only 4 days after team T3", "30 required"],
        id="unit-gap",
    ),
    pytest.param(
        move("520100", end=D(2025, 12, 31)),
        {},
        "bad_period",
        ("v-520100",),
        {"start": "2026-01-01", "end": "2025-12-31"},
        ["520100 ends 2025-12-31 before it starts 2026-01-01"],
        id="bad-period",
    ),
]


@pytest.mark.parametrize(("edit", "changes", "code", "refs", "params", "words"), BREACHES)
def test_check_plan_reports_the_breach_an_edit_makes(
    edit: Edit,
    changes: dict[str, Any],
    code: str,
    refs: tuple[str, ...],
    params: dict[str, object],
    words: list[str],
) -> None:
    spec = replace(SPEC, **changes)
    (breach,) = check_plan(spec, edit(PLAN))
    assert (breach.code, breach.refs) == (code, refs)
    assert params.items() <= breach.params.items()
    for word in words:
        assert word in breach.message


def test_a_special_visit_that_respects_teams_units_and_blackouts_is_no_breach() -> None:
    visits = [*PLAN, special("520300", "T1", D(2026, 3, 10), D(2026, 3, 24))]
    assert check_plan(SPEC, visits) == ()


def test_special_visits_do_not_cover_a_unit() -> None:
    visits = [*drop("520100")(PLAN), special("520100", "T1", D(2026, 1, 1), D(2026, 1, 30))]
    assert [b.code for b in check_plan(SPEC, visits)] == ["unit_missing"]


def test_a_visit_touching_two_blackouts_breaches_each() -> None:
    spec = replace(
        SPEC, blackouts=(*SPEC.blackouts, Blackout("audit", D(2026, 1, 20), D(2026, 1, 21)))
    )
    visits = move("520200", start=D(2026, 1, 15), end=D(2026, 2, 13))(PLAN)
    found = [(b.code, b.params.get("blackout")) for b in check_plan(spec, visits)]
    assert ("in_blackout", "audit") in found and ("in_blackout", "Spring Festival 2026") in found


def test_check_plan_reports_one_breach_per_fault_in_a_fixed_order() -> None:
    visits = move("520100", team="T9", end=D(2025, 12, 31))(drop("520200")(PLAN))
    visits += [special("520199", "T2", D(2026, 2, 1), D(2026, 3, 3))]
    codes = [b.code for b in check_plan(SPEC, visits)]
    assert codes == ["bad_period", "unknown_unit", "in_blackout", "unit_missing"]


# --- check_edit ----------------------------------------------------------------------------------


def test_edit_into_spring_festival_is_refused_with_only_its_own_breach() -> None:
    broken = drop("520100")(PLAN)  # an unrelated breach already present
    changed = replace(by_unit(broken, "520200"), start=D(2026, 2, 20), end=D(2026, 3, 21))
    breaches = check_edit(SPEC, broken, changed)
    assert [(b.code, b.refs) for b in breaches] == [("in_blackout", ("v-520200",))]


def test_edit_moving_a_visit_to_another_unit_reports_the_unit_left_uncovered() -> None:
    changed = replace(by_unit(PLAN, "520200"), unit="520300", start=D(2026, 3, 2))
    found = {(b.code, b.refs) for b in check_edit(SPEC, PLAN, changed)}
    assert found == {("unit_twice", ("v-520200", "v-520300")), ("unit_missing", ())}


def test_adding_a_special_visit_reports_its_overlaps_only() -> None:
    changed = special("520300", "T1", D(2026, 5, 10), D(2026, 5, 20))
    breaches = check_edit(SPEC, PLAN, changed)
    assert [(b.code, b.refs) for b in breaches] == [("unit_overlap", ("v-520300", "sp"))]


def test_a_harmless_edit_has_no_breach() -> None:
    changed = replace(by_unit(PLAN, "520200"), start=D(2026, 3, 10), end=D(2026, 4, 8))
    assert check_edit(SPEC, PLAN, changed) == ()


def test_an_edit_that_leaves_its_visit_in_breach_still_reports_it() -> None:
    broken = move("520200", start=D(2026, 2, 20), end=D(2026, 3, 21))(PLAN)
    changed = replace(by_unit(broken, "520200"), team="T2", end=D(2026, 3, 20))
    assert [b.code for b in check_edit(SPEC, broken, changed)] == ["in_blackout"]


def test_an_edit_without_a_ref_is_refused() -> None:
    with pytest.raises(ValueError, match="ref"):
        check_edit(SPEC, plan_round(SPEC), replace(plan_round(SPEC)[0], team="T2"))


def test_module_doctests_pass() -> None:
    result = doctest.testmod(rounds)
    assert result.attempted > 0
    assert result.failed == 0


# --- properties over random specs ----------------------------------------------------------------


@st.composite
def specs(draw: st.DrawFn) -> RoundSpec:
    start = draw(st.dates(D(2024, 1, 1), D(2030, 12, 31)))
    end = start + timedelta(days=draw(st.integers(0, 800)))
    units = draw(st.lists(st.sampled_from(UNITS), min_size=1, max_size=10, unique=True))
    teams = [f"T{i}" for i in range(draw(st.integers(1, 4)))]
    unit_days = draw(st.dictionaries(st.sampled_from(units), st.integers(1, 120), max_size=3))
    blackouts = []
    for i in range(draw(st.integers(0, 4))):
        first = start + timedelta(days=draw(st.integers(-30, (end - start).days + 30)))
        blackouts.append(Blackout(f"b{i}", first, first + timedelta(draw(st.integers(0, 60)))))
    return RoundSpec(
        start,
        end,
        units,
        teams,
        days_on_site=draw(st.integers(1, 60)),
        unit_days=unit_days,
        blackouts=blackouts,
        rest_days=draw(st.integers(0, 30)),
        unit_gap_days=draw(st.integers(0, 30)),
    )


def free_days(spec: RoundSpec) -> list[bool]:
    """Per day of the cycle, whether no blackout covers it (independent of the module)."""
    length = (spec.cycle_end - spec.cycle_start).days + 1
    days = [spec.cycle_start + timedelta(d) for d in range(length)]
    return [not any(b.start <= day <= b.end for b in spec.blackouts) for day in days]


def stay(spec: RoundSpec, unit: str) -> int:
    return spec.unit_days.get(unit, spec.days_on_site)


@settings(max_examples=300, deadline=None)
@given(specs())
def test_a_plan_that_succeeds_has_no_breach_and_an_error_names_consistent_numbers(
    spec: RoundSpec,
) -> None:
    free = free_days(spec)
    needed = sum(stay(spec, unit) for unit in spec.units)
    available = len(spec.teams) * sum(free)
    try:
        plan = plan_round(spec)
    except PlanError as error:
        if error.code == "unit_too_long":
            runs, run = [0], 0
            for is_free in free:
                run = run + 1 if is_free else 0
                runs.append(run)
            assert error.params["longest_window"] == max(runs)
            assert error.params["days"] == stay(spec, str(error.params["unit"])) > max(runs)
            return
        assert error.code == "capacity", error
        assert (error.params["needed"], error.params["available"]) == (needed, available)
        assert f"{needed} team-days needed" in str(error) and f"{available} available" in str(error)
        unplaced = error.params["unplaced"]
        assert isinstance(unplaced, tuple) and set(unplaced) <= set(spec.units)
        assert needed > available or unplaced
        return
    assert needed <= available
    assert check_plan(spec, plan) == ()
    assert sorted(v.unit for v in plan) == sorted(spec.units)
    assert all((v.end - v.start).days + 1 == stay(spec, v.unit) for v in plan)
    assert plan == plan_round(spec)


@settings(max_examples=100, deadline=None)
@given(
    st.integers(1, 8),
    st.integers(1, 3),
    st.integers(1, 40),
    st.integers(0, 20),
    st.integers(0, 100),
)
def test_a_round_with_room_for_back_to_back_visits_is_always_planned(
    n_units: int, n_teams: int, days: int, rest: int, slack: int
) -> None:
    per_team = -(-n_units // n_teams)
    length = per_team * days + (per_team - 1) * rest + slack
    spec = RoundSpec(
        D(2026, 1, 1),
        D(2026, 1, 1) + timedelta(days=length - 1),
        UNITS[:n_units],
        TEAMS[:n_teams],
        days_on_site=days,
        rest_days=rest,
    )
    assert check_plan(spec, plan_round(spec)) == ()


@st.composite
def visit_sets(draw: st.DrawFn) -> list[Visit]:
    visits = []
    for i in range(draw(st.integers(0, 8))):
        start = D(2026, 1, 1) + timedelta(days=draw(st.integers(-40, 760)))
        visits.append(
            Visit(
                draw(st.sampled_from((*UNITS[:4], "520199"))),
                draw(st.sampled_from((*TEAMS, "T9"))),
                start,
                start + timedelta(days=draw(st.integers(-3, 40))),
                kind=draw(st.sampled_from(("routine", "special"))),
                ref=f"r{i}",
            )
        )
    return visits


@settings(max_examples=200, deadline=None)
@given(visit_sets(), st.integers(0, 20), st.integers(0, 20))
def test_breaches_point_to_given_visits_and_edits_report_a_subset(
    visits: list[Visit], rest: int, gap: int
) -> None:
    spec = replace(SPEC, units=UNITS[:4], rest_days=rest, unit_gap_days=gap)
    breaches = check_plan(spec, visits)
    refs = {v.ref for v in visits}
    for breach in breaches:
        assert isinstance(breach, Breach) and breach.code in BREACH_CODES and breach.message
        assert set(breach.refs) <= refs
    if visits:
        changed = replace(visits[0], start=visits[0].start + timedelta(days=9))
        after = check_plan(spec, [changed, *visits[1:]])
        assert all(b in after for b in check_edit(spec, visits, changed))
