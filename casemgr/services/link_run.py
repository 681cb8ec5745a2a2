"""Linking imported tax and enforcement records to the system's enterprises (数据库关联).

The database mode of issue 5: the same matcher as the file-to-file mode
(:class:`linkage.linker.Linker`: deterministic rules on USCC, legacy tax id and registration
number, then the Fellegi-Sunter model), with the system's enterprises as the registry and the
committed, still unlinked tax and enforcement :class:`SourceRecord` rows as the records. Each
decision becomes a :class:`LinkCandidate` through :func:`casemgr.services.linking.propose`:
a match is applied at once as a merge that can be undone, a review waits in the queue, a
non-match is kept as evidence (once per record and enterprise).

A run is one transaction: all its decisions or none. Records already waiting in the review
queue are left alone, and a pair a reviewer rejected is never proposed again.
"""

from __future__ import annotations

import math
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from casemgr.db import advisory_xact_lock, transaction
from casemgr.exceptions import InvalidInput, NotFound, PermissionDenied
from casemgr.i18n import N_
from casemgr.models import (
    AliasKind,
    BatchStatus,
    Decision,
    Enterprise,
    EnterpriseAlias,
    ImportBatch,
    LinkCandidate,
    RecordSource,
    ReviewState,
    SourceRecord,
)
from casemgr.policy import Actor, Permission
from casemgr.services.access import require
from casemgr.services.linking import propose

if TYPE_CHECKING:
    from linkage.linkdata import LinkConfig, LinkResult

__all__ = ["LinkRunReport", "link_records"]

# PostgreSQL advisory lock: one linking run at a time, so that two runs never propose the same
# record twice. (SQLite serialises writers by itself.)
LINK_RUN_LOCK_ID = 0x11A4
_LINKABLE = (RecordSource.TAX, RecordSource.ENV)
_DECISIONS = {"match": Decision.MATCH, "review": Decision.REVIEW, "non_match": Decision.NON_MATCH}


@dataclass
class LinkRunReport:
    """What a run did: records considered, and how each was decided."""

    batch_id: int | None = None
    enterprises: int = 0
    records: int = 0
    matched: int = 0
    review: int = 0
    non_match: int = 0
    no_candidate: int = 0
    already_rejected: int = 0
    rules: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def _finite(value: float) -> float:
    """JSON and the score column hold finite numbers: ±inf becomes ±1000 bits."""
    return value if math.isfinite(value) else math.copysign(1000.0, value)


def _evidence(result: LinkResult) -> dict[str, Any]:
    return {
        "source": result.source,
        "fields": [
            {
                "field": e.field,
                "level": e.level,
                "weight": round(_finite(e.weight), 3),
                "detail": e.detail,
            }
            for e in result.evidence
        ],  # fmt: skip
        "alternatives": [
            {"uscc": uscc, "weight": round(_finite(w), 3)} for uscc, w in result.alternatives
        ],
    }


def _rule(result: LinkResult) -> str:
    last = result.evidence[-1] if result.evidence else None
    return last.level if last is not None and last.field == "rule" else "model"


def _check_batch(session: Session, batch_id: int) -> None:
    batch = session.get(ImportBatch, batch_id)
    if batch is None:
        raise NotFound(kind="ImportBatch", key=batch_id)
    if batch.status is not BatchStatus.COMMITTED:
        raise InvalidInput.field("batch_id", N_("Only a committed import can be linked."))
    if batch.source not in _LINKABLE:
        raise InvalidInput.field(
            "batch_id",
            N_(
                "Registry records link by their USCC when the graph is built; link a tax or "
                "enforcement import."
            ),  # fmt: skip
        )


def _registry_rows(session: Session) -> Iterator[dict[str, str]]:
    """The system's enterprises as registry rows, with the phone of their latest registry
    record and their 15-digit registration number where known."""
    phones = dict(
        session.execute(
            select(SourceRecord.enterprise_id, SourceRecord.phone)
            .where(
                SourceRecord.source == RecordSource.REGISTRY,
                SourceRecord.enterprise_id.is_not(None),
                SourceRecord.phone != "",
            )
            .order_by(SourceRecord.id)
        ).all()
    )
    regnos = dict(
        session.execute(
            select(EnterpriseAlias.enterprise_id, EnterpriseAlias.value).where(
                EnterpriseAlias.kind == AliasKind.REGNO15
            )
        ).all()
    )
    rows = session.execute(
        select(
            Enterprise.id,
            Enterprise.uscc,
            Enterprise.name,
            Enterprise.legal_representative,
            Enterprise.address,
        ).order_by(Enterprise.id)
    )
    for eid, uscc, name, rep, address in rows:
        yield {
            "uscc": uscc,
            "name": name,
            "legal_rep": rep,
            "address": address,
            "phone": phones.get(eid, ""),
            "regno": regnos.get(eid, ""),
        }


