"""Enterprises (企业) and the USCC override list."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from casemgr.api.common import IF_MATCH, etag, expected_version, page_body
from casemgr.extensions import db
from casemgr.repositories.enterprises import EnterpriseFilter
from casemgr.schemas.common import page_of
from casemgr.schemas.enterprises import (
    EnterpriseCreateSchema,
    EnterpriseQueryArgs,
    EnterpriseSchema,
    EnterpriseUpdateSchema,
    UsccOverrideSchema,
)
from casemgr.security import api_actor
from casemgr.services import enterprises as svc

blp = Blueprint(
    "enterprises",
    __name__,
    url_prefix="/enterprises",
    description="Enterprises keyed by their Unified Social Credit Code",
)
overrides_blp = Blueprint(
    "uscc_overrides",
    __name__,
    url_prefix="/uscc-overrides",
    description="Officially issued USCCs that fail the check algorithm",
)


@blp.route("")
class Enterprises(MethodView):
    @blp.arguments(EnterpriseQueryArgs, location="query")
    @blp.response(200, page_of(EnterpriseSchema))
    def get(self, args: dict[str, Any]) -> Any:
        """Search enterprises by name fragment, USCC, county, industry, basin"""
        f = EnterpriseFilter(
            q=args.get("q"),
            uscc=args.get("uscc"),
            industry=args.get("industry"),
            basin=args.get("basin"),
            status=args.get("status"),
        )
        page = svc.search_enterprises(
            db.session(),
            api_actor(),
            f,
            territory=args.get("county"),
            page=args["page"],
            per_page=args["per_page"],
            sort=args["sort"],
        )
        return page_body(page)

    @blp.arguments(EnterpriseCreateSchema)
    @blp.response(201, EnterpriseSchema)
    def post(self, data: dict[str, Any]) -> Any:
        """Register an enterprise"""
        ent = svc.create_enterprise(db.session(), api_actor(), data)
        return ent, etag(ent.version)


@blp.route("/<int(max=2147483647):enterprise_id>")
class EnterpriseById(MethodView):
    @blp.response(200, EnterpriseSchema)
    def get(self, enterprise_id: int) -> Any:
        """Read an enterprise"""
        ent = svc.get_enterprise(db.session(), api_actor(), enterprise_id)
        return ent, etag(ent.version)

    @blp.arguments(EnterpriseUpdateSchema)
    @blp.response(200, EnterpriseSchema)
    @blp.doc(parameters=[IF_MATCH])
    def patch(self, data: dict[str, Any], enterprise_id: int) -> Any:
        """Change an enterprise (send If-Match)"""
        actor = api_actor()
        ent = svc.update_enterprise(
            db.session(), actor, enterprise_id, data, expected_version=expected_version()
        )
        return ent, etag(ent.version)


@overrides_blp.route("")
class UsccOverrides(MethodView):
    @overrides_blp.response(200, UsccOverrideSchema(many=True))
    def get(self) -> Any:
        """List the accepted USCC exceptions"""
        return svc.list_uscc_overrides(db.session(), api_actor())

    @overrides_blp.arguments(UsccOverrideSchema)
    @overrides_blp.response(201, UsccOverrideSchema)
    def post(self, data: dict[str, Any]) -> Any:
        """Accept an officially issued USCC that fails its check character"""
        return svc.add_uscc_override(db.session(), api_actor(), **data)
