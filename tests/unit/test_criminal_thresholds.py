"""Criminal thresholds of 污染环境罪: boundaries, readings, versions and messages."""

from __future__ import annotations

import ast
import doctest
import re
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from casemgr import criminal_thresholds
from casemgr.criminal_thresholds import (
    EVASIVE_METHODS,
    THRESHOLD_SETS,
    MeasuredExceedance,
    PriorPenalty,
    ThresholdFacts,
    ThresholdHit,
    classify_metal,
    evaluate,
    is_toxic,
    meets_tier1,
    monitoring_pollutant_code,
    threshold_set_for,
)
from casemgr.legalbasis import Citation, Law

ROOT = Path(__file__).resolve().parents[2]

ACT = date(2024, 6, 1)  # under 法释〔2023〕7号
ACT_2020 = date(2020, 6, 1)  # under 法释〔2016〕29号
D = Decimal
PREDICATES = {
    "protected_zone_toxic",
    "hazardous_waste",
    "metal_group_a",
    "metal_group_b",
    "evasive_discharge",
    "repeat_alert_exceedance",
    "key_unit_falsified_monitoring",
    "repeat_toxic_discharge",
    "loss_or_gain",
    "water_intake_cut",
    "hazardous_waste_major",
    "loss_or_gain_major",
}
TIER2 = {"hazardous_waste_major", "loss_or_gain_major"}
I2016, I2023 = Law.ENV_CRIME_INTERPRETATION_2016, Law.ENV_CRIME_INTERPRETATION_2023
ART_338 = Citation(Law.CRIMINAL_LAW, "338")


def cites(law: Law, article: str, item: int, *further: str) -> tuple[Citation, ...]:
    """The basis of a predicate: the interpretation's article and item, then 刑法 art. 338."""
    first = Citation(law, article, note=f"item {item}")
    return (first, *(Citation(law, a) for a in further), ART_338)


def facts(act_on: date = ACT, **changes: Any) -> ThresholdFacts:
    return ThresholdFacts(act_on=act_on, **changes)


def predicates(f: ThresholdFacts) -> list[str]:
    return [hit.predicate for hit in evaluate(f)]


def hit(f: ThresholdFacts, predicate: str) -> ThresholdHit:
    (found,) = [h for h in evaluate(f) if h.predicate == predicate]
    return found


def metal(pollutant: str, group: str, ratio: str) -> tuple[MeasuredExceedance, ...]:
    return (MeasuredExceedance(pollutant, group, D(ratio)),)  # type: ignore[arg-type]


def penalties(*days_before: int, kind: str, act_on: date = ACT) -> tuple[PriorPenalty, ...]:
    return tuple(PriorPenalty(act_on - timedelta(days=d), frozenset({kind})) for d in days_before)


TOXIC: dict[str, Any] = {"toxic_substance": True}
KEY_UNIT: dict[str, Any] = {
    "key_pollutant_unit": True,
    "evasive_methods": frozenset({"falsified_monitoring"}),
}


def test_module_doctests_pass() -> None:
    result = doctest.testmod(criminal_thresholds)
    assert result.attempted > 0
    assert result.failed == 0


