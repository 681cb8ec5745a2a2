"""Server time of every page (issue 8) over the benchmark data of the other issues.

Issue 8 asks: every page's server time under 150 ms at the benchmark data sizes of the other
issues. This file builds one PostgreSQL database ``casemgr_bench_pages`` holding them together:

* the 200,000 case families of ``bench/family.py`` (its loader, unchanged: about 207,000
  administrative cases with about 2,000,000 transitions and 1,000,000 deadlines, the criminal,
  civil and compensation channels, 50 families of 4 channels and 500 events before the court
  C520382), with their 50,000 enterprises;
* enterprises up to 1,000,000 (issue 2's size), the same generator and seed continued, with
  their pollution sources, aliases and former names;
* a credit score history for every enterprise (issue 6's shape, ``bench/credit_export.py``);
* the demo inspection round and a random draw over the whole province (issue 7), planned
  through the services.

Then gunicorn as the application is served (``-c python:casemgr.gunicorn_conf``, 2 workers),
users of every role created through the services and logged in through the login form (a
session cookie, as a browser), and every GET page of the web blueprints found in the URL map,
its path parameters filled from the data (a page whose parameters cannot be filled is listed as
not measured). Each page is read ``--requests`` times, one request at a time, after
``--warmup``; the server time is the application's own ``Server-Timing: app;dur=`` header (from
the first line of the request handler to the last of the response), the client time runs from
sending the request to the last byte.

Baselines, side by side (each page request alternates with its baseline on the same
connection): the floor, ``GET /healthz`` (the whole stack and one ``SELECT 1``); and, where the
page has one, its twin in the JSON API (the same data without the template).

The raw figures go to ``bench/results/web_pages.json``, the table to stdout. Nothing here is a
test: speed is never asserted.

Usage::

    .venv/bin/python bench/web_pages.py [--families 200000] [--enterprises 1000000]
        [--requests 40] [--warmup 5] [--keep] [--drop] [--only PREFIX]
"""

from __future__ import annotations

import argparse
import http.client
import random
import re
import sys
import tempfile
import time
import urllib.parse
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import cases as admin_bench  # noqa: E402
from bench import credit_export  # noqa: E402
from bench import family as family_bench  # noqa: E402
from bench.common import (  # noqa: E402
    BENCH_PASSWORD,
    DIVISIONS_CSV,
    CopyFeed,
    LoadSampler,
    Server,
    add_server_argument,
    copy_line,
    dispose,
    drop_database,
    drop_indexes,
    enterprise_row,
    latency_stats,
    loaded_key,
    log,
    machine,
    make_app,
    mark_loaded,
    migrate_to_head,
    ratio,
    reset_sequences,
    restore_indexes,
    source_row,
    url,
    vacuum_analyze,
    write_results,
)
from casemgr.demo.generator import generate_enterprises, load_divisions  # noqa: E402

DB_NAME = "casemgr_bench_pages"
RESULTS = ROOT / "bench" / "results" / "web_pages.json"
SEED = 2026
TARGET_MS = 150.0
COUNTY = family_bench.TARGET_COUNTY  # 仁怀市: the target families, the officer's county
COURT = family_bench.COURT

EXTRA_COLUMNS = {
    "enterprises": admin_bench.COLUMNS["enterprises"],
    "enterprise_aliases": "id, enterprise_id, kind, value",
    "enterprise_names": "id, enterprise_id, name, valid_to",
    "pollution_sources": admin_bench.COLUMNS["pollution_sources"],
}
SCORE_COLUMNS = {"credit_scores": credit_export.SCORE_COLUMNS}

