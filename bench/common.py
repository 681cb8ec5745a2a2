"""What every benchmark in ``bench/`` does the same way.

* the database: create or drop it, migrate it to head with the app's own migrations, load the
  reference data, remember what it was loaded with (a database comment);
* bulk loading with COPY, each table through its own connection, side by side;
* indexes dropped for a baseline phase and restored exactly (definition, statistics target);
* the HTTP stack: gunicorn (2 workers) on a free loopback port, bearer tokens through
  ``POST /api/v1/tokens``, and a client timing each request from sending it to the last byte;
* SQL statements counted per request through the Flask test client;
* nearest-rank percentiles, the machine and PostgreSQL settings, the result files.

Nothing here is a test: speed is never asserted.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import queue
import resource
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DEFAULT_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"
DIVISIONS_CSV = ROOT / "casemgr" / "refdata" / "guizhou-divisions.csv"
SECRET_KEY = "bench-secret-key-not-for-production"
BENCH_PASSWORD = "bench-password-2026"
COPY_CHUNK = 20_000  # rows per write to a COPY stream


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def add_server_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--server",
        default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_SERVER),
        help="PostgreSQL server URL (its database is ignored; %(default)s)",
    )


# ------------------------------------------------------------------------------------------------
# Database: create, drop, migrate, reference data, what it was loaded with
# ------------------------------------------------------------------------------------------------


def url(server: str, database: str, driver: str = "postgresql") -> str:
    """``server`` pointed at ``database`` (psycopg's or SQLAlchemy's driver name)."""
    return (
        make_url(server)
        .set(drivername=driver, database=database)
        .render_as_string(hide_password=False)
    )


def make_app(server: str, database: str, instance: Path) -> Any:
    from casemgr.app import create_app

    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url(server, database, "postgresql+psycopg"),
            "SECRET_KEY": SECRET_KEY,
            "INSTANCE_PATH": str(instance),
        }
    )


def dispose(app: Any) -> None:
    """Close the app's session and pool (no idle connection left to the bench database)."""
    from casemgr.extensions import db

    db.session.remove()
    db.engine.dispose()


def migrate_to_head(app: Any) -> None:
    """``flask db upgrade``: the app's own migrations, to head."""
    from flask_migrate import upgrade

    with app.app_context():
        upgrade(revision="head")
        dispose(app)


def recreate_database(server: str, database: str) -> None:
    with psycopg.connect(url(server, "postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        conn.execute(f"CREATE DATABASE \"{database}\" TEMPLATE template0 ENCODING 'UTF8'")


def drop_database(server: str, database: str) -> None:
    with psycopg.connect(url(server, "postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def database_exists(server: str, database: str) -> bool:
    with psycopg.connect(url(server, "postgres"), autocommit=True) as conn:
        found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database])
        return found.fetchone() is not None


def loaded_key(server: str, database: str) -> str | None:
    """The parameters an existing bench database was loaded with (its comment), or None."""
    with psycopg.connect(url(server, "postgres"), autocommit=True) as conn:
        row = conn.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
            [database],
        ).fetchone()
    return None if row is None else row[0]


def mark_loaded(server: str, database: str, key: str) -> None:
    with psycopg.connect(url(server, database), autocommit=True) as conn:
        conn.execute(f"COMMENT ON DATABASE \"{database}\" IS '{key}'")


def load_reference(app: Any) -> None:
    """Divisions, inspection units, basins, judicial organs and holidays, through the services."""
    from casemgr.extensions import db
    from casemgr.services import reference

    with app.app_context():
        reference.load_reference_data(db.session, pilot_counties=app.config["PILOT_COUNTIES"])
        dispose(app)


# ------------------------------------------------------------------------------------------------
# COPY
# ------------------------------------------------------------------------------------------------


def copy_text(value: Any) -> str:
    """One field in PostgreSQL's COPY text format (lists and dicts as JSON)."""
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, list | dict):
        value = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    text = str(value)
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = (
            text.replace("\\", "\\\\")
            .replace("\t", "\\t")
            .replace("\n", "\\n")
            .replace("\r", "\\r")
        )
    return text


