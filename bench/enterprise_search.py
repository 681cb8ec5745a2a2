"""Enterprise search over a million generated enterprises on PostgreSQL, through the HTTP stack.

``make bench`` runs this file. It builds its own database ``casemgr_bench``, migrates it to the
revision before the search indexes (0002), bulk-loads ``--rows`` enterprises from
:func:`casemgr.demo.generator.generate_enterprises` with COPY, and then measures one fixed query
mix twice against the same data, each time through gunicorn (2 workers) and the real API:

* ``baseline``: revision 0002, i.e. the search without the indexes of migration 0003 (LIKE over
  the b-tree indexes of the initial schema, mostly sequential scans);
* ``indexed``: after ``flask db upgrade`` to head (migration 0003's n-gram indexes).

The baseline is slow at a million rows, so it replays a fixed, evenly spaced subset of the same
request list (``--baseline-requests``); both phases report median, p95 and p99 latency per query
kind, and the ratios baseline / indexed. Results go to stdout (markdown) and to
``bench/results/enterprise_search.json``. Nothing here is a test: speed is never asserted.

Usage::

    .venv/bin/python bench/enterprise_search.py [--rows 1000000] [--requests N] [--keep]
"""

from __future__ import annotations

import queue
import sys
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
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
BEFORE_INDEXES = "0002"  # the revision the baseline runs at: migration 0003 not applied
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


def _migrate(app: Any, revision: str) -> None:
    """``flask db upgrade`` / ``downgrade`` to ``revision`` (the app's own migrations)."""
    from flask_migrate import downgrade, upgrade

    from casemgr.extensions import db

    with app.app_context():
        current = _alembic_revision(app)
        if revision == "head" or current is None or current < revision:
            upgrade(revision=revision)
        elif current > revision:
            downgrade(revision=revision)
        db.session.remove()
        db.engine.dispose()


def _alembic_revision(app: Any) -> str | None:
    from sqlalchemy import text

    from casemgr.extensions import db

    with db.engine.connect() as conn:
        exists = conn.scalar(text("SELECT to_regclass('alembic_version') IS NOT NULL"))
        return conn.scalar(text("SELECT version_num FROM alembic_version")) if exists else None


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
        # Rows are consistent by construction (ids assigned below); skipping the foreign-key
        # triggers lets the four tables load side by side instead of parents first.
        conn.execute("SET session_replication_role = replica")
        with conn.cursor() as cur:
            with cur.copy(f"COPY {table} ({COPY_COLUMNS[table]}) FROM STDIN") as copy:
                while (chunk := chunks.get()) is not None:
                    copy.write(chunk)
        conn.commit()


def bulk_load(server: str, rows: int, *, log: Callable[[str], None]) -> dict[str, int]:
    """COPY ``rows`` generated enterprises with their aliases, former names and sources.

    This bypasses the ORM on purpose: a million enterprises through the unit of work (and the
    audit listener, which would write one audit entry per row) would take hours, and the
    benchmark measures searching, not registering. Each table streams through its own
    connection and COPY, fed in chunks by the generator, so Python and PostgreSQL overlap.
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
