"""Criminal thresholds (入罪标准) of the crime of polluting the environment (污染环境罪).

:func:`evaluate` checks the facts of one violation against the tier-1 predicates of the
interpretation in force on the date of the act ("严重污染环境", 法释〔2023〕7号 art. 1) and, as
information, against its numeric tier-2 predicates ("情节严重", art. 2). It never decides
anything: the caller raises a "referral review required" alert for each hit, and an officer and
the bureau head decide on the transfer (移送规定 2020 art. 5; DOMAIN.md §2.3).

The thresholds are versioned data (:class:`ThresholdSet`), each with its source and effective
date; the set applied is the latest whose ``effective_from`` is not after the act. Comparisons
are inclusive: "以上" includes the number (刑法 art. 99). Only the predicates that the facts can
express are modelled; the catch-alls (其他严重污染环境的情形) and the tier-2 predicates about
ecological damage, land, trees and people are left to the reviewers.

Example
-------
>>> from datetime import date
>>> from decimal import Decimal
>>> facts = ThresholdFacts(act_on=date(2024, 5, 6), hazardous_waste_tonnes=Decimal("3.5"))
>>> hits = evaluate(facts)
>>> [(hit.predicate, hit.tier) for hit in hits]
[('hazardous_waste', 1)]
>>> hits[0].reason.format(**hits[0].params)
'3.500 t of hazardous waste ≥ 3 t'
>>> hits[0].title
'Illegal discharge, dumping or disposal of 3 t or more of hazardous waste'
>>> first = hits[0].basis[0]  # 法释〔2023〕7号 art. 1, item 2
>>> first.law.value, first.articles, first.note
('env_crime_interpretation_2023', '1', 'item 2')
>>> meets_tier1(hits)
True
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from types import MappingProxyType
from typing import Literal

from casemgr.i18n import N_
from casemgr.legalbasis import Basis, Citation, Law, basis_text, render_basis

__all__ = [
    "alert_text",
    "EVASIVE_METHODS",
    "EVASIVE_METHOD_LABELS",
    "MONITORING_POLLUTANT_ALIASES",
    "PENALTY_KINDS",
    "THRESHOLD_SETS",
    "MeasuredExceedance",
    "Metal",
    "MetalGroupValue",
    "PredicateRef",
    "PriorPenalty",
    "ThresholdFacts",
    "ThresholdHit",
    "ThresholdSet",
    "classify_metal",
    "evaluate",
    "is_toxic",
    "meets_tier1",
    "monitoring_pollutant_code",
    "predicate_ref",
    "threshold_set_for",
]

MetalGroupValue = Literal["a", "b", "none"]  # the values of casemgr.models.violations.MetalGroup
_METAL_GROUPS: frozenset[str] = frozenset({"a", "b", "none"})

# Values of casemgr.models.violations.EvasiveMethod (repeated here: this module imports no ORM),
# with their Chinese terms.
# The same means as the interface names them (English msgids, translated where shown: the
# violation form's choices, and an alert's reason that lists them).
EVASIVE_METHOD_LABELS: Mapping[str, str] = MappingProxyType(
    {
        "hidden_pipe": N_("Hidden pipe"),  # 暗管
        "seepage_well": N_("Seepage well"),  # 渗井
        "seepage_pit": N_("Seepage pit"),  # 渗坑
        "fissure": N_("Fissure"),  # 裂隙
        "karst_cave": N_("Karst cave"),  # 溶洞
        "injection": N_("Injection"),  # 灌注
        "emergency_bypass": N_(
            "Emergency bypass opened without an emergency"
        ),  # 非紧急情况下开启应急排放通道
        "falsified_monitoring": N_("Tampered or falsified monitoring data"),  # 篡改、伪造监测数据
        "abnormal_treatment": N_("Treatment facilities not run normally"),  # 不正常运行防治污染设施
    }
)

EVASIVE_METHODS: Mapping[str, str] = MappingProxyType(
    {
        "hidden_pipe": "暗管",
        "seepage_well": "渗井",
        "seepage_pit": "渗坑",
        "fissure": "裂隙",
        "karst_cave": "溶洞",
        "injection": "灌注",
        "emergency_bypass": "非紧急情况下开启大气应急排放通道",
        "falsified_monitoring": "篡改、伪造自动监测数据或者干扰自动监测设施",
        "abnormal_treatment": "不正常运行防治污染设施",
    }
)
_FALSIFIED_MONITORING = "falsified_monitoring"

# Kinds of earlier administrative penalties that the repeat predicates count.
ALERT_EXCEEDANCE = "alert_exceedance"  # 重污染天气预警期间超标排放二氧化硫、氮氧化物等
# 排放、倾倒、处置有放射性的废物、含传染病病原体的废物、有毒物质
TOXIC_DISCHARGE = "toxic_discharge"
PENALTY_KINDS: frozenset[str] = frozenset({ALERT_EXCEEDANCE, TOXIC_DISCHARGE})

# Pollutants named in 法释〔2023〕7号 art. 1(7) (化学需氧量、氨氮、二氧化硫、氮氧化物), keyed by
# the spelling normalised by monitoring_pollutant_code.
MONITORING_POLLUTANT_ALIASES: Mapping[str, str] = MappingProxyType(
    {
        "cod": "COD",
        "codcr": "COD",
        "化学需氧量": "COD",
        "nh3n": "NH3-N",
        "氨氮": "NH3-N",
        "so2": "SO2",
        "二氧化硫": "SO2",
        "nox": "NOx",
        "氮氧化物": "NOx",
    }
)


@dataclass(frozen=True)
class Metal:
    """A heavy metal named in 法释〔2023〕7号 art. 1(3) or 1(4)."""

    symbol: str
    name_zh: str
    name_en: str


@dataclass(frozen=True)
class PredicateRef:
    """Tier, title and legal basis of one predicate in one threshold set.

    ``title`` is an English msgid whose zh-CN translation is the interpretation's wording;
    ``basis`` cites the interpretation's article and item and 刑法's article.
    """

    tier: int
    title: str
    basis: Basis

    @property
    def article(self) -> str:
        """The basis in canonical English, as an alert row stores it beside the predicate."""
        return basis_text(self.basis)


@dataclass(frozen=True)
class ThresholdSet:
    """One judicial interpretation's thresholds, in force from ``effective_from``.

    Amounts are in cents; ``loss_cents`` applies to the property loss and to the illegal gains
    separately (see :func:`evaluate`). ``predicates`` lists the predicates the set contains: one
    that is missing (for instance ``repeat_alert_exceedance`` before 2023) is not evaluated.
    A heavy-metal measurement makes the substance toxic when its ratio to the standard is
    strictly above ``toxic_metal_ratio_above``.
    """

    name: str
    law: Law
    effective_from: date
    source: str
    hazardous_waste_tonnes: Decimal
    metal_a_ratio: Decimal
    metal_b_ratio: Decimal
    loss_cents: int
    intake_hours: Decimal
    repeat_years: int
    repeat_count: int
    tier2_hazardous_waste_tonnes: Decimal
    tier2_loss_cents: int
    tier2_counts_gains: bool
    inclusive: bool
    metals_a: tuple[Metal, ...]
    metals_b: tuple[Metal, ...]
    evasive_methods: frozenset[str]
    monitoring_pollutants: frozenset[str]
    toxic_metal_ratio_above: Decimal
    toxic_article: str
    predicates: Mapping[str, PredicateRef] = field(hash=False)

    def reaches(self, value: Decimal | int, threshold: Decimal | int) -> bool:
        """Whether ``value`` meets ``threshold`` ("以上": inclusive unless configured not to be)."""
        return value >= threshold if self.inclusive else value > threshold


_METALS_A = (
    Metal("Pb", "铅", "lead"),
    Metal("Hg", "汞", "mercury"),
    Metal("Cd", "镉", "cadmium"),
    Metal("Cr", "铬", "chromium"),
    Metal("As", "砷", "arsenic"),
    Metal("Tl", "铊", "thallium"),
    Metal("Sb", "锑", "antimony"),
)
_METALS_B = (
    Metal("Ni", "镍", "nickel"),
    Metal("Cu", "铜", "copper"),
    Metal("Zn", "锌", "zinc"),
    Metal("Ag", "银", "silver"),
    Metal("V", "钒", "vanadium"),
    Metal("Mn", "锰", "manganese"),
    Metal("Co", "钴", "cobalt"),
)
_EVASIVE_2016 = frozenset(
    {"hidden_pipe", "seepage_well", "seepage_pit", "fissure", "karst_cave", "injection"}
)
_MONITORING = frozenset({"COD", "NH3-N", "SO2", "NOx"})
_TIER2 = frozenset({"hazardous_waste_major", "loss_or_gain_major"})
# The items (项) of an article, as citation notes.
_ITEMS = {
    1: N_("item 1"),
    2: N_("item 2"),
    3: N_("item 3"),
    4: N_("item 4"),
    5: N_("item 5"),
    6: N_("item 6"),
    7: N_("item 7"),
    8: N_("item 8"),
    9: N_("item 9"),
    10: N_("item 10"),
    11: N_("item 11"),
}
_ART_338 = Citation(Law.CRIMINAL_LAW, "338")  # 污染环境罪
# Falsified monitoring may also be the crime of damaging computer information systems.
_STATUTES = {"key_unit_falsified_monitoring": Citation(Law.CRIMINAL_LAW, "338, 286")}
# Titles shared by both sets: English msgids translated to the interpretations' wording.
_HW_3 = N_("Illegal discharge, dumping or disposal of 3 t or more of hazardous waste")
# 含铅、汞、镉、铬、砷、铊、锑的污染物超标三倍以上
_METAL_A = N_("Pollutants containing Pb, Hg, Cd, Cr, As, Tl or Sb at 3 times the standard or more")
# 含镍、铜、锌、银、钒、锰、钴的污染物超标十倍以上
_METAL_B = N_("Pollutants containing Ni, Cu, Zn, Ag, V, Mn or Co at 10 times the standard or more")
_LOSS_300K = N_("Illegal gains or public or private property loss of 300,000 CNY or more")

_Row = tuple[str, int | None, tuple[str, ...], str]  # (article, item, further articles, title)


def _refs(law: Law, rows: Mapping[str, _Row]) -> Mapping[str, PredicateRef]:
    """Predicate code -> (article, item, further articles, title), in the order of the
    articles, as references citing the interpretation and 刑法."""
    refs = {}
    for code, (article, item, further, title) in rows.items():
        first = Citation(law, article, note=_ITEMS[item] if item else "")
        basis = (first, *(Citation(law, a) for a in further), _STATUTES.get(code, _ART_338))
        refs[code] = PredicateRef(2 if code in _TIER2 else 1, title, basis)
    return MappingProxyType(refs)


THRESHOLD_SETS: tuple[ThresholdSet, ...] = (
    ThresholdSet(
        name="法释〔2016〕29号",
        law=Law.ENV_CRIME_INTERPRETATION_2016,
        effective_from=date(2017, 1, 1),
        source=(
            "两高《关于办理环境污染刑事案件适用法律若干问题的解释》法释〔2016〕29号, in force "
            "2017-01-01, art. 18 [V: LawRefBook/Laws 司法解释/…(2016-12-23).md; not in DOMAIN.md "
            "§2.3, which gives only the 2023 text]. Tier 1 art. 1: same numbers as 2023, "
            "but zones narrower (一级保护区, 自然保护区核心区), no emergency bypass in (5), no "
            "alert-repeat predicate, intake at 乡镇以上. Tier 2 is art. 3 '后果特别严重' (刑法 "
            "art. 338 before 刑法修正案(十一), 2021-03-01), loss only; its use for '情节严重' "
            "after 2021-03-01 [R]. Heavy metals are toxic whenever contained (art. 15(3))."
        ),
        hazardous_waste_tonnes=Decimal(3),
        metal_a_ratio=Decimal(3),
        metal_b_ratio=Decimal(10),
        loss_cents=300_000_00,
        intake_hours=Decimal(12),
        repeat_years=2,
        repeat_count=2,
        tier2_hazardous_waste_tonnes=Decimal(100),
        tier2_loss_cents=1_000_000_00,
        tier2_counts_gains=False,
        inclusive=True,
        metals_a=_METALS_A,
        metals_b=_METALS_B,
        evasive_methods=_EVASIVE_2016,
        monitoring_pollutants=_MONITORING,
        toxic_metal_ratio_above=Decimal(0),
        toxic_article="法释〔2016〕29号 art. 15",
        predicates=_refs(
            Law.ENV_CRIME_INTERPRETATION_2016,
            {
                # 在饮用水水源一级保护区、自然保护区核心区排放、倾倒、处置有毒物质等
                "protected_zone_toxic": (
                    "1",
                    1,
                    (),
                    N_(
                        "Toxic substances discharged in a first-grade water-source zone or a "
                        "nature reserve's core zone"
                    ),
                ),
                "hazardous_waste": ("1", 2, (), _HW_3),
                "metal_group_a": ("1", 3, (), _METAL_A),
                "metal_group_b": ("1", 4, (), _METAL_B),
                # 通过暗管、渗井、渗坑、裂隙、溶洞、灌注等逃避监管的方式排放、倾倒、处置有毒物质等
                "evasive_discharge": (
                    "1",
                    5,
                    (),
                    N_(
                        "Toxic substances discharged via hidden pipes, seepage wells or pits, "
                        "fissures, caves or injection"
                    ),
                ),
                # 二年内因排放有毒物质等受过两次以上行政处罚，又实施前列行为
                "repeat_toxic_discharge": (
                    "1",
                    6,
                    ("17",),
                    N_(
                        "Two or more penalties for toxic discharges within two years, then one "
                        "of the acts above again"
                    ),
                ),
                # 重点排污单位篡改、伪造自动监测数据或者干扰自动监测设施排放污染物
                "key_unit_falsified_monitoring": (
                    "1",
                    7,
                    ("10(2)",),
                    N_(
                        "A key pollutant-discharging unit falsified or interfered with automatic "
                        "monitoring"
                    ),
                ),
                "loss_or_gain": ("1", 9, (), _LOSS_300K),
                # 致使乡镇以上集中式饮用水水源取水中断十二小时以上
                "water_intake_cut": (
                    "1",
                    11,
                    (),
                    N_(
                        "Intake of a drinking-water source of a township or above cut for "
                        "12 hours or more"
                    ),
                ),
                # 后果特别严重：非法排放、倾倒、处置危险废物一百吨以上
                "hazardous_waste_major": (
                    "3",
                    2,
                    (),
                    N_("Especially serious consequences: 100 t or more of hazardous waste"),
                ),
                # 后果特别严重：致使公私财产损失一百万元以上
                "loss_or_gain_major": (
                    "3",
                    5,
                    (),
                    N_("Especially serious consequences: property loss of 1,000,000 CNY or more"),
                ),
            },
        ),
    ),
    ThresholdSet(
        name="法释〔2023〕7号",
        law=Law.ENV_CRIME_INTERPRETATION_2023,
        effective_from=date(2023, 8, 15),
        source=(
            "两高《关于办理环境污染刑事案件适用法律若干问题的解释》法释〔2023〕7号, in force "
            "2023-08-15, repeals 法释〔2016〕29号 (art. 20) [V: DOMAIN.md §2.3; LawRefBook/Laws "
            "text]. Tier 1 art. 1, tier 2 art. 2, toxic substances art. 17, '二年内' art. 19; "
            "'以上' inclusive [V: 刑法 art. 99]. Ratio = measured / standard, so "
            "'超过…标准三倍以上' is read as ratio ≥ 3 [R: the reading 超标倍数 ≥ 3, i.e. "
            "ratio ≥ 4, is unchecked]."
        ),
        hazardous_waste_tonnes=Decimal(3),
        metal_a_ratio=Decimal(3),
        metal_b_ratio=Decimal(10),
        loss_cents=300_000_00,
        intake_hours=Decimal(12),
        repeat_years=2,
        repeat_count=2,
        tier2_hazardous_waste_tonnes=Decimal(100),
        tier2_loss_cents=1_000_000_00,
        tier2_counts_gains=True,
        inclusive=True,
        metals_a=_METALS_A,
        metals_b=_METALS_B,
        evasive_methods=_EVASIVE_2016 | {"emergency_bypass"},
        monitoring_pollutants=_MONITORING,
        toxic_metal_ratio_above=Decimal(1),
        toxic_article="法释〔2023〕7号 art. 17",
        predicates=_refs(
            Law.ENV_CRIME_INTERPRETATION_2023,
            {
                # 在饮用水水源保护区、自然保护地核心保护区等重点保护区域排放、倾倒、处置有毒物质等
                "protected_zone_toxic": (
                    "1",
                    1,
                    (),
                    N_(
                        "Toxic substances discharged in a water-source zone, a reserve's core "
                        "zone or another key zone"
                    ),
                ),
                "hazardous_waste": ("1", 2, (), _HW_3),
                "metal_group_a": ("1", 3, (), _METAL_A),
                "metal_group_b": ("1", 4, (), _METAL_B),
                # 通过暗管、渗井、渗坑、裂隙、溶洞、灌注、非紧急情况下开启大气应急排放通道等逃避监管
                # 的方式排放、倾倒、处置有毒物质等
                "evasive_discharge": (
                    "1",
                    5,
                    (),
                    N_(
                        "Toxic substances discharged by evasive means, an emergency bypass "
                        "without an emergency included"
                    ),
                ),
                # 二年内因重污染天气预警期间超标排放受过二次以上行政处罚，又实施此类行为
                "repeat_alert_exceedance": (
                    "1",
                    6,
                    ("19",),
                    N_(
                        "Two or more penalties for excess emissions during pollution alerts "
                        "within two years, then again"
                    ),
                ),
                # 重点排污单位、实行排污许可重点管理的单位篡改、伪造自动监测数据或者干扰自动监测设施
                # 排放污染物
                "key_unit_falsified_monitoring": (
                    "1",
                    7,
                    ("11(2)",),
                    N_(
                        "A key discharging or permit-managed unit falsified or interfered with "
                        "automatic monitoring"
                    ),
                ),
                # 二年内因排放有毒物质等受过二次以上行政处罚，又实施此类行为
                "repeat_toxic_discharge": (
                    "1",
                    8,
                    ("19",),
                    N_(
                        "Two or more penalties for toxic discharges within two years, then such "
                        "an act again"
                    ),
                ),
                "loss_or_gain": ("1", 9, (), _LOSS_300K),
                # 致使乡镇集中式饮用水水源取水中断十二小时以上
                "water_intake_cut": (
                    "1",
                    10,
                    (),
                    N_(
                        "Intake of a township's centralised drinking-water source cut for 12 "
                        "hours or more"
                    ),
                ),
                # 情节严重：非法排放、倾倒、处置危险废物一百吨以上
                "hazardous_waste_major": (
                    "2",
                    3,
                    (),
                    N_("Serious circumstances: 100 t or more of hazardous waste"),
                ),
                # 情节严重：违法所得或者致使公私财产损失一百万元以上
                "loss_or_gain_major": (
                    "2",
                    4,
                    (),
                    N_(
                        "Serious circumstances: illegal gains or property loss of 1,000,000 CNY "
                        "or more"
                    ),
                ),
            },
        ),
    ),
)


def _decimal(value: object, name: str) -> Decimal:
    """A finite, non-negative Decimal; ints are accepted, floats refused (binary rounding)."""
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise TypeError(f"{name} must be a Decimal, not {type(value).__name__}")
    result = Decimal(value)
    if not result.is_finite() or result < 0:
        raise ValueError(f"{name} must be a finite number ≥ 0, not {value}")
    return result


@dataclass(frozen=True)
class MeasuredExceedance:
    """A pollutant measured against its discharge standard; ``ratio`` = measured / standard."""

    pollutant: str
    metal_group: MetalGroupValue = "none"
    ratio: Decimal = Decimal(0)

    def __post_init__(self) -> None:
        if self.metal_group not in _METAL_GROUPS:
            raise ValueError(f"unknown metal group {self.metal_group!r}")
        object.__setattr__(self, "ratio", _decimal(self.ratio, "ratio"))


@dataclass(frozen=True)
class PriorPenalty:
    """An earlier administrative penalty (行政处罚) of the party, by the date it took effect."""

    effective_on: date
    kinds: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        if unknown := self.kinds - PENALTY_KINDS:
            raise ValueError(f"unknown penalty kinds {sorted(unknown)}")


@dataclass(frozen=True)
class ThresholdFacts:
    """The facts of one violation that the criminal thresholds read (no database).

    ``act_on`` is the date of the act and chooses the threshold set. ``toxic_substance``: the
    act involved radioactive waste, waste with pathogens or toxic substances; :func:`is_toxic`
    adds what the interpretation deems toxic. ``evasive_methods`` holds EvasiveMethod values.
    ``during_pollution_alert``: the act was an excess emission during a heavy-pollution weather
    alert (重污染天气预警). ``key_pollutant_unit``: a 重点排污单位 or a unit under key
    pollutant-permit management (排污许可重点管理).
    """

    act_on: date
    hazardous_waste_tonnes: Decimal = Decimal(0)
    measurements: tuple[MeasuredExceedance, ...] = ()
    evasive_methods: frozenset[str] = frozenset()
    in_protected_zone: bool = False
    toxic_substance: bool = False
    key_pollutant_unit: bool = False
    monitoring_pollutants: frozenset[str] = frozenset()
    loss_cents: int = 0
    illegal_gain_cents: int = 0
    water_intake_cut_hours: Decimal = Decimal(0)
    during_pollution_alert: bool = False
    prior_penalties: tuple[PriorPenalty, ...] = ()

    def __post_init__(self) -> None:
        hw = _decimal(self.hazardous_waste_tonnes, "hazardous_waste_tonnes")
        object.__setattr__(self, "hazardous_waste_tonnes", hw)
        hours = _decimal(self.water_intake_cut_hours, "water_intake_cut_hours")
        object.__setattr__(self, "water_intake_cut_hours", hours)
        for name in ("loss_cents", "illegal_gain_cents"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"{name} must be an integer ≥ 0, not {value!r}")
        if unknown := self.evasive_methods - EVASIVE_METHODS.keys():
            raise ValueError(f"unknown evasive methods {sorted(unknown)}")


@dataclass(frozen=True)
class ThresholdHit:
    """A predicate met: reason for a referral review (移送审查), never a decision.

    ``title`` (an English msgid) and ``basis`` are the predicate's (:class:`PredicateRef`);
    ``reason`` is an English msgid with ``{placeholders}``, filled from ``params`` after
    translation; ``params`` holds the measured value and the threshold as plain text.
    """

    predicate: str
    tier: int
    title: str
    basis: Basis
    reason: str
    params: Mapping[str, str] = field(default_factory=dict, hash=False)

    @property
    def article(self) -> str:
        """The basis in canonical English, as an alert row stores it."""
        return basis_text(self.basis)


def threshold_set_for(
    act_on: date, thresholds: Iterable[ThresholdSet] = THRESHOLD_SETS
) -> ThresholdSet:
    """The set in force on the date of the act: the latest with ``effective_from ≤ act_on``.

    The interpretation in force when the act was committed applies; a later one applies when
    it is more favourable to the accused (两高《关于适用刑事司法解释时间效力问题的规定》2001
    art. 3 [R]), which is for the reviewers to weigh.

    Raises
    ------
    ValueError
        When the act predates every set.

    Examples
    --------
    >>> threshold_set_for(date(2020, 6, 1)).name
    '法释〔2016〕29号'
    >>> threshold_set_for(date(2023, 8, 15)).name
    '法释〔2023〕7号'
    """
    in_force = [t for t in thresholds if t.effective_from <= act_on]
    if not in_force:
        raise ValueError(f"no criminal threshold set is in force on {act_on}")
    return max(in_force, key=lambda t: t.effective_from)


def classify_metal(pollutant: str, threshold_set: ThresholdSet | None = None) -> MetalGroupValue:
    """The heavy-metal group of a pollutant name: ``"a"``, ``"b"`` or ``"none"``.

    Accepts the Chinese name with or without 总 and 及其化合物 (总镉, 铅及其化合物), valence
    forms (六价铬, Cr6+, Cr(VI)), alkyl mercury (烷基汞), the element symbol (case-sensitive:
    ``CO`` is carbon monoxide, not cobalt) and the English name. Names that merely contain a
    metal character are not matched (高锰酸盐指数 is the permanganate index, not manganese).

    Examples
    --------
    >>> classify_metal("总镉"), classify_metal("Ni"), classify_metal("高锰酸盐指数")
    ('a', 'b', 'none')
    """
    ts = threshold_set or THRESHOLD_SETS[-1]
    name = unicodedata.normalize("NFKC", pollutant).replace(" ", "").strip()
    name = name.removeprefix("总").removesuffix("及其化合物").removesuffix("化合物")
    for prefix in ("六价", "三价", "烷基"):
        name = name.removeprefix(prefix)
    for suffix in ("6+", "(VI)", "3+", "(III)"):
        name = name.removesuffix(suffix)
    for group, metals in (("a", ts.metals_a), ("b", ts.metals_b)):
        for metal in metals:
            if name in (metal.symbol, metal.name_zh) or name.casefold() == metal.name_en:
                return "a" if group == "a" else "b"
    return "none"


def monitoring_pollutant_code(name: str) -> str | None:
    """The art. 1(7) pollutant code (COD, NH3-N, SO2, NOx) of a name, or None.

    >>> monitoring_pollutant_code("NH₃-N"), monitoring_pollutant_code("化学需氧量")
    ('NH3-N', 'COD')
    """
    key = unicodedata.normalize("NFKC", name).casefold()
    for char in " _-()（）":
        key = key.replace(char, "")
    return MONITORING_POLLUTANT_ALIASES.get(key)


def _group(measurement: MeasuredExceedance, ts: ThresholdSet) -> MetalGroupValue:
    # An explicit group wins; "none" may just mean nobody classified the pollutant.
    if measurement.metal_group != "none":
        return measurement.metal_group
    return classify_metal(measurement.pollutant, ts)


def _toxic_basis(facts: ThresholdFacts, ts: ThresholdSet) -> list[str]:
    basis = []
    if facts.toxic_substance:
        basis.append("申报涉及有放射性的废物、含传染病病原体的废物、有毒物质")
    if facts.hazardous_waste_tonnes > 0:
        basis.append(f"危险废物（{ts.toxic_article}(1)）")
    metals = [
        m.pollutant
        for m in facts.measurements
        if _group(m, ts) != "none" and m.ratio > ts.toxic_metal_ratio_above
    ]
    if metals:
        basis.append(f"重金属污染物 {'、'.join(metals)}（{ts.toxic_article}(3)）")
    return basis


def is_toxic(facts: ThresholdFacts, threshold_set: ThresholdSet | None = None) -> bool:
    """Whether the act involved radioactive, infectious or toxic substances (有毒物质).

    True when declared (``toxic_substance``), and derived from the interpretation's definition
    (法释〔2023〕7号 art. 17; 法释〔2016〕29号 art. 15): any hazardous waste (危险废物) makes the
    act toxic, and so does a heavy-metal pollutant of group A or B above the standard (ratio > 1;
    under the 2016 text any measured heavy-metal content, ratio > 0). Persistent organic
    pollutants (POPs) are not measured here: declare them through ``toxic_substance``.
    """
    ts = threshold_set or threshold_set_for(facts.act_on)
    return bool(_toxic_basis(facts, ts))


def _add_years(day: date, years: int) -> date:
    """The same date ``years`` later; 29 February becomes 28 February (民法典 art. 203 reading)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def _recent_penalties(facts: ThresholdFacts, kind: str, ts: ThresholdSet) -> list[date]:
    # "二年内": from the day the first penalty took effect to the day of the new act (art. 19),
    # both ends included [R: inclusive anniversary and same-day penalty unchecked].
    return sorted(
        p.effective_on
        for p in facts.prior_penalties
        if kind in p.kinds
        and p.effective_on <= facts.act_on <= _add_years(p.effective_on, ts.repeat_years)
    )


