"""The case family of a violation over 200,000 families on PostgreSQL, through the HTTP stack.

Issue 4 asks: a case family with 4 channels and 500 events, p95 under 80 ms through HTTP on
PostgreSQL with 200,000 families in the database. This file measures
``GET /api/v1/violations/{id}/family``.

It builds its own database ``casemgr_bench_family``, migrates it to head, loads the reference
data (divisions, inspection units, basins, judicial organs, holidays) through the services, and
bulk-loads with COPY an internally consistent data set:

* the administrative cases, violations, enterprises, officers, transitions, deadlines, clock
  stops, extensions and investigation records of ``bench/cases.py`` (its generator, unchanged:
  every step looked up in :data:`casemgr.lifecycles.administrative.TRANSITIONS`), sized so that
  there are ``--families`` violations;
* on top, what the other channels and the family add, every status and event looked up in the
  channel's lifecycle table (``CRIMINAL.transitions``, ``CIVIL_PIL.transitions``,
  ``COMPENSATION.transitions``) and every deadline opened, met or cancelled as the channel's spec
  says, due dates from the legal clock: a criminal case for every administrative case transferred
  to the judicial organs, ending as the administrative case says (returned, convicted, pending);
  an incidental civil public-interest suit for a share of the indicted ones; compensation claims
  for a share of the violations with ecological damage; the case links, parties (organisations
  and individuals with personal data), threshold alerts (referred, open, dismissed), the issued
  documents with their service records, fine and compensation payments, restoration projects
  and milestones;
* ``--targets`` families with all four channels and about 500 events (transitions, documents and
  service records, payments, deadlines, links, alerts, restoration milestones), in county 520382
  before the court C520382 and the procuratorate P520382. Their administrative case is one of
  the generator's (fined and archived); the referral, the incidental suit and the compensation
  claim follow it.

COPY bypasses the ORM (and its audit listener) on purpose, as in ``bench/cases.py``.

Then gunicorn as the application is served (2 workers, ``-c python:casemgr.gunicorn_conf``:
``gc.freeze()`` in each worker after start-up), users created through
:mod:`casemgr.services.accounts` (a judge of C520382, a province-wide bureau head), tokens
through ``POST /api/v1/tokens``, and, one request at a time,
``GET /api/v1/violations/{id}/family`` for random target families as the judge (an audited
read: one audit row per read) and as the head, and for random ordinary families as the head.
Baselines, side by side on the same data: the same requests against gunicorn without the
config file (``Server(config=None)``: the application as served before ``gc.freeze()``, when
full garbage collections over the start-up objects made the tail); the family assembled in this
process through the service and the schema without HTTP; the same with the eager loading of
``assemble`` replaced by lazy loading (what it saves). SQL statements per request are counted
through the test client, every statement of one read is run under EXPLAIN ANALYZE, and the
garbage collector's cost is measured (in this process, which does not freeze).

The raw figures go to ``bench/results/family.json`` and the tables to stdout; the curated section
is ``bench/results/family.md``. Nothing here is a test: speed is never asserted.

Usage::

    .venv/bin/python bench/family.py [--families 200000] [--targets 50] [--requests 400] [--keep]
        [--keep-database] [--skip-lazy] [--skip-without-gc-freeze] [--server URL]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import cases as admin_bench  # noqa: E402
from bench.common import (  # noqa: E402
    BENCH_PASSWORD,
    LoadSampler,
    Server,
    add_server_argument,
    bearer,
    copy_tables,
    counting_statements,
    dispose,
    drop_database,
    latency_stats,
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
    timed_gets,
    url,
    vacuum_analyze,
    write_results,
)
from casemgr.criminal_thresholds import ThresholdFacts, evaluate  # noqa: E402
from casemgr.legalbasis import basis_text  # noqa: E402
from casemgr.legalclock import RULES, Unit, compute_due, deadline_state, default_calendar  # noqa: E402
from casemgr.lifecycles import ChannelSpec  # noqa: E402
from casemgr.lifecycles.civil import CIVIL_PIL_SPEC, CivilPilFacts, extra_rules  # noqa: E402
from casemgr.lifecycles.compensation import COMPENSATION_SPEC  # noqa: E402
from casemgr.lifecycles.criminal import CRIMINAL_SPEC, filing_rule  # noqa: E402
from casemgr.services.deadlines import PARTY_WINDOWS  # noqa: E402

DB_NAME = "casemgr_bench_family"
RESULTS_JSON = ROOT / "bench" / "results" / "family.json"
SEED = 2026
LOCAL = admin_bench.LOCAL
TARGET_P95_MS = 80.0
# gunicorn's settings as the application is served (Makefile, Dockerfile): gc.freeze() per worker.
SHIPPED_CONFIG = "python:casemgr.gunicorn_conf"
TARGET_COUNTY = "520382"  # 仁怀市
COURT, PROCURATORATE, POLICE = f"C{TARGET_COUNTY}", f"P{TARGET_COUNTY}", f"G{TARGET_COUNTY}"
# bench/cases.py gives about 0.964 violations per case (a violation may carry a second case).
CASES_PER_FAMILY = 1.0375

COLUMNS = {
    **admin_bench.COLUMNS,
    "users": admin_bench.COLUMNS["users"] + ", organ_code",
    "violations": admin_bench.COLUMNS["violations"] + ", toxic_substance, ecological_damage",
    "cases": admin_bench.COLUMNS["cases"]
    + ", track, details, police_code, procuratorate_code, court_code",
    "case_links": 'id, violation_id, from_case_id, to_case_id, kind, "on", note',
    "case_parties": (
        "id, case_id, role, is_organisation, enterprise_id, name, id_number, phone, address, note"
    ),
    "alerts": (
        "id, violation_id, kind, predicate, tier, title, article, reason, params, county_code, "
        "state, raised_on, resolved_on, resolved_by_id, resolution, created_at, updated_at"
    ),
    "payments": (
        "id, case_id, kind, amount_cents, paid_on, reference, note, recorded_by_id, recorded_at"
    ),
    "issued_documents": "id, case_id, kind, number, issued_on, content, issued_by_id",
    "service_records": "id, document_id, method, served_on, recipient, note, consent_on_file",
    "restoration_projects": (
        "id, case_id, violation_id, title, budget_cents, status, start_on, due_on, completed_on, "
        "evaluated_on, evaluation_passed, evaluation_note, version, created_at, updated_at"
    ),
    "restoration_milestones": "id, project_id, title, due_on, done_on, note, recorded_at",
}
SERIAL_TABLES = (
    *admin_bench.SERIAL_TABLES,
    "case_links",
    "case_parties",
    "alerts",
    "payments",
    "issued_documents",
    "service_records",
    "restoration_projects",
    "restoration_milestones",
)

# Loops of a target family (how often a repeatable step recurs), chosen for ~500 events.
TARGET_LOOPS = {
    "materials": 3,  # police ask for more materials, the agency supplies them
    "explanations": 2,  # the procuratorate asks the police to explain a refusal
    "seized_items": 60,  # hand-overs of seized items during the investigation
    "supplementary": 2,  # returns for supplementary investigation (the legal maximum)
    "plaintiffs": 3,  # co-plaintiffs joining the civil suit
    "hearings": 90,  # court sessions of the civil suit (conclude_debate)
    "rounds": 110,  # consultation rounds of the compensation claim
    "fine_instalments": 12,
    "compensation_payments": 60,
    "projects": 5,
    "milestones": 10,  # per restoration project
}


class Cut(Exception):
    """The next step would lie after today: the case stays where it is."""


def _at(rng: random.Random, day: date) -> datetime:
    """A moment of office hours on ``day`` (local), as UTC."""
    t = dtime(rng.randint(8, 17), rng.randint(0, 59), rng.randint(0, 59))
    return datetime.combine(day, t, LOCAL).astimezone(UTC)


# ------------------------------------------------------------------------------------------------
# The rows of the family layer
# ------------------------------------------------------------------------------------------------


class Tables:
    """The bulk-load tables; ``add`` assigns the next id of a table with a serial id."""

    def __init__(self, tables: dict[str, list[Any]]) -> None:
        self.rows = tables
        for t in COLUMNS:
            self.rows.setdefault(t, [])
        self.next_id = {t: len(self.rows[t]) + 1 for t in SERIAL_TABLES}

    def add(self, table: str, *values: Any) -> int:
        new_id = self.next_id[table]
        self.next_id[table] += 1
        self.rows[table].append((new_id, *values))
        return new_id


@dataclass
class ChannelWalk:
    """One criminal, civil or compensation case walking its channel's lifecycle table, with the
    deadlines its spec opens, meets and cancels (as ``casemgr.services.channels.step`` does)."""

    spec: ChannelSpec
    opened_on: date
    today: date
    rng: random.Random
    details: dict[str, Any] = field(default_factory=dict)
    status: str = ""
    on: date = date.min
    closed_on: date | None = None
    transitions: list[tuple[Any, ...]] = field(default_factory=list)
    deadlines: dict[str, list[Any]] = field(default_factory=dict)  # code -> [start, done, moot]

    def __post_init__(self) -> None:
        self.status = self.spec.lifecycle.initial.value
        self.on = self.opened_on
        for code in self.spec.opens_on_start:
            self.deadlines[code] = [self.opened_on, None, False]

    def _due(self, code: str, start: date, today: date) -> Any:
        rule = RULES[code]
        begin: Any = start
        if rule.unit is Unit.HOUR:
            begin = datetime.combine(start, dtime.min, tzinfo=LOCAL)
        return compute_due(rule, begin, calendar=CAL, today=today)

    def _cancel(self, code: str, on: date) -> None:
        d = self.deadlines.get(code)
        if d is not None and d[1] is None and on <= self._due(code, d[0], on).due_date:
            d[1], d[2] = on, True  # a deadline already missed stays missed

    def step(
        self, event_value: str, on: date, actor: tuple[int, str], data: dict[str, Any] | None = None
    ) -> None:
        if on > self.today:
            raise Cut
        data = data or {}
        lc = self.spec.lifecycle
        event = lc.events(event_value)
        target = lc.transitions[(lc.statuses(self.status), event)]  # a path the table lacks fails
        for name in self.spec.records.get(event, ()):
            if name in data:
                self.details[name] = data[name]
        for code in self.spec.meets.get(event, ()):
            d = self.deadlines.get(code)
            if d is not None and d[1] is None:
                d[1] = on
        for code in self.spec.cancels.get(event, ()):
            self._cancel(code, on)
        notice = self.spec.notice_rules.get(event)
        if notice is not None and data.get(notice[1]):
            self.deadlines[notice[0]] = [date.fromisoformat(data[notice[1]]), on, False]
        opens = tuple(self.spec.opens.get(event, ()))
        if self.spec.track == "criminal" and event_value == "acknowledge_receipt":
            chosen = filing_rule(data.get("filing_limit", "standard"))
            opens = (*(c for c in opens if not c.startswith("criminal.filing_decision")), chosen)
        if self.spec.track == "civil_pil":
            facts = CivilPilFacts(on, kind=self.details.get("kind", "procuratorate"))
            opens = (*opens, *extra_rules("civil_pil", event_value, facts))
        for code in opens:
            self.deadlines[code] = [on, None, False]
        if event in self.spec.endings:
            for code in list(self.deadlines):
                self._cancel(code, on)
        plain = {k: v for k, v in data.items() if k not in ("on", "note")}
        at = _at(self.rng, on)
        self.transitions.append((self.status, target.value, event.value, on, at, actor, plain))
        self.status, self.on = target.value, on
        if target in lc.terminal or target.value == "closed":
            self.closed_on = self.closed_on or on

    def after(self, days: int) -> date:
        return CAL.next_working_day(self.on + timedelta(days=max(0, days)))

    def deadline_rows(self) -> Iterator[tuple[str, Any, list[Any], str]]:
        """(rule code, Due as of today, [start, done, moot], state) of each deadline."""
        for code, d in self.deadlines.items():
            due = self._due(code, d[0], self.today)
            if d[2]:
                state = "cancelled"
            elif code in PARTY_WINDOWS and (d[1] is not None or self.today > due.due_date):
                state = "met"
            else:
                state = deadline_state(due, done_on=d[1], today=self.today).value
            yield code, due, d, state


CAL = default_calendar()


# ------------------------------------------------------------------------------------------------
# The family layer over the administrative data set
# ------------------------------------------------------------------------------------------------

_V = {  # positions in a violations row (bench/cases.py COLUMNS["violations"])
    "id": 0,
    "found_at": 1,
    "county": 4,
    "summary": 10,
    "hazardous_waste_tonnes": 14,
    "loss_cents": 15,
}
_C = {  # positions in a cases row (bench/cases.py COLUMNS["cases"])
    "id": 0,
    "violation_id": 1,
    "number": 4,
    "status": 5,
    "county": 6,
    "enterprise": 7,
    "officer": 9,
    "title": 10,
    "lead_on": 11,
    "notice_on": 13,
    "decided_on": 14,
    "served_on": 15,
    "closed_on": 16,
    "penalty_types": 27,
    "final_fine": 28,
}
ATTACHMENTS = [
    "transfer_letter",
    "investigation_report",
    "seized_items_list",
    "inspection_or_appraisal_report",
    "penalty_decision",
    "site_record",
]
PERSON_NAMES = ("张某", "李某某", "王某", "刘某", "陈某某", "杨某", "赵某", "黄某")


@dataclass
class Staff:
    officers: dict[str, list[tuple[int, str]]]
    heads: dict[str, tuple[int, str]]
    prosecutors: dict[str, tuple[int, str]]  # county -> prosecutor of P<county>
    judges: dict[str, tuple[int, str]]  # organ code -> judge
    claimants: dict[str, tuple[int, str]]  # prefecture -> compensation officer


class FamilyLayer:
    """Adds the channels and the family to the administrative data set of bench/cases.py."""

    def __init__(self, data: Any, today: date, log: Callable[[str], None]) -> None:
        self.t = Tables(data.tables)
        self.today = today
        self.log = log
        self.rng = random.Random(SEED + 4)
        self.parents = {
            row["code"]: row["parent_code"] for row in _division_rows() if row["level"] == "county"
        }
        self.counts: Counter[str] = Counter()
        rows = self.t.rows
        rows["users"] = [(*u, None) for u in rows["users"]]
        self.violations = {v[0]: list(v) + [False, False] for v in rows["violations"]}
        self.cases = [list(c) + ["administrative", {}, None, None, None] for c in rows["cases"]]
        self.ents = {e[0]: e for e in rows["enterprises"]}
        self.events: dict[int, list[tuple[str, date]]] = defaultdict(list)
        for tr in rows["case_transitions"]:
            self.events[tr[1]].append((tr[4], tr[5]))
        self.staff = self._staff()
        self.target_ids: list[int] = []
        self.channel_violations: set[int] = set()
        self._pending: list[tuple[str, int, date, int, int]] = []
        self.families: Counter[str] = Counter()

    # -- people ---------------------------------------------------------------------------------

    def _staff(self) -> Staff:
        officers: dict[str, list[tuple[int, str]]] = defaultdict(list)
        heads: dict[str, tuple[int, str]] = {}
        for u in self.t.rows["users"]:
            name = u[1]
            if name.startswith("officer."):
                officers[name.split(".")[1]].append((u[0], name))
            elif name.startswith("head."):
                heads[name.split(".")[1]] = (u[0], name)
        password_hash = self.t.rows["users"][0][3]
        now = datetime(2021, 11, 1, tzinfo=UTC)
        prosecutors, judges, claimants = {}, {}, {}

        def add(username: str, role: str, code: str, organ: str | None) -> tuple[int, str]:
            name = admin_bench.SURNAMES[len(self.t.rows["users"]) % 25] + ROLE_TITLES[role]
            uid = self.t.add(
                "users", username, name, password_hash, True, None, None, 1, now, now, organ
            )
            self.t.rows["user_roles"].append((uid, role))
            self.t.rows["user_jurisdictions"].append((uid, code))
            return uid, username

        for county in sorted(officers):
            pref = self.parents[county]
            prosecutors[county] = add(f"prosecutor.{county}", "prosecutor", pref, f"P{county}")
            judges[f"C{county}"] = add(f"judge.{county}", "judge", pref, f"C{county}")
        for pref in sorted(heads):
            judges[f"C{pref}"] = add(f"judge.{pref}", "judge", pref, f"C{pref}")
            claimants[pref] = add(f"claimant.{pref}", "compensation_officer", pref, None)
        return Staff(officers, heads, prosecutors, judges, claimants)

    # -- building blocks ------------------------------------------------------------------------

    def _case(
        self,
        walk: ChannelWalk,
        admin: list[Any],
        *,
        channel: str,
        lead: tuple[int, str],
        organs: tuple[str | None, str | None, str | None],
    ) -> int:
        """Write a channel case of the admin case's violation: the case, its transitions and
        deadlines."""
        county = admin[_C["county"]]
        ent = self.ents[admin[_C["enterprise"]]]
        updated = walk.transitions[-1][4] if walk.transitions else _at(self.rng, walk.opened_on)
        case_id = self.t.add(
            "cases",
            admin[_C["violation_id"]],
            channel,
            "general",
            None,
            walk.status,
            county,
            ent[0],
            True,
            lead[0],
            admin[_C["title"]],
            walk.opened_on,
            None,
            None,
            None,
            None,
            walk.closed_on,
            False,
            False,
            False,
            False,
            [],
            False,
            False,
            False,
            [],
            None,
            [],
            None,
            None,
            None,
            1 + len(walk.transitions),
            _at(self.rng, walk.opened_on),
            updated,
            walk.spec.track,
            walk.details,
            *organs,
        )
        self.counts[f"{walk.spec.track}:{walk.status}"] += 1
        self.channel_violations.add(admin[_C["violation_id"]])
        for frm, to, event, on, at, actor, data in walk.transitions:
            self.t.add("case_transitions", case_id, frm, to, event, on, at, *actor, "", data)
        for code, due, d, state in walk.deadline_rows():
            rule = RULES[code]
            self.t.add(
                "deadlines",
                case_id,
                code,
                rule.title,
                basis_text(rule.basis),
                rule.start_event,
                d[0],
                due.due_date,
                due.paused_days,
                due.provisional,
                state,
                d[1],
                None,
                county,
                lead[0],
                channel,
            )
        return case_id

    def _link(self, violation_id: int, src: int, dst: int, kind: str, on: date) -> None:
        self.t.add("case_links", violation_id, src, dst, kind, on, "")

    def _parties(self, case_id: int, ent: tuple[Any, ...], role: str, persons: int) -> None:
        self.t.add("case_parties", case_id, role, True, ent[0], ent[4], ent[1], "", ent[6], "")
        for _ in range(persons):
            r = self.rng
            id_number = f"{ent[7]}19{r.randint(60, 99)}{r.randint(1, 12):02d}{r.randint(1, 28):02d}"
            id_number += f"{r.randint(0, 9999):04d}"
            self.t.add(
                "case_parties",
                case_id,
                role,
                False,
                None,
                r.choice(PERSON_NAMES),
                id_number,
                f"13{r.randint(100000000, 999999999)}",
                f"{ent[6][:40]}{r.randint(1, 99)}号",
                "直接负责的主管人员" if role == "suspect" else "",
            )

    def _alert(
        self, v: list[Any], state: str, raised_on: date, resolved_on: date | None, tonnes: Decimal
    ) -> None:
        v[_V["hazardous_waste_tonnes"]] = tonnes
        hits = evaluate(ThresholdFacts(act_on=raised_on, hazardous_waste_tonnes=tonnes))
        at = _at(self.rng, raised_on)
        for hit in hits:
            head = self.staff.heads[self.parents[v[_V["county"]]]]
            dismissed = state == "dismissed"
            self.t.add(
                "alerts",
                v[0],
                "referral_review",
                hit.predicate,
                hit.tier,
                hit.title,
                hit.article,
                hit.reason,
                dict(hit.params),
                v[_V["county"]],
                state,
                raised_on,
                resolved_on,
                head[0] if dismissed else None,
                "经负责人审查：危险废物系合法贮存，未非法处置，不予移送。" if dismissed else "",
                at,
                at,
            )

    def _document(
        self,
        case: list[Any],
        kind: str,
        issued: date,
        served: list[tuple[str, date]],
        content: dict[str, Any],
    ) -> None:
        number = f"{case[_C['number']] or ''}{DOC_SUFFIX[kind]}"
        doc_id = self.t.add(
            "issued_documents", case[0], kind, number, issued, content, case[_C["officer"]]
        )
        ent = self.ents[case[_C["enterprise"]]]
        for method, on in served:
            if on <= self.today:
                note = "当事人拒收，留置送达，见证人签名" if method == "left_at_premises" else ""
                self.t.add("service_records", doc_id, method, on, ent[4][:100], note, False)

    # -- every administrative case: documents, fines paid ----------------------------------------

    def admin_documents_and_payments(self, case: list[Any]) -> None:
        r = self.rng
        events = self.events.get(case[0], [])
        serve = next((on for e, on in events if e == "serve"), None)
        for event, on in events:
            if event == "notify":
                self._document(case, "proposed_penalty_notice", on, [("direct", on)], _text(case))
            elif event == "request_hearing":
                issued = min(self.today, on + timedelta(days=r.randint(1, 3)))
                served = [("mail", issued + timedelta(days=3))]
                self._document(case, "hearing_notice", issued, served, _text(case))
            elif event in ("decide", "penalise_on_the_spot"):
                served_on = serve if event == "decide" else on
                served = [("direct", served_on)] if served_on else []
                if served and r.random() < 0.15:  # refused: left at the premises, witnessed
                    served = [("left_at_premises", served_on)]
                self._document(case, "decision", on, served, self._decision(case, on))
                if event == "decide":
                    self._document(case, "correction_order", on, served, _text(case))
            elif event in ("decide_no_penalty_minor", "decide_no_penalty_unfounded"):
                served = [("direct", on + timedelta(days=r.randint(1, 5)))]
                self._document(case, "no_penalty_decision", on, served, _text(case))
            elif event == "send_reminder":
                served = [("direct", on + timedelta(days=r.randint(1, 3)))]
                self._document(case, "demand", on, served, _text(case))
            elif event == "record_performance" and case[_C["final_fine"]]:
                self._fine_paid(case, on, 1)

    def _fine_paid(self, case: list[Any], on: date, instalments: int) -> None:
        fine = case[_C["final_fine"]]
        served = case[_C["served_on"]] or on
        span = max(0, (on - served).days)
        days = sorted(self.rng.randint(0, span) for _ in range(instalments - 1)) + [span]
        share = fine // instalments
        for i, d in enumerate(days, 1):
            amount = share if i < instalments else fine - share * (instalments - 1)
            paid = served + timedelta(days=d)
            at = _at(self.rng, paid)
            self.t.add(
                "payments",
                case[0],
                "fine",
                amount,
                paid,
                f"黔非税{paid:%Y%m%d}{case[0]:07d}{i:02d}",
                "分期缴纳" if instalments > 1 else "",
                case[_C["officer"]],
                at,
            )

    def _decision(self, case: list[Any], on: date) -> dict[str, Any]:
        ent = self.ents[case[_C["enterprise"]]]
        v = self.violations[case[_C["violation_id"]]]
        fine = case[_C["final_fine"]]
        return {
            "party": {
                "name": ent[4],
                "uscc": ent[1],
                "address": ent[6],
                "legal_representative": ent[5],
            },
            "facts_and_evidence": {
                "facts": f"经查，你单位{v[_V['summary']]}，违反了《中华人民共和国水污染防治法》"
                "第十条的规定。以上事实有现场检查（勘察）笔录、调查询问笔录、监测报告、现场照片等证据为证。",
                "evidence": ["现场检查（勘察）笔录", "调查询问笔录", "监测报告", "现场照片"],
            },
            "penalty_and_basis": {
                "penalty_types": list(case[_C["penalty_types"]] or []),
                "fine_cny": "" if fine is None else f"{fine / 100:,.2f}",
                "legal_basis": "《中华人民共和国水污染防治法》第八十三条第二项",
                "correction_ordered_on": on.isoformat(),
            },
            "performance": {
                "manner": "自收到本决定书之日起十五日内缴至指定银行",
                "time_limit": "自收到本决定书之日起十五日内（行政处罚法第六十七条）",
            },
            "remedies": {
                "reconsideration": "遵义市人民政府",
                "court": "仁怀市人民法院",
                "text": "如不服本决定，可在收到本决定书之日起六十日内申请行政复议，"
                "或者在六个月内提起行政诉讼（行政复议法第二十条，行政诉讼法第四十六条）。",
            },
            "agency_and_date": {"agency": "遵义市生态环境局", "decided_on": on.isoformat()},
            "case_number": case[_C["number"]],
        }

    # -- background channels --------------------------------------------------------------------

    def background(self) -> None:
        """Criminal cases of the transferred administrative cases, their incidental suits,
        compensation claims, alerts; documents and fines of every administrative case."""
        r = self.rng
        started = time.perf_counter()
        with_criminal: set[int] = set()
        for n, case in enumerate(self.cases, 1):
            self.admin_documents_and_payments(case)
            events = dict(self.events.get(case[0], []))
            if "transfer_criminal" in events:
                with_criminal.add(case[_C["violation_id"]])
                self.criminal_background(case, events)
            if n % 50_000 == 0:
                self.log(f"  family layer: {n:,} cases ({time.perf_counter() - started:.0f} s)")
        decided = [
            c
            for c in self.cases
            if c[_C["decided_on"]] and c[_C["violation_id"]] not in with_criminal
        ]
        for case in r.sample(decided, k=len(decided) // 80):  # about 1 % of the violations
            self.compensation_background(case)
        for vid, v in self.violations.items():  # alerts nobody has referred yet
            if vid not in with_criminal and r.random() < 0.005:
                found = v[_V["found_at"]].astimezone(LOCAL).date()
                state = "open" if r.random() < 0.6 else "dismissed"
                resolved = None if state == "open" else min(self.today, found + timedelta(days=20))
                self._alert(v, state, found, resolved, Decimal(r.randint(3000, 9000)) / 1000)
            elif r.random() < 0.002:
                v[-1] = True  # ecological damage found, no claim screened yet

    def criminal_background(self, admin: list[Any], events: dict[str, date]) -> None:
        r = self.rng
        county = admin[_C["county"]]
        officers = self.staff.officers[county]
        officer = next((o for o in officers if o[0] == admin[_C["officer"]]), officers[0])
        prosecutor = self.staff.prosecutors[county]
        judge = self.staff.judges[f"C{county}"]
        head = self.staff.heads[self.parents[county]]
        transfer = events["transfer_criminal"]
        opened = transfer - timedelta(days=r.randint(0, 4))
        walk = ChannelWalk(
            CRIMINAL_SPEC, opened, self.today, r, {"report_officer_ids": [officer[0]]}
        )
        end = events.get("returned_by_judicial_organs") or events.get("criminal_case_concluded")
        ended_by = "returned" if "returned_by_judicial_organs" in events else "concluded"
        court = None
        s = walk.step
        try:
            s("approve_transfer", transfer, head)
            s("hand_over", walk.after(r.randint(0, 2)), officer, {"attachments": ATTACHMENTS[:4]})
            s("acknowledge_receipt", walk.on, officer, {"filing_limit": "standard"})
            if end is not None and ended_by == "returned" and r.random() < 0.4:
                s(
                    "refuse_to_file",
                    min(walk.after(3), max(end, walk.on)),
                    officer,
                    {"reason": "不构成犯罪"},
                )
                s("accept_refusal", max(end, walk.on), officer)
                s("close", walk.after(r.randint(5, 20)), officer)
                raise Cut
            s("file_case", walk.after(r.randint(1, 3)), officer)
            s("hand_over_seized_items", walk.after(2), officer)
            refer = walk.after(r.randint(30, 60))
            s(
                "refer_for_prosecution",
                refer if end is None else max(walk.on, min(refer, end)),
                prosecutor,
            )
            if end is not None and ended_by == "returned":
                s(
                    "decide_not_to_prosecute",
                    max(end, walk.on),
                    prosecutor,
                    {"reason": "犯罪情节轻微"},
                )
                s("return_to_agency", walk.after(5), prosecutor)
                s("close", walk.after(r.randint(5, 20)), officer)
                raise Cut
            s("indict", walk.after(r.randint(20, 40)), prosecutor)
            court = f"C{county}"
            s("accept_for_trial", walk.after(3), judge)
            if end is None:  # the administrative case still waits for the criminal one
                raise Cut
            fine = r.randrange(50_000, 500_000, 10_000) * 100
            judged = max(walk.on, end - timedelta(days=12))
            s("judge_first_instance", judged, judge, {"verdict": "conviction", "fine_cents": fine})
            s("become_final", max(end, walk.after(11)), judge)
            s("start_execution", walk.after(5), judge)
            s("complete_execution", walk.after(r.randint(90, 360)), judge)
        except Cut:
            pass
        vid = admin[_C["violation_id"]]
        crim = self._case(
            walk,
            admin,
            channel="criminal",
            lead=officer,
            organs=(f"G{county}", f"P{county}", court),
        )
        self._link(vid, admin[0], crim, "criminal_referral", transfer)
        if end is not None and ended_by == "returned":
            self._link(vid, crim, admin[0], "returned_for_penalty", end)
        self._parties(crim, self.ents[admin[_C["enterprise"]]], "suspect", r.randint(0, 2))
        v = self.violations[vid]
        found = v[_V["found_at"]].astimezone(LOCAL).date()
        self._alert(v, "referred", found, opened, Decimal(r.randint(3000, 20000)) / 1000)
        indicted = next((t for t in walk.transitions if t[2] == "indict"), None)
        if indicted is not None and r.random() < 0.3:
            self.civil_background(admin, indicted[3], walk, crim)

    def civil_background(
        self, admin: list[Any], indicted: date, crim: ChannelWalk, crim_id: int
    ) -> None:
        r = self.rng
        county = admin[_C["county"]]
        prosecutor = self.staff.prosecutors[county]
        judge = self.staff.judges[f"C{county}"]
        opened = indicted - timedelta(days=r.randint(35, 60))
        walk = ChannelWalk(CIVIL_PIL_SPEC, opened, self.today, r, {"kind": "incidental"})
        court = None
        try:
            walk.step("announce", opened, prosecutor)
            walk.step("file_with_indictment", max(indicted, walk.after(31)), prosecutor)
            court = f"C{county}"
            walk.step("accept", walk.after(3), judge)
            walk.step("serve_complaint", walk.after(2), judge)
            walk.step("start_trial", walk.after(r.randint(15, 40)), judge)
            walk.step("judge", walk.after(r.randint(20, 60)), judge)
            walk.step("serve_judgment", walk.after(1), judge)
            walk.step("become_final", walk.after(16), judge)
            walk.step("complete", walk.after(r.randint(30, 120)), judge)
        except Cut:
            pass
        civil = self._case(
            walk, admin, channel="civil", lead=prosecutor, organs=(None, f"P{county}", court)
        )
        self._link(admin[_C["violation_id"]], crim_id, civil, "incidental_civil", opened)
        self._parties(civil, self.ents[admin[_C["enterprise"]]], "defendant", r.randint(0, 1))

    def compensation_background(self, admin: list[Any]) -> None:
        r = self.rng
        county = admin[_C["county"]]
        pref = self.parents[county]
        claimant = self.staff.claimants[pref]
        opened = admin[_C["decided_on"]] + timedelta(days=r.randint(5, 40))
        if opened > self.today:
            return
        v = self.violations[admin[_C["violation_id"]]]
        v[-1] = True
        details: dict[str, Any] = {}
        walk = ChannelWalk(COMPENSATION_SPEC, opened, self.today, r, details)
        agreed = r.randrange(5_000, 500_000, 1_000) * 100
        restoration = r.random() < 0.6
        court = None
        try:
            walk.step("start_screening", walk.after(1), claimant)
            walk.step(
                "start_claim", walk.after(r.randint(3, 20)), claimant, {"incident_level": "general"}
            )
            if r.random() < 0.85:
                details["procuratorate_notified_on"] = walk.on.isoformat()
            walk.step(
                "start_assessment",
                walk.after(10),
                claimant,
                {"assessment_method": "simplified", "damage_cents": agreed},
            )
            served = walk.after(r.randint(20, 60))
            walk.step(
                "serve_consultation_notice",
                served,
                claimant,
                {"notice_served_on": served.isoformat()},
            )
            for i in range(r.randint(1, 3)):
                walk.step(
                    "record_round", walk.after(15), claimant, {"round_summary": f"第{i + 1}轮磋商"}
                )
            due = walk.after(180)
            walk.step(
                "reach_agreement",
                walk.after(10),
                claimant,
                {
                    "agreed_cents": agreed,
                    "restoration": restoration,
                    "performance_due_on": due.isoformat(),
                },
            )
            walk.step("begin_performance", walk.after(5), claimant)
            paid = walk.after(30)
            if paid <= self.today:
                self._payment("compensation", agreed, paid, claimant, 1)
            if restoration:
                walk.step("start_evaluation", walk.after(r.randint(120, 240)), claimant)
                walk.step(
                    "record_evaluation", walk.after(10), claimant, {"evaluation_passed": True}
                )
            walk.step("close", walk.after(5), claimant)
        except Cut:
            pass
        comp = self._case(
            walk,
            admin,
            channel="compensation",
            lead=claimant,
            organs=(None, f"P{county}" if "procuratorate_notified_on" in details else None, court),
        )
        self._parties(comp, self.ents[admin[_C["enterprise"]]], "defendant", 0)
        self._pending_payments(comp)
        if restoration and "reach_agreement" in {t[2] for t in walk.transitions}:
            self._project(comp, admin[_C["violation_id"]], walk, r.randint(2, 4), agreed // 2)

    def _payment(self, kind: str, amount: int, paid: date, who: tuple[int, str], n: int) -> None:
        """A payment of the channel case being walked (written once the case has its id)."""
        self._pending.append((kind, amount, paid, who[0], n))

    def _pending_payments(self, case_id: int) -> None:
        for kind, amount, paid, who, n in self._pending:
            at = _at(self.rng, paid)
            ref = f"黔非税赔{paid:%Y%m%d}{case_id:07d}{n:03d}"
            self.t.add("payments", case_id, kind, amount, paid, ref, "", who, at)
        self._pending = []

    def _project(
        self, case_id: int, violation_id: int, walk: ChannelWalk, milestones: int, budget: int
    ) -> int:
        r = self.rng
        agreed = next(t[3] for t in walk.transitions if t[2] == "reach_agreement")
        start = agreed + timedelta(days=r.randint(10, 30))
        due = start + timedelta(days=30 * (milestones + 1))
        evaluated = next(
            (t[3] for t in reversed(walk.transitions) if t[2] == "record_evaluation"), None
        )
        completed = evaluated - timedelta(days=10) if evaluated else None
        status = "evaluated" if evaluated else "in_progress" if start <= self.today else "planned"
        created = _at(r, agreed)
        pid = self.t.add(
            "restoration_projects",
            case_id,
            violation_id,
            r.choice(PROJECT_TITLES),
            budget,
            status,
            start,
            due,
            completed,
            evaluated,
            True if evaluated else None,
            "修复效果评估达标" if evaluated else "",
            1 + milestones,
            created,
            created,
        )
        for k in range(milestones):
            m_due = start + timedelta(days=30 * (k + 1))
            done: date | None = m_due - timedelta(days=r.randint(0, 10))
            if completed is not None:  # every milestone was done by the completion
                done = min(done, completed)
            elif done > self.today:
                done = None
            self.t.add(
                "restoration_milestones",
                pid,
                MILESTONES[k % len(MILESTONES)],
                m_due,
                done,
                "",
                _at(r, done or start),
            )
        return pid

    # -- the target families ----------------------------------------------------------------------

    def targets(self, n: int) -> list[int]:
        """``n`` families with all four channels and about 500 events, before C520382."""
        horizon = self.today - timedelta(days=1150)
        taken = self.channel_violations
        candidates = [
            c
            for c in self.cases
            if c[_C["county"]] == TARGET_COUNTY
            and c[_C["status"]] == "archived"
            and c[_C["decided_on"]] is not None
            and c[_C["decided_on"]] <= horizon
            and (c[_C["final_fine"]] or 0) > 0
            and c[_C["violation_id"]] not in taken
            and "record_performance" in dict(self.events.get(c[0], []))
        ]
        if len(candidates) < n:
            self.log(f"  only {len(candidates)} candidate families for targets in {TARGET_COUNTY}")
        self.rng.shuffle(candidates)
        for admin in candidates:
            if len(self.target_ids) == n:
                break
            if admin[_C["violation_id"]] not in self.channel_violations:
                self.target_family(admin)
                self.target_ids.append(admin[_C["violation_id"]])
        return self.target_ids

    def target_family(self, admin: list[Any]) -> None:
        r, L = self.rng, TARGET_LOOPS
        vid = admin[_C["violation_id"]]
        county = TARGET_COUNTY
        ent = self.ents[admin[_C["enterprise"]]]
        officers = self.staff.officers[county]
        officer = next((o for o in officers if o[0] == admin[_C["officer"]]), officers[0])
        head = self.staff.heads[self.parents[county]]
        prosecutor = self.staff.prosecutors[county]
        judge = self.staff.judges[COURT]
        mid_judge = self.staff.judges[f"C{self.parents[county]}"]
        claimant = self.staff.claimants[self.parents[county]]
        # The fine was paid in instalments: the generator's one payment is replaced.
        self.t.rows["payments"] = [p for p in self.t.rows["payments"] if p[1] != admin[0]]
        paid_on = dict(self.events[admin[0]])["record_performance"]
        self._fine_paid(admin, paid_on, L["fine_instalments"])

        # The referral after the penalty (衔接办法 2017 art. 6: the decision goes with it).
        opened = CAL.next_working_day(
            max(admin[_C["closed_on"]] or paid_on, paid_on) + timedelta(days=20)
        )
        crim = ChannelWalk(
            CRIMINAL_SPEC,
            opened,
            self.today,
            r,
            {"report_officer_ids": [officer[0], officers[-1][0]]},
        )
        s = crim.step
        s("approve_transfer", crim.after(1), head)
        s("hand_over", crim.after(1), officer, {"attachments": ATTACHMENTS})
        s("acknowledge_receipt", crim.on, officer, {"filing_limit": "leads_to_check"})
        for _ in range(L["materials"]):
            s(
                "request_materials",
                crim.after(3),
                officer,
                {"materials": "补充危险废物处置去向的证据材料"},
            )
            s("supply_materials", crim.after(4), officer)
        refused = crim.after(3)
        s(
            "refuse_to_file",
            refused,
            officer,
            {"reason": "尚需核查", "decided_on": refused.isoformat()},
        )
        s(
            "request_reconsideration",
            crim.after(2),
            officer,
            {"reason": "涉案危险废物数量已达入罪标准"},
        )
        s("uphold_refusal", crim.after(3), officer, {"reason": "维持不予立案决定"})
        s("request_supervision", crim.after(2), officer, {"reason": "请求立案监督"})
        for _ in range(L["explanations"]):
            s("require_explanation", crim.after(3), prosecutor)
            s("explain_refusal", crim.after(5), officer, {"reason": "证据不足"})
        s("order_filing", crim.after(5), prosecutor)
        filed = crim.after(7)
        s("file_case", filed, officer, {"decided_on": filed.isoformat()})
        for _ in range(L["seized_items"]):
            s("hand_over_seized_items", crim.after(3), officer)
        s("refer_for_prosecution", crim.after(30), prosecutor)
        for _ in range(L["supplementary"]):
            s("return_for_supplementary", crim.after(20), prosecutor, {"reason": "补充侦查提纲"})
            s("resubmit", crim.after(30), prosecutor)
        civil_opened = crim.after(0)
        s("indict", crim.after(40), prosecutor)
        indicted = crim.on
        s("accept_for_trial", crim.after(3), judge)
        tried = crim.on
        fine = r.randrange(200_000, 2_000_000, 10_000) * 100
        s(
            "judge_first_instance",
            crim.after(50),
            judge,
            {"verdict": "conviction", "fine_cents": fine},
        )
        first_judgment = crim.on
        s("appeal", crim.after(5), judge)
        s("remand", crim.after(40), judge, {"reason": "事实不清"})
        s(
            "judge_first_instance",
            crim.after(45),
            judge,
            {"verdict": "conviction", "fine_cents": fine},
        )
        s("become_final", crim.after(12), judge)
        s("start_execution", crim.after(3), judge)
        s("complete_execution", crim.after(120), judge)
        crim_id = self._case(
            crim, admin, channel="criminal", lead=officer, organs=(POLICE, PROCURATORATE, COURT)
        )
        self._link(vid, admin[0], crim_id, "criminal_referral", opened)
        self._parties(crim_id, ent, "suspect", 3)

        # The incidental civil public-interest suit, tried with the criminal case.
        civ = ChannelWalk(CIVIL_PIL_SPEC, civil_opened, self.today, r, {"kind": "incidental"})
        c = civ.step
        c("announce", civil_opened, prosecutor)
        c("file_with_indictment", indicted, prosecutor)
        c("accept", tried, judge)
        c("serve_complaint", civ.after(2), judge)
        c("publish_acceptance", civ.after(1), judge)
        c("notify_regulator", civ.after(1), judge)
        for k in range(L["plaintiffs"]):
            c(
                "join_plaintiff",
                civ.after(5),
                judge,
                {"plaintiff_name": PLAINTIFFS[k % len(PLAINTIFFS)]},
            )
        c("start_trial", civ.after(3), judge)
        for _ in range(L["hearings"]):
            c("conclude_debate", civ.after(1), judge)
        c("judge", max(first_judgment, civ.after(1)), judge)
        c("serve_judgment", civ.after(1), judge)
        c("become_final", civ.after(16), judge)
        c("start_enforcement", civ.after(5), judge)
        c("complete", civ.after(90), judge)
        civ_id = self._case(
            civ, admin, channel="civil", lead=prosecutor, organs=(None, PROCURATORATE, COURT)
        )
        self._link(vid, crim_id, civ_id, "incidental_civil", civil_opened)
        self._parties(civ_id, ent, "defendant", 1)

        # The compensation claim, agreed, confirmed by the intermediate court, restored.
        details: dict[str, Any] = {}
        comp = ChannelWalk(COMPENSATION_SPEC, opened + timedelta(days=5), self.today, r, details)
        m = comp.step
        agreed = r.randrange(1_000_000, 5_000_000, 10_000) * 100
        m("start_screening", comp.after(1), claimant)
        m("start_claim", comp.after(5), claimant, {"incident_level": "larger", "key_zone": True})
        details["procuratorate_notified_on"] = comp.on.isoformat()
        m(
            "start_assessment",
            comp.after(15),
            claimant,
            {"assessment_method": "full", "damage_cents": agreed},
        )
        served = comp.after(60)
        m("serve_consultation_notice", served, claimant, {"notice_served_on": served.isoformat()})
        for i in range(L["rounds"]):
            m(
                "record_round",
                comp.after(1),
                claimant,
                {"round_summary": f"第{i + 1}轮磋商"},
            )
        due = comp.after(720)
        m(
            "reach_agreement",
            comp.after(2),
            claimant,
            {"agreed_cents": agreed, "restoration": True, "performance_due_on": due.isoformat()},
        )
        m("apply_confirmation", comp.after(5), claimant)
        m("publish_confirmation_notice", comp.after(2), mid_judge)
        m("confirm_agreement", comp.after(31), mid_judge)
        confirmed = comp.on
        m("start_evaluation", comp.after(420), claimant)
        m("record_evaluation", comp.after(10), claimant, {"evaluation_passed": False})
        m("resume_restoration", comp.after(5), claimant)
        m("start_evaluation", comp.after(90), claimant)
        m("record_evaluation", comp.after(10), claimant, {"evaluation_passed": True})
        m("close", comp.after(5), claimant)
        n = L["compensation_payments"]
        for k in range(n):  # monthly instalments after the confirmation
            paid = min(self.today, confirmed + timedelta(days=30 * (k + 1) // 2))
            kind = "restoration_cost" if k % 4 == 3 else "compensation"
            self._payment(kind, agreed // n, paid, claimant, k + 1)
        comp_id = self._case(
            comp,
            admin,
            channel="compensation",
            lead=claimant,
            organs=(None, PROCURATORATE, f"C{self.parents[county]}"),
        )
        self._pending_payments(comp_id)
        self._parties(comp_id, ent, "defendant", 1)
        self.t.add(
            "case_parties",
            comp_id,
            "claimant",
            True,
            None,
            "遵义市生态环境局",
            "",
            "",
            "",
            "赔偿权利人指定部门",
        )
        for _ in range(L["projects"]):
            self._project(comp_id, vid, comp, L["milestones"], agreed // (2 * L["projects"]))

        # The threshold alerts: referred by the referral.
        v = self.violations[vid]
        found = v[_V["found_at"]].astimezone(LOCAL).date()
        self._alert(v, "referred", found, opened, Decimal("120.500"))
        v[-2] = True  # toxic substances
        v[-1] = True  # ecological damage

    # -- the tables -------------------------------------------------------------------------------

    def finish(self) -> dict[str, list[Any]]:
        rows = self.t.rows
        rows["violations"] = [tuple(v) for v in self.violations.values()]
        n_admin = len(self.cases)
        rows["cases"] = [tuple(c) for c in self.cases] + rows["cases"][n_admin:]
        return rows


DOC_SUFFIX = {
    "proposed_penalty_notice": "告",
    "hearing_notice": "听",
    "decision": "",
    "correction_order": "改",
    "no_penalty_decision": "不罚",
    "demand": "催",
}
ROLE_TITLES = {"prosecutor": "检察官", "judge": "法官", "compensation_officer": "科长"}
PLAINTIFFS = ("中华环保联合会", "贵州省环境保护协会", "仁怀市环境保护志愿者协会")
PROJECT_TITLES = (
    "赤水河支流河道底泥清理与植被恢复",
    "受污染耕地土壤修复",
    "地下水污染风险管控与修复",
    "渗坑危险废物清运与场地修复",
)
MILESTONES = ("方案编制", "底泥清理", "废物清运", "土壤修复", "植被恢复", "监测评估", "验收")


def _text(case: list[Any]) -> dict[str, Any]:
    return {
        "text": f"{case[_C['title']]}：依法告知当事人有关事项。",
        "case_number": case[_C["number"]],
    }


def _division_rows() -> list[dict[str, str]]:
    import csv

    with admin_bench.DIVISIONS_CSV.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


# ------------------------------------------------------------------------------------------------
# Loading
# ------------------------------------------------------------------------------------------------


def load(server: str, app: Any, args: argparse.Namespace, today: date) -> dict[str, Any]:
    """Create, migrate and fill the bench database; return timings and the target ids."""
    timings: dict[str, Any] = {}
    log(f"creating {DB_NAME}, migrating to head, loading the reference data")
    recreate_database(server, DB_NAME)
    migrate_to_head(app)
    prefixes = admin_bench._load_reference(app)
    n_cases = max(1, round((args.families - args.targets) * CASES_PER_FAMILY))
    log(f"generating {n_cases:,} administrative cases (bench/cases.py)")
    started = time.perf_counter()
    data = admin_bench.build_dataset(n_cases, 10, prefixes, today=today, log=log)
    timings["generate_admin_s"] = round(time.perf_counter() - started, 1)
    started = time.perf_counter()
    layer = FamilyLayer(data, today, log)
    layer.background()
    targets = layer.targets(args.targets)
    tables = layer.finish()
    timings["generate_family_s"] = round(time.perf_counter() - started, 1)
    log(f"  { ({t: len(r) for t, r in tables.items()}) }; loading with COPY")
    started = time.perf_counter()
    copy_tables(server, DB_NAME, COLUMNS, tables)
    reset_sequences(server, DB_NAME, SERIAL_TABLES)
    timings["copy_s"] = round(time.perf_counter() - started, 1)
    del data, tables, layer
    started = time.perf_counter()
    vacuum_analyze(server, DB_NAME, COLUMNS)
    timings["vacuum_analyze_s"] = round(time.perf_counter() - started, 1)
    with psycopg.connect(url(server, DB_NAME), autocommit=True) as conn:
        conn.execute("CREATE TABLE bench_targets (violation_id integer PRIMARY KEY)")
        with conn.cursor() as cur:
            cur.executemany("INSERT INTO bench_targets VALUES (%s)", [(t,) for t in targets])
    log(f"  COPY {timings['copy_s']} s, VACUUM ANALYZE {timings['vacuum_analyze_s']} s")
    return timings


def _targets(server: str) -> list[int]:
    with psycopg.connect(url(server, DB_NAME)) as conn:
        return [r[0] for r in conn.execute("SELECT violation_id FROM bench_targets ORDER BY 1")]


def _facts(server: str, targets: list[int]) -> dict[str, Any]:
    """What was loaded: rows, families by their channels, the target families' events."""
    with psycopg.connect(url(server, DB_NAME)) as conn:
        facts = server_settings(conn)
        facts["rows"] = row_counts(conn, COLUMNS)
        facts["cases_by_track"] = dict(
            conn.execute("SELECT track, count(*) FROM cases GROUP BY 1 ORDER BY 2 DESC").fetchall()
        )
        facts["families_by_channels"] = dict(
            conn.execute(
                "SELECT chans, count(*) FROM (SELECT violation_id, string_agg(DISTINCT track, '+' "
                "ORDER BY track) AS chans FROM cases GROUP BY 1) x GROUP BY 1 ORDER BY 2 DESC"
            ).fetchall()
        )
        facts["alerts_by_state"] = dict(
            conn.execute("SELECT state, count(*) FROM alerts GROUP BY 1 ORDER BY 2 DESC").fetchall()
        )
        per_target = conn.execute(
            """
            SELECT v.id,
              (SELECT count(*) FROM cases c WHERE c.violation_id = v.id),
              (SELECT count(*) FROM case_transitions t JOIN cases c ON c.id = t.case_id
                WHERE c.violation_id = v.id),
              (SELECT count(*) FROM issued_documents d JOIN cases c ON c.id = d.case_id
                WHERE c.violation_id = v.id),
              (SELECT count(*) FROM service_records s JOIN issued_documents d
                ON d.id = s.document_id JOIN cases c ON c.id = d.case_id
                WHERE c.violation_id = v.id),
              (SELECT count(*) FROM payments p JOIN cases c ON c.id = p.case_id
                WHERE c.violation_id = v.id),
              (SELECT count(*) FROM deadlines d JOIN cases c ON c.id = d.case_id
                WHERE c.violation_id = v.id),
              (SELECT count(*) FROM case_links l WHERE l.violation_id = v.id),
              (SELECT count(*) FROM alerts a WHERE a.violation_id = v.id),
              (SELECT count(*) FROM restoration_milestones m JOIN restoration_projects p
                ON p.id = m.project_id WHERE p.violation_id = v.id),
              (SELECT count(*) FROM case_parties x JOIN cases c ON c.id = x.case_id
                WHERE c.violation_id = v.id),
              (SELECT string_agg(DISTINCT c.court_code, ',') FROM cases c
                WHERE c.violation_id = v.id)
            FROM violations v WHERE v.id = ANY(%s) ORDER BY v.id
            """,
            [targets],
        ).fetchall()
    names = (
        "cases",
        "transitions",
        "documents",
        "service_records",
        "payments",
        "deadlines",
        "links",
        "alerts",
        "milestones",
        "parties",
    )
    events = [sum(row[2:10]) for row in per_target]
    facts["targets"] = {
        "n": len(per_target),
        "events_per_family": {
            "min": min(events, default=0),
            "median": statistics.median(events) if events else 0,
            "max": max(events, default=0),
        },
        "median": {
            name: statistics.median(row[i + 1] for row in per_target) if per_target else 0
            for i, name in enumerate(names)
        },
        "courts": sorted({c for row in per_target for c in (row[11] or "").split(",") if c}),
    }
    return facts


