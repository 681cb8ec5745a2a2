"""Graph risk (关联风险): a red or black enterprise raises the risk of the enterprises tied to it.

Risk spreads (传导, transmission) over the enterprise graph of :mod:`linkage.graph`: enterprises,
persons, addresses and phones as nodes; legal representative, shareholder (with share),
branch-of, successor-of, same address and same phone as edges. Direction is ignored (a red
branch weighs on its parent as a red parent on its branch: [R] assumption).

The model
---------
* Every edge has a **transmission factor** in [0, 1] by its kind (and share, for shareholders):
  :class:`RiskConfig`. Parallel edges between the same two nodes count once, by the strongest
  (a branch listed by both sides is one tie, as in :mod:`linkage.graph`).
* **Hops count relations between enterprises**: a branch (enterprise - enterprise) and a shared
  legal representative (enterprise - person - enterprise) are both one hop. Persons, addresses
  and phones are connectors: they pass risk on and are never scored. A connector of a hub kind
  with more than ``hub_cap`` enterprises (a business-park address) does not transmit.
* A **path** is a simple path (no node twice, so no connector twice) from a seed enterprise
  to another enterprise within ``max_hops`` relations. Its contribution is the seed's risk
  times the product of its edges' factors times ``decay ** (hops - 1)``.
* An enterprise's graph risk is the **sum** of the contributions of all paths from seeds
  other than itself, capped at ``cap`` points. Its own tier is not graph risk: a red
  enterprise's own record is scored by its indicators, and counting it again through paths
  that come back to it would score the same facts twice. It still receives risk from *other*
  seeds (a yellow seed next to a red one).

Sum, not max. A maximum over paths would make two red partners no worse than one, and
the risk of each seed would vanish behind the strongest. The sum keeps every seed's share
and is always the sum of the listed paths of :func:`explain_risk`, so each point is
explained by a path; the ``cap`` bounds it. Parallel edges count once and no path
crosses the same connector twice, so a person representing 400 enterprises passes a seed's
risk to each of the others once, not 398 more times around the group.

Why at most two hops. The whole-province propagation is a fixed number of sparse
products (:class:`RiskPropagator`): walks of one and two relations, minus, in closed form,
the walks that are not simple paths (back to their start, or twice through one connector).
At three relations the walks to subtract multiply (cycles of every shape through each
node, passing the start midway); they are not derived or tested here, and a plain walk sum
would double count around every shared address and legal representative. So ``max_hops``
is 1 or 2 (the 一度/二度关联 of practice [R]); three hops remain a display matter for
``GET .../related``.

No iteration, no tolerance: exactly ``max_hops`` steps, so nothing can stop early (the
trap of ``nx.pagerank``, whose L1 stop rule ``N x tol`` ends after one iteration at
N = 1,000,000 with the default tolerance).
"""

from __future__ import annotations

import enum
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from linkage.graph import CONTROL_SHARE, DEFAULT_HUB_CAP, Link, Node

__all__ = [
    "EdgeArrays", "EdgeKind", "NodeKind", "RiskConfig", "RiskExplanation", "RiskPath",
    "RiskPropagator", "explain_risk", "propagate_risk",
]  # fmt: skip

Floats = npt.NDArray[np.float64]
_ROUNDING = 1e-12  # points: below this, a propagated value is rounding of subtracted walks
Ints = npt.NDArray[np.int64]


class NodeKind(enum.IntEnum):
    """Node kind codes of :class:`EdgeArrays` (the names of ``casemgr`` ``NodeKind``)."""

    ENTERPRISE = 0  # scored; the only kind that can be a seed
    PERSON = 1  # connector: legal representative or shareholder
    ADDRESS = 2  # connector: a registered address (hub when shared by a business park)
    PHONE = 3  # connector: a phone number (hub when an accounting agency's)


class EdgeKind(enum.IntEnum):
    """Edge kind codes of :class:`EdgeArrays` (the names of ``casemgr`` ``EdgeKind``)."""

    LEGAL_REP = 0  # 法定代表人: person → enterprise
    SHAREHOLDER = 1  # 股东, with share 0..1 (NaN: unknown): person or enterprise → enterprise
    BRANCH_OF = 2  # 分支机构: branch → parent
    SUCCESSOR_OF = 3  # 承继: successor → predecessor
    AT_ADDRESS = 4  # enterprise → address
    HAS_PHONE = 5  # enterprise → phone


