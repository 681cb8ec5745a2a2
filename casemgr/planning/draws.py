"""The random-inspection draw (双随机、一公开): which enterprises, inspected by whom.

ALGORITHM
=========

Anyone holding the published seed, pool, roster and sampling configuration can recompute the
draw with this description and a SHA-256/HMAC library; ``docs/draw-algorithm.md`` is the same
text with the worked example laid out in full.

Inputs. A seed (随机种子, a non-blank string published or sealed before the draw), the drawing
agency's level (``province`` 省, ``prefecture`` 市/州, ``county`` 县), the period of the plan
(``quarter``, ``half_year``, ``year``), the day ``on``, the pool (检查对象名录库: one entry per
enterprise, keyed by its USCC 统一社会信用代码, with its class ``special`` 特殊监管对象 / ``key``
重点排污单位 / ``general`` 一般排污单位, its county code and a positive sampling weight from its
credit tier), the roster (执法检查人员名录库: inspector id, home county, certification end day),
the declared conflicts (回避: inspector id -> enterprise keys) and the last inspectors of each
enterprise, and the sampling configuration (``casemgr.planning.sampling``).

Notation. ``H(m) = HMAC-SHA256(key = seed as UTF-8, message = m as UTF-8)``, 32 bytes.
A digest is the lowercase hex SHA-256 of lines, each followed by ``"\\n"``, in UTF-8.

1. Canonical inputs. Weights are rounded to 6 decimals (``w6 = float("%.6f" % w)``) and the
   rounded value is used everywhere. ``pool_digest`` is the digest of the lines
   ``key|class|county|w6 with 6 decimals`` sorted by key (code-point order);
   ``roster_digest`` of ``id|home_county|certified_until`` (ISO date, empty if none) sorted by id
   as a number; ``exclusions_digest`` of ``conflict|id|key`` and ``last|key|id`` lines sorted as
   strings; ``config_digest`` is ``SamplingConfig.digest()``. The internal enterprise id is not
   part of the digests: the public can check them from the USCC list.

2. Targets (随机抽取检查对象). For each class ``c`` with ``n_c`` entries, ``k_c = ceil(r * n_c)``
   where ``r`` is the rate of (c, level, period), computed exactly on the rate's shortest decimal
   form (0.07 x 100 is 7, not 8). Each entry gets ``m`` = the first 8 bytes of
   ``H("target|" + key)`` as a big-endian unsigned integer shifted right by 12 (its top 52 bits),
   ``u = (m + 0.5) / 2**52`` (exact in IEEE-754 binary64, strictly between 0 and 1) and
   ``score = ln(u) / w6``. The ``k_c`` entries with the largest scores are drawn, ties broken by
   the smaller key: weighted sampling without replacement (Efraimidis & Spirakis 2006), an entry of
   weight 2 is about twice as likely to be drawn as one of weight 1. Targets are listed by class
   (special, key, general), then by descending score, then by key, and ranked 1..N in that order.

3. Inspectors (随机选派执法检查人员). Inspector ``i`` is certified iff ``certified_until >= on``.
   Its order value is ``H("inspector|" + decimal id)`` compared as bytes. It is eligible for a
   target iff certified, its home county differs from the target's county, it declared no
   conflict with the target's key and it is not among the target's last inspectors. Every
   certified inspector starts with load 0. Targets are staffed in rank order: the team is the
   ``team_size`` eligible inspectors with the smallest ``(load, order value, id)`` among those
   whose load is below ``max_load`` (no cap when null), listed in that order; each member's load
   then grows by one. As the least loaded come first, the cap never changes a team: it refuses
   (``load_exhausted``) a draw that would give someone more. The result lines are
   ``rank|key|class|county|id,id,...`` and ``result_digest`` is their digest.

Implementation note: step 3 never scans the roster. Certified inspectors sit in one heap per
home county keyed by (load, order, id) and a heap of the counties' heads; a target pops heads,
skipping its own county's head in one step (a county whose officers can serve none of its own
targets would otherwise be rescanned for each of them) and the few inspectors excluded by
conflicts or last inspections, so a target costs O((team_size + exclusions) log roster).

Scores go through the platform's natural logarithm, which IEEE 754 does not require to be
correctly rounded: two correct implementations can only disagree when two neighbouring scores lie
within a last-bit error of each other, about once in ten million draws of a 100,000-entry pool.

WORKED EXAMPLE (the tests check these numbers)
==============================================

Seed ``"GZ-2026Q1-demo"``, level ``county``, period ``quarter``, day 2026-01-05, the packaged
default rates (special 1.0, key 0.25, general 0.05 per quarter), team size 2. Pool (key, class,
county, weight): S1 special 520102 1; S2 special 520115 2; K1..K4 key 520102, 520115, 520181,
520102 with weights 1, 2, 0.5, 4; G1..G6 general 520102, 520115, 520181, 520102, 520115, 520181
with weights 1, 1, 1, 2, 4, 0.5. Roster: 1 and 4 from 520102, 2 from 520115, 3 and 6 from 520181,
all certified until 2026-12-31; 5 from 520115, certified until 2025-12-31 (expired). Inspector 2
declared a conflict with K4 and inspected S1 last time.

Quotas: special ceil(1.0 x 2) = 2, key ceil(0.25 x 4) = 1, general ceil(0.05 x 6) = 1. Drawn
(score = ln(u) / w, 9 decimals; all scores in docs/draw-algorithm.md): S2 -0.263132706 and
S1 -0.993338289; K4 -0.016177903 (K2 next, -0.398181757); G5 -0.029313271 (G4 next,
-0.076531635). Order values (first 8 hex digits): 4 17e44d66 < 1 4ce37f1f < 2 6c7b772b <
6 70101b72 < 3 fa7cfc9a. Result lines::

    1|S2|special|520115|4,1
    2|S1|special|520102|6,3
    3|K4|key|520102|6,3
    4|G5|general|520115|4,1

Inspector 2 gets nothing: S2 and G5 are in its home county, it inspected S1 last time and
declared a conflict with K4. Loads 1: 2, 2: 0, 3: 2, 4: 2, 6: 2. Digests: pool
f62ff03bacfd7e2005ce0196a36cc44479c0dfb4203706047d0c3b30357f0633, roster
5f165c238aa8826906b54997d5b1c569084a61d0549552c2c492332c12534d5e, result
6c5f6e544e01c08f7543ffd42ea56992d8edef37c238df0ac073b1c108297538.
"""

