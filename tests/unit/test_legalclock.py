"""Unit tests for casemgr.legalclock: holiday calendar, periods, clock stops, states, money.

Expected dates are worked out by hand from the State Council schedules shipped in
casemgr/refdata/holidays (DOMAIN.md §0); the reasoning is written next to each case.
"""

from __future__ import annotations

import doctest
import re
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from casemgr import legalclock
from casemgr.legalbasis import Citation, Law, basis_text
from casemgr.legalclock import (
    ADMINISTRATIVE_RULES,
    RULES,
    ClockStop,
    DeadlineState,
    Due,
    HolidayCalendar,
    Rule,
    Unit,
    compute_due,
    daily_penalty_total,
    days_late,
    deadline_state,
    default_calendar,
    late_surcharge,
    load_calendar,
    load_calendar_csv,
    working_days_between,
)

CAL = default_calendar()
D = date.fromisoformat


def rule(
    amount: int,
    unit: Unit,
    *,
    roll: bool = True,
    pausable: bool = True,
    waiting: bool = False,
) -> Rule:
    return Rule(
        code=f"test.{amount}.{unit}",
        amount=amount,
        unit=unit,
        basis=(Citation(Law.ADMIN_PENALTY_LAW, "85"),),
        title="Test period",
        start_event="start",
        pausable=pausable,
        roll_to_working_day=roll,
        waiting=waiting,
    )


def test_module_examples_run() -> None:
    result = doctest.testmod(legalclock.engine)
    assert result.attempted > 20
    assert result.failed == 0


# ------------------------------------------------------------------------------------------------
# The shipped calendar
# ------------------------------------------------------------------------------------------------

# (day, working?) straight from the notices (DOMAIN.md §0 for 2026; 国办发明电〔2024〕12号 for 2025)
CALENDAR_DAYS = [
    ("2026-01-01", False),  # 元旦, Thursday
    ("2026-01-04", True),  # Sunday worked for 元旦
    ("2026-02-14", True),  # Saturday worked before 春节
    ("2026-02-16", False),  # 春节, Monday
    ("2026-02-23", False),  # last day of 春节, Monday
    ("2026-02-24", True),  # back to work
    ("2026-02-28", True),  # Saturday worked after 春节
    ("2026-05-05", False),  # 劳动节, Tuesday
    ("2026-05-09", True),  # Saturday worked for 劳动节
    ("2026-09-20", True),  # Sunday worked for 国庆节
    ("2026-09-25", False),  # 中秋节, Friday
    ("2026-10-07", False),  # last day of 国庆节, Wednesday
    ("2026-10-08", True),  # Thursday
    ("2026-10-10", True),  # Saturday worked for 国庆节
    ("2026-10-11", False),  # ordinary Sunday
    ("2025-01-26", True),  # Sunday worked before 春节 2025
    ("2025-02-04", False),  # last day of 春节 2025, Tuesday
    ("2025-10-08", False),  # 国庆节·中秋节 2025, Wednesday
    ("2025-10-11", True),  # Saturday worked
    ("2027-01-01", True),  # 2027 not loaded: a Friday is a working day (provisional)
    ("2027-01-02", False),  # 2027 not loaded: Saturday
]


@pytest.mark.parametrize(("day", "working"), CALENDAR_DAYS)
def test_shipped_calendar_knows_holidays_and_make_up_days(day: str, working: bool) -> None:
    assert CAL.is_working_day(D(day)) is working
    assert CAL.is_rest_day(D(day)) is not working


def test_shipped_calendar_covers_2025_and_2026_only_with_sources() -> None:
    assert CAL.years == frozenset({2025, 2026})
    assert "2026年部分节假日安排" in CAL.sources[2026]
    assert "国办发明电〔2024〕12号" in CAL.sources[2025]
    assert CAL.covers(D("2026-12-31"))
    assert not CAL.covers(D("2027-01-01"))
    assert len(CAL.holidays) == 28 + 33  # 2025: 1+8+3+5+3+8 days off; 2026: 3+9+3+5+3+3+7
    assert len(CAL.workdays) == 5 + 6


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        ("2026-10-01", "2026-10-08"),  # inside National Day
        ("2026-10-08", "2026-10-08"),  # a working day is its own next working day
        ("2026-10-10", "2026-10-10"),  # make-up Saturday
        ("2026-10-11", "2026-10-12"),  # ordinary Sunday
        ("2026-02-15", "2026-02-24"),  # first day of Spring Festival
    ],
)
def test_next_working_day(day: str, expected: str) -> None:
    assert CAL.next_working_day(D(day)) == D(expected)