def _name(kind: enum.IntEnum) -> str:
    return kind.name.lower()


@dataclass(frozen=True)
class RiskConfig:
    """How graph risk is transmitted; every default is an [R] assumption, configurable.

    No source fixes these numbers (DOMAIN.md §4 has no graph rule); a scheme overrides them.

    Attributes
    ----------
    legal_rep : float
        Factor of a legal-representative edge (0.8 [R] assumption, configurable); a shared
        representative (two edges) transmits 0.8 x 0.8 = 0.64.
    shareholder_control : float
        Factor of a shareholding of at least ``control_share`` (0.8 [R] assumption,
        configurable).
    shareholder_minority : float
        Factor per unit of share below control: a 30 % holding transmits 0.3 x 0.8 = 0.24
        ([R] assumption, configurable).
    control_share : float
        Control threshold, ``linkage.graph.CONTROL_SHARE`` (0.5: 公司法 2023 art. 265(2),
        with half as joint control).
    unknown_share : float
        Share assumed when none is recorded (0.1 [R] assumption, configurable).
    branch_of, successor_of : float
        Factors of a branch and of a successor (0.9 each [R] assumption, configurable).
    at_address, has_phone : float
        Factors of an address and a phone edge (0.3 each [R] assumption, configurable): a
        shared address transmits 0.09.
    decay : float
        Multiplies a path's contribution once per hop after the first (0.5 [R] assumption,
        configurable).
    max_hops : int
        Relations a path may span: 1 or 2 (2 [R] assumption, configurable; see the module).
    hub_cap, hub_kinds
        A connector of ``hub_kinds`` joined to more than ``hub_cap`` enterprises does not
        transmit (``linkage.graph.DEFAULT_HUB_CAP``, addresses and phones).
    seed_risk : mapping of str to float
        Points a seed of each tier starts with (red 10, black 20 [R] assumption,
        configurable); a scheme may add ``yellow``. Other tiers are not seeds.
    cap : float
        At most this many graph-risk points per enterprise (10 [R] assumption, configurable).

    Examples
    --------
    >>> RiskConfig().edge_factor("shareholder", 0.3)
    0.24
    >>> RiskConfig(decay=1.5)
    Traceback (most recent call last):
    ...
    ValueError: RiskConfig.decay must be in [0, 1], got 1.5
    """

    legal_rep: float = 0.8
    shareholder_control: float = 0.8
    shareholder_minority: float = 0.8
    control_share: float = CONTROL_SHARE
    unknown_share: float = 0.1
    branch_of: float = 0.9
    successor_of: float = 0.9
    at_address: float = 0.3
    has_phone: float = 0.3
    decay: float = 0.5
    max_hops: int = 2
    hub_cap: int = DEFAULT_HUB_CAP
    hub_kinds: frozenset[str] = frozenset({"address", "phone"})
    seed_risk: Mapping[str, float] = field(
        default_factory=lambda: MappingProxyType({"red": 10.0, "black": 20.0})
    )
    cap: float = 10.0

    def __post_init__(self) -> None:
        unit = (
            "legal_rep", "shareholder_control", "shareholder_minority", "unknown_share",
            "branch_of", "successor_of", "at_address", "has_phone", "decay",
        )  # fmt: skip
        for name in unit:
            _check(name, getattr(self, name), 0.0, 1.0)
        _check("control_share", self.control_share, 1e-9, 1.0)
        if self.max_hops not in (1, 2):
            raise ValueError(f"RiskConfig.max_hops must be 1 or 2, got {self.max_hops!r}")
        if not isinstance(self.hub_cap, int) or self.hub_cap < 0:
            raise ValueError(f"RiskConfig.hub_cap must be an integer >= 0, got {self.hub_cap!r}")
        connectors = {_name(k) for k in NodeKind} - {"enterprise"}
        if not set(self.hub_kinds) <= connectors:
            bad = sorted(set(self.hub_kinds) - connectors)
            raise ValueError(f"RiskConfig.hub_kinds must be connector kinds, got {bad}")
        object.__setattr__(self, "hub_kinds", frozenset(self.hub_kinds))
        if not self.seed_risk:
            raise ValueError("RiskConfig.seed_risk must name at least one tier")
        for tier, points in self.seed_risk.items():
            _check(f"seed_risk[{tier!r}]", points, 0.0, math.inf)
        object.__setattr__(self, "seed_risk", MappingProxyType(dict(self.seed_risk)))
        _check("cap", self.cap, 0.0, math.inf)

    def edge_factor(self, kind: str, share: float | None = None) -> float:
        """Transmission factor of one edge of ``kind`` (``share`` for shareholders): what
        :meth:`edge_factors` gives for it, computed on floats (explaining a well-connected
        enterprise asks for thousands, where two small arrays per edge cost 20 µs)."""
        code = EdgeKind[kind.upper()]
        if code is not EdgeKind.SHAREHOLDER:
            return float(getattr(self, _name(code), 0.0))
        known = self.unknown_share if share is None or math.isnan(share) else share
        if known >= self.control_share:
            return float(self.shareholder_control)
        return float(self.shareholder_minority * known)

    def edge_factors(self, kind: npt.NDArray[Any], share: Floats) -> Floats:
        """Transmission factors of edges given as :class:`EdgeKind` codes and shares."""
        table = np.array([getattr(self, _name(k), 0.0) for k in EdgeKind], dtype=np.float64)
        factors: Floats = table[kind]
        holding = kind == EdgeKind.SHAREHOLDER
        known = share[holding]
        known = np.where(np.isnan(known), self.unknown_share, known)
        factors[holding] = np.where(
            known >= self.control_share,
            self.shareholder_control,
            self.shareholder_minority * known,
        )
        return factors