from __future__ import annotations

import hashlib
import hmac
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction
from heapq import heapify, heappop, heappush, nsmallest
from types import MappingProxyType

from casemgr.planning.sampling import CLASSES, LEVELS, PERIODS, SamplingConfig

__all__ = [
    "DrawError",
    "DrawRequest",
    "DrawResult",
    "Inspector",
    "PoolEntry",
    "Target",
    "input_digests",
    "inspector_order",
    "run_draw",
    "uniform",
    "verify",
]

_MESSAGES = {
    "empty_seed": "the seed is empty: a draw needs a non-blank seed fixed before the draw",
    "bad_level": "level {level!r} is not one of: {allowed}",
    "bad_period": "period {period!r} is not one of: {allowed}",
    "empty_pool": "the pool is empty: {size} enterprises",
    "duplicate_key": "enterprise {key!r} appears {count} times in the pool of {size} entries",
    "pool_class_unknown": (
        "enterprise {key!r} has inspection class {inspection_class!r}, not one of: {allowed}"
        " ({count} of {size} entries)"
    ),
    "bad_weight": (
        "enterprise {key!r} has sampling weight {weight!r}: weights must be at least 0.000001"
        " ({count} of {size} entries)"
    ),
    "duplicate_inspector": "inspector {id} appears {count} times in the roster",
    "roster_too_small": (
        "needs {team_size} certified inspectors per inspection, the roster has {certified}"
        " certified of {roster} on {on}"
    ),
    "capacity": (
        "max_load {max_load} x {certified} certified inspectors = {capacity} assignments,"
        " the draw needs {team_size} x {targets} targets = {needed}"
    ),
    "unstaffable": (
        "needs {team_size} eligible inspectors per inspection: {count} of {targets} drawn"
        " enterprises have fewer, the first {key!r} (county {county_code}) has {eligible}"
    ),
    "load_exhausted": (
        "max_load {max_load} reached: enterprise {key!r} (rank {rank} of {targets},"
        " county {county_code}) has fewer than {team_size} eligible inspectors below the cap"
    ),
}


class DrawError(ValueError):
    """A draw that cannot be made: ``code`` and ``field`` for programs, numbers in ``params``.

    Examples
    --------
    >>> str(DrawError("empty_pool", "pool", size=0))
    'the pool is empty: 0 enterprises'
    """

    def __init__(self, code: str, field: str, **params: object) -> None:
        self.code, self.field, self.params = code, field, dict(params)
        super().__init__(_MESSAGES[code].format(**params))


