"""The review queue of uncertain links, decisions on them, and undoable merges."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from casemgr.api.common import IF_MATCH, etag, expected_version, page_body
from casemgr.extensions import db
from casemgr.schemas.common import page_of
from casemgr.schemas.linking import (
    CandidateSchema,
    DecisionNoteSchema,
    EnterpriseMergeSchema,
    LinkRunArgs,
    LinkRunSchema,
    MergeSchema,
    QueueArgs,
)
from casemgr.security import api_actor
from casemgr.services import link_run
from casemgr.services import linking as svc

blp = Blueprint(
    "linking",
    __name__,
    url_prefix="",
    description="Record linkage: the review queue, decisions and undoable merges",
)


@blp.route("/link-candidates/review")
class ReviewQueue(MethodView):
    @blp.arguments(QueueArgs, location="query")
    @blp.response(200, page_of(CandidateSchema))
    def get(self, args: dict[str, Any]) -> Any:
        """Pairs waiting for a reviewer, with their score and per-field evidence"""
        page = svc.review_queue(
            db.session(),
            api_actor(),
            page=args["page"],
            per_page=args["per_page"],
            sort=args["sort"],
        )
        return page_body(page)


@blp.route("/link-candidates/<int(max=2147483647):candidate_id>/acceptance")
class Acceptance(MethodView):
    @blp.arguments(DecisionNoteSchema)
    @blp.response(201, MergeSchema)
    @blp.doc(parameters=[IF_MATCH])
    def post(self, data: dict[str, Any], candidate_id: int) -> Any:
        """Accept the pair: link the record to the enterprise (an undoable merge)"""
        return svc.accept(
            db.session(), api_actor(), candidate_id, data, expected_version=expected_version()
        )


@blp.route("/link-candidates/<int(max=2147483647):candidate_id>/rejection")
class Rejection(MethodView):
    @blp.arguments(DecisionNoteSchema)
    @blp.response(200, CandidateSchema)
    @blp.doc(parameters=[IF_MATCH])
    def post(self, data: dict[str, Any], candidate_id: int) -> Any:
        """Reject the pair; it stays as evidence"""
        candidate = svc.reject(
            db.session(), api_actor(), candidate_id, data, expected_version=expected_version()
        )
        return candidate, etag(candidate.version)


@blp.route("/enterprises/<int(max=2147483647):enterprise_id>/merge")
class EnterpriseMerge(MethodView):
    @blp.arguments(EnterpriseMergeSchema)
    @blp.response(201, MergeSchema)
    def post(self, data: dict[str, Any], enterprise_id: int) -> Any:
        """Merge a duplicate enterprise record into the survivor (undoable)"""
        return svc.merge_enterprises(db.session(), api_actor(), enterprise_id, data["survivor_id"])


@blp.route("/merges/<int(max=2147483647):merge_id>/undo")
class Undo(MethodView):
    @blp.response(200, MergeSchema)
    def post(self, merge_id: int) -> Any:
        """Undo a merge: restore every link it changed"""
        return svc.undo(db.session(), api_actor(), merge_id)


@blp.route("/link-runs")
class LinkRuns(MethodView):
    @blp.arguments(LinkRunArgs)
    @blp.response(201, LinkRunSchema)
    def post(self, data: dict[str, Any]) -> Any:
        """Link the unlinked tax and enforcement records (of one import, or all) to the
        enterprises: matches are applied as undoable merges, uncertain pairs join the review
        queue"""
        report = link_run.link_records(db.session(), api_actor(), batch_id=data["batch_id"])
        return link_run.describe(report)
