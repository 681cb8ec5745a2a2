"""Import batches (导入批次) and their rejected rows."""

from __future__ import annotations

from typing import Any

from marshmallow import fields, validate

from casemgr.models import RecordSource
from casemgr.schemas.common import PageArgs, Schema, translated


class ImportFormSchema(Schema):
    """The form fields of an import upload (multipart/form-data)."""

    source = fields.Enum(RecordSource, by_value=True, required=True)
    source_date = fields.Date(metadata={"description": "The day the source exported the file"})


class ImportFileSchema(Schema):
    file = fields.Raw(metadata={"type": "string", "format": "binary"})


class BatchSchema(Schema):
    id = fields.Integer()
    source = fields.String(attribute="source.value")
    filename = fields.String()
    sha256 = fields.String()
    file_format = fields.String()
    encoding = fields.String()
    source_date = fields.Date(allow_none=True)
    status = fields.String(attribute="status.value")
    rows_read = fields.Integer()
    rows_imported = fields.Integer()
    rows_rejected = fields.Integer()
    error = fields.String()
    started_at = fields.DateTime()
    finished_at = fields.DateTime(allow_none=True)


class RejectionSchema(Schema):
    row_number = fields.Integer()
    field = fields.String()
    reason = fields.Method("_reason")

    def _reason(self, obj: Any) -> str:
        return translated(obj.reason, obj.params)


class RejectionQueryArgs(PageArgs):
    sort = fields.String(load_default=None, validate=validate.OneOf(["row_number"]))
