"""The random-inspection draw (双随机、一公开): reproducible, weighted, fair to the inspectors,
refusing bad input with numbers; its sampling configuration refused naming the bad field."""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
import math
import os
import random
import re
import subprocess
import sys
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from casemgr.planning import draws
from casemgr.planning.draws import (
    DrawError,
    DrawRequest,
    Inspector,
    PoolEntry,
    inspector_order,
    run_draw,
    uniform,
    verify,
)
from casemgr.planning.sampling import (
    SamplingConfig,
    SamplingConfigError,
    load_sampling_config,
)

ROOT = Path(__file__).resolve().parents[2]
ON = date(2026, 1, 5)
END = date(2026, 12, 31)
DEFAULT = load_sampling_config()
COUNTIES = ("520102", "520115", "520181", "520281", "520381", "520382", "522301", "522601")


def _config(**changes: object) -> SamplingConfig:
    data = copy.deepcopy(DEFAULT.to_mapping())
    data.update(changes)
    return SamplingConfig.from_mapping(data)


def _scenario(seed: int, n_pool: int, n_inspectors: int, *, exclusions: bool = True) -> dict:
    """A random pool and roster (test data: ``random`` is fine here, not in the draw)."""
    rng = random.Random(seed)
    classes = rng.choices(("special", "key", "general"), (3, 15, 82), k=n_pool)
    pool = [
        PoolEntry(f"9152{i:014d}", i, cls, rng.choice(COUNTIES), rng.choice((0.5, 1, 2, 4)))
        for i, cls in enumerate(classes)
    ]
    roster = [
        Inspector(i, rng.choice(COUNTIES), END if rng.random() < 0.9 else date(2025, 6, 30))
        for i in range(1, n_inspectors + 1)
    ]
    conflicts, last = {}, {}
    if exclusions:
        keys = [e.key for e in pool]
        conflicts = {
            i.id: frozenset(rng.sample(keys, min(3, n_pool))) for i in roster if rng.random() < 0.3
        }
        last = {k: frozenset(rng.sample(range(1, n_inspectors + 1), 2)) for k in keys[::3]}
    return {"pool": pool, "roster": roster, "conflicts": conflicts, "last_inspectors": last}


def _request(scenario: dict, seed: str = "GZ-2026Q1", **changes: object) -> DrawRequest:
    request = DrawRequest(seed, "county", "quarter", ON, config=DEFAULT, **scenario)
    return replace(request, **changes)


def _lines(result: draws.DrawResult) -> list[str]:
    return [
        f"{t.rank}|{t.key}|{t.inspection_class}|{t.county_code}|{','.join(map(str, t.inspectors))}"
        for t in result.targets
    ]


# -- the worked example (docs/draw-algorithm.md and the module docstring) ----------------------


def _example() -> DrawRequest:
    pool = [
        PoolEntry("S1", 101, "special", "520102", 1),
        PoolEntry("S2", 102, "special", "520115", 2),
    ]
    counties = ("520102", "520115", "520181", "520102")
    for i, (county, w) in enumerate(zip(counties, (1, 2, 0.5, 4), strict=True), 1):
        pool.append(PoolEntry(f"K{i}", 200 + i, "key", county, w))
    counties = ("520102", "520115", "520181", "520102", "520115", "520181")
    for i, (county, w) in enumerate(zip(counties, (1, 1, 1, 2, 4, 0.5), strict=True), 1):
        pool.append(PoolEntry(f"G{i}", 300 + i, "general", county, w))
    homes = {1: "520102", 2: "520115", 3: "520181", 4: "520102", 5: "520115", 6: "520181"}
    roster = [Inspector(i, c, date(2025, 12, 31) if i == 5 else END) for i, c in homes.items()]
    return DrawRequest(
        "GZ-2026Q1-demo", "county", "quarter", ON, pool, roster, DEFAULT,
        conflicts={2: frozenset({"K4"})}, last_inspectors={"S1": frozenset({2})},
    )  # fmt: skip


