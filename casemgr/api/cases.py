"""Cases (案件): open, read, take lifecycle steps; records, clock stops, extensions."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from casemgr.api.common import IF_MATCH, etag, expected_version, page_body
from casemgr.extensions import db
from casemgr.models.cases import Case
from casemgr.schemas.cases import (
    CaseOpenSchema,
    CaseQueryArgs,
    CaseSchema,
    CaseSummarySchema,
    ClockStopSchema,
    ExtensionSchema,
    RecordSchema,
    TransitionRequestSchema,
)
from casemgr.schemas.common import page_of
from casemgr.security import api_actor
from casemgr.services import cases as svc
from casemgr.services import channels

blp = Blueprint(
    "cases",
    __name__,
    url_prefix="/cases",
    description="Administrative penalty cases and their lifecycle",
)


class CaseView:
    """A case with what the caller may do next (``allowed_events``), for serialisation."""

    def __init__(self, case: Case, allowed: list[str]) -> None:
        self._case = case
        self.allowed_events = allowed

    def __getattr__(self, name: str) -> Any:
        return getattr(self._case, name)


def _detail(case: Case) -> Any:
    actor = api_actor()
    if case.track == "administrative":
        allowed = svc.allowed_events(db.session(), actor, case)
    else:
        allowed = channels.allowed_channel_events(db.session(), actor, case)
    return CaseView(case, allowed), etag(case.version)


@blp.route("")
class Cases(MethodView):
    @blp.arguments(CaseQueryArgs, location="query")
    @blp.response(200, page_of(CaseSummarySchema))
    def get(self, args: dict[str, Any]) -> Any:
        """Search cases"""
        page = svc.search_cases(
            db.session(),
            api_actor(),
            territory=args.get("county"),
            status=args.get("status"),
            violation_id=args.get("violation_id"),
            number=args.get("number"),
            track=args.get("track"),
            page=args["page"],
            per_page=args["per_page"],
            sort=args["sort"],
        )
        return page_body(page)

    @blp.arguments(CaseOpenSchema)
    @blp.response(201, CaseSchema)
    def post(self, data: dict[str, Any]) -> Any:
        """Open an administrative case on a violation (as a lead)"""
        case = svc.open_case(db.session(), api_actor(), data.pop("violation_id"), data)
        return _detail(case)


@blp.route("/<int(max=2147483647):case_id>")
class CaseById(MethodView):
    @blp.response(200, CaseSchema)
    def get(self, case_id: int) -> Any:
        """Read a case with its allowed events, deadlines and history"""
        return _detail(svc.get_case(db.session(), api_actor(), case_id))


@blp.route("/<int(max=2147483647):case_id>/transitions")
class Transitions(MethodView):
    @blp.arguments(TransitionRequestSchema)
    @blp.response(200, CaseSchema)
    @blp.doc(parameters=[IF_MATCH])
    def post(self, data: dict[str, Any], case_id: int) -> Any:
        """Take a lifecycle step (send If-Match)"""
        actor = api_actor()
        event = data.pop("event")
        case = svc.apply_event(
            db.session(), actor, case_id, event, data, expected_version=expected_version()
        )
        return _detail(case)


@blp.route("/<int(max=2147483647):case_id>/records")
class Records(MethodView):
    @blp.arguments(RecordSchema)
    @blp.response(201, RecordSchema)
    @blp.doc(parameters=[IF_MATCH])
    def post(self, data: dict[str, Any], case_id: int) -> Any:
        """Add an investigation record (笔录) with the officers present (send If-Match)"""
        actor = api_actor()
        return svc.add_record(
            db.session(), actor, case_id, data, expected_version=expected_version()
        )


@blp.route("/<int(max=2147483647):case_id>/clock-stops")
class ClockStops(MethodView):
    @blp.arguments(ClockStopSchema)
    @blp.response(201, CaseSchema)
    @blp.doc(parameters=[IF_MATCH])
    def post(self, data: dict[str, Any], case_id: int) -> Any:
        """Record a clock stop (appraisal, public notice, monitoring...) (send If-Match)"""
        actor = api_actor()
        case = svc.add_clock_stop(
            db.session(), actor, case_id, data, expected_version=expected_version()
        )
        return _detail(case)


@blp.route("/<int(max=2147483647):case_id>/extensions")
class Extensions(MethodView):
    @blp.arguments(ExtensionSchema)
    @blp.response(201, CaseSchema)
    @blp.doc(parameters=[IF_MATCH])
    def post(self, data: dict[str, Any], case_id: int) -> Any:
        """Approve an extension of the decision time limit (send If-Match)"""
        actor = api_actor()
        case = svc.approve_extension(
            db.session(), actor, case_id, data, expected_version=expected_version()
        )
        return _detail(case)