# Callers: one per role, as a browser logs in. The admin reads every page.
CALLERS: dict[str, dict[str, Any]] = {
    "admin": {"roles": ["admin"], "jurisdictions": ["520000"]},
    "officer": {
        "roles": ["officer"],
        "jurisdictions": [COUNTY],
        "certificate_number": "BENCH-PAGES-1",
    },
    "judge": {"roles": ["judge"], "jurisdictions": ["520300"], "organ_code": COURT},
    "head": {"roles": ["bureau_head"], "jurisdictions": ["520000"]},
    "regulator": {"roles": ["credit_regulator"], "jurisdictions": ["520000"]},
    "planner": {"roles": ["inspection_planner"], "jurisdictions": ["520000"]},
}
# The pages each non-admin caller also reads: what their own work opens.
ROLE_PAGES = {
    "officer": ("/", "/cases", "/deadlines", "/enterprises"),
    "judge": ("/", "/violations/{violation_id}/family"),
    "head": ("/", "/deadlines"),
    "regulator": ("/", "/credit"),
    "planner": ("/", "/inspections"),
}
# Filtered views that read otherwise than the page's plain address: deep pages of a rare tier,
# a tier with a common name fragment, the dashboards on a past day (their tier chart then
# reads the snapshots of that day, not the counts kept with the current scores).
QUERY_PAGES = {
    "admin": (
        "/credit?tier=red&page=3",
        "/credit?tier=red&page=100",
        "/credit?tier=yellow&county=520382&page=20",
        "/enterprises?q=贵州&tier=red",
        "/enterprises?q=化工&tier=yellow&page=3",
        "/enterprises?q=酒业&tier=red",
        "/dashboards?date_to={past}",
        "/dashboards?date_from={long_ago}&date_to={past}",
        "/dashboards?prefecture=520300&date_to={long_ago}",
        "/credit/requests/new?enterprise={objection_enterprise}",
        "/credit/requests/new?enterprise={objection_enterprise}&kind=repair",
        "/enterprises/suggest?q=酒业",
        "/enterprises/suggest?q=贵州",
        "/enterprises/suggest?q=观山湖",
    ),
    "regulator": ("/credit?tier=red&page=50",),
}
# Pages that answer 404 without their query (the record they are about): see QUERY_PAGES.
NEEDS_QUERY = frozenset({"/credit/requests/new", "/enterprises/suggest"})
# The JSON API twin of a page, where one exists: the same data without the template.
API_TWINS = {
    "/cases/<int:case_id>": "/api/v1/cases/{case_id}",
    "/violations/<int:violation_id>/family": "/api/v1/violations/{violation_id}/family",
    "/violations/<int:violation_id>": "/api/v1/violations/{violation_id}",
    "/enterprises": "/api/v1/enterprises",
    "/enterprises/<int:enterprise_id>": "/api/v1/enterprises/{enterprise_id}",
    "/deadlines": "/api/v1/deadlines",
}


# ------------------------------------------------------------------------------------------------
# Data
# ------------------------------------------------------------------------------------------------


def add_enterprises(server: str, total: int) -> dict[str, int]:
    """Continue the family data's enterprise stream (same generator and seed) up to ``total``."""
    with psycopg.connect(url(server, DB_NAME)) as conn:
        have = int(conn.execute("SELECT count(*) FROM enterprises").fetchone()[0])
        first_uscc = conn.execute("SELECT uscc FROM enterprises WHERE id = 1").fetchone()[0]
        next_ids = {
            t: int(conn.execute(f"SELECT coalesce(max(id), 0) FROM {t}").fetchone()[0])
            for t in ("enterprise_aliases", "enterprise_names", "pollution_sources")
        }
    divisions = load_divisions(DIVISIONS_CSV)
    stream = generate_enterprises(divisions, count=total, seed=admin_bench.SEED)
    now = datetime.now(UTC).isoformat()
    feed = CopyFeed(server, DB_NAME, EXTRA_COLUMNS)
    buffers: dict[str, list[str]] = {t: [] for t in EXTRA_COLUMNS}
    counts = dict.fromkeys(EXTRA_COLUMNS, 0)
    for eid, rec in enumerate(stream, 1):
        if eid == 1 and rec["uscc"] != first_uscc:
            raise SystemExit("the enterprise stream does not continue the family data's")
        if eid <= have:
            continue
        buffers["enterprises"].append(copy_line(enterprise_row(eid, rec, now)))
        counts["enterprises"] += 1
        for kind, value in rec["aliases"]:
            next_ids["enterprise_aliases"] += 1
            buffers["enterprise_aliases"].append(
                copy_line((next_ids["enterprise_aliases"], eid, kind, value))
            )
        for old in rec["name_history"]:
            next_ids["enterprise_names"] += 1
            buffers["enterprise_names"].append(
                copy_line((next_ids["enterprise_names"], eid, old["name"], old["valid_to"]))
            )
        for s in rec["sources"]:
            next_ids["pollution_sources"] += 1
            buffers["pollution_sources"].append(
                copy_line(source_row(next_ids["pollution_sources"], eid, s, now))
            )
        if eid % 20_000 == 0:
            for table, lines in buffers.items():
                feed.put(table, lines)
                buffers[table] = []
            if feed.errors:
                break
            if eid % 200_000 == 0:
                log(f"  {eid:,} enterprises")
    for table, lines in buffers.items():
        feed.put(table, lines)
    feed.finish()
    reset_sequences(server, DB_NAME, EXTRA_COLUMNS)
    return counts