EXAMPLE_LINES = [
    "1|S2|special|520115|4,1",
    "2|S1|special|520102|6,3",
    "3|K4|key|520102|6,3",
    "4|G5|general|520115|4,1",
]
EXAMPLE_DIGESTS = {
    "pool_digest": "f62ff03bacfd7e2005ce0196a36cc44479c0dfb4203706047d0c3b30357f0633",
    "roster_digest": "5f165c238aa8826906b54997d5b1c569084a61d0549552c2c492332c12534d5e",
    "result_digest": "6c5f6e544e01c08f7543ffd42ea56992d8edef37c238df0ac073b1c108297538",
}
EXAMPLE_SCORES = {"S2": -0.263132706, "S1": -0.993338289, "K4": -0.016177903, "G5": -0.029313271}
EXAMPLE_ORDER = {4: "17e44d66", 1: "4ce37f1f", 2: "6c7b772b", 6: "70101b72", 3: "fa7cfc9a"}


def test_the_worked_example_gives_the_documented_result():
    result = run_draw(_example())
    assert _lines(result) == EXAMPLE_LINES
    assert {name: getattr(result, name) for name in EXAMPLE_DIGESTS} == EXAMPLE_DIGESTS
    assert {t.key: round(t.score, 9) for t in result.targets} == EXAMPLE_SCORES
    assert dict(result.loads) == {1: 2, 2: 0, 3: 2, 4: 2, 6: 2}
    assert dict(result.class_counts) == {"special": (2, 2), "key": (4, 1), "general": (6, 1)}
    assert {
        i: inspector_order("GZ-2026Q1-demo", i).hex()[:8] for i in EXAMPLE_ORDER
    } == EXAMPLE_ORDER
    assert sorted(EXAMPLE_ORDER, key=lambda i: inspector_order("GZ-2026Q1-demo", i)) == [
        4,
        1,
        2,
        6,
        3,
    ]


def _doc_rows(text: str) -> list[tuple[str, str, str]]:
    """(key, u, score) of the score table in the docs."""
    return re.findall(r"^\| (\w\d) \| \w+ \| \d+ \| [\d.]+ \| ([\d.]+) \| (-[\d.]+)", text, re.M)


@pytest.mark.parametrize("where", ["docs", "docstring"])
def test_the_documented_example_is_the_one_the_code_computes(where):
    text = (
        (ROOT / "docs" / "draw-algorithm.md").read_text(encoding="utf-8")
        if where == "docs"
        else draws.__doc__ or ""
    )
    for line in EXAMPLE_LINES + list(EXAMPLE_DIGESTS.values()) + list(EXAMPLE_ORDER.values()):
        assert line in text
    for key, score in EXAMPLE_SCORES.items():
        assert f"{key} {score:.9f}" in text or f"| {score:.9f} (drawn) |" in text
    if where == "docs":
        rows = _doc_rows(text)
        assert len(rows) == 12
        weights = {e.key: e.weight for e in _example().pool}
        for key, u, score in rows:
            assert f"{uniform('GZ-2026Q1-demo', key):.9f}" == u
            expected = math.log(uniform("GZ-2026Q1-demo", key)) / weights[key]
            assert f"{expected:.9f}" == score


