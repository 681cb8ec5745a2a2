"""Pages: long operations (后台任务) -- the task list, the forms that queue an operation, a task's
progress and outcome, and the download of the file an export wrote.

A form never runs the operation in the request: ``services.tasks.submit`` checks the parameters
with the same checks as the API (each kind's ``check``) and queues a task. A worker (``casemgr
worker run`` or the scheduler's ``run_tasks`` job) runs it and writes its progress into the
database, so the progress bar survives a reload and a restart of the web server.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from flask import (
    Blueprint,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext
from flask_login import login_required
from marshmallow import ValidationError

from casemgr.errors import _tr, _tr_errors
from casemgr.exceptions import InvalidInput, NotFound, PermissionDenied
from casemgr.extensions import db
from casemgr.i18n import N_
from casemgr.models import DivisionLevel, Task, TaskStatus
from casemgr.policy import Actor, Permission
from casemgr.schemas.imports import ImportFormSchema
from casemgr.schemas.tasks import TaskCreateSchema
from casemgr.security import page_actor
from casemgr.services import credit, task_kinds, tasks, territories
from casemgr.services.credit_export import ABNORMAL
from casemgr.services.localtime import LOCAL, local_today
from casemgr.web.forms import FormState, attempt, submitted
from casemgr.web.legal import scheme_text

bp = Blueprint("tasks_pages", __name__)

PER_PAGE = 20
MAX_PAGE = 100_000
FINISHED = frozenset({TaskStatus.DONE, TaskStatus.FAILED, TaskStatus.CANCELLED})
STEP_SHOWN = frozenset({TaskStatus.RUNNING, TaskStatus.FAILED})

STATUS_LABELS = {
    TaskStatus.QUEUED: N_("Queued"),
    TaskStatus.RUNNING: N_("Running"),
    TaskStatus.DONE: N_("Done"),
    TaskStatus.FAILED: N_("Failed"),
    TaskStatus.CANCELLED: N_("Cancelled"),
}
STATUS_BADGES = {
    TaskStatus.QUEUED: "",
    TaskStatus.RUNNING: "amber",
    TaskStatus.DONE: "green",
    TaskStatus.FAILED: "red",
    TaskStatus.CANCELLED: "",
}
KIND_LABELS = {
    "credit_export": N_("Credit tier list export"),
    "credit_rescore": N_("Full credit rescoring"),
    "link_run": N_("Record linkage run"),
    "import": N_("Import of enterprise records"),
    "draw_verify": N_("Verification of a random draw"),
}
# The import sources of services/imports.py (models.RecordSource).
SOURCE_LABELS = {
    "registry": N_("Business registry (market regulation)"),
    "tax": N_("Tax registration"),
    "env": N_("Environmental enforcement system"),
}
FORMAT_LABELS = {"xlsx": N_("XLSX (Excel)"), "csv": N_("CSV (UTF-8 with BOM)"), "json": N_("JSON")}
PARAM_LABELS = {
    "as_of": N_("As of"),
    "format": N_("File format"),
    "filters": N_("Filters"),
    "prefecture": N_("Prefecture"),
    "county": N_("County"),
    "tier": N_("Credit tier"),
    "industry": N_("Industry"),
    "since_export_id": N_("Only changes since export"),
    "recipients": N_("Recipients"),
    "batch_id": N_("Import batch"),
    "source": N_("Data source"),
    "filename": N_("File name"),
    "source_date": N_("Source date"),
    "draw_id": N_("Draw"),
}
HIDDEN_PARAMS = frozenset({"stored_as"})
RESULT_LABELS = {
    "export_id": N_("Export number"),
    "rows": N_("Rows"),
    "sha256": N_("SHA-256"),
    "scheme": N_("Scoring scheme"),
    "as_of": N_("As of"),
    "enterprises": N_("Enterprises"),
    "changed": N_("Tiers changed"),
    "tiers": N_("Enterprises per tier"),
    "batch_id": N_("Import batch"),
    "status": N_("Batch status"),
    "rows_read": N_("Rows read"),
    "rows_imported": N_("Rows imported"),
    "rows_rejected": N_("Rows rejected"),
    "error": N_("Error"),
    "records": N_("Records"),
    "matched": N_("Matched"),
    "review": N_("Sent to review"),
    "non_match": N_("No match"),
    "no_candidate": N_("No candidate"),
    "already_rejected": N_("Already rejected"),
    "rules": N_("Matches by rule"),
    "seconds": N_("Seconds"),
    "draw_id": N_("Draw"),
    "matches": N_("Result matches"),
    "inputs_match": N_("Inputs match"),
    "stored_digest": N_("Stored digest"),
    "recomputed_digest": N_("Recomputed digest"),
}
HIDDEN_RESULTS = frozenset({"file", "failure"})

_EXPORT_FILE = re.compile(r"credit-(?P<id>[0-9]{1,12})\.(?P<fmt>csv|xlsx|json)")
_MIMETYPES = {
    "csv": "text/csv",  # Flask adds "; charset=utf-8" to text types
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}
_SPLIT = re.compile(r"[\s,，、;；]+")


# --- Helpers ---------------------------------------------------------------------------------


def local_time(value: datetime | None) -> str:
    """A stored UTC time in Guizhou local time (Asia/Shanghai), to the second."""
    return value.astimezone(LOCAL).strftime("%Y-%m-%d %H:%M:%S") if value else ""


def allowed_forms(actor: Actor) -> dict[str, bool]:
    """Which queueing forms the actor may use: the kind's permission (services.task_kinds)."""
    specs = tasks.kinds()
    allowed = {name: name in specs and actor.can(specs[name].permission) for name in KIND_LABELS}
    # A linkage run touches every record of the province: link_run.link_records refuses a user
    # with a local jurisdiction, so the form is not offered to one.
    allowed["link_run"] = allowed["link_run"] and actor.province_wide
    return allowed