# ------------------------------------------------------------------------------------------------
# Periods: the acceptance table
# ------------------------------------------------------------------------------------------------

DAY_CASES = [
    # 7 working days from Tue 2026-09-29: Sep 30 (1); Oct 1-7 off; Oct 8 Thu (2), Oct 9 Fri (3),
    # Oct 10 make-up Sat (4); Oct 11 Sun off; Oct 12 (5), Oct 13 (6), Oct 14 (7). Without the
    # make-up Saturday it would be Oct 15.
    pytest.param(7, Unit.WORKING_DAY, "2026-09-29", "2026-10-14", False, id="wd-national-day"),
    # 15 calendar days from 2026-09-20 end on Mon Oct 5, inside the holiday: the period ends on
    # the next working day, Thu Oct 8 (衔接办法 2017 art. 38).
    pytest.param(15, Unit.CALENDAR_DAY, "2026-09-20", "2026-10-08", False, id="cal-rolls-oct-8"),
    # 15 calendar days from 2026-09-25 end on Sat Oct 10, a make-up working day: no roll.
    pytest.param(15, Unit.CALENDAR_DAY, "2026-09-25", "2026-10-10", False, id="cal-make-up-sat"),
    # 5 working days from Thu 2026-03-12: Fri 13 (1), weekend, Mon 16 (2) ... Thu 19 (5).
    pytest.param(5, Unit.WORKING_DAY, "2026-03-12", "2026-03-19", False, id="wd-weekend"),
    # Spring Festival 2026. From Thu Feb 12: Fri 13 (1), make-up Sat 14 (2), Feb 15-23 off,
    # Tue 24 (3), Wed 25 (4), Thu 26 (5).
    pytest.param(5, Unit.WORKING_DAY, "2026-02-12", "2026-02-26", False, id="wd-feb-14"),
    # From Tue Feb 24: Wed 25 (1), Thu 26 (2), Fri 27 (3), make-up Sat 28 (4), Mon Mar 2 (5).
    pytest.param(5, Unit.WORKING_DAY, "2026-02-24", "2026-03-02", False, id="wd-feb-28"),
    # Both make-up Saturdays in one period (5 working days cannot hold both: 6 lie between them):
    # from Feb 12: 13, 14, 24, 25, 26, 27, 28 -> the 7th is Sat Feb 28.
    pytest.param(7, Unit.WORKING_DAY, "2026-02-12", "2026-02-28", False, id="wd-both-saturdays"),
    # 2025 National Day + Mid-Autumn: from Fri Sep 26: Sat 27 off, make-up Sun 28 (1), 29 (2),
    # 30 (3), Oct 1-8 off, Thu Oct 9 (4), Fri Oct 10 (5).
    pytest.param(5, Unit.WORKING_DAY, "2025-09-26", "2025-10-10", False, id="wd-2025-national"),
    # Over New Year 2026: from Tue 2025-12-30: Wed 31 (1), Jan 1-3 off, make-up Sun Jan 4 (2),
    # Mon Jan 5 (3).
    pytest.param(3, Unit.WORKING_DAY, "2025-12-30", "2026-01-05", False, id="wd-new-year"),
    # Into 2027, not loaded: Thu Dec 31 (1), Fri 2027-01-01 (2, counted as a working day for
    # want of the 2027 notice), Mon Jan 4 (3) -> provisional.
    pytest.param(3, Unit.WORKING_DAY, "2026-12-30", "2027-01-04", True, id="wd-into-2027"),
    # Month end: Jan 31 + 1 month = Feb 28 (2026 is not a leap year); Feb 28, 2026 is a make-up
    # working Saturday, so it does not roll.
    pytest.param(1, Unit.MONTH, "2026-01-31", "2026-02-28", False, id="month-end-2026"),
    # 2024 is a leap year but its schedule is not loaded: Feb 29 (Thu), provisional.
    pytest.param(1, Unit.MONTH, "2024-01-31", "2024-02-29", True, id="month-end-2024-leap"),
    pytest.param(12, Unit.MONTH, "2024-02-29", "2025-02-28", False, id="month-leap-to-plain"),
    # 6 months from 2026-08-31 = 2027-02-28, a Sunday: rolls to Mon Mar 1; 2027 not loaded.
    pytest.param(6, Unit.MONTH, "2026-08-31", "2027-03-01", True, id="month-into-2027"),
    # Start day not counted.
    pytest.param(1, Unit.CALENDAR_DAY, "2026-03-10", "2026-03-11", False, id="start-not-counted"),
    pytest.param(1, Unit.WORKING_DAY, "2026-03-13", "2026-03-16", False, id="wd-friday-to-mon"),
    pytest.param(1, Unit.WORKING_DAY, "2026-03-14", "2026-03-16", False, id="wd-saturday-start"),
]