@dataclass(frozen=True, slots=True)
class PoolEntry:
    """An enterprise in the pool (检查对象名录库); ``key`` is its USCC, unique in a pool."""

    key: str
    enterprise_id: int
    inspection_class: str
    county_code: str
    weight: float = 1.0  # the credit tier's sampling weight (credit.schemes.Consequence)


@dataclass(frozen=True, slots=True)
class Inspector:
    """An officer on the roster (执法检查人员名录库), certified through ``certified_until``."""

    id: int
    home_county: str
    certified_until: date | None

    def certified_on(self, on: date) -> bool:
        """True iff certified on ``on`` (the end day included).

        Examples
        --------
        >>> Inspector(1, "520102", date(2026, 3, 31)).certified_on(date(2026, 3, 31))
        True
        """
        return self.certified_until is not None and self.certified_until >= on


@dataclass(frozen=True, slots=True)
class DrawRequest:
    """Everything a draw depends on; input order of ``pool`` and ``roster`` does not matter."""

    seed: str
    level: str
    period: str
    on: date
    pool: Sequence[PoolEntry]
    roster: Sequence[Inspector]
    config: SamplingConfig
    conflicts: Mapping[int, frozenset[str]] = field(default_factory=dict)  # id -> keys (回避)
    last_inspectors: Mapping[str, frozenset[int]] = field(default_factory=dict)  # key -> ids


@dataclass(frozen=True, slots=True)
class Target:
    """A drawn enterprise, its rank in the published list and its team (ids, in pick order)."""

    rank: int
    key: str
    enterprise_id: int
    inspection_class: str
    county_code: str
    score: float
    inspectors: tuple[int, ...]


@dataclass(frozen=True)
class DrawResult:
    """The list and the assignments, with the digests that let anyone check them."""

    seed: str
    level: str
    period: str
    on: date
    pool_digest: str
    roster_digest: str
    exclusions_digest: str
    config_digest: str
    result_digest: str
    targets: tuple[Target, ...]
    class_counts: Mapping[str, tuple[int, int]]  # class -> (pool size, drawn)
    loads: Mapping[int, int]  # certified inspector id -> inspections assigned


def uniform(seed: str, key: str) -> float:
    """The entry's uniform number ``u`` in (0, 1) (step 2 of the algorithm).

    Examples
    --------
    >>> 0 < uniform("GZ-2026Q1-demo", "S1") < 1
    True
    """
    return _Hmac(seed.encode("utf-8")).uniforms([key])[0]


def inspector_order(seed: str, inspector_id: int) -> bytes:
    """The inspector's order value among equal loads (step 3 of the algorithm).

    Examples
    --------
    >>> len(inspector_order("GZ-2026Q1-demo", 1))
    32
    """
    return hmac.digest(seed.encode("utf-8"), f"inspector|{inspector_id}".encode(), "sha256")


