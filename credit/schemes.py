"""Credit scoring schemes as versioned data (评价指标体系), loaded and checked.

A scheme is a JSON file (``credit/schemes/*.json``): indicator groups with points, each
indicator a measure over the enterprise's facts and bands that turn the measure into a share of
its points; one-vote-veto rules (一票否决); in-period downgrade events; tier cut-offs with
sub-levels; the publication, objection and repair periods; the consequences of each tier (an
inspection class and sampling weight, green-credit flags). Nothing of this is code: a province
that changes its cut-offs edits the file and bumps its version.

Texts are Chinese, the official wording; each may have an English twin beside it (``name_en``,
``source_en``, ``basis_en``, ``label_en``, ``assumptions_en``), optional so that a provincial
file without them still loads. :func:`text` picks the one for a locale.

:func:`load_scheme` rejects a bad file with :class:`SchemeError`, whose ``path`` names the bad
field (``groups[1].indicators[0].bands[2].fraction``).

Hand-written validation rather than a schema library: ``credit/`` is pure (no marshmallow) and
the checks that matter (points adding up, bands ascending, tiers descending) are cross-field.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from os import PathLike
from pathlib import Path
from typing import Any

from credit.facts import FactKind
from credit.reading import At, SchemeError

__all__ = [
    "SHIPPED",
    "Band",
    "Consequence",
    "Downgrade",
    "GraphRiskRule",
    "Group",
    "Indicator",
    "Measure",
    "MeasureKind",
    "Periods",
    "Scheme",
    "SchemeError",
    "Tier",
    "TierRule",
    "Veto",
    "load_scheme",
    "shipped_scheme",
    "text",
]

SCHEME_DIR = Path(__file__).resolve().parent / "schemes"
SHIPPED = ("guizhou-2019", "national-2013", "five-colour")


class Tier(enum.StrEnum):
    """Credit tiers, best first (环发〔2013〕150号; black where a scheme has five colours)."""

    GREEN = "green"  # 环保诚信
    BLUE = "blue"  # 环保良好
    YELLOW = "yellow"  # 环保警示
    RED = "red"  # 环保不良
    BLACK = "black"  # 严重失信 (five-colour schemes, e.g. Jiangsu)

    @property
    def rank(self) -> int:
        """0 for green, 4 for black: a larger rank is a worse tier."""
        return list(Tier).index(self)


class MeasureKind(enum.StrEnum):
    COUNT = "count"  # how many facts of the kind in the window
    SUM = "sum"  # their amounts added
    LATEST = "latest"  # the latest value (a rate); none without data
    SHARE = "share"  # the mean of their values (on-time rectifications); none without data


@dataclass(frozen=True, slots=True)
class Measure:
    kind: MeasureKind
    fact: FactKind
    months: int  # the window ending on the as-of day (a publication period for penalties)
    levels: tuple[str, ...] = ()  # only facts of these levels, when given


@dataclass(frozen=True, slots=True)
class Band:
    """Measures up to ``upto`` (inclusive; None: any) earn ``fraction`` of the points."""

    upto: float | None
    fraction: float
    label: str = ""
    label_en: str = ""


@dataclass(frozen=True, slots=True)
class Indicator:
    id: str
    name: str
    points: float
    measure: Measure
    bands: tuple[Band, ...]
    missing: float  # the fraction earned when the measure has no data (latest, share)
    basis: str = ""
    name_en: str = ""
    basis_en: str = ""


@dataclass(frozen=True, slots=True)
class Group:
    id: str
    name: str
    points: float
    indicators: tuple[Indicator, ...]
    name_en: str = ""


@dataclass(frozen=True, slots=True)
class Veto:
    """A fact in the window sets the tier to ``tier`` whatever the score (一票否决)."""

    id: str
    name: str
    facts: tuple[FactKind, ...]
    months: int
    tier: Tier
    basis: str
    name_en: str = ""
    basis_en: str = ""


@dataclass(frozen=True, slots=True)
class Downgrade:
    """A fact in the window lowers the tier by ``steps``, or to ``to`` (the worse of both)."""

    id: str
    name: str
    fact: FactKind
    levels: tuple[str, ...]
    months: int
    steps: int
    to: Tier | None
    basis: str
    name_en: str = ""
    basis_en: str = ""


@dataclass(frozen=True, slots=True)
class TierRule:
    """Scores from ``min_score`` earn the tier; ``sublevels`` are the minimum scores of levels
    1, 2, 3 (best first) within it, empty where the scheme has none."""

    tier: Tier
    name: str
    min_score: float
    sublevels: tuple[float, ...] = ()
    name_en: str = ""


@dataclass(frozen=True, slots=True)
class GraphRiskRule:
    """Graph risk (关联风险) costs at most ``max_points``, taken from group ``group``."""

    max_points: float
    group: str


@dataclass(frozen=True, slots=True)
class Periods:
    """Publication and repair periods (DOMAIN.md §4.4; 信用修复管理办法 2023) in months, and
    the objection window in days."""

    publication_min_months: int
    publication_max_months: int
    objection_days: int
    repair_min_months: int


@dataclass(frozen=True, slots=True)
class Consequence:
    """What a tier means for the other issues: the random-inspection class and sampling
    weight (双随机 pools), and the flag for green-credit lists (绿色信贷)."""

    inspection_class: str
    sampling_weight: float
    green_credit: str


@dataclass(frozen=True)
class Scheme:
    id: str
    version: str
    name: str
    effective_from: date
    source: str
    assumptions: tuple[str, ...]
    groups: tuple[Group, ...]
    vetoes: tuple[Veto, ...]
    downgrades: tuple[Downgrade, ...]
    tiers: tuple[TierRule, ...]
    graph_risk: GraphRiskRule | None
    periods: Periods
    consequences: Mapping[Tier, Consequence] = field(default_factory=dict)
    name_en: str = ""
    source_en: str = ""
    assumptions_en: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        """``id@version``: what every stored score names."""
        return f"{self.id}@{self.version}"

    @property
    def total_points(self) -> float:
        return sum(g.points for g in self.groups)

    def tier_rule(self, tier: Tier) -> TierRule | None:
        return next((t for t in self.tiers if t.tier is tier), None)


# -- reading ----------------------------------------------------------------------------------


_MONTHS = 600  # 50 years: a window longer than that is a typo


def _measure(at: At) -> Measure:
    return Measure(
        kind=at.choice("kind", MeasureKind),
        fact=at.choice("fact", FactKind),
        months=at.whole("months", 1, _MONTHS),
        levels=at.strings("levels"),
    )


def _band(at: At) -> Band:
    upto = at.data.get("upto")
    if upto is not None:
        upto = at.get("upto", float)
    return Band(
        upto, at.number("fraction", 0.0, 1.0), at.text("label", ""), at.text("label_en", "")
    )


def _indicator(at: At) -> Indicator:
    bands = at.items("bands", _band)
    for i, (a, b) in enumerate(zip(bands, bands[1:], strict=False), 1):
        if a.upto is None or (b.upto is not None and b.upto <= a.upto):
            raise SchemeError(f"{at.sub('bands')}[{i}].upto", "bands must ascend, open band last")
    if bands[-1].upto is not None:
        raise SchemeError(
            f"{at.sub('bands')}[{len(bands) - 1}].upto", "the last band must be open (no upto)"
        )
    return Indicator(
        id=at.text("id"),
        name=at.text("name"),
        points=at.number("points", 0.0, 1000.0),
        measure=_measure(At(at.data.get("measure"), at.sub("measure"))),
        bands=bands,
        missing=at.number("missing", 0.0, 1.0, 1.0),
        basis=at.text("basis", ""),
        name_en=at.text("name_en", ""),
        basis_en=at.text("basis_en", ""),
    )


def _group(at: At) -> Group:
    group = Group(
        at.text("id"),
        at.text("name"),
        at.number("points", 0.0, 1000.0),
        at.items("indicators", _indicator),
        at.text("name_en", ""),
    )
    total = sum(i.points for i in group.indicators)
    if abs(total - group.points) > 1e-9:
        raise SchemeError(
            at.sub("points"), f"is {group.points:g} but its indicators add up to {total:g}"
        )
    return group


def _veto(at: At) -> Veto:
    facts = at.strings("facts", FactKind)
    if not facts:
        raise SchemeError(at.sub("facts"), "must name at least one fact kind")
    return Veto(
        at.text("id"),
        at.text("name"),
        facts,
        at.whole("months", 1, _MONTHS),
        at.choice("tier", Tier),
        at.text("basis"),
        at.text("name_en", ""),
        at.text("basis_en", ""),
    )


def _downgrade(at: At) -> Downgrade:
    to = at.choice("to", Tier) if at.data.get("to") is not None else None
    steps = at.whole("steps", 0, 4, 0)
    if to is None and steps == 0:
        raise SchemeError(at.sub("steps"), "give steps (1-4) or a tier to move to")
    return Downgrade(
        at.text("id"),
        at.text("name"),
        at.choice("fact", FactKind),
        at.strings("levels"),
        at.whole("months", 1, _MONTHS),
        steps,
        to,
        at.text("basis"),
        at.text("name_en", ""),
        at.text("basis_en", ""),
    )


def _tier(at: At) -> TierRule:
    sub = at.data.get("sublevels", [])
    if not isinstance(sub, list) or not all(isinstance(v, int | float) for v in sub):
        raise SchemeError(at.sub("sublevels"), "must be a list of numbers")
    rule = TierRule(
        at.choice("tier", Tier),
        at.text("name"),
        at.number("min_score", 0.0, 1000.0),
        tuple(float(v) for v in sub),
        at.text("name_en", ""),
    )
    levels = rule.sublevels
    if levels and (
        any(b >= a for a, b in zip(levels, levels[1:], strict=False))
        or levels[-1] != rule.min_score
    ):
        raise SchemeError(at.sub("sublevels"), "must descend and end at the tier's min_score")
    return rule


def _consequences(at: At, tiers: tuple[TierRule, ...]) -> dict[Tier, Consequence]:
    out: dict[Tier, Consequence] = {}
    for rule in tiers:
        key = rule.tier.value
        if key not in at.data:
            raise SchemeError(at.sub(key), "is required (every tier needs its consequences)")
        c = At(at.data[key], at.sub(key))
        out[rule.tier] = Consequence(
            c.text("inspection_class"),
            c.number("sampling_weight", 0.0, 100.0),
            c.text("green_credit"),
        )
    return out


def _periods(at: At) -> Periods:
    p = Periods(
        at.whole("publication_min_months", 0, _MONTHS),
        at.whole("publication_max_months", 1, _MONTHS),
        at.whole("objection_days", 1, 365),
        at.whole("repair_min_months", 0, _MONTHS),
    )
    if p.publication_min_months > p.publication_max_months:
        raise SchemeError(at.sub("publication_min_months"), "exceeds publication_max_months")
    return p


def parse_scheme(data: object) -> Scheme:
    """A scheme from parsed JSON; raises :class:`SchemeError` naming the bad field."""
    at = At(data, "")
    try:
        effective = date.fromisoformat(at.text("effective_from"))
    except ValueError:
        raise SchemeError("effective_from", "must be a date (YYYY-MM-DD)") from None
    tiers = at.items("tiers", _tier)
    for i, (a, b) in enumerate(zip(tiers, tiers[1:], strict=False), 1):
        if b.tier.rank <= a.tier.rank or b.min_score >= a.min_score:
            raise SchemeError(
                f"tiers[{i}]", "tiers must go from best to worst, min_score descending"
            )
    if tiers[-1].min_score != 0:
        raise SchemeError(f"tiers[{len(tiers) - 1}].min_score", "the worst tier must start at 0")
    groups = at.items("groups", _group)
    ids = [i.id for g in groups for i in g.indicators]
    if len(set(ids)) != len(ids):
        raise SchemeError("groups", "indicator ids must be unique")
    graph_risk = None
    if at.data.get("graph_risk") is not None:
        g = At(at.data["graph_risk"], "graph_risk")
        graph_risk = GraphRiskRule(g.number("max_points", 0.0, 1000.0), g.text("group"))
        if graph_risk.group not in {x.id for x in groups}:
            raise SchemeError("graph_risk.group", f"{graph_risk.group!r} is not a group id")
    assumptions, assumptions_en = at.strings("assumptions"), at.strings("assumptions_en")
    if assumptions_en and len(assumptions_en) != len(assumptions):
        raise SchemeError("assumptions_en", "must give one English twin per assumption")
    tier_set = {t.tier for t in tiers}
    vetoes = at.items("vetoes", _veto, required=False)
    downgrades = at.items("downgrades", _downgrade, required=False)
    targets: list[tuple[str, Tier | None]] = [
        (f"vetoes[{i}].tier", v.tier) for i, v in enumerate(vetoes)
    ]
    targets += [(f"downgrades[{i}].to", d.to) for i, d in enumerate(downgrades)]
    for where, target in targets:
        if target is not None and target not in tier_set:
            raise SchemeError(where, f"{target.value!r} is not a tier of this scheme")
    return Scheme(
        id=at.text("id"),
        version=at.text("version"),
        name=at.text("name"),
        effective_from=effective,
        source=at.text("source"),
        assumptions=assumptions,
        groups=groups,
        vetoes=vetoes,
        downgrades=downgrades,
        tiers=tiers,
        graph_risk=graph_risk,
        periods=_periods(At(at.data.get("periods"), "periods")),
        consequences=_consequences(At(at.data.get("consequences"), "consequences"), tiers),
        name_en=at.text("name_en", ""),
        source_en=at.text("source_en", ""),
        assumptions_en=assumptions_en,
    )


def load_scheme(path: str | PathLike[str]) -> Scheme:
    """Read and check a scheme file. Raises :class:`SchemeError` (``path`` ``(file)`` when the
    file is not JSON) naming the bad field."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SchemeError("(file)", f"cannot read {Path(path).name}: {exc}") from None
    return parse_scheme(data)


