"""The random-inspection draw (双随机、一公开) on a province-sized pool, against a naive draw.

The requirement: a 100,000-enterprise pool (several 10,000 targets) with 2,000 inspectors draws
in well under 5 s in CPython. This file generates its own data (stdlib ``random``, seeded, no
database) and times :func:`casemgr.planning.draws.run_draw` end to end (canonical pool and
digests, weighted sampling, staffing) for a quarterly draw at county, prefecture and province
level, i.e. under the packaged default rates of ``casemgr/refdata/sampling/default.json``.

The baseline, run side by side on the same input, is a **naive** draw written here: the same
sampling, then for each target a scan of the whole roster for eligible inspectors and a sort of
them by (load, order value, id). It must give exactly the same teams (checked on every run),
so the ratio is the price of the scan-and-sort, not of a different answer.

The data (``--enterprises``, default 100,000; ``--inspectors``, default 2,000):

* counties: the 88 county-level divisions of ``casemgr/refdata/guizhou-divisions.csv``, each
  with a size drawn from a log-normal (sigma 0.8): urban districts hold many more enterprises;
* enterprises: spread over the counties by size, with keys shaped like USCCs (``91`` + county
  code + serial + ``X``; no valid check digit); classes 3 % special (特殊监管对象), 15 % key
  (重点排污单位), 82 % general (一般排污单位); credit weights 0.5 / 1 / 2 / 4 for 10 / 60 / 25
  / 5 % (green / blue / yellow / red tiers);
* inspectors: spread over the counties by size as well (more enterprises, more officers), 95 %
  certified on the day of the draw, 5 % expired;
* declared conflicts (回避): about 1 % of the enterprises, each with one inspector;
* last inspectors: 30 % of the enterprises, two inspectors each (from other counties).

Times are medians of ``--runs`` runs (the naive draw: ``--naive-runs``, it is slow); the 1-minute
load average is read before and after each phase: the machine is shared. Nothing here is a test:
speed is never asserted.

Usage::

    .venv/bin/python bench/inspection_draw.py [--enterprises 100000] [--inspectors 2000]
        [--runs 5] [--naive-runs 1] [--out F]
    .venv/bin/python bench/inspection_draw.py --enterprises 10000 --inspectors 200 --runs 3
"""

from __future__ import annotations

import argparse
import csv
import hmac
import json
import math
import os
import platform
import random
import statistics
import sys
import time
from datetime import date
from fractions import Fraction
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from casemgr.planning.draws import (  # noqa: E402
    DrawRequest,
    DrawResult,
    Inspector,
    PoolEntry,
    run_draw,
)
from casemgr.planning.sampling import CLASSES, load_sampling_config  # noqa: E402

DIVISIONS_CSV = ROOT / "casemgr" / "refdata" / "guizhou-divisions.csv"
ON = date(2026, 1, 5)
LEVELS = ("county", "prefecture", "province")


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


# ------------------------------------------------------------------------------------------------
# The data
# ------------------------------------------------------------------------------------------------


def counties() -> list[str]:
    with DIVISIONS_CSV.open(encoding="utf-8") as f:
        return [row["code"] for row in csv.DictReader(f) if row["level"] == "county"]


