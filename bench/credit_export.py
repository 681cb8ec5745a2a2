"""Tier-list export (issue 6, item 7) of 1,000,000 enterprises with stored scores, on PostgreSQL.

Issue 6 asks for a CSV export of 1,000,000 rows in under 30 s. This file (re)creates its own
database ``casemgr_bench_credit_export``, migrates it to head, loads the reference data and
bulk-loads with COPY ``--enterprises`` generated enterprises
(:func:`casemgr.demo.generator.generate_enterprises`) and their credit history: one to three
``credit_scores`` rows each (60 / 30 / 10 %), the first as of 2025-12-31, the later ones on
random days of 2026 up to 2026-09-30, tiers green 70 %, blue 20 %, yellow 6 %, red 2 % and
abnormal (异常) 2 %, each row with a small explanation (five contributions, about 700 bytes of
JSON) as real rows carry. It then times, through :mod:`casemgr.services.credit_export` in an
application context (the service as the API and CLI call it):

* **ours, whole province**: :func:`export_tiers` as of 2026-06-30, no filter, CSV (``--runs``
  runs, median), then XLSX and JSON once each for information, and :func:`regenerate` of the
  CSV once (its SHA-256 must equal the first);
* **ours vs naive, one county** (``--county``, 仁怀市 by default): the same export filtered
  to the county, against the *naive baseline*, the obvious implementation with the ORM: the
  enterprises of the county, their scores in force through
  :func:`casemgr.services.credit.in_force` (``CreditScore`` objects, in chunks of 5,000), each
  enterprise, county and prefecture loaded as an ORM object (``session.get``, row by row),
  sorted and written in Python. Both must write the same bytes (same SHA-256). The naive one
  runs on a county only: row by row, a whole province would take many minutes.

Peak memory is the growth of the process's peak RSS in each phase (``VmHWM`` reset through
``/proc/self/clear_refs``). The 1-minute load average is sampled throughout: the machine is
shared. Results go to stdout (markdown) and ``bench/results/credit_export.json``. Nothing here
is a test: speed is never asserted.

Usage::

    .venv/bin/python bench/credit_export.py [--enterprises 1000000] [--runs 3] [--reload] [--drop]
    .venv/bin/python bench/credit_export.py --enterprises 20000 --runs 2   # quick
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
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
    add_server_argument,
    copy_line,
    dispose,
    drop_database,
    enterprise_row,
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
    server_settings,
    url,
    vacuum_analyze,
    write_json,
)
from casemgr.demo.generator import generate_enterprises, load_divisions  # noqa: E402

DB_NAME = "casemgr_bench_credit_export"
RESULTS = ROOT / "bench" / "results" / "credit_export.json"
SEED = 2026
AS_OF = date(2026, 6, 30)
FIRST = date(2025, 12, 31)
LAST = date(2026, 9, 30)
SCHEME_ID = "guizhou-2019"

SCORE_COLUMNS = (
    "id, enterprise_id, scheme, as_of, computed_at, reason, status, points, score_tier, "
    "own_tier, tier, sublevel, graph_risk, contributions, digest"
)
COPY_COLUMNS = {"enterprises": ENTERPRISE_COLUMNS, "credit_scores": SCORE_COLUMNS}
# tier, share, points range, sub-level cut-offs (best first), as in guizhou-2019.json
TIERS = (
    ("green", 0.70, (95.0, 100.0), (98.34, 96.67, 95.0)),
    ("blue", 0.20, (80.0, 94.9), (90.0, 85.0, 80.0)),
    ("yellow", 0.06, (60.0, 79.9), (73.34, 66.67, 60.0)),
    ("red", 0.02, (20.0, 59.9), ()),
    (None, 0.02, (100.0, 100.0), ()),  # abnormal: revoked or deregistered, not rateable
)


# ------------------------------------------------------------------------------------------------
# Data
# ------------------------------------------------------------------------------------------------


def _contributions(rng: random.Random, points: float) -> list[dict[str, Any]]:
    lost = round(100.0 - points, 1)
    return [
        {
            "kind": "indicator",
            "rule": rule,
            "group": group,
            "points": -round(lost * share, 2),
            "measure": rng.randint(0, 3),
            "records": [f"transition:{rng.randint(1, 10**6)}"] if share and lost else [],
            "scheme": f"{SCHEME_ID}@1",
            "basis": "贵州省企业环境信用评价办法（2019）",
        }
        for rule, group, share in (
            ("penalties", "enforcement", 0.5),
            ("penalty_amount", "enforcement", 0.3),
            ("inspection_findings", "responsibility", 0.2),
            ("overdue_fines", "enforcement", 0.0),
            ("complaints", "social", 0.0),
        )
    ]


def _score(rng: random.Random, scheme_key: str, eid: int, day: date, now: str) -> list[Any]:
    pick, chosen = rng.random(), TIERS[-1]
    for entry in TIERS:
        if pick < entry[1]:
            chosen = entry
            break
        pick -= entry[1]
    tier, _share, (low, high), cuts = chosen
    points = round(rng.uniform(low, high), 1)
    sublevel = next((i for i, cut in enumerate(cuts, 1) if points >= cut), None)
    return [
        eid,
        scheme_key,
        day.isoformat(),
        now,
        "rescore" if day == FIRST else "event",
        "rated" if tier else "abnormal",
        points,
        tier or "green",
        tier,
        tier,
        sublevel,
        0.0,
        _contributions(rng, points),
        f"{rng.getrandbits(256):064x}",
    ]


def bulk_load(server: str, database: str, enterprises: int, scheme_key: str) -> dict[str, int]:
    """COPY the enterprises and their score history, side by side, as they are generated."""
    divisions = load_divisions(DIVISIONS_CSV)
    now = datetime.now(UTC).isoformat()
    rng = random.Random(SEED)
    feed = CopyFeed(server, database, COPY_COLUMNS)
    ent: list[str] = []
    scores: list[str] = []
    counts = {"enterprises": 0, "credit_scores": 0}
    started = time.perf_counter()
    span = (LAST - FIRST).days
    for eid, rec in enumerate(generate_enterprises(divisions, count=enterprises, seed=SEED), 1):
        ent.append(copy_line(enterprise_row(eid, rec, now)))
        pick = rng.random()
        later = 0 if pick < 0.6 else 1 if pick < 0.9 else 2
        days = [FIRST, *sorted(FIRST + timedelta(rng.randint(1, span)) for _ in range(later))]
        for day in days:
            counts["credit_scores"] += 1
            row = _score(rng, scheme_key, eid, day, now)
            scores.append(copy_line([counts["credit_scores"], *row]))
        counts["enterprises"] = eid
        if eid % 20_000 == 0:
            feed.put("enterprises", ent)
            feed.put("credit_scores", scores)
            ent, scores = [], []
            if feed.errors:
                break
            if eid % 200_000 == 0:
                log(f"  generated {eid:,} enterprises ({time.perf_counter() - started:.0f} s)")
    feed.put("enterprises", ent)
    feed.put("credit_scores", scores)
    feed.finish()
    reset_sequences(server, database, COPY_COLUMNS)
    vacuum_analyze(server, database, COPY_COLUMNS)
    return counts


# ------------------------------------------------------------------------------------------------
# The naive baseline
# ------------------------------------------------------------------------------------------------


def naive_csv(session: Any, scheme: Any, as_of: date, county: str, out: Any) -> tuple[str, int]:
    """The obvious implementation, the ORM row by row: the county's enterprises, their
    scores in force through ``credit.in_force`` (ORM objects), each enterprise and division
    through ``session.get``, sorted and written in Python. Same bytes as the service's CSV."""
    from sqlalchemy import select

    from casemgr.models import Division, Enterprise
    from casemgr.services.credit import in_force
    from casemgr.services.credit_export import ABNORMAL, ABNORMAL_NAME, COLUMNS

    names = {rule.tier.value: rule.name for rule in scheme.tiers}
    ids = session.scalars(select(Enterprise.id).where(Enterprise.county_code == county))
    rows = []
    for eid, s in in_force(session, scheme.key, as_of, list(ids)).items():
        e = session.get(Enterprise, eid)
        county = session.get(Division, e.county_code)
        pref = session.get(Division, county.parent_code)
        rows.append(
            (
                e.uscc,
                e.name,
                pref.code,
                pref.name,
                county.code,
                county.name,
                e.industry_code,
                e.industry_name,
                s.tier or ABNORMAL,
                names[s.tier] if s.tier else ABNORMAL_NAME,
                s.sublevel,
                s.points,
                s.status,
                s.as_of,
                s.scheme,
            )
        )
    rows.sort(key=lambda r: (r[4], r[0]))
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow([title for _key, title in COLUMNS])
    writer.writerows(rows)
    data = "\ufeff".encode() + text.getvalue().encode()
    out.write(data)
    return hashlib.sha256(data).hexdigest(), len(rows)