# (facts, predicate, expected): the boundaries of every tier-1 predicate under the 2023 set.
BOUNDARIES = [
    pytest.param(facts(hazardous_waste_tonnes=D(3)), "hazardous_waste", True, id="hw-3t"),
    pytest.param(
        facts(hazardous_waste_tonnes=D("2.999")), "hazardous_waste", False, id="hw-2.999t"
    ),
    pytest.param(facts(hazardous_waste_tonnes=D("3.5")), "hazardous_waste", True, id="hw-3.5t"),
    pytest.param(facts(measurements=metal("总铅", "a", "3")), "metal_group_a", True, id="a-3x"),
    pytest.param(
        facts(measurements=metal("总铅", "a", "2.999")), "metal_group_a", False, id="a-<3x"
    ),
    pytest.param(
        facts(measurements=metal("总镍", "b", "9.99")), "metal_group_b", False, id="b-9.99x"
    ),
    pytest.param(facts(measurements=metal("总镍", "b", "10")), "metal_group_b", True, id="b-10x"),
    pytest.param(
        facts(measurements=metal("总镍", "b", "9.99")), "metal_group_a", False, id="b-not-a"
    ),
    pytest.param(
        facts(evasive_methods=frozenset({"karst_cave"}), **TOXIC),
        "evasive_discharge",
        True,
        id="karst-cave",
    ),
    pytest.param(
        facts(evasive_methods=frozenset({"emergency_bypass"}), **TOXIC),
        "evasive_discharge",
        True,
        id="emergency-bypass",
    ),
    pytest.param(
        facts(evasive_methods=frozenset({"abnormal_treatment"}), **TOXIC),
        "evasive_discharge",
        False,
        id="abnormal-treatment-not-art-1-5",
    ),
    pytest.param(
        facts(evasive_methods=frozenset({"falsified_monitoring"}), **TOXIC),
        "evasive_discharge",
        False,
        id="falsified-monitoring-not-art-1-5",
    ),
    pytest.param(
        facts(evasive_methods=frozenset({"hidden_pipe"})),
        "evasive_discharge",
        False,
        id="evasive-without-toxic",
    ),
    pytest.param(
        facts(evasive_methods=frozenset({"seepage_pit"}), hazardous_waste_tonnes=D("0.5")),
        "evasive_discharge",
        True,
        id="evasive-hazardous-waste-is-toxic",
    ),
    pytest.param(facts(loss_cents=300_000_00), "loss_or_gain", True, id="loss-300k"),
    pytest.param(facts(loss_cents=300_000_00 - 1), "loss_or_gain", False, id="loss-<300k"),
    pytest.param(facts(illegal_gain_cents=300_000_00), "loss_or_gain", True, id="gain-300k"),
    pytest.param(
        facts(loss_cents=200_000_00, illegal_gain_cents=200_000_00),
        "loss_or_gain",
        False,
        id="loss-and-gain-not-summed",
    ),
    pytest.param(facts(water_intake_cut_hours=D(12)), "water_intake_cut", True, id="intake-12h"),
    pytest.param(
        facts(water_intake_cut_hours=D("11.99")), "water_intake_cut", False, id="intake-<12h"
    ),
    pytest.param(
        facts(in_protected_zone=True, **TOXIC), "protected_zone_toxic", True, id="zone-toxic"
    ),
    pytest.param(facts(in_protected_zone=True), "protected_zone_toxic", False, id="zone-clean"),
    pytest.param(
        facts(in_protected_zone=True, hazardous_waste_tonnes=D("0.1")),
        "protected_zone_toxic",
        True,
        id="zone-hazardous-waste",
    ),
    pytest.param(
        facts(in_protected_zone=True, measurements=metal("总镉", "a", "1.2")),
        "protected_zone_toxic",
        True,
        id="zone-metal-above-standard",
    ),
    pytest.param(
        facts(in_protected_zone=True, measurements=metal("总镉", "a", "1")),
        "protected_zone_toxic",
        False,
        id="zone-metal-at-standard",
    ),
    pytest.param(
        facts(in_protected_zone=True, measurements=metal("COD", "none", "50")),
        "protected_zone_toxic",
        False,
        id="zone-non-metal-exceedance",
    ),
    pytest.param(
        facts(**KEY_UNIT, monitoring_pollutants=frozenset({"COD"})),
        "key_unit_falsified_monitoring",
        True,
        id="key-unit-cod",
    ),
    pytest.param(
        facts(
            evasive_methods=frozenset({"falsified_monitoring"}),
            monitoring_pollutants=frozenset({"COD"}),
        ),
        "key_unit_falsified_monitoring",
        False,
        id="not-key-unit",
    ),
    pytest.param(
        facts(**KEY_UNIT, monitoring_pollutants=frozenset({"PM10"})),
        "key_unit_falsified_monitoring",
        False,
        id="key-unit-unlisted-pollutant",
    ),
    pytest.param(
        facts(key_pollutant_unit=True, monitoring_pollutants=frozenset({"氨氮"})),
        "key_unit_falsified_monitoring",
        False,
        id="key-unit-no-falsification",
    ),
]


@pytest.mark.parametrize(("f", "predicate", "expected"), BOUNDARIES)
def test_tier1_boundaries(f: ThresholdFacts, predicate: str, expected: bool) -> None:
    assert (predicate in predicates(f)) is expected


