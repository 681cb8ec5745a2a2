"""Queued long operations (后台任务)."""

from marshmallow import fields, validate

from casemgr.schemas.common import PageArgs, Schema, page_of, translated


class TaskSchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    params = fields.Dict()
    status = fields.String(attribute="status.value")
    progress = fields.Float(metadata={"description": "0 to 1"})
    step = fields.Method("_step", metadata={"description": "The step it is at, translated"})
    result = fields.Dict(allow_none=True)
    error = fields.String(allow_none=True)
    created_at = fields.DateTime()
    started_at = fields.DateTime(allow_none=True)
    finished_at = fields.DateTime(allow_none=True)
    attempts = fields.Integer()

    def _step(self, obj: object) -> str:
        return translated(getattr(obj, "step", "") or "")


TaskPageSchema = page_of(TaskSchema)


class TaskCreateSchema(Schema):
    kind = fields.String(
        required=True,
        validate=validate.OneOf(["credit_rescore", "credit_export", "link_run", "draw_verify"]),
        metadata={"description": "Imports are queued with POST /api/v1/tasks/imports"},
    )
    params = fields.Dict(load_default=dict)


class TaskListArgs(PageArgs):
    pass
