"""One place that turns exceptions into JSON under /api and into pages elsewhere.

No stack trace or SQL text ever reaches a client: unexpected errors are logged with an id the
client sees, and the session is rolled back.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from casemgr.exceptions import Conflict, DomainError, GuardFailed, Message, StaleVersion
from casemgr.extensions import db
from casemgr.i18n import LIST_SEPARATOR, N_
from casemgr.legalbasis import LAW_NAMES, Citation, render_basis
from casemgr.translations import validation_messages

log = logging.getLogger(__name__)

_HTTP_MESSAGES = {
    400: N_("The request is malformed (for example, the body is not valid JSON)."),
    401: N_("Authentication is required: log in or send a valid bearer token."),
    403: N_("Your role does not allow this action."),
    404: N_("Nothing exists at this address."),
    405: N_("This method is not allowed here."),
    413: N_("The request body is larger than the allowed {limit} bytes."),
    415: N_("Send the body as application/json."),
    422: N_("Some fields are invalid."),
    429: N_("Too many requests; slow down."),
    500: N_("An unexpected error occurred; it was logged as {error_id}."),
    503: N_("The database is unavailable; try again shortly."),
}


# How the items of a list parameter are joined: "a, b" in English, "甲、乙" in Chinese.


class _Listed(list[str]):
    """A list parameter: ``{name}`` reads as its items translated one by one and joined in the
    request's language (the attachments a transfer lacks: "甲、乙"), while ``{name[0]}`` still
    picks one item as it is (the units of an inspection plan's clash)."""

    def __format__(self, spec: str) -> str:
        joined = str(gettext(LIST_SEPARATOR)).join(str(gettext(v)) for v in self)
        return format(joined, spec)


def list_params(params: Mapping[str, Any]) -> dict[str, Any]:
    """``params`` with each list (or tuple) of strings made a :class:`_Listed`."""
    return {
        k: _Listed(v)
        if isinstance(v, tuple | list) and all(isinstance(item, str) for item in v)
        else v
        for k, v in params.items()
    }


def _fill(value: Any, params: dict[str, Any]) -> Any:
    if not isinstance(value, str) or "{" not in value:
        return value
    try:
        return value.format(**params)
    except (KeyError, IndexError, ValueError):
        return value


def _preformatted_pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"\{(\w+)\}", template)
    return re.compile(
        "".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>.+?)" for i, p in enumerate(parts)) + "$"
    )


# marshmallow fills these templates (Length, Range, Enum) before a message reaches this module,
# so a plain gettext of what arrives does not match: they are mapped back to their template.
_PREFORMATTED = tuple((_preformatted_pattern(t), t) for t in validation_messages.PREFORMATTED)


def _is_basis(value: Any) -> bool:
    """A legal basis (a tuple of citations, as a guard failure carries it)."""
    return isinstance(value, tuple) and bool(value) and all(isinstance(c, Citation) for c in value)


def _citations(basis: Any) -> list[dict[str, Any]]:
    """Each citation of a basis as data, names and notes in the request's language."""
    return [
        {
            "law": c.law.value,
            "law_name": gettext(LAW_NAMES[c.law]),
            "articles": c.articles,
            "note": gettext(c.note) if c.note else "",
            "recalled": c.recalled,
        }
        for c in basis
    ]


def _tr(template: str, params: dict[str, Any]) -> str:
    text = gettext(template) if template else ""
    if text == template:
        for pattern, original in _PREFORMATTED:
            found = pattern.match(template)
            if found:
                return str(gettext(original)).format(**found.groupdict())
    if params:
        # Values that are themselves msgids (a guard's reason, a kind of record) translate too;
        # gettext returns any other string unchanged.
        params = {k: gettext(v) if isinstance(v, str) and v else v for k, v in params.items()}
        # A legal basis (a guard's citations) reads in the same language, and so does a list
        # of msgids (the missing attachments), item by item.
        params = {k: render_basis(v, gettext) if _is_basis(v) else v for k, v in params.items()}
        params = list_params(params)
        # A translated parameter may carry placeholders of its own (a guard's reason naming
        # the attachments that are missing): fill them from the same parameters.
        params = {k: _fill(v, params) for k, v in params.items()}
        try:
            return text.format(**params)
        except (KeyError, IndexError, ValueError):
            return text
    return text


