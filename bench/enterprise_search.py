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
import http.client
import json
import os
import platform
import queue
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from casemgr.demo.generator import generate_enterprises, load_divisions  # noqa: E402

DB_NAME = "casemgr_bench"
DEFAULT_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"
RESULTS = ROOT / "bench" / "results" / "enterprise_search.json"
DIVISIONS_CSV = ROOT / "casemgr" / "refdata" / "guizhou-divisions.csv"
SEED = 2026
SECRET_KEY = "bench-secret-key-not-for-production"


# ------------------------------------------------------------------------------------------------
# Database: create, migrate, bulk load
# ------------------------------------------------------------------------------------------------


def _url(server: str, database: str, driver: str = "postgresql") -> str:
    return (
        make_url(server)
        .set(drivername=driver, database=database)
        .render_as_string(hide_password=False)
    )


def _make_app(db_url: str, instance: Path) -> Any:
    from casemgr.app import create_app

    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": _url(db_url, DB_NAME, "postgresql+psycopg"),
            "SECRET_KEY": SECRET_KEY,
            "INSTANCE_PATH": str(instance),
        }
    )


def _migrate(app: Any) -> None:
    """``flask db upgrade``: the app's own migrations, to head."""
    from flask_migrate import upgrade

    from casemgr.extensions import db

    with app.app_context():
        upgrade()
        db.session.remove()
        db.engine.dispose()


def _loaded_rows(server: str) -> int | None:
    """Enterprises in an existing bench database, or None if there is none."""
    with psycopg.connect(_url(server, "postgres"), autocommit=True) as conn:
        found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DB_NAME]).fetchone()
    if not found:
        return None
    with psycopg.connect(_url(server, DB_NAME)) as conn:
        if conn.execute("SELECT to_regclass('enterprises')").fetchone() == (None,):
            return None
        return int(conn.execute("SELECT count(*) FROM enterprises").fetchone()[0])


def _recreate_database(server: str) -> None:
    with psycopg.connect(_url(server, "postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        conn.execute(f"CREATE DATABASE \"{DB_NAME}\" TEMPLATE template0 ENCODING 'UTF8'")


def _load_reference(app: Any) -> None:
    from casemgr.extensions import db
    from casemgr.services import reference

    with app.app_context():
        reference.load_reference_data(db.session, pilot_counties=app.config["PILOT_COUNTIES"])
        db.session.remove()
        db.engine.dispose()


def _copy_text(value: Any) -> str:
    """One field in PostgreSQL's COPY text format."""
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    text = str(value)
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = (
            text.replace("\\", "\\\\")
            .replace("\t", "\\t")
            .replace("\n", "\\n")
            .replace("\r", "\\r")
        )
    return text


def _line(*values: Any) -> str:
    return "\t".join(map(_copy_text, values)) + "\n"


COPY_COLUMNS = {
    "enterprises": (
        "id, uscc, uscc_status, unknown_authority, name, legal_representative, address, "
        "county_code, industry_code, industry_name, status, registered_on, version, "
        "created_at, updated_at"
    ),
    "enterprise_aliases": "id, enterprise_id, kind, value",
    "enterprise_names": "id, enterprise_id, name, valid_to",
    "pollution_sources": (
        "id, enterprise_id, name, permit_number, permit_class, key_pollutant_unit, county_code, "
        "basin_code, latitude, longitude, version, created_at, updated_at"
    ),
}


def _copy_worker(server: str, table: str, chunks: queue.Queue[str | None]) -> None:
    with psycopg.connect(_url(server, DB_NAME)) as conn:
        # Rows are consistent by construction (bulk_load assigns the ids); skipping the
        # foreign-key triggers (superuser only) lets the four tables load side by side.
        conn.execute("SET session_replication_role = replica")
        with conn.cursor() as cur:
            with cur.copy(f"COPY {table} ({COPY_COLUMNS[table]}) FROM STDIN") as copy:
                while (chunk := chunks.get()) is not None:
                    copy.write(chunk)
        conn.commit()


def bulk_load(server: str, rows: int, *, log: Callable[[str], None]) -> dict[str, int]:
    """COPY ``rows`` generated enterprises with their aliases, former names and sources.

    This bypasses the ORM (and with it the audit listener) on purpose: the benchmark measures
    searching, not registering, and six million rows through the unit of work would take far
    longer than the search runs. Each table streams through its own connection and COPY, fed
    in chunks by the generator, so Python and PostgreSQL work at the same time.
    """
    divisions = load_divisions(DIVISIONS_CSV)
    now = datetime.now(UTC).isoformat()
    queues: dict[str, queue.Queue[str | None]] = {t: queue.Queue(maxsize=4) for t in COPY_COLUMNS}
    errors: list[BaseException] = []

    def run(table: str) -> None:
        try:
            _copy_worker(server, table, queues[table])
        except BaseException as exc:  # reported after join
            errors.append(exc)
            while queues[table].get() is not None:  # drain so the producer never blocks
                pass

    threads = [threading.Thread(target=run, args=(t,), daemon=True) for t in COPY_COLUMNS]
    for t in threads:
        t.start()
    counts = dict.fromkeys(COPY_COLUMNS, 0)
    buffers: dict[str, list[str]] = {t: [] for t in COPY_COLUMNS}
    started = time.perf_counter()
    chunk = 20_000

    def flush() -> None:
        for table, lines in buffers.items():
            if lines:
                queues[table].put("".join(lines))
                lines.clear()

    ent, als, nam, src = (buffers[t] for t in COPY_COLUMNS)
    for ent_id, rec in enumerate(generate_enterprises(divisions, count=rows, seed=SEED), 1):
        ent.append(
            _line(
                ent_id,
                rec["uscc"],
                "ok",
                False,
                rec["name"],
                rec["legal_representative"],
                rec["address"],
                rec["county_code"],
                rec["industry_code"],
                rec["industry_name"],
                rec["status"],
                rec["registered_on"],
                1,
                now,
                now,
            )
        )
        for kind, value in rec["aliases"]:
            counts["enterprise_aliases"] += 1
            als.append(_line(counts["enterprise_aliases"], ent_id, kind, value))
        for old in rec["name_history"]:
            counts["enterprise_names"] += 1
            nam.append(_line(counts["enterprise_names"], ent_id, old["name"], old["valid_to"]))
        for s in rec["sources"]:
            counts["pollution_sources"] += 1
            src.append(
                _line(
                    counts["pollution_sources"],
                    ent_id,
                    s["name"],
                    s["permit_number"],
                    s["permit_class"],
                    s["key_pollutant_unit"],
                    s["county_code"],
                    s["basin_code"],
                    s["latitude"],
                    s["longitude"],
                    1,
                    now,
                    now,
                )
            )
        counts["enterprises"] = ent_id
        if ent_id % chunk == 0:
            flush()
            if errors:
                break
            if ent_id % 200_000 == 0:
                log(f"  generated {ent_id:,} enterprises ({time.perf_counter() - started:.0f} s)")
    flush()
    for q in queues.values():
        q.put(None)
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    with psycopg.connect(_url(server, DB_NAME), autocommit=True) as conn:
        for table in COPY_COLUMNS:
            # ids were assigned here, so move each serial sequence past them
            conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT coalesce(max(id), 0) + 1 FROM {table}), false)"
            )
    return counts