def test_the_hand_check_in_the_docs_runs_with_hashlib_alone():
    text = (ROOT / "docs" / "draw-algorithm.md").read_text(encoding="utf-8")
    code = re.search(r"```python\n(.*?)```", text, re.S)
    assert code is not None
    out = subprocess.run(
        [sys.executable, "-c", code.group(1)], capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == ["0.937337743", "-0.016177903", EXAMPLE_DIGESTS["result_digest"]]


@pytest.mark.parametrize("seed", [b"short", b"x" * 64, "长".encode() * 40])
def test_the_saved_state_hmac_is_hmac_sha256(seed):
    fast = draws._Hmac(seed)
    for message in ("target|S1", "inspector|7", "target|" + "9" * 200):
        assert fast(message) == hmac.digest(seed, message.encode(), "sha256")


# -- determinism ------------------------------------------------------------------------------


def test_the_draw_does_not_depend_on_the_input_order():
    scenario = _scenario(1, 600, 40)
    first = run_draw(_request(scenario))
    rng = random.Random(7)
    for _ in range(3):
        shuffled = dict(scenario)
        shuffled["pool"] = rng.sample(scenario["pool"], len(scenario["pool"]))
        shuffled["roster"] = rng.sample(scenario["roster"], len(scenario["roster"]))
        items = list(scenario["last_inspectors"].items())
        shuffled["last_inspectors"] = dict(rng.sample(items, len(items)))
        again = run_draw(_request(shuffled))
        assert again == first


_SUBPROCESS = """
import json, sys
from datetime import date
sys.path.insert(0, {tests!r})
from test_planning_draws import _request, _scenario
from casemgr.planning.draws import run_draw
result = run_draw(_request(_scenario(3, 800, 50)))
print(json.dumps([result.result_digest, result.pool_digest, result.exclusions_digest,
                  [list(t.inspectors) for t in result.targets]]))
"""


def test_the_draw_is_the_same_in_processes_with_other_hash_seeds():
    here = run_draw(_request(_scenario(3, 800, 50)))
    expected = [
        here.result_digest,
        here.pool_digest,
        here.exclusions_digest,
        [list(t.inspectors) for t in here.targets],
    ]
    script = _SUBPROCESS.format(tests=str(Path(__file__).parent))
    for hash_seed in ("0", "4242"):
        env = dict(os.environ, PYTHONHASHSEED=hash_seed)
        out = subprocess.run(
            [sys.executable, "-c", script], env=env, cwd=ROOT, capture_output=True, text=True,
            check=True,
        ).stdout  # fmt: skip
        assert json.loads(out) == expected


def test_another_seed_draws_another_list():
    scenario = _scenario(2, 500, 40)
    a, b = run_draw(_request(scenario, "seed-a")), run_draw(_request(scenario, "seed-b"))
    assert {t.key for t in a.targets if t.inspection_class == "general"} != {
        t.key for t in b.targets if t.inspection_class == "general"
    }
    assert a.result_digest != b.result_digest and a.pool_digest == b.pool_digest


def test_verify_accepts_the_result_and_refuses_a_changed_one():
    request = _request(_scenario(4, 300, 30))
    result = run_draw(request)
    assert verify(request, result)
    assert not verify(request, replace(result, result_digest="0" * 64))
    assert not verify(replace(request, seed="other"), result)


# -- targets ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("level", "period", "sizes", "expected"),
    [
        ("county", "quarter", (3, 10, 100), (3, 3, 5)),  # 0.25 x 10 = 2.5 -> 3
        ("prefecture", "quarter", (3, 10, 100), (3, 1, 5)),  # 0.05 x 10 = 0.5 -> 1
        ("province", "year", (3, 10, 101), (3, 2, 21)),  # 0.20 x 101 = 20.2 -> 21
        ("county", "year", (0, 7, 40), (0, 7, 8)),
        ("prefecture", "half_year", (1, 20, 1), (1, 2, 1)),
    ],
)
def test_each_class_draws_the_ceiling_of_rate_times_its_size(level, period, sizes, expected):
    pool = [
        PoolEntry(f"{cls}{i:04d}", i, cls, "520102")
        for cls, n in zip(("special", "key", "general"), sizes, strict=True)
        for i in range(n)
    ]
    roster = [Inspector(i, "520115", END) for i in range(1, 6)]
    result = run_draw(DrawRequest("s", level, period, ON, pool, roster, DEFAULT))
    assert tuple(result.class_counts[c][1] for c in ("special", "key", "general")) == expected
    assert tuple(result.class_counts[c][0] for c in ("special", "key", "general")) == sizes
    assert [t.rank for t in result.targets] == list(range(1, sum(expected) + 1))
    order = {"special": 0, "key": 1, "general": 2}
    assert [order[t.inspection_class] for t in result.targets] == sorted(
        order[t.inspection_class] for t in result.targets
    )


