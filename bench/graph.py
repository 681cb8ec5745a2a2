"""Related parties within 2 hops on the enterprise graph, on PostgreSQL, through the HTTP stack.

Issue 5 asks: related parties within 2 hops of an enterprise in a graph of 1,000,000 enterprises
and 5,000,000 edges, under 50 ms. This file measures
``GET /api/v1/enterprises/{id}/related?hops=2``.

It (re)creates its own database ``casemgr_bench_graph``, migrates it to head with the
application's migrations, loads the reference data through the services, and bulk-loads with
COPY ``--enterprises`` enterprises of :func:`casemgr.demo.generator.generate_enterprises` and
the graph of :func:`bench.graph_data.generate_graph` over them (about 5 edges an enterprise:
legal representatives with a long tail, shareholders with shares, branches, successors, shared
addresses with business-park hubs, shared phones with agency hubs, closed former edges). The
edge indexes of migration 0011 are built after the load. COPY bypasses the ORM on purpose: it
measures querying, not building (``graph.build_from_records`` has its own tests).

Then gunicorn as the application is served (2 workers, ``-c python:casemgr.gunicorn_conf``), a
province-wide officer with a token through ``POST /api/v1/tokens``, and, one request at a time,
the endpoint for a seeded sample of enterprises of three kinds:

* ``ordinary``: any enterprise;
* ``well-connected``: an enterprise whose legal representative or a shareholding person is tied
  to 10 or more enterprises, or which holds or is the parent of 10 or more;
* ``hub-adjacent``: an enterprise at a business-park address or an agency phone over the hub
  cap (the cap must keep the answer small).

**Baseline**, side by side on the same data and sample: what one would write without the
service, one recursive CTE in PostgreSQL returning the enterprises within 2 hops (with the
same open-edge filter and hub cap, the same distances) and their names, sent through psycopg
from this process: no HTTP, no authentication, no paths, so a lower bound for an endpoint built
on it. Its answers are the oracle: every related set and distance of the endpoint is checked
against it (unless the endpoint says its answer was truncated).

The raw figures go to ``bench/results/graph.json`` and the tables to stdout. Nothing here is a
test: speed is never asserted.

Usage::

    .venv/bin/python bench/graph.py [--enterprises 1000000] [--requests 1000] [--keep]
    .venv/bin/python bench/graph.py --enterprises 20000 --requests 100 --warmup 20  # quick
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import (  # noqa: E402
    DIVISIONS_CSV,
    ENTERPRISE_COLUMNS,
    CopyFeed,
    LoadSampler,
    Server,
    add_server_argument,
    bearer,
    copy_line,
    drop_indexes,
    enterprise_row,
    latency_stats,
    load_reference,
    loaded_key,
    log,
    machine,
    make_app,
    mark_loaded,
    migrate_to_head,
    ratio,
    recreate_database,
    reset_sequences,
    restore_indexes,
    row_counts,
    server_settings,
    timed_gets,
    url,
    vacuum_analyze,
    write_json,
)
from bench.enterprise_search import create_token  # noqa: E402
from bench.graph_data import EDGE_COLUMNS, NODE_COLUMNS, GraphFacts, generate_graph  # noqa: E402
from casemgr.demo.generator import generate_enterprises, load_divisions  # noqa: E402

DB_NAME = "casemgr_bench_graph"
RESULTS = ROOT / "bench" / "results" / "graph.json"
SEED = 2026
HOPS = 2
CAP = 50  # linkage.graph.DEFAULT_HUB_CAP, the application's default
TABLES = ("enterprises", "graph_nodes", "graph_edges")
EDGE_INDEXES = ("ix_graph_edges_src", "ix_graph_edges_dst")
KINDS = {"ordinary": 60, "well-connected": 20, "hub-adjacent": 20}  # share of the sample
# Latency by the size of the answer (related enterprises): (label, at least, at most).
SIZE_BUCKETS = (
    ("0-10", 0, 10),
    ("11-100", 11, 100),
    ("101-1,000", 101, 1000),
    ("over 1,000", 1001, 10**9),
)


# ------------------------------------------------------------------------------------------------
# Data
# ------------------------------------------------------------------------------------------------


def bulk_load(server: str, count: int) -> dict[str, Any]:
    """COPY ``count`` enterprises, then their graph; returns what was generated."""
    divisions = load_divisions(DIVISIONS_CSV)
    now = datetime.now(UTC).isoformat()
    counties: list[str] = []
    reps: list[str] = []
    addresses: list[str] = []
    started = time.perf_counter()
    feed = CopyFeed(server, DB_NAME, {"enterprises": ENTERPRISE_COLUMNS})
    lines: list[str] = []
    for eid, rec in enumerate(generate_enterprises(divisions, count=count, seed=SEED), 1):
        lines.append(copy_line(enterprise_row(eid, rec, now)))
        counties.append(rec["county_code"])
        reps.append(rec["legal_representative"] or "佚名")
        addresses.append(rec["address"])
        if len(lines) >= 20_000:
            feed.put("enterprises", lines)
            lines = []
    feed.put("enterprises", lines)
    feed.finish()
    log(f"  {count:,} enterprises in {time.perf_counter() - started:.0f} s")

    facts = GraphFacts()
    feed = CopyFeed(server, DB_NAME, {"graph_nodes": NODE_COLUMNS, "graph_edges": EDGE_COLUMNS})
    buffers: dict[str, list[str]] = {"graph_nodes": [], "graph_edges": []}
    rows = 0
    for table, row in generate_graph(counties, reps, addresses, seed=SEED, cap=CAP, facts=facts):
        buf = buffers[table]
        buf.append(copy_line(row))
        if len(buf) >= 20_000:
            feed.put(table, buf)
            buffers[table] = []
            rows += 20_000
            if rows % 1_000_000 == 0:
                log(f"  {rows:,} graph rows ({time.perf_counter() - started:.0f} s)")
    for table, buf in buffers.items():
        feed.put(table, buf)
    feed.finish()
    reset_sequences(server, DB_NAME, TABLES)
    return {
        "nodes": facts.nodes,
        "edges": facts.edges,
        "closed_edges": facts.closed_edges,
        "hubs_over_cap": facts.hubs,
        "largest_degree": facts.largest_degree,
    }


def load(server: str, app: Any, count: int, keep: bool) -> tuple[dict[str, Any], dict[str, float]]:
    """A database loaded with ``count`` enterprises: reused with ``--keep`` when it matches."""
    key = f"bench.graph enterprises={count} seed={SEED}"
    timings: dict[str, float] = {}
    if keep and loaded_key(server, DB_NAME) == key:
        log(f"reusing {DB_NAME} ({count:,} enterprises)")
        migrate_to_head(app)
        with psycopg.connect(url(server, DB_NAME)) as conn:
            row = conn.execute("SELECT value FROM bench_facts").fetchone()
        return json.loads(row[0]), timings
    log(f"creating {DB_NAME}")
    recreate_database(server, DB_NAME)
    migrate_to_head(app)
    load_reference(app)
    restore = drop_indexes(server, DB_NAME, EDGE_INDEXES, ())
    log(f"loading {count:,} enterprises and their graph with COPY")
    started = time.perf_counter()
    generated = bulk_load(server, count)
    timings["load_s"] = round(time.perf_counter() - started, 1)
    started = time.perf_counter()
    restore_indexes(server, DB_NAME, restore, ())
    timings["edge_index_build_s"] = round(time.perf_counter() - started, 1)
    started = time.perf_counter()
    vacuum_analyze(server, DB_NAME, TABLES)
    timings["vacuum_analyze_s"] = round(time.perf_counter() - started, 1)
    with psycopg.connect(url(server, DB_NAME), autocommit=True) as conn:
        conn.execute("CREATE TABLE bench_facts (value text)")
        conn.execute("INSERT INTO bench_facts VALUES (%s)", [json.dumps(generated)])
    mark_loaded(server, DB_NAME, key)
    log(f"  loaded in {timings['load_s']} s, edge indexes {timings['edge_index_build_s']} s")
    return generated, timings


# ------------------------------------------------------------------------------------------------
# The sample
# ------------------------------------------------------------------------------------------------

_WELL_CONNECTED = """
    SELECT DISTINCT e.dst_id FROM graph_nodes n
    JOIN graph_edges e ON e.src_kind = 'person' AND e.src_id = n.id
    WHERE n.kind = 'person' AND n.degree >= 10 AND e.dst_kind = 'enterprise'
      AND e.valid_to IS NULL
    UNION
    SELECT CASE WHEN kind = 'shareholder' THEN src_id ELSE dst_id END FROM graph_edges
    WHERE src_kind = 'enterprise' AND dst_kind = 'enterprise' AND valid_to IS NULL
    GROUP BY 1 HAVING count(*) >= 10
