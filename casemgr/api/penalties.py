"""Penalties and measures of a case: the money ledger, payments, payment arrangements and the
coercive measures (seizure, production limit, suspension, daily penalty, detention transfer).

Every change is a change of the case: send the case's ETag in If-Match; the response carries
the case's new ETag.
"""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from casemgr.api.common import IF_MATCH, etag, expected_version
from casemgr.extensions import db
from casemgr.models.penalties import CoerciveMeasure, Payment, PaymentArrangement
from casemgr.schemas.penalties import (
    ArrangementSchema,
    LedgerQueryArgs,
    LedgerSchema,
    MeasureCreateSchema,
    MeasureExtensionSchema,
    MeasureReleaseSchema,
    MeasureSchema,
    MeasureStepSchema,
    PaymentSchema,
    RecheckSchema,
)
from casemgr.security import api_actor
from casemgr.services import measures, penalties

blp = Blueprint(
    "penalties",
    __name__,
    url_prefix="/cases",
    description="Fines, payments, surcharges, coercive measures and remedy windows of a case",
)

_CASE = "/<int(max=2147483647):case_id>"
_MEASURE = f"{_CASE}/measures/<int(max=2147483647):measure_id>"


def _with_case_etag(obj: Payment | PaymentArrangement | CoerciveMeasure) -> Any:
    return obj, etag(obj.case.version)


@blp.route(f"{_CASE}/ledger")
class LedgerView(MethodView):
    @blp.arguments(LedgerQueryArgs, location="query")
    @blp.response(200, LedgerSchema)
    def get(self, args: dict[str, Any], case_id: int) -> Any:
        """Read the money ledger: fine, payments, surcharge, daily penalties, remedy windows"""
        return penalties.ledger(db.session(), api_actor(), case_id, args.get("as_of"))


@blp.route(f"{_CASE}/payments")
class Payments(MethodView):
    @blp.arguments(PaymentSchema)
    @blp.response(201, PaymentSchema)
    @blp.doc(parameters=[IF_MATCH])
    def post(self, data: dict[str, Any], case_id: int) -> Any:
        """Record a payment with its receipt number (send If-Match)"""
        payment = penalties.record_payment(
            db.session(), api_actor(), case_id, data, expected_version=expected_version()
        )
        return _with_case_etag(payment)


@blp.route(f"{_CASE}/arrangements")
class Arrangements(MethodView):
    @blp.arguments(ArrangementSchema)
    @blp.response(201, ArrangementSchema)
    @blp.doc(parameters=[IF_MATCH])
    def post(self, data: dict[str, Any], case_id: int) -> Any:
        """Approve a deferral or instalments of the fine (send If-Match)"""
        arrangement = penalties.approve_arrangement(
            db.session(), api_actor(), case_id, data, expected_version=expected_version()
        )
        return _with_case_etag(arrangement)


@blp.route(f"{_CASE}/measures")
class Measures(MethodView):
    @blp.response(200, MeasureSchema(many=True))
    def get(self, case_id: int) -> Any:
        """List the coercive measures of a case"""
        return measures.list_measures(db.session(), api_actor(), case_id)

    @blp.arguments(MeasureCreateSchema)
    @blp.response(201, MeasureSchema)
    @blp.doc(parameters=[IF_MATCH])
    def post(self, data: dict[str, Any], case_id: int) -> Any:
        """Record a measure decided by the head and open its deadlines (send If-Match)"""
        measure = measures.decide_measure(
            db.session(), api_actor(), case_id, data, expected_version=expected_version()
        )
        return _with_case_etag(measure)


@blp.route(f"{_MEASURE}/release")
class Release(MethodView):
    @blp.arguments(MeasureReleaseSchema)
    @blp.response(200, MeasureSchema)
    @blp.doc(parameters=[IF_MATCH])
    def post(self, data: dict[str, Any], case_id: int, measure_id: int) -> Any:
        """Release a seizure, production limit or suspension (send If-Match)"""
        measure = measures.release_measure(
            db.session(),
            api_actor(),
            case_id,
            measure_id,
            data,
            expected_version=expected_version(),
        )
        return _with_case_etag(measure)


@blp.route(f"{_MEASURE}/extensions")
class MeasureExtensions(MethodView):
    @blp.arguments(MeasureExtensionSchema)
    @blp.response(201, MeasureSchema)
    @blp.doc(parameters=[IF_MATCH])
    def post(self, data: dict[str, Any], case_id: int, measure_id: int) -> Any:
        """Extend a seizure or production limit once, before it ends (send If-Match)"""
        measure = measures.extend_measure(
            db.session(),
            api_actor(),
            case_id,
            measure_id,
            data,
            expected_version=expected_version(),
        )
        return _with_case_etag(measure)


@blp.route(f"{_MEASURE}/recheck")
class Recheck(MethodView):
    @blp.arguments(RecheckSchema)
    @blp.response(200, MeasureSchema)
    @blp.doc(parameters=[IF_MATCH])
    def post(self, data: dict[str, Any], case_id: int, measure_id: int) -> Any:
        """Record the re-check of a daily penalty and compute it (send If-Match)"""
        measure = measures.record_recheck(
            db.session(),
            api_actor(),
            case_id,
            measure_id,
            data,
            expected_version=expected_version(),
        )
        return _with_case_etag(measure)


@blp.route(f"{_MEASURE}/steps")
class Steps(MethodView):
    @blp.arguments(MeasureStepSchema)
    @blp.response(200, MeasureSchema)
    @blp.doc(parameters=[IF_MATCH])
    def post(self, data: dict[str, Any], case_id: int, measure_id: int) -> Any:
        """Record a rectification plan or follow-up inspection (send If-Match)"""
        measure = measures.record_step(
            db.session(),
            api_actor(),
            case_id,
            measure_id,
            data,
            expected_version=expected_version(),
        )
        return _with_case_etag(measure)
