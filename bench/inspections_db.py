"""Issue 7's speed targets on PostgreSQL: the quarterly province draw and the reminder scan.

Issue 7 asks for "a quarterly draw over 100,000 enterprises and 2,000 inspectors with conflict
checks: under 5 s" and a "reminder scan over 200,000 open deadlines: under 10 s". This file
(re)creates its own database ``casemgr_bench_inspections`` (migrated to head, reference data
loaded, :mod:`bench.common`), bulk-loads it with COPY (:mod:`bench.inspections_db_data`: the
operating enterprises with their pollution sources and credit tiers, the officers and bureau
heads, declared conflicts, a previous dispatched draw whose teams are the last inspectors of 30 %
of the enterprises, the cases and their open deadlines) and times, in an application context
(``create_app`` on the bench database, as the CLI and the scheduler run them), ``--runs`` times
each (median, min, max):

* **draw**: :func:`casemgr.services.draws.prepare_draw` then ``execute_draw`` for the whole
  province (scope 520000, level province, period quarter, a fixed seed) by the system actor (an
  admin: every permission). Each sub-phase is timed without changing the service, by wrapping
  the module-level functions the service calls (``pool_rows`` and the credit tiers it reads,
  ``roster_rows``, the exclusions, ``input_digests``, the freeze (the frozen inputs written),
  the frozen inputs read back, ``run_draw``, the target and assignment inserts where they have a
  function of their own, the session's commits), the rest of each call shown as such. Times are
  "self" times (a wrapped call nested in another is taken out of it); the time spent in the
  driver's ``cursor.execute`` (statements sent, rows received), the number of statements and the
  process's CPU time are counted alongside (the rest of the wall time is waiting: the machine is
  shared). A COPY through the driver's own connection is not seen by that SQL clock: its time is
  in the step's wall and CPU time. The draw and its rows are deleted between runs (the previous,
  dispatched draw stays), so every run starts alike.
* **reminders**: :func:`casemgr.services.reminders.scan` as of the benchmark's today, (a) the
  first scan, when every due-soon and overdue deadline needs its notification (``reminded``
  reset and the notifications deleted before each run), (b) the steady state: the scan again
  right after, when nothing is new, (c) the next day's scan (today + 1): what the nightly job
  meets, the deadlines whose level changed overnight. The tables are analysed between scans
  (outside the timings), as autovacuum would after such writes.

**Baselines**, run side by side (interleaved with ours, run by run):

* draw: **per-enterprise tier lookup** -- the same two service calls with ``pool_rows``
  replaced by the version an ORM-first implementation writes: the operating enterprises as
  ORM objects with their sources (``selectinload``) and, for each, one query for its latest
  credit tier; everything else is the service's own. It must give the same pool, roster,
  exclusions and result digests (checked on every run).
* reminders: **per-deadline ORM scan** -- each candidate Deadline loaded as an ORM object, one
  query per deadline for the notifications it already has (by the unique (user, dedupe key)),
  the missing ones added as ORM objects and the mark set on the object, one commit (autoflush
  off: exactly one query per deadline, the ORM batches the writes at commit). It must leave
  the same notifications and marks (compared by digest).

The slowest statements of our runs are kept; unless ``--no-explain``, the slowest SELECTs are
run again under ``EXPLAIN (ANALYZE, BUFFERS)``, and so are the server's side of the bulk writes
(rows of the same shape and number written by ``INSERT ... SELECT``, rolled back: the inserts
against the foreign-key triggers). The result names the commit, the files changed since and a
digest of each service file measured (the tree is edited while benchmarks run). The machine
has 2 shared cores: the 1-minute load average is read before and after every run and sampled
throughout. Results go to stdout (markdown) and ``--out``
(``bench/results/inspections_db.json``). Nothing here is a test: speed is never asserted.

Usage::

    .venv/bin/python bench/inspections_db.py [--runs 3] [--baseline-runs 3] [--keep] [--drop]
    .venv/bin/python bench/inspections_db.py --enterprises 10000 --officers 300 \\
        --cases 12000 --deadlines 20000 --runs 1                              # quick
    .venv/bin/python bench/inspections_db.py --keep --phases reminders   # reuse the loaded data

``--keep`` reuses the database when it was loaded with the same parameters (else reloads);
``--drop`` removes it when done; ``--load-only`` loads and measures nothing.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import (  # noqa: E402
    DIVISIONS_CSV,
    CopyFeed,
    LoadSampler,
    add_server_argument,
    copy_line,
    dispose,
    drop_database,
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
from bench.inspections_db_data import COLUMNS, SERIAL, Facts, generate  # noqa: E402
from casemgr.demo.generator import load_divisions  # noqa: E402

DB_NAME = "casemgr_bench_inspections"
RESULTS = ROOT / "bench" / "results" / "inspections_db.json"
SEED = 2026
TODAY = date(2026, 7, 6)  # a Monday early in 2026Q3: the draw's day and the scan's today
DRAW_SEED = "GZ-2026Q3-bench"
SCHEME = "guizhou-2019"
TARGETS = {"draw": 5.0, "reminders": 10.0}  # seconds, issue 7
# The scans of a reminders run, one after the other: (name, today, shown as).
SCAN_STATES = (
    ("first", TODAY, "first (all new)"),
    ("steady", TODAY, "again (nothing new)"),
    ("next_day", TODAY + timedelta(days=1), "next day (a day's changes)"),
)
DRAW_TABLES = (
    "draw_assignments",
    "draw_targets",
    "draw_inputs",
    "inspection_draws",
)


# ------------------------------------------------------------------------------------------------
# Data
# ------------------------------------------------------------------------------------------------


def bulk_load(server: str, database: str, args: argparse.Namespace) -> dict[str, Any]:
    from casemgr.planning.sampling import load_sampling_config
    from casemgr.services.accounts import hash_password
    from casemgr.services.credit import scheme_named

    facts = Facts()
    rows = generate(
        load_divisions(DIVISIONS_CSV),
        enterprises=args.enterprises,
        officers=args.officers,
        cases=args.cases,
        deadlines=args.deadlines,
        today=TODAY,
        scheme_key=scheme_named(SCHEME).key,
        sampling_config=load_sampling_config().to_mapping(),
        password_hash=hash_password(f"bulk-user-no-login-{SEED}"),
        seed=SEED,
        facts=facts,
    )
    feed = CopyFeed(server, database, COLUMNS)
    buffers: dict[str, list[str]] = {t: [] for t in COLUMNS}
    for table, row in rows:
        buf = buffers[table]
        buf.append(copy_line(row))
        if len(buf) >= 20_000:
            feed.put(table, buf)
            buffers[table] = []
    for table, buf in buffers.items():
        feed.put(table, buf)
    feed.finish()
    reset_sequences(server, database, SERIAL)
    vacuum_analyze(server, database, COLUMNS)
    return {
        "operating_enterprises": facts.operating,
        "key_units": facts.key_units,
        "tiers": dict(facts.tiers),
        "expired_certificates": facts.expired_certificates,
        "bureau_heads": facts.heads,
        "enterprises_with_last_inspectors": facts.last_inspected,
    }


MEASURED = (
    "casemgr/services/draws.py",
    "casemgr/services/draw_pools.py",
    "casemgr/planning/draws.py",
    "casemgr/services/reminders.py",
    "casemgr/services/notifications.py",
    "casemgr/repositories/bulk.py",
)


def code_version() -> dict[str, Any]:
    """What was measured: the commit, the files changed since, a digest of each service file
    (the tree is edited while benchmarks run)."""

    def git(*args: str) -> str:
        done = subprocess.run(
            ["git", "--no-optional-locks", *args], cwd=ROOT, capture_output=True, text=True
        )
        return done.stdout.rstrip("\n")

    changed = [line[3:] for line in git("status", "--porcelain").splitlines()]
    return {
        "git_head": git("rev-parse", "--short", "HEAD"),
        "changed_since": [f for f in changed if f.startswith("casemgr/")],
        "sha256": {
            f: hashlib.sha256((ROOT / f).read_bytes()).hexdigest()[:16]
            for f in MEASURED
            if (ROOT / f).exists()
        },
    }


def sql(server: str, database: str, *statements: str) -> None:
    with psycopg.connect(url(server, database), autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)


def delete_draws(server: str, database: str, keep: int = 1) -> None:
    """Every draw but the previous, dispatched one (id ``keep``), with its rows."""
    sql(
        server,
        database,
        *(f"DELETE FROM {t} WHERE draw_id <> {keep}" for t in DRAW_TABLES[:-1]),
        f"DELETE FROM inspection_draws WHERE id <> {keep}",
        *(f"VACUUM (ANALYZE) {t}" for t in DRAW_TABLES),
    )


def reset_reminders(server: str, database: str) -> None:
    sql(
        server,
        database,
        "UPDATE deadlines SET reminded = NULL WHERE reminded IS NOT NULL",
        "TRUNCATE notifications",
        "VACUUM (ANALYZE) deadlines",
        "VACUUM (ANALYZE) notifications",
    )


def reminder_digests(server: str, database: str) -> dict[str, Any]:
    with psycopg.connect(url(server, database)) as conn:
        notes = conn.execute(
            "SELECT count(*), md5(coalesce(string_agg(user_id || '|' || kind || '|' || "
            "dedupe_key || '|' || email_due, ',' ORDER BY user_id, dedupe_key), '')) "
            "FROM notifications"
        ).fetchone()
        marks = conn.execute(
            "SELECT count(reminded), md5(coalesce(string_agg(id || ':' || reminded, ',' "
            "ORDER BY id), '')) FROM deadlines WHERE reminded IS NOT NULL"
        ).fetchone()
    return {"notifications": notes[0], "marked": marks[0], "digest": f"{notes[1]}/{marks[1]}"}


# ------------------------------------------------------------------------------------------------
# Instruments: SQL time, timed wrappers
# ------------------------------------------------------------------------------------------------


def _kind(statement: str) -> str:
    """``SELECT <first table>``, ``INSERT <table>``, ``UPDATE <table>``..."""
    words = statement.split(None, 3)
    head = words[0].upper() if words else ""
    if head == "SELECT":
        m = re.search(r"\bFROM\s+(\w+)", statement)
        return f"SELECT {m.group(1) if m else ''}"
    if head in ("INSERT", "DELETE") and len(words) > 2:
        return f"{head} {words[2]}"
    if head == "UPDATE" and len(words) > 1:
        return f"UPDATE {words[1]}"
    return head


class SqlClock:
    """Time inside the driver's ``cursor.execute`` (statement sent, rows received), statements
    counted, by kind, and the slowest single statements (with their parameters)."""

    def __init__(self, engine: Any) -> None:
        from sqlalchemy import event

        self.seconds = 0.0
        self.statements = 0
        self.by_kind: dict[str, list[float]] = {}
        self.slowest: list[tuple[float, str, Any]] = []
        self._started: list[float] = []
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)

    def _before(self, *_: Any) -> None:
        self._started.append(time.perf_counter())

    def _after(
        self, conn: Any, cursor: Any, statement: str, params: Any, ctx: Any, many: bool
    ) -> None:
        dt = time.perf_counter() - self._started.pop()
        self.seconds += dt
        self.statements += 1
        kind = self.by_kind.setdefault(_kind(statement), [0.0, 0])
        kind[0] += dt
        kind[1] += 1
        if not many and (not self.slowest or dt > self.slowest[-1][0] or len(self.slowest) < 5):
            self.slowest = sorted([*self.slowest, (dt, statement, params)], reverse=True)[:5]

    def reset(self) -> None:
        self.by_kind, self.slowest = {}, []

    def snapshot(self) -> tuple[float, int]:
        return self.seconds, self.statements


@dataclass
class Span:
    seconds: float = 0.0  # self time: nested spans taken out
    sql_s: float = 0.0
    statements: int = 0
    calls: int = 0


@dataclass
class Recorder:
    clock: SqlClock
    spans: dict[str, Span] = field(default_factory=dict)
    _stack: list[list[float]] = field(default_factory=list)  # children's wall, sql, statements

    def wrap(self, label: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            t0, (q0, n0) = time.perf_counter(), self.clock.snapshot()
            self._stack.append([0.0, 0.0, 0])
            try:
                return fn(*args, **kwargs)
            finally:
                children = self._stack.pop()
                wall = time.perf_counter() - t0
                q, n = self.clock.snapshot()
                span = self.spans.setdefault(label, Span())
                span.seconds += wall - children[0]
                span.sql_s += (q - q0) - children[1]
                span.statements += (n - n0) - int(children[2])
                span.calls += 1
                if self._stack:
                    parent = self._stack[-1]
                    parent[0] += wall
                    parent[1] += q - q0
                    parent[2] += n - n0

        return timed


@contextmanager
def patched(targets: list[tuple[Any, str, Callable[..., Any]]]) -> Iterator[None]:
    """Set ``obj.name = value`` for each target, restored on the way out."""
    saved = [(obj, name, obj.__dict__.get(name, _MISSING)) for obj, name, _ in targets]
    try:
        for obj, name, value in targets:
            setattr(obj, name, value)
        yield
    finally:
        for obj, name, old in reversed(saved):
            if old is _MISSING:
                delattr(obj, name)
            else:
                setattr(obj, name, old)


_MISSING = object()


# ------------------------------------------------------------------------------------------------
# The draw
# ------------------------------------------------------------------------------------------------

_RANK = {"general": 0, "key": 1, "special": 2}


def naive_pool_rows(session: Any, counties: Any, on: date, scheme: Any) -> list[Any]:
    """The baseline pool: ORM enterprises with their sources, one tier query per enterprise."""
    from sqlalchemy import select
    from sqlalchemy.orm import selectinload

    from casemgr.models import CreditScore, Enterprise, EnterpriseStatus, PermitClass
    from casemgr.planning.draws import PoolEntry

    consequences = {t.value: c for t, c in scheme.consequences.items()}
    stmt = (
        select(Enterprise)
        .options(selectinload(Enterprise.sources))
        .where(Enterprise.status == EnterpriseStatus.OPERATING)
    )
    if counties is not None:
        stmt = stmt.where(Enterprise.county_code.in_(sorted(counties)))
    out = []
    for ent in session.scalars(stmt).all():
        if not ent.sources:
            continue
        key = any(s.permit_class is PermitClass.KEY or s.key_pollutant_unit for s in ent.sources)
        tier = session.scalar(
            select(CreditScore.tier)
            .where(
                CreditScore.enterprise_id == ent.id,
                CreditScore.scheme == scheme.key,
                CreditScore.as_of <= on,
            )
            .order_by(CreditScore.id.desc())
            .limit(1)
        )
        cls, weight = ("key" if key else "general"), 1.0
        consequence = consequences.get(tier or "")
        if consequence is not None:
            weight = consequence.sampling_weight
            if _RANK.get(consequence.inspection_class, 0) > _RANK[cls]:
                cls = consequence.inspection_class
        out.append(PoolEntry(ent.uscc, ent.id, cls, ent.county_code, weight))
    return out


# (label, shown as) in report order; "other" is what the wrapped calls leave of the phase.
PREPARE_PARTS = (
    ("pool", "pool query"),
    ("tiers", "credit tiers (latest score)"),
    ("roster", "roster"),
    ("exclusions", "exclusions (conflicts, last inspectors)"),
    ("digests", "input digests"),
    ("freeze", "freeze (the inputs document)"),
    ("commit", "commit"),
    ("other", "scope, draw row, audit"),
)
EXECUTE_PARTS = (
    ("frozen", "frozen inputs read back"),
    ("run_draw", "run_draw (pure)"),
    ("store", "target + assignment inserts"),
    ("other", "draw row update, the rest"),
    ("commit", "commit"),
)


def draw_once(app: Any, clock: SqlClock, baseline: bool) -> dict[str, Any]:
    from sqlalchemy import func, select

    from casemgr.extensions import db
    from casemgr.models import DrawAssignment, DrawTarget
    from casemgr.planning import draws as drawing
    from casemgr.planning.sampling import load_sampling_config
    from casemgr.policy import SYSTEM_ACTOR
    from casemgr.services import draws
    from casemgr.services.credit import scheme_named

    settings = draws.DrawSettings(config=load_sampling_config(), scheme=scheme_named(SCHEME))
    data = {
        "title": "2026Q3 全省双随机抽查 (bench)",
        "scope_code": "520000",
        "period": "quarter",
        "period_label": "2026Q3",
        "draw_on": TODAY,
        "seed": DRAW_SEED,
    }
    pool_module = sys.modules[draws.pool_rows.__module__]  # draws, or where it was moved
    exclusions = "exclusions" if hasattr(draws, "exclusions") else "_exclusions"
    out: dict[str, Any] = {}
    with app.app_context():
        session = db.session
        real = session()
        rec = Recorder(clock)
        targets: list[tuple[Any, str, Callable[..., Any]]] = [
            (draws, "pool_rows", naive_pool_rows if baseline else draws.pool_rows),
            (draws, "roster_rows", draws.roster_rows),
            (draws, exclusions, getattr(draws, exclusions)),
            (draws, "_freeze", draws._freeze),
            (draws, "frozen_request", draws.frozen_request),
            (drawing, "input_digests", drawing.input_digests),
            (drawing, "run_draw", drawing.run_draw),
            (real, "commit", real.commit),
        ]
        if hasattr(pool_module, "_tiers"):
            targets.append((pool_module, "_tiers", pool_module._tiers))
        if hasattr(draws, "_store_result"):  # the target inserts, where they have a function
            targets.append((draws, "_store_result", draws._store_result))
        labels = {"pool_rows": "pool", "roster_rows": "roster", exclusions: "exclusions",
                  "_freeze": "freeze", "frozen_request": "frozen", "input_digests": "digests",
                  "run_draw": "run_draw", "commit": "commit", "_tiers": "tiers",
                  "_store_result": "store"}  # fmt: skip
        wrapped = [(o, n, rec.wrap(labels[n], f)) for o, n, f in targets]
        phases: dict[str, Any] = {}

        def phase(name: str, call: Callable[[], Any]) -> Any:
            rec.spans = {}
            t0, c0, (q0, n0) = time.perf_counter(), time.process_time(), clock.snapshot()
            value = call()
            wall, cpu = time.perf_counter() - t0, time.process_time() - c0
            q, n = clock.snapshot()
            parts = {k: vars(v) for k, v in rec.spans.items()}
            parts["other"] = {
                "seconds": wall - sum(s.seconds for s in rec.spans.values()),
                "sql_s": (q - q0) - sum(s.sql_s for s in rec.spans.values()),
                "statements": (n - n0) - sum(s.statements for s in rec.spans.values()),
            }
            phases[name] = {"seconds": wall, "cpu_s": cpu, "sql_s": q - q0,
                            "statements": n - n0, "parts": parts}  # fmt: skip
            return value

        with patched(wrapped):
            draw = phase(
                "prepare", lambda: draws.prepare_draw(session, SYSTEM_ACTOR, data, settings)
            )
            draw_id = draw.id
            draw = phase("execute", lambda: draws.execute_draw(session, SYSTEM_ACTOR, draw_id))
        out["phases"] = phases
        out["seconds"] = phases["prepare"]["seconds"] + phases["execute"]["seconds"]
        out["cpu_s"] = phases["prepare"]["cpu_s"] + phases["execute"]["cpu_s"]
        out["sql_by_kind"] = {k: [round(v[0], 3), v[1]] for k, v in sorted(clock.by_kind.items())}
        out["draw_id"] = draw_id
        out["pool_size"], out["roster_size"] = draw.pool_size, draw.roster_size
        out["targets"] = session.scalar(
            select(func.count()).select_from(DrawTarget).where(DrawTarget.draw_id == draw_id)
        )
        out["assignments"] = session.scalar(
            select(func.count())
            .select_from(DrawAssignment)
            .where(DrawAssignment.draw_id == draw_id)
        )
        out["digests"] = {
            k: getattr(draw, k)
            for k in ("pool_digest", "roster_digest", "exclusions_digest", "result_digest")
        }
        db.session.remove()
    return out


def certified_roster(server: str, database: str) -> dict[str, int]:
    with psycopg.connect(url(server, database)) as conn:
        row = conn.execute(
            "SELECT count(*), count(*) FILTER (WHERE certificate_valid_until >= %s) FROM users "
            "JOIN user_roles ON user_roles.user_id = users.id WHERE role = 'officer'",
            [TODAY],
        ).fetchone()
        conflicts = conn.execute("SELECT count(*) FROM inspector_conflicts").fetchone()[0]
    return {"officers": row[0], "certified": row[1], "declared_conflicts": conflicts}


# ------------------------------------------------------------------------------------------------
# The reminder scan
# ------------------------------------------------------------------------------------------------


def naive_scan(session: Any, *, today: date, settings: Any = None) -> Any:
    """The baseline scan: ORM deadlines, one notification query per deadline (see above)."""
    from sqlalchemy import select

    from casemgr.db import utcnow
    from casemgr.models import Notification
    from casemgr.models.cases import Deadline, DeadlineStateValue
    from casemgr.services import notifications, reminders

    s = settings or reminders.ReminderSettings()
    started = time.monotonic()
    report = reminders.ReminderReport(today)
    heads = notifications.heads_by_county(session)
    deadlines = session.scalars(
        select(Deadline).where(
            Deadline.state.in_([DeadlineStateValue.OPEN, DeadlineStateValue.MISSED]),
            Deadline.done_on.is_(None),
            Deadline.due_on <= today + timedelta(days=s.due_soon_days),
        )
    ).all()
    report.scanned = len(deadlines)
    with session.no_autoflush:
        for d in deadlines:
            level = reminders._level(d.due_on, today, s)
            if level is None:
                continue
            if level == "escalated" or d.officer_id is None:
                recipients = heads.get(d.county_code) or heads.get("*", [])
                if level == "escalated" and d.officer_id is not None:
                    recipients = [*recipients, d.officer_id]
            else:
                recipients = [d.officer_id]
            due = d.due_on.isoformat()
            key = f"deadline:{d.id}:{level}:{due}"
            wanted = sorted(set(recipients))
            have = set(
                session.scalars(
                    select(Notification.user_id).where(
                        Notification.user_id.in_(wanted), Notification.dedupe_key == key
                    )
                )
            )
            params = {"due_on": due, "title": d.title, "case_id": d.case_id}
            for uid in wanted:
                if uid not in have:
                    session.add(
                        Notification(user_id=uid, kind=f"deadline_{level}", dedupe_key=key,
                                     subject=reminders.SUBJECTS[level], params=params,
                                     link=f"/cases/{d.case_id}", email_due=s.email,
                                     created_at=utcnow())
                    )  # fmt: skip
            if not reminders._already(d.reminded, level, d.due_on):
                d.reminded = f"{level}:{due}"
                report.notified[level] += 1
    session.commit()
    report.seconds = time.monotonic() - started
    return report


def scan_once(app: Any, clock: SqlClock, baseline: bool, today: date) -> dict[str, Any]:
    from casemgr.extensions import db
    from casemgr.services import reminders

    scan = naive_scan if baseline else reminders.scan
    with app.app_context():
        clock.reset()
        t0, c0, (q0, n0) = time.perf_counter(), time.process_time(), clock.snapshot()
        report = scan(db.session, today=today)
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        q, n = clock.snapshot()
        db.session.remove()
    return {
        "seconds": wall,
        "cpu_s": cpu,
        "sql_s": q - q0,
        "statements": n - n0,
        "scanned": report.scanned,
        "notified": dict(report.notified),
        "sql_by_kind": {k: [round(v[0], 3), v[1]] for k, v in sorted(clock.by_kind.items())},
    }


# ------------------------------------------------------------------------------------------------
# Runs, side by side
# ------------------------------------------------------------------------------------------------


def _load() -> float:
    return round(os.getloadavg()[0], 2)


def summary(runs: list[dict[str, Any]]) -> dict[str, Any]:
    secs = [r["seconds"] for r in runs]
    return {
        "median_s": round(statistics.median(secs), 3),
        "min_s": round(min(secs), 3),
        "max_s": round(max(secs), 3),
        "cpu_median_s": round(statistics.median(r["cpu_s"] for r in runs), 3),
        "load_1min": [r["load_1min"] for r in runs],
    }


def _rounded(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 4)
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_rounded(v) for v in value]
    return value


def part_medians(runs: list[dict[str, Any]], phase: str) -> dict[str, Any]:
    labels = {k for r in runs for k in r["phases"][phase]["parts"]}
    out = {}
    for label in labels:
        parts = [r["phases"][phase]["parts"].get(label, {}) for r in runs]
        out[label] = {
            "median_s": round(statistics.median(p.get("seconds", 0.0) for p in parts), 3),
            "sql_median_s": round(statistics.median(p.get("sql_s", 0.0) for p in parts), 3),
            "statements": parts[-1].get("statements", 0),
        }
    for key in ("seconds", "sql_s"):
        out[f"total_{key}"] = round(statistics.median(r["phases"][phase][key] for r in runs), 3)
    out["total_statements"] = runs[-1]["phases"][phase]["statements"]
    return out


def slowest(clock: SqlClock) -> list[dict[str, Any]]:
    return [
        {"seconds": round(dt, 3), "statement": " ".join(s.split())[:400]}
        for dt, s, _ in clock.slowest
    ]


def explain(app: Any, clock: SqlClock, top: int = 3) -> list[dict[str, Any]]:
    """EXPLAIN (ANALYZE, BUFFERS) of the slowest SELECTs ``clock`` kept (read-only)."""
    from casemgr.extensions import db

    plans = []
    with app.app_context():
        for dt, statement, params in [s for s in clock.slowest if s[1].lstrip()[:6] == "SELECT"][
            :top
        ]:
            with db.engine.connect() as conn:
                rows = conn.exec_driver_sql(
                    "EXPLAIN (ANALYZE, BUFFERS) " + statement, params or {}
                ).all()
                conn.rollback()
            plans.append(
                {
                    "seconds": round(dt, 3),
                    "statement": " ".join(statement.split())[:400],
                    "plan": [r[0] for r in rows],
                }
            )
        dispose(app)
    return plans


def _plans(conn: psycopg.Connection[Any], plans: dict[str, str]) -> list[dict[str, Any]]:
    out = []
    for label, statement in plans.items():
        rows = conn.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement).fetchall()
        out.append({"what": label, "statement": statement, "plan": [r[0] for r in rows]})
    return out


def draw_write_plans(server: str, database: str, targets: int) -> list[dict[str, Any]]:
    """The server's side of the draw's writes, on rows of the same shape and number: the
    previous draw's rows copied by ``INSERT ... SELECT`` into a new draw, under ``EXPLAIN
    ANALYZE`` (row inserts, index entries, one foreign-key trigger call per row and
    constraint), rolled back."""
    draw = 999_999
    with psycopg.connect(url(server, database)) as conn:
        conn.execute(
            "INSERT INTO inspection_draws (id, title, scope_code, level, period, period_label, "
            "draw_on, seed, seed_published_at, status, config, config_digest, pool_digest, "
            "roster_digest, exclusions_digest, pool_size, roster_size, credit_scheme, version, "
            "created_at, updated_at) SELECT %s, title, scope_code, level, period, period_label, "
            "draw_on, seed, seed_published_at, 'prepared', config, config_digest, pool_digest, "
            "roster_digest, exclusions_digest, pool_size, roster_size, credit_scheme, 1, "
            "created_at, updated_at FROM inspection_draws WHERE id = 1",
            [draw],
        )
        plans = _plans(
            conn,
            {
                "targets": (
                    "INSERT INTO draw_targets (draw_id, rank, enterprise_id, inspection_class, "
                    f"county_code, score, inspectors, outcome, finding) SELECT {draw}, rank, "
                    "enterprise_id, inspection_class, county_code, score, inspectors, 'pending', "
                    f"'' FROM draw_targets WHERE draw_id = 1 AND rank <= {int(targets)}"
                ),
                "assignments": (
                    f"INSERT INTO draw_assignments SELECT t.id, j::int, {draw}, t.enterprise_id "
                    "FROM draw_targets t, jsonb_array_elements_text(t.inspectors) j "
                    f"WHERE t.draw_id = {draw}"
                ),
            },
        )
        conn.rollback()
    return plans


def reminder_write_plans(server: str, database: str) -> list[dict[str, Any]]:
    """The server's side of the first scan's writes, after it: its notifications inserted again
    (``INSERT ... SELECT ... ON CONFLICT DO NOTHING`` into the emptied table) and its marks
    written again (an ``UPDATE`` of the marked deadlines), under ``EXPLAIN ANALYZE``, rolled
    back."""
    with psycopg.connect(url(server, database)) as conn:
        conn.execute("CREATE TEMP TABLE bench_notes AS SELECT * FROM notifications")
        conn.execute("TRUNCATE notifications")
        plans = _plans(
            conn,
            {
                "notifications": (
                    "INSERT INTO notifications SELECT * FROM bench_notes "
                    "ON CONFLICT (user_id, dedupe_key) DO NOTHING"
                ),
                "deadline marks": (
                    "UPDATE deadlines SET reminded = reminded WHERE reminded IS NOT NULL"
                ),
            },
        )
        conn.rollback()
    return plans


def measure_draw(app: Any, clock: SqlClock, args: argparse.Namespace) -> dict[str, Any]:
    runs: dict[str, list[dict[str, Any]]] = {"ours": [], "baseline": []}
    delete_draws(args.server, args.database)
    kept: dict[str, Any] = {}
    with LoadSampler() as sampler:
        for i in range(max(args.runs, args.baseline_runs)):
            for name in ("ours", "baseline"):
                if i >= (args.runs if name == "ours" else args.baseline_runs):
                    continue
                before = _load()
                clock.reset()
                try:
                    run = draw_once(app, clock, baseline=name == "baseline")
                except Exception as exc:  # the service refused or failed: say so, measure on
                    delete_draws(args.server, args.database)
                    log(f"  draw {name} #{i + 1} failed: {exc!r}")
                    return {"error": f"{name}: {type(exc).__name__}: {exc}"[:2000]}
                run["load_1min"] = [before, _load()]
                if name == "ours":
                    kept.update(slowest_sql=slowest(clock), sql_by_kind=run["sql_by_kind"])
                    if args.explain and i == 0:
                        kept["explain"] = explain(app, clock)
                        kept["write_plans"] = draw_write_plans(
                            args.server, args.database, run["targets"]
                        )
                delete_draws(args.server, args.database)
                log(f"  draw {name} #{i + 1}: {run['seconds']:.2f} s, {run['targets']:,} "
                    f"targets, load {run['load_1min']}")  # fmt: skip
                runs[name].append(run)
    out: dict[str, Any] = {}
    for name, rs in runs.items():
        if not rs:
            continue
        out[name] = {
            **summary(rs),
            "prepare": part_medians(rs, "prepare"),
            "execute": part_medians(rs, "execute"),
            "pool_size": rs[0]["pool_size"],
            "roster_size": rs[0]["roster_size"],
            "targets": rs[0]["targets"],
            "assignments": rs[0]["assignments"],
            "digests": rs[0]["digests"],
            "runs": _rounded(
                [{k: v for k, v in r.items() if k not in ("digests", "sql_by_kind")} for r in rs]
            ),
        }
    if runs["baseline"]:
        out["baseline_name"] = "per-enterprise tier lookup (ORM pool, one tier query each)"
        digests = {str(r["digests"]) for r in runs["ours"] + runs["baseline"]}
        out["same_result"] = len(digests) == 1
        out["ratio"] = round(out["baseline"]["median_s"] / out["ours"]["median_s"], 2)
    out["load_sampled"] = sampler.summary()
    return {**out, **kept}


def measure_reminders(app: Any, clock: SqlClock, args: argparse.Namespace) -> dict[str, Any]:
    runs: dict[str, dict[str, list[dict[str, Any]]]] = {
        name: {state: [] for state, _, _ in SCAN_STATES} for name in ("ours", "baseline")
    }
    results: dict[str, set[str]] = {"ours": set(), "baseline": set()}
    counts: dict[str, Any] = {}
    kept: dict[str, Any] = {}
    with LoadSampler() as sampler:
        for i in range(max(args.runs, args.baseline_runs)):
            for name in ("ours", "baseline"):
                if i >= (args.runs if name == "ours" else args.baseline_runs):
                    continue
                reset_reminders(args.server, args.database)
                digests = []
                for state, today, _ in SCAN_STATES:
                    before = _load()
                    run = scan_once(app, clock, baseline=name == "baseline", today=today)
                    run["load_1min"] = [before, _load()]
                    runs[name][state].append(run)
                    if name == "ours" and state == "first":
                        kept["slowest_sql"] = slowest(clock)
                        if args.explain and i == 0:
                            kept["explain"] = explain(app, clock)
                            kept["write_plans"] = reminder_write_plans(args.server, args.database)
                    log(f"  reminders {name} {state} #{i + 1}: {run['seconds']:.2f} s, "
                        f"{run['statements']:,} statements, load {run['load_1min']}")  # fmt: skip
                    facts = reminder_digests(args.server, args.database)
                    digests.append(facts.pop("digest"))
                    if state == "first":
                        counts = facts
                    # what autovacuum does soon after a large write: fresh statistics
                    sql(args.server, args.database, "ANALYZE notifications", "ANALYZE deadlines")
                results[name].add("/".join(digests))
    out: dict[str, Any] = {"written": counts}
    for state, today, _ in SCAN_STATES:
        part: dict[str, Any] = {}
        for name in ("ours", "baseline"):
            rs = runs[name][state]
            if not rs:
                continue
            part[name] = {
                **summary(rs),
                "sql_median_s": round(statistics.median(r["sql_s"] for r in rs), 3),
                "statements": rs[-1]["statements"],
                "scanned": rs[-1]["scanned"],
                "notified": rs[-1]["notified"],
                "sql_by_kind": rs[-1]["sql_by_kind"],
                "runs": _rounded([{k: v for k, v in r.items() if k != "sql_by_kind"} for r in rs]),
            }
        if "baseline" in part:
            part["ratio"] = round(part["baseline"]["median_s"] / part["ours"]["median_s"], 2)
        out[state] = {"today": today.isoformat(), **part}
    if runs["baseline"]["first"]:
        out["baseline_name"] = "per-deadline ORM scan (one notification query each)"
        out["same_result"] = len(results["ours"] | results["baseline"]) == 1
    out["load_sampled"] = sampler.summary()
    return {**out, **kept}


# ------------------------------------------------------------------------------------------------
# Report
# ------------------------------------------------------------------------------------------------


def _mmm(x: dict[str, Any]) -> str:
    return f"{x['median_s']:.2f} ({x['min_s']:.2f}-{x['max_s']:.2f})"


def _loads(x: dict[str, Any]) -> str:
    flat = [v for pair in x["load_1min"] for v in pair]
    return f"{min(flat):.1f}-{max(flat):.1f}"


def _write_plans(plans: list[dict[str, Any]]) -> list[str]:
    """One line a plan: its execution time and foreign-key trigger times."""
    out = []
    for p in plans:
        total = next((x for x in p["plan"] if x.startswith("Execution Time")), "")
        triggers = [
            re.sub(r"Trigger for constraint (\w+): time=([\d.]+) calls=(\d+)", r"\1 \2 ms", x)
            for x in p["plan"]
            if x.startswith("Trigger")
        ]
        out.append(f"* {p['what']}: {total.lower()}; of which {'; '.join(triggers) or '-'}")
    return out


def section(result: dict[str, Any]) -> str:
    m, pg, data = result["machine"], result["postgresql"], result["data"]
    lines = [
        f"Measured {result['measured_at']}: {m['cpus']} cores (shared), {m['memory']}, "
        f"PostgreSQL {pg['postgresql']} (shared_buffers {pg['shared_buffers']}, work_mem "
        f"{pg['work_mem']}, jit {pg['jit']}), database {pg['database_size']}; today "
        f"{result['today']}; rows {data['rows']}.",
        "",
    ]
    d = result.get("draw")
    if d and "error" in d:
        lines += [f"**Draw**: failed, nothing measured: {d['error'].splitlines()[0]}", ""]
    elif d:
        o, b = d["ours"], d.get("baseline")
        lines += [
            f"**Draw** (province 520000, quarter): pool {o['pool_size']:,}, roster "
            f"{o['roster_size']:,} ({data['roster']['certified']:,} certified, "
            f"{data['roster']['declared_conflicts']:,} declared conflicts), "
            f"{o['targets']:,} targets, {o['assignments']:,} assignments. Times in s: median "
            f"(min-max) of {len(o['runs'])} runs, each step's own median; SQL = inside "
            "cursor.execute (statement sent, rows received).",
            "",
            "| Step | ours | ours SQL / statements | baseline | baseline / ours |",
            "|---|---:|---:|---:|---:|",
        ]
        for phase, parts in (("prepare", PREPARE_PARTS), ("execute", EXECUTE_PARTS)):
            op, bp = o[phase], b[phase] if b else None
            head = f"{phase}_draw"
            lines.append(
                f"| **{head}** | {op['total_seconds']:.2f} | {op['total_sql_s']:.2f} / "
                f"{op['total_statements']:,} | {bp['total_seconds']:.2f} | "
                f"{ratio(bp['total_seconds'], op['total_seconds'])} |"
                if bp
                else f"| **{head}** | {op['total_seconds']:.2f} | {op['total_sql_s']:.2f} / "
                f"{op['total_statements']:,} | - | - |"
            )
            for label, shown in parts:
                if label == "store" and label not in op:
                    continue  # no function of their own: the inserts are in "other"
                if label == "other" and phase == "execute" and "store" not in op:
                    shown = "target + assignment inserts, the rest"
                x = op.get(label, {"median_s": 0.0, "sql_median_s": 0.0, "statements": 0})
                y = bp.get(label) if bp else None
                base = f"{y['median_s']:.2f}" if y else "-"
                cmp = ratio(y["median_s"], x["median_s"]) if y and x["median_s"] > 0.005 else "-"
                lines.append(
                    f"| &nbsp;&nbsp;{shown} | {x['median_s']:.2f} | {x['sql_median_s']:.2f} / "
                    f"{x['statements']:,} | {base} | {cmp} |"
                )
        target = TARGETS["draw"]
        lines.append(
            f"| **total** | **{_mmm(o)}** | process CPU {o['cpu_median_s']:.2f} | "
            f"{_mmm(b) if b else '-'} | {d.get('ratio', '-')}× |"
        )
        lines += [
            "",
            f"Target < {target:.0f} s: {'met' if o['median_s'] < target else 'NOT met'} "
            f"(median {o['median_s']:.2f} s). Baseline: {d.get('baseline_name', '-')}; same "
            f"digests: {d.get('same_result', '-')}. 1-min load before/after runs: ours "
            f"{_loads(o)}, baseline {_loads(b) if b else '-'} (sampled "
            f"{d['load_sampled']['min']}-{d['load_sampled']['max']}).",
            "",
        ]
        if d.get("write_plans"):
            lines += ["Server side of the writes (INSERT ... SELECT, EXPLAIN ANALYZE):", ""]
            lines += [*_write_plans(d["write_plans"]), ""]
    r = result.get("reminders")
    if r:
        first = r["first"]["ours"]
        lines += [
            f"**Reminder scan** as of {result['today']}: {data['open_deadlines']:,} open "
            f"deadlines, {first['scanned']:,} due within 3 days or overdue; the first scan "
            f"notifies {first['notified']} deadlines ({r['written']['notifications']:,} "
            f"notifications written).",
            "",
            "| Scan | ours | ours CPU / SQL / statements | baseline | baseline CPU / SQL / "
            "statements | baseline / ours |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for state, _, shown in SCAN_STATES:
            x, y = r[state]["ours"], r[state].get("baseline")
            base = (
                f"{_mmm(y)} | {y['cpu_median_s']:.2f} / {y['sql_median_s']:.2f} / "
                f"{y['statements']:,} | {r[state]['ratio']}×"
                if y
                else "- | - | -"
            )
            lines.append(
                f"| {shown} | {_mmm(x)} | {x['cpu_median_s']:.2f} / {x['sql_median_s']:.2f} / "
                f"{x['statements']:,} | {base} |"
            )
        limit = TARGETS["reminders"]
        verdicts = "; ".join(
            f"{state} {'met' if r[state]['ours']['median_s'] < limit else 'NOT met'} "
            f"({r[state]['ours']['median_s']:.2f} s)"
            for state, _, _ in SCAN_STATES
        )
        b = r["first"].get("baseline")
        lines += [
            "",
            f"Target < {limit:.0f} s: {verdicts}. Baseline: {r.get('baseline_name', '-')}; same "
            f"notifications and marks after each scan: {r.get('same_result', '-')}. 1-min load "
            f"before/after runs: ours {_loads(r['first']['ours'])}, baseline "
            f"{_loads(b) if b else '-'} (sampled {r['load_sampled']['min']}-"
            f"{r['load_sampled']['max']}).",
            "",
        ]
        if r.get("write_plans"):
            lines += ["Server side of the first scan's writes (EXPLAIN ANALYZE):", ""]
            lines += [*_write_plans(r["write_plans"]), ""]
    return "\n".join(lines)


# ------------------------------------------------------------------------------------------------
# Main
# ------------------------------------------------------------------------------------------------


def _portable(value: Any) -> str:
    """An argument as the result file records it: a path under the repository relative to it."""
    if isinstance(value, Path) and value.is_absolute() and value.is_relative_to(ROOT):
        return str(value.relative_to(ROOT))
    return str(value)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    add_server_argument(parser)
    parser.add_argument("--database", default=DB_NAME, help="bench database (%(default)s)")
    parser.add_argument("--enterprises", type=int, default=100_000, help="operating ones")
    parser.add_argument("--officers", type=int, default=2_000)
    parser.add_argument("--cases", type=int, default=120_000)
    parser.add_argument("--deadlines", type=int, default=200_000, help="open deadlines")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--baseline-runs", type=int, default=None, help="default: --runs")
    parser.add_argument("--phases", nargs="+", choices=("draw", "reminders"),
                        default=["draw", "reminders"])  # fmt: skip
    parser.add_argument("--no-explain", dest="explain", action="store_false",
                        help="skip EXPLAIN ANALYZE of the slowest SELECTs")  # fmt: skip
    parser.add_argument("--keep", action="store_true",
                        help="reuse the database if loaded with the same parameters")  # fmt: skip
    parser.add_argument("--drop", action="store_true", help="drop the database when done")
    parser.add_argument("--load-only", action="store_true", help="load, measure nothing")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    if args.baseline_runs is None:
        args.baseline_runs = args.runs

    key = (
        f"inspections_db:{args.enterprises}:{args.officers}:{args.cases}:{args.deadlines}:"
        f"{SEED}:{TODAY}"
    )
    code = code_version()  # before the app imports the services: what this process runs
    instance = Path(tempfile.mkdtemp(prefix="bench-inspections-db-"))
    app = make_app(args.server, args.database, instance)
    loaded: dict[str, Any] = {}
    if args.keep and loaded_key(args.server, args.database) == key:
        log(f"reusing {args.database}")
        migrate_to_head(app)
    else:
        log(f"loading {args.enterprises:,} enterprises, {args.officers:,} officers, "
            f"{args.deadlines:,} deadlines into {args.database}")  # fmt: skip
        started = time.perf_counter()
        recreate_database(args.server, args.database)
        migrate_to_head(app)
        load_reference(app)
        loaded = bulk_load(args.server, args.database, args)
        mark_loaded(args.server, args.database, key)
        loaded["load_seconds"] = round(time.perf_counter() - started, 1)
        log(f"  loaded in {loaded['load_seconds']:.0f} s: {loaded}")
    if not args.load_only:
        delete_draws(args.server, args.database)  # left by an interrupted run
        reset_reminders(args.server, args.database)
        with psycopg.connect(url(args.server, args.database)) as conn:
            pg = server_settings(conn)
            rows = row_counts(conn, COLUMNS)
            open_deadlines = conn.execute(
                "SELECT count(*) FROM deadlines WHERE state = 'open'"
            ).fetchone()[0]
        from casemgr.extensions import db

        with app.app_context():
            clock = SqlClock(db.engine)
        result: dict[str, Any] = {
            "benchmark": "inspections_db",
            "measured_at": "",
            "machine": {},
            "postgresql": pg,
            "data": {
                "rows": rows,
                "open_deadlines": open_deadlines,
                "roster": certified_roster(args.server, args.database),
                **loaded,
            },
            "today": TODAY.isoformat(),
            "draw_seed": DRAW_SEED,
            "code": code,
            "targets_s": TARGETS,
            # Paths relative to the repository: the result is committed and read on other
            # machines.
            "args": {k: _portable(v) for k, v in vars(args).items() if k != "server"},
        }
        for phase, measure in (("draw", measure_draw), ("reminders", measure_reminders)):
            if phase in args.phases:
                log(phase)
                result[phase] = measure(app, clock, args)
                # what is measured so far, in case the run is interrupted
                now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
                partial = {**result, "partial": True, "measured_at": now, "machine": machine()}
                write_json(args.out, partial)
        result["measured_at"] = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        after = code_version()
        if after["sha256"] != result["code"]["sha256"]:
            # The process runs the modules it imported when it started ("code"); the files on
            # disk changed since: the figures are not those of the tree as it is now.
            result["code_at_end"] = after
            log("warning: service files changed on disk while measuring (not reloaded)")
        result["machine"] = machine()
        write_json(args.out, result)
        print(section(result))
        print(f"written: {args.out}")
    dispose_all(app)
    if args.drop:
        drop_database(args.server, args.database)
        log(f"dropped {args.database}")


def dispose_all(app: Any) -> None:
    with app.app_context():
        dispose(app)


if __name__ == "__main__":
    main()
