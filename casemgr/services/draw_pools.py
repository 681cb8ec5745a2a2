"""The inputs of a random draw, read from the system: the pollution-source pool of a scope with
each enterprise's class and weight, the certified officers' roster, the declared conflicts and the
last inspectors (DOMAIN.md §4.5, §5.1).

Classes: an enterprise with a key-class permit or on the key pollutant units list (重点排污单位)
is ``key``, others ``general``; its credit tier's consequence (the scheme's
``inspection_class``) raises it to ``key`` or ``special``, never lowers it, and its
``sampling_weight`` weights the draw.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from casemgr.models import (
    CreditScore,
    DrawAssignment,
    DrawStatus,
    Enterprise,
    EnterpriseStatus,
    InspectionDraw,
    InspectorConflict,
    PermitClass,
    PollutionSource,
    User,
)
from casemgr.models.accounts import UserJurisdiction, UserRole
from casemgr.planning import draws as drawing
from casemgr.policy import Role
from casemgr.repositories.territories import counties_under
from credit.schemes import Scheme

_RANK = {"general": 0, "key": 1, "special": 2}


def _tiers(session: Session, scheme_key: str, on: date) -> dict[int, str | None]:
    latest = (
        select(func.max(CreditScore.id).label("id"))
        .where(CreditScore.scheme == scheme_key, CreditScore.as_of <= on)
        .group_by(CreditScore.enterprise_id)
        .subquery()
    )
    rows = session.execute(
        select(CreditScore.enterprise_id, CreditScore.tier).join(
            latest, CreditScore.id == latest.c.id
        )
    )
    return {eid: tier for eid, tier in rows}


def pool_rows(
    session: Session, counties: frozenset[str] | None, on: date, scheme: Scheme
) -> list[drawing.PoolEntry]:
    """The pollution-source pool (污染源动态数据库) of a scope on a day: operating enterprises
    with at least one pollution source, classed and weighted as the module docstring says."""
    key_flag = func.max(
        case(
            (
                (PollutionSource.permit_class == PermitClass.KEY)
                | PollutionSource.key_pollutant_unit.is_(True),
                1,
            ),
            else_=0,
        )
    )
    stmt = (
        select(Enterprise.id, Enterprise.uscc, Enterprise.county_code, key_flag)
        .join(PollutionSource, PollutionSource.enterprise_id == Enterprise.id)
        .where(Enterprise.status == EnterpriseStatus.OPERATING)
        .group_by(Enterprise.id, Enterprise.uscc, Enterprise.county_code)
    )
    if counties is not None:
        stmt = stmt.where(Enterprise.county_code.in_(sorted(counties)))
    tiers = _tiers(session, scheme.key, on)
    consequences = {t.value: c for t, c in scheme.consequences.items()}
    out = []
    for eid, uscc, county, key in session.execute(stmt):
        cls, weight = ("key" if key else "general"), 1.0
        consequence = consequences.get(tiers.get(eid) or "")
        if consequence is not None:
            weight = consequence.sampling_weight
            if _RANK.get(consequence.inspection_class, 0) > _RANK[cls]:
                cls = consequence.inspection_class
        out.append(drawing.PoolEntry(uscc, eid, cls, county, weight))
    return out


def _home(codes: Iterable[str]) -> str:
    """The home county an inspector may not inspect: their county jurisdiction (a prefecture or
    provincial officer has none, and their code matches no county)."""
    codes = sorted(codes)
    county = [c for c in codes if len(c) == 6 and not c.endswith("00")]
    return (county or codes or [""])[0]


def roster_rows(session: Session, counties: frozenset[str] | None) -> list[drawing.Inspector]:
    """The certified officers' roster (执法检查人员名录库) of a scope: active officers with an
    enforcement certificate (执法证) whose jurisdictions lie in it."""
    rows = session.execute(
        select(User.id, User.certificate_valid_until, UserJurisdiction.code)
        .join(UserRole, UserRole.user_id == User.id)
        .join(UserJurisdiction, UserJurisdiction.user_id == User.id)
        .where(
            UserRole.role == Role.OFFICER,
            User.active.is_(True),
            User.certificate_number.is_not(None),
        )
    ).all()
    codes: dict[int, set[str]] = {}
    until: dict[int, date | None] = {}
    for uid, valid, code in rows:
        codes.setdefault(uid, set()).add(code)
        until[uid] = valid
    out = []
    cache: dict[str, set[str] | None] = {}
    for uid, own in codes.items():
        if counties is not None:
            covered: set[str] = set()
            for code in own:
                if code not in cache:
                    cache[code] = counties_under(session, code)
                under = cache[code]
                if under is None:
                    covered = set(counties) | {"*"}
                    break
                covered |= under
            if not covered & counties:
                continue
        out.append(drawing.Inspector(uid, _home(own), until[uid]))
    return out


def exclusions(
    session: Session, pool: list[drawing.PoolEntry], on: date
) -> tuple[dict[int, frozenset[str]], dict[str, frozenset[int]]]:
    keys = {e.enterprise_id: e.key for e in pool}
    conflicts: dict[int, set[str]] = {}
    for uid, eid in session.execute(
        select(InspectorConflict.user_id, InspectorConflict.enterprise_id).where(
            InspectorConflict.declared_on <= on,
            (InspectorConflict.withdrawn_on.is_(None)) | (InspectorConflict.withdrawn_on > on),
        )
    ):
        if eid in keys:
            conflicts.setdefault(uid, set()).add(keys[eid])
    last_draw = (
        select(DrawAssignment.enterprise_id, func.max(DrawAssignment.draw_id).label("draw_id"))
        .join(InspectionDraw, InspectionDraw.id == DrawAssignment.draw_id)
        .where(InspectionDraw.status.in_([DrawStatus.DISPATCHED, DrawStatus.PUBLISHED]))
        .group_by(DrawAssignment.enterprise_id)
        .subquery()
    )
    last: dict[str, set[int]] = {}
    for eid, uid in session.execute(
        select(DrawAssignment.enterprise_id, DrawAssignment.user_id).join(
            last_draw,
            (DrawAssignment.enterprise_id == last_draw.c.enterprise_id)
            & (DrawAssignment.draw_id == last_draw.c.draw_id),
        )
    ):
        if eid in keys:
            last.setdefault(keys[eid], set()).add(uid)
    return (
        {u: frozenset(k) for u, k in conflicts.items()},
        {k: frozenset(u) for k, u in last.items()},
    )