@pytest.mark.parametrize(("amount", "unit", "start", "expected", "provisional"), DAY_CASES)
def test_due_dates_follow_the_holiday_schedule(
    amount: int, unit: Unit, start: str, expected: str, provisional: bool
) -> None:
    due = compute_due(rule(amount, unit), D(start), calendar=CAL)
    assert due.due == D(expected)
    assert due.provisional is provisional
    assert due.start == D(start)


def test_a_month_period_without_roll_keeps_the_clamped_day_and_is_not_provisional() -> None:
    # Same period as "month-into-2027" without rolling: the result does not depend on any
    # holiday schedule, so it is final even though 2027 is not loaded.
    due = compute_due(rule(6, Unit.MONTH, roll=False), D("2026-08-31"), calendar=CAL)
    assert (due.due, due.provisional) == (D("2027-02-28"), False)


def test_direct_suit_rule_is_six_months_and_rolls() -> None:
    due = compute_due(RULES["remedy.direct_suit"], D("2026-08-31"), calendar=CAL)
    assert (due.due, due.provisional) == (D("2027-03-01"), True)


def test_day_rules_take_the_day_of_a_datetime_start() -> None:
    due = compute_due(RULES["admin.fine_payment"], datetime(2026, 3, 2, 16, 45), calendar=CAL)
    assert due.due == D("2026-03-17")
    assert due.start == D("2026-03-02")


# ------------------------------------------------------------------------------------------------
# The 90-day decision limit: extensions and clock stops
# ------------------------------------------------------------------------------------------------

DECISION = RULES["admin.decision"]
EXT_1 = RULES["admin.decision.extension_1"].as_extension()
EXT_2 = RULES["admin.decision.extension_2"].as_extension()
FILED = D("2026-03-05")  # Thursday; + 90 days = Wed 2026-06-03


def stop(first: str, last: str | None, reason: str = "hearing (听证)") -> ClockStop:
    return ClockStop(D(first), None if last is None else D(last), reason)


@pytest.mark.parametrize(
    ("extensions", "stops", "expected", "paused_days"),
    [
        pytest.param((), (), "2026-06-03", 0, id="90-days"),
        pytest.param((EXT_1,), (), "2026-07-03", 0, id="120-days-head-approval"),
        # 150 days = Sun 2026-08-02 -> Mon Aug 3.
        pytest.param((EXT_1, EXT_2), (), "2026-08-03", 0, id="150-days-rolls"),
        # A 12-day hearing/appraisal stop (Apr 1-12) pushes the due date 12 days: Mon Jun 15.
        pytest.param((), (stop("2026-04-01", "2026-04-12"),), "2026-06-15", 12, id="stop-12"),
        pytest.param(
            (EXT_1,), (stop("2026-04-01", "2026-04-12"),), "2026-07-15", 12, id="ext+stop"
        ),
        # Stop days on or before the filing day do not count: only Mar 6-10 (5 days) -> Jun 8.
        pytest.param((), (stop("2026-03-01", "2026-03-10"),), "2026-06-08", 5, id="stop-at-start"),
        pytest.param((), (stop("2026-03-01", "2026-03-05"),), "2026-06-03", 0, id="stop-before"),
        # A stop after the due date changes nothing.
        pytest.param((), (stop("2026-06-04", "2026-06-20"),), "2026-06-03", 0, id="stop-after"),
        # Overlapping stops count each day once: Apr 1-15 = 15 days -> Thu Jun 18.
        pytest.param(
            (),
            (stop("2026-04-01", "2026-04-12"), stop("2026-04-10", "2026-04-15", "appraisal")),
            "2026-06-18",
            15,
            id="stops-overlap",
        ),
        # Jun 5-6 is after the bare due date (Jun 3) but inside the period once the April stop has
        # moved it to Jun 15: 12 + 2 days -> Wed Jun 17.
        pytest.param(
            (),
            (stop("2026-06-05", "2026-06-06", "public notice"), stop("2026-04-01", "2026-04-12")),
            "2026-06-17",
            14,
            id="stop-brought-in-by-earlier-stop",
        ),
    ],
)
def test_decision_limit_with_extensions_and_stops(
    extensions: tuple[tuple[int, Unit], ...],
    stops: tuple[ClockStop, ...],
    expected: str,
    paused_days: int,
) -> None:
    due = compute_due(DECISION, FILED, calendar=CAL, stops=stops, extensions=extensions)
    assert due.due == D(expected)
    assert due.paused_days == paused_days
    assert due.paused is False