def _plain(value: Decimal) -> str:
    """A threshold as written in the law: 3, 10, 12, 0.5 (no exponent, no trailing zeros)."""
    return f"{value.normalize():f}"


def _measured(value: Decimal, places: int) -> str:
    """A measured value with at least ``places`` decimals, never rounded: 3.500, 2.9995."""
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent > -places:
        value = value.quantize(Decimal(1).scaleb(-places))
    return f"{value:f}"


def _cny(cents: int) -> str:
    """Cents as plain CNY: 300,000 or 300,000.50."""
    yuan, fen = divmod(cents, 100)
    return f"{yuan:,}.{fen:02d}" if fen else f"{yuan:,}"


_PROTECTED_REASON = N_(
    "Radioactive, infectious or toxic substances were discharged, dumped or disposed of in a "
    "key protected zone"
)
_HW_REASON = N_("{tonnes} t of hazardous waste ≥ {threshold} t")
_METAL_REASON = N_("{pollutant} at {ratio} times the discharge standard ≥ {threshold} times")
_EVASIVE_REASON = N_(
    "Toxic substances were discharged, dumped or disposed of by evasive means: {methods}"
)
_ALERT_REASON = N_(
    "{count} administrative penalties for excess emissions during heavy-pollution weather "
    "alerts took effect within {years} years before the act (≥ {threshold}, the first on "
    "{first}), and the act was again an excess emission during an alert"
)
_MONITORING_REASON = N_(
    "A key pollutant-discharging unit falsified automatic monitoring data or interfered with "
    "the monitoring equipment while discharging {pollutants}"
)
_TOXIC_REPEAT_REASON = N_(
    "{count} administrative penalties for discharging radioactive, infectious or toxic "
    "substances took effect within {years} years before the act (≥ {threshold}, the first on "
    "{first}), and the act again involved such substances"
)
_LOSS_REASON = N_("Property loss of {loss} CNY ≥ {threshold} CNY")
_GAIN_REASON = N_("Illegal gains of {gain} CNY ≥ {threshold} CNY")
_BOTH_REASON = N_(
    "Illegal gains of {gain} CNY and property loss of {loss} CNY, each ≥ {threshold} CNY"
)
_INTAKE_REASON = N_("Drinking-water intake interrupted for {hours} h ≥ {threshold} h")