def test_nothing_hits_for_a_clean_violation() -> None:
    assert evaluate(facts()) == []
    assert not meets_tier1(evaluate(facts()))


def test_hazardous_waste_hit_reads_as_measured_value_and_threshold() -> None:
    found = hit(facts(hazardous_waste_tonnes=D("3.5")), "hazardous_waste")
    assert found.tier == 1
    assert found.params == {"tonnes": "3.500", "threshold": "3"}
    assert found.reason.format(**found.params) == "3.500 t of hazardous waste ≥ 3 t"
    assert found.basis == cites(I2023, "1", 2)
    assert found.article == (
        "SPC and SPP Interpretation on Environmental Pollution Crimes (2023) art. 1 (item 2); "
        "Criminal Law art. 338"
    )
    assert found.title == "Illegal discharge, dumping or disposal of 3 t or more of hazardous waste"


def test_measured_values_are_padded_but_never_rounded() -> None:
    found = hit(facts(hazardous_waste_tonnes=D("3.0004")), "hazardous_waste")
    assert found.params["tonnes"] == "3.0004"


def test_metal_hit_reports_the_worst_measurement_of_the_group() -> None:
    measurements = (
        MeasuredExceedance("总铅", "a", D("3.2")),
        MeasuredExceedance("总镉", "a", D("4.5")),
        MeasuredExceedance("总镍", "b", D("12")),
    )
    found = hit(facts(measurements=measurements), "metal_group_a")
    assert found.params == {"pollutant": "总镉", "ratio": "4.500", "threshold": "3"}
    assert (
        found.reason.format(**found.params)
        == "总镉 at 4.500 times the discharge standard ≥ 3 times"
    )
    assert hit(facts(measurements=measurements), "metal_group_b").params["threshold"] == "10"


def test_unclassified_measurement_is_grouped_by_its_pollutant_name() -> None:
    assert "metal_group_a" in predicates(facts(measurements=metal("总镉", "none", "3")))
    assert "metal_group_b" in predicates(facts(measurements=metal("Zn", "none", "10")))


def test_explicit_group_wins_over_the_pollutant_name() -> None:
    f = facts(measurements=metal("总镉", "b", "5"))
    assert "metal_group_a" not in predicates(f)
    assert "metal_group_b" not in predicates(f)


def test_evasive_hit_lists_the_means_in_chinese() -> None:
    f = facts(evasive_methods=frozenset({"karst_cave", "hidden_pipe", "abnormal_treatment"}))
    f = replace(f, toxic_substance=True)
    found = hit(f, "evasive_discharge")
    assert found.params["methods"] == "暗管、溶洞"
    assert found.basis == cites(I2023, "1", 5)
    assert "toxic_basis" in found.params


def test_emergency_bypass_is_not_an_evasive_means_before_2023() -> None:
    f = facts(ACT_2020, evasive_methods=frozenset({"emergency_bypass"}), **TOXIC)
    assert "evasive_discharge" not in predicates(f)
    assert "evasive_discharge" in predicates(replace(f, act_on=date(2023, 8, 15)))


@pytest.mark.parametrize(
    ("loss", "gain", "expected"),
    [
        (300_000_00, 0, "Property loss of 300,000 CNY ≥ 300,000 CNY"),
        (0, 300_000_50, "Illegal gains of 300,000.50 CNY ≥ 300,000 CNY"),
        (
            400_000_00,
            300_000_00,
            "Illegal gains of 300,000 CNY and property loss of 400,000 CNY, each ≥ 300,000 CNY",
        ),
    ],
)
def test_loss_and_gain_are_compared_separately(loss: int, gain: int, expected: str) -> None:
    found = hit(facts(loss_cents=loss, illegal_gain_cents=gain), "loss_or_gain")
    assert found.reason.format(**found.params) == expected


def test_intake_hit_message() -> None:
    found = hit(facts(water_intake_cut_hours=D(12)), "water_intake_cut")
    assert found.reason.format(**found.params) == (
        "Drinking-water intake interrupted for 12.00 h ≥ 12 h"
    )
    assert found.basis == cites(I2023, "1", 10)


# Repeat predicates (art. 1(6), 1(8); "二年内" per art. 19).
ALERT = "alert_exceedance"
TOXIC_KIND = "toxic_discharge"


