"""Queued long operations (后台任务): submit, follow their progress, fetch their result."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from flask import current_app, send_file
from flask.views import MethodView
from flask_smorest import Blueprint

from casemgr.api.common import page_body, uploaded_file
from casemgr.exceptions import NotFound
from casemgr.extensions import db
from casemgr.i18n import N_
from casemgr.models import TaskStatus
from casemgr.schemas.imports import ImportFileSchema, ImportFormSchema
from casemgr.schemas.tasks import TaskCreateSchema, TaskListArgs, TaskPageSchema, TaskSchema
from casemgr.security import api_actor
from casemgr.services import task_kinds
from casemgr.services import tasks as svc

blp = Blueprint("tasks", __name__, url_prefix="/tasks", description="Queued long operations")


def _location(task: Any) -> dict[str, str]:
    return {"Location": f"/api/v1/tasks/{task.id}"}


@blp.route("")
class Tasks(MethodView):
    @blp.arguments(TaskListArgs, location="query")
    @blp.response(200, TaskPageSchema)
    def get(self, args: dict[str, Any]) -> Any:
        """List your queued, running and finished tasks"""
        return page_body(
            svc.list_tasks(db.session(), api_actor(), page=args["page"], per_page=args["per_page"])
        )

    @blp.arguments(TaskCreateSchema)
    @blp.response(202, TaskSchema)
    def post(self, data: dict[str, Any]) -> Any:
        """Queue a full credit rescoring, a credit export or a linkage run; follow it at the
        Location header"""
        task = svc.submit(db.session(), api_actor(), data["kind"], data["params"])
        return task, _location(task)


@blp.route("/imports")
class QueuedImports(MethodView):
    @blp.arguments(ImportFormSchema, location="form")
    @blp.arguments(ImportFileSchema, location="files")
    @blp.response(202, TaskSchema)
    def post(self, form: dict[str, Any], files: dict[str, Any]) -> Any:
        """Queue the import of a CSV, XLSX or JSON Lines file (multipart/form-data)"""
        upload = uploaded_file(files)
        folder = Path(current_app.config["UPLOAD_FOLDER"]) / "imports"
        folder.mkdir(parents=True, exist_ok=True)
        stored = f"{uuid.uuid4().hex}{Path(upload.filename).suffix[:10]}"
        upload.save(folder / stored)
        params = {
            "stored_as": stored,
            "source": form["source"],
            "filename": Path(upload.filename).name[:300],
            "source_date": form["source_date"].isoformat() if form.get("source_date") else None,
        }
        try:
            task = svc.submit(db.session(), api_actor(), "import", params)
        except Exception:
            (folder / stored).unlink(missing_ok=True)
            raise
        return task, _location(task)


@blp.route("/<int(max=2147483647):task_id>")
class TaskById(MethodView):
    @blp.response(200, TaskSchema)
    def get(self, task_id: int) -> Any:
        """A task: its status, progress and step, and its result or error"""
        return svc.get_task(db.session(), api_actor(), task_id)


@blp.route("/<int(max=2147483647):task_id>/cancel")
class TaskCancel(MethodView):
    @blp.response(200, TaskSchema)
    def post(self, task_id: int) -> Any:
        """Cancel a task no worker has started yet"""
        return svc.cancel(db.session(), api_actor(), task_id)


_BINARY = {"type": "string", "format": "binary"}


@blp.route("/<int(max=2147483647):task_id>/file")
class TaskFile(MethodView):
    @blp.response(200, _BINARY, content_type="application/octet-stream")
    def get(self, task_id: int) -> Any:
        """The file a finished export task wrote"""
        task = svc.get_task(db.session(), api_actor(), task_id)
        name = (task.result or {}).get("file") if task.status is TaskStatus.DONE else None
        path = Path(current_app.config["INSTANCE_PATH"]) / task_kinds.EXPORT_FOLDER / str(name)
        if not name or not path.is_file():
            raise NotFound(kind=N_("Task file"), key=task_id)
        return send_file(
            path, mimetype="application/octet-stream", as_attachment=True, download_name=str(name)
        )