def copy_line(row: Sequence[Any]) -> str:
    return "\t".join(map(copy_text, row)) + "\n"


def _copy(server: str, database: str, table: str, columns: str, chunks: Iterable[str]) -> None:
    """COPY text ``chunks`` (whole lines) into one table through its own connection."""
    with psycopg.connect(url(server, database)) as conn:
        # Rows are consistent by construction (the generators assign the ids); skipping the
        # foreign-key triggers (superuser only) lets the tables load side by side.
        conn.execute("SET session_replication_role = replica")
        with conn.cursor() as cur:
            with cur.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for chunk in chunks:
                    copy.write(chunk)
        conn.commit()


def _chunks(rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    chunk: list[str] = []
    for row in rows:
        chunk.append(copy_line(row))
        if len(chunk) >= COPY_CHUNK:
            yield "".join(chunk)
            chunk.clear()
    if chunk:
        yield "".join(chunk)


def _start_and_join(threads: Sequence[threading.Thread]) -> None:
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def _run_side_by_side(jobs: Mapping[str, Callable[[], None]]) -> None:
    errors: list[BaseException] = []

    def run(job: Callable[[], None]) -> None:
        try:
            job()
        except BaseException as exc:  # reported after join
            errors.append(exc)

    _start_and_join([threading.Thread(target=run, args=(j,), daemon=True) for j in jobs.values()])
    if errors:
        raise errors[0]


def copy_tables(
    server: str,
    database: str,
    columns: Mapping[str, str],
    tables: Mapping[str, Iterable[Sequence[Any]]],
) -> None:
    """COPY each table's rows through its own connection, the tables side by side."""
    _run_side_by_side(
        {
            t: (lambda t=t, rows=rows: _copy(server, database, t, columns[t], _chunks(rows)))
            for t, rows in tables.items()
        }
    )


class CopyFeed:
    """COPY into several tables from one producer: each table streams through its own
    connection and thread, fed in chunks of lines through a bounded queue, so Python and
    PostgreSQL work at the same time."""

    def __init__(self, server: str, database: str, columns: Mapping[str, str]) -> None:
        self.queues: dict[str, queue.Queue[str | None]] = {
            t: queue.Queue(maxsize=4) for t in columns
        }
        self.errors: list[BaseException] = []

        def run(table: str) -> None:
            q = self.queues[table]
            try:
                _copy(server, database, table, columns[table], iter(q.get, None))
            except BaseException as exc:  # reported by finish()
                self.errors.append(exc)
                while q.get() is not None:  # drain so the producer never blocks
                    pass

        self.threads = [threading.Thread(target=run, args=(t,), daemon=True) for t in columns]
        for t in self.threads:
            t.start()

    def put(self, table: str, lines: list[str]) -> None:
        if lines:
            self.queues[table].put("".join(lines))

    def finish(self) -> None:
        for q in self.queues.values():
            q.put(None)
        for t in self.threads:
            t.join()
        if self.errors:
            raise self.errors[0]


# Enterprises and their pollution sources from casemgr.demo.generator.generate_enterprises.
ENTERPRISE_COLUMNS = (
    "id, uscc, uscc_status, unknown_authority, name, legal_representative, address, "
    "county_code, industry_code, industry_name, status, registered_on, version, "
    "created_at, updated_at"
)
SOURCE_COLUMNS = (
    "id, enterprise_id, name, permit_number, permit_class, key_pollutant_unit, county_code, "
    "basin_code, latitude, longitude, version, created_at, updated_at"
)


def enterprise_row(eid: int, rec: Mapping[str, Any], at: Any) -> tuple[Any, ...]:
    """A generated enterprise as a row of ENTERPRISE_COLUMNS, created and updated ``at``."""
    return (
        eid,
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
        at,
        at,
    )


def source_row(sid: int, eid: int, s: Mapping[str, Any], at: Any) -> tuple[Any, ...]:
    """A generated pollution source as a row of SOURCE_COLUMNS."""
    return (
        sid,
        eid,
        s["name"],
        s["permit_number"],
        s["permit_class"],
        s["key_pollutant_unit"],
        s["county_code"],
        s["basin_code"],
        s["latitude"],
        s["longitude"],
        1,
        at,
        at,
    )


def reset_sequences(server: str, database: str, tables: Iterable[str]) -> None:
    with psycopg.connect(url(server, database), autocommit=True) as conn:
        for table in tables:
            # ids were assigned by the generator, so move each serial sequence past them
            conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT coalesce(max(id), 0) + 1 FROM {table}), false)"
            )


