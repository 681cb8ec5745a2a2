"""The enterprise graph (企业关联图谱): related parties, connections, groups."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint

from casemgr.extensions import db
from casemgr.schemas.graph import (
    ConnectionArgs,
    ConnectionSchema,
    GroupSchema,
    RelatedArgs,
    RelatedPartiesSchema,
)
from casemgr.security import api_actor
from casemgr.services import graph as svc

blp = Blueprint(
    "enterprise_graph",
    __name__,
    url_prefix="/enterprises",
    description="The enterprise graph: related parties, explained connections, control groups",
)

_ID = "<int(max=2147483647):enterprise_id>"


def _hub_cap() -> int:
    # A setting the lead may add to casemgr.config; the library's default otherwise.
    return int(current_app.config.get("GRAPH_HUB_CAP", svc.DEFAULT_HUB_CAP))


@blp.route(f"/{_ID}/related")
class Related(MethodView):
    @blp.arguments(RelatedArgs, location="query")
    @blp.response(200, RelatedPartiesSchema)
    def get(self, args: dict[str, Any], enterprise_id: int) -> Any:
        """List the enterprises within 1-3 hops, with the paths that connect them"""
        kinds = [k.value for k in args["kind"]] if args.get("kind") else None
        return svc.related(
            db.session(),
            api_actor(),
            enterprise_id,
            args["hops"],
            kinds=kinds,
            cap=_hub_cap(),
            page=args["page"],
            per_page=args["per_page"],
        )


@blp.route(f"/{_ID}/connection/<int(max=2147483647):other_id>")
class Connection(MethodView):
    @blp.arguments(ConnectionArgs, location="query")
    @blp.response(200, ConnectionSchema)
    def get(self, args: dict[str, Any], enterprise_id: int, other_id: int) -> Any:
        """Explain how two enterprises are connected, control before shared address or phone"""
        return svc.connection(
            db.session(),
            api_actor(),
            enterprise_id,
            other_id,
            max_hops=args["max_hops"],
            cap=_hub_cap(),
        )


@blp.route(f"/{_ID}/group")
class Group(MethodView):
    @blp.response(200, GroupSchema)
    def get(self, enterprise_id: int) -> Any:
        """Show the group joined to an enterprise through control edges"""
        return svc.group(db.session(), api_actor(), enterprise_id)
