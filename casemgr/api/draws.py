"""Random inspection draws (双随机、一公开) and declared conflicts of interest (回避)."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint

from casemgr.api.common import page_body
from casemgr.extensions import db
from casemgr.repositories.common import Page
from casemgr.schemas.draws import (
    CancelSchema,
    ConflictCreateSchema,
    ConflictSchema,
    DrawCreateSchema,
    DrawInputsSchema,
    DrawSchema,
    OutcomeSchema,
    TargetArgs,
    TargetPageSchema,
    TargetSchema,
    VerificationSchema,
)
from casemgr.security import api_actor
from casemgr.services import draws as svc

blp = Blueprint("draws", __name__, description="Random inspection draws (双随机、一公开)")


def draw_settings() -> svc.DrawSettings:
    return svc.settings_from(current_app.config)


@blp.route("/draws")
class Draws(MethodView):
    @blp.response(200, DrawSchema(many=True))
    def get(self) -> Any:
        """List the draws, newest first (seeds and digests are public)"""
        return svc.list_draws(db.session(), api_actor())

    @blp.arguments(DrawCreateSchema)
    @blp.response(201, DrawSchema)
    def post(self, data: dict[str, Any]) -> Any:
        """Prepare a draw: freeze its pool, roster and configuration and publish the seed (422
        naming the numbers for an empty pool or a roster short of certified officers)"""
        return svc.prepare_draw(db.session(), api_actor(), data, draw_settings())


@blp.route("/draws/<int(max=2147483647):draw_id>")
class DrawById(MethodView):
    @blp.response(200, DrawSchema)
    def get(self, draw_id: int) -> Any:
        """A draw's public record: seed, digests, status"""
        return svc.get_draw(db.session(), api_actor(), draw_id)


@blp.route("/draws/<int(max=2147483647):draw_id>/execute")
class DrawExecute(MethodView):
    @blp.response(200, DrawSchema)
    def post(self, draw_id: int) -> Any:
        """Draw the targets and their inspectors from the frozen inputs"""
        return svc.execute_draw(db.session(), api_actor(), draw_id)


@blp.route("/draws/<int(max=2147483647):draw_id>/dispatch")
class DrawDispatch(MethodView):
    @blp.response(200, DrawSchema)
    def post(self, draw_id: int) -> Any:
        """Dispatch: each drawn inspector is notified and sees their own inspections"""
        return svc.dispatch_draw(db.session(), api_actor(), draw_id)


@blp.route("/draws/<int(max=2147483647):draw_id>/publish")
class DrawPublish(MethodView):
    @blp.response(200, DrawSchema)
    def post(self, draw_id: int) -> Any:
        """Publish the list and its outcomes (一公开)"""
        return svc.publish_draw(db.session(), api_actor(), draw_id)


@blp.route("/draws/<int(max=2147483647):draw_id>/cancel")
class DrawCancel(MethodView):
    @blp.arguments(CancelSchema)
    @blp.response(200, DrawSchema)
    def post(self, data: dict[str, Any], draw_id: int) -> Any:
        """Cancel a draw before dispatch, with reasons"""
        return svc.cancel_draw(db.session(), api_actor(), draw_id, data["reason"])


@blp.route("/draws/<int(max=2147483647):draw_id>/verification")
class DrawVerification(MethodView):
    @blp.response(200, VerificationSchema)
    def get(self, draw_id: int) -> Any:
        """Re-run the draw from its frozen inputs and compare with the stored result"""
        return svc.verify_draw(db.session(), api_actor(), draw_id)


@blp.route("/draws/<int(max=2147483647):draw_id>/inputs")
class DrawInputs(MethodView):
    @blp.response(200, DrawInputsSchema)
    def get(self, draw_id: int) -> Any:
        """The frozen inputs (seed, configuration, pool, roster, exclusions) to re-run the draw
        with `casemgr draw rerun` or docs/draw-algorithm.md; public once published"""
        return svc.draw_inputs(db.session(), api_actor(), draw_id)


@blp.route("/draws/<int(max=2147483647):draw_id>/targets")
class DrawTargets(MethodView):
    @blp.arguments(TargetArgs, location="query")
    @blp.response(200, TargetPageSchema)
    def get(self, args: dict[str, Any], draw_id: int) -> Any:
        """The drawn list as you may see it (planners; your own after dispatch; all once
        published)"""
        rows, total = svc.visible_targets(
            db.session(), api_actor(), draw_id, page=args["page"], per_page=args["per_page"]
        )
        return page_body(Page(rows, args["page"], args["per_page"], total, True))


@blp.route("/draw-targets/<int(max=2147483647):target_id>/outcome")
class TargetOutcome(MethodView):
    @blp.arguments(OutcomeSchema)
    @blp.response(200, TargetSchema)
    def post(self, data: dict[str, Any], target_id: int) -> Any:
        """Record what a drawn inspection found"""
        return svc.record_outcome(db.session(), api_actor(), target_id, data)


@blp.route("/inspector-conflicts")
class Conflicts(MethodView):
    @blp.arguments(ConflictCreateSchema)
    @blp.response(201, ConflictSchema)
    def post(self, data: dict[str, Any]) -> Any:
        """Declare a conflict of interest with an enterprise (回避)"""
        return svc.declare_conflict(db.session(), api_actor(), data)