# ------------------------------------------------------------------------------------------------
# Timing
# ------------------------------------------------------------------------------------------------


def _reset_peak() -> int:
    """Reset the peak RSS (``VmHWM``); return the current RSS in KiB."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass
    return _status("VmRSS")


def _status(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def timed(run: Callable[[Any], tuple[str, int]]) -> dict[str, Any]:
    """One run writing to a temporary file: seconds, rows, bytes, SHA-256, peak RSS growth."""
    base = _reset_peak()
    with tempfile.TemporaryFile() as out:
        started = time.perf_counter()
        sha, rows = run(out)
        seconds = time.perf_counter() - started
        size = out.tell()
    return {
        "seconds": round(seconds, 2),
        "rows": rows,
        "bytes": size,
        "sha256": sha,
        "peak_rss_growth_mib": round((_status("VmHWM") - base) / 1024),
    }


def summarise(runs: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "runs": runs,
        "median_s": round(statistics.median(r["seconds"] for r in runs), 2),
        "rows": runs[0]["rows"],
        "bytes": runs[0]["bytes"],
        "sha256": runs[0]["sha256"],
        "same_bytes_every_run": len({r["sha256"] for r in runs}) == 1,
        "peak_rss_growth_mib": max(r["peak_rss_growth_mib"] for r in runs),
    }


def measure(app: Any, args: argparse.Namespace) -> dict[str, Any]:
    from sqlalchemy import func, select

    from casemgr.extensions import db
    from casemgr.models import CreditExport
    from casemgr.policy import SYSTEM_ACTOR
    from casemgr.services import credit_export
    from casemgr.services.credit import scheme_named

    scheme = scheme_named(SCHEME_ID)
    results: dict[str, Any] = {}
    with app.app_context():
        session = db.session

        def export(fmt: str, filters: dict[str, Any]) -> Callable[[Any], tuple[str, int]]:
            def run(out: Any) -> tuple[str, int]:
                made = credit_export.export_tiers(
                    session,
                    SYSTEM_ACTOR,
                    scheme,
                    as_of=AS_OF,
                    file_format=fmt,
                    filters=filters,
                    out=out,
                )
                sha, rows = made.sha256, made.rows
                session.expunge_all()
                return sha, rows

            return run

        def phase(name: str, run: Callable[[Any], tuple[str, int]], runs: int) -> None:
            log(f"  {name} ({runs} run{'s' * (runs > 1)})")
            with LoadSampler() as load:
                out = summarise([timed(run) for _ in range(runs)])
            out["load_1min"] = load.summary()
            results[name] = out
            log(f"    median {out['median_s']} s, {out['rows']:,} rows, {out['bytes']:,} bytes")

        phase("csv", export("csv", {}), args.runs)
        last = session.scalar(select(func.max(CreditExport.id)))

        def regenerate(out: Any) -> tuple[str, int]:
            made = credit_export.regenerate(session, SYSTEM_ACTOR, last, out)
            return made.sha256, made.rows

        phase("csv_regenerate", regenerate, 1)
        # openpyxl without lxml writes a cell in tens of microseconds: the whole province in
        # XLSX takes many minutes, so by default it is timed on one prefecture.
        phase("xlsx", export("xlsx", {} if args.xlsx_all else {"prefecture": "520300"}), 1)
        phase("json", export("json", {}), 1)
        one = {"county": args.county}
        phase("csv_county", export("csv", one), args.runs)

        def naive(out: Any) -> tuple[str, int]:
            made = naive_csv(session, scheme, AS_OF, args.county, out)
            session.expunge_all()
            return made

        phase("csv_county_naive", naive, args.baseline_runs)
        dispose(app)
    results["regenerated_same_bytes"] = (
        results["csv_regenerate"]["sha256"] == results["csv"]["sha256"]
    )
    results["naive_same_bytes"] = (
        results["csv_county_naive"]["sha256"] == results["csv_county"]["sha256"]
    )
    return results


# ------------------------------------------------------------------------------------------------
# Report
# ------------------------------------------------------------------------------------------------


def section(result: dict[str, Any]) -> str:
    r = result["results"]
    m, pg, data = result["machine"], result["postgresql"], result["data"]
    rows = [
        ("CSV, whole province (requirement < 30 s)", "csv"),
        ("CSV regenerated from its manifest", "csv_regenerate"),
        (f"XLSX ({result['xlsx_scope']}; write-only workbook, zip rewritten)", "xlsx"),
        ("JSON (one canonical document)", "json"),
        (f"CSV, county {result['county']}: ours", "csv_county"),
        (f"CSV, county {result['county']}: naive ORM row by row", "csv_county_naive"),
    ]
    lines = [
        "| Export | runs | median s | rows | MB | peak RSS growth MiB | 1-min load (min-max) |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for label, key in rows:
        x = r[key]
        load = x["load_1min"]
        lines.append(
            f"| {label} | {len(x['runs'])} | {x['median_s']} | {x['rows']:,} | "
            f"{x['bytes'] / 2**20:.0f} | {x['peak_rss_growth_mib']} | "
            f"{load['min']}-{load['max']} |"
        )
    naive, ours = r["csv_county_naive"]["median_s"], r["csv_county"]["median_s"]
    return "\n".join(
        [
            f"Measured {result['measured_at']}: {m['cpus']} cores (shared), {m['memory']}, "
            f"PostgreSQL {pg['postgresql']} (shared_buffers {pg['shared_buffers']}, work_mem "
            f"{pg['work_mem']}), database {pg['database_size']}; {data['enterprises']:,} "
            f"enterprises, {data['credit_scores']:,} score rows, as of {result['as_of']}.",
            "",
            *lines,
            "",
            f"Naive / ours on the county: {ratio(naive, ours)}. Same bytes: regenerated "
            f"{r['regenerated_same_bytes']}, naive {r['naive_same_bytes']}; every run of a "
            f"phase gave the same SHA-256: {all(r[k]['same_bytes_every_run'] for _l, k in rows)}.",
            "",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_server_argument(parser)
    parser.add_argument("--enterprises", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3, help="runs of the CSV phases (median)")
    parser.add_argument("--baseline-runs", type=int, default=1)
    parser.add_argument("--county", default="520382", help="for ours vs naive (仁怀市)")
    parser.add_argument("--xlsx-all", action="store_true", help="XLSX of the whole province")
    parser.add_argument("--load-only", action="store_true", help="load the data, measure nothing")
    parser.add_argument("--reload", action="store_true", help="reload even if already loaded")
    parser.add_argument("--drop", action="store_true", help="drop the bench database after")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--database", default=DB_NAME, help="bench database (%(default)s)")
    args = parser.parse_args()
    db_name = args.database

    from casemgr.services.credit import scheme_named

    scheme_key = scheme_named(SCHEME_ID).key
    key = f"credit_export:{args.enterprises}:{SEED}:{scheme_key}"
    instance = Path(tempfile.mkdtemp(prefix="bench-credit-export-"))
    app = make_app(args.server, db_name, instance)
    if args.reload or loaded_key(args.server, db_name) != key:
        log(f"loading {args.enterprises:,} enterprises with their scores into {db_name}")
        started = time.perf_counter()
        recreate_database(args.server, db_name)
        migrate_to_head(app)
        load_reference(app)
        counts = bulk_load(args.server, db_name, args.enterprises, scheme_key)
        mark_loaded(args.server, db_name, key)
        log(f"  loaded in {time.perf_counter() - started:.0f} s: {counts}")
    if args.load_only:
        return
    with psycopg.connect(url(args.server, db_name)) as conn:
        pg = server_settings(conn)
        counts = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in COPY_COLUMNS}
        conn.execute("DELETE FROM credit_exports")  # earlier runs' manifests
        conn.commit()
    results = measure(app, args)
    result = {
        "benchmark": "credit_export",
        "measured_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "postgresql": pg,
        "data": counts,
        "as_of": AS_OF.isoformat(),
        "county": args.county,
        "xlsx_scope": "whole province" if args.xlsx_all else "prefecture 520300",
        "results": results,
    }
    write_json(args.out, result)
    text = section(result)
    print(text)
    print(f"written: {args.out}")
    if args.drop:
        drop_database(args.server, db_name)


if __name__ == "__main__":
    main()
