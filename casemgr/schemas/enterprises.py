"""Enterprise and pollution-source schemas."""

from __future__ import annotations

from marshmallow import fields, validate

from casemgr.models import AliasKind, EnterpriseStatus, PermitClass
from casemgr.schemas.common import MAX_ID, PageArgs, Schema

_name = validate.Length(min=1, max=200)
_county = validate.Regexp(r"^\d{6}$", error="Must be a 6-digit division code.")
_industry = validate.Regexp(
    r"^[A-T](\d{2,4})?$", error="Must be a GB/T 4754-2017 code such as C2611."
)


class AliasSchema(Schema):
    kind = fields.Enum(AliasKind, by_value=True, required=True)
    value = fields.String(required=True, validate=validate.Length(min=1, max=32))


class FormerNameSchema(Schema):
    name = fields.String(required=True, validate=_name)
    valid_to = fields.Date(allow_none=True, metadata={"description": "Last day the name was used"})


class EnterpriseSchema(Schema):
    id = fields.Integer(dump_only=True)
    uscc = fields.String(metadata={"description": "统一社会信用代码 (GB 32100-2015)"})
    uscc_status = fields.String(
        metadata={"description": "'ok', or 'override' for an audited exception"}
    )
    unknown_authority = fields.Boolean()
    name = fields.String()
    legal_representative = fields.String()
    address = fields.String()
    county_code = fields.String()
    industry_code = fields.String()
    industry_name = fields.String()
    status = fields.Enum(EnterpriseStatus, by_value=True)
    registered_on = fields.Date(allow_none=True)
    aliases = fields.List(fields.Nested(AliasSchema))
    former_names = fields.List(fields.Nested(FormerNameSchema), attribute="name_history")
    version = fields.Integer()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class EnterpriseCreateSchema(Schema):
    uscc = fields.String(required=True, validate=validate.Length(min=1, max=40))
    name = fields.String(required=True, validate=_name)
    county_code = fields.String(required=True, validate=_county)
    legal_representative = fields.String(validate=validate.Length(max=64))
    address = fields.String(validate=validate.Length(max=300))
    industry_code = fields.String(validate=_industry)
    industry_name = fields.String(validate=validate.Length(max=64))
    status = fields.Enum(EnterpriseStatus, by_value=True)
    registered_on = fields.Date(allow_none=True)
    aliases = fields.List(fields.Nested(AliasSchema), validate=validate.Length(max=20))
    former_names = fields.List(fields.Nested(FormerNameSchema), validate=validate.Length(max=50))


class EnterpriseUpdateSchema(Schema):
    """Fields to change; the USCC is the key and cannot change (register a new enterprise)."""

    name = fields.String(validate=_name)
    renamed_on = fields.Date(metadata={"description": "Date of a name change (default today)"})
    county_code = fields.String(validate=_county)
    legal_representative = fields.String(validate=validate.Length(max=64))
    address = fields.String(validate=validate.Length(max=300))
    industry_code = fields.String(validate=_industry)
    industry_name = fields.String(validate=validate.Length(max=64))
    status = fields.Enum(EnterpriseStatus, by_value=True)
    registered_on = fields.Date(allow_none=True)
    aliases = fields.List(fields.Nested(AliasSchema), validate=validate.Length(max=20))


class EnterpriseQueryArgs(PageArgs):
    q = fields.String(
        validate=validate.Length(min=1, max=100),
        metadata={"description": "Name fragment (also former names), USCC or alias"},
    )
    uscc = fields.String(validate=validate.Length(equal=18))
    county = fields.String(
        validate=validate.Regexp(r"^[0-9A-Z]{6,8}$", error="Must be a division or unit code."),
        metadata={"description": "County, prefecture or inspection-unit code"},
    )
    industry = fields.String(validate=_industry, metadata={"description": "GB/T 4754 prefix"})
    basin = fields.String(validate=validate.Length(min=1, max=32))
    status = fields.Enum(EnterpriseStatus, by_value=True)


class UsccOverrideSchema(Schema):
    uscc = fields.String(required=True, validate=validate.Length(min=18, max=40))
    reason = fields.String(required=True, validate=validate.Length(min=4, max=500))
    evidence = fields.String(validate=validate.Length(max=500))
    created_by_id = fields.Integer(dump_only=True, allow_none=True)
    created_at = fields.DateTime(dump_only=True)


class SourceSchema(Schema):
    id = fields.Integer(dump_only=True)
    enterprise_id = fields.Integer()
    name = fields.String()
    permit_number = fields.String(allow_none=True)
    permit_class = fields.Enum(PermitClass, by_value=True)
    key_pollutant_unit = fields.Boolean()
    county_code = fields.String()
    basin_code = fields.String(allow_none=True)
    latitude = fields.Float(allow_none=True)
    longitude = fields.Float(allow_none=True)
    version = fields.Integer()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


_lat = validate.Range(min=-90, max=90)
_lon = validate.Range(min=-180, max=180)


class SourceCreateSchema(Schema):
    enterprise_id = fields.Integer(
        required=True, strict=True, validate=validate.Range(min=1, max=MAX_ID)
    )
    name = fields.String(required=True, validate=_name)
    permit_number = fields.String(allow_none=True, validate=validate.Length(min=1, max=40))
    permit_class = fields.Enum(PermitClass, by_value=True, required=True)
    key_pollutant_unit = fields.Boolean()
    county_code = fields.String(validate=_county)
    basin_code = fields.String(allow_none=True, validate=validate.Length(min=1, max=32))
    latitude = fields.Float(allow_none=True, validate=_lat, allow_nan=False)
    longitude = fields.Float(allow_none=True, validate=_lon, allow_nan=False)


class SourceUpdateSchema(Schema):
    name = fields.String(validate=_name)
    permit_number = fields.String(allow_none=True, validate=validate.Length(min=1, max=40))
    permit_class = fields.Enum(PermitClass, by_value=True)
    key_pollutant_unit = fields.Boolean()
    county_code = fields.String(validate=_county)
    basin_code = fields.String(allow_none=True, validate=validate.Length(min=1, max=32))
    latitude = fields.Float(allow_none=True, validate=_lat, allow_nan=False)
    longitude = fields.Float(allow_none=True, validate=_lon, allow_nan=False)


class SourceQueryArgs(PageArgs):
    enterprise_id = fields.Integer(validate=validate.Range(min=1, max=MAX_ID))
    county = fields.String(validate=validate.Regexp(r"^[0-9A-Z]{6,8}$"))
    basin = fields.String(validate=validate.Length(min=1, max=32))
    permit_class = fields.Enum(PermitClass, by_value=True)
    key_pollutant_unit = fields.Boolean()
    q = fields.String(validate=validate.Length(min=1, max=100))
