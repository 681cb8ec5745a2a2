"""Division, inspection-unit and basin schemas (read-only reference data)."""

from marshmallow import fields, validate

from casemgr.models import DivisionLevel, InspectionUnitKind
from casemgr.schemas.common import Schema


class DivisionSchema(Schema):
    code = fields.String()
    name = fields.String()
    level = fields.Enum(DivisionLevel, by_value=True)
    parent_code = fields.String(allow_none=True)
    source = fields.String()


class DivisionQueryArgs(Schema):
    level = fields.Enum(DivisionLevel, by_value=True)
    parent_code = fields.String(validate=validate.Regexp(r"^\d{6}$"))


class InspectionUnitSchema(Schema):
    code = fields.String()
    name = fields.String()
    kind = fields.Enum(InspectionUnitKind, by_value=True)
    source = fields.String()
    county_codes = fields.Method("_counties")

    def _counties(self, obj: object) -> list[str]:
        return [c.code for c in obj.counties]  # type: ignore[attr-defined]


class BasinSchema(Schema):
    code = fields.String()
    name = fields.String()
    parent_system = fields.String()
    note = fields.String()
    source = fields.String()