def _require_form(actor: Actor, kind: str) -> None:
    if not allowed_forms(actor)[kind]:
        raise PermissionDenied()


def _number_or_text(value: str | None) -> int | str | None:
    """An id typed in a form: a number when it reads as one, else the text itself, so that
    the kind's check refuses it naming the field."""
    if not value:
        return None
    return int(value) if value.isdigit() and len(value) <= 12 else value


def _fields_of(state: FormState, names: Iterable[str]) -> None:
    """The API names a parameter ``params.as_of`` or ``params.filters.county``; the form field
    is ``as_of`` or ``county``. Errors of anything the form has no field for go to the form."""
    known = set(names)
    out: dict[str, list[str]] = {}
    for name, messages in state.errors.items():
        field = name.removeprefix("params.").removeprefix("filters.")
        out.setdefault(field if field in known else "_form", []).extend(messages)
    state.errors = out


def _queue(actor: Actor, kind: str, params: Mapping[str, Any]) -> Task:
    """Queue through the API's own schema and service (the kind checks its parameters)."""
    data = TaskCreateSchema().load({"kind": kind, "params": dict(params)})
    return tasks.submit(db.session(), actor, data["kind"], data["params"])


def _queued(task: Task) -> Any:
    flash(
        gettext(
            "Task %(id)s queued: %(kind)s. It runs in the background; this page follows it.",
            id=task.id,
            kind=gettext(KIND_LABELS.get(task.kind, task.kind)),
        ),
        "success",
    )
    return redirect(url_for(".show", task_id=task.id))


def _form_page(
    kind: str,
    template: str,
    fields: tuple[str, ...],
    defaults: Mapping[str, Any],
    build: Callable[[Actor, dict[str, Any]], Task],
    lists: tuple[str, ...] = (),
    **context: Any,
) -> Any:
    """GET shows the form; POST queues the task or re-renders the form with the errors."""
    actor = page_actor()
    _require_form(actor, kind)
    state = FormState(values=dict(defaults))
    if request.method == "POST":
        data = submitted(fields, lists=lists)
        state.values = data
        task = attempt(lambda: build(actor, data), state)
        if task is not None:
            return _queued(task)
        _fields_of(state, fields)
    return (
        render_template(template, state=state, kind=kind, actor=actor, **context),
        state.status,
    )


# --- The list --------------------------------------------------------------------------------


