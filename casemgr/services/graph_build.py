"""Building the enterprise graph (企业关联图谱) from committed registry records.

The graph is a projection of each enterprise's *current* registry record (the latest committed
one linked to it, by the batch's source date) onto ``graph_nodes`` and ``graph_edges``; who is
who is decided in :mod:`casemgr.services.graph_records`. Each edge names the record field that
asserted it in ``source`` (``registry:legal_rep``, ``registry:shareholders``,
``registry:branches``, ``registry:name``, ``registry:predecessors``, ``registry:address``,
``registry:phone``), the batch
that first showed it, and ``valid_from`` (that export's date). The field also fixes the edge's
*owner*, the enterprise whose record asserts it: the ``dst`` for legal representatives,
shareholders and listed branches, the ``src`` for a branch named as such, a predecessor (the
successor's record lists it), an address, a phone.

A build synchronises the owners' open edges with what their current records assert, so
re-running it changes nothing. An edge that a newer export no longer shows is closed
(``valid_to`` = that export's date): the relation ended. An edge that the same export no longer
yields (the record was unlinked, a rule changed) is deleted: it was never true as stored.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import and_, exists, func, insert, or_, select, update
from sqlalchemy.orm import Session

from casemgr.db import advisory_xact_lock, transaction
from casemgr.exceptions import InvalidInput, NotFound
from casemgr.i18n import N_
from casemgr.models import (
    BatchStatus,
    EdgeKind,
    Enterprise,
    GraphEdge,
    GraphNode,
    ImportBatch,
    LinkCandidate,
    NodeKind,
    RecordSource,
    ReviewState,
    SourceRecord,
)
from casemgr.policy import Actor, Permission
from casemgr.repositories.graph import chunks, is_open, nodes_by_key
from casemgr.services.access import require
from casemgr.services.graph_records import (
    Claims,
    Current,
    Names,
    addresses_and_phones,
    current_records,
    persons_and_enterprises,
)
from linkage.graph import DEFAULT_HUB_CAP

ENT = NodeKind.ENTERPRISE.value
OWNED_BY_DST = ("registry:legal_rep", "registry:shareholders", "registry:branches")
OWNED_BY_SRC = ("registry:name", "registry:predecessors", "registry:address", "registry:phone")
# PostgreSQL advisory lock held by each transaction of a build: two builds at once (two
# operators, a scheduled one) take turns chunk by chunk, and each chunk reads what the other
# committed, so no edge is written twice.
GRAPH_LOCK_ID = 0x6A4F
# Phase 1 writes addresses and phones, so that phase 2 knows which phones are hubs.
PHASES = (
    ("registry:address", "registry:phone"),
    (
        "registry:legal_rep",
        "registry:shareholders",
        "registry:branches",
        "registry:name",
        "registry:predecessors",
    ),
)
# An edge as compared: kind, src kind, src id, dst kind, dst id, source, share.
EdgeKey = tuple[str, str, int, str, int, str, float | None]


@dataclass
class BuildReport:
    """What a build did."""

    linked_by_uscc: int = 0
    enterprises: int = 0
    nodes_created: int = 0
    edges_added: int = 0
    edges_closed: int = 0
    edges_deleted: int = 0
    unresolved_shareholders: int = 0
    ambiguous_names: int = 0


def link_by_uscc(session: Session, batch_id: int | None) -> int:
    """Link unlinked committed registry records to the enterprise bearing their USCC, unless a
    reviewer rejected that pair. Returns how many."""
    batches = select(ImportBatch.id).where(ImportBatch.status == BatchStatus.COMMITTED)
    if batch_id is not None:
        batches = batches.where(ImportBatch.id == batch_id)
    owner = select(Enterprise.id).where(Enterprise.uscc == SourceRecord.uscc)
    rejected = select(LinkCandidate.id).where(
        LinkCandidate.record_id == SourceRecord.id,
        LinkCandidate.state == ReviewState.REJECTED,
        LinkCandidate.enterprise_id == owner.scalar_subquery(),
    )
    stmt = (
        update(SourceRecord)
        .where(
            SourceRecord.source == RecordSource.REGISTRY,
            SourceRecord.enterprise_id.is_(None),
            SourceRecord.uscc != "",
            SourceRecord.batch_id.in_(batches),
            exists(owner),
            ~exists(rejected),
        )
        .values(enterprise_id=owner.scalar_subquery(), link_score=1.0)
        .execution_options(synchronize_session=False)
    )
    result: Any = session.execute(stmt)
    return int(result.rowcount or 0)


def _owners(session: Session, batch_id: int | None, today: date) -> list[int]:
    """Enterprises to synchronise: those with a linked record (of the batch), and those owning
    open record-derived edges (of the batch)."""
    records = (
        select(SourceRecord.enterprise_id)
        .distinct()
        .join(ImportBatch, ImportBatch.id == SourceRecord.batch_id)
        .where(
            SourceRecord.source == RecordSource.REGISTRY,
            SourceRecord.enterprise_id.is_not(None),
            ImportBatch.status == BatchStatus.COMMITTED,
        )
    )
    by_dst = (
        select(GraphEdge.dst_id)
        .distinct()
        .where(GraphEdge.dst_kind == ENT, GraphEdge.source.in_(OWNED_BY_DST), is_open(today))
    )
    by_src = (
        select(GraphEdge.src_id)
        .distinct()
        .where(GraphEdge.src_kind == ENT, GraphEdge.source.in_(OWNED_BY_SRC), is_open(today))
    )
    if batch_id is not None:
        records = records.where(SourceRecord.batch_id == batch_id)
        by_dst = by_dst.where(GraphEdge.batch_id == batch_id)
        by_src = by_src.where(GraphEdge.batch_id == batch_id)
    ids: set[int] = set()
    for stmt in (records, by_dst, by_src):
        ids.update(session.scalars(stmt))
    return sorted(ids)


def _ensure_nodes(
    session: Session, claims: Claims, report: BuildReport
) -> dict[tuple[str, str], int]:
    """Node ids by (kind, key), creating the missing nodes."""
    ids: dict[tuple[str, str], int] = {}
    for kind in NodeKind:
        keys = {key for (k, key) in claims.labels if k == kind.value}
        if not keys:
            continue
        known = nodes_by_key(session, kind, keys)
        if missing := sorted(keys - set(known)):
            rows = [
                {"kind": kind, "key": key, "label": claims.labels[(kind.value, key)], "degree": 0}
                for key in missing
            ]
            session.execute(insert(GraphNode), rows)
            report.nodes_created += len(missing)
            known = nodes_by_key(session, kind, keys)
        ids.update(((kind.value, key), node.id) for key, node in known.items())
    return ids


def _existing(session: Session, owners: list[int], sources: tuple[str, ...], today: date) -> Any:
    dst = [s for s in sources if s in OWNED_BY_DST]
    src = [s for s in sources if s in OWNED_BY_SRC]
    by_dst = and_(
        GraphEdge.dst_kind == ENT, GraphEdge.dst_id.in_(owners), GraphEdge.source.in_(dst)
    )
    by_src = and_(
        GraphEdge.src_kind == ENT, GraphEdge.src_id.in_(owners), GraphEdge.source.in_(src)
    )
    stmt = select(GraphEdge).where(is_open(today), or_(by_dst, by_src)).order_by(GraphEdge.id)
    return session.scalars(stmt).all()


def _edge_key(e: GraphEdge) -> EdgeKey:
    share = None if e.share is None else round(e.share, 6)
    return (e.kind.value, e.src_kind.value, e.src_id, e.dst_kind.value, e.dst_id, e.source, share)


def _connectors(*ends: tuple[str, int]) -> set[int]:
    return {node_id for kind, node_id in ends if kind != ENT}


def _sync(
    session: Session,
    owners: list[int],
    current: Mapping[int, Current],
    claims: Claims,
    sources: tuple[str, ...],
    today: date,
    report: BuildReport,
) -> set[int]:
    """Make the owners' open edges of these sources equal what their records claim; returns
    the connector nodes whose degree may have changed."""
    node_ids = _ensure_nodes(session, claims, report)
    wanted: dict[EdgeKey, int] = {}
    for c in claims.edges:
        src = (c.src[0], c.src[1] if c.src[0] == ENT else node_ids[(c.src[0], str(c.src[1]))])
        dst = (c.dst[0], c.dst[1] if c.dst[0] == ENT else node_ids[(c.dst[0], str(c.dst[1]))])
        key: EdgeKey = (c.kind, src[0], int(src[1]), dst[0], int(dst[1]), c.source, c.share)
        wanted[key] = c.owner
    touched: set[int] = set()
    kept: set[EdgeKey] = set()
    for edge in _existing(session, owners, sources, today):
        have = _edge_key(edge)
        if have in wanted and have not in kept:
            kept.add(have)
            continue
        owner = edge.dst_id if edge.source in OWNED_BY_DST else edge.src_id
        cur = current.get(owner)
        if cur is None or edge.batch_id == cur.batch_id or have in kept:
            session.delete(edge)
            report.edges_deleted += 1
        else:
            edge.valid_to = cur.seen_on
            report.edges_closed += 1
        touched |= _connectors((have[1], have[2]), (have[3], have[4]))
    rows = []
    for key, owner in wanted.items():
        if key in kept:
            continue
        kind, src_kind, src_id, dst_kind, dst_id, source, share = key
        cur = current[owner]
        rows.append({
            "kind": EdgeKind(kind), "src_kind": NodeKind(src_kind), "src_id": src_id,
            "dst_kind": NodeKind(dst_kind), "dst_id": dst_id, "share": share, "source": source,
            "batch_id": cur.batch_id, "valid_from": cur.source_date,
        })  # fmt: skip
        touched |= _connectors((src_kind, src_id), (dst_kind, dst_id))
    if rows:
        session.execute(insert(GraphEdge), rows)
        report.edges_added += len(rows)
    session.flush()
    return touched


def update_degrees(session: Session, node_ids: Iterable[int], today: date) -> None:
    """Set each node's degree to its number of open edges."""
    ends = ((GraphEdge.src_kind, GraphEdge.src_id), (GraphEdge.dst_kind, GraphEdge.dst_id))
    for part in chunks(sorted(set(node_ids))):
        counts = dict.fromkeys(part, 0)
        for end_kind, end_id in ends:
            stmt = (
                select(end_id, func.count())
                .where(end_kind != ENT, end_id.in_(part), is_open(today))
                .group_by(end_id)
            )
            for node_id, count in session.execute(stmt):
                counts[node_id] += count
        session.execute(
            update(GraphNode).execution_options(synchronize_session=False),
            [{"id": node_id, "degree": degree} for node_id, degree in counts.items()],
        )


