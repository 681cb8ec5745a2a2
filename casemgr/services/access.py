"""Access checks every service runs before it reads or changes a record."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, false, or_, select
from sqlalchemy.orm import Session

from casemgr.exceptions import OutsideJurisdiction, PermissionDenied
from casemgr.models import Case, User
from casemgr.policy import Actor, Permission, Role
from casemgr.repositories.territories import expand_scope


def actor_for(session: Session, user: User) -> Actor:
    """The policy view of a user: roles plus the county codes their jurisdictions cover."""
    return Actor(
        user_id=user.id,
        username=user.username,
        display_name=user.display_name,
        roles=frozenset(user.roles),
        counties=expand_scope(session, user.jurisdictions),
        scope_codes=tuple(user.jurisdictions),
        organ_code=user.organ_code,
    )


def require(actor: Actor, permission: Permission) -> None:
    """Raises PermissionDenied unless one of the actor's roles grants ``permission``."""
    if not actor.can(permission):
        raise PermissionDenied()


def require_covers(actor: Actor, county_code: str | None) -> None:
    """Raises OutsideJurisdiction unless the county lies in the actor's jurisdictions."""
    if not actor.covers(county_code):
        raise OutsideJurisdiction()


def _organ_conditions(actor: Actor) -> list[Any]:
    conditions = []
    if actor.organ_code:
        if Role.PROSECUTOR in actor.roles:
            conditions.append(Case.procuratorate_code == actor.organ_code)
        if Role.JUDGE in actor.roles:
            conditions.append(Case.court_code == actor.organ_code)
    return conditions


def organ_cases(actor: Actor) -> Select[Any]:
    """Cases before the actor's own procuratorate or court."""
    conditions = _organ_conditions(actor)
    return select(Case.id).where(or_(*conditions) if conditions else false())


def organ_violations(actor: Actor) -> Select[Any]:
    """Violations whose family has a case before the actor's own organ: referred to, supervised
    or litigated by their procuratorate, or before their court (issue 4, who sees what)."""
    conditions = _organ_conditions(actor)
    return select(Case.violation_id).where(or_(*conditions) if conditions else false())


def family_before_organ(session: Session, actor: Actor, violation_id: int) -> bool:
    """Whether a violation's family has a case before the actor's procuratorate or court."""
    stmt = organ_violations(actor).where(Case.violation_id == violation_id).limit(1)
    return session.scalar(stmt) is not None


def audit_list_read(session: Session, actor: Actor, table_name: str, query: str) -> None:
    """Record a prosecutor's or judge's read of a list (a search, the deadline board) as one
    audit entry naming the query (PRODUCT.md: reads by another branch of the state are
    logged). No-op for everyone else."""
    if not actor.read_audited:
        return
    from casemgr.db import transaction
    from casemgr.models import AuditAction
    from casemgr.models.audit import write_entry

    key = query[:128]  # audit_entries.record_key holds 128 characters
    with transaction(session, actor=actor):
        write_entry(session, action=AuditAction.READ, table_name=table_name, record_key=key)
