"""The enterprise graph (企业关联图谱): related parties, explained connections, control groups.

Nodes are ``(kind, id)`` tuples: ``("enterprise", 12)``, ``("person", 5)``, ``("address", 7)``,
``("phone", 9)``. Persons, addresses and phones are *connectors*: they only ever join
enterprises, so a shared address is one node with an edge to each enterprise, never an edge
between every pair of them. Edges are directed as stored (a legal representative → the
enterprise, a branch → its parent, an enterprise → its address) and carry their ``kind``,
``share`` (0..1) and provenance; traversal ignores direction.

Distances count *relations* between enterprises, not edges: sharing a legal representative
(enterprise - person - enterprise) and being a branch (enterprise - enterprise) are both one hop.
A connector whose degree exceeds the cap (a business-park address, an agency's phone) is not
traversed: it is reported as capped. The graph passed in is usually a small neighbourhood read
from the database, holding the edges valid on the day of interest; a node's ``degree``
attribute, when present, is its degree in the whole graph and wins over that in the subgraph.
"""

from __future__ import annotations

import enum
import heapq
import itertools
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, NamedTuple

import networkx as nx

__all__ = [
    "CONTROL_KINDS", "CONTROL_SHARE", "DEFAULT_HUB_CAP", "HUB_KINDS", "Edge", "Link", "Path",
    "Related", "Strength", "build_graph", "control_group", "explain_connection", "is_capped",
    "related_parties", "strength_of",
]  # fmt: skip

Node = tuple[str, int]
_Cost = tuple[int, int, int]  # shared relations, minority shareholdings, relations

ENTERPRISE = "enterprise"
# Kinds of connector that are hubs: over the cap they are not traversed.
HUB_KINDS: frozenset[str] = frozenset({"address", "phone"})
DEFAULT_HUB_CAP = 50
# 公司法 (2023) art. 265(2): a controlling shareholder holds more than 50 %; exactly half is a
# blocking vote over every ordinary resolution (joint control), so it counts as control here.
CONTROL_SHARE = 0.5
CONTROL_KINDS: frozenset[str] = frozenset({"legal_rep", "shareholder", "branch_of", "successor_of"})
_SHARED_KINDS = frozenset({"at_address", "has_phone"})


class Strength(enum.IntEnum):
    """How strongly an edge (or a path, by its weakest edge) ties two parties; higher is
    stronger."""

    SHARED = 0  # same address or phone (同址, 同电话): circumstantial
    SHAREHOLDING = 1  # a shareholding below the control threshold, or of unknown size
    CONTROL = 2  # legal representative, controlling shareholder, branch, successor


def strength_of(kind: str, share: float | None = None) -> Strength:
    """Strength of an edge of ``kind`` with ``share`` (0..1, shareholders only).

    Examples
    --------
    >>> strength_of("legal_rep").name, strength_of("shareholder", 0.6).name
    ('CONTROL', 'CONTROL')
    >>> strength_of("shareholder", 0.3).name, strength_of("at_address").name
    ('SHAREHOLDING', 'SHARED')
    """
    if kind in _SHARED_KINDS:
        return Strength.SHARED
    if kind == "shareholder" and (share is None or share < CONTROL_SHARE):
        return Strength.SHAREHOLDING
    return Strength.CONTROL


class Edge(NamedTuple):
    """An edge as stored: ``src`` → ``dst`` with its kind, share and provenance."""

    src: Node
    dst: Node
    kind: str
    share: float | None = None
    source: str = ""
    batch_id: int | None = None
    valid_from: date | None = None
    valid_to: date | None = None


@dataclass(frozen=True)
class Link:
    """An edge on a path, in its stored direction, with its strength."""

    src: Node
    dst: Node
    kind: str
    share: float | None
    source: str
    batch_id: int | None
    valid_from: date | None

    @property
    def strength(self) -> Strength:
        return strength_of(self.kind, self.share)


@dataclass(frozen=True)
class Path:
    """A path through the graph: its nodes from start to end and the link between each pair.

    Attributes
    ----------
    nodes : tuple of Node
    links : tuple of Link
        ``len(nodes) - 1`` links, ``links[i]`` joining ``nodes[i]`` and ``nodes[i + 1]``.
    """

    nodes: tuple[Node, ...]
    links: tuple[Link, ...]

    @property
    def hops(self) -> int:
        """Relations between enterprises: the enterprises reached after the start."""
        return sum(1 for n in self.nodes[1:] if n[0] == ENTERPRISE)

    @property
    def strength(self) -> Strength:
        """The weakest link's strength (CONTROL for the empty path)."""
        return min((link.strength for link in self.links), default=Strength.CONTROL)


