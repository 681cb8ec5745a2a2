"""Imports of registry, tax and enforcement-system enterprise records (导入)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from casemgr.api.common import page_body, uploaded_file
from casemgr.extensions import db
from casemgr.schemas.common import page_of
from casemgr.schemas.imports import (
    BatchSchema,
    ImportFileSchema,
    ImportFormSchema,
    RejectionQueryArgs,
    RejectionSchema,
)
from casemgr.security import api_actor
from casemgr.services import imports as svc

blp = Blueprint(
    "imports",
    __name__,
    url_prefix="/imports",
    description="Imports of registry, tax and enforcement enterprise records",
)


@blp.route("")
class Imports(MethodView):
    @blp.arguments(ImportFormSchema, location="form")
    @blp.arguments(ImportFileSchema, location="files")
    @blp.response(201, BatchSchema)
    def post(self, form: dict[str, Any], files: dict[str, Any]) -> Any:
        """Import a CSV, XLSX or JSON Lines file as one batch (multipart/form-data)"""
        upload = uploaded_file(files)
        suffix = Path(upload.filename).suffix[:10]
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / f"upload{suffix}"
            upload.save(path)
            report = svc.import_file(
                db.session(),
                api_actor(),
                path,
                form["source"],
                filename=Path(upload.filename).name[:300],
                source_date=form.get("source_date"),
            )
        return svc.get_batch(db.session(), api_actor(), report.batch_id)


@blp.route("/<int(max=2147483647):batch_id>")
class BatchById(MethodView):
    @blp.response(200, BatchSchema)
    def get(self, batch_id: int) -> Any:
        """An import batch: provenance, status and counts"""
        return svc.get_batch(db.session(), api_actor(), batch_id)


@blp.route("/<int(max=2147483647):batch_id>/rejections")
class Rejections(MethodView):
    @blp.arguments(RejectionQueryArgs, location="query")
    @blp.response(200, page_of(RejectionSchema))
    def get(self, args: dict[str, Any], batch_id: int) -> Any:
        """The rejected rows of a batch, with their row numbers and reasons"""
        page = svc.batch_rejections(
            db.session(), api_actor(), batch_id, page=args["page"], per_page=args["per_page"]
        )
        return page_body(page)