# ------------------------------------------------------------------------------------------------
# Callers and requests
# ------------------------------------------------------------------------------------------------

JUDGE, HEAD = "bench.judge", "bench.head"
KINDS = {
    "judge": f"4-channel family, judge of {COURT} (audited read)",
    "head": "4-channel family, province-wide bureau head",
    "ordinary": "random family of the 200,000, province-wide bureau head",
}


def create_callers(app: Any) -> None:
    """A judge of the target families' court and a province-wide bureau head, through the
    services (created once, reused by later runs on the same database)."""
    from sqlalchemy import select

    from casemgr.extensions import db
    from casemgr.models import User
    from casemgr.policy import SYSTEM_ACTOR, Role
    from casemgr.services import accounts

    users = {
        JUDGE: {"roles": [Role.JUDGE], "jurisdictions": ["520300"], "organ_code": COURT},
        HEAD: {"roles": [Role.BUREAU_HEAD], "jurisdictions": ["520000"]},
    }
    with app.app_context():
        existing = set(db.session.scalars(select(User.username)))
        for username, data in users.items():
            if username not in existing:
                accounts.create_user(
                    db.session,
                    SYSTEM_ACTOR,
                    {
                        "username": username,
                        "password": BENCH_PASSWORD,
                        "display_name": "Benchmark",
                        **data,
                    },
                )
        dispose(app)