def _pending_records(session: Session, batch_id: int | None) -> list[SourceRecord]:
    """Committed, unlinked tax and enforcement records not already waiting for a reviewer."""
    waiting = exists().where(
        LinkCandidate.record_id == SourceRecord.id, LinkCandidate.state == ReviewState.PENDING
    )
    stmt = (
        select(SourceRecord)
        .join(ImportBatch, ImportBatch.id == SourceRecord.batch_id)
        .where(
            ImportBatch.status == BatchStatus.COMMITTED,
            SourceRecord.source.in_(_LINKABLE),
            SourceRecord.enterprise_id.is_(None),
            ~waiting,
        )
        .order_by(SourceRecord.id)
    )
    if batch_id is not None:
        stmt = stmt.where(SourceRecord.batch_id == batch_id)
    found = list(session.scalars(stmt))
    # The linker returns tax results first, then env ones: the same order here.
    return [r for source in _LINKABLE for r in found if r.source is source]


def _record_row(record: SourceRecord) -> dict[str, str]:
    row = {"name": record.name, "legal_rep": record.legal_rep, "address": record.address,
           "phone": record.phone}  # fmt: skip
    if record.source is RecordSource.TAX:
        row["taxpayer_id"] = record.record_key
    else:
        row["record_id"] = record.record_key
        row["uscc"] = record.uscc
    return row


def _decided_pairs(session: Session, record_ids: list[int]) -> tuple[set[Any], set[Any]]:
    """(record, enterprise) pairs a reviewer rejected, and those already kept as non-matches."""
    rejected: set[Any] = set()
    kept: set[Any] = set()
    for start in range(0, len(record_ids), 5000):
        chunk = record_ids[start : start + 5000]
        for rid, eid, state, decision in session.execute(
            select(
                LinkCandidate.record_id,
                LinkCandidate.enterprise_id,
                LinkCandidate.state,
                LinkCandidate.decision,
            ).where(LinkCandidate.record_id.in_(chunk))
        ):
            if state is ReviewState.REJECTED:
                rejected.add((rid, eid))
            elif decision is Decision.NON_MATCH:
                kept.add((rid, eid))
    return rejected, kept


def link_records(
    session: Session,
    actor: Actor,
    *,
    batch_id: int | None = None,
    config: LinkConfig | None = None,
    progress: Callable[[str, int], None] | None = None,
) -> LinkRunReport:
    """Link the unlinked committed tax and enforcement records (of one batch, or all) to the
    enterprises, in one transaction.

    Raises PermissionDenied (the run touches records of the whole province: a province-wide
    user with the right to change enterprise records), NotFound (batch), InvalidInput (a
    batch that is not a committed tax or enforcement import).
    """
    from linkage.linkdata import LinkConfig as Config
    from linkage.linker import Linker  # keeps the normaliser out of web workers until used

    require(actor, Permission.WRITE_ENTERPRISES)
    if actor.counties is not None:
        raise PermissionDenied()
    started = time.monotonic()
    report = LinkRunReport(batch_id=batch_id)
    with transaction(session, actor=actor):
        advisory_xact_lock(session, LINK_RUN_LOCK_ID)
        if batch_id is not None:
            _check_batch(session, batch_id)
        records = _pending_records(session, batch_id)
        report.records = len(records)
        if not records:
            report.seconds = time.monotonic() - started
            return report
        by_uscc = dict(session.execute(select(Enterprise.uscc, Enterprise.id)).all())
        report.enterprises = len(by_uscc)
        with Linker(config or Config(workers=0), progress) as linker:
            linker.load_registry(_registry_rows(session))
            for source in _LINKABLE:
                linker.add_records(
                    source.value, (_record_row(r) for r in records if r.source is source)
                )
            results = list(linker.results())
        rejected, kept = _decided_pairs(session, [r.id for r in records])
        rules: Counter[str] = Counter()
        # Results come tax first, then env, each in input order: the order of `records`.
        for record, result in zip(records, results, strict=True):
            if result.uscc is None:
                report.no_candidate += 1
                continue
            enterprise_id = by_uscc[result.uscc]
            decision = _DECISIONS[result.decision.value]
            if (record.id, enterprise_id) in rejected:
                report.already_rejected += 1
                continue
            if decision is Decision.NON_MATCH:
                report.non_match += 1
                if (record.id, enterprise_id) in kept:
                    continue
            elif decision is Decision.MATCH:
                report.matched += 1
                rules[_rule(result)] += 1
            else:
                report.review += 1
            propose(
                session,
                record_id=record.id,
                enterprise_id=enterprise_id,
                rule=_rule(result),
                score=_finite(result.score),
                decision=decision,
                evidence=_evidence(result),
                actor=actor,
            )
        report.rules = dict(rules)
    report.seconds = time.monotonic() - started
    return report


def describe(report: LinkRunReport) -> Mapping[str, Any]:
    """The report as plain values (CLI and API)."""
    return {
        "batch_id": report.batch_id,
        "enterprises": report.enterprises,
        "records": report.records,
        "matched": report.matched,
        "review": report.review,
        "non_match": report.non_match,
        "no_candidate": report.no_candidate,
        "already_rejected": report.already_rejected,
        "rules": dict(report.rules),
        "seconds": round(report.seconds, 3),
    }