def test_the_quota_uses_the_rate_as_written_not_its_binary_approximation():
    assert math.ceil(0.07 * 100) == 8  # what a naive float product would draw
    rates = copy.deepcopy(DEFAULT.to_mapping()["rates"])
    rates["general"]["county"]["quarter"] = 0.07
    pool = [PoolEntry(f"G{i:03d}", i, "general", "520102") for i in range(100)]
    roster = [Inspector(i, "520115", END) for i in (1, 2)]
    result = run_draw(DrawRequest("s", "county", "quarter", ON, pool, roster, _config(rates=rates)))
    assert result.class_counts["general"] == (100, 7)


def test_targets_within_a_class_are_ordered_by_descending_score():
    result = run_draw(_request(_scenario(5, 2000, 60)))
    for cls in ("special", "key", "general"):
        scores = [t.score for t in result.targets if t.inspection_class == cls]
        assert scores == sorted(scores, reverse=True) and scores


@pytest.mark.parametrize(
    ("heavy", "share_low", "share_high"),
    [
        (1.0, 0.40, 0.60),  # equal weights: half the draws from each half of the pool
        (4.0, 0.72, 0.88),  # weight 4 against 1: about 4 in 5 draws
    ],
)
def test_heavier_weights_shift_the_selection_frequency(heavy, share_low, share_high):
    # Fixed seeds: the outcome is fixed, this cannot flake; the band is a wide statistical one
    # (400 draws of 10 from 200; the standard error of the share is about 0.006).
    pool = [
        PoolEntry(f"G{i:03d}", i, "general", "520102", heavy if i % 2 else 1.0) for i in range(200)
    ]
    roster = [Inspector(i, "520115", END) for i in (1, 2)]
    drawn = heavy_drawn = 0
    for seed in range(400):
        result = run_draw(
            DrawRequest(f"fixed-{seed}", "county", "quarter", ON, pool, roster, DEFAULT)
        )
        drawn += len(result.targets)
        heavy_drawn += sum(1 for t in result.targets if t.enterprise_id % 2)
    assert drawn == 400 * 10
    assert share_low < heavy_drawn / drawn < share_high


# -- inspectors -------------------------------------------------------------------------------


def _check_assignments(request: DrawRequest, result: draws.DrawResult) -> None:
    roster = {i.id: i for i in request.roster}
    loads: dict[int, int] = {}
    for t in result.targets:
        assert len(t.inspectors) == request.config.team_size == len(set(t.inspectors))
        for i in t.inspectors:
            inspector = roster[i]
            assert inspector.certified_on(request.on)
            assert inspector.home_county != t.county_code
            assert t.key not in request.conflicts.get(i, frozenset())
            assert i not in request.last_inspectors.get(t.key, frozenset())
            loads[i] = loads.get(i, 0) + 1
    certified = {i for i, x in roster.items() if x.certified_on(request.on)}
    assert dict(result.loads) == {i: loads.get(i, 0) for i in sorted(certified)}


@pytest.mark.parametrize(("seed", "team_size"), [(1, 2), (2, 2), (3, 3), (4, 4)])
def test_nobody_inspects_their_home_county_a_conflict_or_their_last_enterprise(seed, team_size):
    request = _request(_scenario(seed, 1500, 80), config=_config(team_size=team_size))
    _check_assignments(request, run_draw(request))


def _reference(request: DrawRequest) -> list[tuple[int, ...]]:
    """Step 3 as written in the docs: scan the roster, sort the eligible by (load, order, id)."""
    targets = run_draw(request).targets
    certified = [i for i in request.roster if i.certified_on(request.on)]
    loads = {i.id: 0 for i in certified}
    order = {i.id: inspector_order(request.seed, i.id) for i in certified}
    cap = request.config.max_load
    teams = []
    for t in targets:
        eligible = [
            i.id
            for i in certified
            if i.home_county != t.county_code
            and t.key not in request.conflicts.get(i.id, frozenset())
            and i.id not in request.last_inspectors.get(t.key, frozenset())
            and (cap is None or loads[i.id] < cap)
        ]
        team = sorted(eligible, key=lambda i: (loads[i], order[i], i))[: request.config.team_size]
        for i in team:
            loads[i] += 1
        teams.append(tuple(team))
    return teams