@dataclass(frozen=True)
class Related:
    """A party related to the start: its distance in hops and the shortest paths to it.

    A capped hub is reported with ``capped=True``: its distance is that of the enterprise it
    was reached from, and it was not traversed.
    """

    node: Node
    distance: int
    paths: tuple[Path, ...]
    capped: bool = False

    @property
    def strength(self) -> Strength:
        return max((p.strength for p in self.paths), default=Strength.SHARED)


def build_graph(
    edges: Iterable[Edge | tuple[Any, ...]],
    nodes: Mapping[Node, Mapping[str, Any]] | None = None,
) -> Any:
    """Build a ``networkx.MultiDiGraph`` from edge tuples.

    Parameters
    ----------
    edges : iterable of Edge or tuple
        ``(src, dst, kind[, share, source, batch_id, valid_from, valid_to])``.
    nodes : mapping of Node to dict, optional
        Node attributes (``label``, ``degree`` ...); nodes without edges are added too.

    Returns
    -------
    networkx.MultiDiGraph
        Each node has a ``kind`` attribute; each edge is keyed by its kind and source.

    Examples
    --------
    >>> g = build_graph([(("person", 1), ("enterprise", 1), "legal_rep")])
    >>> sorted(g.nodes(data="kind"))
    [(('enterprise', 1), 'enterprise'), (('person', 1), 'person')]
    """
    g = nx.MultiDiGraph()
    for node, attrs in (nodes or {}).items():
        g.add_node(node, kind=node[0], **attrs)
    for item in edges:
        edge = item if isinstance(item, Edge) else Edge(*item)
        for node in (edge.src, edge.dst):
            if node not in g:
                g.add_node(node, kind=node[0])
        g.add_edge(edge.src, edge.dst, key=(edge.kind, edge.source), **edge._asdict())
    return g


def is_capped(
    g: Any, node: Node, *, cap: int = DEFAULT_HUB_CAP, hub_kinds: Collection[str] = HUB_KINDS
) -> bool:
    """Whether ``node`` is a hub over the cap (its ``degree`` attribute, else its degree in g).

    Examples
    --------
    >>> g = build_graph([], {("address", 1): {"degree": 51}, ("person", 2): {"degree": 99}})
    >>> is_capped(g, ("address", 1)), is_capped(g, ("person", 2))
    (True, False)
    """
    if node[0] not in hub_kinds:
        return False
    degree = g.nodes[node].get("degree")
    return int(g.degree(node) if degree is None else degree) > cap


def _best_links(g: Any, node: Node, kinds: Collection[str] | None) -> dict[Node, Link]:
    """The strongest link from ``node`` to each neighbour (parallel edges collapse to one)."""
    best: dict[Node, Link] = {}
    edges = itertools.chain(g.out_edges(node, data=True), g.in_edges(node, data=True))
    for u, v, data in edges:
        if kinds is not None and data["kind"] not in kinds:
            continue
        other = v if u == node else u
        link = Link(
            u, v, data["kind"], data.get("share"), data.get("source", ""),
            data.get("batch_id"), data.get("valid_from"),
        )  # fmt: skip
        known = best.get(other)
        if known is None or (link.strength, link.share or 0) > (known.strength, known.share or 0):
            best[other] = link
    return best


class _Step(NamedTuple):
    """One relation from an enterprise: to ``target``, directly or through ``via``."""

    target: Node
    via: Node | None
    links: tuple[Link, ...]

    @property
    def strength(self) -> Strength:
        return min(link.strength for link in self.links)


class _Walker:
    """Relations between enterprises, with capped hubs noted instead of crossed."""

    def __init__(
        self, g: Any, kinds: Collection[str] | None, cap: int, hub_kinds: Collection[str]
    ) -> None:
        self.g, self.kinds, self.cap, self.hub_kinds = g, kinds, cap, hub_kinds
        self.capped: dict[Node, list[tuple[Node, Link]]] = {}
        self._links: dict[Node, dict[Node, Link]] = {}

    def links(self, node: Node) -> dict[Node, Link]:
        if (known := self._links.get(node)) is None:
            known = self._links[node] = _best_links(self.g, node, self.kinds)
        return known

    def steps(self, node: Node) -> Iterator[_Step]:
        for other, link in sorted(self.links(node).items()):
            if other[0] == ENTERPRISE:
                yield _Step(other, None, (link,))
            elif node[0] != ENTERPRISE:
                continue  # connectors only join enterprises
            elif is_capped(self.g, other, cap=self.cap, hub_kinds=self.hub_kinds):
                self.capped.setdefault(other, []).append((node, link))
            else:
                for target, second in sorted(self.links(other).items()):
                    if target != node and target[0] == ENTERPRISE:
                        yield _Step(target, other, (link, second))