@bp.get("/tasks")
@login_required
def index() -> Any:
    """List my long operations (administrators: everyone's), newest first."""
    actor = page_actor()
    session = db.session()
    everyone = request.args.get("all") == "1" and actor.can(Permission.MANAGE_USERS)
    number = min(MAX_PAGE, max(1, request.args.get("page", 1, type=int) or 1))
    page = tasks.list_tasks(session, actor, page=number, per_page=PER_PAGE, everyone=everyone)
    return render_template(
        "tasks/index.html",
        page=page,
        everyone=everyone,
        may_see_all=actor.can(Permission.MANAGE_USERS),
        names=tasks.submitter_names(session, page.items) if everyone else {},
        forms=allowed_forms(actor),
        args={"all": "1"} if everyone else {},
        finished=FINISHED,
    )


# --- The forms -------------------------------------------------------------------------------

EXPORT_FIELDS = (
    "as_of",
    "format",
    "prefecture",
    "county",
    "tier",
    "industry",
    "since_export_id",
    "recipients",
)


def _export_task(actor: Actor, data: dict[str, Any]) -> Task:
    filters: dict[str, Any] = {k: data[k] for k in ("prefecture", "county", "tier") if k in data}
    industry = [v for v in _SPLIT.split(data.get("industry", "")) if v]
    if industry:
        filters["industry"] = industry
    if not actor.province_wide and not {"prefecture", "county"} & set(filters):
        # Nothing chosen means the whole of the user's jurisdiction (an export outside it is
        # refused: credit_export._check_scope).
        filters["county"] = sorted(actor.counties or ())
    params = {
        "as_of": data.get("as_of"),
        "format": data.get("format", "csv"),
        "filters": filters,
        "recipients": [line.strip() for line in data.get("recipients", "").splitlines()],
    }
    params["recipients"] = [r for r in params["recipients"] if r]
    since = _number_or_text(data.get("since_export_id"))
    if since is not None:
        params["since_export_id"] = since
    return _queue(actor, "credit_export", params)


def _areas(actor: Actor) -> tuple[list[tuple[str, str]], list[tuple[str, list[tuple[str, str]]]]]:
    """Prefectures wholly in the actor's jurisdiction, and its counties grouped by prefecture."""
    session = db.session()
    prefectures = territories.list_divisions(session, actor, level=DivisionLevel.PREFECTURE)
    counties = territories.list_divisions(session, actor, level=DivisionLevel.COUNTY)
    by_parent: dict[str, list[tuple[str, str]]] = {}
    whole: dict[str, bool] = {}
    for county in counties:
        inside = actor.covers(county.code)
        whole[county.parent_code or ""] = whole.get(county.parent_code or "", True) and inside
        if inside:
            by_parent.setdefault(county.parent_code or "", []).append((county.code, county.name))
    return (
        [(p.code, p.name) for p in prefectures if whole.get(p.code)],
        [(p.name, by_parent[p.code]) for p in prefectures if p.code in by_parent],
    )


def _tier_options() -> list[tuple[str, str]]:
    scheme = credit.scheme_named(current_app.config["CREDIT_SCHEME"])
    options = [
        (rule.tier.value, f"{scheme_text(rule, 'name')} ({rule.tier.value})")
        for rule in scheme.tiers
    ]
    return [*options, (ABNORMAL, gettext("Not rateable (abnormal)"))]


@bp.route("/tasks/new/credit-export", methods=["GET", "POST"])
@login_required
def new_credit_export() -> Any:
    """Queue an export of the credit tier list (信用评价结果导出) to XLSX, CSV or JSON."""
    prefectures, counties = _areas(page_actor())
    return _form_page(
        "credit_export",
        "tasks/new_credit_export.html",
        EXPORT_FIELDS,
        {"as_of": local_today().isoformat(), "format": "xlsx"},
        _export_task,
        lists=("prefecture", "county", "tier"),
        prefectures=prefectures,
        counties=counties,
        tiers=_tier_options(),
        formats=[(k, gettext(v)) for k, v in FORMAT_LABELS.items()],
    )


@bp.route("/tasks/new/credit-rescore", methods=["GET", "POST"])
@login_required
def new_credit_rescore() -> Any:
    """Queue a full credit rescoring (全量信用评价) of every enterprise."""

    def build(actor: Actor, data: dict[str, Any]) -> Task:
        return _queue(actor, "credit_rescore", {"as_of": data["as_of"]} if "as_of" in data else {})

    return _form_page(
        "credit_rescore",
        "tasks/new_credit_rescore.html",
        ("as_of",),
        {},
        build,
        scheme=current_app.config["CREDIT_SCHEME"],
    )


