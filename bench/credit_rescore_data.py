"""Case records of realistic shape for ``bench/credit_rescore.py``: what credit_facts reads.

Pure (stdlib only) and deterministic for a seed. Given the enterprises (their county, by id), it
yields rows of ``violations``, ``violation_enterprises``, ``cases``, ``case_transitions``,
``coercive_measures``, ``deadlines``, ``payments`` and ``payment_arrangements`` as the services
would have written them, with the days spread over 2022-07 .. 2026-06 (the windows of the
schemes are 12 to 36 months):

* cases fall on a minority of enterprises, repeat offenders more often (a Pareto draw: about
  280,000 enterprises for 500,000 cases); each case has its violation (origins as in
  ``bench/cases.py``: inspection 40 %, random draw 22 %, 12369 complaint 18 % ...; 3 % of the
  violations discharged through hidden pipes, seepage wells and the like, 一票否决);
* administrative transitions: ``file`` for all, then ``notify``, ``decide`` (78 %, the fines in
  its data: 10,000-1,000,000 yuan, a few warnings only), ``serve`` and ``close``; 1.5 % of the
  decisions are later revoked (``revoke_decision``), 3 % of the cases ``transfer_criminal`` and
  get a criminal case of their own (``judge_first_instance`` with a verdict, 80 % conviction,
  8 % exemption, then ``become_final``);
* the ``admin.fine_payment`` deadline 15 days after service; fines paid in full (78 %), in part
  (8 %) or not at all (14 %: overdue unless still within the deadline); 2 % with an approved
  deferral or instalment plan;
* coercive measures on 8 % of the cases: seizure, production limit, suspension, or a daily
  penalty (a correction order re-checked: corrected on time, or not and the penalty imposed).
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Any

COLUMNS = {
    "violations": (
        "id, found_at, county_code, place, summary, description, origin, origin_reference, "
        "hazardous_waste_tonnes, loss_cents, illegal_gain_cents, evasive_methods, "
        "in_protected_zone, during_pollution_alert, water_intake_cut_hours, version, "
        "created_at, updated_at"
    ),
    "violation_enterprises": "violation_id, enterprise_id",
    "cases": (
        "id, violation_id, channel, procedure, number, status, county_code, "
        "party_enterprise_id, party_is_organisation, title, lead_received_on, filed_on, "
        "decided_on, served_on, closed_on, rights_waived_in_writing, defence_received, "
        "hearing_requested, hearing_held_or_waived, art58_conditions, legal_review_passed, "
        "collective_discussion_required, collective_discussion_done, proposed_penalty_types, "
        "penalty_types, final_fine_cents, track, details, version, created_at, updated_at"
    ),
    "case_transitions": (
        'id, case_id, from_status, to_status, event, "on", at, actor_name, note, data'
    ),
    "coercive_measures": (
        "id, case_id, kind, status, decided_on, extended, extension_reason, basis, note, items, "
        "recheck_on, recheck_found_violation, original_fine_cents, total_cents, created_at, "
        "updated_at"
    ),
    "deadlines": (
        "id, case_id, rule_code, title, basis, start_event, start_on, due_on, paused_days, "
        "provisional, state, county_code, channel"
    ),
    "payments": "id, case_id, kind, amount_cents, paid_on, reference, note, recorded_at",
    "payment_arrangements": (
        "id, case_id, kind, applied_on, approved_on, deferred_until, instalments, reason"
    ),
}

LOCAL = timezone(timedelta(hours=8))
FIRST_DAY = date(2022, 7, 1)
LAST_DAY = date(2026, 6, 30)
ORIGINS = (
    ("inspection", 40),
    ("random_draw", 22),
    ("complaint_12369", 18),
    ("monitoring_alert", 10),
    ("referral", 6),
    ("central_inspection", 3),
    ("other", 1),
)
SERIOUS = ("hidden_pipe", "seepage_well", "seepage_pit", "injection")
MEASURES = ("seizure", "production_limit", "suspension", "daily_penalty")


@dataclass
class CaseFacts:
    """What was generated: row counts, and enterprises worth sampling."""

    rows: dict[str, int] = field(default_factory=dict)
    enterprises_with_cases: int = 0
    # (enterprise id, case id) of administrative cases, to sample the incremental run on
    sample: list[tuple[int, int]] = field(default_factory=list)


def _at(rng: random.Random, day: date, lag: int = 0) -> datetime:
    """An office-hours moment ``lag`` days after ``day`` (local), as UTC."""
    t = time(rng.randint(8, 17), rng.randint(0, 59), rng.randint(0, 59))
    return datetime.combine(day + timedelta(days=lag), t, LOCAL).astimezone(UTC)


def _pick(rng: random.Random, table: Sequence[tuple[str, int]]) -> str:
    return rng.choices([k for k, _ in table], [w for _, w in table])[0]


def generate_cases(
    counties: Sequence[str], *, cases: int = 500_000, seed: int = 2026, facts: CaseFacts
) -> Iterator[tuple[str, tuple[Any, ...]]]:
    """Yield ``(table, row)`` for ``cases`` administrative cases (plus the criminal cases of
    their transfers) over enterprises ``1..len(counties)``, rows in :data:`COLUMNS` order."""
    rng = random.Random(f"bench.credit_rescore:{seed}")
    n = len(counties)
    span = (LAST_DAY - FIRST_DAY).days
    ids = {t: 0 for t in COLUMNS}

    def next_id(table: str) -> int:
        ids[table] += 1
        return ids[table]

    # Offenders: a Pareto number of cases each, until the total is reached.
    offenders: list[int] = []
    order = rng.sample(range(1, n + 1), min(n, cases))
    for eid in order:
        k = min(40, int(1.0 * (1.0 - rng.random()) ** (-1.0 / 1.6)))
        offenders.extend([eid] * max(1, k))
        if len(offenders) >= cases:
            break
    offenders = offenders[:cases]
    rng.shuffle(offenders)
    facts.enterprises_with_cases = len(set(offenders))

    def transition(
        cid: int, src: str, dst: str, event: str, on: date, lag: int, data: dict[str, Any]
    ) -> tuple[str, tuple[Any, ...]]:
        return "case_transitions", (
            next_id("case_transitions"), cid, src, dst, event, on, _at(rng, on, lag), "bench",
            "", data,
        )  # fmt: skip

    for eid in offenders:
        county = counties[eid - 1]
        lead = FIRST_DAY + timedelta(days=rng.randint(0, span - 5))
        found = _at(rng, lead)
        vid = next_id("violations")
        origin = _pick(rng, ORIGINS)
        methods = [rng.choice(SERIOUS)] if rng.random() < 0.03 else []
        yield "violations", (
            vid, found, county, "厂区排污口", "超标排放水污染物", "", origin, "", 0, 0, 0,
            methods, False, False, 0, 1, found, found,
        )  # fmt: skip
        yield "violation_enterprises", (vid, eid)
        cid = next_id("cases")
        filed = min(lead + timedelta(days=rng.randint(0, 15)), LAST_DAY)
        steps = [transition(cid, "lead", "filed", "file", filed, 0, {})]
        decided = served = closed = None
        fine = None
        status = "filed"
        if rng.random() < 0.78:
            notified = filed + timedelta(days=rng.randint(10, 40))
            decided = notified + timedelta(days=rng.randint(5, 30))
            if decided <= LAST_DAY:
                steps.append(transition(cid, "filed", "notified", "notify", notified, 0, {}))
                fine = rng.choice((1, 5, 10, 20, 50, 100)) * rng.randint(1, 10) * 1_000_000
                if rng.random() < 0.05:
                    fine = 0  # a warning only
                data = {"fines": [{"kind": "fine", "amount_cents": fine}] if fine else []}
                steps.append(transition(cid, "notified", "decided", "decide", decided, 1, data))
                status = "decided"
                served = decided + timedelta(days=rng.randint(1, 7))
                if served <= LAST_DAY:
                    steps.append(transition(cid, "decided", "served", "serve", served, 0, {}))
                    status = "served"
            else:
                decided = None
        if decided is not None and rng.random() < 0.015:
            revoked = decided + timedelta(days=rng.randint(10, 90))
            if revoked <= LAST_DAY:
                steps.append(transition(cid, status, "filed", "revoke_decision", revoked, 0, {}))
                status, fine = "filed", None
        criminal = rng.random() < 0.03
        if criminal:
            moved = filed + timedelta(days=rng.randint(5, 60))
            if moved <= LAST_DAY:
                steps.append(
                    transition(cid, status, "transferred", "transfer_criminal", moved, 0, {})
                )
                status = "transferred"
            else:
                criminal = False
        if status == "served" and rng.random() < 0.6 and served is not None:
            closed = served + timedelta(days=rng.randint(20, 120))
            if closed <= LAST_DAY:
                steps.append(transition(cid, "served", "closed", "close", closed, 0, {}))
                status = "closed"
            else:
                closed = None
        at = _at(rng, filed)
        yield "cases", (
            cid, vid, "administrative", "general", f"黔环罚〔{filed.year}〕{cid}号", status,
            county, eid, True, "超标排放水污染物案", lead, filed, decided, served, closed,
            False, False, False, False, [], True, False, False, ["fine"] if fine else [],
            ["fine"] if fine else [], fine, "administrative", {}, 1, at, at,
        )  # fmt: skip
        yield from steps
        if len(facts.sample) < 5000 and rng.random() < 0.05:
            facts.sample.append((eid, cid))

        if criminal:
            kid = next_id("cases")
            judged = filed + timedelta(days=rng.randint(120, 400))
            kat = _at(rng, filed, 30)
            kstatus = "investigating"
            ksteps = []
            if judged <= LAST_DAY:
                u = rng.random()
                verdict = "conviction" if u < 0.8 else "exempted" if u < 0.88 else "acquittal"
                ksteps.append(
                    transition(kid, "prosecuted", "judged", "judge_first_instance", judged, 0,
                               {"verdict": verdict})
                )  # fmt: skip
                final = judged + timedelta(days=rng.randint(11, 30))
                kstatus = "judged"
                if final <= LAST_DAY:
                    ksteps.append(transition(kid, "judged", "final", "become_final", final, 0, {}))
                    kstatus = "final"
            yield "cases", (
                kid, vid, "criminal", "general", None, kstatus, county, eid, True,
                "污染环境罪案", filed, filed, None, None, None, False, False, False, False, [],
                False, False, False, [], [], None, "criminal", {}, 1, kat, kat,
            )  # fmt: skip
            yield from ksteps

        if served is not None and fine:
            due = served + timedelta(days=15)
            yield "deadlines", (
                next_id("deadlines"), cid, "admin.fine_payment", "缴纳罚款", "行政处罚法第67条",
                "serve", served, due, 0, False, "open", county, "administrative",
            )  # fmt: skip
            if rng.random() < 0.02:
                ends = due + timedelta(days=rng.randint(30, 180))
                kind = rng.choice(("deferral", "instalments"))
                yield "payment_arrangements", (
                    next_id("payment_arrangements"), cid, kind, due - timedelta(days=5),
                    due - timedelta(days=2), ends if kind == "deferral" else None,
                    [{"due_on": ends.isoformat(), "amount_cents": fine}], "经济困难",
                )  # fmt: skip
            u = rng.random()
            if u < 0.86:
                paid = fine if u < 0.78 else fine // 2
                on = served + timedelta(days=rng.randint(1, 40))
                if on <= LAST_DAY:
                    yield "payments", (
                        next_id("payments"), cid, "fine", paid, on, f"P{cid}", "",
                        _at(rng, on, 1),
                    )  # fmt: skip

        if rng.random() < 0.08:
            kind = rng.choice(MEASURES)
            decided_on = filed + timedelta(days=rng.randint(0, 10))
            mat = _at(rng, decided_on)
            recheck = found_violation = total = original = None
            mstatus = "in_force"
            updated = mat
            if kind == "daily_penalty":
                recheck = decided_on + timedelta(days=rng.randint(10, 30))
                if recheck <= LAST_DAY:
                    found_violation = rng.random() < 0.35
                    updated = _at(rng, recheck)
                    if found_violation:
                        original = 10_000_000
                        total = original * rng.randint(5, 30)
                        mstatus = "imposed"
                    else:
                        mstatus = "not_imposed"
                else:
                    recheck, mstatus = None, "awaiting_recheck"
            yield "coercive_measures", (
                next_id("coercive_measures"), cid, kind, mstatus, decided_on, False, "",
                "环境保护法第25条", "", "", recheck, found_violation, original, total, mat,
                updated,
            )  # fmt: skip
    facts.rows = dict(ids)
    facts.rows["violation_enterprises"] = ids["violations"]
