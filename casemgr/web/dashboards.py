"""Pages: dashboards."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("dashboards_pages", __name__)
