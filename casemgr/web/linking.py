"""Pages: linking."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("linking_pages", __name__)
