"""Pages: a case's evidence (证据: uploads with their files, the checked download) and the
documents issued on it (文书) with their service (送达).

Routes of the ``cases_pages`` blueprint (:mod:`casemgr.web.cases`): a refused form re-renders
the case page with what was typed and each error beside its field.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import current_app, flash, redirect, request, send_file, url_for
from flask_babel import gettext
from flask_login import login_required

from casemgr.extensions import db
from casemgr.models.evidence import DocumentKind
from casemgr.schemas.evidence import DocumentIssueSchema, EvidenceFormSchema, ServiceSchema
from casemgr.security import page_actor
from casemgr.services import documents, evidence
from casemgr.web import case_forms as cf
from casemgr.web.cases import _ID, _case_form, _case_page, _version, bp
from casemgr.web.forms import FormState, attempt, submitted


def _storage() -> Path:
    return Path(current_app.config["UPLOAD_FOLDER"]) / "evidence"


@bp.post(f"/cases/<{_ID}:case_id>/evidence")
@login_required
def upload_evidence(case_id: int) -> Any:
    """Register evidence with its file (证据), checked by its bytes and stored by SHA-256."""
    actor = page_actor()
    session = db.session()
    raw = submitted(("kind", "title", "description", "collected_at", "collected_place"))

    def call() -> Any:
        data = EvidenceFormSchema().load({**raw, "collected_at": cf.aware(raw.get("collected_at"))})
        upload = request.files.get("file")
        stored = None
        if upload is not None and upload.filename:
            evidence.check_writable(session, actor, case_id)
            stored = evidence.store_file(
                _storage(),
                upload.stream,
                upload.filename,
                max_bytes=current_app.config["EVIDENCE_MAX_BYTES"],
            )
        return evidence.add_evidence(session, actor, case_id, data, stored)

    return _case_form(
        case_id,
        "evidence",
        call,
        gettext("The evidence was registered."),
        anchor="evidence",
        values=raw,
    )


@bp.get(f"/evidence/<{_ID}:evidence_id>/file")
@login_required
def evidence_file(evidence_id: int) -> Any:
    """Download an evidence file (its SHA-256 is checked first)."""
    ev, path = evidence.open_file(db.session(), page_actor(), evidence_id, _storage())
    return send_file(
        path,
        mimetype=ev.content_type,
        as_attachment=True,
        download_name=ev.filename or f"evidence-{ev.id}",
        etag=ev.sha256 or False,
    )


_DOCUMENT_FIELDS = (
    "kind",
    "number",
    "issued_on",
    "text",
    "facts",
    "evidence",
    "legal_basis",
    "performance_manner",
    "reconsideration_body",
    "court",
    "agency",
)


@bp.post(f"/cases/<{_ID}:case_id>/documents")
@login_required
def issue_document(case_id: int) -> Any:
    """Issue a document; a penalty decision needs the six items of 行政处罚法 art. 59."""
    actor = page_actor()
    raw = submitted(_DOCUMENT_FIELDS)
    name = "decision_doc" if raw.get("kind") == DocumentKind.DECISION.value else "document"

    def call() -> Any:
        data = dict(raw)
        if "evidence" in data:
            data["evidence"] = [x.strip() for x in data["evidence"].splitlines() if x.strip()]
        loaded = DocumentIssueSchema().load(data)
        return documents.issue_document(
            db.session(), actor, case_id, loaded.pop("kind"), loaded, expected_version=_version()
        )

    state = FormState(values=raw)
    if attempt(call, state) is None:
        cf.item_errors(state)
        return _case_page(case_id, {name: state})
    flash(gettext("The document was issued."), "success")
    return redirect(url_for(".case", case_id=case_id, _anchor="documents"))


@bp.post(f"/documents/<{_ID}:document_id>/services")
@login_required
def record_service(document_id: int) -> Any:
    """Record the service of a document (送达回证)."""
    actor = page_actor()
    session = db.session()
    doc = documents.visible_document(session, actor, document_id)
    case_id = doc.case_id
    raw = submitted(("method", "served_on", "recipient", "note", "consent_on_file"))

    def call() -> Any:
        data = {**raw, "consent_on_file": cf.flag(raw.get("consent_on_file"))}
        return documents.record_service(session, actor, document_id, ServiceSchema().load(data))

    return _case_form(
        case_id,
        f"service:{document_id}",
        call,
        gettext("The service was recorded."),
        anchor="documents",
        values=raw,
    )
