"""The long operations the worker side runs (后台任务): an import of a stored upload, a linkage
run, a full credit rescoring, a credit export, the verification of a random draw (a re-run from
its frozen inputs). Each checks its parameters when submitted (so a bad request fails at once,
naming the field) and reports its progress while it runs."""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from casemgr.exceptions import InvalidInput
from casemgr.i18n import N_
from casemgr.policy import Actor, Permission
from casemgr.services import credit, credit_export, draws, imports, link_run
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


_TEXT = re.compile(r"^[^\x00-\x1f\ud800-\udfff]{1,200}$")  # printable, no lone surrogates
_CODE = re.compile(r"^[0-9A-Za-z_]{1,16}$")
_FILTERS = frozenset({"prefecture", "county", "tier", "industry"})


def _only(params: Mapping[str, Any], allowed: frozenset[str]) -> None:
    """Parameters are checked one by one and nothing else is stored: an unknown one is refused."""
    unknown = sorted(set(params) - allowed)
    if unknown:
        raise InvalidInput.field(
            f"params.{unknown[0]}"[:100],
            N_("Unknown parameter; this task takes: {allowed}."),
            allowed=", ".join(sorted(allowed)),
        )


def _id(params: Mapping[str, Any], name: str) -> int | None:
    value = params.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**31:
        raise InvalidInput.field(f"params.{name}", N_("Give an id (a positive number)."))
    return value


def _codes(value: Any, name: str) -> list[str]:
    items = value if isinstance(value, list) else [value]
    if not items or not all(isinstance(v, str) and _CODE.match(v) for v in items):
        raise InvalidInput.field(
            f"params.filters.{name}", N_("Give one code or a list of codes (letters, digits).")
        )
    return items


def _check_rescore(session: Session, actor: Actor, params: Mapping[str, Any]) -> dict[str, Any]:
    _only(params, frozenset({"as_of"}))
    day = _day(params, "as_of")
    return {"as_of": day.isoformat()} if day else {}


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
        workers=settings["CREDIT_RESCORE_WORKERS"],
        progress=lambda done, total: progress(done / total if total else 1.0, N_("Scoring")),
    )
    return {
        "scheme": report.scheme,
        "as_of": report.as_of.isoformat(),
        "enterprises": report.enterprises,
        "changed": report.changed,
        "tiers": report.tiers,
    }


def _check_export(session: Session, actor: Actor, params: Mapping[str, Any]) -> dict[str, Any]:
    _only(params, frozenset({"as_of", "format", "filters", "since_export_id", "recipients"}))
    day = _day(params, "as_of")
    if day is None:
        raise InvalidInput.field("params.as_of", N_("Give the day of the tier list."))
    if params.get("format", "csv") not in ("csv", "xlsx", "json"):
        raise InvalidInput.field("params.format", N_("Choose csv, xlsx or json."))
    filters = params.get("filters") or {}
    if not isinstance(filters, dict) or not set(filters) <= _FILTERS:
        raise InvalidInput.field(
            "params.filters", N_("Filter by prefecture, county, tier or industry.")
        )
    recipients = params.get("recipients") or []
    if not isinstance(recipients, list) or not all(
        isinstance(r, str) and _TEXT.match(r) for r in recipients
    ):
        raise InvalidInput.field("params.recipients", N_("Give the recipients as a list of names."))
    return {
        "as_of": day.isoformat(),
        "format": params.get("format", "csv"),
        "filters": {k: _codes(v, k) for k, v in filters.items()},
        "since_export_id": _id(params, "since_export_id"),
        "recipients": recipients,
    }


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


def _check_link(session: Session, actor: Actor, params: Mapping[str, Any]) -> dict[str, Any]:
    _only(params, frozenset({"batch_id"}))
    return {"batch_id": _id(params, "batch_id")}


# The stages the linker reports (``linkage.linker.Linker.progress``), in the order it passes
# them, as the step a task page shows and a rough share of the run done when each begins.
LINK_STAGES: Mapping[str, tuple[float, str]] = {
    "registry": (0.05, N_("Indexing the enterprise register")),
    "tax": (0.35, N_("Comparing the tax records")),
    "env": (0.55, N_("Comparing the enforcement records")),
    "model": (0.7, N_("Estimating the match weights")),
    "decide": (0.8, N_("Deciding each pair")),
}


def _link(
    session: Session,
    actor: Actor,
    params: Mapping[str, Any],
    progress: Progress,
    settings: Mapping[str, Any],
) -> dict[str, Any]:
    progress(0.0, N_("Matching the records"))

    def stage(name: str, count: int) -> None:
        fraction, message = LINK_STAGES.get(name, (0.5, N_("Matching the records")))
        progress(fraction, message)

    report = link_run.link_records(session, actor, batch_id=params.get("batch_id"), progress=stage)
    return dict(link_run.describe(report))


def _check_import(session: Session, actor: Actor, params: Mapping[str, Any]) -> dict[str, Any]:
    """The request stored the upload; its name is kept printable (it is shown in the batch)."""
    _only(params, frozenset({"stored_as", "source", "filename", "source_date"}))
    if params.get("source") not in ("registry", "tax", "env"):
        raise InvalidInput.field("source", N_("Choose registry, tax or env."))
    day = _day(params, "source_date")
    name = re.sub(r"[\x00-\x1f\ud800-\udfff]", "", str(params.get("filename") or ""))
    return {
        "stored_as": str(params["stored_as"]),
        "source": params["source"],
        "filename": name[:300] or "upload",
        "source_date": day.isoformat() if day else None,
    }


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


def _check_verify(session: Session, actor: Actor, params: Mapping[str, Any]) -> dict[str, Any]:
    """A draw the actor may see, already drawn (before that there is no result to compare)."""
    _only(params, frozenset({"draw_id"}))
    draw_id = _id(params, "draw_id")
    if draw_id is None:
        raise InvalidInput.field("params.draw_id", N_("Give an id (a positive number)."))
    draw = draws.get_draw(session, actor, draw_id)
    if draw.result_digest is None:
        raise InvalidInput.field(
            "params.draw_id",
            N_("Draw {id} is not drawn yet: there is no result to verify."),
            id=draw_id,
        )
    return {"draw_id": draw_id}


def _verify(
    session: Session,
    actor: Actor,
    params: Mapping[str, Any],
    progress: Progress,
    settings: Mapping[str, Any],
) -> dict[str, Any]:
    """Re-run a draw from its frozen inputs (双随机 verification) and keep the comparison: the
    draw page shows the latest one."""
    progress(0.0, N_("Re-running the draw from its frozen inputs"))
    outcome = draws.verify_draw(session, actor, int(params["draw_id"]))
    return {
        "draw_id": int(params["draw_id"]),
        "matches": outcome.matches,
        "inputs_match": outcome.inputs_match,
        "stored_digest": outcome.stored_digest,
        "recomputed_digest": outcome.recomputed_digest,
    }


register(TaskKind("credit_rescore", Permission.MANAGE_CREDIT, _rescore, _check_rescore))
register(TaskKind("credit_export", Permission.MANAGE_CREDIT, _export, _check_export))
register(TaskKind("link_run", Permission.WRITE_ENTERPRISES, _link, _check_link))
register(TaskKind("import", Permission.WRITE_ENTERPRISES, _import, _check_import))
# Anyone who may see a draw may verify it (as GET /api/v1/draws/<id>/verification).
register(TaskKind("draw_verify", Permission.READ_ENTERPRISES, _verify, _check_verify))