@bp.route("/tasks/new/link-run", methods=["GET", "POST"])
@login_required
def new_link_run() -> Any:
    """Queue a record linkage run (数据关联) of the unlinked tax and enforcement records."""

    def build(actor: Actor, data: dict[str, Any]) -> Task:
        return _queue(actor, "link_run", {"batch_id": _number_or_text(data.get("batch_id"))})

    return _form_page("link_run", "tasks/new_link_run.html", ("batch_id",), {}, build)


IMPORT_FIELDS = ("source", "source_date")


def _import_task(actor: Actor, data: dict[str, Any]) -> Task:
    """Store the upload where the worker reads it and queue its import (as the API does)."""
    errors: dict[str, Any] = {}
    try:
        form = ImportFormSchema().load(data)
    except ValidationError as exc:
        messages = exc.messages
        errors = dict(messages) if isinstance(messages, dict) else {"_schema": messages}
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        errors["file"] = [N_("Choose the file to import.")]
    if errors:
        raise InvalidInput(errors=errors)
    assert upload is not None and upload.filename
    folder = Path(current_app.config["UPLOAD_FOLDER"]) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    stored = f"{uuid.uuid4().hex}{Path(upload.filename).suffix[:10]}"
    upload.save(folder / stored)
    params = {
        "stored_as": stored,
        "source": form["source"].value,
        "filename": Path(upload.filename).name[:300],
        "source_date": form["source_date"].isoformat() if form.get("source_date") else None,
    }
    try:
        return tasks.submit(db.session(), actor, "import", params)
    except Exception:
        (folder / stored).unlink(missing_ok=True)
        raise


@bp.route("/tasks/new/import", methods=["GET", "POST"])
@login_required
def new_import() -> Any:
    """Queue the import of a registry, tax or enforcement file (CSV, XLSX, JSON Lines)."""
    return _form_page(
        "import",
        "tasks/new_import.html",
        (*IMPORT_FIELDS, "file"),
        {},
        _import_task,
        sources=[(k, gettext(v)) for k, v in SOURCE_LABELS.items()],
    )


# --- One task --------------------------------------------------------------------------------


def _progress_of(task: Task) -> dict[str, Any]:
    """What the progress bar shows: the same for the page and the status JSON."""
    return {
        "id": task.id,
        "status": task.status.value,
        "status_label": gettext(STATUS_LABELS[task.status]),
        "badge": STATUS_BADGES[task.status],
        "progress": round(float(task.progress or 0.0), 4),
        "percent": int(round(100 * float(task.progress or 0.0))),
        # The step a finished task was at is history, except where it failed.
        "step": gettext(task.step) if task.step and task.status in STEP_SHOWN else "",
        "attempts": task.attempts,
        "finished": task.status in FINISHED,
        "cancellable": task.status is TaskStatus.QUEUED,
    }


def _outcome_of(task: Task, actor: Actor) -> dict[str, Any]:
    """What a finished task left: its result (counts, the file) or its error, translated."""
    result = dict(task.result or {})
    failure = result.get("failure")
    message, field_errors, detail = "", {}, ""
    if task.status is TaskStatus.FAILED:
        if isinstance(failure, dict):
            params = dict(failure.get("params") or {})
            message = _tr(str(failure.get("message") or ""), params)
            field_errors = _tr_errors(failure.get("errors") or {}, params)
        else:
            message = (task.error or "").partition("\n\n")[0]
        if actor.can(Permission.MANAGE_USERS):
            detail = (task.error or "").partition("\n\n")[2]
    download = None
    if task.status is TaskStatus.DONE and _EXPORT_FILE.fullmatch(str(result.get("file", ""))):
        download = url_for(".download", task_id=task.id)
    tier_names = {}
    if isinstance(result.get("tiers"), dict):
        scheme = credit.scheme_named(current_app.config["CREDIT_SCHEME"])
        tier_names = {rule.tier.value: scheme_text(rule, "name") for rule in scheme.tiers}
    review = None
    if task.kind == "link_run" and "linking_pages.review_queue" in current_app.view_functions:
        review = url_for("linking_pages.review_queue")
    return {
        "task": task,
        "result": {k: v for k, v in result.items() if k not in HIDDEN_RESULTS},
        "failure_message": message,
        "failure_errors": field_errors,
        "failure_detail": detail,
        "download": download,
        "tier_names": tier_names,
        "review_url": review,
    }