def test_a_running_stop_counts_up_to_today_and_pauses_the_deadline() -> None:
    # Stop since May 1, still running on May 10: 10 days -> Sat Jun 13 -> Mon Jun 15.
    due = compute_due(
        DECISION, FILED, calendar=CAL, stops=[stop("2026-05-01", None)], today=D("2026-05-10")
    )
    assert (due.due, due.paused_days, due.paused) == (D("2026-06-15"), 10, True)
    assert deadline_state(due, done_on=None, today=D("2026-05-10")) is DeadlineState.PAUSED


def test_a_stop_running_since_before_the_start_pauses_a_deadline_that_has_not_run() -> None:
    # Filed Mar 5 while an appraisal stop runs since Mar 1; today is Mar 5: no day has run yet.
    due = compute_due(DECISION, FILED, calendar=CAL, stops=[stop("2026-03-01", None)], today=FILED)
    assert (due.due, due.paused_days, due.paused) == (D("2026-06-03"), 0, True)


def test_a_running_stop_needs_today() -> None:
    with pytest.raises(ValueError, match="still running"):
        compute_due(DECISION, FILED, calendar=CAL, stops=[stop("2026-05-01", None)])


def test_a_running_stop_cannot_start_after_today() -> None:
    with pytest.raises(ValueError, match="after today"):
        compute_due(
            DECISION, FILED, calendar=CAL, stops=[stop("2026-05-01", None)], today=D("2026-04-30")
        )


def test_a_stop_that_began_after_the_deadline_does_not_pause_it() -> None:
    due = compute_due(
        DECISION, FILED, calendar=CAL, stops=[stop("2026-06-10", None)], today=D("2026-06-20")
    )
    assert (due.due, due.paused) == (D("2026-06-03"), False)
    assert deadline_state(due, done_on=None, today=D("2026-06-20")) is DeadlineState.MISSED


def test_rules_that_cannot_be_paused_ignore_stops() -> None:
    payment = RULES["admin.fine_payment"]
    with_stop = compute_due(payment, FILED, calendar=CAL, stops=[stop("2026-03-06", "2026-03-10")])
    assert with_stop == compute_due(payment, FILED, calendar=CAL)


@pytest.mark.parametrize(
    ("stops", "expected"),
    [
        # 7 working days from Mon 2026-03-02: Mar 3, 4, 5, 6, 9, 10, 11.
        pytest.param((), "2026-03-11", id="no-stop"),
        # Wed-Thu stopped: two working days more -> Fri Mar 13.
        pytest.param((stop("2026-03-04", "2026-03-05"),), "2026-03-13", id="two-working-days"),
        # A stop over the weekend only stops rest days: no change.
        pytest.param((stop("2026-03-07", "2026-03-08"),), "2026-03-11", id="weekend-stop"),
    ],
)
def test_working_day_rules_are_pushed_by_stopped_working_days(
    stops: tuple[ClockStop, ...], expected: str
) -> None:
    due = compute_due(rule(7, Unit.WORKING_DAY), D("2026-03-02"), calendar=CAL, stops=stops)
    assert due.due == D(expected)


def test_extensions_in_the_rules_unit_lengthen_the_period() -> None:
    # Production limit 3 + 3 months from Jan 31 is 6 months (Jul 31), not Apr 30 + 3 = Jul 30.
    limit = RULES["production_limit.duration"]
    ext = RULES["production_limit.extension"].as_extension()
    due = compute_due(limit, D("2026-01-31"), calendar=CAL, extensions=[ext])
    assert due.due == D("2026-07-31")


def test_extensions_in_another_unit_follow_the_period() -> None:
    # 15 days from Jan 16 = Jan 31, then 1 month = Feb 28 (a make-up working Saturday).
    due = compute_due(
        rule(15, Unit.CALENDAR_DAY), D("2026-01-16"), calendar=CAL, extensions=[(1, Unit.MONTH)]
    )
    assert due.due == D("2026-02-28")