def run_draw(request: DrawRequest) -> DrawResult:
    """Draw the targets and staff them (see the module docstring for the algorithm).

    Raises :class:`DrawError` for bad input (checked before the work where it can be) and
    :class:`~casemgr.planning.sampling.SamplingConfigError` when the configuration has no rate
    for a class of the pool at the request's level and period.

    Examples
    --------
    >>> from casemgr.planning.sampling import load_sampling_config
    >>> pool = [PoolEntry(f"E{i}", i, "special", "520102") for i in range(3)]
    >>> roster = [Inspector(i, "520115", date(2026, 12, 31)) for i in range(1, 4)]
    >>> result = run_draw(DrawRequest("seed", "county", "quarter", date(2026, 1, 5), pool,
    ...                               roster, load_sampling_config()))
    >>> [len(t.inspectors) for t in result.targets], sorted(result.loads.values())
    ([2, 2, 2], [2, 2, 2])
    """
    if not request.seed.strip():
        raise DrawError("empty_seed", "seed")
    if request.level not in LEVELS:
        raise DrawError("bad_level", "level", level=request.level, allowed=", ".join(LEVELS))
    if request.period not in PERIODS:
        raise DrawError("bad_period", "period", period=request.period, allowed=", ".join(PERIODS))
    config, pool = request.config, _canonical_pool(request.pool)
    certified = _certified(request.roster, request.on, config.team_size)
    sizes = dict.fromkeys(CLASSES, 0)
    for entry, _ in pool:
        sizes[entry.inspection_class] += 1
    quota = {
        c: math.ceil(Fraction(repr(config.rate(c, request.level, request.period))) * n) if n else 0
        for c, n in sizes.items()
    }
    needed = config.team_size * sum(quota.values())
    if config.max_load is not None and config.max_load * len(certified) < needed:
        raise DrawError(
            "capacity", "roster", max_load=config.max_load, certified=len(certified),
            capacity=config.max_load * len(certified), team_size=config.team_size,
            targets=sum(quota.values()), needed=needed,
        )  # fmt: skip

    h = _Hmac(request.seed.encode("utf-8"))
    drawn = _sample(h, pool, quota)
    excluded = _exclusions(drawn, request.conflicts, request.last_inspectors)
    _check_staffable(drawn, certified, excluded, config.team_size)
    teams, loads = _assign(h, drawn, certified, excluded, config.team_size, config.max_load)
    targets = tuple(
        Target(rank, e.key, e.enterprise_id, e.inspection_class, e.county_code, score, team)
        for rank, ((e, score), team) in enumerate(zip(drawn, teams, strict=True), 1)
    )
    return DrawResult(
        seed=request.seed,
        level=request.level,
        period=request.period,
        on=request.on,
        pool_digest=_digest(
            f"{e.key}|{e.inspection_class}|{e.county_code}|{w:.6f}" for e, w in pool
        ),
        roster_digest=_roster_digest(request.roster),
        exclusions_digest=_exclusions_digest(request.conflicts, request.last_inspectors),
        config_digest=config.digest(),
        result_digest=_digest(_result_line(t) for t in targets),
        targets=targets,
        class_counts=MappingProxyType({c: (sizes[c], quota[c]) for c in CLASSES}),
        loads=MappingProxyType(dict(sorted(loads.items()))),
    )


def input_digests(request: DrawRequest) -> dict[str, str]:
    """The digests of a draw's inputs (pool, roster, exclusions, configuration), published with
    the seed before the draw so that nobody can change the inputs afterwards unseen. Raises
    :class:`DrawError` for a pool that cannot be drawn from."""
    pool = _canonical_pool(request.pool)
    return {
        "pool_digest": _digest(
            f"{e.key}|{e.inspection_class}|{e.county_code}|{w:.6f}" for e, w in pool
        ),
        "roster_digest": _roster_digest(request.roster),
        "exclusions_digest": _exclusions_digest(request.conflicts, request.last_inspectors),
        "config_digest": request.config.digest(),
    }


def verify(request: DrawRequest, result: DrawResult) -> bool:
    """True iff re-running ``request`` gives ``result`` (its inputs' digests and its lists).

    Examples
    --------
    >>> from casemgr.planning.sampling import load_sampling_config
    >>> pool = [PoolEntry("E1", 1, "special", "520102")]
    >>> roster = [Inspector(i, "520115", None if i == 3 else date(2026, 12, 31))
    ...           for i in (1, 2, 3)]
    >>> request = DrawRequest("seed", "county", "quarter", date(2026, 1, 5), pool, roster,
    ...                       load_sampling_config())
    >>> verify(request, run_draw(request))
    True
    """
    again = run_draw(request)
    fields = "seed level period on pool_digest roster_digest exclusions_digest config_digest"
    return all(
        getattr(again, name) == getattr(result, name) for name in (*fields.split(), "result_digest")
    )


# -- steps ------------------------------------------------------------------------------------

_Scored = tuple[PoolEntry, float]  # an entry with its score
_Slot = tuple[int, bytes, int]  # (load, order value, id): the heap key of an inspector
_NONE: frozenset[int] = frozenset()


class _Hmac:
    """HMAC-SHA256 under one key (RFC 2104), the padded key hashed once.

    ``hmac.digest`` sets the key up again on every call; 100,000 entries make that the largest
    cost of a draw, hence the saved inner and outer states (the tests compare with ``hmac``).
    """

    def __init__(self, key: bytes) -> None:
        if len(key) > 64:  # the SHA-256 block size
            key = hashlib.sha256(key).digest()
        key = key.ljust(64, b"\0")
        self.inner = hashlib.sha256(bytes(b ^ 0x36 for b in key))
        self.outer = hashlib.sha256(bytes(b ^ 0x5C for b in key))

    def __call__(self, message: str) -> bytes:
        inner, outer = self.inner.copy(), self.outer.copy()
        inner.update(message.encode("utf-8"))
        outer.update(inner.digest())
        return outer.digest()

    def uniforms(self, keys: Iterable[str]) -> list[float]:
        """``u`` of each key (step 2) in one loop, inlined: a draw computes 100,000 of them."""
        inner, outer, out = self.inner, self.outer, []
        for key in keys:
            mac = inner.copy()
            mac.update(("target|" + key).encode("utf-8"))
            tag = outer.copy()
            tag.update(mac.digest())
            # The top 52 bits: m + 0.5 and the division by 2**52 are then exact in binary64.
            out.append(((int.from_bytes(tag.digest()[:8], "big") >> 12) + 0.5) / 2**52)
        return out