def _shown_params(task: Task) -> list[tuple[str, str]]:
    """The stored parameters as (label msgid, text) pairs; filters one line each."""
    rows: list[tuple[str, str]] = []

    def text(name: str, value: Any) -> str:
        if isinstance(value, list):
            return "、".join(str(v) for v in value)
        if name == "source" and value in SOURCE_LABELS:
            return str(gettext(SOURCE_LABELS[value]))
        if name == "format" and value in FORMAT_LABELS:
            return str(gettext(FORMAT_LABELS[value]))
        return str(value)

    for name, value in (task.params or {}).items():
        if name in HIDDEN_PARAMS or value in (None, "", [], {}):
            continue
        if name == "filters" and isinstance(value, dict):
            rows.extend(
                (PARAM_LABELS.get(str(k), str(k)), text(str(k), v)) for k, v in value.items()
            )
            continue
        rows.append((PARAM_LABELS.get(name, name), text(name, value)))
    return rows


@bp.get("/tasks/<int(max=2147483647):task_id>")
@login_required
def show(task_id: int) -> Any:
    """Show a task: its progress bar, its parameters and, when it has finished, its outcome."""
    actor = page_actor()
    task = tasks.get_task(db.session(), actor, task_id)
    return render_template(
        "tasks/show.html",
        live=_progress_of(task),
        params=_shown_params(task),
        submitter=tasks.submitter_names(db.session(), [task]).get(task.created_by_id, ""),
        **_outcome_of(task, actor),
    )


@bp.get("/tasks/<int(max=2147483647):task_id>/status")
@login_required
def status(task_id: int) -> Any:
    """Report a task's progress as JSON (polled by progress.js); its outcome once finished."""
    actor = page_actor()
    task = tasks.get_task(db.session(), actor, task_id)
    body = _progress_of(task)
    body["finished_at"] = local_time(task.finished_at)
    body["started_at"] = local_time(task.started_at)
    if body["finished"]:
        body["html"] = render_template("tasks/_outcome.html", **_outcome_of(task, actor))
    response = jsonify(body)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/tasks/<int(max=2147483647):task_id>/cancel")
@login_required
def cancel(task_id: int) -> Any:
    """Cancel a task that no worker has started yet."""
    actor = page_actor()
    tasks.get_task(db.session(), actor, task_id)  # someone else's task: 404, not a message
    state = FormState()
    if attempt(lambda: tasks.cancel(db.session(), actor, task_id), state) is None:
        flash(state.message or "", "error")
    else:
        flash(gettext("Task %(id)s cancelled.", id=task_id), "success")
    return redirect(url_for(".show", task_id=task_id))


@bp.get("/tasks/<int(max=2147483647):task_id>/download")
@login_required
def download(task_id: int) -> Any:
    """Download the file a finished export task wrote."""
    task = tasks.get_task(db.session(), page_actor(), task_id)
    name = str((task.result or {}).get("file") or "") if task.status is TaskStatus.DONE else ""
    match = _EXPORT_FILE.fullmatch(name)
    path = Path(current_app.config["INSTANCE_PATH"]) / task_kinds.EXPORT_FOLDER / name
    if match is None or not path.is_file():
        raise NotFound(kind=N_("Task file"), key=task_id)
    fmt = match.group("fmt")
    as_of = str((task.params or {}).get("as_of") or "")
    stem = f"credit-{as_of}-{match.group('id')}" if re.fullmatch(r"[0-9-]{10}", as_of) else name
    return send_file(
        path,
        mimetype=_MIMETYPES[fmt],
        as_attachment=True,
        download_name=f"{stem.removesuffix('.' + fmt)}.{fmt}",
        max_age=0,
    )


@bp.context_processor
def _helpers() -> dict[str, Any]:
    return {
        "local_time": local_time,
        "status_labels": STATUS_LABELS,
        "status_badges": STATUS_BADGES,
        "kind_labels": KIND_LABELS,
        "param_labels": PARAM_LABELS,
        "result_labels": RESULT_LABELS,
    }