@pytest.mark.parametrize("extension", [(0, Unit.CALENDAR_DAY), (-5, Unit.MONTH), (1, Unit.HOUR)])
def test_invalid_extensions_are_refused(extension: tuple[int, Unit]) -> None:
    with pytest.raises(ValueError, match="invalid extension"):
        compute_due(DECISION, FILED, calendar=CAL, extensions=[extension])


# ------------------------------------------------------------------------------------------------
# Hours
# ------------------------------------------------------------------------------------------------


def test_hour_periods_run_through_holidays() -> None:
    approval = RULES["seizure.emergency_approval"]
    due = compute_due(approval, datetime(2026, 10, 1, 15, 30), calendar=CAL)
    assert due.due == datetime(2026, 10, 2, 15, 30)
    assert due.due_date == D("2026-10-02")


def test_hour_periods_take_whole_day_stops() -> None:
    hours = rule(24, Unit.HOUR, roll=False)
    due = compute_due(
        hours, datetime(2026, 3, 2, 9, 0), calendar=CAL, stops=[stop("2026-03-03", "2026-03-03")]
    )
    assert (due.due, due.paused_days) == (datetime(2026, 3, 4, 9, 0), 1)


def test_hour_periods_need_a_time() -> None:
    with pytest.raises(ValueError, match="datetime"):
        compute_due(RULES["seizure.emergency_approval"], D("2026-03-02"), calendar=CAL)


def test_hour_states_compare_times() -> None:
    due = compute_due(RULES["seizure.emergency_approval"], datetime(2026, 3, 2, 9), calendar=CAL)
    met = deadline_state(due, done_on=datetime(2026, 3, 3, 8, 59), today=D("2026-03-04"))
    late = deadline_state(due, done_on=datetime(2026, 3, 3, 9, 1), today=D("2026-03-04"))
    assert (met, late) == (DeadlineState.MET, DeadlineState.MISSED)


# ------------------------------------------------------------------------------------------------
# Rules
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"amount": 0, "unit": Unit.CALENDAR_DAY}, "at least 1"),
        ({"amount": 24, "unit": Unit.HOUR}, "never roll"),
        ({"amount": 1, "unit": Unit.CALENDAR_DAY, "basis": ()}, "non-empty tuple of Citation"),
        ({"amount": 1, "unit": Unit.CALENDAR_DAY, "basis": "art. 1"}, "tuple of Citation"),
    ],
)
def test_invalid_rules_are_refused(kwargs: dict[str, object], message: str) -> None:
    kwargs = {"basis": (Citation(Law.ADMIN_PENALTY_LAW, "1"),), **kwargs}
    with pytest.raises(ValueError, match=message):
        Rule(code="x", title="t", start_event="e", **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("code", "amount", "unit", "pausable"),
    [
        ("admin.filing_decision", 15, Unit.CALENDAR_DAY, False),
        ("admin.preservation_handling", 7, Unit.WORKING_DAY, False),
        ("admin.statement_defence", 5, Unit.WORKING_DAY, False),
        ("admin.hearing_request", 5, Unit.WORKING_DAY, False),
        ("admin.hearing_notice", 7, Unit.WORKING_DAY, False),
        ("admin.decision", 90, Unit.CALENDAR_DAY, True),
        ("admin.decision.extension_1", 30, Unit.CALENDAR_DAY, False),
        ("admin.decision.extension_2", 30, Unit.CALENDAR_DAY, False),
        ("admin.decision_service", 7, Unit.WORKING_DAY, False),
        ("admin.fine_payment", 15, Unit.CALENDAR_DAY, False),
        ("seizure.duration", 30, Unit.CALENDAR_DAY, True),
        ("seizure.release_verification", 5, Unit.WORKING_DAY, False),
        ("seizure.release_service", 3, Unit.WORKING_DAY, False),
        ("daily_penalty.recheck", 30, Unit.CALENDAR_DAY, False),
        ("daily_penalty.order_service", 3, Unit.WORKING_DAY, False),
        ("production_limit.decision_service", 7, Unit.WORKING_DAY, False),
        ("production_limit.duration", 3, Unit.MONTH, False),
        ("production_limit.rectification_plan", 15, Unit.WORKING_DAY, False),
        ("detention.transfer", 3, Unit.WORKING_DAY, False),
        ("remedy.reconsideration", 60, Unit.CALENDAR_DAY, False),
        ("remedy.direct_suit", 6, Unit.MONTH, False),
        ("remedy.suit_after_reconsideration", 15, Unit.CALENDAR_DAY, False),
        ("enforcement.window_opens", 6, Unit.MONTH, False),
        ("enforcement.window_closes", 3, Unit.MONTH, False),
        ("enforcement.after_demand", 10, Unit.WORKING_DAY, False),
    ],
)
def test_registry_holds_the_administrative_periods(
    code: str, amount: int, unit: Unit, pausable: bool
) -> None:
    r = RULES[code]
    assert (r.amount, r.unit, r.pausable) == (amount, unit, pausable)