def _skewed(seed: int) -> dict:
    """Half the pool and 40 % of the officers in 520102: its officers sit idle at the top of
    the heaps while its enterprises wait for the others, the case the per-county heaps are for."""
    scenario, rng = _scenario(seed, 2500, 70), random.Random(seed)
    scenario["pool"] = [
        replace(e, county_code="520102") if rng.random() < 0.5 else e for e in scenario["pool"]
    ]
    scenario["roster"] = [
        replace(i, home_county="520102") if rng.random() < 0.4 else i for i in scenario["roster"]
    ]
    return scenario


@pytest.mark.parametrize(("seed", "skewed"), [(11, False), (12, False), (13, True), (14, True)])
def test_the_heaps_pick_the_teams_the_plain_definition_picks(seed, skewed):
    request = _request(_skewed(seed) if skewed else _scenario(seed, 2500, 70))
    result = run_draw(request)
    assert [t.inspectors for t in result.targets] == _reference(request)
    _check_assignments(request, result)


@pytest.mark.parametrize(("seed", "max_load"), [(13, 17), (13, 18), (14, 12), (14, 13), (15, 4)])
def test_a_load_cap_never_changes_a_team_it_refuses_the_draw_that_would_exceed_it(seed, max_load):
    # The least loaded are picked first, so an inspector at the cap would only be picked when
    # fewer than team_size eligible ones are below it: the cap turns that draw into an error.
    uncapped = run_draw(_request(_skewed(seed)))
    request = _request(_skewed(seed), config=_config(max_load=max_load))
    if max(uncapped.loads.values()) <= max_load:
        assert run_draw(request).result_digest == uncapped.result_digest
    else:
        with pytest.raises(DrawError) as exc:
            run_draw(request)
        assert exc.value.code in {"capacity", "load_exhausted"}


@pytest.mark.parametrize("team_size", [2, 3])
def test_loads_differ_by_at_most_one_when_everyone_is_eligible_for_everything(team_size):
    scenario = _scenario(6, 3000, 0, exclusions=False)
    scenario["roster"] = [Inspector(i, "999999", END) for i in range(1, 38)]
    result = run_draw(_request(scenario, config=_config(team_size=team_size)))
    assert len(result.targets) > 37
    assert max(result.loads.values()) - min(result.loads.values()) <= 1
    assert sum(result.loads.values()) == team_size * len(result.targets)


def test_a_province_sized_draw_is_correct():
    # 100,000 enterprises and 2,000 inspectors over 88 counties: correctness only, never time.
    rng = random.Random(2026)
    counties = [f"52{i:04d}" for i in range(88)]
    classes = rng.choices(("special", "key", "general"), (3, 15, 82), k=100_000)
    pool = [
        PoolEntry(f"91520{i:013d}", i, c, rng.choice(counties), rng.choice((0.5, 1, 2, 4)))
        for i, c in enumerate(classes)
    ]
    roster = [Inspector(i, rng.choice(counties), END) for i in range(2000)]
    keys = [e.key for e in pool]
    conflicts = {i: frozenset(rng.sample(keys, 5)) for i in range(0, 2000, 10)}
    last = {k: frozenset(rng.sample(range(2000), 2)) for k in keys if rng.random() < 0.3}
    request = DrawRequest("GZ-2026Q1", "county", "quarter", ON, pool, roster, DEFAULT,
                          conflicts, last)  # fmt: skip
    result = run_draw(request)
    sizes = {c: classes.count(c) for c in ("special", "key", "general")}
    assert dict(result.class_counts) == {
        "special": (sizes["special"], sizes["special"]),
        "key": (sizes["key"], math.ceil(sizes["key"] / 4)),
        "general": (sizes["general"], math.ceil(sizes["general"] / 20)),
    }
    _check_assignments(request, result)
    assert max(result.loads.values()) - min(result.loads.values()) <= 2