@pytest.mark.parametrize(
    ("prior", "during_alert", "expected"),
    [
        pytest.param(penalties(100, 400, kind=ALERT), True, True, id="two-within-two-years"),
        pytest.param(penalties(100, 800, kind=ALERT), True, False, id="one-older-than-two-years"),
        pytest.param(penalties(100, 400, kind=ALERT), False, False, id="new-act-not-in-alert"),
        pytest.param(penalties(100, kind=ALERT), True, False, id="only-one"),
        pytest.param(penalties(100, 400, kind=TOXIC_KIND), True, False, id="other-kind"),
        pytest.param(penalties(100, -5, kind=ALERT), True, False, id="after-the-act"),
        pytest.param(
            (
                PriorPenalty(date(2022, 6, 1), frozenset({ALERT})),
                PriorPenalty(date(2023, 1, 1), frozenset({ALERT})),
            ),
            True,
            True,
            id="first-penalty-exactly-two-years-before",
        ),
        pytest.param(
            (
                PriorPenalty(date(2022, 5, 31), frozenset({ALERT})),
                PriorPenalty(date(2023, 1, 1), frozenset({ALERT})),
            ),
            True,
            False,
            id="first-penalty-a-day-too-old",
        ),
    ],
)
def test_repeat_alert_exceedance(
    prior: tuple[PriorPenalty, ...], during_alert: bool, expected: bool
) -> None:
    f = facts(prior_penalties=prior, during_pollution_alert=during_alert)
    assert ("repeat_alert_exceedance" in predicates(f)) is expected


def test_repeat_alert_hit_names_count_and_first_penalty() -> None:
    f = facts(prior_penalties=penalties(100, 400, 900, kind=ALERT), during_pollution_alert=True)
    found = hit(f, "repeat_alert_exceedance")
    assert found.params == {
        "count": "2",
        "years": "2",
        "threshold": "2",
        "first": (ACT - timedelta(days=400)).isoformat(),
    }
    assert found.basis == cites(I2023, "1", 6, "19")


def test_penalty_effective_on_29_february_runs_to_28_february() -> None:
    prior = (
        PriorPenalty(date(2024, 2, 29), frozenset({ALERT})),
        PriorPenalty(date(2025, 1, 1), frozenset({ALERT})),
    )
    on_time = facts(date(2026, 2, 28), prior_penalties=prior, during_pollution_alert=True)
    assert "repeat_alert_exceedance" in predicates(on_time)
    late = replace(on_time, act_on=date(2026, 3, 1))
    assert "repeat_alert_exceedance" not in predicates(late)


def test_repeat_toxic_discharge_needs_a_toxic_new_act() -> None:
    prior = penalties(30, 200, kind=TOXIC_KIND)
    assert "repeat_toxic_discharge" in predicates(facts(prior_penalties=prior, **TOXIC))
    assert "repeat_toxic_discharge" not in predicates(facts(prior_penalties=prior))


def test_one_penalty_of_both_kinds_counts_for_both_predicates() -> None:
    both = frozenset({ALERT, TOXIC_KIND})
    prior = (PriorPenalty(ACT - timedelta(days=10), both),) * 2
    f = facts(prior_penalties=prior, during_pollution_alert=True, **TOXIC)
    assert {"repeat_alert_exceedance", "repeat_toxic_discharge"} <= set(predicates(f))


# Versioning: the set in force on the date of the act.


@pytest.mark.parametrize(
    ("act_on", "name"),
    [
        (date(2017, 1, 1), "法释〔2016〕29号"),
        (date(2020, 6, 1), "法释〔2016〕29号"),
        (date(2023, 8, 14), "法释〔2016〕29号"),
        (date(2023, 8, 15), "法释〔2023〕7号"),
        (date(2030, 1, 1), "法释〔2023〕7号"),
    ],
)
def test_the_set_in_force_on_the_act_date_applies(act_on: date, name: str) -> None:
    assert threshold_set_for(act_on).name == name


@pytest.mark.parametrize("act_on", [date(2016, 12, 31), date(2013, 6, 19), date.min])
def test_an_act_before_2017_raises(act_on: date) -> None:
    with pytest.raises(ValueError, match="no criminal threshold set"):
        evaluate(facts(act_on, hazardous_waste_tonnes=D(5)))