def test_every_rule_cites_its_basis_and_has_an_english_title() -> None:
    assert set(RULES) >= {r.code for r in ADMINISTRATIVE_RULES}
    for r in RULES.values():
        # An article, or [R] where DOMAIN.md leaves the provision unverified.
        assert any(c.articles or c.recalled for c in r.basis), r.code
        assert re.fullmatch(r"[A-Z][A-Za-z0-9 ,'()-]+", r.title), r.code
        assert r.start_event, r.code


@pytest.mark.parametrize("code", ["admin.filing_decision", "admin.statement_defence"])
def test_recalled_rules_are_marked(code: str) -> None:
    assert "[R]" in basis_text(RULES[code].basis)


def test_short_penalty_law_periods_are_working_days() -> None:
    # 行政处罚法 art. 85 and 行政强制法 art. 69: every day period of 10 days or less in those
    # laws counts working days.
    for r in ADMINISTRATIVE_RULES:
        if r.unit in (Unit.CALENDAR_DAY, Unit.WORKING_DAY) and r.amount <= 10:
            assert r.unit is Unit.WORKING_DAY, r.code


def test_enforcement_window_opens_with_the_suit_period_and_closes_three_months_later() -> None:
    served = D("2026-03-16")
    opens = compute_due(RULES["enforcement.window_opens"], served, calendar=CAL)
    closes = compute_due(RULES["enforcement.window_closes"], opens.due_date, calendar=CAL)
    # 6 months: Wed 2026-09-16; then 3 months: Wed 2026-12-16.
    assert (opens.due, closes.due) == (D("2026-09-16"), D("2026-12-16"))
    assert deadline_state(opens, done_on=D("2026-09-16"), today=D("2026-09-16")) is (
        DeadlineState.MISSED
    )
    assert deadline_state(opens, done_on=D("2026-09-17"), today=D("2026-09-17")) is (
        DeadlineState.MET
    )


# ------------------------------------------------------------------------------------------------
# States, lateness, money
# ------------------------------------------------------------------------------------------------

DUE_JUN_3 = compute_due(DECISION, FILED, calendar=CAL)
HEARING_NOTICE = compute_due(RULES["admin.hearing_notice"], D("2026-03-02"), calendar=CAL)


@pytest.mark.parametrize(
    ("due", "done_on", "today", "expected"),
    [
        pytest.param(DUE_JUN_3, "2026-06-03", "2026-07-01", DeadlineState.MET, id="met-last-day"),
        pytest.param(DUE_JUN_3, "2026-05-01", "2026-05-01", DeadlineState.MET, id="met-early"),
        pytest.param(DUE_JUN_3, "2026-06-04", "2026-06-04", DeadlineState.MISSED, id="done-late"),
        pytest.param(DUE_JUN_3, None, "2026-06-03", DeadlineState.OPEN, id="open-last-day"),
        pytest.param(DUE_JUN_3, None, "2026-06-04", DeadlineState.MISSED, id="missed"),
        # Hearing notice served Mon 2026-03-02: 7 working days -> Wed Mar 11; the hearing may be
        # held from Thu Mar 12.
        pytest.param(HEARING_NOTICE, "2026-03-11", "2026-03-11", DeadlineState.MISSED, id="early"),
        pytest.param(HEARING_NOTICE, "2026-03-12", "2026-03-12", DeadlineState.MET, id="waited"),
        pytest.param(HEARING_NOTICE, None, "2026-04-30", DeadlineState.OPEN, id="waiting-open"),
    ],
)
def test_deadline_state(due: Due, done_on: str | None, today: str, expected: DeadlineState) -> None:
    done = None if done_on is None else D(done_on)
    assert deadline_state(due, done_on=done, today=D(today)) is expected


@pytest.mark.parametrize(
    ("today", "late"), [("2026-05-01", 0), ("2026-06-03", 0), ("2026-06-04", 1), ("2026-07-03", 30)]
)
def test_days_late(today: str, late: int) -> None:
    assert days_late(DUE_JUN_3, D(today)) == late