_Found = tuple[str, dict[str, str]]  # (reason msgid, params)


def _money(facts: ThresholdFacts, ts: ThresholdSet, threshold: int, gains: bool) -> _Found | None:
    # "违法所得或者致使公私财产损失三十万元以上": each amount is compared with the threshold on its
    # own and the two are never added up [R: no text on summing them was checked].
    loss = ts.reaches(facts.loss_cents, threshold)
    gain = gains and ts.reaches(facts.illegal_gain_cents, threshold)
    params = {
        "loss": _cny(facts.loss_cents),
        "gain": _cny(facts.illegal_gain_cents),
        "threshold": _cny(threshold),
    }
    if loss and gain:
        return _BOTH_REASON, params
    if loss:
        return _LOSS_REASON, params
    if gain:
        return _GAIN_REASON, params
    return None


def _repeat(facts: ThresholdFacts, ts: ThresholdSet, kind: str, reason: str) -> _Found | None:
    dates = _recent_penalties(facts, kind, ts)
    if len(dates) < ts.repeat_count:
        return None
    return reason, {
        "count": str(len(dates)),
        "years": str(ts.repeat_years),
        "threshold": str(ts.repeat_count),
        "first": dates[0].isoformat(),
    }


def _metal(facts: ThresholdFacts, ts: ThresholdSet, group: str) -> _Found | None:
    threshold = ts.metal_a_ratio if group == "a" else ts.metal_b_ratio
    measured = [m for m in facts.measurements if _group(m, ts) == group]
    if not measured:
        return None
    worst = max(measured, key=lambda m: m.ratio)
    if not ts.reaches(worst.ratio, threshold):
        return None
    return _METAL_REASON, {
        "pollutant": worst.pollutant,
        "ratio": _measured(worst.ratio, 3),
        "threshold": _plain(threshold),
    }