def _check(name: str, value: Any, low: float, high: float) -> None:
    if isinstance(value, int | float) and math.isfinite(value) and low <= value <= high:
        return
    bounds = f"in [{low:g}, {high:g}]" if math.isfinite(high) else f"finite and >= {low:g}"
    raise ValueError(f"RiskConfig.{name} must be {bounds}, got {value!r}")


@dataclass(frozen=True)
class EdgeArrays:
    """The province graph as arrays: nodes ``0..n-1`` with their kinds, and the edges.

    Attributes
    ----------
    node_kind : ndarray of int
        :class:`NodeKind` code of each node.
    src, dst : ndarray of int
        Endpoints of each edge (direction is ignored).
    kind : ndarray of int
        :class:`EdgeKind` code of each edge.
    share : ndarray of float
        Shareholders' share 0..1 (NaN when unknown); ignored for other kinds.

    Raises
    ------
    ValueError
        Arrays of different lengths, an index or code out of range, a self-loop, or an edge
        between two connectors (connectors only join enterprises).
    """

    node_kind: npt.NDArray[Any]
    src: npt.NDArray[Any]
    dst: npt.NDArray[Any]
    kind: npt.NDArray[Any]
    share: Floats

    def __post_init__(self) -> None:
        m = len(self.src)
        if not len(self.dst) == len(self.kind) == len(self.share) == m:
            raise ValueError("EdgeArrays: src, dst, kind and share must have the same length")
        n = len(self.node_kind)
        if m and (
            min(self.src.min(), self.dst.min()) < 0 or max(self.src.max(), self.dst.max()) >= n
        ):
            raise ValueError(f"EdgeArrays: an edge endpoint is not a node 0..{n - 1}")
        if m and not (0 <= self.kind.min() and self.kind.max() < len(EdgeKind)):
            raise ValueError("EdgeArrays.kind: unknown edge kind code")
        if n and not (0 <= self.node_kind.min() and self.node_kind.max() < len(NodeKind)):
            raise ValueError("EdgeArrays.node_kind: unknown node kind code")
        if np.any(self.src == self.dst):
            raise ValueError("EdgeArrays: an edge joins a node to itself")
        both = (self.node_kind[self.src] != NodeKind.ENTERPRISE) & (
            self.node_kind[self.dst] != NodeKind.ENTERPRISE
        )
        if np.any(both):
            raise ValueError(f"EdgeArrays: {int(both.sum())} edges join two connectors")

    @classmethod
    def from_graph(cls, g: Any) -> tuple[EdgeArrays, tuple[Node, ...]]:
        """Arrays of a :func:`linkage.graph.build_graph` graph, and the node of each index."""
        nodes = tuple(sorted(g.nodes))
        index = {node: i for i, node in enumerate(nodes)}
        rows = [
            (index[u], index[v], EdgeKind[d["kind"].upper()], d.get("share"))
            for u, v, d in g.edges(data=True)
        ]
        src, dst, kind, share = zip(*rows, strict=True) if rows else ((), (), (), ())
        arrays = cls(
            np.array([NodeKind[node[0].upper()] for node in nodes], dtype=np.int8),
            np.array(src, dtype=np.int64),
            np.array(dst, dtype=np.int64),
            np.array(kind, dtype=np.int8),
            np.array([math.nan if s is None else s for s in share], dtype=np.float64),
        )
        return arrays, nodes


