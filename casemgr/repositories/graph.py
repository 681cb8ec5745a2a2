"""Enterprise-graph queries: the edges around a set of nodes, read through the indexes on
``(src_kind, src_id)`` and ``(dst_kind, dst_id)``, never the whole table."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping
from datetime import date
from functools import cache
from typing import Any, TypeVar

from sqlalchemy import (
    ColumnElement,
    Date,
    Integer,
    String,
    and_,
    bindparam,
    case,
    false,
    or_,
    select,
    type_coerce,
    union,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql import Executable

from casemgr.models import EdgeKind, Enterprise, GraphEdge, GraphNode, NodeKind

T = TypeVar("T")
# Bound parameters per IN list: far below SQLite's 32,766 and PostgreSQL's 65,535.
CHUNK = 2_000
NodeRef = tuple[str, int]

# Kinds come back as plain strings: a neighbourhood is thousands of rows, and the queries only
# compare them with NodeKind / EdgeKind values (string enums).
EDGE_COLUMNS = (
    GraphEdge.id,
    type_coerce(GraphEdge.kind, String).label("kind"),
    type_coerce(GraphEdge.src_kind, String).label("src_kind"),
    GraphEdge.src_id,
    type_coerce(GraphEdge.dst_kind, String).label("dst_kind"),
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
    return _open_on(today)


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
    index lookups (PostgreSQL combines them in one bitmap scan). Rows of :data:`EDGE_COLUMNS`."""
    rows: dict[int, Any] = {}
    for part in chunks(sorted(nodes)):
        by_kind: dict[str, list[int]] = {}
        for kind, node_id in part:
            by_kind.setdefault(kind, []).append(node_id)
        stmt = select(*EDGE_COLUMNS).where(_touching(by_kind), is_open(today))
        if kinds is not None:
            stmt = stmt.where(GraphEdge.kind.in_(list(kinds)))
        for row in session.execute(stmt).all():
            rows[row.id] = row
    return [rows[k] for k in sorted(rows)]


def _open_on(today: Any) -> ColumnElement[bool]:
    return or_(GraphEdge.valid_to.is_(None), GraphEdge.valid_to > today)


@cache
def _hop_statement(with_kinds: bool, with_skip: bool) -> Executable:
    """The statement of :func:`hop_edges`, built once per shape: building it is most of the
    cost of running it (a millisecond or two against a fraction of one in PostgreSQL)."""
    ent = NodeKind.ENTERPRISE.value
    ids = bindparam("ids", expanding=True, type_=Integer)
    today = bindparam("today", type_=Date)
    kinds = bindparam("kinds", expanding=True, type_=String)

    def edges(end_kind: Any, end_id: Any, *conditions: Any, join: Any = None) -> Any:
        stmt: Any = select(*EDGE_COLUMNS)
        if join is not None:
            stmt = stmt.join(join, and_(end_id == join.c.id, end_kind == join.c.kind))
        stmt = stmt.where(*conditions, _open_on(today))
        return stmt.where(GraphEdge.kind.in_(kinds)) if with_kinds else stmt

    first = union(
        edges(
            GraphEdge.src_kind,
            GraphEdge.src_id,
            GraphEdge.src_kind == ent,
            GraphEdge.src_id.in_(ids),
        ),
        edges(
            GraphEdge.dst_kind,
            GraphEdge.dst_id,
            GraphEdge.dst_kind == ent,
            GraphEdge.dst_id.in_(ids),
        ),
    ).cte("hop_first")
    connector = case((first.c.src_kind == ent, first.c.dst_id), else_=first.c.src_id)
    touched = select(connector.label("id")).where(
        or_(first.c.src_kind != ent, first.c.dst_kind != ent)
    )
    opened = select(GraphNode.id, GraphNode.kind).where(
        GraphNode.id.in_(touched),
        ~and_(
            GraphNode.kind.in_(bindparam("hub_kinds", expanding=True, type_=String)),
            GraphNode.degree > bindparam("cap", type_=Integer),
        ),
    )
    if with_skip:
        opened = opened.where(GraphNode.id.not_in(bindparam("skip", expanding=True, type_=Integer)))
    hop_open = opened.cte("hop_open")
    return union(
        select(first),
        edges(GraphEdge.src_kind, GraphEdge.src_id, join=hop_open),
        edges(GraphEdge.dst_kind, GraphEdge.dst_id, join=hop_open),
    ).limit(bindparam("limit", type_=Integer))


def hop_edges(
    session: Session,
    enterprises: Collection[int],
    *,
    today: date,
    kinds: Collection[EdgeKind] | None,
    hub_kinds: Collection[str],
    cap: int,
    skip: Collection[int] = (),
    limit: int = 1_000_000,
) -> list[Any]:
    """One hop from ``enterprises`` in one statement per 2,000 of them: their open edges, and
    the open edges of the persons, addresses and phones those reach, except hubs (a node of
    ``hub_kinds`` with more than ``cap`` open edges: its edges are never read) and the
    connectors in ``skip`` (already read). Reads at most ``limit`` + 1 rows, so that the caller
    can tell it was cut. Rows of :data:`EDGE_COLUMNS`, by id."""
    stmt = _hop_statement(kinds is not None, bool(skip))
    params: dict[str, Any] = {
        "today": today,
        "hub_kinds": sorted(hub_kinds),
        "cap": cap,
        "kinds": [str(k) for k in kinds or ()],
        "skip": sorted(skip),
    }
    rows: dict[int, Any] = {}
    for part in chunks(sorted(enterprises)):
        params |= {"ids": part, "limit": max(0, limit - len(rows)) + 1}
        rows.update((row.id, row) for row in session.execute(stmt, params).all())
    return [rows[k] for k in sorted(rows)]


_IDS = bindparam("ids", expanding=True, type_=Integer)
_NODES_BY_ID = select(
    GraphNode.id,
    type_coerce(GraphNode.kind, String).label("kind"),
    GraphNode.label,
    GraphNode.degree,
).where(GraphNode.id.in_(_IDS))
_ENTERPRISE_CARDS = select(
    Enterprise.id, Enterprise.name, Enterprise.uscc, Enterprise.county_code
).where(Enterprise.id.in_(_IDS))


def _by_id(session: Session, stmt: Executable, ids: Collection[int]) -> dict[int, Any]:
    out: dict[int, Any] = {}
    for part in chunks(sorted(ids)):
        out.update((row.id, row) for row in session.execute(stmt, {"ids": part}).all())
    return out


def nodes_by_id(session: Session, ids: Collection[int]) -> dict[int, Any]:
    """Person, address and phone nodes by id (ids are unique across kinds): rows of id, kind
    (a string), label and degree."""
    return _by_id(session, _NODES_BY_ID, ids)


def enterprise_cards(session: Session, ids: Collection[int]) -> dict[int, Any]:
    """The few enterprise columns a graph answer shows, by id."""
    return _by_id(session, _ENTERPRISE_CARDS, ids)


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
