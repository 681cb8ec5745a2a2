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

__all__ = ["describe_path", "local_risk", "neighbours", "province_risks", "stored_own_tiers"]

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


def province_risks(
    session: Session, seeds: Mapping[int, str], as_of: date, config: RiskConfig
) -> dict[int, float]:
    """Capped graph risk of every enterprise that has some, from the edges open on the day."""
    if not any(t in config.seed_risk for t in seeds.values()):
        return {}
    index: dict[tuple[str, int], int] = {}
    kinds: list[int] = []

    def node(kind: str, node_id: int) -> int:
        key = (kind, node_id)
        found = index.get(key)
        if found is None:
            found = index[key] = len(kinds)
            kinds.append(_NODE_CODE[kind])
        return found

    src: list[int] = []
    dst: list[int] = []
    edge_kind: list[int] = []
    share: list[float] = []
    stmt = select(
        GraphEdge.src_kind,
        GraphEdge.src_id,
        GraphEdge.dst_kind,
        GraphEdge.dst_id,
        GraphEdge.kind,
        GraphEdge.share,
    ).where(is_open(as_of))
    for sk, sid, dk, did, kind, sh in session.execute(stmt.execution_options(yield_per=50_000)):
        src.append(node(sk.value, sid))
        dst.append(node(dk.value, did))
        edge_kind.append(_EDGE_CODE[kind.value])
        share.append(np.nan if sh is None else sh)
    if not src:
        return {}
    arrays = EdgeArrays(
        np.asarray(kinds, dtype=np.int8),
        np.asarray(src, dtype=np.int64),
        np.asarray(dst, dtype=np.int64),
        np.asarray(edge_kind, dtype=np.int8),
        np.asarray(share, dtype=np.float64),
    )
    seed_map = {index[(ENT, eid)]: t for eid, t in seeds.items() if (ENT, eid) in index}
    risk = RiskPropagator(arrays, config).propagate(seed_map)
    return {
        node_id: float(risk[i])
        for (kind, node_id), i in index.items()
        if kind == ENT and risk[i] > 0
    }


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
