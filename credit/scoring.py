"""Scoring an enterprise under a scheme as of a day, with every point explained (信用评价).

:func:`score` reads the facts that count as of the day (:func:`credit.facts.effective_facts`),
measures each indicator over its window, turns the measure into points through the
indicator's bands, deducts the graph risk (关联风险) up to the scheme's cap, and finds the tier
by the cut-offs. Then, in this order:

1. in-period downgrade events (降级) lower the tier by their steps or to their tier;
2. a one-vote veto (一票否决) sets the tier to the veto's tier, whatever the score and the
   downgrades (环发〔2013〕150号: such enterprises are *directly rated* 不良);
3. an enterprise that cannot be rated (异常, e.g. deregistered or shut down) gets no tier,
   unless a veto applies: 直接评为不良 stands, since a deregistered polluter's red tier still
   warns about its related parties (graph risk) and successors.

The result lists every contribution with its rule, points, the records it came from and the
scheme version, so that the same facts always give the same score and anyone can check it.
"""

from __future__ import annotations

import calendar
import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from credit.facts import Fact, FactKind, effective_facts
from credit.schemes import (
    Downgrade,
    Indicator,
    Measure,
    MeasureKind,
    Scheme,
    Tier,
    TierRule,
    Veto,
)

__all__ = [
    "Assessment",
    "Contribution",
    "ContributionKind",
    "Score",
    "Status",
    "assess",
    "finish",
    "months_after",
    "months_before",
    "score",
]


class Status(enum.StrEnum):
    RATED = "rated"
    ABNORMAL = "abnormal"  # 异常: not rateable


class ContributionKind(enum.StrEnum):
    INDICATOR = "indicator"
    GRAPH_RISK = "graph_risk"
    DOWNGRADE = "downgrade"
    VETO = "veto"
    NOT_RATEABLE = "not_rateable"


@dataclass(frozen=True, slots=True)
class Contribution:
    """One line of a score's explanation.

    ``points`` is what the line earned (an indicator) or cost (graph risk, negative); zero for
    downgrades, vetoes and the not-rateable status, which act on the tier. ``measure`` is the
    indicator's measured value (None without data), ``band`` the band's label, ``records`` the
    source records (or, for graph risk, the explained paths).
    """

    kind: ContributionKind
    rule: str
    name: str
    group: str
    points: float
    max_points: float
    measure: float | None
    band: str
    records: tuple[str, ...]
    scheme: str


@dataclass(frozen=True, slots=True)
class Score:
    """An enterprise's score and tier as of a day under one scheme version.

    ``score_tier`` is the tier the points alone give; ``tier`` the final one (after downgrades
    and vetoes), None when not rateable; ``sublevel`` 1-3 within the tier where the scheme has
    sub-levels and the tier is the points' own.
    """

    scheme: str
    as_of: date
    status: Status
    points: float
    score_tier: Tier
    tier: Tier | None
    sublevel: int | None
    contributions: tuple[Contribution, ...]

    @property
    def vetoed(self) -> bool:
        return any(c.kind is ContributionKind.VETO for c in self.contributions)


def months_before(day: date, months: int) -> date:
    """The same day `months` earlier (the month's last day when it has fewer days).

    >>> months_before(date(2026, 3, 31), 1), months_before(date(2026, 1, 15), 36)
    (datetime.date(2026, 2, 28), datetime.date(2023, 1, 15))
    """
    return months_after(day, -months)


