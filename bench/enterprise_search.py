"""Enterprise search over a million generated enterprises on PostgreSQL, through the HTTP stack.

``make bench`` runs this file. It (re)creates its own database ``casemgr_bench``, migrates it to
head, loads the reference data, bulk-loads ``--rows`` enterprises from
:func:`casemgr.demo.generator.generate_enterprises` with COPY, builds the search indexes of
migration 0003 on the loaded tables, creates a province-wide officer and a bearer token, and
measures one fixed query mix through gunicorn (2 workers) and the real API, twice over the same
data:

* ``indexed``: the application as it is, migrated to head;
* ``baseline``: the same application and requests with the indexes of migration 0003 dropped,
  i.e. the naive plan (``name LIKE '%...%'`` read row by row). The indexes are restored after.

The baseline is slow at a million rows, so it replays an evenly spaced subset of the same request
list (``--baseline-requests``) and checks that every replayed page and total equals the indexed
one. Both phases report median, p95 and p99 latency per query kind, the ratios baseline /
indexed, and requests per second. Results go to stdout (markdown) and to
``bench/results/enterprise_search.json``. Nothing here is a test: speed is never asserted.

Usage::

    .venv/bin/python bench/enterprise_search.py [--rows 1000000] [--requests N] [--keep]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import (  # noqa: E402
    DIVISIONS_CSV,
    ENTERPRISE_COLUMNS,
    SOURCE_COLUMNS,
    CopyFeed,
    Server,
    add_server_argument,
    bearer,
    copy_line,
    database_exists,
    dispose,
    drop_indexes,
    enterprise_row,
    latency_stats,
    load_reference,
    log,
    machine,
    make_app,
    migrate_to_head,
    ratio,
    recreate_database,
    reset_sequences,
    restore_indexes,
    row_counts,
    server_settings,
    source_row,
    timed_gets,
    url,
    vacuum_analyze,
    write_json,
)
from casemgr.demo.generator import generate_enterprises, load_divisions  # noqa: E402

DB_NAME = "casemgr_bench"
RESULTS = ROOT / "bench" / "results" / "enterprise_search.json"
SEED = 2026


# ------------------------------------------------------------------------------------------------
# Database: create, migrate, bulk load
# ------------------------------------------------------------------------------------------------


def _loaded_rows(server: str) -> int | None:
    """Enterprises in an existing bench database, or None if there is none."""
    if not database_exists(server, DB_NAME):
        return None
    with psycopg.connect(url(server, DB_NAME)) as conn:
        if conn.execute("SELECT to_regclass('enterprises')").fetchone() == (None,):
            return None
        return int(conn.execute("SELECT count(*) FROM enterprises").fetchone()[0])


def _line(*values: Any) -> str:
    return copy_line(values)


COPY_COLUMNS = {
    "enterprises": ENTERPRISE_COLUMNS,
    "enterprise_aliases": "id, enterprise_id, kind, value",
    "enterprise_names": "id, enterprise_id, name, valid_to",
    "pollution_sources": SOURCE_COLUMNS,
}


def bulk_load(server: str, rows: int, *, log: Callable[[str], None]) -> dict[str, int]:
    """COPY ``rows`` generated enterprises with their aliases, former names and sources.

    This bypasses the ORM (and with it the audit listener) on purpose: the benchmark measures
    searching, not registering, and six million rows through the unit of work would take far
    longer than the search runs. Each table streams through its own connection and COPY, fed
    in chunks by the generator, so Python and PostgreSQL work at the same time.
    """
    divisions = load_divisions(DIVISIONS_CSV)
    now = datetime.now(UTC).isoformat()
    feed = CopyFeed(server, DB_NAME, COPY_COLUMNS)
    counts = dict.fromkeys(COPY_COLUMNS, 0)
    buffers: dict[str, list[str]] = {t: [] for t in COPY_COLUMNS}
    started = time.perf_counter()
    chunk = 20_000

    def flush() -> None:
        for table, lines in buffers.items():
            feed.put(table, lines)
            lines.clear()

    ent, als, nam, src = (buffers[t] for t in COPY_COLUMNS)
    for ent_id, rec in enumerate(generate_enterprises(divisions, count=rows, seed=SEED), 1):
        ent.append(copy_line(enterprise_row(ent_id, rec, now)))
        for kind, value in rec["aliases"]:
            counts["enterprise_aliases"] += 1
            als.append(_line(counts["enterprise_aliases"], ent_id, kind, value))
        for old in rec["name_history"]:
            counts["enterprise_names"] += 1
            nam.append(_line(counts["enterprise_names"], ent_id, old["name"], old["valid_to"]))
        for s in rec["sources"]:
            counts["pollution_sources"] += 1
            src.append(copy_line(source_row(counts["pollution_sources"], ent_id, s, now)))
        counts["enterprises"] = ent_id
        if ent_id % chunk == 0:
            flush()
            if feed.errors:
                break
            if ent_id % 200_000 == 0:
                log(f"  generated {ent_id:,} enterprises ({time.perf_counter() - started:.0f} s)")
    flush()
    feed.finish()
    reset_sequences(server, DB_NAME, COPY_COLUMNS)
    return counts


def create_token(app: Any) -> str:
    """A province-wide officer and a bearer token for them, through the services."""
    from casemgr.extensions import db
    from casemgr.policy import SYSTEM_ACTOR, Role
    from casemgr.services import accounts

    with app.app_context():
        user = accounts.create_user(
            db.session,
            SYSTEM_ACTOR,
            {
                "username": f"bench.{int(time.time() * 1000)}",
                "password": "bench-password-2026",
                "display_name": "Benchmark",
                "roles": [Role.OFFICER],
                "jurisdictions": ["520000"],
                "certificate_number": "BENCH0001",
            },
        )
        token, _ = accounts.issue_token(db.session, user, ttl=timedelta(hours=12), label="bench")
        dispose(app)
    return token


# Indexes of migration 0003: dropped while loading and for the baseline, then restored as they
# were (definition and statistics target).
SEARCH_INDEXES = ("ix_enterprises_name_ngrams", "ix_enterprise_names_name_ngrams")
_SEARCHED = ("enterprises", "enterprise_names")


def drop_search_indexes(server: str) -> list[str]:
    """Drop the search indexes; return the statements that recreate them as they were."""
    return drop_indexes(server, DB_NAME, SEARCH_INDEXES, _SEARCHED)


def restore_search_indexes(server: str, statements: list[str]) -> None:
    restore_indexes(server, DB_NAME, statements, _SEARCHED)


# ------------------------------------------------------------------------------------------------
# The query mix
# ------------------------------------------------------------------------------------------------

COMMON_FRAGMENTS = ("贵州", "化工", "煤业", "酒业", "水泥", "遵义", "仁怀", "矿业", "养殖", "煤矿")
# Organisational forms: a user types the distinctive part of a name, not 有限公司.
_FORMS = ("股份有限公司", "有限责任公司", "有限公司", "专业合作社", "分公司")
PREFECTURES = ("520100", "520300", "520500", "522700", "520200", "522300", "522600", "520600")
INDUSTRY_PREFIXES = ("C15", "C1512", "B06", "B0610", "C26", "C3011", "D4620", "A0313", "F5265")


@dataclass(frozen=True)
class Request:
    kind: str
    query: dict[str, str]

    @property
    def path(self) -> str:
        return "/api/v1/enterprises?" + urllib.parse.urlencode(self.query)


@dataclass
class Sample:
    """Real generated values the requests are drawn from (every ``step``-th enterprise)."""

    names: list[tuple[str, str]] = field(default_factory=list)  # (name, county_code)
    usccs: list[str] = field(default_factory=list)
    counties: list[str] = field(default_factory=list)
    former_names: list[str] = field(default_factory=list)
    org_codes: list[str] = field(default_factory=list)


def load_sample(server: str, step: int = 97) -> Sample:
    s = Sample()
    with psycopg.connect(url(server, DB_NAME)) as conn:
        for name, uscc, county in conn.execute(
            "SELECT name, uscc, county_code FROM enterprises WHERE id %% %s = 0 ORDER BY id",
            [step],
        ):
            s.names.append((name, county))
            s.usccs.append(uscc)
            s.counties.append(county)
        s.former_names = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM enterprise_names WHERE id %% %s = 0 ORDER BY id", [step // 8]
            )
        ]
        s.org_codes = [
            r[0]
            for r in conn.execute(
                "SELECT value FROM enterprise_aliases WHERE kind = 'org_code' AND id %% %s = 0 "
                "ORDER BY id",
                [step],
            )
        ]
    return s


def _fragment(rng: random.Random, name: str, length: int) -> str:
    """``length`` consecutive characters of the distinctive part of ``name``."""
    for form in _FORMS:
        if name.endswith(form) and len(name) > len(form) + length:
            name = name[: -len(form)]
            break
    start = rng.randrange(0, max(1, len(name) - length + 1))
    return name[start : start + length]


# kind -> (weight in the mix, builder)
MIX: dict[str, tuple[int, Callable[[random.Random, Sample], dict[str, str]]]] = {
    "name, common 2 chars": (12, lambda r, s: {"q": r.choice(COMMON_FRAGMENTS)}),
    "name, 2 chars": (14, lambda r, s: {"q": _fragment(r, r.choice(s.names)[0], 2)}),
    "name, 3-4 chars": (
        12,
        lambda r, s: {"q": _fragment(r, r.choice(s.names)[0], r.randint(3, 4))},
    ),
    "former name, 3-4 chars": (
        4,
        lambda r, s: {"q": _fragment(r, r.choice(s.former_names), r.randint(3, 4))},
    ),
    "q=USCC": (8, lambda r, s: {"q": r.choice(s.usccs)}),
    "uscc=USCC": (6, lambda r, s: {"uscc": r.choice(s.usccs)}),
    "q=organisation code": (4, lambda r, s: {"q": r.choice(s.org_codes)}),
    "county": (8, lambda r, s: {"county": r.choice(("520102", r.choice(s.counties)))}),
    "prefecture": (6, lambda r, s: {"county": r.choice(("520300", r.choice(PREFECTURES)))}),
    "county + fragment": (10, lambda r, s: _county_fragment(r, s)),
    "industry prefix": (6, lambda r, s: {"industry": r.choice(INDUSTRY_PREFIXES)}),
    "page 2-5": (10, lambda r, s: _deep_page(r, s)),
}


def _county_fragment(rng: random.Random, s: Sample) -> dict[str, str]:
    name, county = rng.choice(s.names)
    return {"county": county, "q": _fragment(rng, name, rng.randint(2, 3))}


def _deep_page(rng: random.Random, s: Sample) -> dict[str, str]:
    base = rng.choice(
        (
            {"q": rng.choice(COMMON_FRAGMENTS)},
            {"county": rng.choice(s.counties)},
            {"county": rng.choice(PREFECTURES)},
        )
    )
    return {**base, "page": str(rng.randint(2, 5))}


def build_requests(sample: Sample, n: int, seed: int) -> list[Request]:
    rng = random.Random(seed)
    kinds = list(MIX)
    weights = [MIX[k][0] for k in kinds]
    out = []
    for kind in rng.choices(kinds, weights, k=n):
        out.append(Request(kind, MIX[kind][1](rng, sample)))
    return out


@dataclass
class Outcome:
    kind: str
    path: str
    ms: float
    ids: tuple[int, ...]
    total: int
    exact: bool


def run_requests(
    port: int, token: str, requests: list[Request], clients: int
) -> tuple[list[Outcome], float]:
    """Issue ``requests`` from ``clients`` threads (keep-alive where the server allows it)."""
    headers = bearer(token)
    timed, elapsed = timed_gets(port, [(r.path, headers) for r in requests], clients=clients)
    out = []
    for t in timed:
        page = json.loads(t.body)
        ids = tuple(item["id"] for item in page["items"])
        kind = requests[t.index].kind
        out.append(Outcome(kind, t.path, t.ms, ids, page["total"], page["total_exact"]))
    return out, elapsed


# ------------------------------------------------------------------------------------------------
# Statistics and report
# ------------------------------------------------------------------------------------------------


def summarise(outcomes: list[Outcome], elapsed: float, load: tuple[float, ...]) -> dict[str, Any]:
    by_kind: dict[str, list[float]] = {}
    everything: list[float] = []
    for o in outcomes:
        by_kind.setdefault(o.kind, []).append(o.ms)
        everything.append(o.ms)

    stats = latency_stats  # n, median, p95, p99 (and max)
    slowest = sorted(outcomes, key=lambda o: o.ms, reverse=True)[:15]
    return {
        "overall": {**stats(everything), "requests_per_s": round(len(everything) / elapsed, 1)},
        # other work on the machine skews latencies: 1-minute load average before and after
        "load_average": [round(x, 2) for x in load],
        "kinds": {k: stats(by_kind[k]) for k in MIX if k in by_kind},
        "slowest": [
            {"ms": round(o.ms, 1), "kind": o.kind, "path": urllib.parse.unquote(o.path)}
            for o in slowest
        ],
    }


def markdown(indexed: dict[str, Any], baseline: dict[str, Any] | None) -> str:
    head = "| query kind | n | median ms | p95 ms | p99 ms |"
    rule = "|---|---:|---:|---:|---:|"
    if baseline:
        head += " baseline n | baseline median | baseline p95 | median ratio | p95 ratio |"
        rule += "---:|---:|---:|---:|---:|"
    lines = [head, rule]
    rows = [*indexed["kinds"].items(), ("**overall**", indexed["overall"])]
    for kind, s in rows:
        line = f"| {kind} | {s['n']} | {s['median_ms']} | {s['p95_ms']} | {s['p99_ms']} |"
        if baseline:
            b = baseline["overall"] if kind == "**overall**" else baseline["kinds"].get(kind)
            if b:
                line += (
                    f" {b['n']} | {b['median_ms']} | {b['p95_ms']} | "
                    f"{ratio(b['median_ms'], s['median_ms'])} | "
                    f"{ratio(b['p95_ms'], s['p95_ms'])} |"
                )
            else:
                line += " | | | | |"
        lines.append(line)
    return "\n".join(lines)


def _compare(indexed: list[Outcome], baseline: list[Outcome], picks: list[int]) -> int:
    """Requests whose page or count differs between the phases (must be 0)."""
    return sum(
        1
        for b, i in zip(baseline, picks, strict=True)
        if (b.ids, b.total, b.exact) != (indexed[i].ids, indexed[i].total, indexed[i].exact)
    )


# ------------------------------------------------------------------------------------------------
# Main
# ------------------------------------------------------------------------------------------------


def _server_facts(server: str) -> dict[str, Any]:
    with psycopg.connect(url(server, DB_NAME)) as conn:
        facts = server_settings(conn)
        facts["rows"] = row_counts(conn, COPY_COLUMNS)
        facts["search_index_sizes"] = dict(
            conn.execute(
                "SELECT relname, pg_size_pretty(pg_relation_size(oid)) FROM pg_class "
                "WHERE relname = ANY(%s) ORDER BY relname",
                [list(SEARCH_INDEXES)],
            ).fetchall()
        )
    return facts


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="enterprises to load")
    parser.add_argument("--requests", type=int, default=3000, help="measured requests")
    parser.add_argument(
        "--baseline-requests",
        type=int,
        default=600,
        help="evenly spaced subset replayed without the search indexes (0 skips the baseline)",
    )
    parser.add_argument("--warmup", type=int, default=300, help="unmeasured requests first")
    parser.add_argument("--clients", type=int, default=1, help="concurrent client threads")
    parser.add_argument("--keep", action="store_true", help="reuse a loaded database")
    add_server_argument(parser)
    args = parser.parse_args(argv)

    server = args.server
    timings: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="casemgr-bench-") as tmp:
        instance = Path(tmp)
        app = make_app(server, DB_NAME, instance)
        loaded = _loaded_rows(server) if args.keep else None
        if loaded == args.rows:
            log(f"reusing {DB_NAME} ({loaded:,} enterprises)")
            migrate_to_head(app)
        else:
            log(f"creating {DB_NAME}")
            recreate_database(server, DB_NAME)
            migrate_to_head(app)
            load_reference(app)
            # The search indexes are built after the data, as when migration 0003 runs on a
            # loaded database (and COPY is faster without them).
            restore = drop_search_indexes(server)
            log(f"loading {args.rows:,} enterprises with COPY")
            started = time.perf_counter()
            counts = bulk_load(server, args.rows, log=log)
            timings["load_s"] = round(time.perf_counter() - started, 1)
            log(f"  loaded {counts} in {timings['load_s']} s")
            started = time.perf_counter()
            vacuum_analyze(server, DB_NAME, COPY_COLUMNS)
            timings["vacuum_analyze_s"] = round(time.perf_counter() - started, 1)
            log("building the search indexes")
            started = time.perf_counter()
            restore_search_indexes(server, restore)
            timings["search_index_build_s"] = round(time.perf_counter() - started, 1)
        token = create_token(app)
        facts = _server_facts(server)
        sample = load_sample(server)
        requests = build_requests(sample, args.requests, SEED)
        warmup = build_requests(sample, args.warmup, SEED + 1)
        step = max(1, -(-len(requests) // max(1, args.baseline_requests)))
        picks = list(range(0, len(requests), step)) if args.baseline_requests else []

        phases: dict[str, Any] = {}
        srv = Server(server, DB_NAME, instance)
        try:
            log(f"indexed: {args.warmup} warm-up + {len(requests)} requests")
            run_requests(srv.port, token, warmup, args.clients)
            load = os.getloadavg()[0]
            indexed, elapsed = run_requests(srv.port, token, requests, args.clients)
            phases["indexed"] = summarise(indexed, elapsed, (load, os.getloadavg()[0]))
        finally:
            srv.stop()

        mismatches = None
        if picks:
            log("baseline: dropping the search indexes of migration 0003")
            restore = drop_search_indexes(server)
            try:
                srv = Server(server, DB_NAME, instance)
                try:
                    subset = [requests[i] for i in picks]
                    log(f"baseline: {len(subset)} requests (every {step}th of the same list)")
                    run_requests(srv.port, token, warmup[: max(10, args.warmup // 10)], 1)
                    load = os.getloadavg()[0]
                    base, elapsed = run_requests(srv.port, token, subset, args.clients)
                    phases["baseline"] = summarise(base, elapsed, (load, os.getloadavg()[0]))
                    mismatches = _compare(indexed, base, picks)
                finally:
                    srv.stop()
            finally:
                log("restoring the search indexes")
                restore_search_indexes(server, restore)

    result = {
        "benchmark": "enterprise search through gunicorn (2 workers) and the HTTP API",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "database": facts,
        "settings": {
            "rows": args.rows,
            "requests": args.requests,
            "baseline_requests": len(picks),
            "warmup": args.warmup,
            "clients": args.clients,
            "seed": SEED,
            "mix_weights": {k: w for k, (w, _) in MIX.items()},
        },
        "timings": timings,
        "phases": phases,
        "baseline_result_mismatches": mismatches,
    }
    write_json(RESULTS, result)
    print(f"Enterprise search, {facts['rows']['enterprises']:,} enterprises, ")
    print(f"PostgreSQL {facts['postgresql']}, {args.clients} client(s)\n")
    print(markdown(phases["indexed"], phases.get("baseline")))
    for name, phase in phases.items():
        print(
            f"\n{name}: {phase['overall']['requests_per_s']} requests/s "
            f"(load average {phase['load_average'][0]} before, {phase['load_average'][1]} after)"
        )
    if mismatches is not None:
        print(f"baseline vs indexed: {mismatches} differing results (pages, totals)")
    print(f"\nJSON: {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
