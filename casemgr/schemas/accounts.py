"""User and token schemas."""

from marshmallow import fields, validate

from casemgr.policy import Role
from casemgr.schemas.common import MAX_ID, PageArgs, Schema

_territory = fields.String(validate=validate.Regexp(r"^[0-9A-Z]{6,8}$"))
_organ = fields.String(
    allow_none=True,
    validate=validate.Regexp(r"^[CGP][0-9]{6}$"),
    metadata={"description": "A prosecutor's procuratorate or a judge's court (P520300, C520302)"},
)


class UserSchema(Schema):
    id = fields.Integer()
    username = fields.String()
    display_name = fields.String()
    email = fields.String(allow_none=True)
    active = fields.Boolean()
    roles = fields.List(fields.Enum(Role, by_value=True))
    jurisdictions = fields.List(fields.String())
    certificate_number = fields.String(allow_none=True)
    certificate_valid_until = fields.Date(allow_none=True)
    organ_code = fields.String(allow_none=True)
    version = fields.Integer()
    created_at = fields.DateTime()


class UserCreateSchema(Schema):
    username = fields.String(
        required=True,
        validate=validate.Regexp(
            r"^[A-Za-z0-9_.\-]{3,64}$", error="3-64 letters, digits, '.', '_' or '-'."
        ),
    )
    password = fields.String(required=True, load_only=True, validate=validate.Length(max=200))
    display_name = fields.String(validate=validate.Length(max=64))
    email = fields.Email(allow_none=True, validate=validate.Length(max=254))
    roles = fields.List(
        fields.Enum(Role, by_value=True),
        required=True,
        validate=validate.Length(min=1, max=len(Role)),
    )
    jurisdictions = fields.List(_territory, required=True, validate=validate.Length(min=1, max=50))
    certificate_number = fields.String(allow_none=True, validate=validate.Length(min=1, max=32))
    certificate_valid_until = fields.Date(allow_none=True)
    organ_code = _organ
    active = fields.Boolean()


class UserUpdateSchema(Schema):
    password = fields.String(load_only=True, validate=validate.Length(max=200))
    display_name = fields.String(validate=validate.Length(max=64))
    email = fields.Email(allow_none=True, validate=validate.Length(max=254))
    roles = fields.List(fields.Enum(Role, by_value=True), validate=validate.Length(min=1))
    jurisdictions = fields.List(_territory, validate=validate.Length(min=1, max=50))
    certificate_number = fields.String(allow_none=True, validate=validate.Length(min=1, max=32))
    certificate_valid_until = fields.Date(allow_none=True)
    organ_code = _organ
    active = fields.Boolean()


class UserQueryArgs(PageArgs):
    q = fields.String(validate=validate.Length(min=1, max=64))


class LoginSchema(Schema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=64))
    password = fields.String(required=True, load_only=True, validate=validate.Length(max=200))
    label = fields.String(validate=validate.Length(max=100))


class TokenSchema(Schema):
    id = fields.Integer()
    user_id = fields.Integer()
    label = fields.String()
    created_at = fields.DateTime()
    expires_at = fields.DateTime()
    revoked_at = fields.DateTime(allow_none=True)


class IssuedTokenSchema(TokenSchema):
    token = fields.String(metadata={"description": "The bearer token; shown once, never stored"})


class TokenQueryArgs(Schema):
    user_id = fields.Integer(validate=validate.Range(min=1, max=MAX_ID))
