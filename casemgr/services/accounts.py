"""Accounts: users, roles, jurisdictions, passwords, login throttling and API tokens."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from casemgr.db import transaction, utcnow
from casemgr.exceptions import (
    Conflict,
    InvalidInput,
    LoginFailed,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    StaleVersion,
    TooManyAttempts,
)
from casemgr.i18n import N_
from casemgr.models import (
    ApiToken,
    JudicialOrgan,
    LoginAttempt,
    OrganKind,
    User,
    UserJurisdiction,
    UserRole,
)
from casemgr.policy import Actor, Permission, Role
from casemgr.repositories.common import Page, apply_sort, paginate
from casemgr.repositories.territories import territory_exists
from casemgr.services.access import actor_for, require

_hasher = PasswordHasher()
# A hash of a random password, verified when the user does not exist so that the response
# time does not reveal which user names exist.
_DUMMY_HASH = _hasher.hash(secrets.token_hex(16))
MIN_PASSWORD_LENGTH = 10


@dataclass(frozen=True)
class LoginPolicy:
    max_failures: int = 5
    lockout_minutes: int = 15


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput.field(
            "password",
            N_("The password must have at least {n} characters."),
            n=MIN_PASSWORD_LENGTH,
        )
    return _hasher.hash(password)


def _apply_roles_and_scope(session: Session, user: User, data: Mapping[str, Any]) -> None:
    if "roles" in data:
        roles = sorted({Role(r) for r in data["roles"]})
        if not roles:
            raise InvalidInput.field("roles", N_("A user needs at least one role."))
        user.role_rows = [UserRole(role=r) for r in roles]
    if "jurisdictions" in data:
        codes = sorted(set(data["jurisdictions"]))
        if not codes:
            raise InvalidInput.field("jurisdictions", N_("A user needs at least one jurisdiction."))
        for code in codes:
            if not territory_exists(session, code):
                raise InvalidInput.field(
                    "jurisdictions",
                    N_("'{code}' is not a known division or inspection unit."),
                    code=code,
                )
        user.jurisdiction_rows = [UserJurisdiction(code=c) for c in codes]
    for f in ("display_name", "email", "certificate_number", "certificate_valid_until", "active"):
        if f in data:
            setattr(user, f, data[f])
    if "organ_code" in data:
        code = data["organ_code"]
        organ = session.get(JudicialOrgan, code) if code else None
        if code and organ is None:
            raise InvalidInput.field(
                "organ_code", N_("'{code}' is not a known judicial organ."), code=code
            )
        user.organ_code = code or None
    for role, kind in ((Role.PROSECUTOR, OrganKind.PROCURATORATE), (Role.JUDGE, OrganKind.COURT)):
        organ = session.get(JudicialOrgan, user.organ_code) if user.organ_code else None
        if role in user.roles and organ is not None and organ.kind is not kind:
            raise InvalidInput.field(
                "organ_code",
                N_("A {role} belongs to a {kind}, not to '{code}'."),
                role=role.value,
                kind=kind.value,
                code=organ.code,
            )
    if Role.OFFICER in user.roles and not user.certificate_number:
        raise InvalidInput.field(
            "certificate_number",
            N_("An enforcement officer needs an enforcement certificate number (执法证号)."),
        )


def create_user(session: Session, actor: Actor, data: Mapping[str, Any]) -> User:
    """Raises PermissionDenied, InvalidInput, Conflict (user name taken)."""
    require(actor, Permission.MANAGE_USERS)
    with transaction(session, actor=actor):
        username = data["username"].strip()
        if session.scalar(select(User.id).where(User.username == username)) is not None:
            raise Conflict(
                N_("User name '{username}' is taken."),
                errors={"username": [username]},
                username=username,
            )
        user = User(username=username, password_hash=hash_password(data["password"]))
        session.add(user)
        _apply_roles_and_scope(session, user, {"roles": [], "jurisdictions": [], **data})
    return user


def update_user(
    session: Session, actor: Actor, user_id: int, data: Mapping[str, Any], *, expected_version: int
) -> User:
    """Raises PermissionDenied, NotFound, StaleVersion, InvalidInput."""
    require(actor, Permission.MANAGE_USERS)
    with transaction(session, actor=actor):
        user = session.get(User, user_id)
        if user is None:
            raise NotFound(kind="User", key=user_id)
        if user.version != expected_version:
            raise StaleVersion()
        if data.get("password"):
            user.password_hash = hash_password(data["password"])
        _apply_roles_and_scope(session, user, data)
        if (
            "roles" in data
            or "jurisdictions" in data
            or "organ_code" in data
            or data.get("active") is False
        ):
            # Changed rights take effect at once: existing tokens are revoked.
            _revoke_all(session, user.id)
    return user


def get_user(session: Session, actor: Actor, user_id: int) -> User:
    """Raises PermissionDenied (unless reading oneself), NotFound."""
    if actor.user_id != user_id:
        require(actor, Permission.MANAGE_USERS)
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(kind="User", key=user_id)
    return user


def list_users(
    session: Session,
    actor: Actor,
    *,
    page: int = 1,
    per_page: int = 20,
    sort: str | None = None,
    q: str | None = None,
) -> Page[User]:
    require(actor, Permission.MANAGE_USERS)
    stmt = select(User)
    if q:
        stmt = stmt.where(
            User.username.contains(q, autoescape=True)
            | User.display_name.contains(q, autoescape=True)
        )
    stmt = apply_sort(
        stmt,
        sort,
        {
            "username": User.username,
            "display_name": User.display_name,
            "created_at": User.created_at,
        },
        "username",
        User.id,
    )
    return paginate(session, stmt, page=page, per_page=per_page)


def _recent_failures(session: Session, username: str, since: datetime) -> int:
    last_success = session.scalar(
        select(func.max(LoginAttempt.at)).where(
            LoginAttempt.username == username,
            LoginAttempt.succeeded.is_(True),
            LoginAttempt.at >= since,
        )
    )
    stmt = select(func.count()).where(
        LoginAttempt.username == username,
        LoginAttempt.succeeded.is_(False),
        LoginAttempt.at >= (last_success or since),
    )
    return session.scalar(stmt) or 0


def authenticate(
    session: Session,
    username: str,
    password: str,
    *,
    remote_addr: str = "",
    policy: LoginPolicy = LoginPolicy(),
) -> User:
    """Check a user name and password, throttled per account across all workers.

    Raises TooManyAttempts after ``policy.max_failures`` failures within the lockout window,
    LoginFailed for a wrong name or password or an inactive account.
    """
    username = username.strip()
    since = utcnow() - timedelta(minutes=policy.lockout_minutes)
    with transaction(session):
        if _recent_failures(session, username, since) >= policy.max_failures:
            raise TooManyAttempts(minutes=policy.lockout_minutes)
        user = session.scalar(select(User).where(User.username == username))
        ok = False
        try:
            ok = _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
        except (VerificationError, InvalidHashError):
            ok = False
        ok = ok and user is not None and user.active
        session.add(
            LoginAttempt(username=username[:64], remote_addr=remote_addr[:64], succeeded=ok)
        )
        if ok and user is not None and _hasher.check_needs_rehash(user.password_hash):
            user.password_hash = _hasher.hash(password)
    # The failed attempt is committed before the error is raised, so it counts.
    if not ok or user is None:
        raise LoginFailed()
    return user


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_token(
    session: Session, user: User, *, ttl: timedelta, label: str = ""
) -> tuple[str, ApiToken]:
    """Create a bearer token for ``user``; the plain token is returned once and never stored."""
    plain = "cm_" + secrets.token_urlsafe(32)
    with transaction(session, actor=None):
        row = ApiToken(
            user_id=user.id, digest=_digest(plain), label=label[:100], expires_at=utcnow() + ttl
        )
        session.add(row)
    return plain, row


def login_for_token(
    session: Session,
    username: str,
    password: str,
    *,
    remote_addr: str,
    ttl: timedelta,
    policy: LoginPolicy,
    label: str = "",
) -> tuple[str, ApiToken]:
    """Raises TooManyAttempts, LoginFailed."""
    user = authenticate(session, username, password, remote_addr=remote_addr, policy=policy)
    return issue_token(session, user, ttl=ttl, label=label)


def user_for_token(session: Session, token: str) -> User:
    """Resolve a bearer token to its user.

    Raises NotAuthenticated when the token is unknown, revoked or expired, or its user inactive.
    """
    row = session.scalar(select(ApiToken).where(ApiToken.digest == _digest(token)))
    now = utcnow()
    if row is None or row.revoked_at is not None or row.expires_at <= now or not row.user.active:
        raise NotAuthenticated()
    return row.user


def actor_for_token(session: Session, token: str) -> Actor:
    """Raises NotAuthenticated."""
    return actor_for(session, user_for_token(session, token))


def _revoke_all(session: Session, user_id: int) -> None:
    now = utcnow()
    for row in session.scalars(
        select(ApiToken).where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
    ):
        row.revoked_at = now


def list_tokens(session: Session, actor: Actor, *, user_id: int | None = None) -> list[ApiToken]:
    """Tokens of ``user_id`` (admins) or of the actor. Raises PermissionDenied."""
    target = user_id if user_id is not None else actor.user_id
    if target != actor.user_id:
        require(actor, Permission.MANAGE_USERS)
    return list(
        session.scalars(
            select(ApiToken).where(ApiToken.user_id == target).order_by(ApiToken.id.desc())
        )
    )


def revoke_token(session: Session, actor: Actor, token_id: int) -> ApiToken:
    """Revoke one token: one's own, or anyone's for an administrator.

    Raises NotFound, PermissionDenied.
    """
    with transaction(session, actor=actor):
        row = session.get(ApiToken, token_id)
        if row is None:
            raise NotFound(kind="Token", key=token_id)
        if row.user_id != actor.user_id and not actor.can(Permission.MANAGE_USERS):
            raise PermissionDenied()
        if row.revoked_at is None:
            row.revoked_at = utcnow()
    return row


def certificate_valid(user: User, on: date) -> bool:
    """Whether the officer's enforcement certificate (执法证) is valid on ``on``."""
    return bool(user.certificate_number) and (
        user.certificate_valid_until is None or user.certificate_valid_until >= on
    )
