"""Case detail and the deadline board over 200,000 cases on PostgreSQL, through the HTTP stack.

Issue 3 asks, with 200,000 cases and 2,000,000 events on PostgreSQL, for the case detail with
its deadlines under 50 ms at the 95th percentile through HTTP, and for the deadline board
(overdue deadlines of one prefecture) under 200 ms. This file measures both.

It builds its own database ``casemgr_bench_cases``, migrates it to head, loads the reference
data (divisions, inspection units, basins, holidays) through the services, and bulk-loads with
COPY a generated, internally consistent data set:

* ~50,000 enterprises (:func:`casemgr.demo.generator.generate_enterprises`) and their sources;
* ~300 officers with enforcement certificates, spread over the 88 counties in proportion to
  their enterprises, plus a bureau head and a legal reviewer per prefecture;
* ``--cases`` administrative cases, received evenly over five years up to today, each walking
  the lifecycle table :data:`casemgr.lifecycles.administrative.TRANSITIONS` (every step is looked
  up there, so a path the table does not allow fails the load). A case whose next step would lie
  after today stays where it is, so recent cases are open in every stage and older ones are
  closed or archived. About 5 % are not filed, 3 % simple-procedure penalties;
* for each step its ``case_transitions`` row; optional loops (further investigation, a failed
  legal review) keep the mean near ``--events-per-case``;
* the deadlines the services would have opened and met on those steps (filing decision,
  decision, statement and defence, hearing request, service, fine payment, reminder), due dates
  from the legal clock with its holiday calendar, clock stops and extensions, and their state as
  of today computed as :mod:`casemgr.services.deadlines` does (open, met, missed, paused);
* the clock stops of hearings, suspensions and criminal transfers, a few appraisal or
  monitoring stops, decision-limit extensions where a decision ran late, and investigation
  records (笔录) each made by two certified officers of the county;
* violations (one per case, a few with a second case) linked to the party enterprise.

COPY bypasses the ORM on purpose: 2,000,000 transitions through the unit of work (and the audit
listener, which would write an audit entry per row) would take hours, and this benchmark
measures reading cases, not recording them. The bulk rows carry no audit entries.

It then starts gunicorn (2 workers) on a free loopback port, logs in through
``POST /api/v1/tokens`` as a province-wide bureau head and as one county officer per prefecture
(users created through :mod:`casemgr.services.accounts`), and times, one request at a time:

a. ``GET /api/v1/cases/{id}`` for random case ids;
b. ``GET /api/v1/deadlines?county=<prefecture>&state=missed`` for the 9 prefectures in turn;
c. the same board called by a county officer (the jurisdiction restriction path).

The schema as shipped meets both targets, so no index is added (no migration 0009). The
baselines, run side by side in the same run on the same data, are therefore:

1. the same requests with the board's composite index ``ix_deadlines_state_due`` (state,
   due_on) dropped and the statistics refreshed, then recreated exactly (the case detail does
   not use that index: its ratio shows the run-to-run noise);
2. the case detail through the services and the schema inside this process, without HTTP,
   token or JSON encoding (what the HTTP stack adds).

It also reports the SQL statements per request (counted through the test client) and EXPLAIN
ANALYZE of the board's page and count statements, both phases. Results go to stdout,
``bench/results/cases.json`` and ``bench/results/cases.md``. Nothing here is a test: speed is
never asserted.

Usage::

    .venv/bin/python bench/cases.py [--cases 200000] [--events-per-case 10] [--requests 400]
                                    [--keep]
"""

from __future__ import annotations

import argparse
import bisect
import json
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import (  # noqa: E402
    BENCH_PASSWORD,
    DIVISIONS_CSV,
    ENTERPRISE_COLUMNS,
    SOURCE_COLUMNS,
    Server,
    add_server_argument,
    bearer,
    copy_tables,
    counting_statements,
    dispose,
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
    percentile,
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
    write_results,
)
from casemgr.demo.generator import generate_enterprises, load_divisions  # noqa: E402
from casemgr.legalbasis import basis_text  # noqa: E402
from casemgr.legalclock import (  # noqa: E402
    RULES,
    ClockStop,
    Due,
    HolidayCalendar,
    Unit,
    compute_due,
    deadline_state,
    default_calendar,
)
from casemgr.lifecycles.administrative import (  # noqa: E402
    TRANSITIONS,
    AdminEvent,
    AdminStatus,
    hearing_eligible,
)
from casemgr.policy import Permission  # noqa: E402
from casemgr.services.cases import (  # noqa: E402
    EVENT_PERMISSION,
    STOP_CLOSED_BY,
    STOP_OPENED_BY,
)
from casemgr.services.deadlines import PARTY_WINDOWS  # noqa: E402

DB_NAME = "casemgr_bench_cases"
RESULTS_JSON = ROOT / "bench" / "results" / "cases.json"
RESULTS_MD = ROOT / "bench" / "results" / "cases.md"
SEED = 2026
LOCAL = ZoneInfo("Asia/Shanghai")
YEARS_OF_CASES = 5
OFFICERS = 300
TARGET_DETAIL_P95_MS = 50.0
TARGET_BOARD_MS = 200.0

# The board's composite index (migration 0005), dropped for the baseline phase and recreated.
BASELINE_INDEX = "ix_deadlines_state_due"

_S = AdminStatus
_E = AdminEvent


# ------------------------------------------------------------------------------------------------
# Database: create, migrate, reference data
# ------------------------------------------------------------------------------------------------


def _dataset_key(args: argparse.Namespace) -> str:
    return f"bench/cases.py cases={args.cases} events_per_case={args.events_per_case} seed={SEED}"


def _load_reference(app: Any) -> dict[str, str]:
    """Divisions, inspection units, basins and holidays through the services; returns the
    case-number prefix of every county (as ``case_numbers.prefix_for`` finds it)."""
    from sqlalchemy import select

    from casemgr.extensions import db
    from casemgr.models import Division, DivisionLevel
    from casemgr.services import case_numbers

    load_reference(app)
    with app.app_context():
        counties = db.session.scalars(
            select(Division.code).where(Division.level == DivisionLevel.COUNTY)
        ).all()
        prefixes = {c: case_numbers.prefix_for(db.session, c) for c in counties}
        dispose(app)
    return prefixes


# ------------------------------------------------------------------------------------------------
# COPY columns
# ------------------------------------------------------------------------------------------------


COLUMNS = {
    "users": (
        "id, username, display_name, password_hash, active, certificate_number, "
        "certificate_valid_until, version, created_at, updated_at"
    ),
    "user_roles": "user_id, role",
    "user_jurisdictions": "user_id, code",
    "enterprises": ENTERPRISE_COLUMNS,
    "pollution_sources": SOURCE_COLUMNS,
    "violations": (
        "id, found_at, occurred_from, occurred_to, county_code, basin_code, latitude, "
        "longitude, place, source_id, summary, description, origin, origin_reference, "
        "hazardous_waste_tonnes, loss_cents, illegal_gain_cents, evasive_methods, "
        "in_protected_zone, during_pollution_alert, water_intake_cut_hours, created_by_id, "
        "version, created_at, updated_at"
    ),
    "violation_enterprises": "violation_id, enterprise_id",
    "cases": (
        "id, violation_id, channel, procedure, number, status, county_code, "
        "party_enterprise_id, party_is_organisation, lead_officer_id, title, lead_received_on, "
        "filed_on, notice_served_on, decided_on, served_on, closed_on, "
        "rights_waived_in_writing, defence_received, hearing_requested, "
        "hearing_held_or_waived, art58_conditions, legal_review_passed, "
        "collective_discussion_required, collective_discussion_done, proposed_penalty_types, "
        "proposed_fine_cents, penalty_types, final_fine_cents, correction_ordered_on, "
        "overdue_reason, version, created_at, updated_at"
    ),
    "case_transitions": (
        'id, case_id, from_status, to_status, event, "on", at, actor_id, actor_name, note, data'
    ),
    "deadlines": (
        "id, case_id, rule_code, title, basis, start_event, start_on, due_on, paused_days, "
        "provisional, state, done_on, breach_reason, county_code, officer_id, channel"
    ),
    "clock_stops": "id, case_id, reason, note, start_on, end_on",
    "extensions": (
        "id, case_id, rule_code, days, approved_on, approved_by_id, by_collective_discussion, "
        "reason"
    ),
    "investigation_records": "id, case_id, kind, held_at, place, summary",
    "record_officers": "record_id, user_id",
    "case_number_counters": "prefix, year, last_number",
}
SERIAL_TABLES = (
    "users",
    "enterprises",
    "pollution_sources",
    "violations",
    "cases",
    "case_transitions",
    "deadlines",
    "clock_stops",
    "extensions",
    "investigation_records",
)