def add_scores(server: str, scheme_key: str) -> int:
    """A score history for every enterprise, as ``bench/credit_export.py`` generates it."""
    with psycopg.connect(url(server, DB_NAME)) as conn:
        n = int(conn.execute("SELECT max(id) FROM enterprises").fetchone()[0])
    rng = random.Random(SEED)
    now = datetime.now(UTC).isoformat()
    first, last = credit_export.FIRST, credit_export.LAST
    span = (last - first).days
    feed = CopyFeed(server, DB_NAME, SCORE_COLUMNS)
    lines: list[str] = []
    sid = 0
    for eid in range(1, n + 1):
        pick = rng.random()
        later = 0 if pick < 0.6 else 1 if pick < 0.9 else 2
        for day in [first, *sorted(first + timedelta(rng.randint(1, span)) for _ in range(later))]:
            sid += 1
            lines.append(copy_line([sid, *credit_export._score(rng, scheme_key, eid, day, now)]))
        if eid % 20_000 == 0:
            feed.put("credit_scores", lines)
            lines = []
            if feed.errors:
                break
    feed.put("credit_scores", lines)
    feed.finish()
    reset_sequences(server, DB_NAME, SCORE_COLUMNS)
    return sid


def add_graph(server: str) -> dict[str, Any]:
    """The relationship graph of issue 5's shape (about 5 edges per enterprise) over every
    enterprise, as ``bench/graph.py`` generates it (its generator, unchanged)."""
    from bench import graph as graph_bench
    from bench.graph_data import EDGE_COLUMNS, NODE_COLUMNS, GraphFacts, generate_graph

    with psycopg.connect(url(server, DB_NAME)) as conn:
        rows = conn.execute(
            "SELECT county_code, coalesce(legal_representative, '佚名'), coalesce(address, '') "
            "FROM enterprises ORDER BY id"
        ).fetchall()
    counties = [r[0] for r in rows]
    reps = [r[1] for r in rows]
    addresses = [r[2] for r in rows]
    del rows
    restore = drop_indexes(server, DB_NAME, graph_bench.EDGE_INDEXES, ())
    facts = GraphFacts()
    tables = {"graph_nodes": NODE_COLUMNS, "graph_edges": EDGE_COLUMNS}
    feed = CopyFeed(server, DB_NAME, tables)
    buffers: dict[str, list[str]] = {t: [] for t in tables}
    for table, row in generate_graph(
        counties, reps, addresses, seed=SEED, cap=graph_bench.CAP, facts=facts
    ):
        buffers[table].append(copy_line(row))
        if len(buffers[table]) >= 20_000:
            feed.put(table, buffers[table])
            buffers[table] = []
    for table, lines in buffers.items():
        feed.put(table, lines)
    feed.finish()
    restore_indexes(server, DB_NAME, restore, ())
    reset_sequences(server, DB_NAME, tables)
    vacuum_analyze(server, DB_NAME, tables)
    return {"nodes": facts.nodes, "edges": facts.edges}


