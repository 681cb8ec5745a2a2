"""Scoring under the shipped schemes, with the expected numbers worked out by hand."""

from __future__ import annotations

from datetime import date

import pytest

from credit.facts import Fact, FactKind
from credit.schemes import SHIPPED, Tier, shipped_scheme
from credit.scoring import ContributionKind, Status, assess, finish, score

AS_OF = date(2026, 11, 28)
GZ = shipped_scheme("guizhou-2019")


def fact(kind, on, record, recorded=None, **kw):
    return Fact(FactKind(kind), on, record, recorded or on, **kw)


def line(result, rule):
    return next(c for c in result.contributions if c.rule == rule)


def test_an_enterprise_with_a_clean_record_is_green_at_the_top_sub_level():
    result = score(GZ, [], AS_OF)
    # Every count is 0 (band "无": full points); rates without data earn full points.
    assert (result.points, result.tier, result.sublevel, result.status) == (
        100.0,
        Tier.GREEN,
        1,
        Status.RATED,
    )
    assert result.scheme == "guizhou-2019@1"
    assert sum(c.max_points for c in result.contributions) == 100


def test_a_penalty_costs_points_by_count_and_amount_and_names_its_record():
    result = score(GZ, [fact("penalty", date(2026, 3, 1), "penalty:7", amount=30_000)], AS_OF)
    # penalties: 1 → band "1次" 0.5 of 12 = 6 (loses 6); amount 30,000 → "<5万元" 0.6 of 6 = 3.6
    # (loses 2.4): 100 - 6 - 2.4 = 91.6 → blue (80-95), sub-levels 90/85/80 → level 1.
    assert result.points == 91.6
    assert (result.tier, result.sublevel) == (Tier.BLUE, 1)
    penalties = line(result, "penalties")
    assert (penalties.points, penalties.measure, penalties.band, penalties.records) == (
        6.0,
        1.0,
        "1次",
        ("penalty:7",),
    )
    assert line(result, "penalty_amount").points == 3.6


def test_a_penalty_counts_for_36_months_from_its_decision():
    old = fact("penalty", date(2023, 11, 28), "p-old", amount=1000)
    recent = fact("penalty", date(2023, 11, 29), "p-recent", amount=1000)
    # The window is (2023-11-28, 2026-11-28]: the first is out, the second in.
    assert line(score(GZ, [old], AS_OF), "penalties").records == ()
    assert line(score(GZ, [recent], AS_OF), "penalties").records == ("p-recent",)


@pytest.mark.parametrize("scheme_id", SHIPPED)
def test_a_conviction_under_article_338_is_red_under_every_scheme_whatever_else(scheme_id):
    scheme = shipped_scheme(scheme_id)
    conviction = fact("criminal_conviction", date(2026, 6, 1), "case:338", detail="刑法第338条")
    clean = score(scheme, [conviction], AS_OF)
    assert clean.score_tier is Tier.GREEN and clean.tier is Tier.RED and clean.vetoed
    veto = line(clean, "environmental_crime")
    assert veto.kind is ContributionKind.VETO and veto.records == ("case:338",)
    assert "刑法第三百三十八条" in veto.name
    # Even where the points alone would give black (five colours), the veto rates it 不良.
    bad = [fact("penalty", date(2026, 1, i), f"p{i}", amount=500_000) for i in range(1, 6)]
    bad += [fact("incident", date(2026, 2, 1), "inc", level="general")]
    bad += [fact("complaint", date(2026, 2, i), f"c{i}") for i in range(1, 4)]
    assert score(scheme, [conviction, *bad], AS_OF).tier is Tier.RED


def test_a_general_incident_lowers_the_tier_by_one_and_a_larger_one_makes_it_red():
    general = fact("incident", date(2026, 5, 1), "inc:1", level="general")
    result = score(GZ, [general], AS_OF)
    # incidents: 1 → 0 of 15: 85 points → blue, sub-level 2 (85 ≥ 85); downgraded one step.
    assert (result.points, result.score_tier, result.tier, result.sublevel) == (
        85.0,
        Tier.BLUE,
        Tier.YELLOW,
        None,
    )
    assert line(result, "general_incident").records == ("inc:1",)
    larger = fact("incident", date(2026, 5, 1), "inc:2", level="larger")
    assert score(GZ, [larger], AS_OF).tier is Tier.RED


def test_rates_and_shares_follow_their_bands():
    facts = [
        fact("monitoring_exceedance", date(2026, 9, 30), "m:9", value=0.02),
        fact("monitoring_exceedance", date(2026, 10, 31), "m:10", value=0.07),
        fact("data_transmission", date(2026, 10, 31), "t:10", value=0.85),
        fact("rectification", date(2026, 4, 1), "r:1", value=1.0),
        fact("rectification", date(2026, 5, 1), "r:2", value=0.0),
        fact("rectification", date(2026, 6, 1), "r:3", value=1.0),
    ]
    result = score(GZ, facts, AS_OF)
    # Latest exceedance 7 % → "5%–10%" 0.6 of 10 = 6; transmission 85 % → 0.6667 of 5 =
    # 3.3335; on-time share 2/3 → "50%–80%" 0.5 of 15 = 7.5.
    assert line(result, "monitoring_compliance").points == 6.0
    assert line(result, "data_transmission").points == 3.3335
    assert line(result, "rectification").points == 7.5
    # 100 - 4 - 1.6665 - 7.5 = 86.8335 → blue, sub-level 2.
    assert result.points == 86.8335 and (result.tier, result.sublevel) == (Tier.BLUE, 2)


