"""Provincial inspections (督察): teams, rounds, unit inspections, problems, summons and notices."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from casemgr.api.common import IF_MATCH, etag, expected_version
from casemgr.extensions import db
from casemgr.schemas.common import translated
from casemgr.schemas.inspections import (
    BreachSchema,
    OnSchema,
    ProblemCreateSchema,
    ProblemSchema,
    ProgressSchema,
    RoundCreateSchema,
    RoundSchema,
    SpecialVisitSchema,
    StageEventSchema,
    TeamCreateSchema,
    TeamSchema,
    UnitActionCreateSchema,
    UnitActionSchema,
    VisitDetailSchema,
    VisitMoveSchema,
)
from casemgr.security import api_actor
from casemgr.services import inspection_problems as problems
from casemgr.services import inspections as svc
from casemgr.services.localtime import local_today

blp = Blueprint("inspections", __name__, description="Provincial inspections (督察)")


@blp.route("/inspection-teams")
class Teams(MethodView):
    @blp.response(200, TeamSchema(many=True))
    def get(self) -> Any:
        """List the inspection teams"""
        return svc.list_teams(db.session(), api_actor())

    @blp.arguments(TeamCreateSchema)
    @blp.response(201, TeamSchema)
    def post(self, data: dict[str, Any]) -> Any:
        """Create an inspection team (督察组)"""
        return svc.create_team(db.session(), api_actor(), data)


@blp.route("/inspection-rounds")
class Rounds(MethodView):
    @blp.response(200, RoundSchema(many=True))
    def get(self) -> Any:
        """List the inspection rounds, latest first"""
        return svc.list_rounds(db.session(), api_actor())

    @blp.arguments(RoundCreateSchema)
    @blp.response(201, RoundSchema)
    def post(self, data: dict[str, Any]) -> Any:
        """Plan a round: every unit once, within the teams' capacity, outside blackouts (422
        naming the numbers when it cannot be done)"""
        rnd = svc.plan_round(db.session(), api_actor(), data)
        return rnd, etag(rnd.version)


@blp.route("/inspection-rounds/<int(max=2147483647):round_id>")
class RoundById(MethodView):
    @blp.response(200, RoundSchema)
    def get(self, round_id: int) -> Any:
        """A round with its unit inspections"""
        rnd = svc.get_round(db.session(), api_actor(), round_id)
        return rnd, etag(rnd.version)


@blp.route("/inspection-rounds/<int(max=2147483647):round_id>/breaches")
class RoundBreaches(MethodView):
    @blp.response(200, BreachSchema(many=True))
    def get(self, round_id: int) -> Any:
        """Re-check a round's plan: every rule it breaks (none for a plan as generated)"""
        session = db.session()
        out = []
        for b in svc.check_round(session, api_actor(), round_id):
            msg = svc.render_breach(session, b)
            out.append(
                {
                    "code": b.code,
                    "refs": b.refs,
                    "message": translated(msg.template, dict(msg.params)),
                }
            )
        return out


@blp.route("/inspection-rounds/<int(max=2147483647):round_id>/special-inspections")
class SpecialInspections(MethodView):
    @blp.arguments(SpecialVisitSchema)
    @blp.response(201, VisitDetailSchema)
    def post(self, data: dict[str, Any], round_id: int) -> Any:
        """Add a special inspection (专项督察), checked against the other stays"""
        session = db.session()
        v = svc.add_special(session, api_actor(), round_id, data)
        return _detail(v), etag(v.version)


def _detail(v: Any) -> dict[str, Any]:
    fields = VisitDetailSchema().fields
    out = {name: getattr(v, name) for name in fields if name != "allowed_events"}
    out["allowed_events"] = [e.value for e in svc.allowed_events(db.session(), v, local_today())]
    return out


