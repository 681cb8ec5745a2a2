"""Violation use cases: log, change, read, search."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from sqlalchemy.orm import Session

from casemgr.db import transaction
from casemgr.exceptions import InvalidInput, NotFound, StaleVersion
from casemgr.i18n import N_
from casemgr.models import AuditAction, Basin, Enterprise, PollutionSource
from casemgr.models.audit import write_entry
from casemgr.models.violations import Measurement, Violation
from casemgr.policy import Actor, Permission
from casemgr.repositories import violations as repo
from casemgr.repositories.common import Page, apply_sort, paginate
from casemgr.services import alerts
from casemgr.services.access import family_before_organ, require, require_covers
from casemgr.services.enterprises import require_county, territory_counties
from casemgr.services.localtime import local_today

_SIMPLE = (
    "found_at",
    "occurred_from",
    "occurred_to",
    "latitude",
    "longitude",
    "place",
    "summary",
    "description",
    "origin",
    "origin_reference",
    "hazardous_waste_tonnes",
    "loss_cents",
    "illegal_gain_cents",
    "in_protected_zone",
    "during_pollution_alert",
    "water_intake_cut_hours",
    "toxic_substance",
    "ecological_damage",
)


def _apply(session: Session, v: Violation, data: Mapping[str, Any]) -> None:
    if "county_code" in data:
        v.county_code = require_county(session, data["county_code"]).code
    if "basin_code" in data:
        code = data["basin_code"]
        if code is not None and session.get(Basin, code) is None:
            raise InvalidInput.field("basin_code", N_("'{code}' is not a known basin."), code=code)
        v.basin_code = code
    for f in _SIMPLE:
        if f in data:
            setattr(v, f, data[f])
    if "evasive_methods" in data:
        v.evasive_methods = sorted({m.value for m in data["evasive_methods"] or []})
    if "enterprise_ids" in data:
        ents = []
        for eid in dict.fromkeys(data["enterprise_ids"]):
            ent = session.get(Enterprise, eid)
            if ent is None:
                raise InvalidInput.field(
                    "enterprise_ids", N_("Enterprise {id} does not exist."), id=eid
                )
            ents.append(ent)
        v.enterprises = ents
    if "source_id" in data:
        sid = data["source_id"]
        if sid is not None:
            src = session.get(PollutionSource, sid)
            if src is None or src.enterprise_id not in {e.id for e in v.enterprises}:
                raise InvalidInput.field(
                    "source_id",
                    N_("Pollution source {id} does not belong to the violation's enterprises."),
                    id=sid,
                )
        v.source_id = sid
    if "measurements" in data:
        v.measurements = [Measurement(**m) for m in data["measurements"] or []]
    if v.occurred_from and v.occurred_to and v.occurred_to < v.occurred_from:
        raise InvalidInput.field("occurred_to", N_("The end lies before the start."))


def log_violation(session: Session, actor: Actor, data: Mapping[str, Any]) -> Violation:
    """Record a violation in the actor's jurisdiction.

    Raises PermissionDenied, OutsideJurisdiction, InvalidInput.
    """
    require(actor, Permission.WRITE_CASES)
    with transaction(session, actor=actor):
        v = add_violation(session, actor, data)
    return v


def add_violation(session: Session, actor: Actor, data: Mapping[str, Any]) -> Violation:
    """Record a violation inside the caller's unit of work (a problem handed over by an
    inspection, a finding of a random draw). Raises OutsideJurisdiction, InvalidInput."""
    require_covers(actor, require_county(session, data["county_code"]).code)
    v = Violation(created_by_id=actor.user_id or None, evasive_methods=[])
    _apply(session, v, data)
    session.add(v)
    alerts.refresh_for_violation(session, v, today=local_today())
    return v


def visible_violation(session: Session, actor: Actor, violation_id: int) -> Violation:
    """Raises NotFound, also for a violation outside the actor's jurisdiction (cases are not
    public: their existence must not leak)."""
    v = session.get(Violation, violation_id)
    if v is None or not (
        actor.covers(v.county_code)
        or (actor.organ_scoped and family_before_organ(session, actor, v.id))
    ):
        raise NotFound(kind="Violation", key=violation_id)
    return v


def get_violation(session: Session, actor: Actor, violation_id: int) -> Violation:
    """Raises PermissionDenied, NotFound. A prosecutor's or judge's read is audited."""
    require(actor, Permission.READ_CASES)
    if actor.read_audited:
        with transaction(session, actor=actor):
            v = visible_violation(session, actor, violation_id)
            write_entry(
                session, action=AuditAction.READ, table_name="violations", record_key=str(v.id)
            )
        return v
    return visible_violation(session, actor, violation_id)


def update_violation(
    session: Session,
    actor: Actor,
    violation_id: int,
    data: Mapping[str, Any],
    *,
    expected_version: int,
) -> Violation:
    """Raises PermissionDenied, NotFound, OutsideJurisdiction, StaleVersion, InvalidInput."""
    require(actor, Permission.WRITE_CASES)
    with transaction(session, actor=actor):
        v = visible_violation(session, actor, violation_id)
        if v.version != expected_version:
            raise StaleVersion()
        if "county_code" in data:
            require_covers(actor, require_county(session, data["county_code"]).code)
        _apply(session, v, data)
        alerts.refresh_for_violation(session, v, today=local_today())
    return v


def search_violations(
    session: Session,
    actor: Actor,
    f: repo.ViolationFilter,
    *,
    territory: str | None = None,
    page: int = 1,
    per_page: int = 20,
    sort: str | None = None,
) -> Page[Violation]:
    """Raises PermissionDenied, InvalidInput."""
    require(actor, Permission.READ_CASES)
    if territory:
        f = replace(f, counties=territory_counties(session, territory, field="county"))
    stmt = repo.violation_query(f, scope=actor.counties)
    stmt = apply_sort(stmt, sort, repo.VIOLATION_SORTS, "-found_at", Violation.id)
    return paginate(session, stmt, page=page, per_page=per_page)