"""
_HUB_ADJACENT = """
    SELECT DISTINCT e.src_id FROM graph_nodes n
    JOIN graph_edges e ON e.dst_kind = n.kind AND e.dst_id = n.id
    WHERE n.kind IN ('address', 'phone') AND n.degree > %s AND e.valid_to IS NULL
"""


def pools(server: str, count: int) -> dict[str, list[int]]:
    """Enterprise ids of each kind of the sample, from the loaded graph (not the generator,
    so that ``--keep`` needs nothing else)."""
    with psycopg.connect(url(server, DB_NAME)) as conn:
        well = sorted(r[0] for r in conn.execute(_WELL_CONNECTED))
        hub = sorted(r[0] for r in conn.execute(_HUB_ADJACENT, [CAP]))
    return {"ordinary": list(range(1, count + 1)), "well-connected": well, "hub-adjacent": hub}


@dataclass(frozen=True)
class Request:
    kind: str
    enterprise_id: int

    @property
    def path(self) -> str:
        return f"/api/v1/enterprises/{self.enterprise_id}/related?hops={HOPS}"


def build_requests(by_kind: dict[str, list[int]], n: int, seed: int) -> list[Request]:
    rng = random.Random(seed)
    kinds = [k for k in KINDS if by_kind[k]]
    picks = rng.choices(kinds, [KINDS[k] for k in kinds], k=n)
    return [Request(k, rng.choice(by_kind[k])) for k in picks]


# ------------------------------------------------------------------------------------------------
# The endpoint and the baseline
# ------------------------------------------------------------------------------------------------


@dataclass
class Outcome:
    kind: str
    enterprise_id: int
    ms: float
    related: dict[int, int]  # enterprise id -> distance (the endpoint: one page of them)
    total: int  # related enterprises in all
    capped: int
    paths: int
    body_bytes: int
    truncated: bool


def run_endpoint(port: int, token: str, requests: Sequence[Request]) -> list[Outcome]:
    headers = bearer(token)
    timed, _ = timed_gets(port, [(r.path, headers) for r in requests])
    out = []
    for t in timed:
        body = json.loads(t.body)
        req = requests[t.index]
        related = {
            item["node"]["id"]: item["distance"]
            for item in body["related"]
            if item["node"]["kind"] == "enterprise"
        }
        paths = sum(len(item["paths"]) for item in body["related"] + body["capped"])
        out.append(
            Outcome(
                req.kind, req.enterprise_id, t.ms, related, body["total"],
                len(body["capped"]), paths, len(t.body), body["truncated"],
            )
        )  # fmt: skip
    return out


# One recursive CTE: enterprises within %(hops)s relations of %(start)s, through open edges,
# never crossing an address or phone with more than %(cap)s open edges. A walk row is a node
# reached after ``hops`` relations; connectors (persons, addresses, phones) are reached at the
# distance of the enterprise they hang off and only ever lead to enterprises.
BASELINE_SQL = """
WITH RECURSIVE walk(kind, id, hops, hub) AS (
    SELECT 'enterprise'::varchar, %(start)s::integer, 0, false
  UNION
    SELECT nxt.kind, nxt.id,
           w.hops + (nxt.kind = 'enterprise')::int,
           coalesce(n.kind IN ('address', 'phone') AND n.degree > %(cap)s, false)
    FROM walk w
    CROSS JOIN LATERAL (
        SELECT e.dst_kind AS kind, e.dst_id AS id FROM graph_edges e
        WHERE e.src_kind = w.kind AND e.src_id = w.id
          AND (e.valid_to IS NULL OR e.valid_to > %(today)s)
      UNION ALL
        SELECT e.src_kind, e.src_id FROM graph_edges e
        WHERE e.dst_kind = w.kind AND e.dst_id = w.id
          AND (e.valid_to IS NULL OR e.valid_to > %(today)s)
    ) nxt
    LEFT JOIN graph_nodes n ON nxt.kind <> 'enterprise' AND n.id = nxt.id
    WHERE w.hops < %(hops)s AND NOT w.hub
      AND (w.kind = 'enterprise' OR nxt.kind = 'enterprise')
)
SELECT r.id, r.hops, ent.name, ent.uscc, ent.county_code
FROM (SELECT id, min(hops) AS hops FROM walk
      WHERE kind = 'enterprise' AND id <> %(start)s GROUP BY id) r
