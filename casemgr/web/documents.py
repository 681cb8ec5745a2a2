"""Printable pages of issued documents (打印版文书).

An issued document is an official Chinese text whatever the interface language: its title and
the penalty types are printed with their legal names.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template
from flask_login import login_required

from casemgr.extensions import db
from casemgr.lifecycles.administrative import PENALTY_TYPES
from casemgr.models.evidence import DocumentKind
from casemgr.security import page_actor
from casemgr.services import documents

bp = Blueprint("documents", __name__)

# The legal name of each kind of document, as printed at its head.
DOCUMENT_TITLES = {
    DocumentKind.PROPOSED_PENALTY_NOTICE: "行政处罚事先告知书",  # 行政处罚法 arts. 44, 62
    DocumentKind.HEARING_NOTICE: "听证通知书",  # art. 64
    DocumentKind.DECISION: "行政处罚决定书",  # art. 59
    DocumentKind.NO_PENALTY_DECISION: "不予行政处罚决定书",
    DocumentKind.CORRECTION_ORDER: "责令改正违法行为决定书",  # art. 28
    DocumentKind.DEMAND: "催告书",  # 行政强制法 art. 54
}
PENALTY_NAMES = {p.value.value: p.label for p in PENALTY_TYPES}


@bp.get("/documents/<int(max=2147483647):document_id>/print")
@login_required
def print_document(document_id: int) -> Any:
    """Print an issued document."""
    doc = documents.visible_document(db.session(), page_actor(), document_id)
    return render_template(
        "documents/print.html",
        doc=doc,
        items=documents.DECISION_ITEMS,
        title=DOCUMENT_TITLES.get(doc.kind, doc.kind.value),
        penalty_names=PENALTY_NAMES,
    )
