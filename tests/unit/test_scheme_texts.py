"""The schemes' texts in both languages: Chinese data, each with an English twin."""

from __future__ import annotations

import json
import re

import pytest

from credit.schemes import SCHEME_DIR, SHIPPED, SchemeError, load_scheme, parse_scheme, text

CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
LATIN_WORD = re.compile(r"[A-Za-z]{3,}")
# Names of sources a Chinese text may keep as they are spelled: a web site, a file.
CITED_NAMES = re.compile(r"\b[\w.-]+\.(?:net|com|cn|org|md)\b")


def _data(scheme_id: str) -> dict:
    return json.loads((SCHEME_DIR / f"{scheme_id}.json").read_text(encoding="utf-8"))


def _texts(scheme):
    """(where, object, field) for every text of a scheme the pages show."""
    yield "scheme", scheme, "name"
    yield "scheme", scheme, "source"
    for g in scheme.groups:
        yield g.id, g, "name"
        for ind in g.indicators:
            yield ind.id, ind, "name"
            yield ind.id, ind, "basis"
            for i, band in enumerate(ind.bands):
                yield f"{ind.id}.bands[{i}]", band, "label"
    for rule in (*scheme.vetoes, *scheme.downgrades):
        yield rule.id, rule, "name"
        yield rule.id, rule, "basis"
    for t in scheme.tiers:
        yield t.tier.value, t, "name"


@pytest.mark.parametrize("scheme_id", SHIPPED)
def test_every_text_has_an_english_twin_without_chinese(scheme_id):
    scheme = load_scheme(SCHEME_DIR / f"{scheme_id}.json")
    for where, obj, field in _texts(scheme):
        english = getattr(obj, f"{field}_en")
        assert english.strip(), f"{scheme_id} {where}.{field}_en is missing"
        assert not CJK.search(english), f"{scheme_id} {where}.{field}_en: {english}"
        assert text(obj, field, "en") == english
        assert text(obj, field, "zh_CN") == getattr(obj, field)
    assert len(scheme.assumptions_en) == len(scheme.assumptions)
    for zh, en in zip(scheme.assumptions, scheme.assumptions_en, strict=True):
        assert not CJK.search(en), f"{scheme_id} assumption: {en}"
        assert not LATIN_WORD.search(zh), f"{scheme_id} assumption: {zh}"
        assert ("[R]" in en) == ("〔待核实〕" in zh) and "[R]" not in zh


@pytest.mark.parametrize("scheme_id", SHIPPED)
def test_every_chinese_basis_is_chinese_and_keeps_the_recalled_mark(scheme_id):
    scheme = load_scheme(SCHEME_DIR / f"{scheme_id}.json")
    rules = [i for g in scheme.groups for i in g.indicators]
    for rule in (*rules, *scheme.vetoes, *scheme.downgrades):
        if not rule.basis:
            continue
        assert not LATIN_WORD.search(rule.basis), f"{scheme_id} {rule.id}: {rule.basis}"
        assert "[R" not in rule.basis
        assert ("[R]" in rule.basis_en) == ("〔待核实〕" in rule.basis), rule.id
    # The source and the names are Chinese too, but for the names of cited sites and files.
    for where, obj, field in _texts(scheme):
        zh = CITED_NAMES.sub("", getattr(obj, field))
        assert not LATIN_WORD.search(zh), f"{scheme_id} {where}.{field}: {zh}"


def test_the_facts_of_a_basis_are_the_same_in_both_languages():
    scheme = load_scheme(SCHEME_DIR / "guizhou-2019.json")
    rules = {i.id: i for g in scheme.groups for i in g.indicators}
    rules |= {r.id: r for r in (*scheme.vetoes, *scheme.downgrades)}
    numbers = re.compile(r"\d+(?:[.,]\d+)*")
    for rule in rules.values():
        zh = {n.replace(",", "") for n in numbers.findall(rule.basis)}
        en = {n.replace(",", "") for n in numbers.findall(rule.basis_en)}
        # 5 万元 is 50,000 yuan: the only figure written differently.
        assert zh - {"5"} <= en | {"5"}, (rule.id, zh - en)
    assert "黔环通〔2018〕116号" in rules["monitoring_compliance"].basis
    assert "Qianhuantong [2018] No. 116" in rules["monitoring_compliance"].basis_en


def test_a_scheme_without_english_twins_loads_and_falls_back_to_chinese():
    def strip(node):
        if isinstance(node, dict):
            return {k: strip(v) for k, v in node.items() if not k.endswith("_en")}
        return [strip(v) for v in node] if isinstance(node, list) else node

    bare = strip(_data("guizhou-2019"))
    assert '_en"' not in json.dumps(bare)
    scheme = parse_scheme(bare)
    assert scheme.name_en == "" and scheme.assumptions_en == ()
    assert text(scheme, "name", "en") == scheme.name == "贵州省企业环境信用评价指标体系（2019）"
    band = scheme.groups[0].indicators[0].bands[0]
    assert text(band, "label", "en") == band.label == "超标率<5%"
    assert text(scheme, "assumptions", "en_GB") == scheme.assumptions


@pytest.mark.parametrize(
    ("change", "path", "message"),
    [
        (lambda d: d.update(name_en=3), "name_en", "must be text"),
        (
            lambda d: d["groups"][0]["indicators"][1].update(basis_en=["x"]),
            "groups[0].indicators[1].basis_en",
            "must be text",
        ),
        (
            lambda d: d.update(assumptions_en=["only one"]),
            "assumptions_en",
            "must give one English twin per assumption",
        ),
    ],
)
def test_a_bad_english_twin_is_refused_naming_the_field(change, path, message):
    data = _data("guizhou-2019")
    change(data)
    with pytest.raises(SchemeError) as exc:
        parse_scheme(data)
    assert (exc.value.path, exc.value.message) == (path, message)


def test_the_module_doctests_pass():
    import doctest

    import credit.schemes

    result = doctest.testmod(credit.schemes)
    assert result.attempted > 0 and result.failed == 0
