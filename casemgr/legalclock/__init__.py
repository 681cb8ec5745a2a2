"""Legal clock (法定期限): the engine (:mod:`casemgr.legalclock.engine`), the rules of each channel
as data (one module per channel) and ``RULES``, the registry of every rule by code.

A pure package (standard library and :mod:`casemgr.legalbasis` only). See
:mod:`casemgr.legalclock.engine` for how periods are counted.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from casemgr.legalclock.administrative import ADMINISTRATIVE_RULES
from casemgr.legalclock.civil import CIVIL_RULES
from casemgr.legalclock.compensation import COMPENSATION_RULES
from casemgr.legalclock.criminal import CRIMINAL_RULES
from casemgr.legalclock.engine import (
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

__all__ = [
    "ADMINISTRATIVE_RULES",
    "CIVIL_RULES",
    "COMPENSATION_RULES",
    "CRIMINAL_RULES",
    "RULES",
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


def _registry(*groups: tuple[Rule, ...]) -> Mapping[str, Rule]:
    table: dict[str, Rule] = {}
    for rule in (r for g in groups for r in g):
        if rule.code in table:
            raise ValueError(f"rule code {rule.code} is defined twice")
        table[rule.code] = rule
    return MappingProxyType(table)


RULES: Mapping[str, Rule] = _registry(
    ADMINISTRATIVE_RULES, CRIMINAL_RULES, CIVIL_RULES, COMPENSATION_RULES
)
"""Every rule by code, of every channel."""
