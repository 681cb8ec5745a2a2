"""Pages: credit."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("credit_pages", __name__)