JOIN enterprises ent ON ent.id = r.id
ORDER BY r.hops, r.id
"""


def run_baseline(server: str, requests: Sequence[Request]) -> list[Outcome]:
    """The recursive CTE for each request, timed from sending it to the last row fetched."""
    out = []
    with psycopg.connect(url(server, DB_NAME), autocommit=True) as conn:
        for req in requests:
            params = {"start": req.enterprise_id, "cap": CAP, "hops": HOPS, "today": date.today()}
            started = time.perf_counter()
            rows = conn.execute(BASELINE_SQL, params).fetchall()
            ms = (time.perf_counter() - started) * 1000
            related = {r[0]: r[1] for r in rows}
            out.append(
                Outcome(req.kind, req.enterprise_id, ms, related, len(related), 0, 0, 0, False)
            )
    return out


def explain_baseline(server: str, enterprise_id: int) -> list[str]:
    with psycopg.connect(url(server, DB_NAME), autocommit=True) as conn:
        params = {"start": enterprise_id, "cap": CAP, "hops": HOPS, "today": date.today()}
        plan = conn.execute("EXPLAIN (ANALYZE, BUFFERS) " + BASELINE_SQL, params).fetchall()
    return [r[0] for r in plan]


# ------------------------------------------------------------------------------------------------
# Figures
# ------------------------------------------------------------------------------------------------


def _sizes(outcomes: Sequence[Outcome]) -> dict[str, Any]:
    related = sorted(o.total for o in outcomes)
    body = sorted(o.body_bytes for o in outcomes)
    return {
        "related_median": related[len(related) // 2],
        "related_max": related[-1],
        "capped_max": max(o.capped for o in outcomes),
        "paths_median": sorted(o.paths for o in outcomes)[len(outcomes) // 2],
        "body_kb_median": round(body[len(body) // 2] / 1024, 1),
        "body_kb_max": round(body[-1] / 1024, 1),
        "truncated": sum(o.truncated for o in outcomes),
    }


def summarise(outcomes: Sequence[Outcome], load: dict[str, float]) -> dict[str, Any]:
    kinds: dict[str, Any] = {}
    for kind in KINDS:
        mine = [o for o in outcomes if o.kind == kind]
        if mine:
            kinds[kind] = {**latency_stats([o.ms for o in mine]), **_sizes(mine)}
    overall = {**latency_stats([o.ms for o in outcomes]), **_sizes(outcomes)}
    by_size: dict[str, Any] = {}
    for label, low, high in SIZE_BUCKETS:
        mine = [o.ms for o in outcomes if low <= o.total <= high]
        if mine:
            by_size[label] = latency_stats(mine)
    slowest = sorted(outcomes, key=lambda o: o.ms, reverse=True)[:10]
    return {
        "kinds": kinds,
        "overall": overall,
        "by_related": by_size,
        "load_average": load,
        "slowest": [
            {"ms": round(o.ms, 1), "kind": o.kind, "enterprise_id": o.enterprise_id,
             "related": o.total, "truncated": o.truncated}
            for o in slowest
        ],
    }  # fmt: skip


def _agrees(e: Outcome, b: Outcome) -> bool:
    """The endpoint's total is the baseline's count, and its page (nearest first) holds
    enterprises of the baseline at their distances, as near as the baseline's nearest."""
    if e.total != len(b.related) or any(b.related.get(i) != d for i, d in e.related.items()):
        return False
    return sorted(e.related.values()) == sorted(b.related.values())[: len(e.related)]


