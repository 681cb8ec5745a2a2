"""Case numbers in the official style, e.g. 黔环罚〔2026〕12号: unique and gapless.

The counter row of (prefix, year) is locked for the rest of the filing transaction, so
concurrent filings queue on it and a rolled-back filing returns its number.
"""

from __future__ import annotations

import csv
from functools import cache
from importlib import resources

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from casemgr.models.cases import CaseNumberCounter
from casemgr.models.territories import Division, DivisionLevel, InspectionUnit


@cache
def default_prefixes() -> dict[str, str]:
    """Issuing-bureau prefixes by territory code (refdata/case_number_prefixes.csv) [R]."""
    path = resources.files("casemgr") / "refdata" / "case_number_prefixes.csv"
    with path.open(encoding="utf-8") as fh:
        return {row["code"]: row["prefix"] for row in csv.DictReader(fh)}


def prefix_for(session: Session, county_code: str, prefixes: dict[str, str] | None = None) -> str:
    """The prefix of the bureau that files a case in ``county_code``: an inspection unit of its
    own (贵安新区) first, then the county's prefecture, then the province."""
    table = prefixes or default_prefixes()
    unit = session.scalar(
        select(InspectionUnit.code)
        .where(InspectionUnit.counties.any(Division.code == county_code))
        .where(InspectionUnit.code.in_([c for c in table if not c.isdigit()]))
    )
    if unit is not None:
        return table[unit]
    county = session.get(Division, county_code)
    if county is not None and county.level is DivisionLevel.COUNTY and county.parent_code in table:
        return table[county.parent_code]
    return table["520000"]


def format_number(prefix: str, year: int, n: int) -> str:
    return f"{prefix}〔{year}〕{n}号"


def next_number(session: Session, prefix: str, year: int) -> str:
    """Draw the next number inside the caller's transaction (the caller commits)."""
    stmt = (
        select(CaseNumberCounter)
        .where(CaseNumberCounter.prefix == prefix, CaseNumberCounter.year == year)
        .with_for_update()
    )
    counter = session.scalar(stmt)
    if counter is None:
        try:
            with session.begin_nested():
                session.add(CaseNumberCounter(prefix=prefix, year=year, last_number=0))
        except IntegrityError:
            pass  # another filing created the row first; lock it below
        counter = session.scalar(stmt.execution_options(populate_existing=True))
        assert counter is not None
    counter.last_number += 1
    session.flush()
    return format_number(prefix, year, counter.last_number)