def vacuum_analyze(server: str, database: str, tables: Iterable[str]) -> None:
    with psycopg.connect(url(server, database), autocommit=True) as conn:
        for table in tables:
            conn.execute(f"VACUUM (ANALYZE) {table}")


def row_counts(conn: psycopg.Connection[Any], tables: Iterable[str]) -> dict[str, int]:
    return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}


# ------------------------------------------------------------------------------------------------
# Indexes dropped for a baseline, restored as they were
# ------------------------------------------------------------------------------------------------


def drop_indexes(
    server: str, database: str, names: Sequence[str], analyze: Sequence[str]
) -> list[str]:
    """Drop the indexes and refresh the statistics of ``analyze``; return the statements that
    recreate them as they were (definition and statistics targets)."""
    restore = []
    with psycopg.connect(url(server, database), autocommit=True) as conn:
        for name in names:
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
        for table in analyze:
            conn.execute(f"ANALYZE {table}")
    return restore


def restore_indexes(
    server: str, database: str, statements: Sequence[str], analyze: Sequence[str]
) -> None:
    with psycopg.connect(url(server, database), autocommit=True) as conn:
        for sql in statements:
            conn.execute(sql)
        for table in analyze:
            conn.execute(f"ANALYZE {table}")


# ------------------------------------------------------------------------------------------------
# The HTTP stack: gunicorn and a keep-alive client
# ------------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """``gunicorn -c python:casemgr.gunicorn_conf --workers 2 'casemgr.app:create_app()'`` (or
    another ``app`` target) against a bench database, on a free loopback port; returns once
    ``/healthz`` answers.

    ``config`` is passed as ``-c <config>``: by default the settings the application is served
    with (``make run``, the Dockerfile: ``gc.freeze()`` in each worker after start-up);
    ``None`` passes no ``-c`` (gunicorn's defaults, how the application was served before
    ``casemgr/gunicorn_conf.py``; the repository has no ``./gunicorn.conf.py`` that gunicorn
    would read instead)."""

    def __init__(
        self,
        server: str,
        database: str,
        instance: Path,
        *,
        workers: int = 2,
        app: str = "casemgr.app:create_app()",
        config: str | None = "python:casemgr.gunicorn_conf",
    ) -> None:
        self.config = config
        self.port = free_port()
        env = {
            **os.environ,
            "CASEMGR_DATABASE_URL": url(server, database),
            "CASEMGR_INSTANCE_PATH": str(instance),
            "CASEMGR_SECRET_KEY": SECRET_KEY,
        }
        gunicorn = Path(sys.executable).with_name("gunicorn")
        self.proc = subprocess.Popen(
            [
                str(gunicorn),
                *(["-c", config] if config is not None else []),
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(workers),
                "--log-level",
                "warning",
                app,
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

    def login(self, username: str, password: str = BENCH_PASSWORD) -> str:
        """A bearer token through ``POST /api/v1/tokens``."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        body = json.dumps({"username": username, "password": password, "label": "bench"})
        conn.request("POST", "/api/v1/tokens", body, {"Content-Type": "application/json"})
        resp = conn.getresponse()
        data = resp.read()
        if resp.status != 201:
            raise SystemExit(f"login of {username} failed: {resp.status} {data[:200]!r}")
        return str(json.loads(data)["token"])


@dataclass(frozen=True)
class Timed:
    """One timed GET: from sending the request to reading the last byte of the body."""

    index: int
    path: str
    ms: float
    body: bytes


