"""Pagination arguments and the page envelope every list endpoint returns."""

from __future__ import annotations

from functools import cache

from marshmallow import Schema, fields, validate


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
