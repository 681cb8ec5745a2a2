"""Evidence, custody, document and service schemas."""

from __future__ import annotations

from marshmallow import fields, validate

from casemgr.models.evidence import CustodyAction, DocumentKind, EvidenceKind, ServiceMethod
from casemgr.schemas.common import Schema


class CustodySchema(Schema):
    id = fields.Integer(dump_only=True)
    action = fields.Enum(CustodyAction, by_value=True, required=True)
    at = fields.AwareDateTime(required=True)
    place = fields.String(validate=validate.Length(max=300))
    by_name = fields.String(validate=validate.Length(min=1, max=64))
    handed_to = fields.String(validate=validate.Length(max=100))
    note = fields.String(validate=validate.Length(max=500))


class EvidenceSchema(Schema):
    id = fields.Integer()
    case_id = fields.Integer()
    kind = fields.Enum(EvidenceKind, by_value=True)
    title = fields.String()
    description = fields.String()
    collected_at = fields.DateTime()
    collected_place = fields.String()
    collected_by_id = fields.Integer(allow_none=True)
    filename = fields.String(allow_none=True)
    content_type = fields.String(allow_none=True)
    size_bytes = fields.Integer(allow_none=True)
    sha256 = fields.String(allow_none=True)
    custody = fields.List(fields.Nested(CustodySchema))


class EvidenceFormSchema(Schema):
    """The form fields of an evidence upload (multipart/form-data)."""

    kind = fields.Enum(EvidenceKind, by_value=True, required=True)
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    description = fields.String(validate=validate.Length(max=20_000))
    collected_at = fields.AwareDateTime(required=True)
    collected_place = fields.String(validate=validate.Length(max=300))


class EvidenceFileSchema(Schema):
    file = fields.Raw(metadata={"type": "string", "format": "binary"})


class ServiceSchema(Schema):
    id = fields.Integer(dump_only=True)
    method = fields.Enum(ServiceMethod, by_value=True, required=True)
    served_on = fields.Date(required=True)
    recipient = fields.String(required=True, validate=validate.Length(min=1, max=100))
    note = fields.String(validate=validate.Length(max=500))
    consent_on_file = fields.Boolean()


class DocumentSchema(Schema):
    id = fields.Integer()
    case_id = fields.Integer()
    kind = fields.Enum(DocumentKind, by_value=True)
    number = fields.String()
    issued_on = fields.Date()
    content = fields.Dict()
    issued_by_id = fields.Integer(allow_none=True)
    services = fields.List(fields.Nested(ServiceSchema))


class DocumentIssueSchema(Schema):
    kind = fields.Enum(DocumentKind, by_value=True, required=True)
    number = fields.String(validate=validate.Length(min=1, max=64))
    issued_on = fields.Date()
    text = fields.String(validate=validate.Length(max=50_000))
    facts = fields.String(validate=validate.Length(max=50_000))
    evidence = fields.List(
        fields.String(validate=validate.Length(max=300)), validate=validate.Length(max=200)
    )
    legal_basis = fields.String(validate=validate.Length(max=2000))
    performance_manner = fields.String(validate=validate.Length(max=1000))
    performance_time_limit = fields.String(validate=validate.Length(max=500))
    reconsideration_body = fields.String(validate=validate.Length(max=200))
    court = fields.String(validate=validate.Length(max=200))
    agency = fields.String(validate=validate.Length(max=200))
    party_name = fields.String(validate=validate.Length(max=200))
    party_address = fields.String(validate=validate.Length(max=300))
