"""Enterprise-graph schemas: related parties, connections and groups (企业关联图谱)."""

from __future__ import annotations

from typing import Any

from marshmallow import fields, validate

from casemgr.models import EdgeKind
from casemgr.schemas.common import Schema, translated

_STRENGTH = (
    "control: legal representative, shareholder with at least 50 %, branch, successor; "
    "shareholding: a smaller or unknown share; shared: same address or phone. A path is as "
    "strong as its weakest link."
)


class GraphNodeSchema(Schema):
    kind = fields.String(metadata={"description": "enterprise, person, address or phone"})
    id = fields.Integer()
    label = fields.String(
        metadata={"description": "Name, address or phone number; empty when not visible"}
    )
    visible = fields.Boolean(
        metadata={
            "description": "False for an enterprise outside the caller's jurisdiction, or a "
            "person, address or phone touching no enterprise the caller may see"
        }
    )
    uscc = fields.String(allow_none=True)
    county_code = fields.String(
        allow_none=True, metadata={"description": "Enterprises: the county, always shown"}
    )
    degree = fields.Integer(
        allow_none=True, metadata={"description": "Persons, addresses, phones: open edges"}
    )
    note = fields.Method("_note")

    def _note(self, obj: Any) -> str:
        return translated(obj.note)


class GraphLinkSchema(Schema):
    kind = fields.String(metadata={"description": "legal_rep, shareholder, branch_of ..."})
    src_kind = fields.String()
    src_id = fields.Integer()
    dst_kind = fields.String()
    dst_id = fields.Integer()
    share = fields.Float(allow_none=True, metadata={"description": "Shareholders: 0..1"})
    source = fields.String(metadata={"description": "Source and field, e.g. registry:legal_rep"})
    batch_id = fields.Integer(allow_none=True, metadata={"description": "Import batch"})
    valid_from = fields.Date(allow_none=True)
    strength = fields.String(metadata={"description": _STRENGTH})


class GraphPathSchema(Schema):
    hops = fields.Integer(metadata={"description": "Relations between enterprises"})
    strength = fields.String(metadata={"description": _STRENGTH})
    nodes = fields.List(fields.Nested(GraphNodeSchema))
    links = fields.List(fields.Nested(GraphLinkSchema))


class RelatedPartySchema(Schema):
    node = fields.Nested(GraphNodeSchema)
    distance = fields.Integer(metadata={"description": "Hops: relations between enterprises"})
    strength = fields.String(metadata={"description": "Of the strongest path"})
    paths = fields.List(fields.Nested(GraphPathSchema), metadata={"description": "Shortest"})


class RelatedPartiesSchema(Schema):
    enterprise = fields.Nested(GraphNodeSchema)
    hops = fields.Integer()
    total = fields.Integer(metadata={"description": "Related enterprises in all"})
    page = fields.Integer()
    per_page = fields.Integer()
    related = fields.List(
        fields.Nested(RelatedPartySchema),
        metadata={"description": "One page of them, nearest and strongest first"},
    )
    capped = fields.List(
        fields.Nested(RelatedPartySchema),
        metadata={"description": "Addresses and phones shared by too many to be traversed"},
    )
    truncated = fields.Boolean(metadata={"description": "The neighbourhood was too large"})


class ConnectionSchema(Schema):
    enterprise = fields.Nested(GraphNodeSchema)
    other = fields.Nested(GraphNodeSchema)
    max_hops = fields.Integer()
    path = fields.Nested(GraphPathSchema, allow_none=True)
    truncated = fields.Boolean()


class GroupSchema(Schema):
    enterprise = fields.Nested(GraphNodeSchema)
    enterprises = fields.List(fields.Nested(GraphNodeSchema))
    persons = fields.List(fields.Nested(GraphNodeSchema))
    links = fields.List(fields.Nested(GraphLinkSchema))
    truncated = fields.Boolean()


class RelatedArgs(Schema):
    hops = fields.Integer(load_default=2, validate=validate.Range(min=1, max=3))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    kind = fields.List(
        fields.Enum(EdgeKind, by_value=True),
        load_default=None,
        metadata={"description": "Edge kinds to follow (repeat the parameter); all by default"},
    )


class ConnectionArgs(Schema):
    max_hops = fields.Integer(load_default=4, validate=validate.Range(min=1, max=4))