def _require(g: Any, node: Node) -> None:
    if node not in g:
        raise nx.NodeNotFound(f"node {node!r} is not in the graph")


def related_parties(
    g: Any,
    start: Node,
    k: int,
    *,
    kinds: Collection[str] | None = None,
    cap: int = DEFAULT_HUB_CAP,
    hub_kinds: Collection[str] = HUB_KINDS,
    max_paths: int = 5,
) -> list[Related]:
    """Enterprises within ``k`` hops of ``start``, each with the shortest paths to it.

    Parameters
    ----------
    g : networkx.MultiDiGraph
        See :func:`build_graph`.
    start : Node
        Usually an enterprise; a person (or other connector) starts from its enterprises.
    k : int
        Hops: relations between enterprises (a shared legal representative is one hop).
    kinds : collection of str, optional
        Edge kinds to follow; all by default.
    cap : int
        Hubs (``hub_kinds``) with a degree above ``cap`` are not traversed but reported.
    hub_kinds : collection of str
        Connector kinds subject to the cap; addresses and phones by default.
    max_paths : int
        At most this many paths per related enterprise, strongest first.

    Returns
    -------
    list of Related
        By distance, strongest first, then node; capped hubs last, with ``capped=True``.

    Raises
    ------
    networkx.NodeNotFound
        If ``start`` is not in ``g``.

    Examples
    --------
    >>> a, b, c = ("enterprise", 1), ("enterprise", 2), ("enterprise", 3)
    >>> zhang, park = ("person", 10), ("address", 20)
    >>> g = build_graph([
    ...     (zhang, a, "legal_rep"), (zhang, b, "shareholder", 0.6),
    ...     (a, park, "at_address"), (c, park, "at_address"),
    ... ])
    >>> [(r.node, r.distance, r.strength.name) for r in related_parties(g, a, 1)]
    [(('enterprise', 2), 1, 'CONTROL'), (('enterprise', 3), 1, 'SHARED')]
    >>> [link.kind for link in related_parties(g, a, 1)[0].paths[0].links]
    ['legal_rep', 'shareholder']
    >>> [(r.node, r.capped) for r in related_parties(g, a, 1, cap=1)]
    [(('enterprise', 2), False), (('address', 20), True)]
    """
    _require(g, start)
    walker = _Walker(g, kinds, cap, hub_kinds)
    distance: dict[Node, int] = {start: 0}
    came_from: dict[Node, list[_Step]] = {}  # node -> steps into it, each from a predecessor
    hub_distance: dict[Node, int] = {}
    frontier = [start]
    for hop in range(1, k + 1):
        following: list[Node] = []
        for node in frontier:
            for step in walker.steps(node):
                seen = distance.get(step.target)
                if seen is None:
                    distance[step.target] = hop
                    following.append(step.target)
                elif seen != hop:
                    continue
                came_from.setdefault(step.target, []).append(_Step(node, step.via, step.links))
        for hub in walker.capped:
            hub_distance.setdefault(hub, hop - 1)
        frontier = following
    related = [
        Related(node, d, _paths(start, node, came_from, max_paths))
        for node, d in distance.items()
        if node != start
    ]
    related.sort(key=lambda r: (r.distance, -r.strength, r.node))
    capped = [
        Related(hub, hub_distance[hub], _hub_paths(start, hub, came_from, walker, max_paths), True)
        for hub in sorted(walker.capped)
    ]
    return related + capped


def _walk_back(start: Node, node: Node, came_from: Mapping[Node, list[_Step]]) -> Iterator[Path]:
    """Every shortest path from ``start`` to ``node`` (lazily, in a stable order)."""
    if node == start:
        yield Path((start,), ())
        return
    for back in came_from.get(node, []):
        middle: tuple[Node, ...] = () if back.via is None else (back.via,)
        tail_links = back.links  # stored from the predecessor's side: pred → via → node
        for head in _walk_back(start, back.target, came_from):
            yield Path(head.nodes + middle + (node,), head.links + tail_links)


def _paths(
    start: Node, node: Node, came_from: Mapping[Node, list[_Step]], max_paths: int
) -> tuple[Path, ...]:
    found = list(itertools.islice(_walk_back(start, node, came_from), max(10 * max_paths, 50)))
    found.sort(key=lambda p: (-p.strength, p.nodes))
    return tuple(found[:max_paths])


