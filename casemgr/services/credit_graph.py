"""Graph risk (关联风险) of enterprises from the stored graph, for :mod:`credit.graph_risk`.

Two ways, the same numbers (``credit.graph_risk`` tests that a neighbourhood's explanation adds
up to the whole-province propagation):

* :func:`province_risks` reads every edge open on the day from ``graph_edges`` into arrays and
  propagates once with scipy.sparse: the nightly run over all enterprises.
* :func:`local_risk` reads the neighbourhood of one enterprise hop by hop from the indexed
  edge table (hubs over the cap are not crossed) and explains its risk path by path: the
  incremental rescoring after a case event and the explanation shown to users.

Seeds are enterprises whose *own* tier (from their records, without graph risk) is a seed tier
of the configuration (red, black): the tiers being computed in the same run where given,
otherwise the stored ``own_tier`` in force on the day.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import date
from typing import Any

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from casemgr.models import CreditScore, GraphEdge
from casemgr.repositories.graph import chunks, is_open
from casemgr.services.graph import _Neighbourhood
from credit.graph_risk import (
    EdgeArrays,
    EdgeKind,
    NodeKind,
    RiskConfig,
    RiskExplanation,
    RiskPropagator,
    explain_risk,
)

__all__ = [
    "ProvinceGraph",
    "describe_path",
    "local_risk",
    "neighbours",
    "province_risks",
    "stored_own_tiers",
]

ENT = "enterprise"
_NODE_CODE = {k.name.lower(): k.value for k in NodeKind}
_EDGE_CODE = {k.name.lower(): k.value for k in EdgeKind}


def stored_own_tiers(
    session: Session, scheme_key: str, on: date, ids: Collection[int] | None = None
) -> dict[int, str]:
    """The own tier in force on a day of each enterprise that has a seed-capable one (all
    enterprises, or the ones given)."""
    latest = (
        select(func.max(CreditScore.id))
        .where(CreditScore.scheme == scheme_key, CreditScore.as_of <= on)
        .group_by(CreditScore.enterprise_id)
    )
    out: dict[int, str] = {}
    parts = [None] if ids is None else list(chunks(sorted(ids), 5000))
    for part in parts:
        stmt = latest if part is None else latest.where(CreditScore.enterprise_id.in_(part))
        rows = session.execute(
            select(CreditScore.enterprise_id, CreditScore.own_tier).where(
                CreditScore.id.in_(stmt.scalar_subquery()), CreditScore.own_tier.is_not(None)
            )
        )
        out.update((eid, tier) for eid, tier in rows if tier)
    return out


def _codes(column: str, codes: Mapping[str, int]) -> str:
    whens = " ".join(f"WHEN '{name}' THEN {code}" for name, code in codes.items())
    return f"(CASE {column} {whens} ELSE -1 END)::int2"


# One open edge as a fixed-size tuple of PostgreSQL's binary COPY: a field count (int16), then
# each field's length (int32) and value, big-endian. Every field is NOT NULL and fixed-width.
_ROW = np.dtype(
    [
        ("n", ">i2"),
        ("l0", ">i4"), ("src_kind", ">i2"),
        ("l1", ">i4"), ("src_id", ">i8"),
        ("l2", ">i4"), ("dst_kind", ">i2"),
        ("l3", ">i4"), ("dst_id", ">i8"),
        ("l4", ">i4"), ("kind", ">i2"),
        ("l5", ">i4"), ("share", ">f8"),
    ]
)  # fmt: skip
_HEADER = 19  # signature (11), flags (4), header extension length (4)


def _edges_postgresql(session: Session, as_of: date) -> tuple[np.ndarray, ...]:
    """The open edges as arrays, read with a binary COPY and parsed by numpy (5,000,000 edges
    in seconds, where row objects take minutes)."""
    connection = session.connection()
    where = is_open(as_of).compile(
        dialect=connection.dialect, compile_kwargs={"literal_binds": True}
    )
    sql = (
        f"COPY (SELECT {_codes('src_kind', _NODE_CODE)}, src_id::int8, "
        f"{_codes('dst_kind', _NODE_CODE)}, dst_id::int8, {_codes('kind', _EDGE_CODE)}, "
        f"coalesce(share, 'NaN')::float8 FROM graph_edges WHERE {where}) "
        "TO STDOUT (FORMAT binary)"
    )
    raw = connection.connection.driver_connection
    assert raw is not None
    buffer = bytearray()
    with raw.cursor() as cur, cur.copy(sql) as copy:
        for block in copy:
            buffer += block
    body = memoryview(buffer)[_HEADER : len(buffer) - 2]  # less the trailer (-1 as int16)
    rows = np.frombuffer(body, dtype=_ROW)
    return tuple(
        rows[name].astype(dtype)
        for name, dtype in (
            ("src_kind", np.int64),
            ("src_id", np.int64),
            ("dst_kind", np.int64),
            ("dst_id", np.int64),
            ("kind", np.int8),
            ("share", np.float64),
        )
    )


def _edges_generic(session: Session, as_of: date) -> tuple[np.ndarray, ...]:
    stmt = select(
        GraphEdge.src_kind,
        GraphEdge.src_id,
        GraphEdge.dst_kind,
        GraphEdge.dst_id,
        GraphEdge.kind,
        GraphEdge.share,
    ).where(is_open(as_of))
    cols: tuple[list[Any], ...] = ([], [], [], [], [], [])
    for sk, sid, dk, did, kind, sh in session.execute(stmt.execution_options(yield_per=50_000)):
        cols[0].append(_NODE_CODE[sk.value])
        cols[1].append(sid)
        cols[2].append(_NODE_CODE[dk.value])
        cols[3].append(did)
        cols[4].append(_EDGE_CODE[kind.value])
        cols[5].append(np.nan if sh is None else sh)
    return (
        *(np.asarray(c, dtype=np.int64) for c in cols[:4]),
        np.asarray(cols[4], dtype=np.int8),
        np.asarray(cols[5], dtype=np.float64),
    )


_SHIFT = 48  # node key: kind code << 48 | id


class ProvinceGraph:
    """Every edge open on a day, numbered and turned into the propagation's operators once
    (:class:`credit.graph_risk.RiskPropagator`), for any set of seeds: the nightly run reads
    it while its workers assess the enterprises, and propagates when their seeds are in."""

    def __init__(self, session: Session, as_of: date, config: RiskConfig) -> None:
        postgres = session.connection().dialect.name == "postgresql"
        read = _edges_postgresql if postgres else _edges_generic
        src_kind, src_id, dst_kind, dst_id, edge_kind, share = read(session, as_of)
        self.keys = np.zeros(0, dtype=np.int64)
        self.propagator: RiskPropagator | None = None
        if not len(src_id):
            return
        ends = np.concatenate(((src_kind << _SHIFT) | src_id, (dst_kind << _SHIFT) | dst_id))
        del src_kind, src_id, dst_kind, dst_id
        self.keys, index = np.unique(ends, return_inverse=True)
        del ends
        n = len(index) // 2
        arrays = EdgeArrays(
            (self.keys >> _SHIFT).astype(np.int8),
            index[:n].astype(np.int64),
            index[n:].astype(np.int64),
            edge_kind,
            share,
        )
        self.propagator = RiskPropagator(arrays, config)

    def risks(self, seeds: Mapping[int, str]) -> dict[int, float]:
        """Capped graph risk of every enterprise that has some, from the seeds (enterprise id:
        own tier)."""
        if self.propagator is None or not any(
            t in self.propagator.config.seed_risk for t in seeds.values()
        ):
            return {}
        keys, ent = self.keys, _NODE_CODE[ENT]
        seed_ids = np.fromiter(seeds, dtype=np.int64, count=len(seeds))
        wanted = (ent << _SHIFT) | seed_ids
        at = np.minimum(np.searchsorted(keys, wanted), len(keys) - 1)
        present = keys[at] == wanted
        seed_map = {
            int(i): seeds[int(eid)] for i, eid in zip(at[present], seed_ids[present], strict=True)
        }
        risk = self.propagator.propagate(seed_map)
        hit = np.flatnonzero(((keys >> _SHIFT) == ent) & (risk > 0))
        return {int(keys[i] & ((1 << _SHIFT) - 1)): float(risk[i]) for i in hit}


def province_risks(
    session: Session, seeds: Mapping[int, str], as_of: date, config: RiskConfig
) -> dict[int, float]:
    """Capped graph risk of every enterprise that has some, from the edges open on the day."""
    if not any(t in config.seed_risk for t in seeds.values()):
        return {}
    return ProvinceGraph(session, as_of, config).risks(seeds)


def _hood(session: Session, enterprise_id: int, as_of: date, config: RiskConfig) -> Any:
    hood = _Neighbourhood(session, as_of, None, config.hub_cap)
    hood.expand((ENT, enterprise_id), config.max_hops)
    return hood.graph((ENT, enterprise_id))


def neighbours(session: Session, enterprise_id: int, as_of: date, config: RiskConfig) -> set[int]:
    """Enterprises within ``max_hops`` relations (whose graph risk an own-tier change moves)."""
    g = _hood(session, enterprise_id, as_of, config)
    return {n[1] for n in g.nodes if n[0] == ENT and n[1] != enterprise_id}


def local_risk(
    session: Session,
    enterprise_id: int,
    seeds: Mapping[int, str],
    as_of: date,
    config: RiskConfig,
    scheme_key: str,
) -> RiskExplanation:
    """The enterprise's graph risk explained path by path. ``seeds`` gives tiers computed in
    this run; other enterprises of the neighbourhood use their stored own tier in force."""
    g = _hood(session, enterprise_id, as_of, config)
    ids = {n[1] for n in g.nodes if n[0] == ENT}
    tiers = stored_own_tiers(session, scheme_key, as_of, ids - set(seeds))
    tiers.update((eid, t) for eid, t in seeds.items() if eid in ids and t)
    return explain_risk(
        g, (ENT, enterprise_id), {(ENT, eid): t for eid, t in tiers.items()}, config=config
    )


def describe_path(path: Any) -> str:
    """A path as one line: ``enterprise:12(red) -legal_rep- person:7 -legal_rep- enterprise:3
    = 3.2``, seed first."""
    parts = [f"{path.nodes[0][0]}:{path.nodes[0][1]}({path.tier})"]
    for link, node in zip(path.links, path.nodes[1:], strict=True):
        parts.append(f"-{link.kind}- {node[0]}:{node[1]}")
    return f"{' '.join(parts)} = {path.contribution:.4g}"