def compare(endpoint: Sequence[Outcome], baseline: Sequence[Outcome]) -> dict[str, Any]:
    """Requests whose related enterprises or distances differ (truncated answers apart)."""
    differing = [
        e.enterprise_id
        for e, b in zip(endpoint, baseline, strict=True)
        if not e.truncated and not _agrees(e, b)
    ]
    return {"compared": len(baseline), "differing": len(differing), "examples": differing[:10]}


def markdown(phases: dict[str, Any]) -> str:
    head = (
        "| sample kind | n | median ms | p95 ms | p99 ms | max ms | related (median / max) | "
        "body KB (median / max) | baseline median | baseline p95 | baseline p99 | "
        "p95 endpoint / baseline |"
    )
    lines = [head, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    http, base = phases["http"], phases.get("baseline")
    for kind, s in [*http["kinds"].items(), ("**overall**", http["overall"])]:
        b = None
        if base:
            b = base["overall"] if kind == "**overall**" else base["kinds"].get(kind)
        tail = (
            f"{b['median_ms']} | {b['p95_ms']} | {b['p99_ms']} | {ratio(s['p95_ms'], b['p95_ms'])}"
            if b
            else " | | | "
        )
        lines.append(
            f"| {kind} | {s['n']} | {s['median_ms']} | {s['p95_ms']} | {s['p99_ms']} | "
            f"{s['max_ms']} | {s['related_median']} / {s['related_max']} | "
            f"{s['body_kb_median']} / {s['body_kb_max']} | {tail} |"
        )
    lines += [
        "",
        "| related enterprises in the answer | n | median ms | p95 ms | p99 ms |"
        + (" baseline median | baseline p95 |" if base else ""),
        "|---|---:|---:|---:|---:|" + ("---:|---:|" if base else ""),
    ]
    for label, s in http["by_related"].items():
        line = f"| {label} | {s['n']} | {s['median_ms']} | {s['p95_ms']} | {s['p99_ms']} |"
        if base:
            b = base["by_related"].get(label)
            line += f" {b['median_ms']} | {b['p95_ms']} |" if b else " | |"
        lines.append(line)
    return "\n".join(lines)


# ------------------------------------------------------------------------------------------------
# Main
# ------------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--enterprises", type=int, default=1_000_000, help="enterprises to load")
    parser.add_argument("--requests", type=int, default=1000, help="measured requests")
    parser.add_argument("--warmup", type=int, default=100, help="unmeasured requests first")
    parser.add_argument(
        "--skip-baseline", action="store_true", help="leave out the recursive-CTE baseline"
    )
    parser.add_argument("--keep", action="store_true", help="reuse a loaded database")
    add_server_argument(parser)
    args = parser.parse_args(argv)
    server = args.server

    with tempfile.TemporaryDirectory(prefix="casemgr-bench-") as tmp:
        instance = Path(tmp)
        app = make_app(server, DB_NAME, instance)
        generated, timings = load(server, app, args.enterprises, args.keep)
        token = create_token(app)
        with psycopg.connect(url(server, DB_NAME)) as conn:
            facts = server_settings(conn)
            facts["rows"] = row_counts(conn, TABLES)
        by_kind = pools(server, args.enterprises)
        requests = build_requests(by_kind, args.requests, SEED)
        warmup = build_requests(by_kind, args.warmup, SEED + 1)

        phases: dict[str, Any] = {}
        srv = Server(server, DB_NAME, instance)
        try:
            log(f"endpoint: {len(warmup)} warm-up + {len(requests)} requests")
            run_endpoint(srv.port, token, warmup)
            with LoadSampler() as sampler:
                http = run_endpoint(srv.port, token, requests)
            phases["http"] = summarise(http, sampler.summary())
        finally:
            srv.stop()
        agreement = None
        plan: list[str] = []
        if not args.skip_baseline:
            log(f"baseline: recursive CTE, {len(warmup)} warm-up + {len(requests)} requests")
            run_baseline(server, warmup)
            with LoadSampler() as sampler:
                base = run_baseline(server, requests)
            phases["baseline"] = summarise(base, sampler.summary())
            agreement = compare(http, base)
            slowest = max(base, key=lambda o: o.ms)
            plan = explain_baseline(server, slowest.enterprise_id)

    result = {
        "benchmark": "related parties within 2 hops: GET /api/v1/enterprises/{id}/related?hops=2 "
        "through gunicorn (2 workers); baseline: one recursive CTE through psycopg",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "database": facts,
        "generated": generated,
        "sample_pools": {k: len(v) for k, v in by_kind.items()},
        "settings": {
            "enterprises": args.enterprises,
            "requests": args.requests,
            "warmup": args.warmup,
            "hops": HOPS,
            "hub_cap": CAP,
            "seed": SEED,
            "sample_weights": KINDS,
        },
        "timings": timings,
        "phases": phases,
        "baseline_agreement": agreement,
        "baseline_slowest_plan": plan,
    }
    write_json(RESULTS, result)
    edges = sum(generated["edges"].values())
    print(
        f"Related parties within {HOPS} hops, {facts['rows']['enterprises']:,} enterprises, "
        f"{edges:,} edges, PostgreSQL {facts['postgresql']}\n"
    )
    print(markdown(phases))
    for name, phase in phases.items():
        load_avg = phase["load_average"]
        print(f"\n{name}: 1-minute load average {load_avg['min']}–{load_avg['max']}")
    if agreement is not None:
        print(f"endpoint vs baseline: {agreement['differing']} of {agreement['compared']} differ")
    print(f"\nJSON: {RESULTS.relative_to(ROOT)}  (load average now {os.getloadavg()[0]:.2f})")


if __name__ == "__main__":
    main()