def test_a_2020_act_uses_the_2016_set() -> None:
    f = facts(
        ACT_2020,
        hazardous_waste_tonnes=D(3),
        water_intake_cut_hours=D(12),
        prior_penalties=penalties(10, 20, kind=ALERT, act_on=ACT_2020),
        during_pollution_alert=True,
    )
    hits = {h.predicate: h for h in evaluate(f)}
    assert set(hits) == {"hazardous_waste", "water_intake_cut"}  # no alert predicate in 2016
    assert hits["hazardous_waste"].basis == cites(I2016, "1", 2)
    assert hits["water_intake_cut"].basis == cites(I2016, "1", 11)


def test_2016_repeat_toxic_discharge_is_art_1_6() -> None:
    prior = penalties(30, 200, kind=TOXIC_KIND, act_on=ACT_2020)
    found = hit(facts(ACT_2020, prior_penalties=prior, **TOXIC), "repeat_toxic_discharge")
    assert found.basis == cites(I2016, "1", 6, "17")


def test_2016_any_heavy_metal_content_is_toxic() -> None:
    f = facts(ACT_2020, measurements=metal("总镉", "a", "0.5"), in_protected_zone=True)
    assert is_toxic(f)
    assert "protected_zone_toxic" in predicates(f)
    assert not is_toxic(replace(f, act_on=ACT))


def test_custom_threshold_sets_and_exclusive_comparison() -> None:
    exclusive = (replace(THRESHOLD_SETS[-1], effective_from=date(2000, 1, 1), inclusive=False),)
    f = facts(hazardous_waste_tonnes=D(3))
    assert evaluate(f, exclusive) == []
    assert [
        h.predicate for h in evaluate(replace(f, hazardous_waste_tonnes=D("3.001")), exclusive)
    ] == ["hazardous_waste"]


# Tier 2 (情节严重), information only.


def test_tier2_hazardous_waste_and_loss() -> None:
    f = facts(hazardous_waste_tonnes=D(100), loss_cents=1_000_000_00)
    hits = {h.predicate: h for h in evaluate(f)}
    assert {
        "hazardous_waste",
        "hazardous_waste_major",
        "loss_or_gain",
        "loss_or_gain_major",
    } <= set(hits)
    assert hits["hazardous_waste_major"].tier == 2
    assert hits["hazardous_waste_major"].params == {"tonnes": "100.000", "threshold": "100"}
    assert hits["loss_or_gain_major"].basis == cites(I2023, "2", 4)
    below = facts(hazardous_waste_tonnes=D("99.999"), loss_cents=1_000_000_00 - 1)
    assert not TIER2 & set(predicates(below))


def test_2016_tier2_counts_the_loss_only() -> None:
    gains = facts(ACT_2020, illegal_gain_cents=1_000_000_00)
    assert predicates(gains) == ["loss_or_gain"]
    assert "loss_or_gain_major" in predicates(facts(ACT_2020, loss_cents=1_000_000_00))
    assert "loss_or_gain_major" in predicates(facts(ACT, illegal_gain_cents=1_000_000_00))


def test_meets_tier1_ignores_tier2_hits() -> None:
    tier2 = [h for h in evaluate(facts(hazardous_waste_tonnes=D(100))) if h.tier == 2]
    assert tier2 and not meets_tier1(tier2)
    assert meets_tier1(evaluate(facts(hazardous_waste_tonnes=D(100))))


def test_hits_follow_the_order_of_the_articles() -> None:
    f = facts(
        in_protected_zone=True,
        hazardous_waste_tonnes=D(150),
        water_intake_cut_hours=D(24),
        loss_cents=500_000_00,
        **KEY_UNIT,
        monitoring_pollutants=frozenset({"SO₂", "NOx"}),
    )
    assert predicates(f) == [
        "protected_zone_toxic",
        "hazardous_waste",
        "key_unit_falsified_monitoring",
        "loss_or_gain",
        "water_intake_cut",
        "hazardous_waste_major",
    ]
    assert hit(f, "key_unit_falsified_monitoring").params == {"pollutants": "NOx、SO2"}


# Classification and normalisation.