# -- errors -----------------------------------------------------------------------------------


def _small(**changes: object) -> DrawRequest:
    pool = [PoolEntry(f"E{i}", i, "special", "520102") for i in range(1, 4)]
    roster = [Inspector(i, "520115", END) for i in range(1, 4)]
    return replace(DrawRequest("s", "county", "quarter", ON, pool, roster, DEFAULT), **changes)


def _entry(key: str, cls: str = "special", weight: float = 1.0) -> PoolEntry:
    return PoolEntry(key, 1, cls, "520102", weight)


def _expired(n: int) -> list[Inspector]:
    return [Inspector(100 + i, "520115", date(2025, 1, 1) if i % 2 else None) for i in range(n)]


@pytest.mark.parametrize(
    ("changes", "code", "field", "words"),
    [
        ({"seed": "  "}, "empty_seed", "seed", ["seed is empty"]),
        ({"level": "city"}, "bad_level", "level", ["'city'", "province, prefecture, county"]),
        ({"period": "month"}, "bad_period", "period", ["'month'", "quarter, half_year, year"]),
        ({"pool": []}, "empty_pool", "pool", ["the pool is empty: 0 enterprises"]),
        (
            {"pool": [_entry("A"), _entry("B"), _entry("A"), _entry("A")]},
            "duplicate_key", "pool", ["'A' appears 3 times", "pool of 4"],
        ),
        (
            {"pool": [_entry("A"), _entry("B", "other"), _entry("C", "重点")]},
            "pool_class_unknown", "pool", ["'B'", "'other'", "special, key, general", "2 of 3"],
        ),
        (
            {"pool": [_entry("A", weight=0), _entry("B", weight=-1), _entry("C")]},
            "bad_weight", "pool", ["'A'", "weight 0", "0.000001", "2 of 3"],
        ),
        ({"pool": [_entry("A", weight=float("nan"))]}, "bad_weight", "pool", ["nan"]),
        ({"pool": [_entry("A", weight=0.0000004)]}, "bad_weight", "pool", ["4e-07"]),
        ({"pool": [_entry("A", weight="1")]}, "bad_weight", "pool", ["weight '1'"]),
        (
            {"roster": [Inspector(1, "520115", END), Inspector(1, "520181", END)]},
            "duplicate_inspector", "roster", ["inspector 1 appears 2 times"],
        ),
        (
            {"roster": [Inspector(1, "520115", END), *_expired(4)]},
            "roster_too_small", "roster",
            ["needs 2 certified inspectors per inspection, the roster has 1 certified of 5",
             "2026-01-05"],
        ),
        (
            {"roster": [Inspector(i, "520115", ON) for i in (1, 2, 3)],
             "config": _config(max_load=1)},
            "capacity", "roster",
            ["max_load 1 x 3 certified inspectors = 3 assignments",
             "needs 2 x 3 targets = 6"],
        ),
        (
            {"roster": [Inspector(1, "520115", END), Inspector(2, "520102", END),
                        Inspector(3, "520102", END)]},
            "unstaffable", "roster",
            ["needs 2 eligible inspectors", "3 of 3 drawn enterprises have fewer",
             "'E2' (county 520102) has 1"],  # E2 ranks first under seed "s"
        ),
        (
            {"last_inspectors": {"E2": frozenset({1, 2})}, "conflicts": {3: frozenset({"E3"})}},
            "unstaffable", "roster",
            ["1 of 3 drawn enterprises have fewer", "'E2' (county 520102) has 1"],
        ),
    ],
)  # fmt: skip
def test_bad_input_is_refused_with_its_code_field_and_numbers(changes, code, field, words):
    with pytest.raises(DrawError) as exc:
        run_draw(_small(**changes))
    assert (exc.value.code, exc.value.field) == (code, field)
    for word in words:
        assert word in str(exc.value)
    assert isinstance(exc.value, ValueError)


