"""Violation schemas."""

from __future__ import annotations

from marshmallow import fields, validate

from casemgr.models.violations import EvasiveMethod, MetalGroup, ViolationOrigin
from casemgr.schemas.common import MAX_ID, DecimalText, PageArgs, Schema, all_optional

_county = validate.Regexp(r"^\d{6}$", error="Must be a 6-digit division code.")
_money = validate.Range(min=0, max=10**15)


class MeasurementSchema(Schema):
    id = fields.Integer(dump_only=True)
    pollutant = fields.String(required=True, validate=validate.Length(min=1, max=64))
    metal_group = fields.Enum(MetalGroup, by_value=True, load_default=MetalGroup.NONE)
    measured_value = DecimalText(required=True, places=6, maximum=10**12)
    standard_value = DecimalText(required=True, places=6, maximum=10**12, positive=True)
    unit = fields.String(required=True, validate=validate.Length(min=1, max=16))
    standard_reference = fields.String(validate=validate.Length(max=100))
    sampled_at = fields.AwareDateTime(allow_none=True)
    exceedance_ratio = DecimalText(dump_only=True, places=3)


class ViolationSchema(Schema):
    id = fields.Integer(dump_only=True)
    found_at = fields.AwareDateTime()
    occurred_from = fields.AwareDateTime(allow_none=True)
    occurred_to = fields.AwareDateTime(allow_none=True)
    county_code = fields.String()
    basin_code = fields.String(allow_none=True)
    latitude = fields.Float(allow_none=True)
    longitude = fields.Float(allow_none=True)
    place = fields.String()
    source_id = fields.Integer(allow_none=True)
    enterprise_ids = fields.Method("_enterprise_ids")
    summary = fields.String()
    description = fields.String()
    origin = fields.Enum(ViolationOrigin, by_value=True)
    origin_reference = fields.String()
    hazardous_waste_tonnes = DecimalText(places=3)
    loss_cents = fields.Integer()
    illegal_gain_cents = fields.Integer()
    evasive_methods = fields.List(fields.String())
    in_protected_zone = fields.Boolean()
    during_pollution_alert = fields.Boolean()
    water_intake_cut_hours = DecimalText(places=2)
    toxic_substance = fields.Boolean()
    ecological_damage = fields.Boolean()
    measurements = fields.List(fields.Nested(MeasurementSchema))
    version = fields.Integer()
    created_at = fields.DateTime()

    def _enterprise_ids(self, obj: object) -> list[int]:
        return [e.id for e in obj.enterprises]  # type: ignore[attr-defined]


class ViolationCreateSchema(Schema):
    found_at = fields.AwareDateTime(required=True)
    occurred_from = fields.AwareDateTime(allow_none=True)
    occurred_to = fields.AwareDateTime(allow_none=True)
    county_code = fields.String(required=True, validate=_county)
    basin_code = fields.String(allow_none=True, validate=validate.Length(min=1, max=32))
    latitude = fields.Float(
        allow_none=True, validate=validate.Range(min=-90, max=90), allow_nan=False
    )
    longitude = fields.Float(
        allow_none=True, validate=validate.Range(min=-180, max=180), allow_nan=False
    )
    place = fields.String(validate=validate.Length(max=300))
    source_id = fields.Integer(allow_none=True, validate=validate.Range(min=1, max=MAX_ID))
    enterprise_ids = fields.List(
        fields.Integer(validate=validate.Range(min=1, max=MAX_ID)),
        required=True,
        validate=validate.Length(min=1, max=20),
    )
    summary = fields.String(required=True, validate=validate.Length(min=1, max=300))
    description = fields.String(validate=validate.Length(max=20_000))
    origin = fields.Enum(ViolationOrigin, by_value=True, required=True)
    origin_reference = fields.String(validate=validate.Length(max=64))
    hazardous_waste_tonnes = DecimalText(places=3, maximum=10**8)
    loss_cents = fields.Integer(strict=True, validate=_money)
    illegal_gain_cents = fields.Integer(strict=True, validate=_money)
    evasive_methods = fields.List(
        fields.Enum(EvasiveMethod, by_value=True), validate=validate.Length(max=len(EvasiveMethod))
    )
    in_protected_zone = fields.Boolean()
    during_pollution_alert = fields.Boolean()
    water_intake_cut_hours = DecimalText(places=2, maximum=10**5)
    toxic_substance = fields.Boolean(
        metadata={"description": "Radioactive, infectious or toxic substances (法释〔2023〕7号)"}
    )
    ecological_damage = fields.Boolean(
        metadata={"description": "Ecological damage found (生态环境损害): a claim must be screened"}
    )
    measurements = fields.List(fields.Nested(MeasurementSchema), validate=validate.Length(max=100))


ViolationUpdateSchema = all_optional(ViolationCreateSchema, "ViolationUpdateSchema")


class ViolationQueryArgs(PageArgs):
    county = fields.String(validate=validate.Regexp(r"^[0-9A-Z]{6,8}$"))
    enterprise_id = fields.Integer(validate=validate.Range(min=1, max=MAX_ID))
    origin = fields.Enum(ViolationOrigin, by_value=True)
    found_from = fields.AwareDateTime()
    found_to = fields.AwareDateTime()
    q = fields.String(validate=validate.Length(min=1, max=100))