@pytest.mark.parametrize(
    ("name", "group"),
    [
        ("总镉", "a"),
        ("镉", "a"),
        ("Cd", "a"),
        ("Ｃｄ", "a"),
        ("总 Cd", "a"),
        ("铅及其化合物", "a"),
        ("六价铬", "a"),
        ("Cr(VI)", "a"),
        ("总铬", "a"),
        ("烷基汞", "a"),
        ("总砷", "a"),
        ("铊", "a"),
        ("Sb", "a"),
        ("lead", "a"),
        ("总镍", "b"),
        ("Ni", "b"),
        ("总铜", "b"),
        ("锌", "b"),
        ("Ag", "b"),
        ("钒", "b"),
        ("总锰", "b"),
        ("Co", "b"),
        ("CO", "none"),
        ("cd", "none"),
        ("高锰酸盐指数", "none"),
        ("COD", "none"),
        ("氨氮", "none"),
        ("", "none"),
    ],
)
def test_classify_metal(name: str, group: str) -> None:
    assert classify_metal(name) == group


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("COD", "COD"),
        ("CODcr", "COD"),
        ("化学需氧量", "COD"),
        ("NH3-N", "NH3-N"),
        ("NH₃-N", "NH3-N"),
        ("氨氮", "NH3-N"),
        ("SO2", "SO2"),
        ("二氧化硫", "SO2"),
        ("NOx", "NOx"),
        ("氮氧化物", "NOx"),
        ("PM2.5", None),
        ("总磷", None),
    ],
)
def test_monitoring_pollutant_code(name: str, code: str | None) -> None:
    assert monitoring_pollutant_code(name) == code


# Validation of the facts.


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"hazardous_waste_tonnes": D(-1)}, ValueError),
        ({"hazardous_waste_tonnes": D("NaN")}, ValueError),
        ({"hazardous_waste_tonnes": 3.5}, TypeError),
        ({"water_intake_cut_hours": D("-0.5")}, ValueError),
        ({"loss_cents": -1}, ValueError),
        ({"illegal_gain_cents": D(5)}, ValueError),
        ({"evasive_methods": frozenset({"tunnel"})}, ValueError),
    ],
)
def test_invalid_facts_are_refused(changes: dict[str, Any], error: type[Exception]) -> None:
    with pytest.raises(error):
        facts(**changes)


def test_invalid_measurements_and_penalties_are_refused() -> None:
    with pytest.raises(ValueError):
        MeasuredExceedance("总镉", "c", D(1))  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        MeasuredExceedance("总镉", "a", D(-1))
    with pytest.raises(ValueError):
        PriorPenalty(ACT, frozenset({"late_payment"}))


def test_integers_are_accepted_as_decimals() -> None:
    f = facts(hazardous_waste_tonnes=3, water_intake_cut_hours=12)
    assert f.hazardous_waste_tonnes == D(3) and isinstance(f.hazardous_waste_tonnes, Decimal)
    assert predicates(f) == ["hazardous_waste", "water_intake_cut"]


# The data stay consistent with the models and with themselves.


def test_enum_values_match_the_violation_model() -> None:
    from casemgr.models.violations import EvasiveMethod, MetalGroup

    assert set(EVASIVE_METHODS) == {m.value for m in EvasiveMethod}
    assert {"a", "b", "none"} == {g.value for g in MetalGroup}


def test_threshold_sets_are_dated_sourced_and_complete() -> None:
    dates = [t.effective_from for t in THRESHOLD_SETS]
    assert dates == sorted(dates) and len(set(dates)) == len(dates)
    for ts in THRESHOLD_SETS:
        assert ts.source and ts.name in ts.source
        assert set(ts.predicates) <= PREDICATES
        assert {p for p, ref in ts.predicates.items() if ref.tier == 2} == TIER2
        assert all(ref.basis[0].law is ts.law for ref in ts.predicates.values())
        assert ts.evasive_methods <= set(EVASIVE_METHODS) - {
            "falsified_monitoring",
            "abnormal_treatment",
        }
        assert len(ts.metals_a) == len(ts.metals_b) == 7
    old, new = THRESHOLD_SETS
    assert set(new.predicates) == PREDICATES
    assert set(new.predicates) - set(old.predicates) == {"repeat_alert_exceedance"}
    assert new.evasive_methods - old.evasive_methods == {"emergency_bypass"}
    assert "[V" in new.source and "[R" in new.source


# Messages: every reason is a marked msgid, translated in the pending catalogue.

