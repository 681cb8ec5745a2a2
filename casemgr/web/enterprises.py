"""Pages: enterprises."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("enterprises_pages", __name__)