def test_the_error_params_carry_the_numbers_of_the_message():
    with pytest.raises(DrawError) as exc:
        run_draw(_small(roster=[Inspector(1, "520115", END), *_expired(4)]))
    assert exc.value.params == {"team_size": 2, "certified": 1, "roster": 5, "on": "2026-01-05"}
    with pytest.raises(DrawError) as exc:
        run_draw(_small(pool=[]))
    assert (str(exc.value), exc.value.params) == ("the pool is empty: 0 enterprises", {"size": 0})


def test_an_inspector_excluded_for_two_reasons_is_counted_once():
    # Inspector 3 is both of the target's county and its last inspector: 1 eligible, not 0.
    request = _small(
        pool=[_entry("E1")],
        roster=[Inspector(1, "520115", END), Inspector(2, "520102", END),
                Inspector(3, "520102", END)],
        last_inspectors={"E1": frozenset({3, 99})},
    )  # fmt: skip
    with pytest.raises(DrawError, match="has 1$") as exc:
        run_draw(request)
    assert exc.value.params["eligible"] == 1


def test_a_cap_reached_during_the_draw_is_refused_naming_the_target():
    # Capacity suffices on paper (4 x 1 >= 2 x 2), but S is staffed first and the seed's order
    # gives it an inspector from 520181, the only ones K (in 520102) could have.
    pool = [PoolEntry("S", 1, "special", "520115"), PoolEntry("K", 2, "key", "520102")]
    roster = [Inspector(1, "520181", END), Inspector(2, "520181", END),
              Inspector(3, "520102", END), Inspector(4, "520102", END)]  # fmt: skip
    request = DrawRequest("cap", "county", "quarter", ON, pool, roster, _config(max_load=1))
    order = sorted((1, 2, 3, 4), key=lambda i: inspector_order("cap", i))
    assert {1, 2} & set(order[:2])  # the seed makes S take an inspector K needs
    with pytest.raises(DrawError) as exc:
        run_draw(request)
    assert (exc.value.code, exc.value.field) == ("load_exhausted", "roster")
    assert "max_load 1 reached: enterprise 'K' (rank 2 of 2, county 520102)" in str(exc.value)


def test_a_rate_missing_from_the_configuration_is_named():
    data = DEFAULT.to_mapping()
    data["rates"] = {"special": {"county": {"quarter": 1.0}}}
    config = SamplingConfig.from_mapping(data)
    with pytest.raises(SamplingConfigError) as exc:
        run_draw(_small(config=config, pool=[_entry("A"), _entry("B", "key")]))
    assert exc.value.path == "rates.key.county.quarter" and "not configured" in str(exc.value)


# -- the sampling configuration ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("cls", "level", "period", "rate"),
    [
        ("special", "province", "quarter", 1.0),
        ("special", "county", "year", 1.0),
        ("key", "province", "quarter", 0.05),
        ("key", "prefecture", "quarter", 0.05),
        ("key", "county", "quarter", 0.25),
        ("key", "prefecture", "half_year", 0.10),
        ("key", "prefecture", "year", 0.20),
        ("key", "county", "year", 1.0),
        ("general", "county", "quarter", 0.05),
        ("general", "province", "year", 0.20),
    ],
)
def test_the_default_rates_are_the_documented_ones(cls, level, period, rate):
    assert DEFAULT.rate(cls, level, period) == rate


def test_the_default_configuration_states_its_sources_and_that_guizhou_is_unverified():
    assert (DEFAULT.id, DEFAULT.version, DEFAULT.team_size, DEFAULT.max_load) == (
        "guizhou-default", "2026-1", 2, None,
    )  # fmt: skip
    for source in ("58号", "88号", "fzmq.gov.cn", "goootech", "chizhou"):
        assert source in DEFAULT.source
    assert any("unverified for Guizhou" in a for a in DEFAULT.assumptions)
    assert len(DEFAULT.rates) == 27


