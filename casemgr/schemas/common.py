"""Pagination arguments and the page envelope every list endpoint returns."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from functools import cache
from typing import Any

import marshmallow
from marshmallow import ValidationError, fields, pre_load, validate

from casemgr.i18n import LIST_SEPARATOR, N_


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, list | tuple):
        return any(isinstance(v, str) and "\x00" in v for v in value)
    return False


class Schema(marshmallow.Schema):
    """Base of every schema: text with NUL characters is refused field by field, since no
    database stores it (PostgreSQL rejects it outright)."""

    @pre_load(pass_collection=False)
    def _reject_nul(self, data: Any, **kwargs: Any) -> Any:
        if isinstance(data, Mapping):
            bad = {
                str(k): [N_("NUL characters are not allowed.")]
                for k, v in data.items()
                if _has_nul(v) or "\x00" in str(k)
            }
            if bad:
                raise ValidationError(bad)
        return data


# Identifiers are 32-bit on every database; larger numbers cannot name a record.
MAX_ID = 2**31 - 1


class PageArgs(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=200))
    sort = fields.String(
        load_default=None,
        validate=validate.Length(max=200),
        metadata={"description": "Comma-separated fields, '-' for descending, e.g. '-name'."},
    )


class PageMeta(Schema):
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    total = fields.Integer(required=True)
    total_exact = fields.Boolean(
        required=True,
        metadata={
            "description": "False when more matches exist than were counted (total is a "
            "lower bound)."
        },
    )
    pages = fields.Integer(required=True)


class DecimalText(fields.Decimal):
    """A decimal exchanged as a string (no binary rounding), e.g. ``"12.500"``; bounds are
    checked here rather than by ``validate.Range`` so the OpenAPI document stays a string."""

    def __init__(
        self,
        *,
        places: int,
        minimum: int | None = 0,
        maximum: int | None = None,
        positive: bool = False,
        **kwargs: Any,
    ) -> None:
        pattern = (
            rf"^-?\d+(\.\d{{1,{places}}})?$"
            if minimum is None or minimum < 0
            else (rf"^\d+(\.\d{{1,{places}}})?$")
        )
        metadata = {
            "type": "string",
            "format": "decimal",
            "pattern": pattern,
            **kwargs.pop("metadata", {}),
        }
        super().__init__(places=places, as_string=True, metadata=metadata, **kwargs)
        self.minimum, self.maximum, self.positive = minimum, maximum, positive

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Any:
        number = super()._deserialize(value, attr, data, **kwargs)
        if number is None:
            return number
        if (self.minimum is not None and number < self.minimum) or (self.positive and number <= 0):
            raise ValidationError(
                N_("Must be greater than zero.") if self.positive else N_("Must not be negative.")
            )
        if self.maximum is not None and number > self.maximum:
            raise ValidationError(N_("The number is too large."))
        return number


def all_optional(schema: type[Schema], name: str) -> type[Schema]:
    """A copy of ``schema`` whose fields are all optional: the body of a PATCH."""
    fields_copy = {}
    for key, field in schema._declared_fields.items():
        clone = copy.deepcopy(field)
        clone.required = False
        fields_copy[key] = clone
    return type(name, (Schema,), fields_copy)


@cache
def page_of(item_schema: type[Schema]) -> type[Schema]:
    """The list envelope ``{items: [...], page, per_page, total, total_exact, pages}``."""
    return type(
        f"{item_schema.__name__.removesuffix('Schema')}PageSchema",
        (PageMeta,),
        {"items": fields.List(fields.Nested(item_schema), required=True)},
    )


class ErrorSchema(Schema):
    code = fields.Integer(required=True, metadata={"description": "HTTP status code"})
    status = fields.String(required=True, metadata={"description": "HTTP status phrase"})
    message = fields.String(required=True, metadata={"description": "Human-readable, localised"})
    errors = fields.Dict(metadata={"description": "Field name -> list of messages"})
    reason = fields.String(metadata={"description": "Machine-readable error kind"})


def _translated_value(value: Any, gettext: Any) -> Any:
    """A parameter in the request's language: a msgid translated, a list of msgids (the
    evasive means of an alert) translated item by item and joined as ``casemgr.errors`` joins
    them."""
    if isinstance(value, str):
        return gettext(value) if value else value
    if isinstance(value, list | tuple) and all(isinstance(item, str) for item in value):
        return gettext(LIST_SEPARATOR).join(gettext(item) for item in value)
    return value


def translated(template: str, params: dict[str, Any] | None = None) -> str:
    """An English msgid (with ``{placeholders}``) in the request's locale, for dumped fields
    that carry a domain message (an alert's reason). Parameters that are msgids themselves (a
    deadline's title) translate too; gettext returns any other string unchanged."""
    from flask_babel import gettext

    text = gettext(template) if template else ""
    values = {k: _translated_value(v, gettext) for k, v in (params or {}).items()}
    try:
        return text.format(**values)
    except (KeyError, IndexError, ValueError):
        return text