def timed_gets(
    port: int, requests: Sequence[tuple[str, Mapping[str, str]]], *, clients: int = 1
) -> tuple[list[Timed], float]:
    """GET each ``(path, headers)`` from ``clients`` threads, each on one keep-alive connection;
    return the timings in request order and the elapsed seconds. Stops at the first status other
    than 200 and raises SystemExit naming it."""
    results: list[Timed | None] = [None] * len(requests)
    cursor = iter(range(len(requests)))
    lock = threading.Lock()
    failures: list[str] = []

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
        while not failures:
            with lock:
                i = next(cursor, None)
            if i is None:
                break
            path, headers = requests[i]
            started = time.perf_counter()
            conn.request("GET", path, headers=dict(headers))
            resp = conn.getresponse()
            body = resp.read()
            ms = (time.perf_counter() - started) * 1000
            if resp.status != 200:
                failures.append(f"{resp.status} {path}: {body[:300]!r}")
                break
            results[i] = Timed(i, path, ms, body)
        conn.close()

    started = time.perf_counter()
    _start_and_join([threading.Thread(target=client) for _ in range(clients)])
    elapsed = time.perf_counter() - started
    if failures:
        raise SystemExit("requests failed:\n" + "\n".join(failures[:10]))
    return [r for r in results if r is not None], elapsed


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", "Accept": "application/json"}


# ------------------------------------------------------------------------------------------------
# SQL statements per request
# ------------------------------------------------------------------------------------------------


@contextmanager
def counting_statements(engine: Any) -> Iterator[list[int]]:
    """Count the statements sent through ``engine`` (``counter[0]``; reset it at will)."""
    from sqlalchemy import event

    counter = [0]

    def tally(*_: Any) -> None:
        counter[0] += 1

    event.listen(engine, "before_cursor_execute", tally)
    try:
        yield counter
    finally:
        event.remove(engine, "before_cursor_execute", tally)


# ------------------------------------------------------------------------------------------------
# Statistics, machine, results
# ------------------------------------------------------------------------------------------------