def _digest(lines: Iterable[str]) -> str:
    return hashlib.sha256("".join(line + "\n" for line in lines).encode("utf-8")).hexdigest()


def _result_line(t: Target) -> str:
    team = ",".join(str(i) for i in t.inspectors)
    return f"{t.rank}|{t.key}|{t.inspection_class}|{t.county_code}|{team}"


def _canonical_pool(pool: Sequence[PoolEntry]) -> list[tuple[PoolEntry, float]]:
    """The pool sorted by key with rounded weights; every pool error, first by key, counted."""
    size = len(pool)
    if not size:
        raise DrawError("empty_pool", "pool", size=0)
    entries = sorted(pool, key=lambda e: e.key)
    dupes = [a.key for a, b in zip(entries, entries[1:], strict=False) if a.key == b.key]
    if dupes:
        key = dupes[0]
        count = sum(1 for e in entries if e.key == key)
        raise DrawError("duplicate_key", "pool", key=key, count=count, size=size)
    unknown = [e for e in entries if e.inspection_class not in CLASSES]
    if unknown:
        raise DrawError(
            "pool_class_unknown", "pool", key=unknown[0].key, size=size, count=len(unknown),
            inspection_class=unknown[0].inspection_class, allowed=", ".join(CLASSES),
        )  # fmt: skip
    # A pool has a handful of distinct weights (the credit tiers): round each once.
    rounded = {w: _rounded(w) for w in {e.weight for e in entries}}
    out = [(e, rounded[e.weight]) for e in entries]
    bad = [e for e, w in out if not w > 0]  # NaN fails this comparison too
    if bad:
        raise DrawError(
            "bad_weight", "pool", key=bad[0].key, weight=bad[0].weight, count=len(bad), size=size
        )
    return out


def _rounded(weight: object) -> float:
    if not isinstance(weight, int | float) or isinstance(weight, bool):
        return math.nan
    if not math.isfinite(weight):
        return math.nan
    return float(f"{weight:.6f}")  # what the pool digest shows is what the draw uses


def _certified(roster: Sequence[Inspector], on: date, team_size: int) -> list[Inspector]:
    counts: dict[int, int] = {}
    for inspector in roster:
        counts[inspector.id] = counts.get(inspector.id, 0) + 1
    dupes = sorted(i for i, n in counts.items() if n > 1)
    if dupes:
        raise DrawError("duplicate_inspector", "roster", id=dupes[0], count=counts[dupes[0]])
    certified = sorted((i for i in roster if i.certified_on(on)), key=lambda i: i.id)
    if len(certified) < team_size:
        raise DrawError(
            "roster_too_small", "roster", team_size=team_size, certified=len(certified),
            roster=len(roster), on=on.isoformat(),
        )  # fmt: skip
    return certified


def _sample(h: _Hmac, pool: list[tuple[PoolEntry, float]], quota: dict[str, int]) -> list[_Scored]:
    """Efraimidis-Spirakis per class: the ``quota[c]`` largest ``ln(u) / w``, ties by key."""
    by_class: dict[str, list[_Scored]] = {c: [] for c in CLASSES}
    uniforms, log = h.uniforms(e.key for e, _ in pool), math.log
    for (entry, weight), u in zip(pool, uniforms, strict=True):
        by_class[entry.inspection_class].append((entry, log(u) / weight))
    drawn: list[_Scored] = []
    for cls in CLASSES:
        drawn += nsmallest(quota[cls], by_class[cls], key=lambda s: (-s[1], s[0].key))
    return drawn


def _exclusions(
    drawn: list[_Scored],
    conflicts: Mapping[int, frozenset[str]],
    last: Mapping[str, frozenset[int]],
) -> dict[str, frozenset[int]]:
    """Drawn key -> inspector ids excluded by a declared conflict or the last inspection."""
    keys = {e.key for e, _ in drawn}
    out: dict[str, set[int]] = {}
    for inspector_id, declared in conflicts.items():
        for key in keys.intersection(declared):
            out.setdefault(key, set()).add(inspector_id)
    for key, ids in last.items():
        if key in keys:
            out.setdefault(key, set()).update(ids)
    return {key: frozenset(ids) for key, ids in out.items()}