@pytest.mark.parametrize(
    ("fine_cents", "days", "surcharge"),
    [
        (1_000_000, 0, 0),
        (1_000_000, 1, 30_000),
        (1_000_000, 20, 600_000),  # 10,000 CNY, 20 days: 60 % = 6,000 CNY
        (1_000_000, 33, 990_000),
        (1_000_000, 34, 1_000_000),  # 102 % capped at the fine (行政处罚法 art. 72)
        (1_000_000, 40, 1_000_000),
        (101, 1, 3),  # whole cents, rounded down
    ],
)
def test_late_surcharge_is_three_percent_a_day_capped_at_the_fine(
    fine_cents: int, days: int, surcharge: int
) -> None:
    assert late_surcharge(fine_cents, days) == surcharge


def test_late_surcharge_refuses_negative_input() -> None:
    with pytest.raises(ValueError):
        late_surcharge(-1, 3)


@pytest.mark.parametrize(
    ("served", "found", "total"),
    [
        ("2026-03-02", "2026-03-20", 18 * 10_000_000),  # Mar 3 .. Mar 20 inclusive = 18 days
        ("2026-03-02", "2026-03-03", 10_000_000),
        ("2026-03-02", "2026-03-02", 0),
        ("2026-09-30", "2026-10-08", 8 * 10_000_000),  # holidays count: calendar days
    ],
)
def test_daily_penalty_counts_days_after_service_to_the_recheck(
    served: str, found: str, total: int
) -> None:
    assert daily_penalty_total(10_000_000, D(served), D(found)) == total


def test_daily_penalty_refuses_a_recheck_before_service() -> None:
    with pytest.raises(ValueError, match="before"):
        daily_penalty_total(100, D("2026-03-02"), D("2026-03-01"))


# ------------------------------------------------------------------------------------------------
# Loading holiday data
# ------------------------------------------------------------------------------------------------

SRC = "国务院办公厅关于2026年部分节假日安排的通知"
GOOD = {"date": "2026-10-01", "kind": "holiday", "name": "国庆节", "source": SRC}


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ({**GOOD, "date": "2026-10-09", "kind": "workday"}, "must be a Saturday or Sunday"),
        (GOOD, "already listed"),  # the same holiday twice
        ({**GOOD, "kind": "workday", "date": "2026-10-01"}, "already listed"),
        ({**GOOD, "date": "2026-10-02", "kind": "off"}, "kind must be"),
        ({**GOOD, "date": "2026-10-02", "source": ""}, "source"),
        ({**GOOD, "date": "2026-13-01"}, "not an ISO date"),
    ],
)
def test_bad_rows_are_refused_naming_the_row(bad: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError, match=message) as info:
        load_calendar([GOOD, bad])
    assert str(info.value).startswith(f"row 2 ({bad['date']},")


def test_a_bad_csv_line_is_named_with_its_file(tmp_path: Path) -> None:
    path = tmp_path / "2026.csv"
    path.write_text(
        "date,kind,name,source\n2026-10-01,holiday,国庆节,x\n2026-10-09,workday,国庆节,x\n",
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match=r"^2026\.csv line 3 \(2026-10-09,workday,国庆节\)"):
        load_calendar_csv(path)


def test_a_notice_year_can_differ_from_the_date_year() -> None:
    cal = load_calendar([{**GOOD, "date": "2026-12-31", "year": "2027"}])
    assert cal.years == frozenset({2027})
    assert cal.is_rest_day(D("2026-12-31"))


def test_calendar_refuses_a_weekday_make_up_day() -> None:
    with pytest.raises(ValueError, match="not a Saturday or Sunday"):
        HolidayCalendar(workdays=frozenset({D("2026-10-09")}), years=frozenset({2026}))


# ------------------------------------------------------------------------------------------------
# Properties, against a day-by-day oracle
# ------------------------------------------------------------------------------------------------

DAYS = st.dates(min_value=date(2023, 1, 1), max_value=date(2028, 12, 31))
WIDE_DAYS = st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31))
DAY_UNITS = st.sampled_from([Unit.CALENDAR_DAY, Unit.WORKING_DAY, Unit.MONTH])


def amounts(unit: Unit) -> st.SearchStrategy[int]:
    return st.integers(1, 24) if unit is Unit.MONTH else st.integers(1, 200)


