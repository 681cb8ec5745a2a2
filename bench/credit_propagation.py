"""Graph-risk propagation over a province-sized enterprise graph, against scipy and networkx.

Issue 6 asks for the graph-propagation step within 2x of a bare scipy.sparse propagation on the
same graph, with networkx's own ``pagerank`` as the naive baseline. This file generates its own
graph (numpy, seeded, no database) and times, each phase in its own process:

* **ours**: :class:`credit.graph_risk.RiskPropagator` built from the edge arrays (factors by
  kind and share, parallel edges collapsed, hubs removed, CSR operators) and its propagation
  (two hops, simple paths only, capped);
* **bare**: ``scipy.sparse.csr_array`` built from the same edge arrays (unit weights, both
  directions) and the same number of steps ``x <- A x`` with no per-kind logic; also twice as
  many steps (a relation through a person is two edges), for context;
* **networkx**: ``nx.Graph`` built from the same edges (with their factors as weights) and
  ``nx.pagerank(G)`` with its default tolerance, then ``nx.pagerank(G, max_iter=1)``: if the
  latter returns instead of raising ``PowerIterationFailedConvergence``, the default stopping
  rule (L1 change < N x tol) is met after one iteration.

The graph (``--enterprises``, default 1,000,000; about 5 edges an enterprise):

* legal representatives: persons representing 1 (80 %), 2 (12.5 %), 3 (5 %) enterprises or a
  long tail (2.5 %, Pareto alpha 2, 4 to 400: professional nominees);
* shareholders: 1-7 per enterprise (mean about 2.1), the legal representative first (all of it
  when alone, else 30-80 %), the rest split among one-off persons (70 %), investors holding
  stakes in several enterprises (22 %) and holding enterprises (8 %), portfolios of 2-3
  mostly, up to 9 often, a long tail up to 300;
* branches (5 %, parents with portfolios of the same sizes) and successors (1 %);
* addresses: 78 % alone, 12 % in buildings of 2-5, 10 % in business parks of 10 to 3,000
  (Pareto: the big ones are hubs over the cap of 50); 5 % also keep a former address;
* phones: 85 % of the enterprises; the representative's mobile shared by 60 % of a
  multi-enterprise person's enterprises, accounting agencies' landlines (8 %, up to a few
  thousand: hubs), the rest unique;
* seeds: 2 % of the enterprises red.

Times are medians of ``--runs`` runs (networkx: one run, it takes minutes); peak memory is the
growth of the process's peak RSS over the RSS after loading the edge arrays (``VmHWM`` reset
through ``/proc/self/clear_refs``). The 1-minute load average is read before and after each
phase: the machine is shared. A sample of enterprises is checked against
:func:`credit.graph_risk.explain_risk` on its own small networkx neighbourhood, the way casemgr
explains one enterprise. Nothing here is a test: speed is never asserted.

Usage::

    .venv/bin/python bench/credit_propagation.py [--enterprises 1000000] [--runs 5] [--out F]
    .venv/bin/python bench/credit_propagation.py --enterprises 20000 --runs 3   # quick
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from credit.graph_risk import EdgeArrays, EdgeKind, NodeKind, RiskConfig  # noqa: E402

KIND = {k.name: int(k) for k in EdgeKind}


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


# ------------------------------------------------------------------------------------------------
# The graph
# ------------------------------------------------------------------------------------------------


def _groups(rng: Any, count: int, sizes: Any) -> Any:
    """Group ids for ``count`` members from a stream of group sizes, in random order."""
    sizes = sizes[: int(np.searchsorted(np.cumsum(sizes), count)) + 1]
    return rng.permutation(np.repeat(np.arange(len(sizes)), sizes)[:count])


def _portfolios(rng: Any, count: int) -> Any:
    """Holder ids for ``count`` holdings: portfolios of 2 or 3 mostly, up to 9 often, a long
    tail up to 300 (as ``bench/graph_data.py``)."""
    u = rng.random(count)
    tail = np.minimum(300, (10 * (1 - rng.random(count)) ** (-1 / 1.5)).astype(np.int64))
    sizes = np.where(
        u < 0.5, 2, np.where(u < 0.75, 3, np.where(u < 0.97, rng.integers(4, 10, count), tail))
    )
    return _groups(rng, count, sizes)


def _first_of_pair(a: Any, b: Any) -> Any:
    """True at the first occurrence of each ``(a, b)`` pair."""
    keep = np.zeros(len(a), dtype=bool)
    keep[np.unique(a.astype(np.int64) * (int(b.max(initial=0)) + 1) + b, return_index=True)[1]] = (
        True
    )
    return keep


def generate(n: int, seed: int = 2026) -> dict[str, Any]:
    """Edge arrays of a province-sized graph over enterprises ``0..n-1`` (see the module)."""
    rng = np.random.default_rng(seed)
    src: list[Any] = []
    dst: list[Any] = []
    kind: list[Any] = []
    share: list[Any] = []
    node_kind = [np.full(n, NodeKind.ENTERPRISE, dtype=np.int8)]
    next_id = n

    def new_nodes(count: int, code: NodeKind) -> Any:
        nonlocal next_id
        ids = np.arange(next_id, next_id + count)
        node_kind.append(np.full(count, code, dtype=np.int8))
        next_id += count
        return ids

    def add(s: Any, d: Any, k: str, sh: Any = None) -> None:
        src.append(np.asarray(s))
        dst.append(np.asarray(d))
        kind.append(np.full(len(src[-1]), KIND[k], dtype=np.int8))
        share.append(np.full(len(src[-1]), np.nan) if sh is None else np.asarray(sh))

    ent = np.arange(n)
    # Legal representatives.
    u = rng.random(n)
    tail = np.minimum(400, (4 * (1 - rng.random(n)) ** -0.5).astype(np.int64))
    sizes = np.where(u < 0.8, 1, np.where(u < 0.925, 2, np.where(u < 0.975, 3, tail)))
    rep_group = _groups(rng, n, sizes)
    reps = new_nodes(int(rep_group.max()) + 1, NodeKind.PERSON)
    rep = reps[rep_group]
    add(rep, ent, "LEGAL_REP")
    # Shareholders: the representative first, then others.
    u = rng.random(n)
    holders = np.where(
        u < 0.4, 1, np.where(u < 0.7, 2, np.where(u < 0.9, 3, rng.integers(4, 8, n)))
    )
    first = np.where(holders == 1, 1.0, rng.uniform(0.3, 0.8, n))
    add(rep, ent, "SHAREHOLDER", first)
    others = np.repeat(ent, holders - 1)
    weights = rng.random(len(others))
    total = np.bincount(others, weights, minlength=n)
    others_share = (1 - first[others]) * weights / total[others]
    who = rng.random(len(others))
    one_off = who < 0.7
    add(new_nodes(int(one_off.sum()), NodeKind.PERSON), others[one_off], "SHAREHOLDER",
        others_share[one_off])  # fmt: skip
    investor = (who >= 0.7) & (who < 0.92)
    picks = _portfolios(rng, int(investor.sum()))
    held = new_nodes(int(picks.max()) + 1, NodeKind.PERSON)[picks]
    ok = _first_of_pair(held, others[investor])  # one record per holder and enterprise
    add(held[ok], others[investor][ok], "SHAREHOLDER", others_share[investor][ok])
    group = who >= 0.92
    holding = rng.permutation(n)[_portfolios(rng, int(group.sum()))]
    ok = (holding != others[group]) & _first_of_pair(holding, others[group])
    add(holding[ok], others[group][ok], "SHAREHOLDER", others_share[group][ok])
    # Branches and successors.
    for name, rate in (("BRANCH_OF", 0.05), ("SUCCESSOR_OF", 0.01)):
        child = rng.choice(n, int(n * rate), replace=False)
        parent = rng.permutation(n)[_portfolios(rng, len(child))]
        ok = parent != child
        add(child[ok], parent[ok], name)
    # Addresses: alone, buildings, parks (hubs); former addresses.
    u = rng.random(n)
    alone, building, park = ent[u < 0.78], ent[(u >= 0.78) & (u < 0.9)], ent[u >= 0.9]
    add(alone, new_nodes(len(alone), NodeKind.ADDRESS), "AT_ADDRESS")
    b = _groups(rng, len(building), rng.integers(2, 6, len(building)))
    add(building, new_nodes(int(b.max()) + 1, NodeKind.ADDRESS)[b], "AT_ADDRESS")
    park_sizes = np.minimum(3000, (10 * (1 - rng.random(len(park))) ** -1.0).astype(np.int64))
    p = _groups(rng, len(park), park_sizes)
    add(park, new_nodes(int(p.max()) + 1, NodeKind.ADDRESS)[p], "AT_ADDRESS")
    moved = rng.choice(n, n // 20, replace=False)
    add(moved, new_nodes(len(moved), NodeKind.ADDRESS), "AT_ADDRESS")
    # Phones: the representative's mobile, agencies' landlines, unique numbers.
    multi = np.bincount(rep_group)[rep_group] > 1
    u = rng.random(n)
    mobile = multi & (u < 0.6)
    agency = ~mobile & (u >= 0.6) & (u < 0.68)
    unique = ~mobile & ~agency & (rng.random(n) < 0.83)
    phone_of_rep = new_nodes(len(reps), NodeKind.PHONE)
    add(ent[mobile], phone_of_rep[rep_group[mobile]], "HAS_PHONE")
    agencies = np.minimum(3000, (5 * (1 - rng.random(n)) ** -1.2).astype(np.int64) + 1)
    a = _groups(rng, int(agency.sum()), agencies)
    add(ent[agency], new_nodes(int(a.max()) + 1, NodeKind.PHONE)[a], "HAS_PHONE")
    add(ent[unique], new_nodes(int(unique.sum()), NodeKind.PHONE), "HAS_PHONE")
    seeds = np.zeros(next_id)
    seeds[rng.choice(n, n // 50, replace=False)] = RiskConfig().seed_risk["red"]
    return {
        "node_kind": np.concatenate(node_kind),
        "src": np.concatenate(src).astype(np.int64),
        "dst": np.concatenate(dst).astype(np.int64),
        "kind": np.concatenate(kind),
        "share": np.concatenate(share),
        "seeds": seeds,
    }


def describe(data: dict[str, Any]) -> dict[str, Any]:
    nk, kind = data["node_kind"], data["kind"]
    cfg = RiskConfig()
    ends = np.where(nk[data["src"]] == NodeKind.ENTERPRISE, data["dst"], data["src"])
    degree = np.bincount(ends, minlength=len(nk))
    hubs = np.isin(nk, [NodeKind.ADDRESS, NodeKind.PHONE]) & (degree > cfg.hub_cap)
    return {
        "nodes": {k.name.lower(): int((nk == k).sum()) for k in NodeKind},
        "edges": {k.name.lower(): int((kind == k).sum()) for k in EdgeKind},
        "edges_total": int(len(kind)),
        "hubs_over_cap": int(hubs.sum()),
        "largest_degree": {
            k.name.lower(): int(degree[nk == k].max()) for k in NodeKind if k != NodeKind.ENTERPRISE
        },
        "seeds": int((data["seeds"] > 0).sum()),
    }


# ------------------------------------------------------------------------------------------------
# Phases, each in its own process
# ------------------------------------------------------------------------------------------------


def _rss_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _reset_peak() -> None:
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:  # pragma: no cover - not Linux
        pass


def _timed(fn: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def phase_ours(data: dict[str, Any], runs: int) -> dict[str, Any]:
    from credit.graph_risk import RiskPropagator

    edges = EdgeArrays(data["node_kind"], data["src"], data["dst"], data["kind"], data["share"])
    builds, props, risk = [], [], None
    for _ in range(runs):
        t_build, prop = _timed(lambda: RiskPropagator(edges))
        t_prop, risk = _timed(lambda p=prop: p.propagate(data["seeds"]))
        builds.append(t_build)
        props.append(t_prop)
    assert risk is not None
    ent = data["node_kind"] == NodeKind.ENTERPRISE
    return {
        "build_s": builds, "propagate_s": props,
        "enterprises_with_risk": int((risk[ent] > 0).sum()),
        "at_cap": int((risk[ent] >= RiskConfig().cap).sum()),
        "mean_risk": float(risk[ent].mean()),
        "nnz": {"a_ee": int(prop.a_ee.nnz), "a_ec": int(prop.a_ec.nnz)},
    }  # fmt: skip


def phase_bare(data: dict[str, Any], runs: int) -> dict[str, Any]:
    import scipy.sparse as sp

    n, hops, decay = len(data["node_kind"]), RiskConfig().max_hops, RiskConfig().decay
    src, dst = data["src"], data["dst"]

    def build() -> Any:
        ones = np.ones(2 * len(src))
        return sp.csr_array((ones, (np.r_[src, dst], np.r_[dst, src])), shape=(n, n))

    def propagate(a: Any, steps: int) -> Any:
        x = total = data["seeds"]
        for step in range(steps):
            x = a @ x
            total = total + decay**step * x
        return total

    builds, props, props2 = [], [], []
    for _ in range(runs):
        t_build, a = _timed(build)
        builds.append(t_build)
        props.append(_timed(lambda a=a: propagate(a, hops))[0])
        props2.append(_timed(lambda a=a: propagate(a, 2 * hops))[0])
    return {"build_s": builds, "propagate_s": props, "propagate_2k_s": props2, "nnz": int(a.nnz)}


def phase_networkx(data: dict[str, Any], runs: int) -> dict[str, Any]:
    import networkx as nx

    factors = RiskConfig().edge_factors(data["kind"], data["share"])

    def build() -> Any:
        g = nx.Graph()
        g.add_nodes_from(range(len(data["node_kind"])))
        g.add_weighted_edges_from(zip(data["src"].tolist(), data["dst"].tolist(),
                                      factors.tolist(), strict=True))  # fmt: skip
        return g

    t_build, g = _timed(build)
    t_rank, _ = _timed(lambda: nx.pagerank(g))
    try:
        t_one, _ = _timed(lambda: nx.pagerank(g, max_iter=1))
        one_iteration = True
    except nx.PowerIterationFailedConvergence:
        t_one, one_iteration = float("nan"), False
    return {
        "build_s": [t_build], "pagerank_s": [t_rank], "pagerank_max_iter_1_s": [t_one],
        "default_tol_stops_after_one_iteration": one_iteration,
        "stop_threshold_l1": len(data["node_kind"]) * 1e-6,
    }  # fmt: skip


def check_explanations(data: dict[str, Any], sample: int = 10) -> dict[str, Any]:
    """Compare a sample of enterprises with :func:`explain_risk` on their own neighbourhood."""
    import scipy.sparse as sp

    from credit.graph_risk import RiskPropagator, explain_risk
    from linkage.graph import build_graph

    nk, src, dst, n = data["node_kind"], data["src"], data["dst"], len(data["node_kind"])
    edges = EdgeArrays(nk, src, dst, data["kind"], data["share"])
    raw = RiskPropagator(edges).propagate(data["seeds"], capped=False)
    adj = sp.csr_array((np.arange(len(src)) + 1, (src, dst)), shape=(n, n))
    adj = (adj + adj.T).tocsr()  # edge id + 1 at both ends (parallel edges: summed, see below)
    degree = np.diff(adj.indptr)
    names = [k.name.lower() for k in NodeKind]
    rng = np.random.default_rng(1)
    candidates = np.flatnonzero((raw > 0) & (nk == NodeKind.ENTERPRISE))
    candidates = rng.choice(candidates, min(10 * sample, len(candidates)), replace=False)
    worst, checked = 0.0, 0
    for target in candidates:
        if checked == sample:
            break
        # 2 relations = up to 4 edges; hubs are kept as nodes but not crossed.
        seen, frontier = {int(target)}, {int(target)}
        for _ in range(4):
            nxt = set()
            for v in frontier:
                if nk[v] != NodeKind.ENTERPRISE and nk[v] != NodeKind.PERSON and degree[v] > 50:
                    continue
                nxt.update(int(w) for w in adj.indices[adj.indptr[v] : adj.indptr[v + 1]])
            frontier = nxt - seen
            seen |= nxt
        if len(seen) > 5000:  # a neighbourhood through a nominee: too slow to enumerate here
            continue
        inside = np.isin(src, list(seen)) & np.isin(dst, list(seen))
        rows = []
        for e in np.flatnonzero(inside):
            s_, d_ = int(src[e]), int(dst[e])
            share = None if np.isnan(data["share"][e]) else float(data["share"][e])
            rows.append(((names[nk[s_]], s_), (names[nk[d_]], d_),
                         EdgeKind(int(data["kind"][e])).name.lower(), share))  # fmt: skip
        attrs = {(names[nk[v]], v): {"degree": int(degree[v])} for v in seen if nk[v] != 0}
        g = build_graph(rows, attrs)
        seeds = {(names[0], v): "red" for v in seen if data["seeds"][v] > 0}
        found = explain_risk(g, ("enterprise", int(target)), seeds)
        worst = max(worst, abs(found.raw - raw[target]))
        checked += 1
    return {"checked": checked, "worst_abs_difference": worst}


PHASES = {"ours": phase_ours, "bare": phase_bare, "networkx": phase_networkx}


def run_phase(name: str, path: str, runs: int) -> dict[str, Any]:
    loaded = dict(np.load(path))
    base = _rss_kib("VmRSS")
    _reset_peak()
    load_before = os.getloadavg()[0]
    result = PHASES[name](loaded, runs)
    result["peak_mib"] = (_rss_kib("VmHWM") - base) / 1024
    result["load_average"] = [load_before, os.getloadavg()[0]]
    if name == "ours":
        result["explanations"] = check_explanations(loaded)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--enterprises", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--skip-networkx", action="store_true")
    parser.add_argument("--out", help="write the raw figures as JSON here")
    parser.add_argument("--phase", choices=sorted(PHASES), help=argparse.SUPPRESS)
    parser.add_argument("--data", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.phase:
        print(json.dumps(run_phase(args.phase, args.data, args.runs)))
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        log(f"generating {args.enterprises:,} enterprises ...")
        t_gen, data = _timed(lambda: generate(args.enterprises, args.seed))
        facts = describe(data)
        log(json.dumps(facts, ensure_ascii=False))
        path = str(Path(tmp) / "graph.npz")
        np.savez(path, **data)
        results: dict[str, Any] = {"generate_s": t_gen, "graph": facts}
        for name in ("ours", "bare") + (() if args.skip_networkx else ("networkx",)):
            log(f"phase {name} ...")
            cmd = [sys.executable, __file__, "--phase", name, "--data", path]
            cmd += ["--runs", str(args.runs)]
            out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
            results[name] = json.loads(out)
            log(json.dumps(results[name]))
    results["machine"] = {
        "cpus": os.cpu_count(), "python": platform.python_version(),
        "platform": platform.platform(),
        "numpy": np.__version__, "scipy": __import__("scipy").__version__,
        "networkx": __import__("networkx").__version__,
    }  # fmt: skip
    report(results)
    if args.out:
        Path(args.out).write_text(json.dumps(results, indent=2))
    return 0


def report(r: dict[str, Any]) -> None:
    med = statistics.median
    ours, bare = r["ours"], r["bare"]
    o_b, o_p = med(ours["build_s"]), med(ours["propagate_s"])
    b_b, b_p, b_p2 = med(bare["build_s"]), med(bare["propagate_s"]), med(bare["propagate_2k_s"])
    rows = [
        ("ours: build (RiskPropagator)", o_b, o_b / b_b),
        ("ours: propagate (2 hops)", o_p, o_p / b_p),
        ("ours: build + propagate", o_b + o_p, (o_b + o_p) / (b_b + b_p)),
        ("bare scipy: build CSR", b_b, 1.0),
        ("bare scipy: 2 steps", b_p, 1.0),
        ("bare scipy: build + 2 steps", b_b + b_p, 1.0),
        ("bare scipy: 4 steps (same reach)", b_p2, b_p2 / b_p),
    ]
    print("| phase | median s | ratio to bare |\n|---|---:|---:|")
    for name, t, ratio in rows:
        print(f"| {name} | {t:.3f} | {ratio:.2f}x |")
    if "networkx" in r:
        nxr = r["networkx"]
        print(f"| networkx: build nx.Graph | {nxr['build_s'][0]:.1f} | |")
        print(f"| networkx: pagerank (default tol) | {nxr['pagerank_s'][0]:.1f} | |")
        print(f"| networkx: pagerank max_iter=1 | {nxr['pagerank_max_iter_1_s'][0]:.1f} | |")
    print("\n| phase | peak MiB | load avg before, after |\n|---|---:|---|")
    for name in ("ours", "bare", "networkx"):
        if name in r:
            load = ", ".join(f"{x:.2f}" for x in r[name]["load_average"])
            print(f"| {name} | {r[name]['peak_mib']:.0f} | {load} |")
    print("\nexplanations:", r["ours"]["explanations"])


if __name__ == "__main__":
    raise SystemExit(main())