def _check_staffable(
    drawn: list[_Scored],
    certified: list[Inspector],
    excluded: dict[str, frozenset[int]],
    team_size: int,
) -> None:
    """Every target has ``team_size`` eligible inspectors, counted without scanning the roster."""
    home = {i.id: i.home_county for i in certified}
    per_county: dict[str, int] = {}
    for county in home.values():
        per_county[county] = per_county.get(county, 0) + 1
    short: list[tuple[PoolEntry, int]] = []
    for entry, _ in drawn:
        county = entry.county_code
        out = sum(1 for i in excluded.get(entry.key, _NONE) if home.get(i, county) != county)
        eligible = len(certified) - per_county.get(county, 0) - out
        if eligible < team_size:
            short.append((entry, eligible))
    if short:
        first, eligible = short[0]
        raise DrawError(
            "unstaffable", "roster", key=first.key, county_code=first.county_code,
            eligible=eligible, team_size=team_size, count=len(short), targets=len(drawn),
        )  # fmt: skip


def _assign(
    h: _Hmac,
    drawn: list[_Scored],
    certified: list[Inspector],
    excluded: dict[str, frozenset[int]],
    team_size: int,
    max_load: int | None,
) -> tuple[list[tuple[int, ...]], dict[int, int]]:
    """Step 3: one heap of (load, order, id) per home county, a heap of the counties' heads.

    A head carries its county's version; changing a county's heap bumps the version and pushes
    the new head, so older heads are skipped when popped (lazy deletion). Stale heads do not pile
    up: loads only grow, so the least key keeps rising past them (at most about twice as many
    heads as counties in ``bench/inspection_draw.py``).
    """
    groups: dict[str, list[_Slot]] = {}
    for inspector in certified:
        slot = (0, h(f"inspector|{inspector.id}"), inspector.id)
        groups.setdefault(inspector.home_county, []).append(slot)
    version = dict.fromkeys(groups, 0)
    heads: list[tuple[int, bytes, int, str, int]] = []

    def refresh(county: str) -> None:
        version[county] += 1
        if groups[county]:
            load, order, ident = groups[county][0]
            heappush(heads, (load, order, ident, county, version[county]))

    for county, group in groups.items():
        heapify(group)
        refresh(county)
    loads = {i.id: 0 for i in certified}
    teams: list[tuple[int, ...]] = []
    for rank, (entry, _) in enumerate(drawn, 1):
        skip = excluded.get(entry.key, _NONE)
        chosen: list[tuple[str, _Slot]] = []
        passed: list[tuple[str, _Slot]] = []
        home_head = None
        while len(chosen) < team_size:
            if not heads:
                raise DrawError(
                    "load_exhausted", "roster", max_load=max_load, key=entry.key, rank=rank,
                    targets=len(drawn), county_code=entry.county_code, team_size=team_size,
                )  # fmt: skip
            head = heappop(heads)
            load, order, ident, county, ver = head
            if ver != version[county]:
                continue
            if county == entry.county_code:
                home_head = head  # the whole home county is out: skip it in one step
                continue
            slot = heappop(groups[county])
            (passed if ident in skip else chosen).append((county, slot))
            refresh(county)
        if home_head is not None:
            heappush(heads, home_head)  # still current: its county was not touched
        for county, slot in passed:
            heappush(groups[county], slot)
        for county, (load, order, ident) in chosen:
            loads[ident] = load + 1
            if max_load is None or load + 1 < max_load:
                heappush(groups[county], (load + 1, order, ident))
        for county in {c for c, _ in passed} | {c for c, _ in chosen}:
            refresh(county)
        teams.append(tuple(ident for _, (_, _, ident) in chosen))
    return teams, loads


def _roster_digest(roster: Sequence[Inspector]) -> str:
    return _digest(
        f"{i.id}|{i.home_county}|{i.certified_until.isoformat() if i.certified_until else ''}"
        for i in sorted(roster, key=lambda i: i.id)
    )


def _exclusions_digest(
    conflicts: Mapping[int, frozenset[str]], last: Mapping[str, frozenset[int]]
) -> str:
    lines = [f"conflict|{i}|{key}" for i, keys in conflicts.items() for key in keys]
    lines += [f"last|{key}|{i}" for key, ids in last.items() for i in ids]
    return _digest(sorted(lines))
