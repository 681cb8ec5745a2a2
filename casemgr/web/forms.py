"""Forms on pages: the API's own schemas and services validate them, errors go next to fields.

A page form posts plain fields. ``attempt`` runs the service call that takes them; when the
schema or the domain refuses the input, the session is rolled back (nothing half-written) and
the page re-renders the form with what the user typed and each error beside its field, in the
user's language. CSRF tokens are checked for every POST by Flask-WTF's ``CSRFProtect``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from flask import request
from marshmallow import ValidationError

from casemgr.errors import _tr, _tr_errors
from casemgr.exceptions import DomainError
from casemgr.extensions import db

T = TypeVar("T")


@dataclass
class FormState:
    """What a form shows: the values typed, each field's errors and a message for the form."""

    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)
    message: str | None = None
    status: int = 200

    @property
    def failed(self) -> bool:
        return bool(self.errors or self.message)

    def error(self, name: str) -> list[str]:
        return self.errors.get(name, [])


def _flatten(errors: Any, prefix: str = "") -> dict[str, list[str]]:
    """Nested schema errors ({"items": {0: {"amount": [...]}}}) as {"items.0.amount": [...]}."""
    out: dict[str, list[str]] = {}
    if isinstance(errors, Mapping):
        for key, value in errors.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            out.update(_flatten(value, name))
    elif isinstance(errors, list | tuple):
        if all(isinstance(v, str) for v in errors):
            out[prefix or "_form"] = [str(v) for v in errors]
        else:
            for value in errors:
                out.update(_flatten(value, prefix))
    elif errors:
        out[prefix or "_form"] = [str(errors)]
    return out


def submitted(names: Iterable[str] | None = None, *, lists: Iterable[str] = ()) -> dict[str, Any]:
    """The posted fields as a dict: empty strings dropped (so optional fields stay absent and
    required ones are reported missing), ``lists`` read as lists of values."""
    list_names = set(lists)
    keys = list(names) if names is not None else list(request.form.keys())
    data: dict[str, Any] = {}
    for key in keys:
        if key == "csrf_token":
            continue
        if key in list_names:
            values = [v.strip() for v in request.form.getlist(key) if v.strip()]
            if values:
                data[key] = values
            continue
        value = request.form.get(key, "").strip()
        if value:
            data[key] = value
    return data


def attempt(call: Callable[[], T], state: FormState) -> T | None:
    """Run ``call``; on a refusal fill ``state`` with translated errors and return ``None``.

    The database session is rolled back on any refusal, so a form that fails writes nothing.
    """
    try:
        return call()
    except ValidationError as exc:
        db.session.rollback()
        state.errors = _flatten(_tr_errors(exc.messages, {}))
        state.message = _tr("Some fields are invalid.", {})
        state.status = 422
    except DomainError as exc:
        db.session.rollback()
        state.errors = _flatten(_tr_errors(exc.errors, exc.params))
        state.message = _tr(exc.message_template, exc.params)
        state.status = exc.status
    return None
