"""Queries over divisions, inspection units and basins."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from casemgr.models import Basin, Division, DivisionLevel, InspectionUnit, inspection_unit_counties


def get_division(session: Session, code: str) -> Division | None:
    return session.get(Division, code)


def counties_under(session: Session, code: str) -> set[str] | None:
    """County codes a territory code covers; None means the whole province.

    The code may be a division (province, prefecture, county) or an inspection unit (贵安新区).
    Returns an empty set for an unknown code.
    """
    division = session.get(Division, code)
    if division is not None:
        if division.level is DivisionLevel.PROVINCE:
            return None
        if division.level is DivisionLevel.COUNTY:
            return {division.code}
        return set(
            session.scalars(select(Division.code).where(Division.parent_code == division.code))
        )
    if session.get(InspectionUnit, code) is not None:
        return set(
            session.scalars(
                select(inspection_unit_counties.c.county_code).where(
                    inspection_unit_counties.c.unit_code == code
                )
            )
        )
    return set()


def expand_scope(session: Session, codes: Iterable[str]) -> frozenset[str] | None:
    """Union of the counties of several territory codes; None if any is province-wide."""
    out: set[str] = set()
    for code in codes:
        counties = counties_under(session, code)
        if counties is None:
            return None
        out |= counties
    return frozenset(out)


def territory_exists(session: Session, code: str) -> bool:
    return session.get(Division, code) is not None or session.get(InspectionUnit, code) is not None


def list_divisions(
    session: Session, *, level: DivisionLevel | None = None, parent_code: str | None = None
) -> list[Division]:
    stmt = select(Division).order_by(Division.code)
    if level is not None:
        stmt = stmt.where(Division.level == level)
    if parent_code is not None:
        stmt = stmt.where(Division.parent_code == parent_code)
    return list(session.scalars(stmt))


def list_inspection_units(session: Session) -> list[InspectionUnit]:
    return list(session.scalars(select(InspectionUnit).order_by(InspectionUnit.code)))


def list_basins(session: Session) -> list[Basin]:
    return list(session.scalars(select(Basin).order_by(Basin.parent_system, Basin.code)))
