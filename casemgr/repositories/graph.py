"""Enterprise-graph queries: the edges around a set of nodes, read through the indexes on
``(src_kind, src_id)`` and ``(dst_kind, dst_id)``, never the whole table."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping
from datetime import date
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, and_, false, or_, select
from sqlalchemy.orm import Session

from casemgr.models import EdgeKind, Enterprise, GraphEdge, GraphNode, NodeKind

T = TypeVar("T")
# Bound parameters per IN list: far below SQLite's 32,766 and PostgreSQL's 65,535.
CHUNK = 2_000
NodeRef = tuple[str, int]

EDGE_COLUMNS = (
    GraphEdge.id,
    GraphEdge.kind,
    GraphEdge.src_kind,
    GraphEdge.src_id,
    GraphEdge.dst_kind,
    GraphEdge.dst_id,
    GraphEdge.share,
    GraphEdge.source,
    GraphEdge.batch_id,
    GraphEdge.valid_from,
    GraphEdge.valid_to,
)


def chunks(items: Iterable[T], size: int = CHUNK) -> Iterator[list[T]]:
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def is_open(today: date) -> ColumnElement[bool]:
    """The edge holds on ``today`` (no end date, or one still to come)."""
    return or_(GraphEdge.valid_to.is_(None), GraphEdge.valid_to > today)


def _touching(by_kind: Mapping[str, Collection[int]]) -> ColumnElement[bool]:
    conditions = []
    for kind, ids in by_kind.items():
        if ids:
            conditions.append(and_(GraphEdge.src_kind == kind, GraphEdge.src_id.in_(ids)))
            conditions.append(and_(GraphEdge.dst_kind == kind, GraphEdge.dst_id.in_(ids)))
    return or_(*conditions) if conditions else false()


def edges_touching(
    session: Session,
    nodes: Collection[NodeRef],
    *,
    today: date,
    kinds: Collection[EdgeKind] | None = None,
) -> list[Any]:
    """Open edges with an end among ``nodes``: one statement per 2,000 nodes, each an OR of
    index lookups (PostgreSQL combines them in one bitmap scan)."""
    rows: dict[int, Any] = {}
    for part in chunks(sorted(nodes)):
        by_kind: dict[str, list[int]] = {}
        for kind, node_id in part:
            by_kind.setdefault(kind, []).append(node_id)
        stmt = select(*EDGE_COLUMNS).where(_touching(by_kind), is_open(today))
        if kinds is not None:
            stmt = stmt.where(GraphEdge.kind.in_(list(kinds)))
        for row in session.execute(stmt):
            rows[row.id] = row
    return [rows[k] for k in sorted(rows)]


def nodes_by_id(session: Session, ids: Collection[int]) -> dict[int, GraphNode]:
    """Person, address and phone nodes by id (ids are unique across kinds)."""
    out: dict[int, GraphNode] = {}
    for part in chunks(sorted(ids)):
        out.update(
            (n.id, n) for n in session.scalars(select(GraphNode).where(GraphNode.id.in_(part)))
        )
    return out


def enterprise_cards(session: Session, ids: Collection[int]) -> dict[int, Any]:
    """The few enterprise columns a graph answer shows, by id."""
    out: dict[int, Any] = {}
    cols = (Enterprise.id, Enterprise.name, Enterprise.uscc, Enterprise.county_code)
    for part in chunks(sorted(ids)):
        out.update((r.id, r) for r in session.execute(select(*cols).where(Enterprise.id.in_(part))))
    return out


def nodes_by_key(session: Session, kind: NodeKind, keys: Collection[str]) -> dict[str, GraphNode]:
    out: dict[str, GraphNode] = {}
    for part in chunks(sorted(keys)):
        stmt = (
            select(GraphNode)
            .where(GraphNode.kind == kind, GraphNode.key.in_(part))
            .execution_options(populate_existing=True)  # degrees change by bulk update
        )
        out.update((n.key, n) for n in session.scalars(stmt))
    return out