def _strongest(rows: Ints, cols: Ints, factor: Floats, width: int) -> tuple[Ints, Ints, Floats]:
    """One entry per ``(row, col)``, the largest factor, sorted by row then column."""
    key = rows.astype(np.int64) * width + cols
    order = np.argsort(key)
    key = key[order]
    starts = np.flatnonzero(np.diff(key, prepend=-1))  # first edge of each pair
    strongest = np.maximum.reduceat(factor[order], starts) if len(key) else factor
    key = key[starts]
    return key // width, key % width, strongest


def _csr(data: Floats, rows: Ints, cols: Ints, shape: tuple[int, int]) -> Any:
    """A CSR array from entries already sorted by row and column, without duplicates."""
    indptr = np.zeros(shape[0] + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=shape[0]), out=indptr[1:])
    index = np.int32 if max(shape[1], len(data)) < 2**31 else np.int64
    return sp.csr_array((data, cols.astype(index), indptr.astype(index)), shape=shape)


def _sums(index: Ints, weights: Floats, size: int) -> Floats:
    return np.asarray(np.bincount(index, weights, minlength=size), dtype=np.float64)


def _same_pattern(m: Any, data: Floats) -> Any:
    return sp.csr_array((data, m.indices, m.indptr), shape=m.shape)


class RiskPropagator:
    """The transmission operators of one graph, built once (CSR), for any number of seed sets.

    Let ``A_EE`` be the enterprise-enterprise factors and ``A_EC`` the enterprise-connector
    factors (hubs removed, parallel edges collapsed to the strongest). For seeds ``s``:

    * one hop: ``y1 = A_EE s + A_EC A_CE s - d s`` (``d_i = sum_c A_ic^2`` removes
      enterprise → connector → the same enterprise);
    * two hops: the same step applied to ``y1``, minus the walks that are not simple paths:
      back to their start (``Omega_i s_i``, ``Omega_i = sum_j W_ij^2`` over the relation
      weights ``W_ij`` of seed rows) and twice through one connector (closed form in
      ``A_EC``, ``A_EC^3``, ``A_EC^4`` elementwise).

    Risk ``= min(cap, y1 + decay * y2)``. Cost: about one sparse product over all edges per
    hop, plus work proportional to the seeds' neighbourhoods.

    Parameters
    ----------
    edges : EdgeArrays
    config : RiskConfig

    Examples
    --------
    >>> kinds = np.array([NodeKind.ENTERPRISE, NodeKind.PERSON, NodeKind.ENTERPRISE])
    >>> edges = EdgeArrays(kinds, np.array([1, 1]), np.array([0, 2]),
    ...                    np.array([EdgeKind.LEGAL_REP] * 2), np.full(2, np.nan))
    >>> RiskPropagator(edges).propagate({0: "red"}).round(2).tolist()
    [0.0, 0.0, 6.4]
    """

    def __init__(self, edges: EdgeArrays, config: RiskConfig | None = None) -> None:
        self.config = cfg = config or RiskConfig()
        self.node_kind = edges.node_kind
        n = len(edges.node_kind)
        is_ent = edges.node_kind == NodeKind.ENTERPRISE
        self.enterprises = np.flatnonzero(is_ent)
        ne, nc = len(self.enterprises), n - len(self.enterprises)
        local = np.cumsum(is_ent) - 1  # enterprises and connectors numbered 0.. separately
        local_c = np.arange(n) - local - 1
        factor = cfg.edge_factors(edges.kind, edges.share)
        src_ent, dst_ent = is_ent[edges.src], is_ent[edges.dst]
        direct = src_ent & dst_ent
        # Enterprise - enterprise, both directions, parallel edges collapsed to the strongest.
        e1, e2 = local[edges.src[direct]], local[edges.dst[direct]]
        rows, cols, f_ee = _strongest(np.r_[e1, e2], np.r_[e2, e1], np.tile(factor[direct], 2), ne)
        self.a_ee = _csr(f_ee, rows, cols, (ne, ne))
        # Enterprise - connector, the same; then hubs removed.
        via = ~direct
        ent = local[np.where(src_ent, edges.src, edges.dst)[via]]
        con = local_c[np.where(src_ent, edges.dst, edges.src)[via]]
        rows, cols, f = _strongest(ent, con, factor[via], nc)
        hub_codes = [NodeKind[k.upper()] for k in cfg.hub_kinds]
        hub = np.isin(edges.node_kind[~is_ent], hub_codes)
        hub &= np.bincount(cols, minlength=nc) > cfg.hub_cap
        keep = ~hub[cols] & (f > 0)
        rows, cols, f = rows[keep], cols[keep], f[keep]
        self.a_ec = _csr(f, rows, cols, (ne, nc))
        self.a_ce = self.a_ec.T.tocsr()
        self.a_ce3 = _same_pattern(self.a_ce, self.a_ce.data**3)  # per connector
        f2 = f * f
        self.d = _sums(rows, f2, ne)  # per enterprise: sum_c A_ic^2
        self.d2 = _sums(cols, f2, nc)  # per connector: sum_i A_ic^2
        self.h2 = _sums(rows, f2 * self.d2[cols], ne)
        self.h4 = _sums(rows, f2 * f2, ne)

    def seed_vector(self, seeds: Mapping[int, str] | Floats) -> Floats:
        """Seed points per enterprise (compact numbering) from tiers by node or points by node.

        Raises
        ------
        ValueError
            A seed on a connector, a negative or non-finite seed, or an array of the wrong length.
        """
        n = len(self.node_kind)
        if isinstance(seeds, Mapping):
            points = np.zeros(n)
            for node, tier in seeds.items():
                points[node] = self.config.seed_risk.get(tier, 0.0)
        else:
            points = np.asarray(seeds, dtype=np.float64)
            if points.shape != (n,):
                raise ValueError(f"seeds: expected {n} values, got shape {points.shape}")
        s = np.asarray(points[self.enterprises], dtype=np.float64)
        if np.count_nonzero(s) != np.count_nonzero(points):  # NaN counts as non-zero too
            raise ValueError("seeds: only enterprises can be seeds")
        if not np.all(np.isfinite(s)) or np.any(s < 0):
            raise ValueError("seeds: seed risk must be finite and >= 0")
        return s

    def propagate(self, seeds: Mapping[int, str] | Floats, *, capped: bool = True) -> Floats:
        """Graph risk of every node (0 for connectors) from ``seeds``.

        Parameters
        ----------
        seeds : mapping of int to str, or ndarray
            Tier by node index (tiers outside ``seed_risk`` are ignored), or seed points for
            every node.
        capped : bool
            False returns the sum over paths before the cap (what :func:`explain_risk`
            adds up).
        """
        s = self.seed_vector(seeds)
        rows = np.flatnonzero(s)
        near = self.a_ec[rows]  # the seeds' connectors: seed-local work from here
        g = near.T @ s[rows]  # risk arriving at each connector
        active = np.flatnonzero(g)
        y1 = self.a_ee @ s + self.a_ce[active].T @ g[active] - self.d * s
        raw = y1
        if self.config.max_hops == 2:
            cube = _same_pattern(near, near.data**3)
            u = self.a_ce @ y1 - self.d2 * g + cube.T @ s[rows]
            omega = np.zeros(len(s))
            omega[rows] = self._omega(rows, near)
            y2 = (
                self.a_ee @ y1 + self.a_ec @ u - self.d * y1
                + self.a_ce3[active].T @ g[active]
                - s * (omega - self.h2 + 2 * self.h4)
            )  # fmt: skip
            raw = y1 + self.config.decay * y2
        raw[raw < _ROUNDING] = 0.0  # what is left of the subtracted walks
        out = np.zeros(len(self.node_kind))
        out[self.enterprises] = np.minimum(raw, self.config.cap) if capped else raw
        return out

    def _omega(self, rows: Ints, near: Any) -> Floats:
        """``sum_j W_ij^2`` for the seed ``rows``: the walks i → j → i of two relations."""
        w = self.a_ee[rows] + near @ self.a_ce
        return np.asarray(w.power(2).sum(axis=1)).ravel() - self.d[rows] ** 2


