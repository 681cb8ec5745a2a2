"""Helpers shared by the API views: optimistic-concurrency headers and page envelopes."""

from __future__ import annotations

import re
from typing import Any

from flask import request

from casemgr.exceptions import InvalidInput, PreconditionRequired, StaleVersion
from casemgr.i18n import N_
from casemgr.repositories.common import Page

_ETAG = re.compile(r'^\s*(?:W/)?"v(\d{1,9})"\s*$')

IF_MATCH = {
    "in": "header",
    "name": "If-Match",
    "required": True,
    "schema": {"type": "string"},
    "description": 'ETag of the version being changed, e.g. "v3" (412 if stale, 428 if absent).',
}


def etag(version: int) -> dict[str, str]:
    return {"ETag": f'"v{version}"'}


def expected_version() -> int:
    """The version named by If-Match. Raises PreconditionRequired (absent), StaleVersion."""
    header = request.headers.get("If-Match")
    if header is None:
        raise PreconditionRequired()
    match = _ETAG.match(header)
    if match is None:
        raise StaleVersion()
    return int(match.group(1))


def uploaded_file(files: dict[str, Any]) -> Any:
    """The multipart part named ``file``. Raises InvalidInput when it is missing or unnamed."""
    upload = files.get("file")
    if upload is None or not getattr(upload, "filename", ""):
        raise InvalidInput.field("file", N_("Send the file as a multipart file part."))
    return upload


def page_body(page: Page[Any]) -> dict[str, Any]:
    return {
        "items": page.items,
        "page": page.page,
        "per_page": page.per_page,
        "total": page.total,
        "total_exact": page.total_exact,
        "pages": page.pages,
    }
