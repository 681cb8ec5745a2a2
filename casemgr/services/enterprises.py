"""Enterprise use cases: register, update, rename, search, read; USCC overrides."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from casemgr.db import transaction
from casemgr.exceptions import Conflict, InvalidInput, NotFound, StaleVersion
from casemgr.i18n import N_
from casemgr.models import (
    AliasKind,
    AuditAction,
    Division,
    DivisionLevel,
    Enterprise,
    EnterpriseAlias,
    EnterpriseName,
    UsccOverride,
)
from casemgr.models.audit import write_entry
from casemgr.policy import Actor, Permission
from casemgr.repositories import credit_current
from casemgr.repositories import enterprises as repo
from casemgr.repositories.common import Page
from casemgr.repositories.enterprise_search import search_page
from casemgr.repositories.territories import counties_under
from casemgr.services.access import require, require_covers
from linkage.identifiers import (
    UsccStatus,
    normalise_code,
    org_code_is_valid,
    regno15_is_valid,
    uscc_check_char,
    validate_uscc,
)

_USCC_MESSAGES = {
    UsccStatus.BAD_FORMAT: N_(
        "Invalid Unified Social Credit Code: {reason} (GB 32100-2015: 18 characters, digits and "
        "capital letters without I, O, S, V, Z)."
    ),
    UsccStatus.BAD_REGION: N_(
        "Invalid Unified Social Credit Code: characters 3-8 must be a 6-digit division code "
        "(GB 32100-2015)."
    ),
    UsccStatus.BAD_ORG_CHECK: N_(
        "Invalid Unified Social Credit Code: the organisation-code check character (position 17) "
        "should be '{expected}', not '{actual}' (GB 11714-1997); the code's own check character "
        "(position 18) for these first 17 characters would be '{uscc_check}' (GB 32100-2015)."
    ),
    UsccStatus.BAD_CHECK: N_(
        "Invalid Unified Social Credit Code: the check character should be '{expected}', "
        "not '{actual}' (GB 32100-2015)."
    ),
}


def checked_uscc(
    session: Session, raw: str, *, field: str = "uscc"
) -> tuple[str, UsccStatus, bool]:
    """Normalise and validate a USCC, honouring the audited override list.

    Raises InvalidInput naming ``field`` and, for a wrong check character, the expected one.
    """
    code = normalise_code(raw)
    overrides = set(session.scalars(select(UsccOverride.uscc).where(UsccOverride.uscc == code)))
    result = validate_uscc(raw, overrides=overrides)
    if not result.is_valid:
        actual = {UsccStatus.BAD_CHECK: code[17:18], UsccStatus.BAD_ORG_CHECK: code[16:17]}.get(
            result.status, ""
        )
        template = _USCC_MESSAGES[result.status]
        params = {
            "expected": result.expected_check,
            "actual": actual,
            "reason": result.reason,
            "uscc_check": uscc_check_char(code[:17]) if actual else "",
        }
        raise InvalidInput(template, errors={field: [template]}, **params)
    return result.code, result.status, result.unknown_authority


def require_county(session: Session, code: str, field: str = "county_code") -> Division:
    div = session.get(Division, code)
    if div is None or div.level is not DivisionLevel.COUNTY:
        raise InvalidInput.field(
            field, N_("'{code}' is not a county-level division code."), code=code
        )
    return div


def territory_counties(session: Session, code: str, *, field: str) -> frozenset[str] | None:
    """Counties a territory code covers (None: the province). Raises InvalidInput if unknown."""
    counties = counties_under(session, code)
    if counties is not None and not counties:
        raise InvalidInput.field(
            field, N_("'{code}' is not a known division or inspection unit."), code=code
        )
    return None if counties is None else frozenset(counties)


def _check_alias(kind: AliasKind, value: str) -> str:
    v = normalise_code(value)
    ok = {
        AliasKind.ORG_CODE: lambda: len(v) == 9 and org_code_is_valid(v),
        AliasKind.REGNO15: lambda: len(v) == 15 and v.isdigit() and regno15_is_valid(v),
        # Old tax registration number: 6-digit division code + 9-character organisation code [R]
        AliasKind.LEGACY_TAX_ID: lambda: len(v) in (15, 18, 20) and v[:6].isdigit(),
        AliasKind.OTHER: lambda: 0 < len(v) <= 32,
    }[kind]()
    if not ok:
        raise InvalidInput.field(
            "aliases",
            N_("Alias '{value}' is not a valid {kind}."),
            value=value,
            kind=kind.value,
        )
    if kind is AliasKind.ORG_CODE:
        v = f"{v[:8]}-{v[8]}"
    return v


def _set_aliases(session: Session, ent: Enterprise, aliases: list[Mapping[str, Any]]) -> None:
    wanted: dict[tuple[AliasKind, str], None] = {}
    for a in aliases:
        kind = AliasKind(a["kind"])
        wanted[(kind, _check_alias(kind, a["value"]))] = None
    current = {(a.kind, a.value): a for a in ent.aliases}
    for key, alias in current.items():
        if key not in wanted:
            ent.aliases.remove(alias)
    for kind, value in wanted:
        if (kind, value) in current:
            continue
        owner = repo.alias_owner(session, kind, value)
        if owner is not None and owner.enterprise_id != ent.id:
            raise Conflict(
                N_("{kind} '{value}' already belongs to another enterprise."),
                errors={"aliases": [f"{kind.value} {value}"]},
                kind=kind.value,
                value=value,
            )
        ent.aliases.append(EnterpriseAlias(kind=kind, value=value))


_SIMPLE_FIELDS = (
    "legal_representative",
    "address",
    "industry_code",
    "industry_name",
    "status",
    "registered_on",
)


def create_enterprise(session: Session, actor: Actor, data: Mapping[str, Any]) -> Enterprise:
    """Register an enterprise under its USCC.

    Raises PermissionDenied, OutsideJurisdiction, InvalidInput (bad USCC, county, alias) and
    Conflict (USCC or alias already registered).
    """
    require(actor, Permission.WRITE_ENTERPRISES)
    with transaction(session, actor=actor):
        uscc, status, unknown = checked_uscc(session, data["uscc"])
        county = require_county(session, data["county_code"])
        require_covers(actor, county.code)
        if repo.enterprise_by_uscc(session, uscc) is not None:
            raise Conflict(
                N_("An enterprise with USCC {uscc} is already registered."),
                errors={"uscc": [uscc]},
                uscc=uscc,
            )
        ent = Enterprise(
            uscc=uscc,
            uscc_status=status.value,
            unknown_authority=unknown,
            name=data["name"].strip(),
            county_code=county.code,
        )
        for f in _SIMPLE_FIELDS:
            if f in data and data[f] is not None:
                setattr(ent, f, data[f])
        session.add(ent)
        session.flush()
        _set_aliases(session, ent, list(data.get("aliases") or []))
        for former in data.get("former_names") or []:
            ent.name_history.append(
                EnterpriseName(name=former["name"].strip(), valid_to=former.get("valid_to"))
            )
    return ent


def visible_enterprise(session: Session, actor: Actor, enterprise_id: int) -> Enterprise:
    ent = repo.get_enterprise(session, enterprise_id)
    if ent is None:
        raise NotFound(kind="Enterprise", key=enterprise_id)
    require_covers(actor, ent.county_code)
    return ent


def get_enterprise(session: Session, actor: Actor, enterprise_id: int) -> Enterprise:
    """Read one enterprise; a prosecutor's or judge's read is written to the audit trail.

    Raises PermissionDenied, NotFound, OutsideJurisdiction.
    """
    require(actor, Permission.READ_ENTERPRISES)
    if actor.read_audited:
        with transaction(session, actor=actor):
            ent = visible_enterprise(session, actor, enterprise_id)
            write_entry(
                session, action=AuditAction.READ, table_name="enterprises", record_key=str(ent.id)
            )
        return ent
    return visible_enterprise(session, actor, enterprise_id)


def update_enterprise(
    session: Session,
    actor: Actor,
    enterprise_id: int,
    data: Mapping[str, Any],
    *,
    expected_version: int,
) -> Enterprise:
    """Change an enterprise; a new name moves the old one into the name history (曾用名).

    Raises PermissionDenied, NotFound, OutsideJurisdiction, StaleVersion, InvalidInput, Conflict.
    """
    require(actor, Permission.WRITE_ENTERPRISES)
    with transaction(session, actor=actor):
        ent = visible_enterprise(session, actor, enterprise_id)
        if ent.version != expected_version:
            raise StaleVersion()
        moved = False
        if "county_code" in data and data["county_code"] != ent.county_code:
            county = require_county(session, data["county_code"])
            require_covers(actor, county.code)
            ent.county_code = county.code
            moved = True
        new_name = (data.get("name") or "").strip()
        renamed = bool(new_name) and new_name != ent.name
        if renamed:
            ent.name_history.append(
                EnterpriseName(name=ent.name, valid_to=data.get("renamed_on") or date.today())
            )
            ent.name = new_name
        for f in _SIMPLE_FIELDS:
            if f in data:
                setattr(ent, f, data[f])
        if "aliases" in data:
            _set_aliases(session, ent, list(data["aliases"] or []))
        # Its current credit rows follow it (the tier counts too), so that the tier lists
        # find it in its county and in its place in name order.
        if moved:
            credit_current.move(session, ent.id, ent.county_code)
        if renamed:
            credit_current.rename(session, ent.id, ent.name)
    return ent


def search_enterprises(
    session: Session,
    actor: Actor,
    f: repo.EnterpriseFilter,
    *,
    territory: str | None = None,
    page: int = 1,
    per_page: int = 20,
    sort: str | None = None,
) -> Page[Enterprise]:
    """Enterprises within the actor's jurisdiction matching the filter; ``territory`` is a
    county, prefecture or inspection-unit code narrowing the search.

    Raises PermissionDenied, InvalidInput (unknown territory or sort field).
    """
    require(actor, Permission.READ_ENTERPRISES)
    if territory:
        f = replace(f, counties=territory_counties(session, territory, field="county"))
    return search_page(session, f, scope=actor.counties, sort=sort, page=page, per_page=per_page)


def add_uscc_override(
    session: Session, actor: Actor, *, uscc: str, reason: str, evidence: str = ""
) -> UsccOverride:
    """Accept an officially issued USCC that fails the check algorithm (audited).

    Raises PermissionDenied, InvalidInput (malformed code, or a code that is already valid),
    Conflict (already on the list).
    """
    require(actor, Permission.OVERRIDE_USCC)
    code = normalise_code(uscc)
    result = validate_uscc(code)
    if result.status not in (UsccStatus.BAD_CHECK, UsccStatus.BAD_ORG_CHECK):
        raise InvalidInput.field(
            "uscc",
            N_("Only a well-formed code that fails its check character can be overridden."),
        )
    with transaction(session, actor=actor):
        if session.get(UsccOverride, code) is not None:
            raise Conflict(N_("USCC {uscc} is already on the override list."), uscc=code)
        row = UsccOverride(
            uscc=code,
            reason=reason.strip(),
            evidence=evidence.strip(),
            created_by_id=actor.user_id or None,
        )
        session.add(row)
    return row


def list_uscc_overrides(session: Session, actor: Actor) -> list[UsccOverride]:
    require(actor, Permission.READ_ENTERPRISES)
    return list(session.scalars(select(UsccOverride).order_by(UsccOverride.uscc)))
