"""The audit trail (read-only)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from casemgr.api.common import page_body
from casemgr.extensions import db
from casemgr.schemas.audit import AuditEntrySchema, AuditQueryArgs
from casemgr.schemas.common import page_of
from casemgr.security import api_actor
from casemgr.services import audit as svc

blp = Blueprint("audit", __name__, url_prefix="/audit", description="Append-only audit trail")


@blp.route("")
class AuditEntries(MethodView):
    @blp.arguments(AuditQueryArgs, location="query")
    @blp.response(200, page_of(AuditEntrySchema))
    def get(self, args: dict[str, Any]) -> Any:
        """Query the audit trail"""
        f = svc.AuditFilter(
            table_name=args.get("table_name"),
            record_key=args.get("record_key"),
            actor_id=args.get("actor_id"),
            action=args["action"].value if args.get("action") else None,
            since=args.get("since"),
            until=args.get("until"),
        )
        page = svc.query_entries(
            db.session(),
            api_actor(),
            f,
            page=args["page"],
            per_page=args["per_page"],
            sort=args["sort"],
        )
        return page_body(page)