def refill_credit_current(server: str) -> None:
    """COPY bypasses the services that keep ``credit_current`` and ``credit_tier_counts``
    exact: fill them from the history as the migrations do, with the statements of the newest
    one that defines them (0019 made the tables, 0023 added the enterprise's name)."""
    import importlib.util

    migration: Any = None
    for path in sorted((ROOT / "migrations" / "versions").glob("0*.py")):
        spec = importlib.util.spec_from_file_location(f"migration_{path.stem}", path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        if hasattr(module, "FILL_CURRENT"):
            migration = module
    assert migration is not None, "no migration defines FILL_CURRENT"
    with psycopg.connect(url(server, DB_NAME), autocommit=True) as conn:
        conn.execute("SET work_mem = '256MB'")
        conn.execute("TRUNCATE credit_tier_counts, credit_current")
        conn.execute(migration.FILL_CURRENT)
        conn.execute(migration.FILL_COUNTS)
        conn.execute("VACUUM (ANALYZE) credit_current")  # index-only scans need the visibility map
        conn.execute("ANALYZE credit_tier_counts")


def create_callers(app: Any) -> None:
    from sqlalchemy import select

    from casemgr.extensions import db
    from casemgr.models import User
    from casemgr.policy import SYSTEM_ACTOR, Role
    from casemgr.services import accounts

    with app.app_context():
        existing = set(db.session.scalars(select(User.username)))
        for name, data in CALLERS.items():
            username = f"pages.{name}"
            if username in existing:
                continue
            accounts.create_user(
                db.session,
                SYSTEM_ACTOR,
                {
                    "username": username,
                    "password": BENCH_PASSWORD,
                    "display_name": f"Benchmark {name}",
                    **data,
                    "roles": [Role(r) for r in data["roles"]],
                },
            )
        # The demo round and draw need the demo planner's account name.
        if "planner.province" not in existing:
            accounts.create_user(
                db.session,
                SYSTEM_ACTOR,
                {
                    "username": "planner.province",
                    "password": BENCH_PASSWORD,
                    "roles": [Role.INSPECTION_PLANNER],
                    "jurisdictions": ["520000"],
                },
            )
        db.session.commit()
        dispose(app)


def add_inspections(app: Any) -> None:
    from casemgr.extensions import db
    from casemgr.services.credit import scheme_named
    from casemgr.services.demo_inspections import load_demo_inspections
    from casemgr.services.localtime import local_today

    with app.app_context():
        load_demo_inspections(
            db.session, scheme_named(credit_export.SCHEME_ID), today=local_today()
        )
        db.session.commit()
        dispose(app)


def add_samples(app: Any) -> dict[str, int]:
    """Records of the pages the family data has none of, made through the services: a credit
    objection and a repair on real records, link candidates waiting for review, evidence with
    its file, and finished tasks (a tier-list export with its file, a draw verification).

    Run on every measurement: the files live in this run's instance folder (a new temporary
    one each run), so the evidence file is stored again and a new export task run; the rows
    made once (objection, repair, candidates) are kept."""
    import io

    from sqlalchemy import func, select, text

    from casemgr.extensions import db
    from casemgr.models import (
        CreditObjection,
        CreditRepair,
        Evidence,
        InspectionDraw,
        LinkCandidate,
        User,
    )
    from casemgr.services import credit_pages, credit_requests, evidence, tasks
    from casemgr.services.access import actor_for
    from casemgr.services.credit import scheme_named
    from casemgr.services.localtime import local_today

    made: dict[str, int] = {}
    with app.app_context():
        session = db.session()
        admin = actor_for(
            session, session.scalars(select(User).filter_by(username="pages.admin")).one()
        )
        scheme = scheme_named(credit_export.SCHEME_ID)
        today = local_today()
        if session.scalar(select(func.count()).select_from(CreditObjection)) == 0:
            # The repeat offenders of the target county first: the most records to weigh.
            ids = session.execute(
                text(
                    "SELECT ve.enterprise_id FROM violation_enterprises ve JOIN enterprises e "
                    "ON e.id = ve.enterprise_id WHERE e.county_code = :c GROUP BY 1 "
                    "ORDER BY count(*) DESC, 1 LIMIT 200"
                ),
                {"c": COUNTY},
            ).scalars()
            objection = repair = None
            for enterprise_id in ids:
                windows = credit_pages.disputable_facts(session, admin, scheme, enterprise_id)
                for w in windows:
                    if objection is None and w.objection_last >= today:
                        objection = credit_requests.file_objection(
                            session, admin, scheme, enterprise_id,
                            {"record": w.fact.record, "reason": "处罚决定认定的排放时段有误"},
                        )  # fmt: skip
                    elif repair is None and not w.veto and w.repair_opens <= today:
                        repair = credit_requests.apply_for_repair(
                            session, admin, scheme, enterprise_id,
                            {"record": w.fact.record, "evidence": ["整改验收报告", "信用承诺书"]},
                        )  # fmt: skip
                if objection is not None and repair is not None:
                    break
            made["objections"] = int(objection is not None)
            made["repairs"] = int(repair is not None)
        if session.scalar(select(func.count()).select_from(LinkCandidate)) == 0:
            made["link_candidates"] = _add_candidates(session, admin)
        case_id = session.execute(
            text(
                "SELECT c.id FROM cases c JOIN violations v ON v.id = c.violation_id "
                "WHERE v.county_code = :c ORDER BY c.id DESC LIMIT 1"
            ),
            {"c": COUNTY},
        ).scalar_one()
        # The server's upload folder: its instance's (CASEMGR_INSTANCE_PATH is set for it only).
        storage = Path(app.config["INSTANCE_PATH"]) / "uploads" / "evidence"
        body = b"%PDF-1.4\n" + b"% bench evidence\n" * 20_000 + b"%%EOF\n"  # about 340 kB
        stored = evidence.store_file(
            storage,
            io.BytesIO(body),
            "现场检查笔录.pdf",
            max_bytes=app.config["MAX_CONTENT_LENGTH"],
        )
        if session.scalar(select(func.count()).select_from(Evidence)) == 0:
            evidence.add_evidence(
                session, admin, case_id,
                {"kind": "document", "title": "现场检查笔录", "collected_at": _now(),
                 "collected_place": "厂区排污口"},
                stored,
            )  # fmt: skip
        draw_id = session.scalars(select(InspectionDraw.id).order_by(InspectionDraw.id)).first()
        submitted = [
            tasks.submit(
                session,
                admin,
                "credit_export",
                {"as_of": today.isoformat(), "format": "csv", "filters": {"county": COUNTY}},
            ),  # fmt: skip
        ]
        if draw_id is not None:
            submitted.append(tasks.submit(session, admin, "draw_verify", {"draw_id": draw_id}))
        while tasks.run_next(session, app.config) is not None:
            pass
        made["tasks"] = len(submitted)
        made["repairs_total"] = session.scalar(select(func.count()).select_from(CreditRepair)) or 0
        session.commit()
        dispose(app)
    return made


def _now() -> datetime:
    return datetime.now(UTC)


def _add_candidates(session: Any, admin: Any, count: int = 300) -> int:
    """A tax import's records waiting for review against enterprises of the target county,
    stored as a link run stores them (``linking.propose`` with the evidence of each field)."""
    from sqlalchemy import select

    from casemgr.models import Decision, Enterprise, ImportBatch, SourceRecord
    from casemgr.policy import SYSTEM_ACTOR
    from casemgr.services import linking

    batch = ImportBatch(
        source="tax", filename="税务登记2026.csv", sha256="b" * 64, file_format="csv",
        status="committed",
    )  # fmt: skip
    session.add(batch)
    session.flush()
    enterprises = session.scalars(
        select(Enterprise)
        .where(Enterprise.county_code == COUNTY)
        .order_by(Enterprise.id)
        .limit(count)
    ).all()
    records = [
        SourceRecord(
            batch_id=batch.id,
            source="tax",
            record_key=f"52038271{i:07d}",
            row_number=i + 2,
            name=e.name.replace("有限公司", "有限责任公司"),
            legal_rep=e.legal_representative or "",
            address=e.address or "",
        )  # fmt: skip
        for i, e in enumerate(enterprises)
    ]
    session.add_all(records)
    session.flush()
    for record, e in zip(records, enterprises, strict=True):
        fields = [
            {"field": "identifier", "level": "MISSING", "weight": 0.0, "detail": ""},
            {"field": "name", "level": "CORE", "weight": 8.1, "detail": e.name[:12]},
            {"field": "place", "level": "COUNTY", "weight": 2.5, "detail": "仁怀市"},
            {"field": "legal_rep", "level": "EXACT", "weight": 3.1, "detail": ""},
            {"field": "address", "level": "DIFFERENT", "weight": -1.25, "detail": ""},
            {"field": "prior", "level": "", "weight": -9.0, "detail": "0.900 of records match"},
        ]
        linking.propose(
            session, record_id=record.id, enterprise_id=e.id, rule="model", score=4.5,
            decision=Decision.REVIEW, evidence={"source": "tax", "fields": fields,
                                                "alternatives": []},
            actor=SYSTEM_ACTOR,
        )  # fmt: skip
    session.commit()
    return len(records)


def load(server: str, app: Any, args: argparse.Namespace, today: Any) -> dict[str, Any]:
    family_bench.DB_NAME = DB_NAME  # its loader, unchanged, into this database
    timings = family_bench.load(server, app, args, today)
    started = time.perf_counter()
    log(f"adding enterprises up to {args.enterprises:,}")
    timings["enterprises"] = add_enterprises(server, args.enterprises)
    timings["enterprises_s"] = round(time.perf_counter() - started, 1)
    from casemgr.services.credit import scheme_named

    scheme_key = scheme_named(credit_export.SCHEME_ID).key
    started = time.perf_counter()
    log("adding credit score histories")
    timings["credit_scores"] = add_scores(server, scheme_key)
    timings["credit_scores_s"] = round(time.perf_counter() - started, 1)
    vacuum_analyze(server, DB_NAME, [*EXTRA_COLUMNS, *SCORE_COLUMNS])
    refill_credit_current(server)
    started = time.perf_counter()
    log("adding the relationship graph")
    timings["graph"] = add_graph(server)
    timings["graph_s"] = round(time.perf_counter() - started, 1)
    create_callers(app)
    started = time.perf_counter()
    log("planning the inspection round and drawing")
    add_inspections(app)
    with app.app_context():  # the dashboards' rollups, as the five-minute job builds them
        from casemgr.extensions import db
        from casemgr.services import dashboard_rollups

        dashboard_rollups.refresh(db.session())
        dispose(app)
    timings["inspections_s"] = round(time.perf_counter() - started, 1)
    return timings


# ------------------------------------------------------------------------------------------------
# Pages
# ------------------------------------------------------------------------------------------------

_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def _cookies(resp: http.client.HTTPResponse, jar: dict[str, str]) -> None:
    for header, value in resp.getheaders():
        if header.lower() == "set-cookie":
            name, _, rest = value.partition("=")
            jar[name] = rest.split(";", 1)[0]


def form_login(port: int, username: str) -> str:
    """Log in through the login form as a browser does; return the Cookie header."""
    jar: dict[str, str] = {}
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("GET", "/login")
    resp = conn.getresponse()
    page = resp.read().decode()
    _cookies(resp, jar)
    match = _CSRF.search(page)
    if match is None:
        raise SystemExit("no CSRF token on the login page")
    body = urllib.parse.urlencode(
        {"username": username, "password": BENCH_PASSWORD, "csrf_token": match.group(1)}
    )
    cookie = "; ".join(f"{k}={v}" for k, v in jar.items())
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie}
    conn.request("POST", "/login", body, headers)
    resp = conn.getresponse()
    resp.read()
    if resp.status != 302:
        raise SystemExit(f"form login of {username} failed: {resp.status}")
    _cookies(resp, jar)
    conn.close()
    return "; ".join(f"{k}={v}" for k, v in jar.items())


