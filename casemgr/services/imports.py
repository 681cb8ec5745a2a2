"""Importing registry (工商), tax (税务) and enforcement-system enterprise records.

A file is read by ``linkage.readers`` (CSV in UTF-8 with or without BOM or GB18030, XLSX,
JSON Lines; English or Chinese headers), streamed in chunks. Every good row becomes a
:class:`SourceRecord` with its provenance (source, file, row, batch, source date) and its
normalised name keys; every bad row a :class:`RowRejection` naming its row, field and reason.

Nothing is ever half-imported. The batch row is committed first, as ``running``; all its
records are then written in one transaction that also marks the batch ``committed``. A file
that cannot be read (unknown encoding, missing column) marks the batch ``failed`` with the
reason and keeps no row; a crash or kill loses the open transaction, so the database holds the
``running`` batch and none of its rows, and :func:`recover_stale_batches` marks it
``rolled_back`` so it can be imported again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from casemgr.db import transaction, utcnow
from casemgr.exceptions import InvalidInput, NotFound
from casemgr.i18n import N_
from casemgr.models import (
    BatchStatus,
    ImportBatch,
    RecordSource,
    RowRejection,
    SourceRecord,
)
from casemgr.policy import Actor, Permission
from casemgr.repositories.common import Page, apply_sort, paginate
from casemgr.services.access import require
from linkage.readers import BadRow, ReadError, Row, open_records

# How long a batch may stay ``running`` before a recovery treats its writer as dead.
STALE_AFTER = timedelta(hours=6)
# Identifier column of each source (the record key).
_KEY = {
    RecordSource.REGISTRY: "uscc",
    RecordSource.TAX: "taxpayer_id",
    RecordSource.ENV: "record_id",
}


@dataclass
class ImportReport:
    """What an import did: the batch, counts and the first bad rows."""

    batch_id: int
    status: str
    rows_read: int = 0
    rows_imported: int = 0
    rows_rejected: int = 0
    rejections: list[RowRejection] = field(default_factory=list)
    error: str = ""


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _record(batch: ImportBatch, row: Row) -> dict[str, Any]:
    # Imported here, not at module level: the normaliser loads pypinyin's dictionaries (some
    # 190,000 objects), which web workers that never import should not carry.
    from linkage.normalize import parse_name

    f = row.fields
    source = batch.source
    parts = parse_name(f.get("name", ""))
    extra: dict[str, Any] = dict(row.extra)
    if row.shareholders:
        extra["shareholders"] = [{"name": s.name, "share": s.share} for s in row.shareholders]
    if row.branches:
        extra["branches"] = list(row.branches)
    if row.former_names:
        extra["former_names"] = list(row.former_names)
    if row.predecessors:
        extra["predecessors"] = list(row.predecessors)
    if row.warnings:
        extra["warnings"] = [
            {"field": w.field, "reason": str(w.reason), "params": dict(w.params)}
            for w in row.warnings
        ]
    reg_date = f.get("reg_date") or None
    return {
        "batch_id": batch.id,
        "source": source,
        "record_key": f[_KEY[source]],
        "row_number": row.number,
        "uscc": f.get("uscc", "") if source is not RecordSource.TAX else "",
        "name": f.get("name", "")[:200],
        "legal_rep": f.get("legal_rep", "")[:64],
        "address": f.get("address", "")[:300],
        "phone": f.get("phone", "")[:64],
        "reg_date": date.fromisoformat(reg_date) if reg_date else None,
        "status": f.get("status", "")[:32],
        "name_core": parts.core[:200],
        "pinyin_core": parts.pinyin_core[:400],
        "extra": extra,
    }


def _rejection(batch: ImportBatch, bad: BadRow) -> dict[str, Any]:
    return {
        "batch_id": batch.id,
        "row_number": bad.number,
        "field": bad.field or "",
        "reason": str(bad.reason),
        "params": {k: str(v) for k, v in bad.params.items()},
    }


def import_file(
    session: Session,
    actor: Actor,
    path: Path,
    source: RecordSource | str,
    *,
    filename: str | None = None,
    source_date: date | None = None,
    chunk_size: int = 5_000,
) -> ImportReport:
    """Import one file as one batch: all its good rows or none of them.

    Raises PermissionDenied, InvalidInput (unknown source). A file that cannot be read is no
    exception: the report says ``failed`` with the reason, the batch records it.
    """
    require(actor, Permission.WRITE_ENTERPRISES)
    try:
        source = RecordSource(source)
    except ValueError:
        raise InvalidInput.field(
            "source", N_("Choose registry, tax or env."), source=str(source)
        ) from None
    with transaction(session, actor=actor):
        batch = ImportBatch(
            source=source,
            filename=filename or path.name,
            sha256=file_sha256(path),
            file_format="",
            source_date=source_date,
            status=BatchStatus.RUNNING,
            created_by_id=actor.user_id or None,
        )
        session.add(batch)
    report = ImportReport(batch_id=batch.id, status=BatchStatus.RUNNING.value)
    try:
        records = open_records(path, source.value, chunk_size=chunk_size)
        with transaction(session, actor=actor):
            staged = session.get(ImportBatch, report.batch_id)
            assert staged is not None
            batch = staged
            batch.file_format = str(records.format)
            batch.encoding = records.encoding or ""
            for chunk in records.chunks():
                good = [_record(batch, item) for item in chunk if isinstance(item, Row)]
                bad = [_rejection(batch, item) for item in chunk if isinstance(item, BadRow)]
                if good:
                    session.execute(insert(SourceRecord), good)
                if bad:
                    session.execute(insert(RowRejection), bad)
                report.rows_read += len(chunk)
                report.rows_imported += len(good)
                report.rows_rejected += len(bad)
            batch.rows_read = report.rows_read
            batch.rows_imported = report.rows_imported
            batch.rows_rejected = report.rows_rejected
            batch.status = BatchStatus.COMMITTED
            batch.finished_at = utcnow()
        report.status = BatchStatus.COMMITTED.value
    except ReadError as exc:
        _fail(session, actor, report, exc.message)
    report.rejections = list(
        session.scalars(
            select(RowRejection)
            .where(RowRejection.batch_id == report.batch_id)
            .order_by(RowRejection.row_number)
            .limit(100)
        )
    )
    return report


def _fail(session: Session, actor: Actor, report: ImportReport, message: str) -> None:
    with transaction(session, actor=actor):
        batch = session.get(ImportBatch, report.batch_id)
        assert batch is not None
        batch.status = BatchStatus.FAILED
        batch.error = message
        batch.finished_at = utcnow()
    report.status = BatchStatus.FAILED.value
    report.error = message


def recover_stale_batches(session: Session, *, now: datetime | None = None) -> int:
    """Mark batches left ``running`` by a dead writer as ``rolled_back`` (their rows were never
    committed) so the file can be imported again. Returns how many."""
    cutoff = (now or utcnow()) - STALE_AFTER
    with transaction(session):
        result: Any = session.execute(
            update(ImportBatch)
            .where(ImportBatch.status == BatchStatus.RUNNING, ImportBatch.started_at < cutoff)
            .values(status=BatchStatus.ROLLED_BACK, finished_at=utcnow())
        )
    return int(result.rowcount or 0)


def get_batch(session: Session, actor: Actor, batch_id: int) -> ImportBatch:
    """Raises PermissionDenied, NotFound."""
    require(actor, Permission.READ_ENTERPRISES)
    batch = session.get(ImportBatch, batch_id)
    if batch is None:
        raise NotFound(kind="ImportBatch", key=batch_id)
    return batch


def batch_rejections(
    session: Session, actor: Actor, batch_id: int, *, page: int = 1, per_page: int = 50
) -> Page[RowRejection]:
    """The bad rows of a batch, by row number. Raises PermissionDenied, NotFound."""
    get_batch(session, actor, batch_id)
    stmt = select(RowRejection).where(RowRejection.batch_id == batch_id)
    stmt = apply_sort(
        stmt, None, {"row_number": RowRejection.row_number}, "row_number", RowRejection.id
    )
    return paginate(session, stmt, page=page, per_page=per_page)


def committed_records(session: Session, source: RecordSource) -> Iterable[SourceRecord]:
    """Records of committed batches only (a running or failed batch is never visible)."""
    return session.scalars(
        select(SourceRecord)
        .join(ImportBatch, ImportBatch.id == SourceRecord.batch_id)
        .where(SourceRecord.source == source, ImportBatch.status == BatchStatus.COMMITTED)
        .order_by(SourceRecord.id)
    )


def describe(report: ImportReport) -> Mapping[str, Any]:
    return {
        "batch_id": report.batch_id,
        "status": report.status,
        "rows_read": report.rows_read,
        "rows_imported": report.rows_imported,
        "rows_rejected": report.rows_rejected,
        "error": report.error,
    }
