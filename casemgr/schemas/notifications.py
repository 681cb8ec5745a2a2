"""Notification and calendar-feed schemas."""

from typing import Any

from marshmallow import ValidationError, fields, validate, validates_schema

from casemgr.i18n import N_
from casemgr.schemas.common import MAX_ID, PageArgs, Schema, page_of, translated


class NotificationSchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    subject = fields.Method("_subject", metadata={"description": "In the request's language"})
    params = fields.Dict()
    link = fields.String()
    created_at = fields.DateTime()
    read_at = fields.DateTime(allow_none=True)
    emailed_at = fields.DateTime(allow_none=True)

    def _subject(self, obj: Any) -> str:
        return translated(obj.subject, dict(obj.params or {}))


NotificationPageSchema = page_of(NotificationSchema)


class InboxArgs(PageArgs):
    unread = fields.Boolean(load_default=False)


class UnreadCountSchema(Schema):
    unread = fields.Integer()


class MarkReadSchema(Schema):
    ids = fields.List(
        fields.Integer(validate=validate.Range(min=1, max=MAX_ID)),
        validate=validate.Length(min=1, max=1000),
    )
    all = fields.Boolean(load_default=False)

    @validates_schema
    def _one_of(self, data: dict[str, Any], **_: Any) -> None:
        if bool(data.get("ids")) == bool(data.get("all")):
            raise ValidationError(N_("Give either 'ids' or 'all': true."), field_name="ids")


class MarkedSchema(Schema):
    marked = fields.Integer()


class CalendarTokenArgs(Schema):
    label = fields.String(load_default="", validate=validate.Length(max=100))


class CalendarTokenSchema(Schema):
    id = fields.Integer()
    label = fields.String()
    created_at = fields.DateTime()
    revoked_at = fields.DateTime(allow_none=True)
    last_used_at = fields.DateTime(allow_none=True)


class IssuedCalendarTokenSchema(CalendarTokenSchema):
    token = fields.String(metadata={"description": "Shown once; only its SHA-256 is stored"})
    feed_url = fields.String(metadata={"description": "Your own feed, to subscribe to"})


class FeedArgs(Schema):
    token = fields.String(required=True, validate=validate.Length(min=8, max=100))