def samples(server: str) -> dict[str, int]:
    """One record of each kind a page's path names, chosen in the target county."""
    queries = {
        "case_id": f"SELECT c.id FROM cases c JOIN violations v ON v.id = c.violation_id "
        f"WHERE v.county_code = '{COUNTY}' ORDER BY c.id DESC LIMIT 1",
        "violation_id": "SELECT violation_id FROM bench_targets ORDER BY 1 LIMIT 1",
        "enterprise_id": f"SELECT e.id FROM enterprises e JOIN violation_enterprises ve "
        f"ON ve.enterprise_id = e.id WHERE e.county_code = '{COUNTY}' LIMIT 1",
        "document_id": "SELECT id FROM issued_documents ORDER BY id LIMIT 1",
        "round_id": "SELECT id FROM inspection_rounds ORDER BY id LIMIT 1",
        "draw_id": "SELECT id FROM inspection_draws ORDER BY id LIMIT 1",
        "visit_id": "SELECT id FROM unit_inspections ORDER BY id LIMIT 1",
        "candidate_id": "SELECT id FROM link_candidates ORDER BY id LIMIT 1",
        "evidence_id": "SELECT id FROM evidence ORDER BY id LIMIT 1",
        # The tasks of this run (their files are in this run's instance folder).
        "task_id": "SELECT id FROM tasks WHERE kind = 'credit_export' ORDER BY id DESC LIMIT 1",
        "objection_id": "SELECT id FROM credit_objections ORDER BY id LIMIT 1",
        "repair_id": "SELECT id FROM credit_repairs ORDER BY id LIMIT 1",
        "objection_enterprise": "SELECT enterprise_id FROM credit_objections ORDER BY id LIMIT 1",
    }
    found: dict[str, int] = {}
    with psycopg.connect(url(server, DB_NAME)) as conn:
        for name, sql in queries.items():
            try:
                row = conn.execute(sql).fetchone()
            except psycopg.Error:
                conn.rollback()
                continue
            if row is not None:
                found[name] = int(row[0])
    found["id"] = found.get("case_id", 1)
    return found


