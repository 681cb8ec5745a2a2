"""Deadline output schema: a case's deadline on the legal clock, its title and legal basis in the
request's language, and the basis's citations one by one."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext
from marshmallow import fields

from casemgr.legalbasis import LAW_NAMES, Citation, Law, render_basis
from casemgr.legalclock import RULES
from casemgr.models.cases import DeadlineStateValue
from casemgr.schemas.common import Schema


def _gettext(message: str) -> str:
    return str(gettext(message))


class CitationSchema(Schema):
    """One source of a legal basis: a law, its articles, a note, [R] when recalled."""

    law = fields.Enum(Law, by_value=True, metadata={"description": "Stable key of the law"})
    law_name = fields.String(metadata={"description": "The law's name, in the request's language"})
    articles = fields.String(
        metadata={"description": "'60', '44, 45' (several), '63–65' (a range), '64(2)' (¶2)"}
    )
    note = fields.String(metadata={"description": "In the request's language; may be empty"})
    recalled = fields.Boolean(
        metadata={"description": "Recalled, not checked against the official text ([R])"}
    )


def citation_data(citation: Citation) -> dict[str, Any]:
    """A citation as :class:`CitationSchema` dumps it, names and notes translated."""
    return {
        "law": citation.law,
        "law_name": _gettext(LAW_NAMES[citation.law]),
        "articles": citation.articles,
        "note": _gettext(citation.note) if citation.note else "",
        "recalled": citation.recalled,
    }


class _RuleTitle(fields.String):
    """The title of the deadline's rule in the request's language; the stored title when the
    legal clock no longer knows the rule's code."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        rule = RULES.get(getattr(obj, "rule_code", ""))
        return super()._serialize(
            value if rule is None else _gettext(rule.title), attr, obj, **kwargs
        )


class _RuleBasis(fields.String):
    """The legal basis of the deadline's rule in the request's language, else the stored one."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        rule = RULES.get(getattr(obj, "rule_code", ""))
        text = value if rule is None else render_basis(rule.basis, _gettext)
        return super()._serialize(text, attr, obj, **kwargs)


class _RuleCitations(fields.List[dict[str, Any]]):
    """The citations of the deadline's rule (none for a code the legal clock does not know)."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        rule = RULES.get(value or "")
        data = [] if rule is None else [citation_data(c) for c in rule.basis]
        return super()._serialize(data, attr, obj, **kwargs)


class DeadlineSchema(Schema):
    id = fields.Integer()
    case_id = fields.Integer()
    rule_code = fields.String()
    title = _RuleTitle(metadata={"description": "In the request's language"})
    basis = _RuleBasis(
        metadata={"description": "Law and articles, in the request's language; see citations"}
    )
    citations = _RuleCitations(
        fields.Nested(CitationSchema),
        attribute="rule_code",
        dump_only=True,
        metadata={"description": "The legal basis, one citation per law and articles"},
    )
    start_event = fields.String()
    start_on = fields.Date()
    due_on = fields.Date()
    paused_days = fields.Integer()
    provisional = fields.Boolean()
    state = fields.Enum(DeadlineStateValue, by_value=True)
    done_on = fields.Date(allow_none=True)
    breach_reason = fields.String(allow_none=True)
    county_code = fields.String()
    officer_id = fields.Integer(allow_none=True)
    channel = fields.String()
