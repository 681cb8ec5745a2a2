"""Enterprise-graph queries (企业关联图谱): related parties, explained connections, groups.

A web worker never holds the province graph. Each query reads the neighbourhood it needs from
``graph_edges`` hop by hop through its indexes, one statement a hop (the edges of the
enterprises reached, and the edges of the persons, addresses and phones those touch unless they
are hubs), then the connector nodes met, builds a small networkx graph and asks
:mod:`linkage.graph`. A hub over the cap (a business-park address, an agency's phone) is never
expanded: its edges are not even read.

What the actor sees (DOMAIN: jurisdiction, 个人信息保护法 art. 6 minimum necessary):

* the start enterprise must lie in the actor's jurisdiction (403 otherwise);
* every related enterprise is listed with its relation and path, so an officer learns that a
  tie exists and which county bureau to ask (协查); an enterprise outside the jurisdiction shows
  only its id and county code, marked "outside jurisdiction", never its name or code;
* a person, address or phone is labelled only if it touches an enterprise the actor may see:
  the legal representative of an enterprise two counties away stays anonymous;
* phone numbers are masked for roles that do not see phone numbers (``casemgr.policy``);
  ID numbers never leave the database (person keys hold only a digest);
* a prosecutor's or judge's query is written to the audit trail.

The build (``build_from_records``) lives in :mod:`casemgr.services.graph_build`.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from casemgr.exceptions import NotFound
from casemgr.i18n import N_
from casemgr.models import EdgeKind, NodeKind
from casemgr.policy import Actor, Permission, PersonalField, mask
from casemgr.repositories.graph import (
    CHUNK,
    edges_touching,
    enterprise_cards,
    hop_edges,
    nodes_by_id,
)
from casemgr.services.access import audit_list_read, require
from casemgr.services.enterprises import visible_enterprise
from casemgr.services.graph_build import BuildReport, build_from_records
from linkage.graph import (
    CONTROL_KINDS,
    DEFAULT_HUB_CAP,
    HUB_KINDS,
    Edge,
    Link,
    Path,
    Strength,
    build_graph,
    control_group,
    explain_connection,
    related_parties,
    strength_of,
)

__all__ = [
    "DEFAULT_HUB_CAP", "MAX_EDGES", "BuildReport", "ConnectionAnswer", "GroupAnswer",
    "RelatedAnswer", "build_from_records", "connection", "group", "related",
]  # fmt: skip

ENT = NodeKind.ENTERPRISE.value
# A query stops reading past this many edges (and says so): a worker's memory stays small.
MAX_EDGES = 20_000
MAX_GROUP = 2_000
OUTSIDE = N_("outside jurisdiction")
NodeRef = tuple[str, int]


@dataclass(frozen=True)
class NodeCard:
    """A node as the actor may see it."""

    kind: str
    id: int
    label: str = ""
    visible: bool = True
    uscc: str | None = None
    county_code: str | None = None
    degree: int | None = None
    note: str = ""


@dataclass(frozen=True)
class LinkCard:
    kind: str
    src_kind: str
    src_id: int
    dst_kind: str
    dst_id: int
    share: float | None
    source: str
    batch_id: int | None
    valid_from: date | None
    strength: str


@dataclass(frozen=True)
class PathCard:
    hops: int
    strength: str
    nodes: list[NodeCard]
    links: list[LinkCard]


@dataclass(frozen=True)
class RelatedCard:
    node: NodeCard
    distance: int
    strength: str
    paths: list[PathCard]


@dataclass
class RelatedAnswer:
    enterprise: NodeCard
    hops: int
    total: int = 0  # related enterprises in all; ``related`` holds one page of them
    page: int = 1
    per_page: int = 50
    related: list[RelatedCard] = field(default_factory=list)
    capped: list[RelatedCard] = field(default_factory=list)
    truncated: bool = False


@dataclass
class ConnectionAnswer:
    enterprise: NodeCard
    other: NodeCard
    max_hops: int
    path: PathCard | None = None
    truncated: bool = False


@dataclass
class GroupAnswer:
    enterprise: NodeCard
    enterprises: list[NodeCard] = field(default_factory=list)
    persons: list[NodeCard] = field(default_factory=list)
    links: list[LinkCard] = field(default_factory=list)
    truncated: bool = False


class _Neighbourhood:
    """The part of the graph a query has read: edges by id and connector nodes."""

    def __init__(
        self, session: Session, today: date, kinds: Collection[EdgeKind] | None, cap: int
    ) -> None:
        self.session, self.today, self.kinds, self.cap = session, today, kinds, cap
        self.edges: dict[int, Any] = {}
        self.nodes: dict[int, Any] = {}  # rows of id, kind, label, degree
        self.truncated = False
        self._expanded: set[NodeRef] = set()

    def _read(self, nodes: Iterable[NodeRef], kinds: Collection[EdgeKind] | None) -> list[Any]:
        todo = [n for n in nodes if n not in self._expanded]
        self._expanded.update(todo)
        if not todo:
            return []
        rows = edges_touching(self.session, todo, today=self.today, kinds=kinds)
        self.edges.update((r.id, r) for r in rows)
        self.truncated |= len(self.edges) > MAX_EDGES
        return rows

    def _load_nodes(self, ids: Iterable[int]) -> None:
        todo = set(ids) - set(self.nodes)
        if todo:
            self.nodes.update(nodes_by_id(self.session, todo))

    def expand(self, start: NodeRef, hops: int) -> None:
        """Read every edge within ``hops`` relations of the enterprise ``start``, hubs
        excepted: one statement a hop, then the connector nodes met."""
        frontier, seen = {start}, {start}
        connectors: set[int] = set()
        for _ in range(hops):
            todo = {n[1] for n in frontier if n not in self._expanded}
            if self.truncated or not todo:
                break
            self._expanded.update((ENT, n) for n in todo)
            # Connectors already read need not be read again (a long list is not worth it).
            done = [n[1] for n in self._expanded if n[0] != ENT]
            limit = MAX_EDGES - len(self.edges)
            rows = hop_edges(
                self.session, todo, today=self.today, kinds=self.kinds, hub_kinds=HUB_KINDS,
                cap=self.cap, skip=done if len(done) <= CHUNK else (), limit=limit,
            )  # fmt: skip
            self.truncated |= len(rows) > limit
            reached: set[NodeRef] = set()
            for r in rows:
                self.edges[r.id] = r
                sk, sid, dk, did = r.src_kind, r.src_id, r.dst_kind, r.dst_id
                if sk == ENT:
                    reached.add((ENT, sid))
                    if dk != ENT and sid in todo:
                        self._expanded.add((dk, did))  # hubs too: they are never read
                        connectors.add(did)
                if dk == ENT:
                    reached.add((ENT, did))
                    if sk != ENT and did in todo:
                        self._expanded.add((sk, sid))
                        connectors.add(sid)
            self.truncated |= len(self.edges) > MAX_EDGES
            frontier = reached - seen
            seen |= reached
        self._load_nodes(connectors)

    def expand_control(self, start: NodeRef) -> None:
        """Read the control edges of the group of ``start``, up to :data:`MAX_GROUP` nodes."""
        frontier, seen = {start}, {start}
        while frontier and not self.truncated:
            rows = self._read(frontier, [EdgeKind(k) for k in CONTROL_KINDS])
            reached = {
                end
                for r in rows
                if strength_of(r.kind, r.share) is Strength.CONTROL
                for end in _ends(r)
            }
            frontier = reached - seen
            seen |= reached
            self.truncated |= len(seen) > MAX_GROUP
        self._load_nodes(n[1] for n in seen if n[0] != ENT)

    def graph(self, *extra: NodeRef) -> Any:
        attrs = {
            (n.kind, n.id): {"label": n.label, "degree": n.degree} for n in self.nodes.values()
        }
        # in id order, whatever order the hops read them in: ties between parallel edges are
        # broken the same way every time
        g = build_graph((_edge(self.edges[k]) for k in sorted(self.edges)), attrs)
        for node in extra:
            if node not in g:
                g.add_node(node, kind=node[0])
        return g


def _ends(row: Any) -> tuple[NodeRef, NodeRef]:
    return (row.src_kind, row.src_id), (row.dst_kind, row.dst_id)


def _edge(row: Any) -> Edge:
    src, dst = _ends(row)
    return Edge(
        src, dst, row.kind, row.share, row.source, row.batch_id, row.valid_from, row.valid_to
    )


class _Cards:
    """Renders nodes, links and paths as the actor may see them."""

    def __init__(
        self, session: Session, actor: Actor, hood: _Neighbourhood, *starts: NodeRef
    ) -> None:
        self.actor, self.hood = actor, hood
        ends = [end for r in hood.edges.values() for end in _ends(r)]
        self.enterprises = enterprise_cards(session, {n for k, n in [*ends, *starts] if k == ENT})
        # Connectors touching a visible enterprise may be named.
        self.named: set[int] = set()
        for r in hood.edges.values():
            (sk, sid), (dk, did) = _ends(r)
            if sk == ENT and dk != ENT and self._sees(sid):
                self.named.add(did)
            elif dk == ENT and sk != ENT and self._sees(did):
                self.named.add(sid)

        # A node or link is on many paths: each is rendered once.
        self._nodes: dict[NodeRef, NodeCard] = {}
        self._links: dict[Link, LinkCard] = {}

    def _sees(self, enterprise_id: int) -> bool:
        card = self.enterprises.get(enterprise_id)
        return card is not None and self.actor.covers(card.county_code)

    def node(self, ref: NodeRef) -> NodeCard:
        card = self._nodes.get(ref)
        if card is None:
            card = self._nodes[ref] = self._node(ref)
        return card

    def _node(self, ref: NodeRef) -> NodeCard:
        kind, node_id = ref
        if kind == ENT:
            card = self.enterprises.get(node_id)
            county = card.county_code if card is not None else None
            if card is None or not self.actor.covers(county):
                return NodeCard(kind, node_id, visible=False, county_code=county, note=OUTSIDE)
            return NodeCard(kind, node_id, card.name, uscc=card.uscc, county_code=county)
        node = self.hood.nodes.get(node_id)
        degree = node.degree if node is not None else None
        if node is None or node_id not in self.named:
            return NodeCard(kind, node_id, visible=False, degree=degree, note=OUTSIDE)
        label = node.label
        if kind == NodeKind.PHONE.value and not self.actor.sees_personal(PersonalField.PHONE):
            label = mask(PersonalField.PHONE, label)
        return NodeCard(kind, node_id, label, degree=degree)

    def link(self, link: Link) -> LinkCard:
        card = self._links.get(link)
        if card is None:
            card = self._links[link] = self._link(link)
        return card

    @staticmethod
    def _link(link: Link) -> LinkCard:
        return LinkCard(
            link.kind, link.src[0], link.src[1], link.dst[0], link.dst[1], link.share,
            link.source, link.batch_id, link.valid_from, link.strength.name.lower(),
        )  # fmt: skip

    def path(self, path: Path) -> PathCard:
        return PathCard(
            path.hops,
            path.strength.name.lower(),
            [self.node(n) for n in path.nodes],
            [self.link(link) for link in path.links],
        )


def _start(session: Session, actor: Actor, enterprise_id: int, what: str) -> NodeRef:
    """Raises PermissionDenied, NotFound, OutsideJurisdiction."""
    require(actor, Permission.READ_ENTERPRISES)
    visible_enterprise(session, actor, enterprise_id)
    audit_list_read(session, actor, "graph_edges", f"{what} enterprise={enterprise_id}")
    return (ENT, enterprise_id)


def related(
    session: Session,
    actor: Actor,
    enterprise_id: int,
    hops: int = 2,
    *,
    kinds: Collection[str] | None = None,
    cap: int = DEFAULT_HUB_CAP,
    today: date | None = None,
    page: int = 1,
    per_page: int = 50,
) -> RelatedAnswer:
    """Enterprises within ``hops`` relations, nearest and strongest first, one page of them
    with the paths that connect them (a nominee's 3,000 enterprises are not one answer); hubs
    over ``cap`` listed as capped. Raises PermissionDenied, NotFound, OutsideJurisdiction."""
    start = _start(session, actor, enterprise_id, f"related hops={hops}")
    edge_kinds = None if kinds is None else [EdgeKind(k) for k in kinds]
    hood = _Neighbourhood(session, today or date.today(), edge_kinds, cap)
    hood.expand(start, hops)
    found = related_parties(hood.graph(start), start, hops, kinds=kinds, cap=cap)
    cards = _Cards(session, actor, hood, start)
    listed = [item for item in found if not item.capped]
    first = (page - 1) * per_page
    answer = RelatedAnswer(
        cards.node(start), hops, len(listed), page, per_page, truncated=hood.truncated
    )
    for item in listed[first : first + per_page] + [item for item in found if item.capped]:
        card = RelatedCard(
            cards.node(item.node),
            item.distance,
            item.strength.name.lower(),
            [cards.path(p) for p in item.paths],
        )
        (answer.capped if item.capped else answer.related).append(card)
    return answer


def connection(
    session: Session,
    actor: Actor,
    enterprise_id: int,
    other_id: int,
    *,
    max_hops: int = 4,
    cap: int = DEFAULT_HUB_CAP,
    today: date | None = None,
) -> ConnectionAnswer:
    """The best explained connection between two enterprises (control before shared address
    or phone), or none within ``max_hops``. The other enterprise may lie outside the actor's
    jurisdiction (it is then shown by id only).

    Raises PermissionDenied, NotFound (either), OutsideJurisdiction (the first).
    """
    start = _start(session, actor, enterprise_id, f"connection other={other_id}")
    other = (ENT, other_id)
    hood = _Neighbourhood(session, today or date.today(), None, cap)
    if other_id not in enterprise_cards(session, [other_id]):
        raise NotFound(kind="Enterprise", key=other_id)
    hood.expand(start, (max_hops + 1) // 2)
    hood.expand(other, max_hops // 2)
    path = explain_connection(hood.graph(start, other), start, other, max_hops=max_hops, cap=cap)
    cards = _Cards(session, actor, hood, start, other)
    return ConnectionAnswer(
        cards.node(start),
        cards.node(other),
        max_hops,
        cards.path(path) if path is not None else None,
        hood.truncated,
    )


def group(
    session: Session, actor: Actor, enterprise_id: int, *, today: date | None = None
) -> GroupAnswer:
    """The group (集团) of an enterprise: everything joined to it through control edges
    (legal representative, controlling shareholder, branch, successor), with those edges.

    Raises PermissionDenied, NotFound, OutsideJurisdiction.
    """
    start = _start(session, actor, enterprise_id, "group")
    hood = _Neighbourhood(session, today or date.today(), None, DEFAULT_HUB_CAP)
    hood.expand_control(start)
    g = hood.graph(start)
    members = control_group(g, start)
    cards = _Cards(session, actor, hood, start)
    answer = GroupAnswer(cards.node(start), truncated=hood.truncated)
    for node in sorted(members - {start}):
        (answer.enterprises if node[0] == ENT else answer.persons).append(cards.node(node))
    for row in sorted(hood.edges.values(), key=lambda r: r.id):
        e = _edge(row)
        if (
            e.src in members
            and e.dst in members
            and strength_of(e.kind, e.share) is Strength.CONTROL
        ):
            link = Link(e.src, e.dst, e.kind, e.share, e.source, e.batch_id, e.valid_from)
            answer.links.append(cards.link(link))
    return answer
