"""Violation queries."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, exists, select

from casemgr.models.violations import Violation, ViolationOrigin, violation_enterprises

VIOLATION_SORTS = {
    "found_at": Violation.found_at,
    "county_code": Violation.county_code,
    "created_at": Violation.created_at,
}


@dataclass(frozen=True)
class ViolationFilter:
    counties: Collection[str] | None = None
    enterprise_id: int | None = None
    origin: ViolationOrigin | None = None
    found_from: datetime | None = None
    found_to: datetime | None = None
    q: str | None = None


def violation_query(f: ViolationFilter, *, scope: Collection[str] | None) -> Select[Any]:
    stmt = select(Violation)
    if scope is not None:
        stmt = stmt.where(Violation.county_code.in_(sorted(scope)))
    if f.counties is not None:
        stmt = stmt.where(Violation.county_code.in_(sorted(f.counties)))
    if f.enterprise_id is not None:
        stmt = stmt.where(
            exists().where(
                violation_enterprises.c.violation_id == Violation.id,
                violation_enterprises.c.enterprise_id == f.enterprise_id,
            )
        )
    if f.origin is not None:
        stmt = stmt.where(Violation.origin == f.origin)
    if f.found_from is not None:
        stmt = stmt.where(Violation.found_at >= f.found_from)
    if f.found_to is not None:
        stmt = stmt.where(Violation.found_at < f.found_to)
    if f.q:
        stmt = stmt.where(Violation.summary.contains(f.q, autoescape=True))
    return stmt
