"""Who is calling: bearer tokens on the API, login sessions on pages. Both become an Actor."""

from __future__ import annotations

from flask import g, request
from flask_login import current_user

from casemgr.exceptions import NotAuthenticated
from casemgr.extensions import db, login_manager
from casemgr.models import User
from casemgr.policy import Actor
from casemgr.services import accounts
from casemgr.services.access import actor_for


@login_manager.user_loader
def _load_user(user_id: str) -> User | None:
    try:
        user = db.session.get(User, int(user_id))
    except ValueError:
        return None
    return user if user is not None and user.active else None


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise NotAuthenticated()
    return token.strip()


def api_actor() -> Actor:
    """The caller of an API request, from its bearer token. Raises NotAuthenticated."""
    if "actor" not in g:
        token = bearer_token()
        if token is None:
            raise NotAuthenticated()
        g.actor = accounts.actor_for_token(db.session(), token)
    return g.actor  # type: ignore[no-any-return]


def page_actor() -> Actor:
    """The logged-in user of a page request. Raises NotAuthenticated."""
    if "actor" not in g:
        if not current_user.is_authenticated:
            raise NotAuthenticated()
        g.actor = actor_for(db.session(), current_user._get_current_object())
    return g.actor  # type: ignore[no-any-return]
