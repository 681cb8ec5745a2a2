"""The long operations the worker side runs (后台任务): an import of a stored upload, a linkage
run, a full credit rescoring, a credit export. Each checks its parameters when submitted (so a
bad request fails at once, naming the field) and reports its progress while it runs."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from casemgr.exceptions import InvalidInput
from casemgr.i18n import N_
from casemgr.policy import Actor, Permission
from casemgr.services import credit, credit_export, imports, link_run
from casemgr.services.localtime import local_today
from casemgr.services.tasks import Progress, TaskKind, register

EXPORT_FOLDER = "exports"  # under the instance folder: the files credit_export tasks write


def _day(params: Mapping[str, Any], name: str) -> date | None:
    value = params.get(name)
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise InvalidInput.field(
            f"params.{name}", N_("'{value}' is not a date (YYYY-MM-DD)."), value=value
        ) from None


def _check_rescore(session: Session, actor: Actor, params: Mapping[str, Any]) -> None:
    _day(params, "as_of")


def _rescore(
    session: Session,
    actor: Actor,
    params: Mapping[str, Any],
    progress: Progress,
    settings: Mapping[str, Any],
) -> dict[str, Any]:
    scheme = credit.scheme_named(settings["CREDIT_SCHEME"])
    progress(0.0, N_("Reading the records"))
    report = credit.rescore(
        session,
        actor,
        scheme,
        as_of=_day(params, "as_of"),
        progress=lambda done, total: progress(done / total if total else 1.0, N_("Scoring")),
    )
    return {
        "scheme": report.scheme,
        "as_of": report.as_of.isoformat(),
        "enterprises": report.enterprises,
        "changed": report.changed,
        "tiers": report.tiers,
    }


def _check_export(session: Session, actor: Actor, params: Mapping[str, Any]) -> None:
    if _day(params, "as_of") is None:
        raise InvalidInput.field("params.as_of", N_("Give the day of the tier list."))
    if params.get("format", "csv") not in ("csv", "xlsx", "json"):
        raise InvalidInput.field("params.format", N_("Choose csv, xlsx or json."))


def _export(
    session: Session,
    actor: Actor,
    params: Mapping[str, Any],
    progress: Progress,
    settings: Mapping[str, Any],
) -> dict[str, Any]:
    scheme = credit.scheme_named(settings["CREDIT_SCHEME"])
    folder = Path(settings["INSTANCE_PATH"]) / EXPORT_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    file_format = str(params.get("format", "csv"))
    partial = folder / f"{uuid.uuid4().hex}.{file_format}.part"
    progress(0.0, N_("Writing the file"))
    with partial.open("wb") as out:
        export = credit_export.export_tiers(
            session,
            actor,
            scheme,
            as_of=_day(params, "as_of") or local_today(),
            file_format=file_format,
            filters=params.get("filters") or {},
            since_export_id=params.get("since_export_id"),
            recipients=params.get("recipients") or (),
            out=out,
        )
    name = f"credit-{export.id}.{file_format}"
    partial.replace(folder / name)
    return {"export_id": export.id, "file": name, "rows": export.rows, "sha256": export.sha256}


def _check_link(session: Session, actor: Actor, params: Mapping[str, Any]) -> None:
    batch = params.get("batch_id")
    if batch is not None and not isinstance(batch, int):
        raise InvalidInput.field("params.batch_id", N_("Give an import batch id (a number)."))


def _link(
    session: Session,
    actor: Actor,
    params: Mapping[str, Any],
    progress: Progress,
    settings: Mapping[str, Any],
) -> dict[str, Any]:
    progress(0.0, N_("Matching the records"))
    report = link_run.link_records(
        session,
        actor,
        batch_id=params.get("batch_id"),
        progress=lambda step, n: progress(0.5, step),
    )
    return dict(link_run.describe(report))


def _import(
    session: Session,
    actor: Actor,
    params: Mapping[str, Any],
    progress: Progress,
    settings: Mapping[str, Any],
) -> dict[str, Any]:
    path = Path(settings["UPLOAD_FOLDER"]) / "imports" / str(params["stored_as"])
    progress(0.0, N_("Reading the file"))
    try:
        report = imports.import_file(
            session,
            actor,
            path,
            str(params["source"]),
            filename=str(params.get("filename") or path.name),
            source_date=_day(params, "source_date"),
        )
    finally:
        path.unlink(missing_ok=True)
    return dict(imports.describe(report))


register(TaskKind("credit_rescore", Permission.MANAGE_CREDIT, _rescore, _check_rescore))
register(TaskKind("credit_export", Permission.MANAGE_CREDIT, _export, _check_export))
register(TaskKind("link_run", Permission.WRITE_ENTERPRISES, _link, _check_link))
register(TaskKind("import", Permission.WRITE_ENTERPRISES, _import))