def propagate_risk(
    edges: EdgeArrays,
    seeds: Mapping[int, str] | Floats,
    *,
    config: RiskConfig | None = None,
    capped: bool = True,
) -> Floats:
    """Graph risk of every node of ``edges`` from ``seeds`` (see :class:`RiskPropagator`).

    Examples
    --------
    >>> kinds = np.array([NodeKind.ENTERPRISE] * 3)
    >>> edges = EdgeArrays(kinds, np.array([1, 2]), np.array([0, 1]),
    ...                    np.array([EdgeKind.BRANCH_OF] * 2), np.full(2, np.nan))
    >>> propagate_risk(edges, {0: "red"}).round(3).tolist()  # 10 x 0.9; 10 x 0.9 x 0.9 x 0.5
    [0.0, 9.0, 4.05]
    """
    return RiskPropagator(edges, config).propagate(seeds, capped=capped)


@dataclass(frozen=True)
class RiskPath:
    """One path from a seed to the explained enterprise, with its contribution.

    ``nodes`` run from the seed to the target; ``links[i]`` (as stored, with provenance)
    joins ``nodes[i]`` and ``nodes[i + 1]`` with transmission factor ``factors[i]``.
    """

    seed: Node
    tier: str
    seed_risk: float
    nodes: tuple[Node, ...]
    links: tuple[Link, ...]
    factors: tuple[float, ...]
    hops: int
    contribution: float


