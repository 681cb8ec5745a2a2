"""Link candidates (关联候选), the review queue and merges."""

from __future__ import annotations

from marshmallow import fields, validate

from casemgr.schemas.common import MAX_ID, PageArgs, Schema


class CandidateSchema(Schema):
    id = fields.Integer()
    record_id = fields.Integer()
    enterprise_id = fields.Integer()
    rule = fields.String()
    score = fields.Float()
    decision = fields.String(attribute="decision.value")
    evidence = fields.Dict()
    state = fields.String(attribute="state.value")
    decided_by_id = fields.Integer(allow_none=True)
    decided_at = fields.DateTime(allow_none=True)
    note = fields.String()
    version = fields.Integer()


class DecisionNoteSchema(Schema):
    note = fields.String(validate=validate.Length(max=500))


class MergeSchema(Schema):
    id = fields.Integer()
    candidate_id = fields.Integer(allow_none=True)
    changes = fields.List(fields.Dict())
    created_at = fields.DateTime()
    created_by_id = fields.Integer(allow_none=True)
    undone_at = fields.DateTime(allow_none=True)
    undone_by_id = fields.Integer(allow_none=True)


class EnterpriseMergeSchema(Schema):
    survivor_id = fields.Integer(
        required=True, strict=True, validate=validate.Range(min=1, max=MAX_ID)
    )


class QueueArgs(PageArgs):
    sort = fields.String(load_default=None, validate=validate.OneOf(["score", "-score", "id"]))


class LinkRunArgs(Schema):
    batch_id = fields.Integer(
        load_default=None,
        allow_none=True,
        strict=True,
        validate=validate.Range(min=1, max=2147483647),
        metadata={"description": "Link only this committed tax or enforcement import."},
    )


class LinkRunSchema(Schema):
    """What a linking run did (counts of records by decision)."""

    batch_id = fields.Integer(allow_none=True)
    enterprises = fields.Integer()
    records = fields.Integer()
    matched = fields.Integer()
    review = fields.Integer()
    non_match = fields.Integer()
    no_candidate = fields.Integer()
    already_rejected = fields.Integer()
    rules = fields.Dict(keys=fields.String(), values=fields.Integer())
    seconds = fields.Float()
