"""Inspection teams, rounds, unit inspections, problems and unit actions (督察)."""

from __future__ import annotations

from datetime import date
from typing import Any

from marshmallow import ValidationError, fields, validate, validates_schema

from casemgr.i18n import N_
from casemgr.lifecycles.inspection import StageEvent
from casemgr.models import UnitActionKind
from casemgr.schemas.common import MAX_ID, Schema

_UNIT = fields.String(validate=validate.Regexp(r"^[0-9A-Z]{6,8}$"))
_ID = fields.Integer(validate=validate.Range(min=1, max=MAX_ID))


def day(**kwargs: Any) -> fields.Date:
    """A plan date: this century (dates far away are typing errors and overflow date sums)."""
    return fields.Date(
        validate=validate.Range(min=date(2000, 1, 1), max=date(2099, 12, 31)), **kwargs
    )


def _ordered(data: dict[str, Any], start: str, end: str) -> None:
    if data.get(start) and data.get(end) and data[end] < data[start]:
        raise ValidationError(N_("The end lies before the start."), field_name=end)


class TeamSchema(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    leader_id = fields.Integer(allow_none=True)
    active = fields.Boolean()


class TeamCreateSchema(Schema):
    code = fields.String(required=True, validate=validate.Regexp(r"^[A-Za-z0-9_-]{1,16}$"))
    name = fields.String(required=True, validate=validate.Length(min=1, max=64))
    leader_id = fields.Integer(allow_none=True, validate=validate.Range(min=1, max=MAX_ID))


class BlackoutSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=64))
    start = day(required=True)
    end = day(required=True)

    @validates_schema
    def _order(self, data: dict[str, Any], **_: Any) -> None:
        _ordered(data, "start", "end")


class RoundCreateSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    cycle_start = day(required=True)
    cycle_end = day(required=True)
    team_ids = fields.List(_ID, required=True, validate=validate.Length(min=1, max=50))
    unit_codes = fields.List(
        _UNIT,
        validate=validate.Length(min=1, max=50),
        metadata={"description": "Default: every inspection unit of the reference data"},
    )
    days_on_site = fields.Integer(load_default=30, validate=validate.Range(min=1, max=120))
    unit_days = fields.Dict(
        keys=_UNIT, values=fields.Integer(validate=validate.Range(min=1, max=120))
    )
    rest_days = fields.Integer(load_default=14, validate=validate.Range(min=0, max=120))
    unit_gap_days = fields.Integer(load_default=0, validate=validate.Range(min=0, max=365))
    blackouts = fields.List(
        fields.Nested(BlackoutSchema),
        allow_none=True,
        validate=validate.Length(max=50),
        metadata={"description": "Default: Spring Festival (春节) of each year of the cycle"},
    )

    @validates_schema
    def _order(self, data: dict[str, Any], **_: Any) -> None:
        _ordered(data, "cycle_start", "cycle_end")


class ProblemSchema(Schema):
    id = fields.Integer()
    inspection_id = fields.Integer()
    description = fields.String()
    county_code = fields.String()
    enterprise_id = fields.Integer(allow_none=True)
    violation_id = fields.Integer(allow_none=True)
    status = fields.String(attribute="status.value")
    rectification_due = fields.Date(allow_none=True)
    accepted_on = fields.Date(allow_none=True)
    reports = fields.List(fields.Nested(lambda: ProgressSchema()))
    version = fields.Integer()


class StageChangeSchema(Schema):
    from_stage = fields.String()
    to_stage = fields.String()
    event = fields.String()
    on = fields.Date()
    actor_id = fields.Integer(allow_none=True)
    note = fields.String()


class VisitSchema(Schema):
    id = fields.Integer()
    round_id = fields.Integer()
    unit_code = fields.String()
    team = fields.Nested(TeamSchema)
    kind = fields.String(attribute="kind.value")
    topic = fields.String()
    start_on = fields.Date()
    end_on = fields.Date()
    stage = fields.String(attribute="stage.value")
    report_on = fields.Date(allow_none=True)
    feedback_on = fields.Date(allow_none=True)
    rectification_plan_due = fields.Date(allow_none=True)
    rectification_plan_on = fields.Date(allow_none=True)
    closed_on = fields.Date(allow_none=True)
    version = fields.Integer()


class VisitDetailSchema(VisitSchema):
    problems = fields.List(fields.Nested(ProblemSchema))
    stages = fields.List(fields.Nested(StageChangeSchema))
    allowed_events = fields.List(fields.String())


class RoundSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    cycle_start = fields.Date()
    cycle_end = fields.Date()
    status = fields.String(attribute="status.value")
    settings = fields.Dict()
    visits = fields.List(fields.Nested(VisitSchema))
    version = fields.Integer()


class BreachSchema(Schema):
    code = fields.String()
    refs = fields.List(fields.String(), metadata={"description": "Unit inspection ids"})
    message = fields.String(metadata={"description": "In the request's language"})


class VisitMoveSchema(Schema):
    start_on = day()
    end_on = day()
    team_id = _ID

    @validates_schema
    def _something(self, data: dict[str, Any], **_: Any) -> None:
        if not data:
            raise ValidationError(N_("Give a new start, end or team."), field_name="start_on")
        _ordered(data, "start_on", "end_on")


class SpecialVisitSchema(Schema):
    unit_code = fields.String(required=True, validate=validate.Regexp(r"^[0-9A-Z]{6,8}$"))
    team_id = fields.Integer(required=True, validate=validate.Range(min=1, max=MAX_ID))
    topic = fields.String(required=True, validate=validate.Length(min=1, max=200))
    start_on = day(required=True)
    end_on = day(required=True)

    @validates_schema
    def _order(self, data: dict[str, Any], **_: Any) -> None:
        _ordered(data, "start_on", "end_on")


class StageEventSchema(Schema):
    event = fields.Enum(StageEvent, by_value=True, required=True)
    on = day(required=True)
    note = fields.String(load_default="", validate=validate.Length(max=2000))
    rectification_plan_on = day()
    rectification_plan_due = day()


class ProblemCreateSchema(Schema):
    description = fields.String(required=True, validate=validate.Length(min=1, max=4000))
    county_code = fields.String(required=True, validate=validate.Regexp(r"^52[0-9]{4}$"))
    enterprise_id = fields.Integer(allow_none=True, validate=validate.Range(min=1, max=MAX_ID))
    rectification_due = day(allow_none=True)


class OnSchema(Schema):
    on = day(required=True)


class ProgressSchema(Schema):
    id = fields.Integer(dump_only=True)
    reported_on = day(required=True)
    percent_done = fields.Integer(required=True, validate=validate.Range(min=0, max=100))
    progress = fields.String(required=True, validate=validate.Length(min=1, max=4000))
    reported_by_id = fields.Integer(dump_only=True, allow_none=True)


class UnitActionSchema(Schema):
    id = fields.Integer()
    unit_code = fields.String()
    inspection_id = fields.Integer(allow_none=True)
    kind = fields.String(attribute="kind.value")
    on = fields.Date()
    document_number = fields.String(allow_none=True)
    subject = fields.String()
    summary = fields.String()


class UnitActionCreateSchema(Schema):
    kind = fields.Enum(UnitActionKind, by_value=True, required=True)
    on = day(required=True)
    inspection_id = fields.Integer(allow_none=True, validate=validate.Range(min=1, max=MAX_ID))
    document_number = fields.String(allow_none=True, validate=validate.Length(min=1, max=64))
    subject = fields.String(required=True, validate=validate.Length(min=1, max=200))
    summary = fields.String(load_default="", validate=validate.Length(max=4000))
