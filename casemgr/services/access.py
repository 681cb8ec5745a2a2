"""Access checks every service runs before it reads or changes a record."""

from __future__ import annotations

from sqlalchemy.orm import Session

from casemgr.exceptions import OutsideJurisdiction, PermissionDenied
from casemgr.models import User
from casemgr.policy import Actor, Permission
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
