"""Legal bases and legal-clock rule names in the reader's language, for pages and exports.

A rule of the legal clock (:data:`casemgr.legalclock.RULES`) or a lifecycle guard cites its source
as a :data:`casemgr.legalbasis.Basis`; stored rows keep the rule's code beside a canonical
English copy of its title and basis. Pages render the rule's own title and basis with
``flask_babel.gettext`` and show the stored text only for a code the legal clock does not know
(a row written by an older version).

The credit schemes' own texts (names, sources, bases: Chinese data with English twins) are read
with ``scheme_text(obj, field)``.

Registered as template globals by :func:`register`: ``legal_basis(basis)``,
``rule_title(code, stored)``, ``rule_basis(code, stored)`` and ``scheme_text(obj, field)``.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask_babel import get_locale, gettext

from casemgr.legalbasis import Basis, render_basis
from casemgr.legalclock import RULES
from credit.schemes import text

__all__ = ["basis_line", "register", "rule_basis", "rule_title", "scheme_text"]


def basis_line(basis: Basis | str) -> str:
    """A legal basis as one line in the request's language; a plain string comes back unchanged
    (a stored basis, or a source not yet written as citations)."""
    if isinstance(basis, str):
        return basis
    return render_basis(basis, gettext)


def rule_title(code: str, stored: str = "") -> str:
    """The name of the legal-clock rule ``code`` in the request's language, else ``stored``."""
    rule = RULES.get(code)
    if rule is None:
        return stored or code
    return str(gettext(rule.title))


def rule_basis(code: str, stored: str = "") -> str:
    """The legal basis of the rule ``code`` in the request's language, else ``stored``."""
    rule = RULES.get(code)
    return stored if rule is None else render_basis(rule.basis, gettext)


def scheme_text(obj: object, field: str) -> Any:
    """The text ``field`` of a credit-scheme object (or mapping) in the request's language: its
    English twin on English pages when the scheme gives one, else its Chinese; "" for None."""
    return "" if obj is None else text(obj, field, get_locale() or "zh_CN")


def register(app: Flask) -> None:
    app.add_template_global(basis_line, "legal_basis")
    app.add_template_global(rule_title, "rule_title")
    app.add_template_global(rule_basis, "rule_basis")
    app.add_template_global(scheme_text, "scheme_text")