_CONVERTER = re.compile(r"<(\w+)\([^)]*\):(\w+)>")


@dataclass
class Page:
    rule: str
    path: str
    twin: str | None


def discover(app: Any, ids: dict[str, int]) -> tuple[list[Page], list[str]]:
    """Every GET page of the web blueprints, its path parameters filled from ``ids``."""
    from casemgr.web import BLUEPRINTS

    names = {bp.name for bp in BLUEPRINTS}
    pages: list[Page] = []
    skipped: list[str] = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        blueprint = rule.endpoint.partition(".")[0]
        if blueprint not in names or "GET" not in (rule.methods or ()):
            continue
        if rule.rule in ("/login", "/healthz") or rule.rule.startswith("/api/"):
            continue
        if rule.rule in NEEDS_QUERY:
            skipped.append(f"{rule.rule} (measured with its query, below)")
            continue
        values: dict[str, Any] = {}
        missing = [a for a in rule.arguments if a not in ids and not _alias(a, ids)]
        if missing:
            skipped.append(f"{rule.rule} (no sample for {', '.join(sorted(missing))})")
            continue
        for a in rule.arguments:
            values[a] = ids.get(a) or _alias(a, ids)
        with app.test_request_context():
            from flask import url_for

            path = url_for(rule.endpoint, **values)
        name = _CONVERTER.sub(r"<\1:\2>", rule.rule)  # <int(max=...):id> -> <int:id>
        twin = API_TWINS.get(name)
        pages.append(Page(name, path, twin.format(**values) if twin else None))
    return pages, skipped


