"""Environmental credit of enterprises (企业环境信用): scoring, the tier history, explanation.

The pure :mod:`credit` library scores; this module feeds it the facts of the case records
(:mod:`casemgr.services.credit_facts`) and the graph risk, and keeps the results:

* :func:`rescore` scores enterprises as of a day and appends a :class:`CreditScore` row for
  each whose result changed (the history is append-only: the tier in force on a day is the
  latest row on or before it). The nightly job rescoring everything and the incremental
  rescoring after a case event both use it.
  Every row stored also refreshes the enterprise's current row and the tier counts
  (``credit_current``, ``credit_tier_counts``), in the same transaction: the tier lists, tier
  filters and the dashboard read those.
* :func:`explain` computes an enterprise's score as of any day, contribution by contribution;
  for a past day it uses only what was recorded by then, so it gives the same answer however
  often it is asked.

Graph risk (关联风险) starts from each enterprise's *own* tier (its records, downgrades and
vetoes, without graph risk), so a risk never feeds back on itself.
"""

from __future__ import annotations

import gc
import hashlib
import json
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session

from casemgr.db import transaction, utcnow
from casemgr.exceptions import InvalidInput, NotFound
from casemgr.i18n import N_
from casemgr.models import CreditScore, Enterprise, ScoreReason
from casemgr.policy import Actor, Permission
from casemgr.repositories import credit_current
from casemgr.repositories.graph import chunks
from casemgr.services import credit_graph
from casemgr.services.access import require
from casemgr.services.credit_facts import IdRange, Scope, facts_of, within
from casemgr.services.localtime import local_today
from credit.graph_risk import RiskConfig
from credit.schemes import SHIPPED, Scheme, SchemeError, Tier, load_scheme, shipped_scheme
from credit.scoring import Assessment, Contribution, ContributionKind, Score, assess, finish

__all__ = [
    "RescoreReport",
    "contribution_rows",
    "explain",
    "history",
    "in_force",
    "rescore",
    "scheme_named",
]

SEED_TIERS = frozenset({Tier.RED.value, Tier.BLACK.value})


@lru_cache(maxsize=16)
def scheme_named(name: str) -> Scheme:
    """A shipped scheme by id, or a scheme file by path (cached: schemes are immutable data).
    Raises InvalidInput naming the scheme file's bad field."""
    try:
        return shipped_scheme(name) if name in SHIPPED else load_scheme(Path(name))
    except SchemeError as exc:
        raise InvalidInput.field(
            "scheme",
            N_("Scheme {name}: {path}: {problem}"),
            name=name,
            path=exc.path,
            problem=exc.message,
        ) from exc


def _row(c: Contribution) -> dict[str, Any]:
    """One contribution as plain values, in the dataclass's field order."""
    return {
        "kind": c.kind.value,
        "rule": c.rule,
        "name": c.name,
        "group": c.group,
        "points": c.points,
        "max_points": c.max_points,
        "measure": c.measure,
        "band": c.band,
        "records": list(c.records),
        "scheme": c.scheme,
    }


def contribution_rows(result: Score) -> list[dict[str, Any]]:
    """The explanation as plain values (stored with the score, shown by the API)."""
    return [_row(c) for c in result.contributions]


def _kept(c: Contribution) -> bool:
    """Whether a stored score keeps the line in its explanation: the lines that count (an
    indicator that lost points or names records, graph risk, downgrades, vetoes, not
    rateable). Lines at full points without records are left out (most enterprises have only
    such lines): the whole explanation is recomputed for any day by :func:`explain`, and the
    digest covers it."""
    return bool(c.records) or c.points != c.max_points or c.kind is not ContributionKind.INDICATOR


