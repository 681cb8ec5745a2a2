"""Reading the reference data (any authenticated user may)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from casemgr.exceptions import NotFound
from casemgr.models import Basin, Division, DivisionLevel, InspectionUnit
from casemgr.policy import Actor
from casemgr.repositories import territories as repo


def list_divisions(
    session: Session,
    actor: Actor,
    *,
    level: DivisionLevel | None = None,
    parent_code: str | None = None,
) -> list[Division]:
    return repo.list_divisions(session, level=level, parent_code=parent_code)


def get_division(session: Session, actor: Actor, code: str) -> Division:
    """Raises NotFound."""
    division = repo.get_division(session, code)
    if division is None:
        raise NotFound(kind="Division", key=code)
    return division


def list_inspection_units(session: Session, actor: Actor) -> list[InspectionUnit]:
    return repo.list_inspection_units(session)


def list_basins(session: Session, actor: Actor) -> list[Basin]:
    return repo.list_basins(session)
