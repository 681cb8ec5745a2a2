"""Bearer tokens: log in for a token, list and revoke tokens."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import current_app, request
from flask.views import MethodView
from flask_smorest import Blueprint

from casemgr.extensions import db
from casemgr.schemas.accounts import IssuedTokenSchema, LoginSchema, TokenQueryArgs, TokenSchema
from casemgr.security import api_actor
from casemgr.services import accounts as svc

blp = Blueprint("tokens", __name__, url_prefix="/tokens", description="API bearer tokens")


def login_policy() -> svc.LoginPolicy:
    cfg = current_app.config
    return svc.LoginPolicy(
        max_failures=cfg["LOGIN_MAX_FAILURES"], lockout_minutes=cfg["LOGIN_LOCKOUT_MINUTES"]
    )


@blp.route("")
class Tokens(MethodView):
    @blp.arguments(LoginSchema)
    @blp.response(201, IssuedTokenSchema)
    @blp.doc(security=[])
    def post(self, data: dict[str, Any]) -> Any:
        """Log in with user name and password and receive a bearer token"""
        plain, row = svc.login_for_token(
            db.session(),
            data["username"],
            data["password"],
            remote_addr=request.remote_addr or "",
            ttl=timedelta(hours=current_app.config["TOKEN_TTL_HOURS"]),
            policy=login_policy(),
            label=data.get("label", ""),
        )
        fields = ("id", "user_id", "label", "created_at", "expires_at", "revoked_at")
        return {**{f: getattr(row, f) for f in fields}, "token": plain}

    @blp.arguments(TokenQueryArgs, location="query")
    @blp.response(200, TokenSchema(many=True))
    def get(self, args: dict[str, Any]) -> Any:
        """List your tokens (administrators: any user's)"""
        return svc.list_tokens(db.session(), api_actor(), user_id=args.get("user_id"))


@blp.route("/<int(max=2147483647):token_id>")
class TokenById(MethodView):
    @blp.response(200, TokenSchema)
    def delete(self, token_id: int) -> Any:
        """Revoke a token"""
        return svc.revoke_token(db.session(), api_actor(), token_id)