# ------------------------------------------------------------------------------------------------
# The data set: enterprises, officers, and each case's story through the lifecycle table
# ------------------------------------------------------------------------------------------------

SUMMARIES = (
    ("超标排放水污染物", ()),
    ("超标排放大气污染物", ()),
    ("不正常运行水污染防治设施", ("abnormal_treatment",)),
    ("通过暗管排放水污染物", ("hidden_pipe",)),
    ("未依法取得排污许可证排放污染物", ()),
    ("建设项目未批先建", ()),
    ("配套环保设施未验先投", ()),
    ("危险废物未按规定贮存", ()),
    ("未落实扬尘污染防治措施", ()),
    ("自动监测设备未正常运行", ()),
    ("篡改自动监测数据", ("falsified_monitoring",)),
    ("未按规定设置排污口", ()),
)
ORIGINS = (
    ("inspection", 40),
    ("random_draw", 22),
    ("complaint_12369", 18),
    ("monitoring_alert", 10),
    ("referral", 6),
    ("central_inspection", 3),
    ("other", 1),
)
# Proposed penalty types (sorted, as the services store them) and their weights.
PENALTY_PLANS = (
    (("fine",), 66),
    (("confiscate_gains", "fine"), 9),
    (("fine", "warning"), 6),
    (("warning",), 5),
    (("fine", "order_suspension"), 5),
    (("fine", "restrict_production"), 4),
    (("fine", "suspension_for_rectification"), 3),
    (("revoke_permit",), 2),
)
FINE_BANDS_CNY = ((10_000, 50_000, 20), (50_000, 200_000, 48), (200_000, 1_000_000, 27))
STOP_REASONS = ("appraisal", "monitoring", "assessment", "identification", "public_notice")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐"
GIVEN = "建国秀英伟洋明静磊丽强芳涛军敏勇杰娟艳华平刚桂兰玉霞鹏辉"
RECORD_SUMMARIES = {
    "inspection": "现场检查，制作现场检查（勘察）笔录，拍摄照片",
    "interview": "对当事人委托代理人进行调查询问",
    "sampling": "对外排废水进行采样，送有资质的机构监测",
}


def _weighted(items: Sequence[tuple[Any, int]]) -> tuple[list[Any], list[int]]:
    values = [v for v, _ in items]
    cum: list[int] = []
    total = 0
    for _, w in items:
        total += w
        cum.append(total)
    return values, cum


def _pick(rng: random.Random, table: tuple[list[Any], list[int]]) -> Any:
    values, cum = table
    return values[bisect.bisect_right(cum, rng.random() * cum[-1])]


_ORIGIN_TABLE = _weighted(ORIGINS)
_PLAN_TABLE = _weighted(PENALTY_PLANS)
_FINE_TABLE = _weighted([((lo, hi), w) for lo, hi, w in FINE_BANDS_CNY])


def _at(rng: random.Random, day: date) -> datetime:
    """A moment of office hours on ``day`` (local), as UTC."""
    t = dtime(rng.randint(8, 17), rng.randint(0, 59), rng.randint(0, 59))
    return datetime.combine(day, t, LOCAL).astimezone(UTC)


@dataclass(frozen=True)
class Ent:
    id: int
    county: str
    name: str
    address: str
    source: tuple[int, str | None, float, float] | None  # id, basin, latitude, longitude


@dataclass(frozen=True)
class Staff:
    officers: dict[str, list[tuple[int, str]]]  # county -> [(user id, username)]
    heads: dict[str, tuple[int, str]]  # prefecture -> bureau head
    reviewers: dict[str, tuple[int, str]]  # prefecture -> legal reviewer
    rows: list[tuple[Any, ...]]
    roles: list[tuple[int, str]]
    jurisdictions: list[tuple[int, str]]


class Cut(Exception):
    """The story's next step lies after today: the case stays where it is."""


@dataclass
class Dl:
    start_on: date
    done_on: date | None = None
    breach_reason: str | None = None


@dataclass
class Budget:
    """Keeps the mean number of transitions near the target by taking optional loops."""

    per_case: float
    cases: int = 0
    events: int = 0

    def behind(self, pending: int) -> bool:
        return self.events + pending < self.per_case * (self.cases + 1) - 2


