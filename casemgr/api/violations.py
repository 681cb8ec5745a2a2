"""Violations (违法行为), the spine of every case."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from casemgr.api.common import IF_MATCH, etag, expected_version, page_body
from casemgr.extensions import db
from casemgr.repositories.violations import ViolationFilter
from casemgr.schemas.common import page_of
from casemgr.schemas.violations import (
    ViolationCreateSchema,
    ViolationQueryArgs,
    ViolationSchema,
    ViolationUpdateSchema,
)
from casemgr.security import api_actor
from casemgr.services import violations as svc

blp = Blueprint(
    "violations",
    __name__,
    url_prefix="/violations",
    description="Violations: when, where, who, what and how much",
)


@blp.route("")
class Violations(MethodView):
    @blp.arguments(ViolationQueryArgs, location="query")
    @blp.response(200, page_of(ViolationSchema))
    def get(self, args: dict[str, Any]) -> Any:
        """Search violations"""
        f = ViolationFilter(
            enterprise_id=args.get("enterprise_id"),
            origin=args.get("origin"),
            found_from=args.get("found_from"),
            found_to=args.get("found_to"),
            q=args.get("q"),
        )
        page = svc.search_violations(
            db.session(),
            api_actor(),
            f,
            territory=args.get("county"),
            page=args["page"],
            per_page=args["per_page"],
            sort=args["sort"],
        )
        return page_body(page)

    @blp.arguments(ViolationCreateSchema)
    @blp.response(201, ViolationSchema)
    def post(self, data: dict[str, Any]) -> Any:
        """Log a violation"""
        v = svc.log_violation(db.session(), api_actor(), data)
        return v, etag(v.version)


@blp.route("/<int(max=2147483647):violation_id>")
class ViolationById(MethodView):
    @blp.response(200, ViolationSchema)
    def get(self, violation_id: int) -> Any:
        """Read a violation"""
        v = svc.get_violation(db.session(), api_actor(), violation_id)
        return v, etag(v.version)

    @blp.arguments(ViolationUpdateSchema)
    @blp.response(200, ViolationSchema)
    @blp.doc(parameters=[IF_MATCH])
    def patch(self, data: dict[str, Any], violation_id: int) -> Any:
        """Change a violation (send If-Match)"""
        actor = api_actor()
        v = svc.update_violation(
            db.session(), actor, violation_id, data, expected_version=expected_version()
        )
        return v, etag(v.version)