def _alias(arg: str, ids: dict[str, int]) -> int | None:
    """Path parameters named differently for the same record (``unit_id``, ``filename``...)."""
    for key, value in ids.items():
        if arg.endswith("_id") and key.startswith(arg[: -len("_id")]):
            return value
    return None


@dataclass
class Reading:
    client_ms: float
    server_ms: float | None
    status: int


def timed(conn: http.client.HTTPConnection, path: str, headers: dict[str, str]) -> Reading:
    started = time.perf_counter()
    conn.request("GET", path, headers=headers)
    resp = conn.getresponse()
    resp.read()
    client_ms = (time.perf_counter() - started) * 1000
    timing = resp.getheader("Server-Timing") or ""
    match = re.search(r"app;dur=([\d.]+)", timing)
    return Reading(client_ms, float(match.group(1)) if match else None, resp.status)


def measure(
    port: int,
    path: str,
    cookie: str,
    twin: str | None,
    token: str,
    args: argparse.Namespace,
) -> dict[str, Any]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    page_headers = {"Cookie": cookie}
    api_headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    readings: dict[str, list[Reading]] = {"page": [], "floor": [], "api": []}
    for i in range(args.warmup + args.requests):
        page = timed(conn, path, page_headers)
        floor = timed(conn, "/healthz", {})
        api = timed(conn, twin, api_headers) if twin else None
        if page.status != 200:
            return {"status": page.status}
        if i >= args.warmup:
            readings["page"].append(page)
            readings["floor"].append(floor)
            if api is not None:
                readings["api"].append(api)
    conn.close()
    out: dict[str, Any] = {"status": 200}
    for kind, rows in readings.items():
        if rows:
            out[kind] = {
                "server": latency_stats([r.server_ms or 0.0 for r in rows]),
                "client": latency_stats([r.client_ms for r in rows]),
            }
    return out