_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def _module_msgids() -> set[str]:
    tree = ast.parse(Path(criminal_thresholds.__file__).read_text(encoding="utf-8"))
    return {
        str(node.args[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "N_"
        and isinstance(node.args[0], ast.Constant)
    }


# Properties.

DECIMALS = st.decimals(min_value=0, max_value=200, places=3)
ACT_DATES = st.dates(min_value=date(2017, 1, 1), max_value=date(2030, 12, 31))
MONEY = st.integers(min_value=0, max_value=2_000_000_00)
POLLUTANTS = st.sampled_from(["总镉", "总铅", "Ni", "锌", "COD", "氨氮", "总磷", "六价铬"])
MEASUREMENTS = st.lists(
    st.builds(
        MeasuredExceedance,
        POLLUTANTS,
        st.sampled_from(["a", "b", "none"]),
        st.decimals(min_value=0, max_value=30, places=3),
    ),
    max_size=3,
).map(tuple)
PENALTIES = st.lists(
    st.builds(
        PriorPenalty,
        st.dates(min_value=date(2014, 1, 1), max_value=date(2030, 12, 31)),
        st.frozensets(st.sampled_from(sorted(criminal_thresholds.PENALTY_KINDS))),
    ),
    max_size=4,
).map(tuple)
FACTS = st.builds(
    ThresholdFacts,
    act_on=ACT_DATES,
    hazardous_waste_tonnes=DECIMALS,
    measurements=MEASUREMENTS,
    evasive_methods=st.frozensets(st.sampled_from(sorted(EVASIVE_METHODS))),
    in_protected_zone=st.booleans(),
    toxic_substance=st.booleans(),
    key_pollutant_unit=st.booleans(),
    monitoring_pollutants=st.frozensets(st.sampled_from(["COD", "氨氮", "SO2", "PM10"])),
    loss_cents=MONEY,
    illegal_gain_cents=MONEY,
    water_intake_cut_hours=st.decimals(min_value=0, max_value=48, places=2),
    during_pollution_alert=st.booleans(),
    prior_penalties=PENALTIES,
)


@given(DECIMALS, ACT_DATES)
def test_hazardous_waste_hits_exactly_from_three_tonnes(tonnes: Decimal, act_on: date) -> None:
    hit_found = "hazardous_waste" in predicates(facts(act_on, hazardous_waste_tonnes=tonnes))
    assert hit_found is (tonnes >= 3)


@given(MONEY, MONEY)
def test_loss_or_gain_compares_the_larger_amount_never_the_sum(loss: int, gain: int) -> None:
    found = "loss_or_gain" in predicates(facts(loss_cents=loss, illegal_gain_cents=gain))
    assert found is (max(loss, gain) >= 300_000_00)


@given(FACTS)
def test_every_hit_is_well_formed(f: ThresholdFacts) -> None:
    ts = threshold_set_for(f.act_on)
    hits = evaluate(f)
    codes = [h.predicate for h in hits]
    assert codes == [c for c in ts.predicates if c in codes]  # article order, no duplicates
    for h in hits:
        ref = ts.predicates[h.predicate]
        assert (h.tier, h.title, h.basis) == (ref.tier, ref.title, ref.basis)
        assert set(_PLACEHOLDER.findall(h.reason)) <= set(h.params)
        assert h.reason in _module_msgids()
        assert all(isinstance(v, str) for v in h.params.values())
    assert meets_tier1(hits) is any(h.tier == 1 for h in hits)


@given(FACTS, DECIMALS, MONEY, st.booleans())
def test_more_of_anything_never_removes_a_hit(
    f: ThresholdFacts, extra: Decimal, money: int, flag: bool
) -> None:
    worse = replace(
        f,
        hazardous_waste_tonnes=f.hazardous_waste_tonnes + extra,
        measurements=tuple(replace(m, ratio=m.ratio + extra) for m in f.measurements),
        loss_cents=f.loss_cents + money,
        illegal_gain_cents=f.illegal_gain_cents + money,
        water_intake_cut_hours=f.water_intake_cut_hours + extra,
        in_protected_zone=f.in_protected_zone or flag,
        toxic_substance=f.toxic_substance or flag,
        evasive_methods=f.evasive_methods | {"karst_cave"},
    )
    assert set(predicates(f)) <= set(predicates(worse))
