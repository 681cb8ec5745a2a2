"""Pollution-source (污染源) use cases."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from casemgr.db import transaction
from casemgr.exceptions import Conflict, InvalidInput, NotFound, StaleVersion
from casemgr.i18n import N_
from casemgr.models import Basin, PollutionSource
from casemgr.policy import Actor, Permission
from casemgr.repositories import enterprises as repo
from casemgr.repositories.common import Page, apply_sort, paginate
from casemgr.services.access import require, require_covers
from casemgr.services.enterprises import require_county, territory_counties, visible_enterprise

_FIELDS = ("name", "permit_class", "key_pollutant_unit", "latitude", "longitude")


def _basin(session: Session, code: str | None) -> str | None:
    if code is None:
        return None
    if session.get(Basin, code) is None:
        raise InvalidInput.field("basin_code", N_("'{code}' is not a known basin."), code=code)
    return code


def _permit(session: Session, number: str | None, own_id: int | None) -> str | None:
    if not number:
        return None
    number = number.strip().upper()
    other = session.scalar(select(PollutionSource).where(PollutionSource.permit_number == number))
    if other is not None and other.id != own_id:
        raise Conflict(
            N_("Permit number {number} already belongs to another pollution source."),
            errors={"permit_number": [number]},
            number=number,
        )
    return number


def create_source(session: Session, actor: Actor, data: Mapping[str, Any]) -> PollutionSource:
    """Add a pollution source to an enterprise.

    Raises PermissionDenied, NotFound, OutsideJurisdiction, InvalidInput, Conflict.
    """
    require(actor, Permission.WRITE_ENTERPRISES)
    with transaction(session, actor=actor):
        ent = visible_enterprise(session, actor, data["enterprise_id"])
        county = require_county(session, data.get("county_code") or ent.county_code)
        require_covers(actor, county.code)
        src = PollutionSource(
            enterprise_id=ent.id,
            county_code=county.code,
            basin_code=_basin(session, data.get("basin_code")),
            permit_number=_permit(session, data.get("permit_number"), None),
        )
        for f in _FIELDS:
            if f in data:
                setattr(src, f, data[f])
        session.add(src)
    return src


def _visible_source(session: Session, actor: Actor, source_id: int) -> PollutionSource:
    src = repo.get_source(session, source_id)
    if src is None:
        raise NotFound(kind="Pollution source", key=source_id)
    require_covers(actor, src.county_code)
    return src


def get_source(session: Session, actor: Actor, source_id: int) -> PollutionSource:
    """Raises PermissionDenied, NotFound, OutsideJurisdiction."""
    require(actor, Permission.READ_ENTERPRISES)
    return _visible_source(session, actor, source_id)


def update_source(
    session: Session,
    actor: Actor,
    source_id: int,
    data: Mapping[str, Any],
    *,
    expected_version: int,
) -> PollutionSource:
    """Raises PermissionDenied, NotFound, OutsideJurisdiction, StaleVersion, InvalidInput,
    Conflict."""
    require(actor, Permission.WRITE_ENTERPRISES)
    with transaction(session, actor=actor):
        src = _visible_source(session, actor, source_id)
        if src.version != expected_version:
            raise StaleVersion()
        if "county_code" in data:
            county = require_county(session, data["county_code"])
            require_covers(actor, county.code)
            src.county_code = county.code
        if "basin_code" in data:
            src.basin_code = _basin(session, data["basin_code"])
        if "permit_number" in data:
            src.permit_number = _permit(session, data["permit_number"], src.id)
        for f in _FIELDS:
            if f in data:
                setattr(src, f, data[f])
    return src


def search_sources(
    session: Session,
    actor: Actor,
    f: repo.SourceFilter,
    *,
    territory: str | None = None,
    page: int = 1,
    per_page: int = 20,
    sort: str | None = None,
) -> Page[PollutionSource]:
    """Raises PermissionDenied, InvalidInput (unknown territory or sort field)."""
    require(actor, Permission.READ_ENTERPRISES)
    if territory:
        f = replace(f, counties=territory_counties(session, territory, field="county"))
    stmt = repo.source_query(f, scope=actor.counties)
    stmt = apply_sort(stmt, sort, repo.SOURCE_SORTS, "name", PollutionSource.id)
    return paginate(session, stmt, page=page, per_page=per_page)