def markdown(result: dict[str, Any]) -> str:
    lines = [
        "| page | caller | server median ms | server p95 ms | server max ms | client p95 ms "
        "| floor `/healthz` median | page ÷ floor | API twin median | page ÷ API |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in result["pages"]:
        if row.get("status") != 200:
            lines.append(f"| `{row['path']}` | {row['caller']} | status {row.get('status')} |")
            continue
        page, floor, api = row["page"], row["floor"], row.get("api")
        lines.append(
            f"| `{row['rule']}` | {row['caller']} | {page['server']['median_ms']} "
            f"| {page['server']['p95_ms']} | {page['server']['max_ms']} "
            f"| {page['client']['p95_ms']} | {floor['server']['median_ms']} "
            f"| {ratio(page['server']['median_ms'], floor['server']['median_ms'])} "
            f"| {api['server']['median_ms'] if api else '-'} "
            f"| {ratio(page['server']['median_ms'], api['server']['median_ms']) if api else '-'} |"
        )
    worst = max(
        (r["page"]["server"]["p95_ms"] for r in result["pages"] if r.get("status") == 200),
        default=0.0,
    )
    lines.append("")
    lines.append(
        f"Slowest page p95 server time: {worst} ms (target {TARGET_MS:.0f} ms). "
        f"Load average {result['load']}."
    )
    if result["not_measured"]:
        lines.append("Not measured: " + "; ".join(result["not_measured"]))
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--families", type=int, default=200_000)
    parser.add_argument("--targets", type=int, default=50)
    parser.add_argument("--enterprises", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=40, help="measured reads per page")
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="reuse a database loaded alike")
    parser.add_argument("--drop", action="store_true", help="drop the database at the end")
    parser.add_argument("--only", default="", help="measure only pages starting with this")
    parser.add_argument("--load-only", action="store_true", help="load the data, measure nothing")
    parser.add_argument("--out", type=Path, default=RESULTS)
    add_server_argument(parser)
    args = parser.parse_args(argv)

    from casemgr.services.localtime import local_today

    server = args.server
    today = local_today()
    with tempfile.TemporaryDirectory(prefix="casemgr-bench-") as tmp:
        instance = Path(tmp)
        app = make_app(server, DB_NAME, instance)
        key = (
            f"bench/web_pages.py families={args.families} targets={args.targets} "
            f"enterprises={args.enterprises} seed={SEED} today={today} graph=5"
        )
        timings: dict[str, Any] = {}
        loaded = loaded_key(server, DB_NAME)
        # The data's dates count back from the day it was loaded: a database loaded on an
        # earlier day is reused as it is (deadline states as of that day), never reloaded.
        same = loaded is not None and loaded.rsplit(" today=", 1)[0] == key.rsplit(" today=", 1)[0]
        if args.keep and same:
            log(f"reusing {DB_NAME}")
            migrate_to_head(app)
            create_callers(app)
        elif args.keep:
            # Never reload under --keep: another run may be measuring on this database.
            raise SystemExit(f"{DB_NAME} is not loaded as asked ({loaded!r}); run without --keep")
        else:
            timings = load(server, app, args, today)
            mark_loaded(server, DB_NAME, key)
        if args.load_only:
            return
        log(f"sample records: {add_samples(app)}")
        with app.app_context():  # the rollups as the five-minute job keeps them
            from casemgr.extensions import db
            from casemgr.services import dashboard_rollups

            dashboard_rollups.refresh(db.session())
            db.session.commit()
            dispose(app)
        ids = samples(server)
        pages, skipped = discover(app, ids)
        srv = Server(server, DB_NAME, instance)
        rows: list[dict[str, Any]] = []
        try:
            token = srv.login("pages.admin")
            cookies = {name: form_login(srv.port, f"pages.{name}") for name in CALLERS}
            plan: list[tuple[str, Page]] = [("admin", p) for p in pages]
            for caller, paths in ROLE_PAGES.items():
                for template in paths:
                    path = template.format(**ids)
                    twin = next((p.twin for p in pages if p.path == path), None)
                    plan.append((caller, Page(path, path, twin)))
            days = {
                "past": (today - timedelta(days=75)).isoformat(),
                "long_ago": (today - timedelta(days=400)).isoformat(),
            }
            for caller, paths in QUERY_PAGES.items():
                for template in paths:
                    path = urllib.parse.quote(template.format(**ids, **days), safe="/?&=")
                    plan.append((caller, Page(path.partition("?")[0] + "?…", path, None)))
            plan = [(c, p) for c, p in plan if p.path.startswith(args.only)]
            with LoadSampler() as load_avg:
                for caller, page in plan:
                    log(f"  {caller:9} {page.path}")
                    row = measure(srv.port, page.path, cookies[caller], page.twin, token, args)
                    rows.append({"rule": page.rule, "path": page.path, "caller": caller, **row})
        finally:
            srv.stop()
        result = {
            "when": datetime.now(UTC).isoformat(timespec="seconds"),
            "machine": machine(),
            "load": load_avg.summary(),
            "data": {"families": args.families, "enterprises": args.enterprises},
            "load_timings": timings,
            "samples": ids,
            "pages": rows,
            "not_measured": skipped,
        }
    if args.drop:
        drop_database(server, DB_NAME)
    write_results(result, args.out.resolve(), section=markdown(result))


if __name__ == "__main__":
    main()