@dataclass(frozen=True)
class Request:
    kind: str
    violation_id: int
    caller: str

    @property
    def path(self) -> str:
        return f"/api/v1/violations/{self.violation_id}/family"


@dataclass(frozen=True)
class Outcome:
    kind: str
    violation_id: int
    ms: float
    size: int
    fingerprint: tuple[Any, ...]


def build_requests(
    targets: list[int], n_violations: int, n: int, seed: int, kinds: tuple[str, ...]
) -> list[Request]:
    """``n`` requests of each kind, random families, the kinds interleaved at random."""
    rng = random.Random(seed)
    out = []
    for kind in kinds:
        for _ in range(n):
            if kind == "ordinary":
                out.append(Request(kind, rng.randint(1, n_violations), HEAD))
            else:
                out.append(Request(kind, rng.choice(targets), JUDGE if kind == "judge" else HEAD))
    rng.shuffle(out)
    return out


def fingerprint(body: dict[str, Any]) -> tuple[Any, ...]:
    return (
        body["violation"]["id"],
        tuple(c["id"] for c in body["cases"]),
        tuple(tuple(c["allowed_events"]) for c in body["cases"]),
        len(body["timeline"]),
        len(body["deadlines"]),
        tuple(p["id_number"] for p in body["parties"]),
        body["ledger"]["offset_cents"],
        body["ledger"]["compensation_paid_cents"],
        tuple(c["code"] for c in body["consistency"]),
    )


