"""Legal-clock arithmetic: deadline computations per second in one process.

Issue 3 asks for at least 100,000 deadline computations a second. This file builds a fixed,
seeded workload and times :func:`casemgr.legalclock.compute_due` over it, next to a naive
day-by-day implementation written here (a loop over ``HolidayCalendar.is_working_day``), after
checking that both give the same due dates.

The workload (``--cases``, default 100,000), start days spread over 2025-2026 so that some periods
run into 2027 (not loaded: the provisional path):

* 40 % calendar-day rules that roll to a working day (decision 90 days, fine payment 15 days,
  reconsideration 60 days, seal-up 30 days), 40 % working-day rules (service 7, hearing request 5,
  rectification plan 15, transfer 3, 催告 10), 20 % month rules (direct suit 6, production limit 3,
  enforcement window 6 and 3);
* 0, 1 or 2 clock stops per case (50 / 30 / 20 %), 1-20 days long, within 150 days of the start;
* two mixes: ``registry`` uses the rules as they are (stops only count for the pausable ones);
  ``all-pausable`` makes every rule pausable so that every stop is applied, the worst case.

Each mix is timed 5 times; the median rate is reported. The baseline is slow, so it runs over the
first ``--baseline-cases`` cases (default 10,000). Results go to stdout (markdown) and to
``bench/results/legalclock.json``. Nothing here is a test: speed is never asserted.

Usage::

    .venv/bin/python bench/legalclock.py [--cases N] [--baseline-cases N] [--runs 5]
"""

from __future__ import annotations

import argparse
import calendar
import json
import os
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from casemgr.legalclock import (  # noqa: E402
    RULES,
    ClockStop,
    HolidayCalendar,
    Rule,
    Unit,
    compute_due,
    default_calendar,
)

RESULTS = ROOT / "bench" / "results" / "legalclock.json"
SEED = 2026
MIX = [  # (weight, rule code)
    (10, "admin.decision"),
    (10, "admin.fine_payment"),
    (10, "remedy.reconsideration"),
    (10, "seizure.duration"),
    (8, "admin.decision_service"),
    (8, "admin.hearing_request"),
    (8, "production_limit.rectification_plan"),
    (8, "detention.transfer"),
    (8, "enforcement.after_demand"),
    (5, "remedy.direct_suit"),
    (5, "production_limit.duration"),
    (5, "enforcement.window_opens"),
    (5, "enforcement.window_closes"),
]

Case = tuple[Rule, date, tuple[ClockStop, ...]]


def workload(n: int, *, all_pausable: bool) -> list[Case]:
    rng = random.Random(SEED)
    weights = [w for w, _ in MIX]
    rules = [RULES[code] for _, code in MIX]
    if all_pausable:
        rules = [replace(r, pausable=True) for r in rules]
    first_day = date(2025, 1, 1).toordinal()
    cases: list[Case] = []
    for _ in range(n):
        rule = rng.choices(rules, weights)[0]
        start = date.fromordinal(first_day + rng.randrange(730))
        stops = []
        for _ in range(rng.choices((0, 1, 2), (50, 30, 20))[0]):
            begin = start + timedelta(days=rng.randrange(-5, 150))
            stops.append(ClockStop(begin, begin + timedelta(days=rng.randrange(20)), "bench"))
        cases.append((rule, start, tuple(stops)))
    return cases


# ------------------------------------------------------------------------------------------------
# The naive baseline: the same rules, one day at a time
# ------------------------------------------------------------------------------------------------


def _plus_months(d: date, n: int) -> date:
    y, m = divmod(d.month - 1 + n, 12)
    y, m = d.year + y, m + 1
    return date(y, m, min(d.day, calendar.monthrange(y, m)[1]))


def naive_due(rule: Rule, start: date, stops: Sequence[ClockStop], cal: HolidayCalendar) -> date:
    """Walk the calendar day by day, skipping stopped days (and rest days for working days)."""
    stopped: set[date] = set()
    if rule.pausable:
        for s in stops:
            assert s.end is not None
            d = s.start
            while d <= s.end:
                stopped.add(d)
                d += timedelta(days=1)
    if rule.unit is Unit.MONTH:
        amount, by_working_days = (_plus_months(start, rule.amount) - start).days, False
    else:
        amount, by_working_days = rule.amount, rule.unit is Unit.WORKING_DAY
    d, counted = start, 0
    while counted < amount:
        d += timedelta(days=1)
        if d not in stopped and (not by_working_days or cal.is_working_day(d)):
            counted += 1
    while rule.roll_to_working_day and not cal.is_working_day(d):
        d += timedelta(days=1)
    return d


# ------------------------------------------------------------------------------------------------
# Timing
# ------------------------------------------------------------------------------------------------


def fast_run(cases: list[Case], cal: HolidayCalendar) -> None:
    for rule, start, stops in cases:
        compute_due(rule, start, calendar=cal, stops=stops)


def naive_run(cases: list[Case], cal: HolidayCalendar) -> None:
    for rule, start, stops in cases:
        naive_due(rule, start, stops, cal)


def rates(
    fn: Callable[[list[Case], HolidayCalendar], None], cases: list[Case], runs: int
) -> list[float]:
    cal = default_calendar()
    result = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn(cases, cal)
        result.append(len(cases) / (time.perf_counter() - t0))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--baseline-cases", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    cal = default_calendar()
    report: dict[str, object] = {
        "benchmark": "legalclock",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "machine": f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs",
        "load_average_at_start": os.getloadavg(),
        "cases": args.cases,
        "baseline_cases": args.baseline_cases,
        "runs": args.runs,
        "target_per_second": 100_000,
        "mixes": {},
    }
    print(f"| mix | legalclock /s (median of {args.runs}) | naive /s | ratio | provisional |")
    print("|---|---:|---:|---:|---:|")
    for name, all_pausable in (("registry", False), ("all-pausable", True)):
        cases = workload(args.cases, all_pausable=all_pausable)
        dues = [compute_due(r, s, calendar=cal, stops=st) for r, s, st in cases]
        for (rule, start, stops), due in zip(cases[: args.baseline_cases], dues, strict=False):
            expected = naive_due(rule, start, stops, cal)
            if due.due != expected:
                raise SystemExit(f"mismatch {rule.code} {start} {stops}: {due.due} != {expected}")
        provisional = sum(d.provisional for d in dues) / len(dues)
        fast = rates(fast_run, cases, args.runs)
        naive = rates(naive_run, cases[: args.baseline_cases], args.runs)
        fast_median, naive_median = statistics.median(fast), statistics.median(naive)
        ratio = fast_median / naive_median
        print(
            f"| {name} | {fast_median:,.0f} | {naive_median:,.0f} | {ratio:.1f}x "
            f"| {provisional:.1%} |"
        )
        report["mixes"][name] = {  # type: ignore[index]
            "legalclock_per_second": {"median": fast_median, "runs": fast},
            "naive_per_second": {"median": naive_median, "runs": naive},
            "ratio": ratio,
            "provisional_share": provisional,
            "checked_against_naive": min(args.baseline_cases, args.cases),
        }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"\nwritten to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