@blp.route("/unit-inspections/<int(max=2147483647):visit_id>")
class VisitById(MethodView):
    @blp.response(200, VisitDetailSchema)
    def get(self, visit_id: int) -> Any:
        """A unit inspection: its stay, stage, problems and the events allowed today"""
        v = svc.get_visit(db.session(), api_actor(), visit_id)
        return _detail(v), etag(v.version)

    @blp.arguments(VisitMoveSchema)
    @blp.response(200, VisitDetailSchema)
    @blp.doc(parameters=[IF_MATCH])
    def patch(self, data: dict[str, Any], visit_id: int) -> Any:
        """Move a stay or change its team; refused with the reason when it breaks the plan"""
        v = svc.move_visit(
            db.session(), api_actor(), visit_id, data, expected_version=expected_version()
        )
        return _detail(v), etag(v.version)


@blp.route("/unit-inspections/<int(max=2147483647):visit_id>/transitions")
class VisitTransitions(MethodView):
    @blp.arguments(StageEventSchema)
    @blp.response(200, VisitDetailSchema)
    @blp.doc(parameters=[IF_MATCH])
    def post(self, data: dict[str, Any], visit_id: int) -> Any:
        """Move a unit inspection to its next stage"""
        v = svc.advance(
            db.session(), api_actor(), visit_id, data, expected_version=expected_version()
        )
        return _detail(v), etag(v.version)


@blp.route("/unit-inspections/<int(max=2147483647):visit_id>/problems")
class Problems(MethodView):
    @blp.arguments(ProblemCreateSchema)
    @blp.response(201, ProblemSchema)
    def post(self, data: dict[str, Any], visit_id: int) -> Any:
        """Record a problem the inspection found"""
        p = problems.add_problem(db.session(), api_actor(), visit_id, data)
        return p, etag(p.version)


@blp.route("/inspection-problems/<int(max=2147483647):problem_id>/hand-over")
class HandOver(MethodView):
    @blp.arguments(OnSchema)
    @blp.response(200, ProblemSchema)
    @blp.doc(parameters=[IF_MATCH])
    def post(self, data: dict[str, Any], problem_id: int) -> Any:
        """Hand a problem over to the case system (移交): it becomes a violation"""
        p = problems.hand_over(
            db.session(), api_actor(), problem_id, data, expected_version=expected_version()
        )
        return p, etag(p.version)


@blp.route("/inspection-problems/<int(max=2147483647):problem_id>/progress")
class Progress(MethodView):
    @blp.arguments(ProgressSchema)
    @blp.response(201, ProgressSchema)
    def post(self, data: dict[str, Any], problem_id: int) -> Any:
        """Record a rectification progress report (整改进展)"""
        return problems.report_progress(db.session(), api_actor(), problem_id, data)


@blp.route("/inspection-problems/<int(max=2147483647):problem_id>/acceptance")
class Acceptance(MethodView):
    @blp.arguments(OnSchema)
    @blp.response(200, ProblemSchema)
    @blp.doc(parameters=[IF_MATCH])
    def post(self, data: dict[str, Any], problem_id: int) -> Any:
        """Accept a rectified problem and strike it off (验收销号)"""
        p = problems.accept_problem(
            db.session(), api_actor(), problem_id, data, expected_version=expected_version()
        )
        return p, etag(p.version)


@blp.route("/inspection-units/<string(minlength=6,maxlength=8):unit_code>/actions")
class UnitActions(MethodView):
    @blp.response(200, UnitActionSchema(many=True))
    def get(self, unit_code: str) -> Any:
        """Summons (约谈) and public notices (通报) recorded against a unit"""
        return problems.list_actions(db.session(), api_actor(), unit_code)

    @blp.arguments(UnitActionCreateSchema)
    @blp.response(201, UnitActionSchema)
    def post(self, data: dict[str, Any], unit_code: str) -> Any:
        """Record a summons or public notice against a unit"""
        return problems.record_action(db.session(), api_actor(), {**data, "unit_code": unit_code})
