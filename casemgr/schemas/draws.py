"""Random inspection draws (双随机抽查) and declared conflicts (回避)."""

from __future__ import annotations

from marshmallow import fields, validate

from casemgr.models import TargetOutcome
from casemgr.planning.sampling import PERIODS
from casemgr.schemas.common import MAX_ID, PageArgs, Schema, page_of
from casemgr.schemas.inspections import day

_CODE = validate.Regexp(r"^[0-9A-Z]{6,8}$")


class DrawCreateSchema(Schema):
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    scope_code = fields.String(required=True, validate=_CODE)
    roster_scope_code = fields.String(
        validate=_CODE,
        metadata={
            "description": "Whose officers are drawn (default: the scope). A county's draw "
            "usually takes its prefecture's officers: nobody inspects their home county."
        },
    )
    period = fields.String(required=True, validate=validate.OneOf(PERIODS))
    period_label = fields.String(required=True, validate=validate.Regexp(r"^[0-9A-Za-z_-]{4,16}$"))
    draw_on = day(required=True)
    seed = fields.String(
        validate=validate.Length(min=8, max=128),
        metadata={"description": "A public value fixed in advance (default: a random one)"},
    )


class DrawSchema(Schema):
    id = fields.Integer()
    title = fields.String()
    scope_code = fields.String()
    level = fields.String()
    period = fields.String()
    period_label = fields.String()
    draw_on = fields.Date()
    seed = fields.String()
    seed_published_at = fields.DateTime()
    status = fields.String(attribute="status.value")
    config = fields.Dict()
    config_digest = fields.String()
    pool_digest = fields.String()
    roster_digest = fields.String()
    exclusions_digest = fields.String()
    result_digest = fields.String(allow_none=True)
    pool_size = fields.Integer()
    roster_size = fields.Integer()
    credit_scheme = fields.String()
    cancel_reason = fields.String(allow_none=True)
    drawn_at = fields.DateTime(allow_none=True)
    dispatched_at = fields.DateTime(allow_none=True)
    published_at = fields.DateTime(allow_none=True)
    version = fields.Integer()


class TargetSchema(Schema):
    id = fields.Integer()
    rank = fields.Integer()
    enterprise_id = fields.Integer()
    inspection_class = fields.String()
    county_code = fields.String()
    score = fields.Float()
    inspectors = fields.List(fields.Integer())
    outcome = fields.String(attribute="outcome.value")
    inspected_on = fields.Date(allow_none=True)
    violation_id = fields.Integer(allow_none=True)
    finding = fields.String()


TargetPageSchema = page_of(TargetSchema)


class VerificationSchema(Schema):
    matches = fields.Boolean()
    inputs_match = fields.Boolean()
    stored_digest = fields.String(allow_none=True)
    recomputed_digest = fields.String()


class CancelSchema(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class OutcomeSchema(Schema):
    outcome = fields.Enum(TargetOutcome, by_value=True, required=True)
    inspected_on = day(required=True)
    finding = fields.String(load_default="", validate=validate.Length(max=4000))
    violation_id = fields.Integer(allow_none=True, validate=validate.Range(min=1, max=MAX_ID))


class ConflictCreateSchema(Schema):
    user_id = fields.Integer(validate=validate.Range(min=1, max=MAX_ID))
    enterprise_id = fields.Integer(required=True, validate=validate.Range(min=1, max=MAX_ID))
    reason = fields.String(required=True, validate=validate.Length(min=1, max=300))
    declared_on = day(required=True)


class ConflictSchema(Schema):
    id = fields.Integer()
    user_id = fields.Integer()
    enterprise_id = fields.Integer()
    reason = fields.String()
    declared_on = fields.Date()
    withdrawn_on = fields.Date(allow_none=True)


class TargetArgs(PageArgs):
    pass


class DrawInputsSchema(Schema):
    """A draw's inputs as published (casemgr.planning.draw_documents)."""

    format = fields.String()
    seed = fields.String()
    level = fields.String()
    period = fields.String()
    on = fields.String()
    config = fields.Dict()
    pool = fields.List(
        fields.List(fields.Raw()), metadata={"description": "[USCC, class, county, weight]"}
    )
    roster = fields.List(
        fields.List(fields.Raw()), metadata={"description": "[id, home county, certified until]"}
    )
    conflicts = fields.Dict(keys=fields.String(), values=fields.List(fields.String()))
    last_inspectors = fields.Dict(keys=fields.String(), values=fields.List(fields.Integer()))
