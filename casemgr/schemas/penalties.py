"""Ledger, payment, arrangement and coercive-measure schemas. Money is integer cents (分)."""

from __future__ import annotations

from marshmallow import fields, validate

from casemgr.models.penalties import (
    ArrangementKind,
    MeasureKind,
    MeasureStatus,
    MeasureStep,
    PaymentKind,
)
from casemgr.schemas.common import MAX_ID, Schema

_positive_cents = validate.Range(min=1, max=10**15)


def _cents(**kwargs: object) -> fields.Integer:
    return fields.Integer(strict=True, validate=_positive_cents, **kwargs)  # type: ignore[arg-type]


class PaymentSchema(Schema):
    id = fields.Integer(dump_only=True)
    case_id = fields.Integer(dump_only=True)
    kind = fields.Enum(PaymentKind, by_value=True, required=True)
    amount_cents = _cents(required=True)
    paid_on = fields.Date(metadata={"description": "Day the money was received (default today)"})
    reference = fields.String(
        required=True,
        validate=validate.Length(min=1, max=64),
        metadata={"description": "Receipt number (缴款书 / 票据号)"},
    )
    note = fields.String(validate=validate.Length(max=300))
    recorded_by_id = fields.Integer(dump_only=True, allow_none=True)
    recorded_at = fields.DateTime(dump_only=True)


class InstalmentSchema(Schema):
    due_on = fields.Date(required=True)
    amount_cents = _cents(required=True)


class ArrangementSchema(Schema):
    id = fields.Integer(dump_only=True)
    case_id = fields.Integer(dump_only=True)
    kind = fields.Enum(ArrangementKind, by_value=True, required=True)
    applied_on = fields.Date(required=True, metadata={"description": "The party's application"})
    approved_on = fields.Date(metadata={"description": "Default today"})
    approved_by_id = fields.Integer(dump_only=True, allow_none=True)
    deferred_until = fields.Date(allow_none=True, metadata={"description": "Deferral only"})
    instalments = fields.List(
        fields.Nested(InstalmentSchema),
        validate=validate.Length(max=60),
        metadata={"description": "Instalments only; they add up to the outstanding fine"},
    )
    reason = fields.String(validate=validate.Length(max=500))
    ends_on = fields.Date(dump_only=True)


class RemedyWindowsSchema(Schema):
    reconsideration_until = fields.Date()
    direct_suit_until = fields.Date()
    court_enforcement_opens = fields.Date()
    court_enforcement_closes = fields.Date()
    provisional = fields.Boolean()


class LedgerSchema(Schema):
    case_id = fields.Integer()
    as_of = fields.Date()
    penalty_types = fields.List(fields.String())
    decided_on = fields.Date(allow_none=True)
    served_on = fields.Date(allow_none=True)
    fine_cents = fields.Integer()
    fine_paid_cents = fields.Integer()
    fine_outstanding_cents = fields.Integer()
    due_on = fields.Date(allow_none=True)
    overdue = fields.Boolean()
    days_late = fields.Integer(
        metadata={
            "description": "Days the surcharge counts (reconsideration, suit and "
            "arrangement days excluded)"
        }
    )
    surcharge_cents = fields.Integer()
    surcharge_paid_cents = fields.Integer()
    surcharge_outstanding_cents = fields.Integer()
    daily_penalty_cents = fields.Integer()
    daily_penalty_paid_cents = fields.Integer()
    daily_penalty_outstanding_cents = fields.Integer()
    confiscation_cents = fields.Integer()
    confiscation_paid_cents = fields.Integer()
    confiscation_outstanding_cents = fields.Integer()
    total_outstanding_cents = fields.Integer()
    arrangement = fields.Nested(ArrangementSchema, allow_none=True)
    remedies = fields.Nested(RemedyWindowsSchema, allow_none=True)
    payments = fields.List(fields.Nested(PaymentSchema))


class LedgerQueryArgs(Schema):
    as_of = fields.Date(
        metadata={
            "description": "The ledger as of this day (default today); later payments are left out"
        }
    )


class MeasureSchema(Schema):
    id = fields.Integer()
    case_id = fields.Integer()
    kind = fields.Enum(MeasureKind, by_value=True)
    status = fields.Enum(MeasureStatus, by_value=True)
    decided_on = fields.Date()
    decided_by_id = fields.Integer(allow_none=True)
    served_on = fields.Date(allow_none=True)
    start_on = fields.Date(allow_none=True)
    end_on = fields.Date(allow_none=True)
    extended = fields.Boolean()
    extension_approved_on = fields.Date(allow_none=True)
    extension_approved_by_id = fields.Integer(allow_none=True)
    extension_reason = fields.String()
    released_on = fields.Date(allow_none=True)
    basis = fields.String()
    note = fields.String()
    items = fields.String()
    rectification_plan_filed_on = fields.Date(allow_none=True)
    follow_up_on = fields.Date(allow_none=True)
    correction_order_served_on = fields.Date(allow_none=True)
    recheck_on = fields.Date(allow_none=True)
    recheck_found_violation = fields.Boolean(allow_none=True)
    original_fine_cents = fields.Integer(allow_none=True)
    total_cents = fields.Integer(allow_none=True)
    officers = fields.Method("_officers")

    def _officers(self, obj: object) -> list[dict[str, object]]:
        return [
            {
                "id": u.id,
                "display_name": u.display_name or u.username,
                "certificate_number": u.certificate_number,
            }
            for u in obj.officers  # type: ignore[attr-defined]
        ]


class MeasureCreateSchema(Schema):
    kind = fields.Enum(MeasureKind, by_value=True, required=True)
    decided_on = fields.Date(
        required=True,
        metadata={
            "description": "Decision (seizure, limit, suspension, transfer) or the "
            "correction order's date (daily penalty)"
        },
    )
    start_on = fields.Date(
        metadata={"description": "Seizure: day carried out (default decided_on)"}
    )
    served_on = fields.Date(
        metadata={
            "description": "Limit / suspension: decision served; transfer: file delivered "
            "to the police"
        }
    )
    correction_order_served_on = fields.Date(metadata={"description": "Daily penalty only"})
    officer_ids = fields.List(
        fields.Integer(strict=True, validate=validate.Range(min=1, max=MAX_ID)),
        validate=validate.Length(min=1, max=20),
        metadata={"description": "Seizure: the officers present (two certified at least)"},
    )
    items = fields.String(
        validate=validate.Length(min=1, max=20_000),
        metadata={"description": "Seizure: the facilities and equipment listed (清单)"},
    )
    basis = fields.String(validate=validate.Length(max=300))
    note = fields.String(validate=validate.Length(max=2000))


class MeasureExtensionSchema(Schema):
    approved_on = fields.Date(metadata={"description": "Default today; before the measure ends"})
    reason = fields.String(required=True, validate=validate.Length(min=2, max=500))


class MeasureReleaseSchema(Schema):
    released_on = fields.Date(metadata={"description": "Default today"})
    note = fields.String(validate=validate.Length(max=2000))


class RecheckSchema(Schema):
    recheck_on = fields.Date(required=True)
    found_violation = fields.Boolean(
        required=True,
        metadata={
            "description": "Still discharging, or the re-check refused or obstructed "
            "(拒不改正, MEP Order 28 art. 13)"
        },
    )
    note = fields.String(validate=validate.Length(max=2000))


class MeasureStepSchema(Schema):
    step = fields.Enum(MeasureStep, by_value=True, required=True)
    on = fields.Date(metadata={"description": "Default today"})
