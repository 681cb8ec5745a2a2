"""Credit rescoring (issue 6, Speed): the full run and the incremental one, on PostgreSQL.

Issue 6 asks for the full rescoring of 1,000,000 enterprises with 5,000,000 graph edges and
500,000 cases, from the database to stored tiers, in under 60 s and 4 GB, and for the
incremental rescoring after one case event in under 100 ms. This file (re)creates its own
database ``casemgr_bench_credit_rescore``, migrates it to head, loads the reference data and
bulk-loads with COPY:

* ``--enterprises`` generated enterprises (:func:`casemgr.demo.generator.generate_enterprises`,
  some revoked or deregistered: not rateable);
* their graph (:func:`bench.graph_data.generate_graph`: about 5 edges an enterprise, hubs);
* ``--cases`` administrative cases with what :mod:`casemgr.services.credit_facts` reads
  (:func:`bench.credit_rescore_data.generate_cases`: transitions, fines, revocations,
  criminal transfers and judgments, coercive measures and daily penalties, fine-payment
  deadlines, payments and arrangements, violations with their origins and evasive methods).

It then times :func:`casemgr.services.credit.rescore` in an application context, as the CLI
(``casemgr credit rescore``) and the after-commit hook call it, as of 2026-06-30:

* **full, first**: every enterprise, nothing stored yet (stores every enterprise);
* **full, again**: nothing changed (stores nothing);
* **incremental**: ``rescore(enterprise_ids=[one])`` for ``--sample`` enterprises with cases
  (what :mod:`casemgr.services.credit_events` runs after a case step commits, including the
  read of the enterprise's graph neighbourhood): median and p95.

**Baseline**: the same phases with the first version of the service (``credit.py`` and
``credit_facts.py`` at ``--baseline-rev``, read with ``git show`` into a temporary package):
what the service did before it was profiled, i.e. what a competent engineer writes first:
facts read per chunk of enterprises, two scoring passes, one digest and one ORM insert per
row. Both must store the same rows (compared by digest of every enterprise).

The full runs use ``--workers`` processes (``CASEMGR_CREDIT_RESCORE_WORKERS``; the default is
the configuration's: one per core, at most 4). Peak memory of a full run is that of all its
processes: the larger of the sum of their resident sets sampled every 100 ms and the sum of
each one's own peak (``VmHWM``; this process's reset through ``/proc/self/clear_refs``);
CPU seconds are counted for the whole machine (PostgreSQL included) and for the processes
of the run. The 1-minute load average is sampled throughout (2 shared cores). Results go to
stdout (markdown) and ``bench/results/credit_rescore.json``. Nothing here is a test: speed
is never asserted.

Usage::

    .venv/bin/python bench/credit_rescore.py [--enterprises 1000000] [--cases 500000]
    .venv/bin/python bench/credit_rescore.py --enterprises 20000 --cases 10000   # quick
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import subprocess
import sys
import tempfile
import time
import types
from collections.abc import Callable
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
    CpuMeter,
    LoadSampler,
    TreeMemory,
    add_server_argument,
    copy_line,
    dispose,
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
    row_counts,
    server_settings,
    url,
    vacuum_analyze,
    write_json,
)
from bench.credit_rescore_data import COLUMNS as CASE_COLUMNS  # noqa: E402
from bench.credit_rescore_data import CaseFacts, generate_cases  # noqa: E402
from bench.graph_data import EDGE_COLUMNS, NODE_COLUMNS, GraphFacts, generate_graph  # noqa: E402
from casemgr.demo.generator import generate_enterprises, load_divisions  # noqa: E402

DB_NAME = "casemgr_bench_credit_rescore"
RESULTS = ROOT / "bench" / "results" / "credit_rescore.json"
SEED = 2026
AS_OF = date(2026, 6, 30)
SCHEME_ID = "guizhou-2019"
CAP = 50
BASELINE_REV = (
    "631c01b"  # the first version of the service (credit.py, credit_facts.py, credit_graph.py)
)
COLUMNS = {
    "enterprises": ENTERPRISE_COLUMNS,
    "graph_nodes": NODE_COLUMNS,
    "graph_edges": EDGE_COLUMNS,
    **CASE_COLUMNS,
}
SERIAL = [t for t in COLUMNS if t != "violation_enterprises"]


# ------------------------------------------------------------------------------------------------
# Data
# ------------------------------------------------------------------------------------------------


def _feed(feed: CopyFeed, rows: Any, every: int = 20_000) -> int:
    buffers: dict[str, list[str]] = {}
    count = 0
    for table, row in rows:
        buf = buffers.setdefault(table, [])
        buf.append(copy_line(row))
        count += 1
        if len(buf) >= every:
            feed.put(table, buf)
            buffers[table] = []
    for table, buf in buffers.items():
        feed.put(table, buf)
    feed.finish()
    return count


def bulk_load(server: str, database: str, enterprises: int, cases: int) -> dict[str, Any]:
    """COPY the enterprises, then their graph, then the cases."""
    divisions = load_divisions(DIVISIONS_CSV)
    now = datetime(2022, 6, 1, tzinfo=UTC).isoformat()
    counties: list[str] = []
    reps: list[str] = []
    addresses: list[str] = []
    started = time.perf_counter()

    def ents() -> Any:
        for eid, rec in enumerate(generate_enterprises(divisions, count=enterprises, seed=SEED), 1):
            counties.append(rec["county_code"])
            reps.append(rec["legal_representative"] or "佚名")
            addresses.append(rec["address"])
            yield "enterprises", enterprise_row(eid, rec, now)

    _feed(CopyFeed(server, database, {"enterprises": ENTERPRISE_COLUMNS}), ents())
    log(f"  {enterprises:,} enterprises ({time.perf_counter() - started:.0f} s)")
    graph = GraphFacts()
    feed = CopyFeed(server, database, {"graph_nodes": NODE_COLUMNS, "graph_edges": EDGE_COLUMNS})
    _feed(feed, generate_graph(counties, reps, addresses, seed=SEED, cap=CAP, facts=graph))
    log(f"  graph ({time.perf_counter() - started:.0f} s)")
    made = CaseFacts()
    cases_rows = generate_cases(counties, cases=cases, seed=SEED, facts=made)
    _feed(CopyFeed(server, database, CASE_COLUMNS), cases_rows)
    log(f"  cases ({time.perf_counter() - started:.0f} s)")
    reset_sequences(server, database, SERIAL)
    vacuum_analyze(server, database, COLUMNS)
    return {
        "graph_edges": graph.edges,
        "closed_edges": graph.closed_edges,
        "hubs_over_cap": graph.hubs,
        "case_rows": made.rows,
        "enterprises_with_cases": made.enterprises_with_cases,
    }


# ------------------------------------------------------------------------------------------------
# The baseline: the service as first written, from git
# ------------------------------------------------------------------------------------------------


def baseline_module(rev: str) -> types.ModuleType:
    """``casemgr.services.credit`` at ``rev``, with its own ``credit_facts`` and
    ``credit_graph`` of that revision, as a separate module."""
    tmp = Path(tempfile.mkdtemp(prefix="bench-credit-baseline-"))
    names = ("credit_facts", "credit_graph", "credit")
    for name in names:
        text = subprocess.run(
            ["git", "show", f"{rev}:casemgr/services/{name}.py"],
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        for other in names:
            text = text.replace(
                f"from casemgr.services.{other} import", f"from bench_baseline_{other} import"
            ).replace(
                f"from casemgr.services import {other}\n",
                f"import bench_baseline_{other} as {other}\n",
            )
        (tmp / f"bench_baseline_{name}.py").write_text(text)
    sys.path.insert(0, str(tmp))
    for name in names:
        spec = importlib.util.spec_from_file_location(
            f"bench_baseline_{name}", tmp / f"bench_baseline_{name}.py"
        )
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[f"bench_baseline_{name}"] = module
        spec.loader.exec_module(module)
    return sys.modules["bench_baseline_credit"]


# ------------------------------------------------------------------------------------------------
# Timing
# ------------------------------------------------------------------------------------------------


def _status(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def _pss() -> int:
    try:
        for line in Path("/proc/self/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def full_run(app: Any, service: Any, label: str, workers: int) -> dict[str, Any]:
    from casemgr.extensions import db
    from casemgr.policy import SYSTEM_ACTOR

    scheme = service.scheme_named(SCHEME_ID)
    # The first version of the service has no workers parameter: it runs in one process.
    options = {"workers": workers} if "workers" in service.rescore.__code__.co_varnames else {}
    with app.app_context(), LoadSampler() as load:
        rss_before = _status("VmRSS")
        with TreeMemory() as memory, CpuMeter() as cpu:
            started = time.perf_counter()
            report = service.rescore(db.session, SYSTEM_ACTOR, scheme, as_of=AS_OF, **options)
            seconds = time.perf_counter() - started
        tree = memory.summary()
        out = {
            "seconds": round(seconds, 1),
            "enterprises": report.enterprises,
            "stored": report.changed,
            "tiers": report.tiers,
            "processes": getattr(report, "workers", 1),
            "rss_before_mib": round(rss_before / 1024),
            # The largest of: the sampled sum of the processes' resident sets, and the sum of
            # each process's own peak (a bound: the peaks need not coincide).
            "peak_rss_mib": max(tree["peak_rss_sum_sampled_mib"], tree["peak_rss_bound_mib"]),
            "memory": tree,
            "cpu": cpu.summary(),
            "pss_after_mib": round(_pss() / 1024),
        }
        dispose(app)
    out["load_1min"] = load.summary()
    log(f"  {label}: {out}")
    return out


def incremental(app: Any, service: Any, sample: list[int], label: str) -> dict[str, Any]:
    from casemgr.extensions import db
    from casemgr.policy import SYSTEM_ACTOR

    scheme = service.scheme_named(SCHEME_ID)
    times: list[float] = []
    stored = 0
    with app.app_context(), LoadSampler() as load:
        session = db.session
        for eid in sample:
            started = time.perf_counter()
            report = service.rescore(session, SYSTEM_ACTOR, scheme, as_of=AS_OF,
                                     enterprise_ids=[eid])  # fmt: skip
            times.append((time.perf_counter() - started) * 1000)
            stored += report.changed
            session.expunge_all()
        dispose(app)
    out = {**latency_stats(times), "stored": stored, "load_1min": load.summary()}
    log(f"  {label}: {out}")
    return out


def digests(server: str, database: str) -> dict[int, str]:
    """The digest in force of every enterprise (the latest row)."""
    with psycopg.connect(url(server, database)) as conn:
        rows = conn.execute(
            "SELECT DISTINCT ON (enterprise_id) enterprise_id, digest FROM credit_scores "
            "ORDER BY enterprise_id, id DESC"
        )
        return dict(rows.fetchall())


def clear_scores(server: str, database: str) -> None:
    with psycopg.connect(url(server, database), autocommit=True) as conn:
        # The current rows and counts derive from the history: emptied with it, as a first
        # run finds them (else the run updates a previous run's million rows).
        conn.execute("TRUNCATE credit_scores, credit_current, credit_tier_counts")
        for table in ("credit_scores", "credit_current", "credit_tier_counts"):
            conn.execute(f"VACUUM (ANALYZE) {table}")


def sample_enterprises(server: str, database: str, n: int) -> list[int]:
    with psycopg.connect(url(server, database)) as conn:
        rows = conn.execute(
            "SELECT DISTINCT party_enterprise_id FROM cases WHERE track = 'administrative' "
            "AND id %% 97 = 0 ORDER BY 1 LIMIT %s",
            [n],
        )
        return [r[0] for r in rows]


def measure(app: Any, args: argparse.Namespace) -> dict[str, Any]:
    from casemgr.services import credit

    sample = sample_enterprises(args.server, args.database, args.sample)
    variants: list[tuple[str, Callable[[], Any]]] = [("ours", lambda: credit)]
    if not args.skip_baseline:
        variants.insert(0, ("baseline", lambda: baseline_module(args.baseline_rev)))
    results: dict[str, Any] = {}
    stored: dict[str, dict[int, str]] = {}
    for name, get in variants:
        service = get()
        log(f"{name}")
        clear_scores(args.server, args.database)
        first = full_run(app, service, "full, first", args.workers)
        stored[name] = digests(args.server, args.database)
        again = full_run(app, service, "full, again", args.workers)
        inc = incremental(app, service, sample, "incremental")
        results[name] = {"full_first": first, "full_again": again, "incremental": inc}
    if len(stored) == 2:
        a, b = stored["baseline"], stored["ours"]
        results["same_results"] = a == b
        results["differing"] = sum(1 for k in a.keys() | b.keys() if a.get(k) != b.get(k))
    return results


# ------------------------------------------------------------------------------------------------
# Report
# ------------------------------------------------------------------------------------------------


def section(result: dict[str, Any]) -> str:
    r = result["results"]
    m, pg, data = result["machine"], result["postgresql"], result["data"]
    names = [n for n in ("baseline", "ours") if n in r]
    lines = [
        "| Phase | " + " | ".join(names) + " | baseline / ours |",
        "|---|" + "---:|" * len(names) + "---:|",
    ]

    def row(label: str, get: Callable[[dict[str, Any]], float], unit: str) -> None:
        values = [get(r[n]) for n in names]
        cmp = ratio(values[0], values[-1]) if len(values) == 2 else "-"
        lines.append(f"| {label} | " + " | ".join(f"{v} {unit}" for v in values) + f" | {cmp} |")

    row("Full, first (stores all), s", lambda x: x["full_first"]["seconds"], "")
    row("Full, first: peak RSS", lambda x: x["full_first"]["peak_rss_mib"], "MiB")
    row("Full, again (stores nothing), s", lambda x: x["full_again"]["seconds"], "")
    row("Full, again: peak RSS", lambda x: x["full_again"]["peak_rss_mib"], "MiB")
    row("Incremental, median", lambda x: x["incremental"]["median_ms"], "ms")
    row("Incremental, p95", lambda x: x["incremental"]["p95_ms"], "ms")
    loads = [
        f"{n}: {r[n]['full_first']['load_1min']['min']}-{r[n]['full_first']['load_1min']['max']}"
        for n in names
    ]
    return "\n".join(
        [
            f"Measured {result['measured_at']}: {m['cpus']} cores (shared), {m['memory']}, "
            f"PostgreSQL {pg['postgresql']} (shared_buffers {pg['shared_buffers']}, work_mem "
            f"{pg['work_mem']}), database {pg['database_size']}; rows {data['rows']}, "
            f"as of {result['as_of']}, scheme {SCHEME_ID}.",
            "",
            *lines,
            "",
            f"Stored tiers {r['ours']['full_first']['tiers']}; same results as the baseline: "
            f"{r.get('same_results', '-')}; 1-min load during the first full run: "
            f"{'; '.join(loads)}.",
            "",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_server_argument(parser)
    parser.add_argument("--enterprises", type=int, default=1_000_000)
    parser.add_argument("--cases", type=int, default=500_000)
    parser.add_argument("--sample", type=int, default=200, help="incremental runs")
    parser.add_argument("--baseline-rev", default=BASELINE_REV)
    parser.add_argument("--skip-baseline", action="store_true")
    parser.add_argument(
        "--workers",
        type=int,
        default=min(os.cpu_count() or 1, 4),
        help="processes of the full run (CASEMGR_CREDIT_RESCORE_WORKERS; default %(default)s)",
    )
    parser.add_argument("--load-only", action="store_true", help="load the data, measure nothing")
    parser.add_argument("--reload", action="store_true", help="reload even if already loaded")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--database", default=DB_NAME, help="bench database (%(default)s)")
    args = parser.parse_args()

    key = f"credit_rescore:{args.enterprises}:{args.cases}:{SEED}"
    instance = Path(tempfile.mkdtemp(prefix="bench-credit-rescore-"))
    app = make_app(args.server, args.database, instance)
    loaded: dict[str, Any] = {}
    if args.reload or loaded_key(args.server, args.database) != key:
        log(f"loading {args.enterprises:,} enterprises, graph and cases into {args.database}")
        started = time.perf_counter()
        recreate_database(args.server, args.database)
        migrate_to_head(app)
        load_reference(app)
        loaded = bulk_load(args.server, args.database, args.enterprises, args.cases)
        mark_loaded(args.server, args.database, key)
        log(f"  loaded in {time.perf_counter() - started:.0f} s: {loaded}")
    else:
        migrate_to_head(app)  # migrations added since the load (indexes)
    if args.load_only:
        return
    with psycopg.connect(url(args.server, args.database)) as conn:
        pg = server_settings(conn)
        rows = row_counts(conn, ("enterprises", "graph_edges", "cases", "case_transitions"))
    results = measure(app, args)
    result = {
        "benchmark": "credit_rescore",
        "measured_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "postgresql": pg,
        "data": {"rows": rows, **loaded},
        "as_of": AS_OF.isoformat(),
        "baseline_rev": args.baseline_rev,
        "results": results,
    }
    write_json(args.out, result)
    print(section(result))
    print(f"written: {args.out}")


if __name__ == "__main__":
    main()