def percentile(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * p // 100))
    return ordered[int(rank) - 1]


def latency_stats(values: Sequence[float]) -> dict[str, float]:
    """n, median, p95, p99 and max of times in milliseconds."""
    return {
        "n": len(values),
        "median_ms": round(statistics.median(values), 2),
        "p95_ms": round(percentile(values, 95), 2),
        "p99_ms": round(percentile(values, 99), 2),
        "max_ms": round(max(values), 2),
    }


def ratio(a: float, b: float) -> str:
    return f"{a / b:.1f}×" if b else "-"


class LoadSampler:
    """The 1-minute load average sampled every few seconds while it runs (other work on the
    shared machine moves the figures)."""

    def __init__(self, every_s: float = 5.0) -> None:
        self.samples: list[float] = []
        self._stop = threading.Event()
        self._every = every_s
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while True:
            self.samples.append(os.getloadavg()[0])
            if self._stop.wait(self._every):
                return

    def __enter__(self) -> LoadSampler:
        self._thread.start()
        return self

    def __exit__(self, *_: Any) -> None:
        self._stop.set()
        self._thread.join()
        self.samples.append(os.getloadavg()[0])

    def summary(self) -> dict[str, float]:
        s = self.samples or [os.getloadavg()[0]]
        return {
            "min": round(min(s), 2),
            "mean": round(statistics.mean(s), 2),
            "max": round(max(s), 2),
        }


def _children(pid: int) -> list[int]:
    out: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return out
    for tid in tasks:
        try:
            with open(f"/proc/{pid}/task/{tid}/children") as fh:
                out += [int(c) for c in fh.read().split()]
        except OSError:
            continue
    return out


def _kib(pid: int, field: str) -> int:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


class TreeMemory:
    """Memory of this process and its worker processes (the full credit rescoring spawns
    some), sampled every ``every_s`` while it runs: the largest sum of their resident sets
    seen, and a bound that no sampling can miss, this process's peak (``VmHWM``, reset on
    entry through ``/proc/self/clear_refs``) plus each worker's own peak as last read."""

    def __init__(self, every_s: float = 0.1) -> None:
        self.peak_sum_kib = 0
        self.child_peaks: dict[int, int] = {}
        self._stop = threading.Event()
        self._every = every_s
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _tree(self) -> list[int]:
        found, todo = [], [os.getpid()]
        while todo:
            pid = todo.pop()
            found.append(pid)
            todo += _children(pid)
        return found

    def _run(self) -> None:
        me = os.getpid()
        while True:
            total = 0
            for pid in self._tree():
                total += _kib(pid, "VmRSS")
                if pid != me:
                    self.child_peaks[pid] = max(self.child_peaks.get(pid, 0), _kib(pid, "VmHWM"))
            self.peak_sum_kib = max(self.peak_sum_kib, total)
            if self._stop.wait(self._every):
                return

    def __enter__(self) -> TreeMemory:
        try:
            Path("/proc/self/clear_refs").write_text("5")
        except OSError:
            pass
        self._thread.start()
        return self

    def __exit__(self, *_: Any) -> None:
        self._stop.set()
        self._thread.join()

    def summary(self) -> dict[str, int]:
        own = _kib(os.getpid(), "VmHWM")
        return {
            "processes": 1 + len(self.child_peaks),
            "peak_rss_sum_sampled_mib": round(self.peak_sum_kib / 1024),
            "peak_rss_bound_mib": round((own + sum(self.child_peaks.values())) / 1024),
            "peak_rss_main_mib": round(own / 1024),
            "peak_rss_workers_mib": [round(k / 1024) for k in self.child_peaks.values()],
        }


class CpuMeter:
    """CPU seconds spent while it runs: by the whole machine (PostgreSQL included) and by
    this process with its waited-for children."""

    @staticmethod
    def _machine() -> float:
        with open("/proc/stat") as fh:
            fields = [int(v) for v in fh.readline().split()[1:9]]
        user, nice, system, _idle, _iowait, irq, softirq, steal = fields
        return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")

    @staticmethod
    def _own() -> float:
        me, kids = (
            resource.getrusage(resource.RUSAGE_SELF),
            resource.getrusage(resource.RUSAGE_CHILDREN),
        )
        return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime

    def __enter__(self) -> CpuMeter:
        self._start = (self._machine(), self._own())
        return self

    def __exit__(self, *_: Any) -> None:
        self.machine_s = self._machine() - self._start[0]
        self.python_s = self._own() - self._start[1]

    def summary(self) -> dict[str, float]:
        return {
            "machine_s": round(self.machine_s, 1),
            "python_s": round(self.python_s, 1),
            "other_s": round(self.machine_s - self.python_s, 1),
        }


def machine() -> dict[str, Any]:
    mem = ""
    try:
        with open("/proc/meminfo") as fh:
            kib = int(fh.readline().split()[1])
            mem = f"{kib / 2**20:.0f} GiB"
    except OSError:
        pass
    return {
        "cpus": os.cpu_count(),
        "memory": mem,
        "platform": platform.platform(),
        # Other work on the machine moves the figures: the 1-minute load when measuring ends.
        "load_average": round(os.getloadavg()[0], 2),
    }


def server_settings(conn: psycopg.Connection[Any]) -> dict[str, Any]:
    """PostgreSQL's version, the settings that matter for timings, the database's size."""
    facts: dict[str, Any] = {"postgresql": conn.execute("SHOW server_version").fetchone()[0]}
    for setting in ("lc_ctype", "shared_buffers", "work_mem", "effective_cache_size", "jit"):
        facts[setting] = conn.execute(f"SHOW {setting}").fetchone()[0]
    facts["database_size"] = conn.execute(
        "SELECT pg_size_pretty(pg_database_size(current_database()))"
    ).fetchone()[0]
    return facts


def write_json(path: Path, result: Mapping[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(result, ensure_ascii=False, indent=2, default=str) + "\n"
    path.write_text(text, encoding="utf-8")


def write_results(
    result: Mapping[str, Any], json_path: Path, md_path: Path | None = None, section: str = ""
) -> None:
    """The raw figures as JSON and, where given, the Markdown section (also printed)."""
    write_json(json_path, result)
    written = [str(json_path.relative_to(ROOT))]
    if md_path is not None:
        md_path.write_text(section, encoding="utf-8")
        written.append(str(md_path.relative_to(ROOT)))
    if section:
        print(section)
    print("written: " + ", ".join(written))
