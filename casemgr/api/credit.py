"""Environmental credit (企业环境信用): scores with their explanation, the tier history,
rescoring, objections and repairs."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint

from casemgr.api.common import IF_MATCH, etag, expected_version, page_body
from casemgr.extensions import db
from casemgr.schemas.common import page_of
from casemgr.schemas.credit import (
    AsOfArgs,
    ObjectionArgs,
    ObjectionSchema,
    PendingArgs,
    RepairArgs,
    RepairSchema,
    RequestDecisionArgs,
    RescoreArgs,
    RescoreSchema,
    ScoreSchema,
    StoredScoreSchema,
)
from casemgr.security import api_actor
from casemgr.services import credit as svc
from casemgr.services import credit_requests as requests
from credit.schemes import Scheme, Tier
from credit.scoring import Score

blp = Blueprint(
    "credit",
    __name__,
    url_prefix="",
    description="Environmental credit: explained scores, tier history, objections and repairs",
)
ENTERPRISE = "/enterprises/<int(max=2147483647):enterprise_id>"


def _scheme() -> Scheme:
    return svc.scheme_named(current_app.config["CREDIT_SCHEME"])


def _score_body(enterprise_id: int, scheme: Scheme, result: Score) -> dict[str, Any]:
    rule = scheme.tier_rule(result.tier) if result.tier else None
    consequence = scheme.consequences.get(result.tier) if isinstance(result.tier, Tier) else None
    return {
        "enterprise_id": enterprise_id,
        "scheme": result.scheme,
        "as_of": result.as_of,
        "status": result.status.value,
        "points": result.points,
        "score_tier": result.score_tier.value,
        "tier": result.tier.value if result.tier else None,
        "tier_name": rule.name if rule else None,
        "sublevel": result.sublevel,
        "contributions": svc.contribution_rows(result),
        "consequence": consequence,
    }


@blp.route(f"{ENTERPRISE}/credit")
class EnterpriseCredit(MethodView):
    @blp.arguments(AsOfArgs, location="query")
    @blp.response(200, ScoreSchema)
    def get(self, args: dict[str, Any], enterprise_id: int) -> Any:
        """The enterprise's score as of a day, every contribution with its records and rule"""
        scheme = _scheme()
        result = svc.explain(db.session(), api_actor(), scheme, enterprise_id, args["as_of"])
        return _score_body(enterprise_id, scheme, result)


@blp.route(f"{ENTERPRISE}/credit/history")
class EnterpriseCreditHistory(MethodView):
    @blp.response(200, StoredScoreSchema(many=True))
    def get(self, enterprise_id: int) -> Any:
        """The enterprise's tier history (immutable: a change is a new row)"""
        return svc.history(db.session(), api_actor(), _scheme(), enterprise_id)


@blp.route("/credit/rescore")
class Rescore(MethodView):
    @blp.arguments(RescoreArgs)
    @blp.response(200, RescoreSchema)
    def post(self, args: dict[str, Any]) -> Any:
        """Rescore enterprises (some, or all) as of a day; stores the changed results"""
        return svc.rescore(
            db.session(),
            api_actor(),
            _scheme(),
            as_of=args["as_of"],
            enterprise_ids=args["enterprise_ids"],
        )


@blp.route(f"{ENTERPRISE}/credit/objections")
class Objections(MethodView):
    @blp.arguments(ObjectionArgs)
    @blp.response(201, ObjectionSchema)
    def post(self, args: dict[str, Any], enterprise_id: int) -> Any:
        """File an enterprise's objection to a record of its score (within the window)"""
        objection = requests.file_objection(
            db.session(), api_actor(), _scheme(), enterprise_id, args
        )
        return objection, etag(objection.version)


@blp.route(f"{ENTERPRISE}/credit/repairs")
class Repairs(MethodView):
    @blp.arguments(RepairArgs)
    @blp.response(201, RepairSchema)
    def post(self, args: dict[str, Any], enterprise_id: int) -> Any:
        """Apply for the repair of a record (after its minimum publication period)"""
        repair = requests.apply_for_repair(
            db.session(), api_actor(), _scheme(), enterprise_id, args
        )
        return repair, etag(repair.version)


@blp.route("/credit/objections")
class PendingObjections(MethodView):
    @blp.arguments(PendingArgs, location="query")
    @blp.response(200, page_of(ObjectionSchema))
    def get(self, args: dict[str, Any]) -> Any:
        """Objections waiting for a decision"""
        page = requests.pending_requests(
            db.session(), api_actor(), "objections", page=args["page"], per_page=args["per_page"]
        )
        return page_body(page)


@blp.route("/credit/repairs")
class PendingRepairs(MethodView):
    @blp.arguments(PendingArgs, location="query")
    @blp.response(200, page_of(RepairSchema))
    def get(self, args: dict[str, Any]) -> Any:
        """Repair applications waiting for a decision"""
        page = requests.pending_requests(
            db.session(), api_actor(), "repairs", page=args["page"], per_page=args["per_page"]
        )
        return page_body(page)


@blp.route("/credit/objections/<int(max=2147483647):objection_id>/decision")
class ObjectionDecision(MethodView):
    @blp.arguments(RequestDecisionArgs)
    @blp.response(200, ObjectionSchema)
    @blp.doc(parameters=[IF_MATCH])
    def post(self, args: dict[str, Any], objection_id: int) -> Any:
        """Uphold or reject an objection; upheld, the enterprise is re-scored at once"""
        objection = requests.decide_objection(
            db.session(),
            api_actor(),
            _scheme(),
            objection_id,
            args,
            expected_version=expected_version(),
        )
        return objection, etag(objection.version)


@blp.route("/credit/repairs/<int(max=2147483647):repair_id>/decision")
class RepairDecision(MethodView):
    @blp.arguments(RequestDecisionArgs)
    @blp.response(200, RepairSchema)
    @blp.doc(parameters=[IF_MATCH])
    def post(self, args: dict[str, Any], repair_id: int) -> Any:
        """Accept or reject a repair; accepted, the enterprise is re-scored at once"""
        repair = requests.decide_repair(
            db.session(),
            api_actor(),
            _scheme(),
            repair_id,
            args,
            expected_version=expected_version(),
        )
        return repair, etag(repair.version)