def generate(n: int, n_inspectors: int, seed: int = 2026) -> dict[str, Any]:
    """Pool, roster, conflicts and last inspectors (see the module docstring)."""
    rng = random.Random(seed)
    codes = counties()
    sizes = [rng.lognormvariate(0, 0.8) for _ in codes]
    classes = rng.choices(CLASSES, (3, 15, 82), k=n)
    weights = rng.choices((0.5, 1.0, 2.0, 4.0), (10, 60, 25, 5), k=n)
    homes = rng.choices(codes, sizes, k=n)
    pool = [
        PoolEntry(f"91{county}{i:09d}X", i, cls, county, w)
        for i, (cls, w, county) in enumerate(zip(classes, weights, homes, strict=True))
    ]
    expired = date(2025, 12, 31)
    roster = [
        Inspector(1000 + i, county, expired if rng.random() < 0.05 else date(2026, 12, 31))
        for i, county in enumerate(rng.choices(codes, sizes, k=n_inspectors))
    ]
    ids = [i.id for i in roster]
    conflicts: dict[int, set[str]] = {}
    for entry in rng.sample(pool, n // 100):
        conflicts.setdefault(rng.choice(ids), set()).add(entry.key)
    by_county: dict[str, list[int]] = {}
    for inspector in roster:
        by_county.setdefault(inspector.home_county, []).append(inspector.id)
    last: dict[str, frozenset[int]] = {}
    for entry in rng.sample(pool, int(n * 0.3)):
        others = [i for i in rng.sample(ids, 4) if i not in by_county.get(entry.county_code, ())]
        last[entry.key] = frozenset(others[:2])
    return {
        "pool": pool,
        "roster": roster,
        "conflicts": {i: frozenset(keys) for i, keys in conflicts.items()},
        "last_inspectors": last,
    }


def describe(data: dict[str, Any]) -> dict[str, Any]:
    pool, roster = data["pool"], data["roster"]
    per_class = {c: sum(1 for e in pool if e.inspection_class == c) for c in CLASSES}
    per_county: dict[str, int] = {}
    for entry in pool:
        per_county[entry.county_code] = per_county.get(entry.county_code, 0) + 1
    return {
        "enterprises": len(pool),
        "classes": per_class,
        "counties": len(per_county),
        "largest_county": max(per_county.values()),
        "smallest_county": min(per_county.values()),
        "inspectors": len(roster),
        "certified": sum(1 for i in roster if i.certified_on(ON)),
        "conflicts": sum(len(k) for k in data["conflicts"].values()),
        "with_last_inspectors": len(data["last_inspectors"]),
    }


# ------------------------------------------------------------------------------------------------
# The naive draw: same answer, a scan and a sort of the roster per target
# ------------------------------------------------------------------------------------------------


def naive_draw(request: DrawRequest) -> list[str]:
    """The result lines of the draw, computed the obvious way (docs/draw-algorithm.md)."""
    seed, config = request.seed.encode("utf-8"), request.config
    scored: dict[str, list[tuple[float, PoolEntry]]] = {c: [] for c in CLASSES}
    for e in sorted(request.pool, key=lambda e: e.key):
        mac = hmac.digest(seed, f"target|{e.key}".encode(), "sha256")
        u = ((int.from_bytes(mac[:8], "big") >> 12) + 0.5) / 2**52
        scored[e.inspection_class].append((math.log(u) / float(f"{e.weight:.6f}"), e))
    targets: list[PoolEntry] = []
    for cls in CLASSES:
        rate = Fraction(repr(config.rate(cls, request.level, request.period)))
        k = math.ceil(rate * len(scored[cls]))
        targets += [e for _, e in sorted(scored[cls], key=lambda s: (-s[0], s[1].key))[:k]]
    certified = [i for i in request.roster if i.certified_on(request.on)]
    order = {i.id: hmac.digest(seed, f"inspector|{i.id}".encode(), "sha256") for i in certified}
    loads = dict.fromkeys(order, 0)
    lines = []
    for rank, e in enumerate(targets, 1):
        last = request.last_inspectors.get(e.key, frozenset())
        eligible = [
            i.id
            for i in certified
            if i.home_county != e.county_code
            and e.key not in request.conflicts.get(i.id, frozenset())
            and i.id not in last
        ]
        team = sorted(eligible, key=lambda i: (loads[i], order[i], i))[: config.team_size]
        for i in team:
            loads[i] += 1
        ids = ",".join(str(i) for i in team)
        lines.append(f"{rank}|{e.key}|{e.inspection_class}|{e.county_code}|{ids}")
    return lines


def result_lines(result: DrawResult) -> list[str]:
    return [
        f"{t.rank}|{t.key}|{t.inspection_class}|{t.county_code}|"
        + ",".join(str(i) for i in t.inspectors)
        for t in result.targets
    ]


# ------------------------------------------------------------------------------------------------
# Phases
# ------------------------------------------------------------------------------------------------


def _timed(fn: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def run_level(data: dict[str, Any], level: str, runs: int, naive_runs: int) -> dict[str, Any]:
    request = DrawRequest(
        "GZ-2026Q1-bench", level, "quarter", ON, config=load_sampling_config(), **data
    )
    load_before = os.getloadavg()[0]
    ours, result = [], None
    for _ in range(runs):
        t, result = _timed(lambda: run_draw(request))
        ours.append(t)
    assert result is not None
    load_mid = os.getloadavg()[0]
    naive, same = [], True
    for _ in range(naive_runs):
        t, lines = _timed(lambda: naive_draw(request))
        naive.append(t)
        same = same and lines == result_lines(result)
    loads = list(result.loads.values())
    return {
        "targets": len(result.targets),
        "class_counts": {c: list(v) for c, v in result.class_counts.items()},
        "assignments": sum(loads),
        "load_min_max": [min(loads), max(loads)],
        "ours_s": ours,
        "naive_s": naive,
        "same_teams": same,
        "result_digest": result.result_digest,
        "load_average": {"ours": [load_before, load_mid], "naive": [load_mid, os.getloadavg()[0]]},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--enterprises", type=int, default=100_000)
    parser.add_argument("--inspectors", type=int, default=2_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--naive-runs", type=int, default=1)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--levels", nargs="+", choices=LEVELS, default=list(LEVELS))
    parser.add_argument("--out", help="write the raw figures as JSON here")
    args = parser.parse_args(argv)
    log(f"generating {args.enterprises:,} enterprises, {args.inspectors:,} inspectors ...")
    t_gen, data = _timed(lambda: generate(args.enterprises, args.inspectors, args.seed))
    facts = describe(data)
    log(json.dumps(facts))
    results: dict[str, Any] = {"generate_s": t_gen, "data": facts, "levels": {}}
    for level in args.levels:
        log(f"level {level} ...")
        results["levels"][level] = run_level(data, level, args.runs, args.naive_runs)
        log(json.dumps(results["levels"][level]))
    results["machine"] = {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
    }
    results["args"] = vars(args)
    report(results)
    if args.out:
        Path(args.out).write_text(json.dumps(results, indent=2))
    return 0


def report(r: dict[str, Any]) -> None:
    med = statistics.median
    d = r["data"]
    print(
        f"{d['enterprises']:,} enterprises in {d['counties']} counties, {d['inspectors']:,}"
        f" inspectors ({d['certified']:,} certified), {d['conflicts']:,} conflicts,"
        f" {d['with_last_inspectors']:,} enterprises with last inspectors\n"
    )
    print(
        "| level | targets | assignments | loads min-max | ours median s | naive median s"
        " | naive / ours | same teams |\n|---|---:|---:|---|---:|---:|---:|---|"
    )
    for level, x in r["levels"].items():
        ours = med(x["ours_s"])
        naive = med(x["naive_s"]) if x["naive_s"] else math.nan
        low, high = x["load_min_max"]
        print(
            f"| {level} | {x['targets']:,} | {x['assignments']:,} | {low}-{high} | {ours:.3f}"
            f" | {naive:.2f} | {naive / ours:.1f}x | {x['same_teams']} |"
        )
    print("\n| level | load avg (ours) | load avg (naive) |\n|---|---|---|")
    for level, x in r["levels"].items():
        la = x["load_average"]
        print(
            f"| {level} | {la['ours'][0]:.2f} -> {la['ours'][1]:.2f}"
            f" | {la['naive'][0]:.2f} -> {la['naive'][1]:.2f} |"
        )


if __name__ == "__main__":
    raise SystemExit(main())