@st.composite
def stop_lists(draw: st.DrawFn, start: date) -> list[ClockStop]:
    result = []
    for _ in range(draw(st.integers(0, 3))):
        first = start + timedelta(days=draw(st.integers(-10, 250)))
        result.append(ClockStop(first, first + timedelta(days=draw(st.integers(0, 40))), "p"))
    return result


def naive_due(r: Rule, start: date, stops: list[ClockStop], cal: HolidayCalendar) -> date:
    """Day-by-day reference: count running days (working days for working-day rules)."""
    stopped = {
        s.start + timedelta(days=i)
        for s in stops
        if s.end
        for i in range((s.end - s.start).days + 1)
    }
    d, counted = start, 0
    while counted < r.amount:
        d += timedelta(days=1)
        if d not in stopped and (r.unit is Unit.CALENDAR_DAY or cal.is_working_day(d)):
            counted += 1
    while r.roll_to_working_day and cal.is_rest_day(d):
        d += timedelta(days=1)
    return d


@given(st.data(), DAYS, st.sampled_from([Unit.CALENDAR_DAY, Unit.WORKING_DAY]), st.booleans())
def test_compute_due_matches_a_day_by_day_count(
    data: st.DataObject, start: date, unit: Unit, roll: bool
) -> None:
    r = rule(data.draw(amounts(unit)), unit, roll=roll)
    stops = data.draw(stop_lists(start))
    assert compute_due(r, start, calendar=CAL, stops=stops).due == naive_due(r, start, stops, CAL)


@given(WIDE_DAYS, st.integers(-400, 400))
def test_add_working_days_matches_stepping_far_from_the_loaded_years(start: date, n: int) -> None:
    expected, left = start, abs(n)
    while left:
        expected += timedelta(days=1 if n > 0 else -1)
        left -= CAL.is_working_day(expected)
    assert CAL.add_working_days(start, n) == expected
    # (a, b] excludes the start: going back, the span counted is (expected, start].
    span = (
        (start, expected) if n >= 0 else (expected - timedelta(days=1), start - timedelta(days=1))
    )
    assert working_days_between(*span, CAL) == abs(n)


@given(DAYS)
def test_an_empty_calendar_only_knows_weekends(day: date) -> None:
    empty = HolidayCalendar()
    assert empty.is_working_day(day) is (day.weekday() < 5)
    assert empty.next_working_day(day).weekday() < 5


@given(DAYS, DAY_UNITS, st.data())
def test_due_is_monotone_in_the_amount(start: date, unit: Unit, data: st.DataObject) -> None:
    a, b = sorted(data.draw(st.lists(amounts(unit), min_size=2, max_size=2)))
    first = compute_due(rule(a, unit), start, calendar=CAL).due
    assert first <= compute_due(rule(b, unit), start, calendar=CAL).due


@given(DAYS, st.integers(1, 200), st.data())
def test_working_day_due_dates_are_working_days_with_n_working_days_before(
    start: date, n: int, data: st.DataObject
) -> None:
    due = compute_due(rule(n, Unit.WORKING_DAY), start, calendar=CAL)
    assert CAL.is_working_day(due.due)
    assert working_days_between(start, due.due, CAL) == n
    stops = data.draw(stop_lists(start))
    assert CAL.is_working_day(
        compute_due(rule(n, Unit.WORKING_DAY), start, calendar=CAL, stops=stops).due
    )


@given(DAYS, DAY_UNITS, st.data())
def test_adding_stops_never_moves_a_due_date_earlier(
    start: date, unit: Unit, data: st.DataObject
) -> None:
    r = rule(data.draw(amounts(unit)), unit)
    stops = data.draw(stop_lists(start))
    more = stops + data.draw(stop_lists(start))
    fewer_due = compute_due(r, start, calendar=CAL, stops=stops).due
    assert compute_due(r, start, calendar=CAL).due <= fewer_due
    assert fewer_due <= compute_due(r, start, calendar=CAL, stops=more).due


@given(DAYS, DAY_UNITS, st.data())
def test_provisional_exactly_when_a_consulted_year_is_not_loaded(
    start: date, unit: Unit, data: st.DataObject
) -> None:
    due = compute_due(rule(data.draw(amounts(unit)), unit), start, calendar=CAL)
    first = start + timedelta(days=1) if unit is Unit.WORKING_DAY else due.due_date
    first = min(first, due.due_date)
    years = range(first.year, due.due_date.year + 1)
    # Roll consults from the unrolled day, which lies in the due year or the year before it.
    if all(y in CAL.years for y in years):
        assert due.provisional is False
    if due.due_date.year not in CAL.years:
        assert due.provisional is True