def run_requests(port: int, tokens: dict[str, str], requests: list[Request]) -> list[Outcome]:
    """One request at a time, each timed from sending to the last byte of the body."""
    timed, _ = timed_gets(port, [(r.path, bearer(tokens[r.caller])) for r in requests])
    return [
        Outcome(r.kind, r.violation_id, t.ms, len(t.body), fingerprint(json.loads(t.body)))
        for r, t in zip(requests, timed, strict=True)
    ]


# ------------------------------------------------------------------------------------------------
# In process: the service and the schema without HTTP; the same with lazy loading
# ------------------------------------------------------------------------------------------------


@contextmanager
def lazy_loading() -> Iterator[None]:
    """``assemble`` with every eager-loading option of the family service replaced by lazy
    loading (a query per case and relationship, as without the options)."""
    from sqlalchemy.orm import lazyload

    from casemgr.services import family

    saved = family.selectinload
    family.selectinload = lazyload  # type: ignore[assignment]
    try:
        yield
    finally:
        family.selectinload = saved  # type: ignore[assignment]


def time_in_process(
    app: Any, requests: list[Request], warmup: list[Request]
) -> tuple[list[Outcome], dict[str, float]]:
    """``get_family`` and ``FamilySchema().dump`` in a fresh session per family, the caller
    resolved once (no token lookup, no routing, no JSON encoding); also the statements each."""
    from sqlalchemy import select

    from casemgr.extensions import db
    from casemgr.models import User
    from casemgr.schemas.channels import FamilySchema
    from casemgr.services import family
    from casemgr.services.access import actor_for

    schema = FamilySchema()
    out: list[Outcome] = []
    statements: dict[str, list[int]] = defaultdict(list)
    with app.test_request_context(), counting_statements(db.engine) as seen:
        actors = {}
        for username in {r.caller for r in requests}:
            user = db.session.scalars(select(User).where(User.username == username)).one()
            actors[username] = actor_for(db.session(), user)
        db.session.remove()
        for i, req in enumerate([*warmup, *requests]):
            seen[0] = 0
            started = time.perf_counter()
            session = db.session()
            body = schema.dump(family.get_family(session, actors[req.caller], req.violation_id))
            db.session.remove()
            ms = (time.perf_counter() - started) * 1000
            if i >= len(warmup):
                text = json.dumps(body, default=str, ensure_ascii=False)
                out.append(
                    Outcome(
                        req.kind, req.violation_id, ms, len(text), fingerprint(json.loads(text))
                    )
                )
                statements[req.kind].append(seen[0])
        dispose(app)
    return out, {k: round(statistics.mean(v), 1) for k, v in statements.items()}