@dataclass(frozen=True)
class RiskExplanation:
    """Graph risk of ``target``: its paths, strongest first, ``raw`` their sum before the
    cap and ``risk`` after it."""

    target: Node
    paths: tuple[RiskPath, ...]
    raw: float
    risk: float

    @property
    def capped(self) -> bool:
        return self.raw > self.risk


def _links(g: Any, node: Node, cfg: RiskConfig) -> dict[Node, tuple[float, Link]]:
    best: dict[Node, tuple[float, Link]] = {}
    for u, v, d in [*g.out_edges(node, data=True), *g.in_edges(node, data=True)]:
        other = v if u == node else u
        factor = cfg.edge_factor(d["kind"], d.get("share"))
        if factor > 0 and factor > best.get(other, (0.0,))[0]:
            link = Link(
                u, v, d["kind"], d.get("share"), d.get("source", ""),
                d.get("batch_id"), d.get("valid_from"),
            )  # fmt: skip
            best[other] = (factor, link)
    return best


def _is_hub(g: Any, node: Node, cfg: RiskConfig) -> bool:
    """Over the cap: the ``degree`` attribute (whole graph), else its enterprises in ``g``."""
    if node[0] not in cfg.hub_kinds:
        return False
    degree = g.nodes[node].get("degree")
    if degree is None:
        others = set(g.successors(node)) | set(g.predecessors(node))
        degree = sum(1 for other in others if other[0] == "enterprise")
    return int(degree) > cfg.hub_cap


def _hops_to_seeds(
    g: Any,
    seeds: Mapping[Node, str],
    cfg: RiskConfig,
    around: Callable[[Node], Mapping[Node, tuple[float, Link]]],
) -> dict[Node, int]:
    """Relations (enterprise to enterprise, directly or through a connector that is not a hub)
    from each enterprise of ``g`` to the nearest seed, up to ``max_hops - 1``; enterprises
    further away are left out. Breadth first from the seeds: relations go both ways."""
    frontier = [n for n, t in seeds.items() if n in g and cfg.seed_risk.get(t, 0.0) > 0]
    near = dict.fromkeys(frontier, 0)
    for depth in range(1, cfg.max_hops):
        reached: list[Node] = []
        for node in frontier:
            for other in around(node):
                if other[0] == "enterprise":
                    ends: Iterable[Node] = (other,)
                elif not _is_hub(g, other, cfg):
                    ends = (end for end in around(other) if end[0] == "enterprise")
                else:
                    continue
                for end in ends:
                    if end not in near:
                        near[end] = depth
                        reached.append(end)
        frontier = reached
    return near


