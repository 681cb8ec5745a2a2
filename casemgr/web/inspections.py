"""Pages: inspections."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("inspections_pages", __name__)