def count_queries(app: Any, tokens: dict[str, str], requests: list[Request]) -> dict[str, Any]:
    """SQL statements per request of each kind, through the app's test client."""
    from casemgr.extensions import db

    counts: dict[str, list[int]] = defaultdict(list)
    with app.app_context(), counting_statements(db.engine) as seen:
        client = app.test_client()
        for req in requests:
            seen[0] = 0
            resp = client.get(req.path, headers=bearer(tokens[req.caller]))
            if resp.status_code != 200:
                raise SystemExit(f"{resp.status_code} {req.path}")
            counts[req.kind].append(seen[0])
        dispose(app)
    return {
        k: {"mean": round(statistics.mean(v), 1), "min": min(v), "max": max(v)}
        for k, v in counts.items()
    }


def explain_family(app: Any, token: str, violation_id: int) -> list[dict[str, Any]]:
    """Every statement of one family request (through the test client), then EXPLAIN ANALYZE of
    each SELECT with its parameters, slowest first."""
    from sqlalchemy import event

    from casemgr.extensions import db

    seen: list[tuple[str, Any]] = []

    def keep(conn: Any, cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        seen.append((statement, parameters))

    out = []
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", keep)
        try:
            resp = app.test_client().get(
                f"/api/v1/violations/{violation_id}/family", headers=bearer(token)
            )
        finally:
            event.remove(db.engine, "before_cursor_execute", keep)
        if resp.status_code != 200:
            raise SystemExit(f"{resp.status_code} family {violation_id}")
        with db.engine.connect() as conn:
            for statement, params in seen:
                if not statement.lstrip().upper().startswith("SELECT"):
                    out.append({"sql": statement[:300], "execution_ms": None, "plan": []})
                    continue
                plan = [
                    r[0]
                    for r in conn.exec_driver_sql(
                        "EXPLAIN (ANALYZE, BUFFERS) " + statement, params
                    ).fetchall()
                ]
                line = next(p for p in plan if p.startswith("Execution Time"))
                ms = float(line.split(":")[1].split()[0])
                out.append({"sql": statement, "params": params, "execution_ms": ms, "plan": plan})
            conn.rollback()
        dispose(app)
    return out


def gc_facts(app: Any, requests: list[Request]) -> dict[str, Any]:
    """What the cyclic garbage collector costs in a process holding the application: objects
    it tracks, one full collection, and the collections that run during family reads."""
    import gc

    from sqlalchemy import select

    from casemgr.extensions import db
    from casemgr.models import User
    from casemgr.schemas.channels import FamilySchema
    from casemgr.services import family
    from casemgr.services.access import actor_for

    gc.collect()
    started = time.perf_counter()
    gc.collect()
    full_ms = (time.perf_counter() - started) * 1000
    tracked = len(gc.get_objects())
    events: list[tuple[str, int, float]] = []

    def note(phase: str, info: dict[str, Any]) -> None:
        events.append((phase, info["generation"], time.perf_counter()))

    schema = FamilySchema()
    with app.test_request_context():
        user = db.session.scalars(select(User).where(User.username == HEAD)).one()
        actor = actor_for(db.session(), user)
        db.session.remove()
        gc.callbacks.append(note)
        try:
            for req in requests:
                schema.dump(family.get_family(db.session(), actor, req.violation_id))
                db.session.remove()
        finally:
            gc.callbacks.remove(note)
        dispose(app)
    full = [
        (b[2] - a[2]) * 1000
        for a, b in zip(events, events[1:], strict=False)
        if a[0] == "start" and b[0] == "stop" and a[1] == 2
    ]
    return {
        "tracked_objects": tracked,
        "full_collection_ms": round(full_ms, 1),
        "family_reads": len(requests),
        "collections_per_read": round(sum(1 for e in events if e[0] == "start") / len(requests), 1),
        "full_collections": len(full),
        "full_collection_ms_during_reads": round(statistics.median(full), 1) if full else None,
    }


# ------------------------------------------------------------------------------------------------
# Report
# ------------------------------------------------------------------------------------------------


def summarise(outcomes: list[Outcome]) -> dict[str, Any]:
    by_kind: dict[str, list[Outcome]] = defaultdict(list)
    for o in outcomes:
        by_kind[o.kind].append(o)
    return {
        kind: {
            **latency_stats([o.ms for o in items]),
            "over_target": sum(1 for o in items if o.ms >= TARGET_P95_MS),
            "median_bytes": int(statistics.median(o.size for o in items)),
            "max_bytes": max(o.size for o in items),
        }
        for kind, items in by_kind.items()
    }


def markdown(result: dict[str, Any]) -> str:
    """The section for BENCHMARKS.md."""
    facts, phases, m = result["database"], result["phases"], result["machine"]
    rows, tg = facts["rows"], facts["targets"]
    http, proc, lazy = phases["http"], phases["in_process"], phases.get("in_process_lazy", {})
    q, load = result["queries_per_request"], result["load_average"]
    met = result["target"]["met"]
    lines = [
        "## Case family (issue 4, `bench/family.py`)",
        "",
        f"Requirement (issue 4): a case family with 4 channels and 500 events, **p95 under "
        f"{TARGET_P95_MS:.0f} ms through HTTP** on PostgreSQL with 200,000 families in the "
        "database.",
        "",
        f"**Result: {'met' if met else 'not met'}.** {result['target']['summary']}",
        "",
        "### Machine and database",
        "",
        "| | |",
        "|---|---|",
        f"| Machine | {m['cpus']} cores, {m['memory']}, {m['platform']}, shared with other work |",
        f"| PostgreSQL | {facts['postgresql']}, default settings: `shared_buffers` "
        f"{facts['shared_buffers']}, `work_mem` {facts['work_mem']}, `jit` {facts['jit']} |",
        f"| Database | {facts['database_size']} after the load |",
        f"| Application | gunicorn `-c {SHIPPED_CONFIG}` (`gc.freeze()` in each worker after "
        "start-up), 2 sync workers, `casemgr.app:create_app()`, one client (`http.client`, "
        "keep-alive), one request at a time |",
        "| Load average (1 min) | "
        + "; ".join(
            f"{load[name]['min']}–{load[name]['max']} (mean {load[name]['mean']}) {label}"
            for name, label in (
                ("http", "during the HTTP run as served"),
                ("http_without_gc_freeze", "during the HTTP baseline without `gc.freeze()`"),
                ("in_process", "during the in-process runs"),
            )
            if name in load
        )
        + " |",
        "",
        "### Dataset",
        "",
        f"{rows['violations']:,} violations (families), {rows['cases']:,} cases: "
        + ", ".join(f"{t} {n:,}" for t, n in facts["cases_by_track"].items())
        + ". Families by channels: "
        + ", ".join(f"{c} {n:,}" for c, n in facts["families_by_channels"].items())
        + ".",
        "",
        "| table | rows |",
        "|---|---:|",
        *(f"| {t} | {n:,} |" for t, n in rows.items() if n),
        "",
        f"{tg['n']} target families in county {TARGET_COUNTY}, each with an administrative "
        f"case (fined, archived), a criminal referral, an incidental civil suit and a "
        f"compensation claim, before {', '.join(tg['courts'])} and {PROCURATORATE}: "
        f"{tg['events_per_family']['median']} events per family (median; min "
        f"{tg['events_per_family']['min']}, max {tg['events_per_family']['max']}): "
        + ", ".join(f"{k} {v}" for k, v in tg["median"].items())
        + " (medians).",
        "",
    ]
    lines += [
        "### Results",
        "",
        "| request | n | median ms | p95 ms | p99 ms | response (median) | SQL statements |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for kind, label in KINDS.items():
        s = http[kind]
        lines.append(
            f"| HTTP: {label} | {s['n']} | {s['median_ms']} | **{s['p95_ms']}** | "
            f"{s['p99_ms']} | {s['median_bytes'] / 1024:.0f} KiB | {q['http'][kind]['mean']} |"
        )
    unfrozen = phases.get("http_without_gc_freeze", {})
    for kind, label in KINDS.items():
        if kind in unfrozen:
            s = unfrozen[kind]
            lines.append(
                f"| baseline, HTTP without `gc.freeze()` (no `-c`): {label} | {s['n']} | "
                f"{s['median_ms']} | {s['p95_ms']} | {s['p99_ms']} | | |"
            )
    for name, phase, stmts in (
        ("in process (service + schema, no HTTP)", proc, q.get("in_process", {})),
        ("in process, lazy loading (no `selectinload`)", lazy, q.get("in_process_lazy", {})),
    ):
        for kind in ("judge", "head"):
            if kind in phase:
                s = phase[kind]
                lines.append(
                    f"| {name}: {KINDS[kind]} | {s['n']} | {s['median_ms']} | {s['p95_ms']} | "
                    f"{s['p99_ms']} | | {stmts.get(kind, '')} |"
                )
    lines += ["", "Ratios (baseline ÷ HTTP as served):", ""]
    for kind in KINDS:
        h = http[kind]
        for name, phase in (
            ("HTTP without `gc.freeze()`", unfrozen),
            ("in process", proc),
            ("in process, lazy loading", lazy),
        ):
            if kind in phase:
                b = phase[kind]
                lines.append(
                    f"* {KINDS[kind]}, {name}: median {ratio(b['median_ms'], h['median_ms'])}, "
                    f"p95 {ratio(b['p95_ms'], h['p95_ms'])}"
                )
    g = facts.get("gc", {})
    if g:
        lines += [
            "",
            "Garbage collector (in the benchmark's own process, which holds the application "
            f"and does not freeze it): {g['tracked_objects']:,} "
            f"tracked objects, a full collection {g['full_collection_ms']} ms; over "
            f"{g['family_reads']} reads of 4-channel families, {g['collections_per_read']} "
            f"collections per read and {g['full_collections']} full ones (median "
            f"{g['full_collection_ms_during_reads']} ms each).",
        ]
    lines.append(
        f"Audit rows written by the judge's reads: {facts['audit_reads']} for "
        f"{result['judge_reads']} reads. Responses compared read by read with HTTP: "
        f"{result['fingerprint_mismatches_vs_http']} differ."
    )
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------------------------------------
# Main
# ------------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--families", type=int, default=200_000, help="violations to load")
    parser.add_argument("--targets", type=int, default=50, help="families with 4 channels")
    parser.add_argument("--requests", type=int, default=400, help="measured requests per kind")
    parser.add_argument("--warmup", type=int, default=40, help="unmeasured requests per kind")
    parser.add_argument("--keep", action="store_true", help="reuse a database loaded alike")
    parser.add_argument(
        "--keep-database", action="store_true", help="do not drop the database at the end"
    )
    parser.add_argument("--skip-lazy", action="store_true", help="skip the lazy-loading phase")
    parser.add_argument(
        "--skip-without-gc-freeze",
        action="store_true",
        help="skip the baseline phase against gunicorn without casemgr.gunicorn_conf "
        "(no gc.freeze() in the workers)",
    )
    add_server_argument(parser)
    args = parser.parse_args(argv)

    from casemgr.services.localtime import local_today

    server = args.server
    today = local_today()
    timings: dict[str, Any] = {}
    loads: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="casemgr-bench-") as tmp:
        instance = Path(tmp)
        app = make_app(server, DB_NAME, instance)
        key = f"bench/family.py families={args.families} targets={args.targets} seed={SEED}"
        key += f" today={today}"
        if args.keep and loaded_key(server, DB_NAME) == key:
            log(f"reusing {DB_NAME} ({key})")
            migrate_to_head(app)
        else:
            timings = load(server, app, args, today)
            mark_loaded(server, DB_NAME, key)
        targets = _targets(server)
        facts = _facts(server, targets)
        n_violations = facts["rows"]["violations"]
        create_callers(app)
        kinds = tuple(KINDS)
        requests = build_requests(targets, n_violations, args.requests, SEED, kinds)
        warmup = build_requests(targets, n_violations, args.warmup, SEED + 1, kinds)

        phases: dict[str, Any] = {}
        outcomes: dict[str, list[Outcome]] = {}
        # The application as served (gc.freeze() in the workers), then the baseline: gunicorn
        # without the config file, as the application was served before.
        http_phases: dict[str, str | None] = {"http": SHIPPED_CONFIG}
        if not args.skip_without_gc_freeze:
            http_phases["http_without_gc_freeze"] = None
        for name, config in http_phases.items():
            srv = Server(server, DB_NAME, instance, config=config)
            try:
                tokens = {u: srv.login(u) for u in (JUDGE, HEAD)}
                log(
                    f"{name} (gunicorn -c {config or '(none)'}): {len(warmup)} warm-up + "
                    f"{len(requests)} requests"
                )
                run_requests(srv.port, tokens, warmup)
                with LoadSampler() as sampler:
                    outcomes[name] = run_requests(srv.port, tokens, requests)
                loads[name] = sampler.summary()
                phases[name] = summarise(outcomes[name])
            finally:
                srv.stop()
        queries: dict[str, Any] = {"http": count_queries(app, tokens, warmup)}
        facts["gc"] = gc_facts(app, [r for r in requests if r.kind == "head"][:200])
        explain = explain_family(app, tokens[HEAD], targets[0])
        explain_judge = explain_family(app, tokens[JUDGE], targets[0])
        in_proc = [r for r in requests if r.kind != "ordinary"]
        in_warm = [r for r in warmup if r.kind != "ordinary"]
        log(f"in process: {len(in_proc)} families without HTTP")
        with LoadSampler() as sampler:
            outcomes["in_process"], queries["in_process"] = time_in_process(app, in_proc, in_warm)
            if not args.skip_lazy:
                log("in process, lazy loading")
                with lazy_loading():
                    outcomes["in_process_lazy"], queries["in_process_lazy"] = time_in_process(
                        app, in_proc, in_warm
                    )
        loads["in_process"] = sampler.summary()
        for name in ("in_process", "in_process_lazy"):
            if name in outcomes:
                phases[name] = summarise(outcomes[name])
        http_targets = [o for o in outcomes["http"] if o.kind != "ordinary"]
        mismatches = {
            name: sum(
                1
                for a, b in zip(http_targets, outcomes[name], strict=True)
                if a.fingerprint != b.fingerprint
            )
            for name in ("in_process", "in_process_lazy")
            if name in outcomes
        }
        facts["audit_reads"] = _audit_reads(server)
        if not args.keep_database:
            log(f"dropping {DB_NAME}")
            drop_database(server, DB_NAME)

    # Every read of the judge writes one audit row: HTTP phases, statement count, EXPLAIN, and
    # the in-process phases.
    sent = [*warmup, *requests]
    judge_reads = sum(1 for r in sent if r.kind == "judge") * (2 - args.skip_without_gc_freeze)
    judge_reads += sum(1 for r in warmup if r.kind == "judge") + 1
    judge_reads += sum(1 for r in sent if r.kind == "judge") * (2 - args.skip_lazy)
    worst = max(phases["http"]["judge"]["p95_ms"], phases["http"]["head"]["p95_ms"])
    met = worst < TARGET_P95_MS
    result = {
        "benchmark": "case family through gunicorn (2 workers) and the API",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "load_average": loads,
        "database": facts,
        "settings": {
            "families": args.families,
            "targets": args.targets,
            "requests_per_kind": args.requests,
            "warmup_per_kind": args.warmup,
            "seed": SEED,
            "today": today.isoformat(),
            "gunicorn_config": {name: config for name, config in http_phases.items()},
            "target_loops": TARGET_LOOPS,
        },
        "timings": timings,
        "queries_per_request": queries,
        "phases": phases,
        "fingerprint_mismatches_vs_http": mismatches,
        "judge_reads": judge_reads,
        "raw_ms": {
            phase: {
                kind: [round(o.ms, 2) for o in items if o.kind == kind]
                for kind in KINDS
                if any(o.kind == kind for o in items)
            }
            for phase, items in outcomes.items()
        },
        "explain_head": explain,
        "explain_judge": explain_judge,
        "target": {
            "p95_ms": TARGET_P95_MS,
            "met": met,
            "summary": (
                f"p95 {phases['http']['judge']['p95_ms']} ms for the judge (audited read) and "
                f"{phases['http']['head']['p95_ms']} ms for the bureau head, against "
                f"{TARGET_P95_MS:.0f} ms."
            ),
        },
    }
    write_results(result, RESULTS_JSON, None, markdown(result))


def _audit_reads(server: str) -> int:
    with psycopg.connect(url(server, DB_NAME)) as conn:
        row = conn.execute(
            "SELECT count(*) FROM audit_entries WHERE action = 'read' AND table_name = 'violations'"
        ).fetchone()
    return int(row[0])


if __name__ == "__main__":
    main()