def _findings(facts: ThresholdFacts, ts: ThresholdSet) -> dict[str, _Found | None]:
    """Every predicate the module knows, evaluated against one set's numbers."""
    basis = _toxic_basis(facts, ts)
    toxic = {"toxic_basis": "；".join(basis)}
    hw = facts.hazardous_waste_tonnes
    hours = facts.water_intake_cut_hours

    def tonnes(threshold: Decimal) -> _Found | None:
        if not ts.reaches(hw, threshold):
            return None
        return _HW_REASON, {"tonnes": _measured(hw, 3), "threshold": _plain(threshold)}

    means = facts.evasive_methods & ts.evasive_methods
    evasive = [label for code, label in EVASIVE_METHODS.items() if code in means]
    codes = {monitoring_pollutant_code(p) for p in facts.monitoring_pollutants}
    listed = [code for code in sorted(ts.monitoring_pollutants) if code in codes]
    falsified = facts.key_pollutant_unit and _FALSIFIED_MONITORING in facts.evasive_methods
    return {
        "protected_zone_toxic": (
            (_PROTECTED_REASON, toxic) if facts.in_protected_zone and basis else None
        ),
        "hazardous_waste": tonnes(ts.hazardous_waste_tonnes),
        "metal_group_a": _metal(facts, ts, "a"),
        "metal_group_b": _metal(facts, ts, "b"),
        "evasive_discharge": (
            (_EVASIVE_REASON, {"methods": "、".join(evasive), **toxic})
            if evasive and basis
            else None
        ),
        "repeat_alert_exceedance": (
            _repeat(facts, ts, ALERT_EXCEEDANCE, _ALERT_REASON)
            if facts.during_pollution_alert
            else None
        ),
        "key_unit_falsified_monitoring": (
            (_MONITORING_REASON, {"pollutants": "、".join(listed)})
            if falsified and listed
            else None
        ),
        "repeat_toxic_discharge": (
            _repeat(facts, ts, TOXIC_DISCHARGE, _TOXIC_REPEAT_REASON) if basis else None
        ),
        "loss_or_gain": _money(facts, ts, ts.loss_cents, gains=True),
        "water_intake_cut": (
            (_INTAKE_REASON, {"hours": _measured(hours, 2), "threshold": _plain(ts.intake_hours)})
            if ts.reaches(hours, ts.intake_hours)
            else None
        ),
        "hazardous_waste_major": tonnes(ts.tier2_hazardous_waste_tonnes),
        "loss_or_gain_major": _money(facts, ts, ts.tier2_loss_cents, ts.tier2_counts_gains),
    }


