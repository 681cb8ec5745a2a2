"""Evidence with its files and chain of custody; issued documents and their service."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import current_app, send_file
from flask.views import MethodView
from flask_smorest import Blueprint

from casemgr.api.common import IF_MATCH, expected_version
from casemgr.exceptions import InvalidInput
from casemgr.extensions import db
from casemgr.i18n import N_
from casemgr.schemas.evidence import (
    CustodySchema,
    DocumentIssueSchema,
    DocumentSchema,
    EvidenceFileSchema,
    EvidenceFormSchema,
    EvidenceSchema,
    ServiceSchema,
)
from casemgr.security import api_actor
from casemgr.services import documents, evidence

blp = Blueprint(
    "evidence",
    __name__,
    url_prefix="",
    description="Evidence, custody, issued documents and service records",
)

_ID = "int(max=2147483647)"


def _storage() -> Path:
    return Path(current_app.config["UPLOAD_FOLDER"]) / "evidence"


@blp.route(f"/cases/<{_ID}:case_id>/evidence")
class CaseEvidence(MethodView):
    @blp.response(200, EvidenceSchema(many=True))
    def get(self, case_id: int) -> Any:
        """List a case's evidence"""
        return evidence.list_evidence(db.session(), api_actor(), case_id)

    @blp.arguments(EvidenceFormSchema, location="form")
    @blp.arguments(EvidenceFileSchema, location="files")
    @blp.response(201, EvidenceSchema)
    def post(self, form: dict[str, Any], files: dict[str, Any], case_id: int) -> Any:
        """Register evidence, with its file (multipart/form-data)"""
        actor = api_actor()
        stored = None
        upload = files.get("file")
        if upload is not None and not hasattr(upload, "stream"):
            raise InvalidInput.field("file", N_("Send the file as a multipart file part."))
        if upload is not None:
            evidence.check_writable(db.session(), actor, case_id)
            stored = evidence.store_file(
                _storage(),
                upload.stream,
                upload.filename or "",
                max_bytes=current_app.config["EVIDENCE_MAX_BYTES"],
            )
        return evidence.add_evidence(db.session(), actor, case_id, form, stored)


@blp.route(f"/evidence/<{_ID}:evidence_id>/file")
class EvidenceFile(MethodView):
    @blp.response(
        200, {"type": "string", "format": "binary"}, content_type="application/octet-stream"
    )
    def get(self, evidence_id: int) -> Any:
        """Download an evidence file (its SHA-256 is checked first)"""
        ev, path = evidence.open_file(db.session(), api_actor(), evidence_id, _storage())
        return send_file(
            path,
            mimetype=ev.content_type,
            as_attachment=True,
            download_name=ev.filename or f"evidence-{ev.id}",
            etag=ev.sha256 or False,
        )


@blp.route(f"/evidence/<{_ID}:evidence_id>/custody")
class Custody(MethodView):
    @blp.arguments(CustodySchema)
    @blp.response(201, CustodySchema)
    def post(self, data: dict[str, Any], evidence_id: int) -> Any:
        """Append a link to the chain of custody"""
        return evidence.add_custody(db.session(), api_actor(), evidence_id, data)


@blp.route(f"/cases/<{_ID}:case_id>/documents")
class CaseDocuments(MethodView):
    @blp.response(200, DocumentSchema(many=True))
    def get(self, case_id: int) -> Any:
        """List the documents issued on a case"""
        return documents.list_documents(db.session(), api_actor(), case_id)

    @blp.arguments(DocumentIssueSchema)
    @blp.response(201, DocumentSchema)
    @blp.doc(parameters=[IF_MATCH])
    def post(self, data: dict[str, Any], case_id: int) -> Any:
        """Issue a document (a decision needs the six items of 行政处罚法 art. 59)"""
        actor = api_actor()
        kind = data.pop("kind")
        return documents.issue_document(
            db.session(), actor, case_id, kind, data, expected_version=expected_version()
        )


@blp.route(f"/documents/<{_ID}:document_id>/services")
class Services(MethodView):
    @blp.arguments(ServiceSchema)
    @blp.response(201, ServiceSchema)
    def post(self, data: dict[str, Any], document_id: int) -> Any:
        """Record the service of a document (送达回证)"""
        return documents.record_service(db.session(), api_actor(), document_id, data)