def test_graph_risk_is_deducted_up_to_the_schemes_cap_with_its_paths():
    paths = ("企业B —法定代表人 张三— 本企业",)
    some = score(GZ, [], AS_OF, graph_risk=4.5, graph_paths=paths)
    assert some.points == 95.5 and line(some, "graph_risk").records == paths
    capped = score(GZ, [], AS_OF, graph_risk=25.0)
    # Capped at 10 points: 90 → blue.
    assert capped.points == 90.0 and line(capped, "graph_risk").points == -10.0


def test_one_assessment_finishes_with_and_without_graph_risk_as_scoring_afresh_does():
    # Out of order on purpose: windows list their records oldest first whatever the input.
    facts = [
        fact("penalty", date(2026, 9, 1), "p:2", amount=20_000),
        fact("incident", date(2026, 5, 1), "inc:1", level="general"),
        fact("penalty", date(2025, 1, 10), "p:1", amount=60_000),
    ]
    assessment = assess(GZ, facts, AS_OF)
    alone = finish(assessment)
    risky = finish(assessment, graph_risk=4.0, graph_paths=("企业B —股东— 本企业",))
    # penalties: 2 → "2次" 0.2 of 12 (loses 9.6); 80,000 yuan → "5万–20万元" 0.3 of 6 (loses
    # 4.2); incidents: 1 → 0 of 15 (loses 15): 100 - 9.6 - 4.2 - 15 = 71.2 → yellow (60-80),
    # which the general incident lowers one step to red (no sub-level). With 4 points of graph
    # risk: 67.2, yellow by points, red all the same.
    assert (alone.points, alone.score_tier, alone.tier) == (71.2, Tier.YELLOW, Tier.RED)
    assert (risky.points, risky.score_tier, risky.tier) == (67.2, Tier.YELLOW, Tier.RED)
    assert alone.sublevel is None and line(risky, "graph_risk").points == -4.0
    assert line(alone, "penalties").records == ("p:1", "p:2")
    assert line(alone, "general_incident").band == Tier.RED.value
    assert alone == score(GZ, facts, AS_OF)
    assert risky == score(GZ, facts, AS_OF, graph_risk=4.0, graph_paths=("企业B —股东— 本企业",))
    # Finishing leaves the assessment as it was: a third finish equals the first.
    assert finish(assessment) == alone


def test_a_past_score_ignores_what_was_recorded_later_and_a_repair_counts_from_its_day():
    penalty = fact("penalty", date(2026, 3, 1), "p:1", recorded=date(2026, 6, 1), amount=10_000)
    repair = fact("repair", date(2026, 9, 1), "repair:1", target="p:1")
    facts = [penalty, repair]
    assert score(GZ, facts, date(2026, 5, 31)).points == 100.0  # not yet recorded
    assert score(GZ, facts, date(2026, 6, 1)).points == 91.6  # 100 - 6 - 2.4
    assert score(GZ, facts, date(2026, 9, 1)).points == 100.0  # repaired
    # Recomputing gives the same answer, contribution by contribution.
    assert score(GZ, facts, date(2026, 7, 1)) == score(GZ, list(reversed(facts)), date(2026, 7, 1))


def test_an_enterprise_that_cannot_be_rated_is_abnormal_until_flagged_rateable_again():
    shut = fact("not_rateable", date(2026, 2, 1), "status:1", value=1.0, detail="停产")
    result = score(GZ, [shut], AS_OF)
    assert (result.status, result.tier, result.sublevel) == (Status.ABNORMAL, None, None)
    assert line(result, "not_rateable").band == "停产"
    back = fact("not_rateable", date(2026, 8, 1), "status:2", value=0.0)
    assert score(GZ, [shut, back], AS_OF).tier is Tier.GREEN


def test_the_five_colour_scheme_reaches_black_by_points_alone():
    five = shipped_scheme("five-colour")
    facts = [fact("penalty", date(2026, 1, i), f"p{i}", amount=100_000) for i in range(1, 4)]
    facts += [fact("coercive_measure", date(2026, 2, 1), "cm"),
              fact("daily_penalty", date(2026, 2, 2), "dp"),
              fact("fine_overdue", date(2026, 3, 1), "fo"),
              fact("compensation_overdue", date(2026, 3, 2), "co")]  # fmt: skip
    facts += [fact("inspection_finding", date(2026, 4, i), f"f{i}") for i in range(1, 7)]
    facts += [fact("complaint", date(2026, 5, i), f"c{i}") for i in range(1, 4)]
    facts += [fact("rectification", date(2026, 6, 1), "r", value=0.0)]
    result = score(five, facts, AS_OF)
    # Lost: penalties 12, amount 6 (300,000 ≥ 20万), coercive 4, daily 4, overdue 2 + 2,
    # findings 15 (> 5), complaints 10, rectification 15: 100 - 70 = 30 < 40 → black.
    assert result.points == 30.0 and result.tier is Tier.BLACK


@pytest.mark.parametrize("module", ["credit.facts", "credit.scoring"])
def test_the_module_doctests_pass(module):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(module))
    assert result.attempted > 0 and result.failed == 0