def months_after(day: date, months: int) -> date:
    """The same day `months` later (the month's last day when it has fewer days).

    >>> months_after(date(2026, 3, 1), 3), months_after(date(2026, 8, 31), 6)
    (datetime.date(2026, 6, 1), datetime.date(2027, 2, 28))
    """
    total = day.year * 12 + day.month - 1 + months
    year, month = divmod(total, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


@lru_cache(maxsize=1024)
def _cutoff(as_of: date, months: int) -> date:
    return months_before(as_of, months)


def _by_kind(facts: Iterable[Fact]) -> dict[FactKind, list[Fact]]:
    """The facts grouped by kind, each group oldest first (by day, then recording day and
    record): each window then reads only its kind, already in order."""
    out: dict[FactKind, list[Fact]] = {}
    for f in facts:
        out.setdefault(f.kind, []).append(f)
    for group in out.values():
        if len(group) > 1:
            group.sort(key=_fact_order)
    return out


def _fact_order(f: Fact) -> tuple[date, date, str]:
    return (f.on, f.recorded, f.record)


def _in_window(
    facts: Sequence[Fact], as_of: date, months: int, levels: Sequence[str] = ()
) -> Sequence[Fact]:
    """Those of ``facts`` (one kind, oldest first: a group of :func:`_by_kind`) that happened
    within `months` before `as_of` (after the cut-off day, up to and including `as_of`), of
    the given levels if any, oldest first. Not to be modified: it may be ``facts`` itself."""
    if not facts:
        return facts
    cutoff = _cutoff(as_of, months)
    if not levels:
        if facts[0].on > cutoff:
            return facts
        return [f for f in facts if cutoff < f.on]
    return [f for f in facts if cutoff < f.on and f.level in levels]


def _measure(m: Measure, facts: Sequence[Fact]) -> float | None:
    if m.kind is MeasureKind.COUNT:
        return float(len(facts))
    if m.kind is MeasureKind.SUM:
        return float(sum(f.amount or 0.0 for f in facts))
    values = [f.value for f in facts if f.value is not None]
    if not values:
        return None
    if m.kind is MeasureKind.LATEST:
        return values[-1]
    return sum(values) / len(values)


# The line of an indicator whose window holds no fact depends on the indicator alone: one
# shared (immutable) line per indicator, group and scheme version, instead of one per
# enterprise (most enterprises' windows are all empty). Keyed by the indicator's identity and
# holding it, so that a key is never reused by another indicator.
_EMPTY_LINES: dict[tuple[int, str, str], tuple[Indicator, Contribution]] = {}
_EMPTY_LINES_MAX = 10_000


def _indicator(
    ind: Indicator, group: str, facts: dict[FactKind, list[Fact]], as_of: date, key: str
) -> Contribution:
    m = ind.measure
    found = _in_window(facts.get(m.fact, ()), as_of, m.months, m.levels)
    if not found:
        shared = _EMPTY_LINES.get((id(ind), group, key))
        if shared is not None and shared[0] is ind:
            return shared[1]
    value = _measure(m, found)
    if value is None:
        fraction, label = ind.missing, "no data"
    else:
        band = next(b for b in ind.bands if b.upto is None or value <= b.upto + 1e-12)
        fraction, label = band.fraction, band.label
    line = Contribution(
        ContributionKind.INDICATOR,
        ind.id,
        ind.name,
        group,
        round(ind.points * fraction, 4),
        ind.points,
        value,
        label,
        tuple(f.record for f in found),
        key,
    )
    if not found:
        if len(_EMPTY_LINES) >= _EMPTY_LINES_MAX:
            _EMPTY_LINES.clear()
        _EMPTY_LINES[(id(ind), group, key)] = (ind, line)
    return line


def _tier_of(tiers: Sequence[TierRule], points: float) -> tuple[TierRule, int | None]:
    rule = next(t for t in tiers if points >= t.min_score - 1e-9)
    if not rule.sublevels:
        return rule, None
    return rule, next(i for i, low in enumerate(rule.sublevels, 1) if points >= low - 1e-9)


@dataclass(frozen=True, slots=True)
class Assessment:
    """What an enterprise's facts say as of a day, before graph risk (评价依据): the indicator
    lines, the downgrade events and vetoes found in their windows (with their records) and the
    latest not-rateable flag. Graph risk changes none of it, only the points and so the tier
    (:func:`finish`): the nightly run assesses each enterprise once and finishes it twice, on
    its own and with the risk its related parties bring."""

    scheme: Scheme
    as_of: date
    lines: tuple[Contribution, ...]
    downgrades: tuple[tuple[Downgrade, tuple[str, ...]], ...]
    vetoes: tuple[tuple[Veto, tuple[str, ...]], ...]
    flag: Fact | None


def assess(scheme: Scheme, facts: Sequence[Fact], as_of: date) -> Assessment:
    """Measure the facts that count as of `as_of` (:func:`credit.facts.effective_facts`; the
    facts may include later ones) against the scheme's indicators, downgrades and vetoes."""
    known = effective_facts(list(facts), as_of)
    kinds = _by_kind(known)
    key = scheme.key
    lines = tuple(
        _indicator(ind, g.id, kinds, as_of, key) for g in scheme.groups for ind in g.indicators
    )
    downgrades = []
    for down in scheme.downgrades:
        found = _in_window(kinds.get(down.fact, ()), as_of, down.months, down.levels)
        if found:
            downgrades.append((down, tuple(f.record for f in found)))
    vetoes = []
    for veto in scheme.vetoes:
        records = tuple(
            f.record
            for kind in veto.facts
            for f in _in_window(kinds.get(kind, ()), as_of, veto.months)
        )
        if records:
            vetoes.append((veto, records))
    flags = kinds.get(FactKind.NOT_RATEABLE)
    return Assessment(
        scheme, as_of, lines, tuple(downgrades), tuple(vetoes), flags[-1] if flags else None
    )


def score(
    scheme: Scheme,
    facts: Sequence[Fact],
    as_of: date,
    *,
    graph_risk: float = 0.0,
    graph_paths: Sequence[str] = (),
) -> Score:
    """Score the facts of one enterprise as of a day.

    Parameters
    ----------
    scheme : Scheme
    facts : sequence of Fact
        Everything known about the enterprise, whenever recorded: the function keeps what
        counts as of `as_of`.
    as_of : date
    graph_risk : float
        Points of graph risk (:mod:`credit.graph_risk`); the scheme caps what is deducted.
    graph_paths : sequence of str
        The explained paths behind `graph_risk`, kept in its contribution.
    """
    return finish(assess(scheme, facts, as_of), graph_risk=graph_risk, graph_paths=graph_paths)


def finish(
    assessment: Assessment, *, graph_risk: float = 0.0, graph_paths: Sequence[str] = ()
) -> Score:
    """The score of an assessment with `graph_risk` points of graph risk (explained by
    `graph_paths`): the same as :func:`score` of its facts with that risk."""
    scheme, as_of = assessment.scheme, assessment.as_of
    key = scheme.key
    lines = list(assessment.lines)
    points = sum(c.points for c in lines)
    if scheme.graph_risk is not None and graph_risk > 0:
        cost = round(min(graph_risk, scheme.graph_risk.max_points), 4)
        lines.append(
            Contribution(
                ContributionKind.GRAPH_RISK,
                "graph_risk",
                "关联风险",
                scheme.graph_risk.group,
                -cost,
                scheme.graph_risk.max_points,
                graph_risk,
                "",
                tuple(graph_paths),
                key,
            )
        )
        points -= cost
    points = round(max(points, 0.0), 4)
    rule, sublevel = _tier_of(scheme.tiers, points)
    tiers = [t.tier for t in scheme.tiers]
    tier = rule.tier

    for down, records in assessment.downgrades:
        index = min(tiers.index(tier) + down.steps, len(tiers) - 1)
        if down.to is not None:
            index = max(index, tiers.index(down.to))
        tier = tiers[index]
        lines.append(
            Contribution(
                ContributionKind.DOWNGRADE,
                down.id,
                down.name,
                "",
                0.0,
                0.0,
                None,
                tier.value,
                records,
                key,
            )
        )

    for veto, records in assessment.vetoes:
        lines.append(
            Contribution(
                ContributionKind.VETO,
                veto.id,
                veto.name,
                "",
                0.0,
                0.0,
                None,
                veto.tier.value,
                records,
                key,
            )
        )
    if assessment.vetoes:
        tier = max((v.tier for v, _ in assessment.vetoes), key=lambda t: t.rank)
    if tier is not rule.tier:
        sublevel = None

    status = Status.RATED
    flag = assessment.flag
    if flag is not None and (flag.value is None or flag.value >= 0.5) and not assessment.vetoes:
        status = Status.ABNORMAL
        lines.append(
            Contribution(
                ContributionKind.NOT_RATEABLE,
                "not_rateable",
                "异常单位",
                "",
                0.0,
                0.0,
                None,
                flag.detail,
                (flag.record,),
                key,
            )
        )
    return Score(
        scheme=key,
        as_of=as_of,
        status=status,
        points=points,
        score_tier=rule.tier,
        tier=None if status is Status.ABNORMAL else tier,
        sublevel=None if status is Status.ABNORMAL else sublevel,
        contributions=tuple(lines),
    )
