"""The deadline board across cases."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from casemgr.api.common import page_body
from casemgr.extensions import db
from casemgr.schemas.cases import BoardQueryArgs, DeadlineSchema
from casemgr.schemas.common import page_of
from casemgr.security import api_actor
from casemgr.services import deadlines as svc
from casemgr.services.enterprises import territory_counties
from casemgr.services.localtime import local_today

blp = Blueprint(
    "deadlines",
    __name__,
    url_prefix="/deadlines",
    description="Deadline board: due soon, overdue and met, across cases",
)


@blp.route("")
class Board(MethodView):
    @blp.arguments(BoardQueryArgs, location="query")
    @blp.response(200, page_of(DeadlineSchema))
    def get(self, args: dict[str, Any]) -> Any:
        """List deadlines (default: open and missed), soonest first"""
        session = db.session()
        actor = api_actor()
        counties = None
        if args.get("county"):
            counties = territory_counties(session, args["county"], field="county")
        due_before = None
        if args.get("due_within_days") is not None:
            due_before = local_today() + timedelta(days=args["due_within_days"])
        f = svc.BoardFilter(
            counties=counties,
            officer_id=args.get("officer_id"),
            channel=args.get("channel"),
            rule_code=args.get("rule_code"),
            due_before=due_before,
            **({"states": args["state"]} if args.get("state") else {}),
        )
        page = svc.board(
            session, actor, f, page=args["page"], per_page=args["per_page"], sort=args["sort"]
        )
        return page_body(page)
