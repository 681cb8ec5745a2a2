"""Pages: cases."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("cases_pages", __name__)