def evaluate(
    facts: ThresholdFacts, thresholds: Iterable[ThresholdSet] = THRESHOLD_SETS
) -> list[ThresholdHit]:
    """Check one violation against the criminal thresholds in force on the date of the act.

    Tier 1 (严重污染环境, 法释〔2023〕7号 art. 1): each hit calls for a referral review (移送审查).
    Tier 2 (情节严重, art. 2; 后果特别严重 under 法释〔2016〕29号 art. 3) is information for the
    reviewers: only the numeric predicates (hazardous waste ≥ 100 t, gains or loss ≥ 1,000,000
    CNY) are checked. Hits come in the order of the set's articles.

    Notes on the readings:

    - Toxic substances (有毒物质) are derived as :func:`is_toxic` describes; they condition the
      protected-zone, evasive-means and repeat-toxic predicates, which the text words as the
      discharge of "有放射性的废物、含传染病病原体的废物、有毒物质".
    - Evasive means count only when listed in the set's art. 1(5) (emergency bypass from 2023);
      falsified monitoring counts for art. 1(7) only for a key unit discharging a listed
      pollutant (COD, NH3-N, SO2, NOx; the text says "等", so the list is data).
    - Repeat predicates: at least ``repeat_count`` penalties of the kind took effect within
      ``repeat_years`` before the act (art. 19), and the new act is of the same kind.
    - Illegal gains and property loss are compared with the threshold separately, never summed
      [R]; the 2016 tier 2 counts the loss only (art. 3(5)).
    - Metal ratios: a measurement's explicit group wins; with group "none" the pollutant name is
      classified by :func:`classify_metal`. The highest ratio of the group is reported.

    Raises
    ------
    ValueError
        When no threshold set is in force on ``facts.act_on``.

    Examples
    --------
    >>> facts = ThresholdFacts(
    ...     act_on=date(2024, 3, 1),
    ...     measurements=(MeasuredExceedance("总镉", "a", Decimal("3")),),
    ...     evasive_methods=frozenset({"karst_cave"}),
    ... )
    >>> [hit.predicate for hit in evaluate(facts)]
    ['metal_group_a', 'evasive_discharge']
    >>> evaluate(ThresholdFacts(act_on=date(2016, 12, 31)))
    Traceback (most recent call last):
    ...
    ValueError: no criminal threshold set is in force on 2016-12-31
    """
    ts = threshold_set_for(facts.act_on, thresholds)
    findings = _findings(facts, ts)
    hits = []
    for predicate, ref in ts.predicates.items():
        found = findings.get(predicate)
        if found is not None:
            reason, params = found
            hits.append(ThresholdHit(predicate, ref.tier, ref.title, ref.basis, reason, params))
    return hits


