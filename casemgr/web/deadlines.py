"""Pages: deadlines."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("deadlines_pages", __name__)