def shipped_scheme(scheme_id: str) -> Scheme:
    """One of the schemes shipped in ``credit/schemes`` (:data:`SHIPPED`)."""
    if scheme_id not in SHIPPED:
        raise SchemeError("scheme", f"{scheme_id!r} is not one of: {', '.join(SHIPPED)}")
    return load_scheme(SCHEME_DIR / f"{scheme_id}.json")


def text(obj: object, field: str, locale: object) -> Any:
    """The text ``field`` of a scheme object (or of a mapping) in ``locale``: its English twin
    ``<field>_en`` for an English locale (``en``, ``en_GB``...) when given, else the field
    itself, the scheme's Chinese. ``assumptions`` gives a tuple; a missing field gives "".

    >>> band = Band(0.05, 1.0, "超标率<5%", "exceedance < 5%")
    >>> text(band, "label", "en"), text(band, "label", "zh_CN")
    ('exceedance < 5%', '超标率<5%')
    >>> text(Band(None, 0.0, "有"), "label", "en")  # no twin: the Chinese
    '有'
    >>> text({"name": "执法监管", "name_en": "Enforcement"}, "name", "en")
    'Enforcement'
    """
    get = obj.get if isinstance(obj, Mapping) else lambda key: getattr(obj, key, "")
    if str(locale).lower().startswith("en"):
        twin = get(f"{field}_en")
        if twin:
            return twin
    value = get(field)
    return "" if value is None else value