def vacuum_analyze(server: str) -> None:
    with psycopg.connect(_url(server, DB_NAME), autocommit=True) as conn:
        for table in COPY_COLUMNS:
            conn.execute(f"VACUUM (ANALYZE) {table}")


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
        db.session.remove()
        db.engine.dispose()
    return token


# Indexes of migration 0003: dropped while loading and for the baseline, then restored as they
# were (definition and statistics target).
SEARCH_INDEXES = ("ix_enterprises_name_ngrams", "ix_enterprise_names_name_ngrams")


def drop_search_indexes(server: str) -> list[str]:
    """Drop the search indexes; return the statements that recreate them as they were."""
    restore = []
    with psycopg.connect(_url(server, DB_NAME), autocommit=True) as conn:
        for name in SEARCH_INDEXES:
            row = conn.execute(
                "SELECT pg_get_indexdef(c.oid), c.oid FROM pg_class c WHERE c.relname = %s",
                [name],
            ).fetchone()
            if row is None:
                raise SystemExit(f"index {name} is missing: is the database at head?")
            restore.append(row[0])
            for attnum, target in conn.execute(
                "SELECT attnum, attstattarget FROM pg_attribute "
                "WHERE attrelid = %s AND attstattarget > 0",
                [row[1]],
            ):
                restore.append(f"ALTER INDEX {name} ALTER COLUMN {attnum} SET STATISTICS {target}")
            conn.execute(f"DROP INDEX {name}")
        conn.execute("ANALYZE enterprises")
        conn.execute("ANALYZE enterprise_names")
    return restore


def restore_search_indexes(server: str, statements: list[str]) -> None:
    with psycopg.connect(_url(server, DB_NAME), autocommit=True) as conn:
        for sql in statements:
            conn.execute(sql)
        conn.execute("ANALYZE enterprises")
        conn.execute("ANALYZE enterprise_names")


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
    with psycopg.connect(_url(server, DB_NAME)) as conn:
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


