"""Case, transition, record, clock-stop and extension schemas (deadlines: ``schemas.deadlines``)."""

from __future__ import annotations

from marshmallow import fields, validate

from casemgr.lifecycles.administrative import AdminEvent, Art58Condition, PenaltyType
from casemgr.models.cases import DeadlineStateValue, Procedure, RecordKind
from casemgr.schemas.common import MAX_ID, PageArgs, Schema
from casemgr.schemas.deadlines import DeadlineSchema as DeadlineSchema  # re-exported

_cents = validate.Range(min=0, max=10**15)


class TransitionSchema(Schema):
    id = fields.Integer()
    from_status = fields.String()
    to_status = fields.String()
    event = fields.String()
    on = fields.Date()
    at = fields.DateTime()
    actor_id = fields.Integer(allow_none=True)
    actor_name = fields.String()
    note = fields.String()
    data = fields.Dict()


class ClockStopSchema(Schema):
    id = fields.Integer(dump_only=True)
    reason = fields.String(
        required=True,
        validate=validate.OneOf(
            [
                "hearing",
                "suspended",
                "criminal_transfer",
                "appraisal",
                "monitoring",
                "assessment",
                "public_notice",
                "identification",
                "service",
                "reconsideration",
                "litigation",
                "other",
            ]
        ),
    )
    note = fields.String(validate=validate.Length(max=300))
    start_on = fields.Date(required=True)
    end_on = fields.Date(allow_none=True)


class ExtensionSchema(Schema):
    id = fields.Integer(dump_only=True)
    rule_code = fields.String(dump_only=True)
    days = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=30))
    approved_on = fields.Date()
    approved_by_id = fields.Integer(dump_only=True, allow_none=True)
    by_collective_discussion = fields.Boolean()
    reason = fields.String(required=True, validate=validate.Length(min=2, max=500))


class RecordSchema(Schema):
    id = fields.Integer(dump_only=True)
    kind = fields.Enum(RecordKind, by_value=True, required=True)
    held_at = fields.AwareDateTime(required=True)
    place = fields.String(validate=validate.Length(max=300))
    summary = fields.String(validate=validate.Length(max=20_000))
    officer_ids = fields.List(
        fields.Integer(validate=validate.Range(min=1, max=MAX_ID)),
        required=True,
        load_only=True,
        validate=validate.Length(min=1, max=20),
    )
    officers = fields.Method("_officers", dump_only=True)

    def _officers(self, obj: object) -> list[dict[str, object]]:
        return [
            {
                "id": u.id,
                "display_name": u.display_name or u.username,
                "certificate_number": u.certificate_number,
            }
            for u in obj.officers  # type: ignore[attr-defined]
        ]


class CaseSchema(Schema):
    id = fields.Integer()
    violation_id = fields.Integer()
    channel = fields.String(attribute="channel.value")
    procedure = fields.String(attribute="procedure.value")
    number = fields.String(allow_none=True)
    status = fields.String()
    county_code = fields.String()
    party_enterprise_id = fields.Integer(allow_none=True)
    party_is_organisation = fields.Boolean()
    lead_officer_id = fields.Integer(allow_none=True)
    title = fields.String()
    lead_received_on = fields.Date()
    filed_on = fields.Date(allow_none=True)
    notice_served_on = fields.Date(allow_none=True)
    decided_on = fields.Date(allow_none=True)
    served_on = fields.Date(allow_none=True)
    closed_on = fields.Date(allow_none=True)
    art58_conditions = fields.List(fields.String())
    legal_review_passed = fields.Boolean()
    hearing_requested = fields.Boolean()
    proposed_penalty_types = fields.List(fields.String())
    proposed_fine_cents = fields.Integer(allow_none=True)
    penalty_types = fields.List(fields.String())
    final_fine_cents = fields.Integer(allow_none=True)
    correction_ordered_on = fields.Date(allow_none=True)
    overdue_reason = fields.String(allow_none=True)
    track = fields.String()
    details = fields.Dict()
    police_code = fields.String(allow_none=True)
    procuratorate_code = fields.String(allow_none=True)
    court_code = fields.String(allow_none=True)
    version = fields.Integer()
    allowed_events = fields.List(fields.String())
    deadlines = fields.List(fields.Nested(DeadlineSchema))
    transitions = fields.List(fields.Nested(TransitionSchema))
    clock_stops = fields.List(fields.Nested(ClockStopSchema))
    extensions = fields.List(fields.Nested(ExtensionSchema))
    records = fields.List(fields.Nested(RecordSchema))


class CaseSummarySchema(Schema):
    id = fields.Integer()
    violation_id = fields.Integer()
    channel = fields.String(attribute="channel.value")
    track = fields.String()
    number = fields.String(allow_none=True)
    status = fields.String()
    county_code = fields.String()
    title = fields.String()
    lead_received_on = fields.Date()
    filed_on = fields.Date(allow_none=True)
    version = fields.Integer()


class CaseOpenSchema(Schema):
    violation_id = fields.Integer(
        required=True, strict=True, validate=validate.Range(min=1, max=MAX_ID)
    )
    party_enterprise_id = fields.Integer(validate=validate.Range(min=1, max=MAX_ID))
    party_is_organisation = fields.Boolean()
    procedure = fields.Enum(Procedure, by_value=True)
    title = fields.String(validate=validate.Length(max=300))
    lead_received_on = fields.Date()
    art58_conditions = fields.List(fields.Enum(Art58Condition, by_value=True))
    collective_discussion_required = fields.Boolean()


class FineSchema(Schema):
    act = fields.String(required=True, validate=validate.Length(min=1, max=100))
    amount_cents = fields.Integer(required=True, strict=True, validate=_cents)


class TransitionRequestSchema(Schema):
    event = fields.Enum(AdminEvent, by_value=True, required=True)
    on = fields.Date(metadata={"description": "Legal date of the step (default today)"})
    note = fields.String(validate=validate.Length(max=2000))
    proposed_penalty_types = fields.List(fields.Enum(PenaltyType, by_value=True))
    proposed_fine_cents = fields.Integer(strict=True, validate=_cents)
    penalty_types = fields.List(fields.Enum(PenaltyType, by_value=True))
    fines = fields.List(fields.Nested(FineSchema), validate=validate.Length(max=50))
    rights_waived_in_writing = fields.Boolean()
    art58_conditions = fields.List(fields.Enum(Art58Condition, by_value=True))
    correction_ordered_on = fields.Date()
    overdue_reason = fields.String(validate=validate.Length(min=4, max=2000))


class CaseQueryArgs(PageArgs):
    county = fields.String(validate=validate.Regexp(r"^[0-9A-Z]{6,8}$"))
    status = fields.String(validate=validate.Length(min=1, max=32))
    violation_id = fields.Integer(validate=validate.Range(min=1, max=MAX_ID))
    number = fields.String(validate=validate.Length(min=1, max=64))
    track = fields.String(
        validate=validate.OneOf(
            ["administrative", "criminal", "civil_pil", "administrative_pil", "compensation"]
        )
    )


class BoardQueryArgs(PageArgs):
    county = fields.String(validate=validate.Regexp(r"^[0-9A-Z]{6,8}$"))
    officer_id = fields.Integer(validate=validate.Range(min=1, max=MAX_ID))
    channel = fields.String(
        validate=validate.OneOf(["administrative", "criminal", "civil", "compensation"])
    )
    rule_code = fields.String(validate=validate.Length(min=1, max=48))
    state = fields.List(fields.Enum(DeadlineStateValue, by_value=True))
    due_within_days = fields.Integer(validate=validate.Range(min=0, max=3650))