def _tr_errors(errors: Any, params: dict[str, Any]) -> Any:
    if isinstance(errors, dict):
        return {k: _tr_errors(v, params) for k, v in errors.items()}
    if isinstance(errors, list):
        return [_tr_errors(v, params) for v in errors]
    if _is_basis(errors):
        return render_basis(errors, gettext)
    if isinstance(errors, str):
        return _tr(errors, params)
    if isinstance(errors, Message):
        return _tr(errors.template, dict(errors.params))
    return errors


def _flatten_webargs(messages: dict[str, Any]) -> dict[str, Any]:
    """webargs nests messages by location ({"json": {...}}); clients want field names."""
    out: dict[str, Any] = {}
    for location, fields in messages.items():
        if isinstance(fields, dict):
            out.update(fields)
        else:
            out[location] = fields
    return out


def _wants_json() -> bool:
    return (
        request.path.startswith("/api/")
        or request.path == "/healthz"
        or (request.accept_mimetypes.best == "application/json")
    )


def _render(status: int, message: str, errors: dict[str, Any] | None, reason: str) -> Any:
    if _wants_json():
        body: dict[str, Any] = {
            "code": status,
            "status": HTTPStatus(status).phrase,
            "message": message,
            "reason": reason,
        }
        if errors:
            body["errors"] = errors
        response = jsonify(body)
        if status == 401:
            response.headers["WWW-Authenticate"] = "Bearer"
        return response, status
    return render_template("error.html", status=status, message=message, errors=errors), status


def handle_domain_error(exc: DomainError) -> Any:
    db.session.rollback()
    errors = _tr_errors(exc.errors, exc.params)
    if isinstance(exc, GuardFailed) and _wants_json():
        errors["citations"] = _citations(exc.basis)
    return _render(exc.status, _tr(exc.message_template, exc.params), errors, exc.code)


def handle_http_exception(exc: HTTPException) -> Any:
    status = exc.code or 500
    data = getattr(exc, "data", None) or {}
    errors = None
    if "messages" in data:
        errors = _tr_errors(_flatten_webargs(data["messages"]), {})
    params = {"limit": _max_length()}
    template = _HTTP_MESSAGES.get(status)
    message = _tr(template, params) if template else (exc.description or HTTPStatus(status).phrase)
    if status == 400 and data.get("messages"):
        message = _tr(_HTTP_MESSAGES[400], {})
    return _render(status, message, errors, HTTPStatus(status).phrase.lower().replace(" ", "_"))


def _max_length() -> Any:
    from flask import current_app

    return current_app.config.get("MAX_CONTENT_LENGTH")


def handle_stale(exc: StaleDataError) -> Any:
    return handle_domain_error(StaleVersion())


def handle_integrity(exc: IntegrityError) -> Any:
    log.warning("integrity error: %s", exc.orig)
    return handle_domain_error(Conflict())


def handle_unexpected(exc: Exception) -> Any:
    db.session.rollback()
    if isinstance(exc, HTTPException):
        return handle_http_exception(exc)
    error_id = uuid.uuid4().hex[:12]
    if isinstance(exc, OperationalError):
        log.error("database unavailable [%s]: %s", error_id, exc)
        return _render(503, _tr(_HTTP_MESSAGES[503], {}), None, "database_unavailable")
    log.exception("unexpected error [%s]", error_id)
    return _render(500, _tr(_HTTP_MESSAGES[500], {"error_id": error_id}), None, "internal_error")


def register(app: Flask) -> None:
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(StaleDataError, handle_stale)
    app.register_error_handler(IntegrityError, handle_integrity)
    app.register_error_handler(Exception, handle_unexpected)
