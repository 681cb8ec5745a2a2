"""Credit scores (信用评价), their history, objections and repairs."""

from __future__ import annotations

from marshmallow import fields, validate

from casemgr.schemas.common import MAX_ID, PageArgs, Schema


class AsOfArgs(Schema):
    as_of = fields.Date(
        load_default=None, metadata={"description": "The day (default today, local time)."}
    )


class ContributionSchema(Schema):
    kind = fields.String()
    rule = fields.String()
    name = fields.String()
    group = fields.String()
    points = fields.Float()
    max_points = fields.Float()
    measure = fields.Float(allow_none=True)
    band = fields.String()
    records = fields.List(fields.String())
    scheme = fields.String()


class ConsequenceSchema(Schema):
    inspection_class = fields.String()
    sampling_weight = fields.Float()
    green_credit = fields.String()


class ScoreSchema(Schema):
    """A score computed as of a day from what was recorded by then."""

    enterprise_id = fields.Integer()
    scheme = fields.String()
    as_of = fields.Date()
    status = fields.String()
    points = fields.Float()
    score_tier = fields.String()
    tier = fields.String(allow_none=True)
    tier_name = fields.String(allow_none=True)
    sublevel = fields.Integer(allow_none=True)
    contributions = fields.List(fields.Nested(ContributionSchema))
    consequence = fields.Nested(ConsequenceSchema, allow_none=True)


class StoredScoreSchema(Schema):
    """A row of the tier history."""

    id = fields.Integer()
    scheme = fields.String()
    as_of = fields.Date()
    computed_at = fields.DateTime()
    reason = fields.String(attribute="reason.value")
    status = fields.String()
    points = fields.Float()
    score_tier = fields.String()
    own_tier = fields.String(allow_none=True)
    tier = fields.String(allow_none=True)
    sublevel = fields.Integer(allow_none=True)
    graph_risk = fields.Float()
    contributions = fields.List(
        fields.Dict(),
        metadata={
            "description": "The lines that count (points lost, named records, graph risk, "
            "downgrades, vetoes, not rateable); GET .../credit?as_of= gives the whole "
            "explanation for any day"
        },
    )


class RescoreArgs(Schema):
    as_of = fields.Date(load_default=None)
    enterprise_ids = fields.List(
        fields.Integer(strict=True, validate=validate.Range(min=1, max=MAX_ID)),
        load_default=None,
        validate=validate.Length(min=1, max=10_000),
    )


class RescoreSchema(Schema):
    as_of = fields.Date()
    scheme = fields.String()
    enterprises = fields.Integer()
    changed = fields.Integer()
    tiers = fields.Dict(keys=fields.String(), values=fields.Integer())
    seconds = fields.Float()


class ObjectionArgs(Schema):
    record = fields.String(required=True, validate=validate.Length(min=1, max=64))
    reason = fields.String(required=True, validate=validate.Length(min=1, max=5000))


class RepairArgs(Schema):
    record = fields.String(required=True, validate=validate.Length(min=1, max=64))
    evidence = fields.List(
        fields.String(validate=validate.Length(min=1, max=300)),
        required=True,
        validate=validate.Length(min=1, max=50),
    )
    commitment = fields.String(load_default="", validate=validate.Length(max=5000))


class RequestDecisionArgs(Schema):
    accept = fields.Boolean(required=True)
    note = fields.String(load_default="", validate=validate.Length(max=500))


class _RequestSchema(Schema):
    id = fields.Integer()
    enterprise_id = fields.Integer()
    record = fields.String()
    scheme = fields.String()
    state = fields.String(attribute="state.value")
    decided_on = fields.Date(allow_none=True)
    decided_by_id = fields.Integer(allow_none=True)
    decision_note = fields.String()
    created_by_id = fields.Integer(allow_none=True)
    version = fields.Integer()


class ObjectionSchema(_RequestSchema):
    reason = fields.String()
    filed_on = fields.Date()


class RepairSchema(_RequestSchema):
    evidence = fields.List(fields.String())
    commitment = fields.String()
    applied_on = fields.Date()


class PendingArgs(PageArgs):
    pass


class ExportArgs(Schema):
    as_of = fields.Date(required=True)
    format = fields.String(required=True, validate=validate.OneOf(["csv", "xlsx", "json"]))
    prefecture = fields.List(fields.String(validate=validate.Length(equal=6)), load_default=None)
    county = fields.List(fields.String(validate=validate.Length(equal=6)), load_default=None)
    tier = fields.List(fields.String(validate=validate.Length(max=16)), load_default=None)
    industry = fields.List(fields.String(validate=validate.Length(max=5)), load_default=None)
    since_export_id = fields.Integer(
        load_default=None, strict=True, validate=validate.Range(min=1, max=MAX_ID)
    )
    recipients = fields.List(fields.String(validate=validate.Length(max=200)), load_default=[])


class RecipientsArgs(Schema):
    recipients = fields.List(
        fields.String(validate=validate.Length(min=1, max=200)),
        required=True,
        validate=validate.Length(min=1, max=100),
    )


class ManifestSchema(Schema):
    """An export's manifest: what it lists, its SHA-256 and whom it went to."""

    id = fields.Integer()
    scheme = fields.String()
    as_of = fields.String()
    filters = fields.Dict()
    format = fields.String()
    generated_at = fields.String()
    generated_by = fields.Integer(allow_none=True)
    rows = fields.Integer()
    sha256 = fields.String()
    recipients = fields.List(fields.String())
    since_export_id = fields.Integer(allow_none=True)
    scores_through = fields.Integer(allow_none=True)


class NotifyArgs(Schema):
    since = fields.Date(load_default=None)


class RecipientToNotifySchema(Schema):
    export_id = fields.Integer()
    recipient = fields.String()
