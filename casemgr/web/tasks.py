"""Pages: tasks."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("tasks_pages", __name__)