@dataclass
class Story:
    """One case walking the lifecycle table, with what the services record on each step."""

    rng: random.Random
    cal: HolidayCalendar
    today: date
    budget: Budget
    lead_on: date
    officer: tuple[int, str]
    partner: tuple[int, str]
    head: tuple[int, str]
    reviewer: tuple[int, str]
    is_org: bool
    status: AdminStatus = _S.LEAD
    on: date = date.min
    transitions: list[tuple[Any, ...]] = field(default_factory=list)
    deadlines: dict[str, Dl] = field(default_factory=dict)
    stops: list[list[Any]] = field(default_factory=list)  # [reason, start, end]
    extensions: list[tuple[int, date, int, bool, str]] = field(default_factory=list)
    records: list[tuple[str, datetime]] = field(default_factory=list)
    f: dict[str, Any] = field(default_factory=dict)
    loops: int = 0

    def __post_init__(self) -> None:
        self.on = self.lead_on
        self.deadlines["admin.filing_decision"] = Dl(self.lead_on)
        plan = _pick(self.rng, _PLAN_TABLE)
        self.f = {
            "procedure": "general",
            "filed_on": None,
            "notice_served_on": None,
            "decided_on": None,
            "served_on": None,
            "closed_on": None,
            "defence_received": False,
            "hearing_requested": False,
            "hearing_held_or_waived": False,
            "art58": self._art58(),
            "legal_review_passed": False,
            "collective_required": self.rng.random() < 0.12,
            "collective_done": False,
            "plan": list(plan),
            "plan_fine": self._fine() if "fine" in plan else None,
            "proposed_penalty_types": [],
            "proposed_fine_cents": None,
            "penalty_types": [],
            "final_fine_cents": None,
            "correction_ordered_on": None,
            "overdue_reason": None,
            "hearing_eligible": False,
        }

    # -- helpers ------------------------------------------------------------------------------

    def _art58(self) -> list[str]:
        u = self.rng.random()
        if u < 0.22:
            return ["complex"]
        if u < 0.27:
            return ["major_public_interest"]
        return []

    def _fine(self) -> int:
        lo, hi = _pick(self.rng, _FINE_TABLE)
        if self.rng.random() < 0.05:
            lo, hi = 1_000_000, 3_000_000
        return int(self.rng.uniform(lo, hi) / 1000) * 1000 * 100

    def want_loop(self, p: float) -> bool:
        if self.loops >= 3:
            return False
        if self.rng.random() < p or self.budget.behind(len(self.transitions) + 6):
            self.loops += 1
            return True
        return False

    def due(self, rule_code: str, today: date) -> Due:
        return compute_due(
            RULES[rule_code],
            self.deadlines[rule_code].start_on,
            calendar=self.cal,
            stops=[ClockStop(s, e, r) for r, s, e in self.stops],
            extensions=[(e[0], Unit.CALENDAR_DAY) for e in self.extensions]
            if rule_code == "admin.decision"
            else (),
            today=today,
        )

    def date_after(self, days: int) -> date:
        on = self.cal.next_working_day(self.on + timedelta(days=max(0, days)))
        if on > self.today:
            raise Cut
        return on

    def open(self, rule_code: str, on: date) -> None:
        self.deadlines[rule_code] = Dl(on)

    def meet(self, rule_code: str, on: date, breach_reason: str | None = None) -> None:
        d = self.deadlines.get(rule_code)
        if d is not None and d.done_on is None:
            d.done_on, d.breach_reason = on, breach_reason

    def record(self, kind: str, day: date) -> None:
        if day <= self.today:
            self.records.append((kind, _at(self.rng, day)))

    def add_stop(self, reason: str, start: date, days: int) -> None:
        """A clock stop recorded on its own (appraisal, monitoring...), not by a step."""
        if start > self.today:
            return
        end = start + timedelta(days=days - 1)
        self.stops.append([reason, start, None if end > self.today else end])

    # -- steps ---------------------------------------------------------------------------------

    def step(self, event: AdminEvent, days: int, data: dict[str, Any] | None = None) -> None:
        self.apply(event, self.date_after(days), data or {})

    def apply(self, event: AdminEvent, on: date, data: dict[str, Any]) -> None:
        target = TRANSITIONS[(self.status, event)]  # a path the table lacks fails the load
        f = self.f
        if event is _E.FILE:
            f["filed_on"] = on
            self.meet("admin.filing_decision", on)
            self.open("admin.decision", on)
        elif event is _E.DECLINE_TO_FILE:
            self.meet("admin.filing_decision", on)
        elif event is _E.NOTIFY:
            f["notice_served_on"] = on
            f["proposed_penalty_types"] = data["proposed_penalty_types"]
            f["proposed_fine_cents"] = data.get("proposed_fine_cents")
            f["hearing_eligible"] = hearing_eligible(
                f["proposed_penalty_types"], f["proposed_fine_cents"] or 0, self.is_org, on
            )
            self.open("admin.statement_defence", on)
            if f["hearing_eligible"]:
                self.open("admin.hearing_request", on)
        elif event is _E.RECEIVE_STATEMENT:
            f["defence_received"] = True
            self.meet("admin.statement_defence", on)
        elif event is _E.END_REPLY_PERIOD:
            self.meet("admin.statement_defence", on)
        elif event is _E.REQUEST_HEARING:
            f["hearing_requested"] = True
            self.meet("admin.hearing_request", on)
        elif event in (_E.CONCLUDE_HEARING, _E.WAIVE_HEARING):
            f["hearing_held_or_waived"] = True
        elif event is _E.PASS_LEGAL_REVIEW:
            f["legal_review_passed"] = True
        elif event is _E.FAIL_LEGAL_REVIEW:
            f["legal_review_passed"] = False
        elif event is _E.CONCLUDE_COLLECTIVE_DISCUSSION:
            f["collective_done"] = True
        elif event in (_E.DECIDE, _E.PENALISE_ON_THE_SPOT):
            f["decided_on"] = on
            f["penalty_types"] = data["penalty_types"]
            fines = data.get("fines") or []
            f["final_fine_cents"] = sum(x["amount_cents"] for x in fines) if fines else None
            f["correction_ordered_on"] = on
        elif event in (_E.DECIDE_NO_PENALTY_MINOR, _E.DECIDE_NO_PENALTY_UNFOUNDED):
            f["decided_on"] = on
        elif event is _E.SERVE:
            f["served_on"] = on
            self.meet("admin.decision_service", on)
            if f["final_fine_cents"]:
                self.open("admin.fine_payment", on)
        elif event is _E.SEND_REMINDER:
            self.open("enforcement.after_demand", on)
        elif event is _E.APPLY_COURT_ENFORCEMENT:
            self.meet("enforcement.after_demand", on)
        elif event is _E.RECORD_PERFORMANCE:
            self.meet("admin.fine_payment", on)
            f["closed_on"] = on
        elif event in (_E.CLOSE, _E.CRIMINAL_CASE_CONCLUDED):
            f["closed_on"] = on
        if event in (_E.DECIDE, _E.DECIDE_NO_PENALTY_MINOR, _E.DECIDE_NO_PENALTY_UNFOUNDED):
            f["overdue_reason"] = data.get("overdue_reason")
            self.meet("admin.decision", on, f["overdue_reason"])
            self.open("admin.decision_service", on)
        if event in STOP_OPENED_BY and not any(
            r == STOP_OPENED_BY[event] and e is None for r, _, e in self.stops
        ):
            self.stops.append([STOP_OPENED_BY[event], on, None])
        if event in STOP_CLOSED_BY:
            for stop in self.stops:
                if stop[0] == STOP_CLOSED_BY[event] and stop[2] is None:
                    stop[2] = max(on, stop[1])
        permission = EVENT_PERMISSION.get(event, Permission.WRITE_CASES)
        actor = (
            self.head
            if permission is Permission.APPROVE_CASES
            else self.reviewer
            if permission is Permission.LEGAL_REVIEW
            else self.officer
        )
        plain = {k: v.isoformat() if isinstance(v, date) else v for k, v in data.items()}
        self.transitions.append(
            (self.status.value, target.value, event.value, on, _at(self.rng, on), actor, plain)
        )
        self.status, self.on = target, on

    # -- the paths -----------------------------------------------------------------------------

    def run(self) -> None:
        try:
            u = self.rng.random()
            if u < 0.05:
                self.step(_E.DECLINE_TO_FILE, self.rng.randint(3, 14))
                self.archive()
            elif u < 0.08:
                self.on_the_spot()
            else:
                self.general()
        except Cut:
            pass
        for stop in self.stops:  # a stop whose closing step lies after today is still running
            if stop[2] is not None and stop[2] > self.today:
                stop[2] = None

    def archive(self) -> None:
        if self.rng.random() < 0.93:
            self.step(_E.ARCHIVE, self.rng.randint(10, 60))

    def on_the_spot(self) -> None:
        """Simple procedure (当场处罚, 行政处罚法 art. 51): a warning or a small fine."""
        r = self.rng
        self.f["procedure"] = "simple"
        self.record("inspection", self.on)
        fine = r.randrange(200, 3000, 100) * 100 if self.is_org else r.randrange(50, 200, 10) * 100
        types = ["warning"] if r.random() < 0.2 else ["fine"]
        data: dict[str, Any] = {"penalty_types": types, "correction_ordered_on": self.on}
        if types == ["fine"]:
            data["fines"] = [{"act": "1", "amount_cents": fine}]
        self.step(_E.PENALISE_ON_THE_SPOT, 0, data)
        self.step(_E.REPORT_ON_THE_SPOT, r.randint(1, 3))
        self.step(_E.RECORD_PERFORMANCE, r.randint(1, 15))
        self.archive()

    def general(self) -> None:
        r = self.rng
        late = r.random() < 0.05
        self.step(_E.FILE, r.randint(16, 35) if late else r.randint(1, 12))
        self.step(_E.START_INVESTIGATION, r.randint(0, 3))
        if not self.investigate(first=True):
            return
        while True:
            if self.want_loop(0.07):  # the head sends it back for further investigation
                self.step(_E.RETURN_FOR_INVESTIGATION, r.randint(2, 8))
                self.investigate(first=False)
                continue
            u = r.random()
            if u < 0.015:
                self.step(_E.WITHDRAW, r.randint(2, 20))
                self.step(_E.CLOSE, r.randint(2, 10))
                self.archive()
                return
            if u < 0.075:
                if self.f["art58"]:
                    self.legal_review()
                event = _E.DECIDE_NO_PENALTY_MINOR if u < 0.055 else _E.DECIDE_NO_PENALTY_UNFOUNDED
                self.decide(event, {})
                self.step(_E.CLOSE, r.randint(5, 20))
                self.archive()
                return
            if u < 0.09 and not self.criminal():
                return
            if 0.09 <= u < 0.10:
                self.step(_E.TRANSFER_DETENTION, r.randint(2, 10))
                self.step(_E.RECEIVE_DETENTION_DECISION, r.randint(3, 15))
            break
        self.penalty()

    def investigate(self, *, first: bool) -> bool:
        """Records by two officers, maybe a stop, a suspension or a criminal transfer; then
        the end of the investigation. False if the case left the administrative path."""
        r = self.rng
        length = r.randint(15, 60) if first else r.randint(8, 30)
        kinds = ["inspection"] if first else ["interview"]
        if first and r.random() < 0.55:
            kinds.append("interview")
        if first and r.random() < 0.2:
            kinds.append("sampling")
        for offset, kind in zip(sorted(r.sample(range(length), len(kinds))), kinds, strict=True):
            self.record(kind, self.on + timedelta(days=offset))
        if first and r.random() < 0.04:
            days = r.randint(7, 45)
            self.add_stop(r.choice(STOP_REASONS), self.on + timedelta(days=r.randint(3, 10)), days)
            length += days
        if first and r.random() < 0.012:
            return self.criminal()
        if r.random() < 0.02:
            self.step(_E.SUSPEND, length // 2)
            self.step(_E.RESUME, r.randint(20, 90))
            length = r.randint(5, 20)
        self.step(_E.CONCLUDE_INVESTIGATION, length)
        return True

    def criminal(self) -> bool:
        """Transfer to the judicial organs; True if the case came back for a penalty."""
        r = self.rng
        self.step(_E.TRANSFER_CRIMINAL, r.randint(3, 20))
        if r.random() < 0.55:
            self.step(_E.RETURNED_BY_JUDICIAL_ORGANS, r.randint(30, 150))
            return True
        self.step(_E.CRIMINAL_CASE_CONCLUDED, r.randint(90, 360))
        self.archive()
        return False

    def legal_review(self) -> None:
        r = self.rng
        self.step(_E.REQUEST_LEGAL_REVIEW, r.randint(1, 5))
        if self.want_loop(0.08):
            self.step(_E.FAIL_LEGAL_REVIEW, r.randint(3, 10))
            self.step(_E.REQUEST_LEGAL_REVIEW, r.randint(2, 8))
        self.step(_E.PASS_LEGAL_REVIEW, r.randint(3, 10))

    def penalty(self) -> None:
        r, f = self.rng, self.f
        if f["art58"] and r.random() < 0.4:
            self.legal_review()
        notice: dict[str, Any] = {"proposed_penalty_types": f["plan"]}
        if f["plan_fine"]:
            notice["proposed_fine_cents"] = f["plan_fine"]
        self.step(_E.NOTIFY, r.randint(3, 15), notice)
        u = r.random()
        if f["hearing_eligible"] and u < 0.35:
            self.step(_E.REQUEST_HEARING, r.randint(1, 4))
            if r.random() < 0.8:
                self.step(_E.CONCLUDE_HEARING, r.randint(10, 30))
            else:
                self.step(_E.WAIVE_HEARING, r.randint(3, 10))
        elif u < 0.45:
            self.step(_E.RECEIVE_STATEMENT, r.randint(1, 4))
            self.step(_E.COMPLETE_RECHECK, r.randint(2, 8))
        else:
            reply_ends = self.due("admin.statement_defence", self.on).due_date
            self.step(_E.END_REPLY_PERIOD, (reply_ends - self.on).days + r.randint(1, 4))
        if f["art58"] and not f["legal_review_passed"]:
            self.legal_review()
        if f["collective_required"]:
            self.step(_E.REFER_COLLECTIVE_DISCUSSION, r.randint(1, 7))
            self.step(_E.CONCLUDE_COLLECTIVE_DISCUSSION, r.randint(3, 14))
        decision: dict[str, Any] = {"penalty_types": f["plan"], "correction_ordered_on": None}
        if f["plan_fine"]:
            fine = f["plan_fine"]
            if f["defence_received"] or f["hearing_held_or_waived"]:
                fine = int(fine * r.choice((1, 1, 1, 0.9, 0.8, 0.7)))
            decision["fines"] = [{"act": "1", "amount_cents": fine}]
        self.decide(_E.DECIDE, decision)
        self.step(_E.SERVE, r.randint(10, 25) if r.random() < 0.05 else r.randint(1, 6))
        if not f["final_fine_cents"]:
            self.step(_E.RECORD_PERFORMANCE, r.randint(5, 30))
        elif r.random() < 0.78:
            late = r.random() < 0.08  # paid after the 15 days (行政处罚法 art. 67)
            self.step(_E.RECORD_PERFORMANCE, r.randint(16, 40) if late else r.randint(3, 14))
        else:
            self.step(_E.START_ENFORCEMENT, r.randint(16, 30))
            if r.random() < 0.55:
                self.step(_E.RECORD_PERFORMANCE, r.randint(5, 60))
            else:
                self.step(_E.SEND_REMINDER, r.randint(3, 15))
                demand = self.due("enforcement.after_demand", self.on).due_date
                opens = compute_due(
                    RULES["enforcement.window_opens"], f["served_on"], calendar=self.cal
                ).due_date
                ready = max(demand, opens) + timedelta(days=r.randint(1, 40))
                self.step(_E.APPLY_COURT_ENFORCEMENT, (ready - self.on).days)
                if r.random() < 0.6:
                    self.step(_E.RECORD_PERFORMANCE, r.randint(30, 180))
                else:
                    self.step(_E.CLOSE, r.randint(60, 240))
        self.archive()

    def decide(self, event: AdminEvent, data: dict[str, Any]) -> None:
        """A decision; one running late gets an extension (when approved in time) or the
        head's recorded reason (行政处罚法 art. 60; 生态环境行政处罚办法 2023 art. 57)."""
        r = self.rng
        on = self.date_after(r.randint(1, 10))
        due = self.due("admin.decision", on).due_date
        if on > due and r.random() < 0.5:
            approved = max(self.f["filed_on"], due - timedelta(days=r.randint(1, 10)))
            self.extensions.append((30, approved, self.head[0], False, "案情复杂，需补充调查取证"))
            due = self.due("admin.decision", on).due_date
        if on > due:
            data["overdue_reason"] = "鉴定、监测耗时较长，经负责人批准逾期作出决定"
        if "correction_ordered_on" in data:
            data["correction_ordered_on"] = on
        self.apply(event, on, data)


def load_staff(counties: Sequence[str], weight: Counter[str], parents: dict[str, str]) -> Staff:
    """~300 officers with certificates, in proportion to each county's enterprises (at least two
    per county: investigations need two), plus a bureau head and a legal reviewer per
    prefecture. One argon2 hash for all: nobody logs in as them."""
    from casemgr.services.accounts import hash_password

    password_hash = hash_password("bulk-user-no-login-" + str(SEED))
    total = sum(weight.values())
    spare = OFFICERS - 2 * len(counties)
    share = {c: 2 + spare * weight[c] / total for c in counties}
    per_county = {c: int(share[c]) for c in counties}
    for c in sorted(counties, key=lambda c: share[c] - per_county[c], reverse=True):
        if sum(per_county.values()) >= OFFICERS:
            break
        per_county[c] += 1
    rng = random.Random(SEED + 7)
    now = datetime(2021, 11, 1, tzinfo=UTC)
    rows: list[tuple[Any, ...]] = []
    roles: list[tuple[int, str]] = []
    jurisdictions: list[tuple[int, str]] = []
    officers: dict[str, list[tuple[int, str]]] = {}

    def add(username: str, role: str, code: str, certificate: str | None) -> tuple[int, str]:
        uid = len(rows) + 1
        name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
        valid = date(2029, 12, 31) if certificate else None
        rows.append((uid, username, name, password_hash, True, certificate, valid, 1, now, now))
        roles.append((uid, role))
        jurisdictions.append((uid, code))
        return uid, username

    for c in counties:
        officers[c] = [
            add(f"officer.{c}.{k:02d}", "officer", c, f"{c}{k:05d}")
            for k in range(1, per_county[c] + 1)
        ]
    prefectures = sorted(set(parents.values()))
    heads = {p: add(f"head.{p}", "bureau_head", p, None) for p in prefectures}
    reviewers = {p: add(f"reviewer.{p}", "legal_reviewer", p, None) for p in prefectures}
    return Staff(officers, heads, reviewers, rows, roles, jurisdictions)


@dataclass
class Dataset:
    tables: dict[str, list[tuple[Any, ...]]]
    counts: dict[str, int]
    statuses: Counter[str]
    deadline_states: Counter[str]


def build_dataset(
    n_cases: int,
    events_per_case: float,
    prefixes: dict[str, str],
    *,
    today: date,
    log: Callable[[str], None],
) -> Dataset:
    """Every row of the bulk load, deterministic for the seed, ids in the order the services
    would have written them (cases by receipt, transitions and deadlines by time)."""
    divisions = load_divisions(DIVISIONS_CSV)
    parents = {d.code: d.parent_code or "" for d in divisions if d.level == "county"}
    counties = sorted(parents)
    cal = default_calendar()
    rng = random.Random(SEED)
    created = datetime(2021, 11, 1, tzinfo=UTC)

    n_enterprises = max(1000, n_cases // 4)
    ents: list[Ent] = []
    ent_rows: list[tuple[Any, ...]] = []
    source_rows: list[tuple[Any, ...]] = []
    for eid, rec in enumerate(generate_enterprises(divisions, count=n_enterprises, seed=SEED), 1):
        ent_rows.append(enterprise_row(eid, rec, created))
        first = None
        for s in rec["sources"]:
            sid = len(source_rows) + 1
            source_rows.append(source_row(sid, eid, s, created))
            if first is None:
                first = (sid, s["basin_code"], s["latitude"], s["longitude"])
        ents.append(Ent(eid, rec["county_code"], rec["name"], rec["address"], first))
    weight = Counter(e.county for e in ents)
    staff = load_staff(counties, weight, parents)
    log(f"  {len(ents):,} enterprises, {len(staff.rows):,} users")

    first_day = today.replace(year=today.year - YEARS_OF_CASES)
    span = (today - first_day).days
    leads = sorted(
        cal.next_working_day(first_day + timedelta(days=int(rng.random() * span)))
        for _ in range(n_cases)
    )
    budget = Budget(events_per_case)
    cases: list[list[Any]] = []
    violations: list[tuple[Any, ...]] = []
    violation_links: list[tuple[int, int]] = []
    last_violation: dict[int, tuple[int, date]] = {}
    transitions: list[tuple[Any, ...]] = []
    deadlines: list[tuple[Any, ...]] = []
    stops: list[tuple[Any, ...]] = []
    extensions: list[tuple[Any, ...]] = []
    records: list[tuple[Any, ...]] = []
    statuses: Counter[str] = Counter()
    states: Counter[str] = Counter()
    started = time.perf_counter()
    # Cases are walked in random order (ids stay in order of receipt) so that the loop budget
    # also makes up for the recent cases that today cuts short.
    order = list(range(n_cases))
    rng.shuffle(order)
    for walked, index in enumerate(order, 1):
        case_id, lead_on = index + 1, leads[index]
        ent = ents[int(rng.random() * len(ents))]
        county = ent.county
        pref = parents[county]
        team = staff.officers[county]
        officer = team[int(rng.random() * len(team))]
        partner = next(o for o in rng.sample(team, len(team)) if o != officer)
        summary, evasive = SUMMARIES[int(rng.random() * len(SUMMARIES))]
        # A violation may carry a second case (e.g. reopened after a withdrawal or a transfer).
        prior = last_violation.get(ent.id)
        if prior and 0 <= (lead_on - prior[1]).days < 180 and rng.random() < 0.5:
            violation_id = prior[0]
        else:
            violation_id = len(violations) + 1
            found = _at(rng, lead_on - timedelta(days=rng.randint(0, 7)))
            origin = _pick(rng, _ORIGIN_TABLE)
            src = ent.source
            violations.append(
                (
                    violation_id,
                    found,
                    found - timedelta(days=rng.randint(1, 180)) if rng.random() < 0.6 else None,
                    None,
                    county,
                    src[1] if src else None,
                    src[2] if src else None,
                    src[3] if src else None,
                    ent.address,
                    src[0] if src else None,
                    summary,
                    "",
                    origin,
                    f"12369-{found:%Y%m%d}-{case_id:06d}" if origin == "complaint_12369" else "",
                    0,
                    0,
                    0,
                    list(evasive),
                    False,
                    False,
                    0,
                    officer[0],
                    1,
                    found,
                    found,
                )
            )
            violation_links.append((violation_id, ent.id))
            last_violation[ent.id] = (violation_id, lead_on)
        story = Story(
            rng=rng,
            cal=cal,
            today=today,
            budget=budget,
            lead_on=lead_on,
            officer=officer,
            partner=partner,
            head=staff.heads[pref],
            reviewer=staff.reviewers[pref],
            is_org=rng.random() < 0.95,
        )
        story.run()
        budget.cases += 1
        budget.events += len(story.transitions)
        statuses[story.status.value] += 1
        f = story.f
        for seq, (frm, to, event, on, at, actor, data) in enumerate(story.transitions):
            transitions.append((at, case_id, seq, frm, to, event, on, actor, data))
        for rule_code, d in story.deadlines.items():
            rule = RULES[rule_code]
            due = story.due(rule_code, today)
            if rule_code in PARTY_WINDOWS and d.done_on is not None:
                state = "met"
            else:
                state = deadline_state(due, done_on=d.done_on, today=today).value
            states[state] += 1
            deadlines.append(
                (
                    d.start_on,
                    case_id,
                    rule_code,
                    rule.title,
                    basis_text(rule.basis),
                    rule.start_event,
                    d.start_on,
                    due.due_date,
                    due.paused_days,
                    due.provisional,
                    state,
                    d.done_on,
                    d.breach_reason,
                    county,
                    officer[0],
                    "administrative",
                )
            )
        for reason, start, end in story.stops:
            stops.append((start, case_id, reason, "", start, end))
        for days, approved_on, by, collective, reason in story.extensions:
            extensions.append(
                (approved_on, case_id, "admin.decision", days, approved_on, by, collective, reason)
            )
        for kind, held_at in story.records:
            summary_text = RECORD_SUMMARIES[kind]
            records.append(
                (held_at, case_id, kind, held_at, ent.address, summary_text, officer, partner)
            )
        last_at = story.transitions[-1][4] if story.transitions else _at(rng, lead_on)
        updates = len(story.transitions) + len(story.records) + len(story.extensions)
        updates += sum(1 for s in story.stops if s[0] in STOP_REASONS)
        cases.append(
            [
                case_id,
                violation_id,
                "administrative",
                f["procedure"],
                None,  # number: assigned below in filing order
                story.status.value,
                county,
                ent.id,
                story.is_org,
                officer[0],
                f"{ent.name}{summary}案"[:300],
                lead_on,
                f["filed_on"],
                f["notice_served_on"],
                f["decided_on"],
                f["served_on"],
                f["closed_on"],
                False,
                f["defence_received"],
                f["hearing_requested"],
                f["hearing_held_or_waived"],
                f["art58"],
                f["legal_review_passed"],
                f["collective_required"],
                f["collective_done"],
                f["proposed_penalty_types"],
                f["proposed_fine_cents"],
                f["penalty_types"],
                f["final_fine_cents"],
                f["correction_ordered_on"],
                f["overdue_reason"],
                1 + updates,
                _at(rng, lead_on),
                last_at,
            ]
        )
        if walked % 50_000 == 0:
            log(f"  walked {walked:,} cases ({time.perf_counter() - started:.0f} s)")

    # Violations and cases numbered in time order, as the services would have inserted them.
    cases.sort(key=lambda c: c[0])
    violations.sort(key=lambda v: (v[1], v[0]))
    renumber = {v[0]: i for i, v in enumerate(violations, 1)}
    violations = [(i, *v[1:]) for i, v in enumerate(violations, 1)]
    violation_links = sorted((renumber[v], e) for v, e in violation_links)
    for c in cases:
        c[1] = renumber[c[1]]

    # Case numbers in filing order, gapless per issuing prefix and year (黔环罚〔2026〕12号).
    counters: Counter[tuple[str, int]] = Counter()
    for row in sorted((c for c in cases if c[12] is not None), key=lambda c: (c[12], c[0])):
        key = (prefixes[row[6]], row[12].year)
        counters[key] += 1
        row[4] = f"{key[0]}〔{key[1]}〕{counters[key]}号"

    # Ids in time order, as the services would have inserted them: a case's transitions,
    # deadlines and records are spread over the tables, not stored side by side.
    transition_rows = [
        (i, case_id, frm, to, event, on, at, actor[0], actor[1], "", data)
        for i, (at, case_id, _, frm, to, event, on, actor, data) in enumerate(
            sorted(transitions, key=lambda t: (t[0], t[1], t[2])), 1
        )
    ]
    deadline_rows = [
        (i, *row[1:]) for i, row in enumerate(sorted(deadlines, key=lambda r: r[:3]), 1)
    ]
    stop_rows = [(i, *row[1:]) for i, row in enumerate(sorted(stops, key=lambda r: r[:2]), 1)]
    extension_rows = [
        (i, *row[1:]) for i, row in enumerate(sorted(extensions, key=lambda r: r[:2]), 1)
    ]
    records.sort(key=lambda r: (r[0], r[1]))
    record_rows = [(i, *row[1:6]) for i, row in enumerate(records, 1)]
    record_officers = [(i, who[0]) for i, row in enumerate(records, 1) for who in sorted(row[6:8])]
    tables: dict[str, list[tuple[Any, ...]]] = {
        "users": staff.rows,
        "user_roles": staff.roles,
        "user_jurisdictions": staff.jurisdictions,
        "enterprises": ent_rows,
        "pollution_sources": source_rows,
        "violations": violations,
        "violation_enterprises": violation_links,
        "cases": [tuple(c) for c in cases],
        "case_transitions": transition_rows,
        "deadlines": deadline_rows,
        "clock_stops": stop_rows,
        "extensions": extension_rows,
        "investigation_records": record_rows,
        "record_officers": record_officers,
        "case_number_counters": [(p, y, n) for (p, y), n in sorted(counters.items())],
    }
    return Dataset(
        tables=tables,
        counts={t: len(rows) for t, rows in tables.items()},
        statuses=statuses,
        deadline_states=states,
    )


# ------------------------------------------------------------------------------------------------
# Users for the requests, created through the services
# ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Caller:
    username: str
    prefecture: str | None  # for county officers: the prefecture whose board they ask for
    county: str | None


def busiest_counties(server: str) -> dict[str, str]:
    """Per prefecture, the county with most missed deadlines (prefecture -> county)."""
    with psycopg.connect(url(server, DB_NAME)) as conn:
        rows = conn.execute(
            "SELECT DISTINCT ON (d.parent_code) d.parent_code, x.county_code "
            "FROM (SELECT county_code, count(*) AS n FROM deadlines WHERE state = 'missed' "
            "      GROUP BY county_code) x JOIN divisions d ON d.code = x.county_code "
            "ORDER BY d.parent_code, x.n DESC, x.county_code"
        ).fetchall()
    return dict(rows)


def create_callers(app: Any, counties: dict[str, str]) -> list[Caller]:
    """A province-wide bureau head and one officer per prefecture in its busiest county
    (created once, reused by later runs on the same database)."""
    from sqlalchemy import select

    from casemgr.extensions import db
    from casemgr.models import User
    from casemgr.policy import SYSTEM_ACTOR, Role
    from casemgr.services import accounts

    callers = [Caller("bench.head", None, None)]
    callers += [Caller(f"bench.officer.{c}", p, c) for p, c in sorted(counties.items())]
    with app.app_context():
        existing = set(db.session.scalars(select(User.username)))
        for i, c in enumerate(callers):
            if c.username in existing:
                continue
            accounts.create_user(
                db.session,
                SYSTEM_ACTOR,
                {
                    "username": c.username,
                    "password": BENCH_PASSWORD,
                    "display_name": "Benchmark",
                    "roles": [Role.OFFICER] if c.county else [Role.BUREAU_HEAD],
                    "jurisdictions": [c.county or "520000"],
                    "certificate_number": f"BENCH{i:04d}",
                },
            )
        dispose(app)
    return callers


@dataclass(frozen=True)
class Request:
    kind: str
    path: str
    caller: str


@dataclass(frozen=True)
class Outcome:
    kind: str
    path: str
    ms: float
    fingerprint: tuple[Any, ...]


def _fingerprint(kind: str, body: dict[str, Any]) -> tuple[Any, ...]:
    if kind == "detail":
        return (
            body["id"],
            body["status"],
            tuple(d["id"] for d in body["deadlines"]),
            len(body["transitions"]),
            tuple(body["allowed_events"]),
        )
    return (tuple(i["id"] for i in body["items"]), body["total"], body["total_exact"])


def run_requests(port: int, tokens: dict[str, str], requests: list[Request]) -> list[Outcome]:
    """One request at a time, each timed from sending to the last byte of the body."""
    timed, _ = timed_gets(port, [(r.path, bearer(tokens[r.caller])) for r in requests])
    return [
        Outcome(r.kind, r.path, t.ms, _fingerprint(r.kind, json.loads(t.body)))
        for r, t in zip(requests, timed, strict=True)
    ]


KINDS = {
    "detail": "a. case detail, `GET /api/v1/cases/{id}` (province-wide bureau head)",
    "board": "b. board, `?county=<prefecture>&state=missed` (province-wide bureau head)",
    "board_county_officer": "c. the same board, county officer (jurisdiction restriction)",
}


def build_requests(
    callers: list[Caller], prefectures: list[str], n_cases: int, n: int, seed: int
) -> list[Request]:
    """``n`` requests of each kind: random case ids; every prefecture in turn, shuffled."""
    rng = random.Random(seed)
    head = callers[0].username
    officers = [c for c in callers if c.county]
    out = [Request("detail", f"/api/v1/cases/{rng.randint(1, n_cases)}", head) for _ in range(n)]
    rounds = [rng.sample(prefectures, len(prefectures)) for _ in range(-(-n // len(prefectures)))]
    out += [
        Request("board", f"/api/v1/deadlines?county={p}&state=missed", head)
        for p in [p for r in rounds for p in r][:n]
    ]
    rounds = [rng.sample(officers, len(officers)) for _ in range(-(-n // len(officers)))]
    out += [
        Request(
            "board_county_officer",
            f"/api/v1/deadlines?county={c.prefecture}&state=missed",
            c.username,
        )
        for c in [c for r in rounds for c in r][:n]
    ]
    return out


# ------------------------------------------------------------------------------------------------
# Diagnostics: queries per request, plans of the board
# ------------------------------------------------------------------------------------------------


def count_queries(app: Any, tokens: dict[str, str], requests: list[Request]) -> dict[str, float]:
    """Mean SQL statements per request of each kind, through the app's test client."""
    from casemgr.extensions import db

    counts: dict[str, list[int]] = {}
    with app.app_context(), counting_statements(db.engine) as seen:
        client = app.test_client()
        for req in requests:
            seen[0] = 0
            resp = client.get(req.path, headers={"Authorization": f"Bearer {tokens[req.caller]}"})
            if resp.status_code != 200:
                raise SystemExit(f"{resp.status_code} {req.path}")
            counts.setdefault(req.kind, []).append(seen[0])
        dispose(app)
    return {k: round(statistics.mean(v), 1) for k, v in counts.items()}


def explain_board(app: Any, prefecture: str, scope: str | None) -> dict[str, Any]:
    """EXPLAIN ANALYZE of the board's page and count statements, as the services build them."""
    from sqlalchemy import func, select, text
    from sqlalchemy.dialects import postgresql

    from casemgr.extensions import db
    from casemgr.models.cases import Deadline, DeadlineStateValue
    from casemgr.repositories.common import COUNT_CAP, apply_sort
    from casemgr.services.deadlines import BOARD_SORTS, BoardFilter, board_query
    from casemgr.services.enterprises import territory_counties

    out: dict[str, Any] = {}
    with app.app_context():
        session = db.session()
        counties = territory_counties(session, prefecture, field="county")
        f = BoardFilter(counties=counties, states=(DeadlineStateValue.MISSED,))
        stmt = board_query(f, scope=None if scope is None else frozenset({scope}))
        page = apply_sort(stmt, None, BOARD_SORTS, "due_on", Deadline.id).limit(20)
        count = select(func.count()).select_from(
            stmt.order_by(None).limit(COUNT_CAP + 1).subquery()
        )
        for name, query in (("page", page), ("count", count)):
            sql = str(
                query.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True})
            )
            plan = session.execute(text("EXPLAIN (ANALYZE, BUFFERS) " + sql)).scalars().all()
            out[name] = {"sql": sql, "plan": plan}
        session.rollback()
        dispose(app)
    return out


def _plan_ms(plan: list[str]) -> float:
    line = next(p for p in plan if p.startswith("Execution Time"))
    return float(line.split(":")[1].split()[0])


# ------------------------------------------------------------------------------------------------
# Baselines: the board without its composite index; the case detail without HTTP
# ------------------------------------------------------------------------------------------------


def drop_index(server: str, name: str) -> list[str]:
    """Drop index ``name`` and refresh the statistics; return the statements recreating it."""
    return drop_indexes(server, DB_NAME, [name], ["deadlines"])


def restore_index(server: str, statements: list[str]) -> None:
    restore_indexes(server, DB_NAME, statements, ["deadlines"])


def time_detail_in_process(
    app: Any, username: str, requests: list[Request], warmup: list[Request]
) -> list[Outcome]:
    """The case detail through the services and the schema, without HTTP: ``get_case``,
    ``allowed_events`` and ``CaseSchema`` in a fresh session per case, the caller resolved once
    (no token lookup, no routing, no JSON encoding). The warm-up runs on the same pool."""
    from sqlalchemy import select

    from casemgr.api.cases import CaseView
    from casemgr.extensions import db
    from casemgr.models import User
    from casemgr.schemas.cases import CaseSchema
    from casemgr.services import cases as svc
    from casemgr.services.access import actor_for

    schema = CaseSchema()
    out = []
    with app.app_context():
        user = db.session.scalars(select(User).where(User.username == username)).one()
        actor = actor_for(db.session(), user)
        db.session.remove()
        for i, req in enumerate([*warmup, *requests]):
            case_id = int(req.path.rsplit("/", 1)[1])
            started = time.perf_counter()
            session = db.session()
            case = svc.get_case(session, actor, case_id)
            body = schema.dump(CaseView(case, svc.allowed_events(session, actor, case)))
            db.session.remove()
            ms = (time.perf_counter() - started) * 1000
            if i >= len(warmup):
                body = json.loads(json.dumps(body, default=str))
                out.append(Outcome("detail", req.path, ms, _fingerprint("detail", body)))
        dispose(app)
    return out


# ------------------------------------------------------------------------------------------------
# Statistics and report
# ------------------------------------------------------------------------------------------------


def summarise(outcomes: list[Outcome]) -> dict[str, Any]:
    by_kind: dict[str, list[float]] = {}
    for o in outcomes:
        by_kind.setdefault(o.kind, []).append(o.ms)
    out: dict[str, Any] = {}
    for kind, values in by_kind.items():
        out[kind] = latency_stats(values)
    per_prefecture: dict[str, list[float]] = {}
    for o in outcomes:
        if o.kind == "board":
            per_prefecture.setdefault(o.path.split("county=")[1][:6], []).append(o.ms)
    out["board_by_prefecture"] = {
        p: {"median_ms": round(statistics.median(v), 2), "p95_ms": round(percentile(v, 95), 2)}
        for p, v in sorted(per_prefecture.items())
    }
    return out


def _server_facts(server: str) -> dict[str, Any]:
    with psycopg.connect(url(server, DB_NAME)) as conn:
        facts = server_settings(conn)
        facts["rows"] = row_counts(conn, COLUMNS)
        facts["case_statuses"] = dict(
            conn.execute(
                "SELECT status, count(*) FROM cases GROUP BY status ORDER BY count(*) DESC"
            ).fetchall()
        )
        facts["deadline_states"] = dict(
            conn.execute(
                "SELECT state, count(*) FROM deadlines GROUP BY state ORDER BY count(*) DESC"
            ).fetchall()
        )
        facts["missed_by_rule"] = dict(
            conn.execute(
                "SELECT rule_code, count(*) FROM deadlines WHERE state = 'missed' "
                "GROUP BY rule_code ORDER BY count(*) DESC"
            ).fetchall()
        )
        facts["missed_by_prefecture"] = dict(
            conn.execute(
                "SELECT d.parent_code, count(*) FROM deadlines x "
                "JOIN divisions d ON d.code = x.county_code WHERE x.state = 'missed' "
                "GROUP BY d.parent_code ORDER BY d.parent_code"
            ).fetchall()
        )
        facts["index_sizes"] = dict(
            conn.execute(
                "SELECT c.relname, pg_size_pretty(pg_relation_size(c.oid)) FROM pg_class c "
                "JOIN pg_index i ON i.indexrelid = c.oid "
                "WHERE i.indrelid = 'deadlines'::regclass ORDER BY c.relname"
            ).fetchall()
        )
    return facts


def markdown(result: dict[str, Any]) -> str:
    """The section for BENCHMARKS.md."""
    facts, phases, rows = result["database"], result["phases"], result["database"]["rows"]
    head, base = phases["head"], phases.get("baseline")
    m = result["machine"]
    statuses = facts["case_statuses"]
    closed = statuses.get("archived", 0) + statuses.get("closed", 0)
    others = ", ".join(f"{s} {n:,}" for s, n in statuses.items() if s not in ("archived", "closed"))
    states = ", ".join(f"{s} {n:,}" for s, n in facts["deadline_states"].items())
    missed = ", ".join(f"{r} {n:,}" for r, n in facts["missed_by_rule"].items())
    lines = [
        "## Case detail and deadline board (issue 3)",
        "",
        f"`bench/cases.py`, {result['date'][:10]}: {m['cpus']} cores, {m['memory']}, "
        f"PostgreSQL {facts['postgresql']} (shared_buffers {facts['shared_buffers']}, "
        f"work_mem {facts['work_mem']}: default settings), gunicorn with 2 sync workers on "
        f"loopback, one client sending one request at a time; load average {m['load_average']} "
        "at the end (the machine is shared: the run-to-run spread follows its load).",
        "",
        f"**Data** ({facts['database_size']}), bulk-loaded with COPY (the ORM and its audit "
        "listener bypassed on purpose: the rows are those the services would have written, "
        "without audit entries):",
        "",
        f"* {rows['cases']:,} administrative cases over the 88 counties, received evenly over "
        f"{YEARS_OF_CASES} years up to today: {closed:,} closed or archived; the rest: {others};",
        f"* {rows['case_transitions']:,} transitions "
        f"({rows['case_transitions'] / rows['cases']:.1f} per case), each step looked up in "
        "the lifecycle table `TRANSITIONS`;",
        f"* {rows['deadlines']:,} deadlines from the legal clock ({states}; missed by rule: "
        f"{missed}); {rows['clock_stops']:,} clock stops, {rows['extensions']:,} extensions, "
        f"{rows['investigation_records']:,} investigation records with 2 certified officers "
        "each;",
        f"* {rows['violations']:,} violations, {rows['enterprises']:,} enterprises, "
        f"{rows['users']:,} users (with the benchmark's callers).",
        "",
        "**Method**: (a) `GET /api/v1/cases/{id}` for random ids by a province-wide bureau head "
        "(the case with its allowed events, deadlines, transitions, clock stops, extensions and "
        "records); (b) `GET /api/v1/deadlines?county=<prefecture>&state=missed` for the 9 "
        "prefectures in turn (first page of 20, total counted up to 10,000); (c) the same "
        "board asked by an officer of the county with most missed deadlines in that prefecture "
        "(the jurisdiction restriction). Tokens from `POST /api/v1/tokens`. Each time runs "
        "from sending the request to the last byte of the body, after a warm-up.",
        "",
        f"**Baselines**, run side by side in the same run on the same data: {BASELINE_NOTE}",
        "",
        "| request | n | median ms | p95 ms | p99 ms | baseline | baseline median | "
        "baseline p95 | median ratio (baseline ÷ measured) | p95 ratio |",
        "|---|---:|---:|---:|---:|---|---:|---:|---:|---:|",
    ]
    for kind, label in KINDS.items():
        s = head[kind]
        line = f"| {label} | {s['n']} | {s['median_ms']} | {s['p95_ms']} | {s['p99_ms']} |"
        refs = []
        if base:
            refs.append((f"without `{BASELINE_INDEX}`", base[kind]))
        if kind == "detail" and "detail_in_process" in phases:
            refs.append(("in process, no HTTP", phases["detail_in_process"]["detail"]))
        if not refs:
            lines.append(line + " | | | | |")
        for i, (name, b) in enumerate(refs):
            prefix = line if i == 0 else "| | | | | |"
            lines.append(
                f"{prefix} {name} | {b['median_ms']} | {b['p95_ms']} | "
                f"{ratio(b['median_ms'], s['median_ms'])} | {ratio(b['p95_ms'], s['p95_ms'])} |"
            )
    t = result["targets"]
    lines += [
        "",
        f"**Targets**: case detail p95 under {TARGET_DETAIL_P95_MS:.0f} ms: "
        f"{'met' if t['detail_p95_met'] else 'NOT met'} ({head['detail']['p95_ms']} ms); "
        f"board under {TARGET_BOARD_MS:.0f} ms (taken as its p95, for the province-wide caller "
        f"and the county officer): {'met' if t['board_p95_met'] else 'NOT met'} "
        f"({head['board']['p95_ms']} and {head['board_county_officer']['p95_ms']} ms).",
        "",
        f"SQL statements per request: {result['queries_per_request']}. Missed deadlines per "
        f"prefecture: {facts['missed_by_prefecture']}.",
    ]
    if result.get("result_mismatches") is not None:
        lines.append(
            "Responses compared request by request (ids, totals, allowed events): "
            f"{result['result_mismatches']} differ between the phases, "
            f"{result['in_process_detail_mismatches']} between HTTP and in process."
        )
    return "\n".join(lines) + "\n"


BASELINE_NOTE = (
    f"(1) the same requests with the board's composite index `{BASELINE_INDEX}` (state, due_on) "
    "dropped and the statistics refreshed, then recreated (the case detail does not use it: "
    "its ratio shows the noise); (2) the case detail through the services and the schema in "
    "the benchmark's process, without HTTP, token or JSON encoding."
)


# ------------------------------------------------------------------------------------------------
# Main
# ------------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=200_000, help="cases to load")
    parser.add_argument(
        "--events-per-case", type=float, default=10, help="mean transitions per case"
    )
    parser.add_argument("--requests", type=int, default=400, help="measured requests per kind")
    parser.add_argument("--warmup", type=int, default=60, help="unmeasured requests per kind")
    parser.add_argument("--keep", action="store_true", help="reuse a database loaded alike")
    parser.add_argument(
        "--no-baseline", action="store_true", help=f"skip the phase without {BASELINE_INDEX}"
    )
    add_server_argument(parser)
    args = parser.parse_args(argv)

    from casemgr.services.cases import local_today

    server = args.server
    today = local_today()
    timings: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="casemgr-bench-") as tmp:
        instance = Path(tmp)
        app = make_app(server, DB_NAME, instance)
        key = _dataset_key(args) + f" today={today}"
        if args.keep and loaded_key(server, DB_NAME) == key:
            log(f"reusing {DB_NAME} ({key})")
            migrate_to_head(app)
        else:
            log(f"creating {DB_NAME}, migrating to head, loading the reference data")
            recreate_database(server, DB_NAME)
            migrate_to_head(app)
            prefixes = _load_reference(app)
            log(f"generating {args.cases:,} cases")
            started = time.perf_counter()
            data = build_dataset(args.cases, args.events_per_case, prefixes, today=today, log=log)
            timings["generate_s"] = round(time.perf_counter() - started, 1)
            log(f"  {data.counts} in {timings['generate_s']} s; loading with COPY")
            started = time.perf_counter()
            copy_tables(server, DB_NAME, COLUMNS, data.tables)
            reset_sequences(server, DB_NAME, SERIAL_TABLES)
            timings["copy_s"] = round(time.perf_counter() - started, 1)
            del data
            started = time.perf_counter()
            vacuum_analyze(server, DB_NAME, COLUMNS)
            timings["vacuum_analyze_s"] = round(time.perf_counter() - started, 1)
            mark_loaded(server, DB_NAME, key)
            log(f"  COPY {timings['copy_s']} s, VACUUM ANALYZE {timings['vacuum_analyze_s']} s")
        facts = _server_facts(server)
        n_cases = facts["rows"]["cases"]
        callers = create_callers(app, busiest_counties(server))
        prefectures = sorted(facts["missed_by_prefecture"])
        requests = build_requests(callers, prefectures, n_cases, args.requests, SEED)
        warmup = build_requests(callers, prefectures, n_cases, args.warmup, SEED + 1)
        officer = next(c for c in callers if c.county)

        def explain() -> dict[str, Any]:
            return {
                "board": explain_board(app, "520100", None),
                "board_county_officer": explain_board(
                    app, officer.prefecture or "", officer.county
                ),
            }

        phases: dict[str, Any] = {}
        outcomes: dict[str, list[Outcome]] = {}
        srv = Server(server, DB_NAME, instance)
        try:
            tokens = {c.username: srv.login(c.username) for c in callers}
            log(f"head: {len(warmup)} warm-up + {len(requests)} requests")
            run_requests(srv.port, tokens, warmup)
            outcomes["head"] = run_requests(srv.port, tokens, requests)
            phases["head"] = summarise(outcomes["head"])
        finally:
            srv.stop()
        queries = count_queries(app, tokens, warmup[:: max(1, args.warmup // 10)])
        explains = {"head": explain()}
        details = [r for r in requests if r.kind == "detail"]
        log(f"in process: {len(details)} case details without HTTP")
        outcomes["detail_in_process"] = time_detail_in_process(
            app, callers[0].username, details, [r for r in warmup if r.kind == "detail"]
        )
        phases["detail_in_process"] = summarise(outcomes["detail_in_process"])
        mismatches = None
        if not args.no_baseline:
            log(f"baseline: dropping {BASELINE_INDEX}")
            restore = drop_index(server, BASELINE_INDEX)
            try:
                srv = Server(server, DB_NAME, instance)
                try:
                    log(f"baseline: {len(warmup)} warm-up + {len(requests)} requests")
                    run_requests(srv.port, tokens, warmup)
                    outcomes["baseline"] = run_requests(srv.port, tokens, requests)
                    phases["baseline"] = summarise(outcomes["baseline"])
                finally:
                    srv.stop()
                explains["baseline"] = explain()
            finally:
                log(f"restoring {BASELINE_INDEX}")
                restore_index(server, restore)
            mismatches = sum(
                1
                for a, b in zip(outcomes["head"], outcomes["baseline"], strict=True)
                if a.fingerprint != b.fingerprint
            )
        mismatches_in_process = sum(
            1
            for a, b in zip(
                [o for o in outcomes["head"] if o.kind == "detail"],
                outcomes["detail_in_process"],
                strict=True,
            )
            if a.fingerprint != b.fingerprint
        )

    head = phases["head"]
    result = {
        "benchmark": "case detail and deadline board through gunicorn (2 workers) and the API",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "database": facts,
        "settings": {
            "cases": args.cases,
            "events_per_case": args.events_per_case,
            "requests_per_kind": args.requests,
            "warmup_per_kind": args.warmup,
            "seed": SEED,
            "today": today.isoformat(),
            "callers": [c.__dict__ for c in callers],
        },
        "timings": timings,
        "queries_per_request": queries,
        "phases": phases,
        "baseline": BASELINE_NOTE,
        "result_mismatches": mismatches,
        "in_process_detail_mismatches": mismatches_in_process,
        "explain": {
            phase: {
                kind: {name: {**q, "execution_ms": _plan_ms(q["plan"])} for name, q in e.items()}
                for kind, e in kinds.items()
            }
            for phase, kinds in explains.items()
        },
        "targets": {
            "detail_p95_ms": TARGET_DETAIL_P95_MS,
            "board_ms": TARGET_BOARD_MS,
            "detail_p95_met": head["detail"]["p95_ms"] < TARGET_DETAIL_P95_MS,
            "board_p95_met": max(head["board"]["p95_ms"], head["board_county_officer"]["p95_ms"])
            < TARGET_BOARD_MS,
        },
    }
    write_results(result, RESULTS_JSON, RESULTS_MD, markdown(result))


if __name__ == "__main__":
    main()