def explain_risk(
    g: Any, target: Node, seeds: Mapping[Node, str], *, config: RiskConfig | None = None
) -> RiskExplanation:
    """The paths from seeds to ``target`` in ``g`` and what each contributes.

    Parameters
    ----------
    g : networkx.MultiDiGraph
        A neighbourhood of ``target`` (:func:`linkage.graph.build_graph`) holding every node
        within ``max_hops`` relations; a connector's ``degree`` attribute, when present, is
        its number of enterprises in the whole graph and decides the hub cap.
    target : Node
        An enterprise.
    seeds : mapping of Node to str
        Tier by enterprise; tiers outside ``config.seed_risk`` are not seeds.
    config : RiskConfig, optional

    Returns
    -------
    RiskExplanation
        ``raw`` is the sum of the contributions, equal to :func:`propagate_risk` with
        ``capped=False`` on the same graph; ``risk`` is ``min(raw, cap)``.

    Examples
    --------
    >>> from linkage.graph import build_graph
    >>> a, b, zhang = ("enterprise", 1), ("enterprise", 2), ("person", 9)
    >>> g = build_graph([(zhang, a, "legal_rep"), (zhang, b, "legal_rep")])
    >>> found = explain_risk(g, b, {a: "red"})
    >>> [(p.nodes, p.factors, round(p.contribution, 2)) for p in found.paths]
    [((('enterprise', 1), ('person', 9), ('enterprise', 2)), (0.8, 0.8), 6.4)]
    """
    cfg = config or RiskConfig()
    if target not in g or target[0] != "enterprise":
        raise ValueError(f"explain_risk: {target!r} is not an enterprise of the graph")
    links: dict[Node, dict[Node, tuple[float, Link]]] = {}

    def around(node: Node) -> dict[Node, tuple[float, Link]]:
        if node not in links:
            links[node] = _links(g, node, cfg)
        return links[node]

    found: list[RiskPath] = []
    near = _hops_to_seeds(g, seeds, cfg, around)
    unreachable = cfg.max_hops + 1

    def walk(path: list[Node], steps: list[tuple[float, Link]], hops: int) -> None:
        # An enterprise is worth entering only when a seed lies within the hops left after it
        # (``near`` is a lower bound on any simple path's length): the paths found are the
        # same, without walking the branches of a large neighbourhood that lead to no seed.
        left = cfg.max_hops - hops - 1
        for other, step in around(path[-1]).items():
            if other in path:
                continue
            if other[0] == "enterprise":
                if near.get(other, unreachable) <= left:
                    extend(path + [other], steps + [step], hops + 1)
            elif not _is_hub(g, other, cfg):
                for end, second in around(other).items():
                    if (
                        end[0] == "enterprise"
                        and end not in path
                        and near.get(end, unreachable) <= left
                    ):
                        extend(path + [other, end], steps + [step, second], hops + 1)

    def extend(path: list[Node], steps: list[tuple[float, Link]], hops: int) -> None:
        seed = path[-1]
        points = cfg.seed_risk.get(seeds.get(seed, ""), 0.0)
        if points > 0:
            factors = tuple(f for f, _ in reversed(steps))
            value = points * math.prod(factors) * cfg.decay ** (hops - 1)
            nodes, hop_links = tuple(reversed(path)), tuple(link for _, link in reversed(steps))
            tier = seeds[seed]
            found.append(RiskPath(seed, tier, points, nodes, hop_links, factors, hops, value))
        if hops < cfg.max_hops:
            walk(path, steps, hops)

    walk([target], [], 0)
    found.sort(key=lambda p: (-p.contribution, p.hops, p.nodes))
    raw = math.fsum(p.contribution for p in found)
    return RiskExplanation(target, tuple(found), raw, min(raw, cfg.cap))
