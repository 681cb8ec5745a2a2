"""Users, roles and jurisdictions (administrators)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from casemgr.api.common import IF_MATCH, etag, expected_version, page_body
from casemgr.extensions import db
from casemgr.schemas.accounts import UserCreateSchema, UserQueryArgs, UserSchema, UserUpdateSchema
from casemgr.schemas.common import page_of
from casemgr.security import api_actor
from casemgr.services import accounts as svc

blp = Blueprint("users", __name__, url_prefix="/users", description="User accounts")


@blp.route("")
class Users(MethodView):
    @blp.arguments(UserQueryArgs, location="query")
    @blp.response(200, page_of(UserSchema))
    def get(self, args: dict[str, Any]) -> Any:
        """List users"""
        page = svc.list_users(
            db.session(),
            api_actor(),
            page=args["page"],
            per_page=args["per_page"],
            sort=args["sort"],
            q=args.get("q"),
        )
        return page_body(page)

    @blp.arguments(UserCreateSchema)
    @blp.response(201, UserSchema)
    def post(self, data: dict[str, Any]) -> Any:
        """Create a user"""
        user = svc.create_user(db.session(), api_actor(), data)
        return user, etag(user.version)


@blp.route("/me")
class Me(MethodView):
    @blp.response(200, UserSchema)
    def get(self) -> Any:
        """Read the calling user"""
        actor = api_actor()
        return svc.get_user(db.session(), actor, actor.user_id)


@blp.route("/<int(max=2147483647):user_id>")
class UserById(MethodView):
    @blp.response(200, UserSchema)
    def get(self, user_id: int) -> Any:
        """Read a user"""
        user = svc.get_user(db.session(), api_actor(), user_id)
        return user, etag(user.version)

    @blp.arguments(UserUpdateSchema)
    @blp.response(200, UserSchema)
    @blp.doc(parameters=[IF_MATCH])
    def patch(self, data: dict[str, Any], user_id: int) -> Any:
        """Change a user's roles, jurisdictions, certificate or password (send If-Match)"""
        actor = api_actor()
        user = svc.update_user(
            db.session(), actor, user_id, data, expected_version=expected_version()
        )
        return user, etag(user.version)