def test_the_config_digest_ignores_layout_and_follows_the_values(tmp_path):
    data = DEFAULT.to_mapping()
    path = tmp_path / "sampling.json"
    path.write_text(json.dumps(dict(reversed(list(data.items()))), indent=4), encoding="utf-8")
    assert load_sampling_config(path).digest() == DEFAULT.digest()
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert DEFAULT.digest() == hashlib.sha256(canonical.encode()).hexdigest()
    assert _config(team_size=3).digest() != DEFAULT.digest()


def _broken(change) -> SamplingConfigError:
    data = copy.deepcopy(DEFAULT.to_mapping())
    change(data)
    with pytest.raises(SamplingConfigError) as exc:
        SamplingConfig.from_mapping(data)
    return exc.value


def _set_rate(value):
    return lambda d: d["rates"]["key"]["county"].__setitem__("quarter", value)


@pytest.mark.parametrize(
    ("change", "path", "words"),
    [
        (_set_rate(1.5), "rates.key.county.quarter", "between 0 and 1"),
        (_set_rate(-0.1), "rates.key.county.quarter", "between 0 and 1"),
        (_set_rate("5%"), "rates.key.county.quarter", "must be a number"),
        (_set_rate(True), "rates.key.county.quarter", "must be a number"),
        (_set_rate(float("nan")), "rates.key.county.quarter", "between 0 and 1"),
        (lambda d: d["rates"]["key"]["county"].__setitem__("month", 0.1),
         "rates.key.county.month", "quarter, half_year, year"),
        (lambda d: d["rates"]["key"].__setitem__("city", {"quarter": 0.1}),
         "rates.key.city", "province, prefecture, county"),
        (lambda d: d["rates"].__setitem__("重点", {}), "rates.重点", "special, key, general"),
        (lambda d: d["rates"]["general"].__setitem__("county", {}),
         "rates.general.county", "non-empty object"),
        (lambda d: d.__setitem__("rates", []), "rates", "non-empty object"),
        (lambda d: d.__setitem__("team_size", 1), "team_size", "at least 2"),
        (lambda d: d.__setitem__("team_size", 11), "team_size", "at most 10"),
        (lambda d: d.__setitem__("team_size", "2"), "team_size", "whole number"),
        (lambda d: d.__setitem__("max_load", 0), "max_load", "at least 1"),
        (lambda d: d.__setitem__("max_load", 2.5), "max_load", "whole number"),
        (lambda d: d.__setitem__("id", ""), "id", "non-empty text"),
        (lambda d: d.pop("version"), "version", "non-empty text"),
        (lambda d: d.__setitem__("assumptions", "none"), "assumptions", "list of strings"),
        (lambda d: d.__setitem__("team-size", 2), "team-size", "not a known field"),
    ],
)  # fmt: skip
def test_bad_sampling_data_is_refused_naming_its_path(change, path, words):
    error = _broken(change)
    assert error.path == path and words in error.reason
    assert str(error).startswith(f"{path}: ")


def test_sampling_data_that_is_not_an_object_is_refused_at_the_root():
    with pytest.raises(SamplingConfigError, match=r"^\(root\): must be an object"):
        SamplingConfig.from_mapping([])  # type: ignore[arg-type]


def test_a_file_that_is_not_json_is_refused(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text("{rates: }", encoding="utf-8")
    with pytest.raises(SamplingConfigError, match="bad.json is not JSON"):
        load_sampling_config(path)


def test_a_rate_not_configured_is_named_by_its_path():
    config = SamplingConfig.from_mapping(
        {**DEFAULT.to_mapping(), "rates": {"key": {"county": {"quarter": 0.25}}}}
    )
    assert config.rate("key", "county", "quarter") == 0.25
    with pytest.raises(SamplingConfigError, match=r"^rates\.general\.county\.year: is not"):
        config.rate("general", "county", "year")
