"""Printable pages of issued documents (打印版文书)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template
from flask_login import login_required

from casemgr.extensions import db
from casemgr.security import page_actor
from casemgr.services import documents

bp = Blueprint("documents", __name__)


@bp.get("/documents/<int(max=2147483647):document_id>/print")
@login_required
def print_document(document_id: int) -> Any:
    doc = documents.visible_document(db.session(), page_actor(), document_id)
    return render_template("documents/print.html", doc=doc, items=documents.DECISION_ITEMS)