# ------------------------------------------------------------------------------------------------
# The HTTP stack: gunicorn and a keep-alive client
# ------------------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """``gunicorn --workers 2 'casemgr.app:create_app()'`` against the bench database."""

    def __init__(self, server: str, instance: Path) -> None:
        self.port = _free_port()
        env = {
            **os.environ,
            "CASEMGR_DATABASE_URL": _url(server, DB_NAME),
            "CASEMGR_INSTANCE_PATH": str(instance),
            "CASEMGR_SECRET_KEY": SECRET_KEY,
        }
        gunicorn = Path(sys.executable).with_name("gunicorn")
        self.proc = subprocess.Popen(
            [
                str(gunicorn),
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                "2",
                "--log-level",
                "warning",
                "casemgr.app:create_app()",
            ],
            cwd=ROOT,
            env=env,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    break
            except OSError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise SystemExit("gunicorn did not become healthy")
            time.sleep(0.2)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


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
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    results: list[Outcome | None] = [None] * len(requests)
    cursor = iter(range(len(requests)))
    lock = threading.Lock()
    failures: list[str] = []

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
        while True:
            with lock:
                i = next(cursor, None)
            if i is None:
                break
            req = requests[i]
            started = time.perf_counter()
            conn.request("GET", req.path, headers=headers)
            resp = conn.getresponse()
            body = resp.read()
            ms = (time.perf_counter() - started) * 1000
            if resp.status != 200:
                failures.append(f"{resp.status} {req.path}: {body[:200]!r}")
                continue
            page = json.loads(body)
            ids = tuple(item["id"] for item in page["items"])
            results[i] = Outcome(req.kind, req.path, ms, ids, page["total"], page["total_exact"])
        conn.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    if failures:
        raise SystemExit("requests failed:\n" + "\n".join(failures[:10]))
    return [r for r in results if r is not None], elapsed


# ------------------------------------------------------------------------------------------------
# Statistics and report
# ------------------------------------------------------------------------------------------------


def _percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * p // 100))
    return ordered[int(rank) - 1]


def summarise(outcomes: list[Outcome], elapsed: float, load: tuple[float, ...]) -> dict[str, Any]:
    by_kind: dict[str, list[float]] = {}
    everything: list[float] = []
    for o in outcomes:
        by_kind.setdefault(o.kind, []).append(o.ms)
        everything.append(o.ms)

    def stats(values: list[float]) -> dict[str, float]:
        return {
            "n": len(values),
            "median_ms": round(statistics.median(values), 2),
            "p95_ms": round(_percentile(values, 95), 2),
            "p99_ms": round(_percentile(values, 99), 2),
        }

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


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.1f}×" if b else "-"


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
                    f"{_ratio(b['median_ms'], s['median_ms'])} | "
                    f"{_ratio(b['p95_ms'], s['p95_ms'])} |"
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
    with psycopg.connect(_url(server, DB_NAME)) as conn:
        facts = {
            "postgresql": conn.execute("SHOW server_version").fetchone()[0],
            "lc_ctype": conn.execute("SHOW lc_ctype").fetchone()[0],
        }
        for setting in ("shared_buffers", "work_mem", "effective_cache_size", "jit"):
            facts[setting] = conn.execute(f"SHOW {setting}").fetchone()[0]
        facts["rows"] = {
            t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in COPY_COLUMNS
        }
        facts["database_size"] = conn.execute(
            "SELECT pg_size_pretty(pg_database_size(current_database()))"
        ).fetchone()[0]
        facts["search_index_sizes"] = dict(
            conn.execute(
                "SELECT relname, pg_size_pretty(pg_relation_size(oid)) FROM pg_class "
                "WHERE relname = ANY(%s) ORDER BY relname",
                [list(SEARCH_INDEXES)],
            ).fetchall()
        )
    return facts


def _machine() -> dict[str, Any]:
    mem = ""
    try:
        with open("/proc/meminfo") as fh:
            kib = int(fh.readline().split()[1])
            mem = f"{kib / 2**20:.0f} GiB"
    except OSError:
        pass
    return {"cpus": os.cpu_count(), "memory": mem, "platform": platform.platform()}


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
    parser.add_argument(
        "--server",
        default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_SERVER),
        help="PostgreSQL server URL (its database is ignored; %(default)s)",
    )
    args = parser.parse_args(argv)

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    server = args.server
    timings: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="casemgr-bench-") as tmp:
        instance = Path(tmp)
        app = _make_app(server, instance)
        loaded = _loaded_rows(server) if args.keep else None
        if loaded == args.rows:
            log(f"reusing {DB_NAME} ({loaded:,} enterprises)")
            _migrate(app)
        else:
            log(f"creating {DB_NAME}")
            _recreate_database(server)
            _migrate(app)
            _load_reference(app)
            # The search indexes are built after the data, as when migration 0003 runs on a
            # loaded database (and COPY is faster without them).
            restore = drop_search_indexes(server)
            log(f"loading {args.rows:,} enterprises with COPY")
            started = time.perf_counter()
            counts = bulk_load(server, args.rows, log=log)
            timings["load_s"] = round(time.perf_counter() - started, 1)
            log(f"  loaded {counts} in {timings['load_s']} s")
            started = time.perf_counter()
            vacuum_analyze(server)
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
        srv = Server(server, instance)
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
                srv = Server(server, instance)
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
        "machine": _machine(),
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
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
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
