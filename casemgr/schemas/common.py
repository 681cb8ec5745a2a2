"""Pagination arguments and the page envelope every list endpoint returns."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

import marshmallow
from marshmallow import ValidationError, fields, pre_load, validate

from casemgr.i18n import N_


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
