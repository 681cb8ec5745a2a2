"""Audit-trail schemas."""

from marshmallow import fields, validate

from casemgr.models import AuditAction
from casemgr.schemas.common import MAX_ID, PageArgs, Schema


class AuditEntrySchema(Schema):
    id = fields.Integer()
    at = fields.DateTime()
    actor_id = fields.Integer(allow_none=True)
    actor_name = fields.String()
    action = fields.String()
    table_name = fields.String()
    record_key = fields.String()
    before = fields.Dict(allow_none=True)
    after = fields.Dict(allow_none=True)
    sealed = fields.Function(lambda e: e.seal_id is not None)


class AuditQueryArgs(PageArgs):
    table_name = fields.String(validate=validate.Length(min=1, max=64))
    record_key = fields.String(validate=validate.Length(min=1, max=128))
    actor_id = fields.Integer(validate=validate.Range(min=0, max=MAX_ID))
    action = fields.Enum(AuditAction, by_value=True)
    since = fields.AwareDateTime(default_timezone=None)
    until = fields.AwareDateTime(default_timezone=None)