def predicate_ref(predicate: str, article: str) -> PredicateRef | None:
    """The predicate an alert row names, in the threshold set its stored ``article`` cites.

    Rows store the basis in canonical English (:attr:`PredicateRef.article`); rows written
    before bases were citations store the set's name first ("法释〔2023〕7号 art. 1(2); 刑法
    art. 338"). None when no set has the predicate under that article.

    >>> predicate_ref("water_intake_cut", "法释〔2016〕29号 art. 1(11); 刑法 art. 338").title
    'Intake of a drinking-water source of a township or above cut for 12 hours or more'
    >>> predicate_ref("hazardous_waste", "something else") is None
    True
    """
    for ts in THRESHOLD_SETS:
        ref = ts.predicates.get(predicate)
        if ref is not None and (article == ref.article or article.startswith(f"{ts.name} ")):
            return ref
    return None


def alert_text(
    predicate: str, title: str, article: str, gettext: Callable[[str], str]
) -> tuple[str, str]:
    """An alert row's title and legal basis in the language of ``gettext``.

    They come from the predicate (:func:`predicate_ref`); for a predicate no set knows, the
    stored text (a stored msgid still translates).

    >>> alert_text("loss_or_gain", "", "法释〔2023〕7号 art. 1(9); 刑法 art. 338", lambda s: s)[0]
    'Illegal gains or public or private property loss of 300,000 CNY or more'
    >>> alert_text("retired", "已删除的情形", "法释〔2023〕7号 art. 1(12)", lambda s: s)
    ('已删除的情形', '法释〔2023〕7号 art. 1(12)')
    """
    ref = predicate_ref(predicate, article)
    if ref is None:
        return (gettext(title) if title else predicate), article
    return gettext(ref.title), render_basis(ref.basis, gettext)


def meets_tier1(hits: Iterable[ThresholdHit]) -> bool:
    """Whether any hit is a tier-1 predicate (严重污染环境): a referral review is required.

    >>> meets_tier1([])
    False
    """
    return any(hit.tier == 1 for hit in hits)
