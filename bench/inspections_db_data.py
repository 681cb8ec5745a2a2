"""The data of ``bench/inspections_db.py``: a province of enterprises, officers, a previous draw
and open deadlines, as rows to COPY.

Deterministic for a seed; stdlib and the demo generator only. Given the divisions, it yields
``(table, row)`` with rows in :data:`COLUMNS` order, ids assigned here (the tables load side by
side with their foreign-key triggers off, so every reference is made consistent by
construction):

* ``enterprises`` operating enterprises from :func:`casemgr.demo.generator.generate_enterprises`
  (its county weights: about 22 % in 贵阳, 20 % in 遵义), plus the suspended, revoked and
  deregistered ones it generates on the way (about 8 % more, outside the pool); each has 1-3
  pollution sources, and about 15 % are key units (重点排污单位): one of their sources has a
  key-class permit (70 %) or is on the key pollutant units list (30 %), no other source does;
* credit scores under the scheme key given (``guizhou-2019@1``) for about 60 % of them, as of the
  day before the benchmark's today, tiers green / blue / yellow / red 20 / 60 / 15 / 5 %; a
  third of those have an older row (as of six months earlier) with another tier;
* ``officers`` officers (role ``officer``, one county jurisdiction each, at least 5 a county,
  fewer in a small run, the rest in proportion to the county's enterprises), certificates
  valid until 2030-12-31 except 3 % that expired on the last day of the quarter before;
  bureau heads: one for the province, one for each prefecture, one for every other county
  (escalations reach the county's head where there is one, else the prefecture's);
* declared conflicts (回避) on 1 % of the operating enterprises, each with an officer of
  another county of the same prefecture (70 %) or of anywhere else, 10 % of them withdrawn;
* a previous province-wide draw, dispatched, of the quarter before, with targets on 30 % of the
  operating enterprises, each with two officers of other counties (the last inspectors of the
  next draw); not its frozen inputs, which nothing measured reads;
* ``cases`` administrative cases on random operating enterprises (a violation each) with
  ``deadlines`` open deadlines between them (1 to 3 a case, distinct rules), due from 60 days
  before to 120 days after today, 5 % with no officer.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from bench.common import ENTERPRISE_COLUMNS, SOURCE_COLUMNS, enterprise_row, source_row
from casemgr.demo.generator import Division, generate_enterprises

COLUMNS = {
    "enterprises": ENTERPRISE_COLUMNS,
    "pollution_sources": SOURCE_COLUMNS,
    "credit_scores": (
        "id, enterprise_id, scheme, as_of, computed_at, reason, status, points, score_tier, "
        "own_tier, tier, sublevel, graph_risk, contributions, digest"
    ),
    "users": (
        "id, username, display_name, password_hash, active, certificate_number, "
        "certificate_valid_until, version, created_at, updated_at"
    ),
    "user_roles": "user_id, role",
    "user_jurisdictions": "user_id, code",
    "inspector_conflicts": "id, user_id, enterprise_id, reason, declared_on, withdrawn_on",
    "inspection_draws": (
        "id, title, scope_code, level, period, period_label, draw_on, seed, seed_published_at, "
        "status, config, config_digest, pool_digest, roster_digest, exclusions_digest, "
        "result_digest, pool_size, roster_size, credit_scheme, created_by_id, drawn_at, "
        "dispatched_at, version, created_at, updated_at"
    ),
    "draw_targets": (
        "id, draw_id, rank, enterprise_id, inspection_class, county_code, score, inspectors, "
        "outcome, inspected_on, finding"
    ),
    "draw_assignments": "target_id, user_id, draw_id, enterprise_id",
    "violations": (
        "id, found_at, county_code, place, summary, description, origin, origin_reference, "
        "hazardous_waste_tonnes, loss_cents, illegal_gain_cents, evasive_methods, "
        "in_protected_zone, during_pollution_alert, water_intake_cut_hours, version, "
        "created_at, updated_at"
    ),
    "violation_enterprises": "violation_id, enterprise_id",
    "cases": (
        "id, violation_id, channel, procedure, number, status, county_code, "
        "party_enterprise_id, party_is_organisation, lead_officer_id, title, lead_received_on, "
        "filed_on, rights_waived_in_writing, defence_received, hearing_requested, "
        "hearing_held_or_waived, art58_conditions, legal_review_passed, "
        "collective_discussion_required, collective_discussion_done, proposed_penalty_types, "
        "penalty_types, track, details, version, created_at, updated_at"
    ),
    "deadlines": (
        "id, case_id, rule_code, title, basis, start_event, start_on, due_on, paused_days, "
        "provisional, state, done_on, reminded, county_code, officer_id, channel"
    ),
}
# Tables whose ids are a serial sequence (moved past the generated ids after the load).
SERIAL = (
    "enterprises",
    "pollution_sources",
    "credit_scores",
    "users",
    "inspector_conflicts",
    "inspection_draws",
    "draw_targets",
    "violations",
    "cases",
    "deadlines",
)

TIERS = (("green", 20), ("blue", 60), ("yellow", 15), ("red", 5))
POINTS = {"green": (90, 100), "blue": (75, 90), "yellow": (60, 75), "red": (30, 60)}
# What the previous draw froze for a tier (guizhou-2019: yellow raises to key, red to special).
TIER_CLASS = {"yellow": "key", "red": "special"}
TIER_WEIGHT = {"green": 0.5, "blue": 1.0, "yellow": 2.0, "red": 4.0}
# Deadline rules of an administrative case: (rule, title, basis, start event, days it runs).
RULES = (
    ("admin.decision", "作出处罚决定", "生态环境行政处罚办法第57条", "file", 90),
    ("admin.statement_defence", "陈述申辩", "行政处罚法第45条", "notify", 5),
    ("admin.fine_payment", "缴纳罚款", "行政处罚法第67条", "serve", 15),
)
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何罗龙杨田"
GIVEN = "明华国建平文军伟玲芳勇静丽强磊敏燕洪林"


@dataclass
class Facts:
    """What was generated, for the report."""

    rows: Counter[str] = field(default_factory=Counter)
    operating: int = 0
    key_units: int = 0
    tiers: Counter[str] = field(default_factory=Counter)
    expired_certificates: int = 0
    heads: int = 0
    last_inspected: int = 0


def _hex(rng: random.Random) -> str:
    return f"{rng.getrandbits(256):064x}"


def generate(
    divisions: Sequence[Division],
    *,
    enterprises: int,
    officers: int,
    cases: int,
    deadlines: int,
    today: date,
    scheme_key: str,
    sampling_config: dict[str, Any],
    password_hash: str,
    seed: int = 2026,
    facts: Facts,
) -> Iterator[tuple[str, tuple[Any, ...]]]:
    """Yield ``(table, row)`` for the whole data set (see the module docstring)."""
    if not cases <= deadlines <= 3 * cases:
        raise ValueError("deadlines must lie between cases and 3 x cases")
    rng = random.Random(f"bench.inspections_db:{seed}")
    created = datetime(2024, 1, 1, tzinfo=UTC).isoformat()
    scored_on = today - timedelta(days=1)
    quarter_start = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    before = quarter_start - timedelta(days=1)
    previous_on = date(before.year, 3 * ((before.month - 1) // 3) + 1, 1)  # the quarter before
    tiers, tier_weights = [t for t, _ in TIERS], [w for _, w in TIERS]

    # Enterprises and their sources; the pool's facts of each operating one.
    pool: list[tuple[int, str, str, str, float]] = []  # id, uscc, county, class, weight
    eid = sid = score_id = 0
    for rec in generate_enterprises(divisions, count=10**9, seed=seed):
        if len(pool) >= enterprises:
            break
        eid += 1
        facts.rows["enterprises"] += 1
        yield "enterprises", enterprise_row(eid, rec, created)
        key = rng.random() < 0.15
        key_source = rng.randrange(len(rec["sources"]))
        for j, src in enumerate(rec["sources"]):
            src = dict(src)
            cls, unit = src["permit_class"], False
            if cls == "key":
                cls = "simplified"
            if key and j == key_source:
                if rng.random() < 0.7:
                    cls = "key"
                else:
                    unit = True
            src["permit_class"], src["key_pollutant_unit"] = cls, unit
            sid += 1
            facts.rows["pollution_sources"] += 1
            yield "pollution_sources", source_row(sid, eid, src, created)
        if rec["status"] != "operating":
            continue
        facts.key_units += key
        inspection_class, weight = ("key" if key else "general"), 1.0
        if rng.random() < 0.6:
            tier = rng.choices(tiers, tier_weights)[0]
            facts.tiers[tier] += 1
            if rng.random() < 1 / 3:
                older = rng.choice([t for t in tiers if t != tier])
                score_id += 1
                yield "credit_scores", _score(rng, score_id, eid, scheme_key, older,
                                              scored_on - timedelta(days=182))  # fmt: skip
            score_id += 1
            yield "credit_scores", _score(rng, score_id, eid, scheme_key, tier, scored_on)
            weight = TIER_WEIGHT[tier]
            if tier == "red" or (tier == "yellow" and inspection_class == "general"):
                inspection_class = TIER_CLASS[tier]
        pool.append((eid, rec["uscc"], rec["county_code"], inspection_class, weight))
    facts.operating = len(pool)
    facts.rows["credit_scores"] = score_id

    # Officers by county, heads.
    per_county = Counter(p[2] for p in pool)
    counties = sorted(d.code for d in divisions if d.level == "county")
    parent = {d.code: d.parent_code for d in divisions}
    prefectures = sorted(d.code for d in divisions if d.level == "prefecture")
    province = next(d.code for d in divisions if d.level == "province")
    base = max(1, min(5, officers // (2 * len(counties))))
    spare = officers - base * len(counties)
    total = sum(per_county.values())
    share = {c: base + spare * per_county[c] / total for c in counties}
    staff = {c: int(share[c]) for c in counties}
    for c in sorted(counties, key=lambda c: share[c] - staff[c], reverse=True):
        if sum(staff.values()) >= officers:
            break
        staff[c] += 1
    uid = 0
    by_county: dict[str, list[int]] = {}
    home: dict[int, str] = {}
    expired = quarter_start - timedelta(days=1)  # the last day of the quarter before
    roster: list[tuple[int, str, date]] = []

    def user(username: str, role: str, code: str, cert: str | None, until: date | None) -> Any:
        nonlocal uid
        uid += 1
        name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
        yield "users", (uid, username, name, password_hash, True, cert, until, 1, created, created)
        yield "user_roles", (uid, role)
        yield "user_jurisdictions", (uid, code)

    for c in counties:
        for k in range(1, staff[c] + 1):
            until = expired if rng.random() < 0.03 else date(2030, 12, 31)
            facts.expired_certificates += until < today
            yield from user(f"officer.{c}.{k:03d}", "officer", c, f"{c}{k:05d}", until)
            by_county.setdefault(c, []).append(uid)
            home[uid] = c
            roster.append((uid, c, until))
    heads = [province, *prefectures, *counties[::2]]
    for code in heads:
        yield from user(f"head.{code}", "bureau_head", code, None, None)
    facts.heads = len(heads)
    facts.rows["users"] = uid
    officer_ids = [r[0] for r in roster]

    def other_officer(county: str, same_prefecture: bool) -> int:
        if same_prefecture:
            near = [c for c in counties if parent[c] == parent[county] and c != county]
            if near:
                return rng.choice(by_county[rng.choice(near)])
        while True:
            u = rng.choice(officer_ids)
            if home[u] != county:
                return u

    # Declared conflicts.
    for n, (e, _, county, _, _) in enumerate(rng.sample(pool, len(pool) // 100), 1):
        declared = today - timedelta(days=rng.randint(30, 900))
        withdrawn = None
        if rng.random() < 0.1:
            withdrawn = declared + timedelta(days=rng.randint(1, (today - declared).days))
        u = other_officer(county, rng.random() < 0.7)
        yield "inspector_conflicts", (n, u, e, "近亲属在该企业任职", declared, withdrawn)
        facts.rows["inspector_conflicts"] = n

    # The previous draw, dispatched: the draw, its targets and assignments.
    drawn_at = datetime.combine(previous_on + timedelta(days=2), datetime.min.time(), UTC)
    label = f"{previous_on.year}Q{(previous_on.month - 1) // 3 + 1}"
    yield "inspection_draws", (
        1, f"{label} 全省双随机抽查", province, "province", "quarter", label, previous_on,
        _hex(rng)[:32], drawn_at.isoformat(), "dispatched", sampling_config, _hex(rng),
        _hex(rng), _hex(rng), _hex(rng), _hex(rng), len(pool), len(roster), scheme_key, None,
        drawn_at.isoformat(), (drawn_at + timedelta(days=1)).isoformat(), 3,
        drawn_at.isoformat(), drawn_at.isoformat(),
    )  # fmt: skip
    # The previous draw's frozen inputs are not needed: only its teams (the last inspectors).
    targets = rng.sample(pool, int(len(pool) * 0.3))
    facts.last_inspected = len(targets)
    for tid, (e, _, county, cls, _) in enumerate(targets, 1):
        team: list[int] = []
        while len(team) < 2:
            u = other_officer(county, False)
            if u not in team:
                team.append(u)
        u_ = rng.random()
        outcome = "pending" if u_ < 0.15 else "problem_found" if u_ < 0.2 else "no_problem"
        inspected = None if outcome == "pending" else previous_on + timedelta(rng.randint(5, 80))
        yield "draw_targets", (
            tid, 1, tid, e, cls, county, -rng.expovariate(1.0), team, outcome, inspected, "",
        )  # fmt: skip
        for u in team:
            yield "draw_assignments", (tid, u, 1, e)
    facts.rows["draw_targets"] = len(targets)

    # Cases (each with its violation) and their open deadlines.
    extra = deadlines - cases
    threes = extra // 3
    twos = extra - 2 * threes
    counts = [3] * threes + [2] * twos + [1] * (cases - threes - twos)
    rng.shuffle(counts)
    did = 0
    for cid, k in enumerate(counts, 1):
        e, _, county, _, _ = pool[rng.randrange(len(pool))]
        lead = rng.choice(by_county[county])
        found = today - timedelta(days=rng.randint(20, 200))
        at = datetime.combine(found, datetime.min.time(), UTC).isoformat()
        yield "violations", (
            cid, at, county, "厂区排污口", "超标排放水污染物", "", "inspection", "", 0, 0, 0, [],
            False, False, 0, 1, at, at,
        )  # fmt: skip
        yield "violation_enterprises", (cid, e)
        yield "cases", (
            cid, cid, "administrative", "general", f"黔环罚〔{found.year}〕{cid}号", "filed",
            county, e, True, lead, "超标排放水污染物案", found, found, False, False, False,
            False, [], False, False, False, [], [], "administrative", {}, 1, at, at,
        )  # fmt: skip
        officer = None if rng.random() < 0.05 else lead
        for rule, title, basis, event, days in RULES[:k]:
            did += 1
            due = today + timedelta(days=rng.randint(-60, 120))
            yield "deadlines", (
                did, cid, rule, title, basis, event, due - timedelta(days=days), due, 0, False,
                "open", None, None, county, officer, "administrative",
            )  # fmt: skip
    facts.rows["cases"] = facts.rows["violations"] = cases
    facts.rows["deadlines"] = did


def _score(
    rng: random.Random, sid: int, eid: int, scheme: str, tier: str, as_of: date
) -> tuple[Any, ...]:
    low, high = POINTS[tier]
    points = round(rng.uniform(low, high), 1)
    at = datetime.combine(as_of + timedelta(days=1), datetime.min.time(), UTC).isoformat()
    return (
        sid, eid, scheme, as_of, at, "rescore", "rated", points, tier, tier, tier, None, 0.0, [],
        _hex(rng),
    )  # fmt: skip
