"""Scheme files: the shipped ones load; a bad one is refused naming the bad field."""

from __future__ import annotations

import copy
import json

import pytest

from credit.schemes import SCHEME_DIR, SHIPPED, SchemeError, Tier, load_scheme, parse_scheme


def _guizhou():
    return json.loads((SCHEME_DIR / "guizhou-2019.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("scheme_id", SHIPPED)
def test_each_shipped_scheme_loads_totals_100_and_states_its_assumptions(scheme_id):
    scheme = load_scheme(SCHEME_DIR / f"{scheme_id}.json")
    assert scheme.total_points == 100 and scheme.assumptions
    assert set(scheme.consequences) == {t.tier for t in scheme.tiers}
    assert any(v.id == "environmental_crime" and v.tier is Tier.RED for v in scheme.vetoes)


def test_the_guizhou_scheme_has_the_2019_structure_and_three_sub_levels():
    scheme = load_scheme(SCHEME_DIR / "guizhou-2019.json")
    assert [(g.name, g.points) for g in scheme.groups] == [
        ("企业主体责任", 60),
        ("执法监管", 30),
        ("社会责任", 10),
    ]
    assert [len(t.sublevels) for t in scheme.tiers] == [3, 3, 3, 0]


def _break(change):
    data = _guizhou()
    change(data)
    with pytest.raises(SchemeError) as exc:
        parse_scheme(data)
    return exc.value.path, exc.value.message


def _set(path, value):
    def change(data):
        target = data
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return change


@pytest.mark.parametrize(
    ("change", "path", "words"),
    [
        (_set(["groups", 0, "points"], 61), "groups[0].points", "add up to 60"),
        (
            _set(["groups", 0, "indicators", 0, "bands", 0, "fraction"], 1.5),
            "groups[0].indicators[0].bands[0].fraction",
            "between 0 and 1",
        ),
        (
            _set(["groups", 1, "indicators", 2, "measure", "fact"], "lawsuit"),
            "groups[1].indicators[2].measure.fact",
            "not one of",
        ),
        (
            _set(["groups", 1, "indicators", 0, "bands", 1, "upto"], 0),
            "groups[1].indicators[0].bands[1].upto",
            "ascend",
        ),
        (_set(["tiers", 1, "tier"], "green"), "tiers[1]", "best to worst"),
        (_set(["tiers", 0, "sublevels"], [97, 98, 95]), "tiers[0].sublevels", "descend"),
        (_set(["vetoes", 0, "tier"], "black"), "vetoes[0].tier", "not a tier of this scheme"),
        (_set(["downgrades", 0, "steps"], 0), "downgrades[0].steps", "steps"),
        (_set(["effective_from"], "2019-13-01"), "effective_from", "date"),
        (_set(["periods", "objection_days"], "15天"), "periods.objection_days", "whole number"),
        (_set(["graph_risk", "group"], "nowhere"), "graph_risk.group", "not a group id"),
        (lambda d: d["consequences"].pop("red"), "consequences.red", "required"),
        (lambda d: d.pop("groups"), "groups", "non-empty list"),
    ],
)
def test_a_bad_field_is_named_with_its_path(change, path, words):
    got_path, message = _break(change)
    assert got_path == path and words in message


def test_a_file_that_is_not_json_is_refused(tmp_path):
    bad = tmp_path / "scheme.json"
    bad.write_text("{ groups: [", encoding="utf-8")
    with pytest.raises(SchemeError) as exc:
        load_scheme(bad)
    assert exc.value.path == "(file)" and "scheme.json" in exc.value.message


def test_a_scheme_is_configuration_a_changed_cut_off_changes_the_tier(tmp_path):
    from datetime import date

    from credit.facts import Fact, FactKind
    from credit.scoring import score

    data = _guizhou()
    data["version"] = "2"
    data["tiers"][1]["min_score"] = 92  # 良好 from 92 instead of 80
    data["tiers"][1]["sublevels"] = [97, 94, 92]
    data["tiers"][0]["min_score"] = 98
    data["tiers"][0]["sublevels"] = [99.5, 99, 98]
    path = tmp_path / "guizhou-2019-v2.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    changed = load_scheme(path)
    penalty = [Fact(FactKind.PENALTY, date(2026, 3, 1), "p", date(2026, 3, 1), amount=30_000)]
    as_of = date(2026, 11, 28)
    assert score(load_scheme(SCHEME_DIR / "guizhou-2019.json"), penalty, as_of).tier is Tier.BLUE
    result = score(changed, penalty, as_of)  # 91.6 points, below the new 92
    assert (result.tier, result.scheme) == (Tier.YELLOW, "guizhou-2019@2")
    assert copy.deepcopy(data) == data
