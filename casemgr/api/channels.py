"""Criminal referrals, civil and public-interest suits, damage compensation claims, the case
family, referral-review alerts and the money and remediation ledger."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from casemgr.api.cases import CaseView
from casemgr.api.common import IF_MATCH, etag, expected_version, page_body
from casemgr.extensions import db
from casemgr.models.cases import Case
from casemgr.schemas.cases import CaseSchema
from casemgr.schemas.channels import (
    AlertDismissSchema,
    AlertSchema,
    ChannelOpenSchema,
    ChannelStepSchema,
    CompensationPaymentSchema,
    FamilySchema,
    NotifySchema,
    ProjectSchema,
    ProjectUpdateSchema,
    RiskQueryArgs,
)
from casemgr.schemas.common import page_of
from casemgr.security import api_actor
from casemgr.services import alerts, channel_opening, channels, family, ledger

blp = Blueprint(
    "channels",
    __name__,
    url_prefix="",
    description="Criminal, civil and compensation channels; the case family; alerts; ledger",
)


def _detail(case: Case) -> Any:
    actor = api_actor()
    allowed = channels.allowed_channel_events(db.session(), actor, case)
    return CaseView(case, allowed), etag(case.version)


@blp.route("/channel-cases")
class ChannelCases(MethodView):
    @blp.arguments(ChannelOpenSchema)
    @blp.response(201, CaseSchema)
    def post(self, data: dict[str, Any]) -> Any:
        """Open a criminal referral, a public-interest suit or a compensation claim"""
        violation_id = data.pop("violation_id")
        case = channel_opening.open_channel_case(db.session(), api_actor(), violation_id, data)
        return _detail(case)


@blp.route("/cases/<int(max=2147483647):case_id>/steps")
class Steps(MethodView):
    @blp.arguments(ChannelStepSchema)
    @blp.response(200, CaseSchema)
    @blp.doc(parameters=[IF_MATCH])
    def post(self, data: dict[str, Any], case_id: int) -> Any:
        """Record a step of a criminal, civil or compensation case (send If-Match)"""
        event = data.pop("event")
        case = channels.apply_channel_event(
            db.session(), api_actor(), case_id, event, data, expected_version=expected_version()
        )
        return _detail(case)


@blp.route("/cases/<int(max=2147483647):case_id>/procuratorate-notice")
class ProcuratorateNotice(MethodView):
    @blp.arguments(NotifySchema)
    @blp.response(200, CaseSchema)
    @blp.doc(parameters=[IF_MATCH])
    def post(self, data: dict[str, Any], case_id: int) -> Any:
        """Record that the procuratorate was notified (copy of a referral, a claim opened)"""
        case = channels.notify_procuratorate(
            db.session(), api_actor(), case_id, data, expected_version=expected_version()
        )
        return _detail(case)


@blp.route("/cases/<int(max=2147483647):case_id>/compensation-payments")
class CompensationPayments(MethodView):
    @blp.arguments(CompensationPaymentSchema)
    @blp.response(201, CompensationPaymentSchema)
    @blp.doc(parameters=[IF_MATCH])
    def post(self, data: dict[str, Any], case_id: int) -> Any:
        """Record compensation or restoration cost paid (send If-Match)"""
        return ledger.record_compensation_payment(
            db.session(), api_actor(), case_id, data, expected_version=expected_version()
        )


@blp.route("/cases/<int(max=2147483647):case_id>/restoration-projects")
class Projects(MethodView):
    @blp.arguments(ProjectSchema)
    @blp.response(201, ProjectSchema)
    @blp.doc(parameters=[IF_MATCH])
    def post(self, data: dict[str, Any], case_id: int) -> Any:
        """Add a restoration project with its milestones (send the case's If-Match)"""
        project = ledger.add_project(
            db.session(), api_actor(), case_id, data, expected_version=expected_version()
        )
        return project, etag(project.version)


@blp.route("/restoration-projects/<int(max=2147483647):project_id>")
class ProjectById(MethodView):
    @blp.arguments(ProjectUpdateSchema)
    @blp.response(200, ProjectSchema)
    @blp.doc(parameters=[IF_MATCH])
    def patch(self, data: dict[str, Any], project_id: int) -> Any:
        """Record progress, completion or the effect evaluation (send If-Match)"""
        project = ledger.update_project(
            db.session(), api_actor(), project_id, data, expected_version=expected_version()
        )
        return project, etag(project.version)


@blp.route("/violations/<int(max=2147483647):violation_id>/family")
class Family(MethodView):
    @blp.response(200, FamilySchema)
    def get(self, violation_id: int) -> Any:
        """The whole family: every case, links, parties, deadlines, alerts, ledger, timeline"""
        return family.get_family(db.session(), api_actor(), violation_id)


@blp.route("/violations/<int(max=2147483647):violation_id>/alerts")
class ViolationAlerts(MethodView):
    @blp.response(200, AlertSchema(many=True))
    def get(self, violation_id: int) -> Any:
        """Referral-review alerts of a violation (standing, referred, dismissed)"""
        return alerts.alerts_of(db.session(), api_actor(), violation_id)


@blp.route("/alerts/<int(max=2147483647):alert_id>/dismissal")
class Dismissal(MethodView):
    @blp.arguments(AlertDismissSchema)
    @blp.response(200, AlertSchema)
    def post(self, data: dict[str, Any], alert_id: int) -> Any:
        """A bureau head records why no referral is due"""
        return alerts.dismiss(db.session(), api_actor(), alert_id, data)


@blp.route("/alerts/penalty-instead-of-referral")
class RiskList(MethodView):
    @blp.arguments(RiskQueryArgs, location="query")
    @blp.response(200, page_of(AlertSchema))
    def get(self, args: dict[str, Any]) -> Any:
        """以罚代刑 risk list: standing alerts on violations closed with only a fine"""
        page = alerts.penalty_instead_of_referral(
            db.session(),
            api_actor(),
            territory=args.get("county"),
            page=args["page"],
            per_page=args["per_page"],
            sort=args["sort"],
        )
        return page_body(page)
