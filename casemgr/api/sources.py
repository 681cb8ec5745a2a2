"""Pollution sources (污染源)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from casemgr.api.common import IF_MATCH, etag, expected_version, page_body
from casemgr.extensions import db
from casemgr.repositories.enterprises import SourceFilter
from casemgr.schemas.common import page_of
from casemgr.schemas.enterprises import (
    SourceCreateSchema,
    SourceQueryArgs,
    SourceSchema,
    SourceUpdateSchema,
)
from casemgr.security import api_actor
from casemgr.services import sources as svc

blp = Blueprint(
    "sources",
    __name__,
    url_prefix="/sources",
    description="Pollution sources and their discharge permits",
)


@blp.route("")
class Sources(MethodView):
    @blp.arguments(SourceQueryArgs, location="query")
    @blp.response(200, page_of(SourceSchema))
    def get(self, args: dict[str, Any]) -> Any:
        """Search pollution sources"""
        f = SourceFilter(
            enterprise_id=args.get("enterprise_id"),
            basin=args.get("basin"),
            permit_class=args.get("permit_class"),
            key_pollutant_unit=args.get("key_pollutant_unit"),
            q=args.get("q"),
        )
        page = svc.search_sources(
            db.session(),
            api_actor(),
            f,
            territory=args.get("county"),
            page=args["page"],
            per_page=args["per_page"],
            sort=args["sort"],
        )
        return page_body(page)

    @blp.arguments(SourceCreateSchema)
    @blp.response(201, SourceSchema)
    def post(self, data: dict[str, Any]) -> Any:
        """Add a pollution source to an enterprise"""
        src = svc.create_source(db.session(), api_actor(), data)
        return src, etag(src.version)


@blp.route("/<int(max=2147483647):source_id>")
class SourceById(MethodView):
    @blp.response(200, SourceSchema)
    def get(self, source_id: int) -> Any:
        """Read a pollution source"""
        src = svc.get_source(db.session(), api_actor(), source_id)
        return src, etag(src.version)

    @blp.arguments(SourceUpdateSchema)
    @blp.response(200, SourceSchema)
    @blp.doc(parameters=[IF_MATCH])
    def patch(self, data: dict[str, Any], source_id: int) -> Any:
        """Change a pollution source (send If-Match)"""
        actor = api_actor()
        src = svc.update_source(
            db.session(), actor, source_id, data, expected_version=expected_version()
        )
        return src, etag(src.version)