def _hub_paths(
    start: Node,
    hub: Node,
    came_from: Mapping[Node, list[_Step]],
    walker: _Walker,
    max_paths: int,
) -> tuple[Path, ...]:
    out: list[Path] = []
    for enterprise, link in walker.capped[hub][:max_paths]:
        for head in _paths(start, enterprise, came_from, 1):
            out.append(Path(head.nodes + (hub,), head.links + (link,)))
    return tuple(out)


def explain_connection(
    g: Any,
    a: Node,
    b: Node,
    *,
    max_hops: int = 4,
    kinds: Collection[str] | None = None,
    cap: int = DEFAULT_HUB_CAP,
    hub_kinds: Collection[str] = HUB_KINDS,
) -> Path | None:
    """The best explained connection between ``a`` and ``b`` within ``max_hops`` relations.

    Control beats circumstance: the path with the fewest shared-address or shared-phone
    relations wins, then the one with the fewest minority shareholdings, then the shortest.
    A chain of legal representatives is a better explanation than a shared business-park
    address, even if longer.

    Parameters
    ----------
    g : networkx.MultiDiGraph
    a, b : Node
    max_hops : int
        Longest connection considered, in relations between enterprises.
    kinds, cap, hub_kinds
        As for :func:`related_parties`.

    Returns
    -------
    Path or None
        None when no connection of at most ``max_hops`` exists (or a node is not in ``g``).

    Examples
    --------
    >>> a, b, c = ("enterprise", 1), ("enterprise", 2), ("enterprise", 3)
    >>> g = build_graph([
    ...     (a, ("address", 9), "at_address"), (b, ("address", 9), "at_address"),
    ...     (("person", 1), a, "legal_rep"), (("person", 1), c, "legal_rep"),
    ...     (b, c, "branch_of"),
    ... ])
    >>> p = explain_connection(g, a, b)
    >>> [n[0] for n in p.nodes], p.hops, p.strength.name
    (['enterprise', 'person', 'enterprise', 'enterprise'], 2, 'CONTROL')
    >>> explain_connection(g, a, b, kinds={"at_address"}).strength.name
    'SHARED'
    >>> explain_connection(g, a, ("enterprise", 99)) is None
    True
    """
    if a not in g or b not in g:
        return None
    if a == b:
        return Path((a,), ())
    walker = _Walker(g, kinds, cap, hub_kinds)
    start = Path((a,), ())
    counter = itertools.count()
    heap: list[tuple[_Cost, int, Node, Path]] = [((0, 0, 0), next(counter), a, start)]
    settled: set[tuple[Node, int]] = set()
    while heap:
        cost, _, node, path = heapq.heappop(heap)
        if node == b:
            return path
        if (node, cost[2]) in settled or cost[2] >= max_hops:
            continue
        settled.add((node, cost[2]))
        for step in walker.steps(node):
            if step.target in path.nodes:
                continue
            weak = step.strength
            after = (
                cost[0] + (weak is Strength.SHARED),
                cost[1] + (weak is Strength.SHAREHOLDING),
                cost[2] + 1,
            )
            middle = () if step.via is None else (step.via,)
            extended = Path(path.nodes + middle + (step.target,), path.links + step.links)
            heapq.heappush(heap, (after, next(counter), step.target, extended))
    return None


def control_group(g: Any, start: Node) -> set[Node]:
    """The group (集团) of ``start``: its connected component through control edges only.

    Control edges: legal representative, shareholder with at least :data:`CONTROL_SHARE`,
    branch of, successor of. Persons who control members are in the set too; shared
    addresses and phones never join a group.

    Raises
    ------
    networkx.NodeNotFound
        If ``start`` is not in ``g``.

    Examples
    --------
    >>> a, b, c, d = (("enterprise", i) for i in range(1, 5))
    >>> g = build_graph([
    ...     (("person", 1), a, "legal_rep"), (("person", 1), b, "shareholder", 0.51),
    ...     (c, b, "branch_of"), (("person", 2), d, "shareholder", 0.2),
    ...     (("person", 2), c, "shareholder", 0.2), (a, ("phone", 5), "has_phone"),
    ... ])
    >>> sorted(control_group(g, c))
    [('enterprise', 1), ('enterprise', 2), ('enterprise', 3), ('person', 1)]
    """
    _require(g, start)
    group = {start}
    frontier = [start]
    while frontier:
        following: list[Node] = []
        for node in frontier:
            for other, link in _best_links(g, node, CONTROL_KINDS).items():
                if link.strength is Strength.CONTROL and other not in group:
                    group.add(other)
                    following.append(other)
        frontier = following
    return group