def _check_batch(session: Session, batch_id: int) -> None:
    batch = session.get(ImportBatch, batch_id)
    if batch is None:
        raise NotFound(kind="ImportBatch", key=batch_id)
    if batch.source is not RecordSource.REGISTRY or batch.status is not BatchStatus.COMMITTED:
        raise InvalidInput.field(
            "batch_id", N_("Only a committed registry import can feed the graph.")
        )


def build_from_records(
    session: Session,
    actor: Actor,
    batch_id: int | None = None,
    *,
    cap: int = DEFAULT_HUB_CAP,
    today: date | None = None,
    chunk_size: int = 1_000,
) -> BuildReport:
    """Build or refresh the graph from committed registry records (all, or the enterprises one
    batch describes), first linking registry records to the enterprise with their USCC.
    Idempotent; commits per chunk of enterprises, so an interrupted build leaves each
    enterprise either synchronised or as it was, and running it again finishes the work.

    Raises PermissionDenied, NotFound (batch), InvalidInput (not a committed registry batch).
    """
    require(actor, Permission.WRITE_ENTERPRISES)
    today = today or date.today()
    if batch_id is not None:
        _check_batch(session, batch_id)
    report = BuildReport()
    with transaction(session, actor=actor):
        advisory_xact_lock(session, GRAPH_LOCK_ID)
        report.linked_by_uscc = link_by_uscc(session, batch_id)
    owners = _owners(session, batch_id, today)
    report.enterprises = len(owners)
    names = Names(session)
    for phase, sources in enumerate(PHASES):
        for part in chunks(owners, chunk_size):
            with transaction(session, actor=actor):
                advisory_xact_lock(session, GRAPH_LOCK_ID)
                current = current_records(session, part)
                if phase == 0:
                    claims = addresses_and_phones(current)
                else:
                    claims, unresolved = persons_and_enterprises(session, current, names, cap)
                    report.unresolved_shareholders += unresolved
                touched = _sync(session, part, current, claims, sources, today, report)
                update_degrees(session, touched, today)
    report.ambiguous_names = names.ambiguous
    return report