def _canonical(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


# Canonical JSON of contributions without records (the same lines recur across most
# enterprises); bounded, since lines with records are mostly unique.
_FRAGMENTS: dict[Contribution, str] = {}
_FRAGMENTS_MAX = 100_000


# The same, by identity: scoring shares one line object for an empty window
# (``credit.scoring._EMPTY_LINES``), found here without hashing its fields.
_SHARED: dict[int, tuple[Contribution, str]] = {}


def _fragment(c: Contribution) -> str:
    if c.records and c.kind is not ContributionKind.GRAPH_RISK:
        return _canonical(_row(c))
    shared = _SHARED.get(id(c))
    if shared is not None and shared[0] is c:
        return shared[1]
    found = _FRAGMENTS.get(c)
    if found is None:
        row = _row(c)
        # The paths behind a graph risk are explanation, not substance: a whole-province run
        # states the points only, a local one lists the paths too.
        row["records"] = []
        found = _canonical(row)
        if len(_FRAGMENTS) < _FRAGMENTS_MAX:
            _FRAGMENTS[c] = found
    if c.kind is ContributionKind.INDICATOR:  # a shared line (the others are made per result)
        if len(_SHARED) >= _FRAGMENTS_MAX:
            _SHARED.clear()
        _SHARED[id(c)] = (c, found)
    return found


# Canonical JSON of the scalars of a result (points, tiers, status, sub-level): few values,
# each met hundreds of thousands of times in a full run. Keyed by type too (1 and 1.0 differ).
_SCALARS: dict[tuple[type, Any], str] = {}


def _scalar(value: Any) -> str:
    key = (type(value), value)
    found = _SCALARS.get(key)
    if found is None:
        found = _canonical(value)
        if len(_SCALARS) < _FRAGMENTS_MAX:
            _SCALARS[key] = found
    return found


def _digest(result: Score) -> str:
    """What identifies a result, whatever day it was computed for: the SHA-256 of its
    canonical JSON (scheme, status, points, tiers and every contribution, graph-risk paths
    left out), assembled from cached fragments as ``json.dumps(..., sort_keys=True)`` writes
    it."""
    return _digest_of(result, [_fragment(c) for c in result.contributions])


def _lines_of(result: Score, fragments: list[str]) -> str:
    """The JSON of the lines a stored score keeps (:func:`_kept`), made of the digest's fragments (a
    graph-risk line that lists its paths aside: the digest leaves them out)."""
    lines = ",".join(
        _canonical(_row(c)) if c.records and c.kind is ContributionKind.GRAPH_RISK else fragment
        for c, fragment in zip(result.contributions, fragments, strict=True)
        if _kept(c)
    )
    return f"[{lines}]"


def _digest_of(result: Score, fragments: list[str]) -> str:
    canonical = "".join(
        (
            '{"contributions":[',
            ",".join(fragments),
            '],"points":',
            _scalar(result.points),
            ',"scheme":',
            _scalar(result.scheme),
            ',"score_tier":',
            _scalar(result.score_tier.value),
            ',"status":',
            _scalar(result.status.value),
            ',"sublevel":',
            _scalar(result.sublevel),
            ',"tier":',
            _scalar(result.tier.value if result.tier else None),
            "}",
        )
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def in_force(
    session: Session, scheme_key: str, on: date, enterprise_ids: Collection[int] | None = None
) -> dict[int, CreditScore]:
    """The score in force on a day for each enterprise that has one (the latest row on or
    before it)."""
    latest = (
        select(CreditScore.enterprise_id, func.max(CreditScore.id).label("id"))
        .where(CreditScore.scheme == scheme_key, CreditScore.as_of <= on)
        .group_by(CreditScore.enterprise_id)
    )
    out: dict[int, CreditScore] = {}
    parts = [None] if enterprise_ids is None else chunks(sorted(enterprise_ids), 5000)
    for part in parts:
        stmt = latest if part is None else latest.where(CreditScore.enterprise_id.in_(part))
        ids = select(stmt.subquery().c.id)
        out.update(
            (r.enterprise_id, r)
            for r in session.scalars(select(CreditScore).where(CreditScore.id.in_(ids)))
        )
    return out


@dataclass
class RescoreReport:
    """What a run did."""

    as_of: date
    scheme: str
    enterprises: int = 0
    changed: int = 0
    tiers: dict[str, int] = field(default_factory=dict)  # final tiers of the scored ones
    seconds: float = 0.0
    workers: int = 1  # processes that scored them (a full run on PostgreSQL may use several)


def _own_tier(result: Score) -> str | None:
    return result.tier.value if result.tier is not None else None


# Up to this many enterprises, graph risk is read around each and explained path by path;
# beyond, the whole province is propagated at once (the paths are then explained on request).
LOCAL_LIMIT = 50
MAX_PATHS = 10  # paths kept in a stored explanation, strongest first


_RISK_CONFIGS: dict[str, RiskConfig] = {}


def risk_config(scheme: Scheme) -> RiskConfig:
    """The propagation settings (credit.graph_risk defaults, [R]), capped by the scheme."""
    assert scheme.graph_risk is not None
    if scheme.key not in _RISK_CONFIGS:
        _RISK_CONFIGS[scheme.key] = RiskConfig(cap=scheme.graph_risk.max_points)
    return _RISK_CONFIGS[scheme.key]


def graph_risks(
    session: Session,
    scheme: Scheme,
    own: Mapping[int, str | None],
    as_of: date,
    *,
    everyone: bool = False,
) -> dict[int, tuple[float, tuple[str, ...]]]:
    """Graph risk points and explained paths of the enterprises of ``own`` (their own tiers,
    just computed), for those that have some. ``everyone``: ``own`` holds every enterprise,
    so no stored tier is a seed."""
    if scheme.graph_risk is None or not own:
        return {}
    config = risk_config(scheme)
    fresh = {eid: t for eid, t in own.items() if t}
    out: dict[int, tuple[float, tuple[str, ...]]] = {}
    if len(own) <= LOCAL_LIMIT:
        for eid in own:
            found = credit_graph.local_risk(session, eid, fresh, as_of, config, scheme.key)
            if found.risk > 0:
                paths = [credit_graph.describe_path(p) for p in found.paths[:MAX_PATHS]]
                if len(found.paths) > MAX_PATHS:
                    paths.append(f"+{len(found.paths) - MAX_PATHS}")
                out[eid] = (round(found.risk, 4), tuple(paths))
        return out
    seeds = {} if everyone else credit_graph.stored_own_tiers(session, scheme.key, as_of)
    for eid, tier in own.items():
        seeds.pop(eid, None)
        if tier:
            seeds[eid] = tier
    return rounded(credit_graph.province_risks(session, seeds, as_of, config), own)


def rounded(
    risks: Mapping[int, float], among: Collection[int]
) -> dict[int, tuple[float, tuple[str, ...]]]:
    """The province's graph risks of the enterprises ``among``, as a stored result states them:
    rounded to 4 places (the province's sparse products and a neighbourhood's path sum agree
    to ~1e-14, and a stored result must not change with the way it was computed), no paths."""
    return {eid: (round(risk, 4), ()) for eid, risk in risks.items() if eid in among}


def assess_all(
    session: Session, scheme: Scheme, ids: Sequence[int], as_of: date, chunk: int, scope: Scope
) -> tuple[dict[int, Assessment], dict[int, Score]]:
    """The first half of a run: the assessment and own score (no graph risk) of each of ``ids``
    that has facts (:func:`credit.scoring.assess` once, then :func:`credit.scoring.finish`).
    The facts of a ``scope`` of None (every enterprise) or an :class:`IdRange` are read in one
    pass over each table, those of a list of ids ``chunk`` by ``chunk``."""
    assessed: dict[int, Assessment] = {}
    own: dict[int, Score] = {}
    whole = scope is None or isinstance(scope, IdRange)
    with _collector_paused():
        for part in [scope] if whole else chunks(ids, chunk):
            found = facts_of(session, part, as_of)
            for eid, known in found.items():
                if known:
                    assessed[eid] = assess(scheme, known, as_of)
                    own[eid] = finish(assessed[eid])
            del found
    return assessed, own


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused for the block (its previous state restored
    after). Reading and assessing the facts of a province builds millions of objects that all
    live on (facts, lines, scores), and each full collection walked every one of them again: a
    fifth of the CPU time of a full run. None of them is cyclic garbage, and objects without
    cycles are freed by reference counting as ever."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@dataclass
class Baseline:
    """What most enterprises share: no record at all, so one assessment (``empty``), its own
    score (``own``, also its final one: no record, no seed nearby) and that score's digest."""

    empty: Assessment
    own: Score
    digest: str
    lines_json: str  # its stored lines (JSON), shared by every row

    @classmethod
    def of(cls, scheme: Scheme, as_of: date) -> Baseline:
        empty = assess(scheme, [], as_of)
        own = finish(empty)
        fragments = [_fragment(c) for c in own.contributions]
        return cls(
            empty,
            own,
            _digest_of(own, fragments),
            _lines_of(own, fragments),
        )


def own_tiers(
    ids: Iterable[int], own: Mapping[int, Score], baseline: Baseline
) -> dict[int, str | None]:
    """The own tier of each of ``ids`` (the shared one for those without a record)."""
    empty_tier = _own_tier(baseline.own)
    return {eid: _own_tier(own[eid]) if eid in own else empty_tier for eid in ids}


def _finish_all(
    ids: Sequence[int],
    chunk: int,
    assessed: dict[int, Assessment],
    own: dict[int, Score],
    risks: Mapping[int, tuple[float, tuple[str, ...]]],
    baseline: Baseline,
) -> Iterator[tuple[list[int], dict[int, Score], dict[int, Score]]]:
    """Per chunk: the ids, their own scores and their final scores (finished again with the
    graph risk where they have some). Consumes ``assessed`` and ``own``."""
    for part in chunks(ids, chunk):
        mine = {eid: own.pop(eid, baseline.own) for eid in part}
        final = {}
        for eid in part:
            risk, paths = risks.get(eid, (0.0, ()))
            base = assessed.pop(eid, baseline.empty)
            final[eid] = (
                mine[eid] if risk <= 0 else finish(base, graph_risk=risk, graph_paths=paths)
            )
        yield part, mine, final


def _current(
    session: Session, scheme_key: str, on: date, enterprise_ids: Scope
) -> dict[int, tuple[str, str | None]]:
    """The digest and own tier of the score in force on a day, by enterprise (all, a range or
    the ones given): a lean :func:`in_force`. A full run (or a worker's range) reads all at
    once, in one pass over the history, rather than one lookup per chunk."""
    out: dict[int, tuple[str, str | None]] = {}
    parts: Iterable[Scope]
    if enterprise_ids is None or isinstance(enterprise_ids, IdRange):
        parts = [enterprise_ids]
    else:
        parts = chunks(sorted(enterprise_ids), 5000)
    for part in parts:
        latest = select(
            CreditScore.enterprise_id.label("eid"), func.max(CreditScore.id).label("id")
        ).where(
            CreditScore.scheme == scheme_key,
            CreditScore.as_of <= on,
            within(CreditScore.enterprise_id, part),
        )
        found = latest.group_by(CreditScore.enterprise_id).subquery()
        # Through the connection: plain rows, not the ORM's loading (a full run reads a million).
        rows = session.connection().execute(
            select(CreditScore.enterprise_id, CreditScore.digest, CreditScore.own_tier).join(
                found, CreditScore.id == found.c.id
            )
        )
        out.update((eid, (digest, own_tier)) for eid, digest, own_tier in rows)
    return out


def _graph_points(result: Score) -> float:
    return next(
        (c.measure or 0.0 for c in result.contributions if c.rule == "graph_risk"),
        0.0,
    )


_COLUMNS = (
    "enterprise_id",
    "scheme",
    "as_of",
    "computed_at",
    "reason",
    "status",
    "points",
    "score_tier",
    "own_tier",
    "tier",
    "sublevel",
    "graph_risk",
    "contributions",
    "digest",
)


def _insert(session: Session, rows: list[dict[str, Any]]) -> None:
    """Append score rows: COPY on PostgreSQL (a full run stores up to a million), a plain
    executemany elsewhere; then, in the same transaction, the current rows and tier counts of
    the enterprises written (``credit_current``: this is the one writer of scores), read back
    from the rows above the highest id before these (a range of the primary key)."""
    written_after = _highest_id(session)
    _copy(session, rows)
    by_scheme: dict[str, set[int]] = {}
    for row in rows:
        by_scheme.setdefault(row["scheme"], set()).add(row["enterprise_id"])
    for scheme_key, ids in sorted(by_scheme.items()):
        credit_current.refresh(session, scheme_key, ids, written_after=written_after)


def _highest_id(session: Session) -> int:
    """An id at least as high as any stored score's and lower than any stored from now on.
    On PostgreSQL the id sequence's last value: ``max(id)`` walks back over the rows that
    other workers of a full run are inserting, checking each one's visibility."""
    if session.get_bind().dialect.name == "postgresql":
        last = "SELECT pg_sequence_last_value(pg_get_serial_sequence('credit_scores', 'id'))"
        return int(session.scalar(text(last)) or 0)
    return int(session.scalar(select(func.max(CreditScore.id))) or 0)


def _copy(session: Session, rows: list[dict[str, Any]]) -> None:
    connection = session.connection()
    if connection.dialect.name != "postgresql" or len(rows) < 100:
        session.execute(insert(CreditScore), [_insert_values(row) for row in rows])
        return
    raw = connection.connection.driver_connection
    assert raw is not None
    shared: dict[tuple[Any, ...], str] = {}
    block = "".join(_copy_line(row, shared) for row in rows)
    with raw.cursor() as cur:
        with cur.copy(f"COPY credit_scores ({', '.join(_COLUMNS)}) FROM STDIN") as copy:
            copy.write(block.encode())


def _insert_values(row: dict[str, Any]) -> dict[str, Any]:
    values = {c: row[c] for c in _COLUMNS if c != "contributions"}
    return values | {"contributions": json.loads(row["lines_json"])}


# COPY's text format: tab-separated, \\N for NULL, a backslash, tab, newline and carriage return
# escaped with a backslash (PostgreSQL, COPY, "Text Format").
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_NULL = "\\N"


def _copy_line(row: dict[str, Any], shared: dict[tuple[Any, ...], str]) -> str:
    """One score row (``_COLUMNS``, the lines as ``lines_json``) in COPY's text format: the
    rows of a full run are written as one block of text (psycopg's adaptation row by row took
    a third of the time of storing them). The scheme key is escaped; the JSON of the lines has its
    backslashes doubled (JSON escapes every control character itself); the other values are
    numbers, dates, hexadecimal digests and the scoring library's codes. ``shared``: the
    columns that a batch's rows have in common (scheme, days, reason), written once."""
    lines = row["lines_json"]
    if "\\" in lines:
        lines = lines.replace("\\", "\\\\")
    key = (row["scheme"], row["as_of"], row["computed_at"], row["reason"])
    common = shared.get(key)
    if common is None:
        common = shared[key] = (
            f"{row['scheme'].translate(_COPY_ESCAPES)}\t{row['as_of'].isoformat()}\t"
            f"{row['computed_at'].isoformat()}\t{row['reason'].value}"
        )
    own_tier, tier, sublevel = row["own_tier"], row["tier"], row["sublevel"]
    return (
        f"{row['enterprise_id']}\t{common}\t{row['status']}\t{float(row['points'])!r}\t"
        f"{row['score_tier']}\t{_NULL if own_tier is None else own_tier}\t"
        f"{_NULL if tier is None else tier}\t{_NULL if sublevel is None else sublevel}\t"
        f"{float(row['graph_risk'])!r}\t{lines}\t{row['digest']}\n"
    )


@dataclass
class Stored:
    """What storing scored chunks did: the final tiers counted, the rows written, and the
    enterprises whose own tier became or stopped being a seed of graph risk."""

    tiers: Counter[str] = field(default_factory=Counter)
    changed: int = 0
    turned: set[int] = field(default_factory=set)


@dataclass(frozen=True)
class RunSpec:
    """Who runs a rescoring, under which scheme, as of which day, for what reason (stored on
    each row) and in chunks of how many enterprises (one transaction each). Plain data: a
    worker process receives it whole."""

    actor: Actor
    scheme: Scheme
    as_of: date
    reason: ScoreReason
    chunk: int


def store(
    session: Session,
    spec: RunSpec,
    scored: Iterable[tuple[list[int], dict[int, Score], dict[int, Score]]],
    *,
    baseline: Baseline,
    current: dict[int, tuple[str, str | None]] | None = None,
    statistics: credit_current.StatisticsKeeper | None = None,
    done: Callable[[int, int], None] | None = None,
) -> Stored:
    """The second half of a run: per scored chunk, append a row for each enterprise whose
    result differs from the one in force (by digest), one transaction per chunk. ``current``:
    the results in force of every enterprise of ``scored``, read at once (consumed); None
    reads them per chunk. ``done(n, written)`` after each chunk of ``n`` enterprises, of
    which ``written`` got a new row (committed)."""
    out = Stored()
    scheme, as_of, reason = spec.scheme, spec.as_of, spec.reason
    for part, own, final in scored:
        with transaction(session, actor=spec.actor):
            if current is None:
                before_of = _current(session, scheme.key, as_of, part)
            else:
                before_of = {eid: current.pop(eid) for eid in part if eid in current}
            rows = []
            now = utcnow()
            for eid in part:
                result = final[eid]
                out.tiers[result.tier.value if result.tier else "abnormal"] += 1
                fragments = None
                if result is baseline.own:
                    digest = baseline.digest
                else:
                    fragments = [_fragment(c) for c in result.contributions]
                    digest = _digest_of(result, fragments)
                own_tier = _own_tier(own[eid])
                before = before_of.get(eid)
                if (before is not None and before[1] in SEED_TIERS) != (own_tier in SEED_TIERS):
                    out.turned.add(eid)
                if before is not None and before[0] == digest:
                    continue
                rows.append(
                    {
                        "enterprise_id": eid,
                        "scheme": scheme.key,
                        "as_of": as_of,
                        "computed_at": now,
                        "reason": reason,
                        "status": result.status.value,
                        "points": result.points,
                        "score_tier": result.score_tier.value,
                        "own_tier": own_tier,
                        "tier": result.tier.value if result.tier else None,
                        "sublevel": result.sublevel,
                        "graph_risk": _graph_points(result),
                        "digest": digest,
                        # the stored lines (``contributions``) as JSON text, made of the
                        # digest's fragments: COPY writes it as it is
                        "lines_json": (
                            baseline.lines_json
                            if fragments is None
                            else _lines_of(result, fragments)
                        ),
                    }
                )
            if rows:
                _insert(session, rows)
            out.changed += len(rows)
        if statistics is not None and rows:
            statistics.wrote(len(rows))
        if done is not None:
            done(len(part), len(rows))
    return out


def store_share(
    session: Session,
    spec: RunSpec,
    ids: Sequence[int],
    assessed: dict[int, Assessment],
    own: dict[int, Score],
    risks: Mapping[int, tuple[float, tuple[str, ...]]],
    scope: Scope,
    statistics: credit_current.StatisticsKeeper | None,
    done: Callable[[int, int], None] | None = None,
) -> Stored:
    """Finish and store ``ids`` (every enterprise, or a worker's :class:`IdRange` of them)
    as a full run does: their results in force read at once, the planner's statistics kept
    by ``statistics`` as rows are written (a run across workers keeps them in the process
    that started them)."""
    baseline = Baseline.of(spec.scheme, spec.as_of)
    return store(
        session,
        spec,
        _finish_all(ids, spec.chunk, assessed, own, risks, baseline),
        baseline=baseline,
        current=_current(session, spec.scheme.key, spec.as_of, scope),
        statistics=statistics,
        done=done,
    )


# A full run on PostgreSQL is split across worker processes when each gets at least this many
# enterprises (below, starting the processes costs more than they save).
PARALLEL_MIN_SHARE = 25_000


def rescore(
    session: Session,
    actor: Actor,
    scheme: Scheme,
    *,
    as_of: date | None = None,
    enterprise_ids: Iterable[int] | None = None,
    reason: ScoreReason = ScoreReason.RESCORE,
    chunk: int = 2000,
    follow: bool = True,
    workers: int = 1,
    min_share: int = PARALLEL_MIN_SHARE,
    progress: Callable[[int, int], None] | None = None,
) -> RescoreReport:
    """Score enterprises (all, or the ones given) as of a day and append a row for each whose
    result changed; commits per chunk. When some of the given enterprises became or stopped
    being a seed of graph risk (their own tier turned red or black, or back), their
    neighbours within reach are rescored too (``follow``).

    A full run (all enterprises) on PostgreSQL is split across up to ``workers`` processes,
    each with at least ``min_share`` enterprises (:mod:`casemgr.services.credit_workers`); it
    stores the same rows as a run in this process. Raises PermissionDenied."""
    import time

    require(actor, Permission.MANAGE_CREDIT)
    started = time.monotonic()
    as_of = as_of or local_today()
    if enterprise_ids is None:
        order = select(Enterprise.id).order_by(Enterprise.id)
        ids = list(session.connection().execute(order).scalars())
    else:
        ids = sorted(set(enterprise_ids))
    report = RescoreReport(as_of, scheme.key, enterprises=len(ids))
    spec = RunSpec(actor, scheme, as_of, reason, chunk)
    tally = _Tally(len(ids), progress)
    share_count = min(workers, len(ids) // max(min_share, 1))
    if enterprise_ids is None and share_count > 1 and _postgresql(session):
        from casemgr.services import credit_workers

        stored = credit_workers.run(session, spec, ids, share_count, tally.add)
        report.workers = share_count
    elif enterprise_ids is None:
        assessed, own = assess_all(session, scheme, ids, as_of, chunk, None)
        baseline = Baseline.of(scheme, as_of)
        tiers = own_tiers(ids, own, baseline)
        risks = graph_risks(session, scheme, tiers, as_of, everyone=True)
        del tiers
        keeper = credit_current.StatisticsKeeper(session)
        stored = store_share(session, spec, ids, assessed, own, risks, None, keeper, tally.add)
    else:
        assessed, own = assess_all(session, scheme, ids, as_of, chunk, ids)
        baseline = Baseline.of(scheme, as_of)
        risks = graph_risks(session, scheme, own_tiers(ids, own, baseline), as_of)
        scored = _finish_all(ids, chunk, assessed, own, risks, baseline)
        stored = store(session, spec, scored, baseline=baseline, done=tally.add)
    report.changed = stored.changed
    report.tiers = dict(sorted(stored.tiers.items()))
    turned = stored.turned
    if follow and enterprise_ids is not None and turned and scheme.graph_risk is not None:
        config = risk_config(scheme)
        near: set[int] = set()
        for eid in sorted(turned):
            near |= credit_graph.neighbours(session, eid, as_of, config)
        session.commit()  # end the read transaction before the neighbours' own
        if near - set(ids):
            more = rescore(
                session,
                actor,
                scheme,
                as_of=as_of,
                enterprise_ids=near - set(ids),
                reason=reason,
                chunk=chunk,
                follow=False,
            )
            report.enterprises += more.enterprises
            report.changed += more.changed
    report.seconds = time.monotonic() - started
    return report


def _postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


@dataclass
class _Tally:
    """Enterprises done so far, reported to a progress callback."""

    total: int
    progress: Callable[[int, int], None] | None
    done: int = 0

    def add(self, n: int, written: int = 0) -> None:
        self.done += n
        if self.progress is not None:
            self.progress(self.done, self.total)


def explain(
    session: Session, actor: Actor, scheme: Scheme, enterprise_id: int, as_of: date | None = None
) -> Score:
    """The enterprise's score as of a day (today by default), computed from what was recorded
    by then, with every contribution. Raises PermissionDenied, NotFound."""
    require(actor, Permission.READ_ENTERPRISES)
    if session.get(Enterprise, enterprise_id) is None:
        raise NotFound(kind="Enterprise", key=enterprise_id)
    as_of = as_of or local_today()
    facts = facts_of(session, [enterprise_id], as_of)[enterprise_id]
    assessment = assess(scheme, facts, as_of)
    own = finish(assessment)
    risk, paths = graph_risks(session, scheme, {enterprise_id: _own_tier(own)}, as_of).get(
        enterprise_id, (0.0, ())
    )
    return own if risk <= 0 else finish(assessment, graph_risk=risk, graph_paths=paths)


def history(
    session: Session, actor: Actor, scheme: Scheme, enterprise_id: int
) -> list[CreditScore]:
    """Every stored score of the enterprise under the scheme, oldest first. Raises
    PermissionDenied, NotFound."""
    require(actor, Permission.READ_ENTERPRISES)
    if session.get(Enterprise, enterprise_id) is None:
        raise NotFound(kind="Enterprise", key=enterprise_id)
    stmt = (
        select(CreditScore)
        .where(CreditScore.scheme == scheme.key, CreditScore.enterprise_id == enterprise_id)
        .order_by(CreditScore.as_of, CreditScore.id)
    )
    return list(session.scalars(stmt))
