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

import hashlib
import json
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select
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
from casemgr.services.credit_facts import facts_of
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
    "stored_rows",
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


def stored_rows(result: Score) -> list[dict[str, Any]]:
    """What a stored score keeps of its explanation: the lines that count (an indicator that
    lost points or names records, graph risk, downgrades, vetoes, not rateable). Lines at full
    points without records are left out (most enterprises have only such lines): the whole
    explanation is recomputed for any day by :func:`explain`, and the digest covers it."""
    return [
        _row(c)
        for c in result.contributions
        if c.records or c.points != c.max_points or c.kind is not ContributionKind.INDICATOR
    ]


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
    text = "".join(
        (
            '{"contributions":[',
            ",".join(_fragment(c) for c in result.contributions),
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
    return hashlib.sha256(text.encode()).hexdigest()


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
    session: Session, scheme: Scheme, own: Mapping[int, str | None], as_of: date
) -> dict[int, tuple[float, tuple[str, ...]]]:
    """Graph risk points and explained paths of the enterprises of ``own`` (their own tiers,
    just computed), for those that have some."""
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
    seeds = credit_graph.stored_own_tiers(session, scheme.key, as_of)
    for eid, tier in own.items():
        seeds.pop(eid, None)
        if tier:
            seeds[eid] = tier
    risks = credit_graph.province_risks(session, seeds, as_of, config)
    # Rounded: the province's sparse products and a neighbourhood's path sum agree to ~1e-14,
    # and a stored result must not change with the way it was computed.
    return {eid: (round(risk, 4), ()) for eid, risk in risks.items() if eid in own}


def _score_all(
    session: Session,
    scheme: Scheme,
    ids: Sequence[int],
    as_of: date,
    chunk: int,
    empty: Assessment,
    empty_own: Score,
    everyone: bool,
) -> Iterable[tuple[list[int], dict[int, Score], dict[int, Score]]]:
    """Per chunk: the ids, their own scores (no graph risk) and their final scores.

    Most enterprises have no record at all: they share one assessment (``empty``) and one own
    score (``empty_own``, its :func:`credit.scoring.finish`). The others are assessed once
    (:func:`credit.scoring.assess`) and finished on their own; those with graph risk are
    finished again with it. The facts of ``everyone`` (all enterprises) are read in one pass
    over each table.
    """
    assessed: dict[int, Assessment] = {}
    own: dict[int, Score] = {}
    for part in [None] if everyone else chunks(ids, chunk):
        found = facts_of(session, part, as_of)
        for eid, known in found.items():
            if known:
                assessed[eid] = assess(scheme, known, as_of)
                own[eid] = finish(assessed[eid])
        del found
    empty_tier = _own_tier(empty_own)
    own_tiers = {eid: _own_tier(own[eid]) if eid in own else empty_tier for eid in ids}
    risks = graph_risks(session, scheme, own_tiers, as_of)
    del own_tiers
    for part in chunks(ids, chunk):
        mine = {eid: own.pop(eid, empty_own) for eid in part}
        final = {}
        for eid in part:
            risk, paths = risks.get(eid, (0.0, ()))
            base = assessed.pop(eid, empty)
            final[eid] = (
                mine[eid] if risk <= 0 else finish(base, graph_risk=risk, graph_paths=paths)
            )
        yield part, mine, final


def _current(
    session: Session, scheme_key: str, on: date, enterprise_ids: Collection[int] | None
) -> dict[int, tuple[str, str | None]]:
    """The digest and own tier of the score in force on a day, by enterprise (all, or the
    ones given): a lean :func:`in_force`. A full run reads all at once, in one pass over the
    history, rather than one lookup per chunk."""
    out: dict[int, tuple[str, str | None]] = {}
    parts = [None] if enterprise_ids is None else chunks(sorted(enterprise_ids), 5000)
    for part in parts:
        latest = select(
            CreditScore.enterprise_id.label("eid"), func.max(CreditScore.id).label("id")
        ).where(CreditScore.scheme == scheme_key, CreditScore.as_of <= on)
        if part is not None:
            latest = latest.where(CreditScore.enterprise_id.in_(part))
        found = latest.group_by(CreditScore.enterprise_id).subquery()
        rows = session.execute(
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
    written_after = session.scalar(select(func.max(CreditScore.id))) or 0
    _copy(session, rows)
    by_scheme: dict[str, set[int]] = {}
    for row in rows:
        by_scheme.setdefault(row["scheme"], set()).add(row["enterprise_id"])
    for scheme_key, ids in sorted(by_scheme.items()):
        credit_current.refresh(session, scheme_key, ids, written_after=written_after)


def _copy(session: Session, rows: list[dict[str, Any]]) -> None:
    connection = session.connection()
    if connection.dialect.name != "postgresql" or len(rows) < 100:
        session.execute(insert(CreditScore), rows)
        return
    from psycopg.types.json import Jsonb

    raw = connection.connection.driver_connection
    assert raw is not None
    with raw.cursor() as cur:
        with cur.copy(f"COPY credit_scores ({', '.join(_COLUMNS)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(
                    [
                        Jsonb(row[c]) if c == "contributions" else row[c].value if c == "reason"
                        else row[c]
                        for c in _COLUMNS
                    ]
                )  # fmt: skip


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
    progress: Callable[[int, int], None] | None = None,
) -> RescoreReport:
    """Score enterprises (all, or the ones given) as of a day and append a row for each whose
    result changed; commits per chunk. When some of the given enterprises became or stopped
    being a seed of graph risk (their own tier turned red or black, or back), their
    neighbours within reach are rescored too (``follow``). Raises PermissionDenied."""
    import time

    require(actor, Permission.MANAGE_CREDIT)
    started = time.monotonic()
    as_of = as_of or local_today()
    if enterprise_ids is None:
        ids = list(session.scalars(select(Enterprise.id).order_by(Enterprise.id)))
    else:
        ids = sorted(set(enterprise_ids))
    report = RescoreReport(as_of, scheme.key, enterprises=len(ids))
    tiers: dict[str, int] = {}
    turned: set[int] = set()  # enterprises whose seed status changed
    empty = assess(scheme, [], as_of)
    empty_own = finish(empty)
    empty_digest = _digest(empty_own)
    done = 0
    everyone = _current(session, scheme.key, as_of, None) if enterprise_ids is None else None
    statistics = credit_current.StatisticsKeeper(session) if enterprise_ids is None else None
    for part, own, final in _score_all(
        session, scheme, ids, as_of, chunk, empty, empty_own, enterprise_ids is None
    ):
        with transaction(session, actor=actor):
            if everyone is None:
                current = _current(session, scheme.key, as_of, part)
            else:
                current = {eid: everyone.pop(eid) for eid in part if eid in everyone}
            rows = []
            now = utcnow()
            for eid in part:
                result = final[eid]
                tier = result.tier.value if result.tier else "abnormal"
                tiers[tier] = tiers.get(tier, 0) + 1
                digest = empty_digest if result is empty_own else _digest(result)
                own_tier = _own_tier(own[eid])
                before = current.get(eid)
                if (before is not None and before[1] in SEED_TIERS) != (own_tier in SEED_TIERS):
                    turned.add(eid)
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
                        "contributions": stored_rows(result),
                        "digest": digest,
                    }
                )
            if rows:
                _insert(session, rows)
            report.changed += len(rows)
        if statistics is not None and rows:
            statistics.wrote(len(rows))
        done += len(part)
        if progress is not None:
            progress(done, len(ids))
    report.tiers = dict(sorted(tiers.items()))
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
