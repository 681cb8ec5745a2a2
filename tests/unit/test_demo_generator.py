"""The demo/benchmark enterprise generator: deterministic, valid, unique identifiers, coverage."""

from __future__ import annotations

import csv
import re
from collections import Counter
from datetime import date
from itertools import islice
from pathlib import Path

import pytest

from casemgr.demo.generator import (
    BASINS,
    PERMIT_CLASSES,
    STATUSES,
    generate_enterprises,
    gs15_check_digit,
    is_valid_regno15,
    load_divisions,
)
from linkage.identifiers import org_code_is_valid, regno15_is_valid, validate_uscc

REFDATA = Path(__file__).resolve().parents[2] / "casemgr" / "refdata"
REAL_USCCS = ("9152000071430580XT", "91520000214434146R")


@pytest.fixture(scope="module")
def divisions():
    return load_divisions(REFDATA / "guizhou-divisions.csv")


@pytest.fixture(scope="module")
def records(divisions):
    return list(generate_enterprises(divisions, count=2000, seed=7))


def _prefectures(divisions):
    return {d.code for d in divisions if d.level == "prefecture"}


def _parent_of(divisions):
    return {d.code: d.parent_code for d in divisions}


def test_load_divisions_reads_province_prefectures_and_counties(divisions):
    levels = Counter(d.level for d in divisions)
    assert levels == {"province": 1, "prefecture": 9, "county": 88}
    province = next(d for d in divisions if d.level == "province")
    assert province.parent_code is None


def test_same_seed_gives_identical_stream(divisions):
    first = list(generate_enterprises(divisions, count=300, seed=42))
    second = list(generate_enterprises(divisions, count=300, seed=42))
    assert first == second


def test_different_seeds_give_different_streams(divisions):
    a = list(generate_enterprises(divisions, count=300, seed=1, include_real=False))
    b = list(generate_enterprises(divisions, count=300, seed=2, include_real=False))
    assert a != b
    assert [r["name"] for r in a] != [r["name"] for r in b]


def test_yields_exactly_count_records_lazily(divisions):
    stream = generate_enterprises(divisions, count=10**12)
    assert len(list(islice(stream, 5))) == 5
    assert len(list(generate_enterprises(divisions, count=37))) == 37
    assert list(generate_enterprises(divisions, count=0)) == []


def test_negative_count_is_rejected_before_iteration(divisions):
    with pytest.raises(ValueError):
        generate_enterprises(divisions, count=-1)


def test_real_enterprises_come_first(records):
    assert [r["uscc"] for r in records[:2]] == list(REAL_USCCS)
    assert records[0]["name"] == "贵州茅台酒股份有限公司"
    assert records[0]["county_code"] == "520382"
    assert records[0]["industry_code"] == "C1512"
    assert ("regno15", "520000000005018") in records[1]["aliases"]


def test_real_enterprises_can_be_left_out(divisions):
    rows = list(generate_enterprises(divisions, count=50, include_real=False))
    assert not {r["uscc"] for r in rows} & set(REAL_USCCS)


def test_all_usccs_are_valid(records):
    bad = [r["uscc"] for r in records if not validate_uscc(r["uscc"]).is_valid]
    assert bad == []


def test_usccs_are_unique_and_never_reuse_the_real_ones(records):
    usccs = [r["uscc"] for r in records]
    assert len(set(usccs)) == len(usccs)
    generated = usccs[2:]
    assert not set(generated) & set(REAL_USCCS)
    # nor their organisation-code bodies
    assert not {u[8:17] for u in generated} & {u[8:17] for u in REAL_USCCS}


def test_every_prefecture_is_represented(divisions, records):
    parent = _parent_of(divisions)
    assert {parent[r["county_code"]] for r in records} == _prefectures(divisions)


def test_every_prefecture_is_represented_even_in_a_tiny_demo(divisions):
    parent = _parent_of(divisions)
    rows = list(generate_enterprises(divisions, count=2 + 9, seed=99))
    assert {parent[r["county_code"]] for r in rows} == _prefectures(divisions)


def test_records_sit_in_counties(divisions, records):
    counties = {d.code for d in divisions if d.level == "county"}
    assert {r["county_code"] for r in records} <= counties
    assert {s["county_code"] for r in records for s in r["sources"]} <= counties


def test_org_code_alias_matches_the_uscc(records):
    for r in records:
        org = [v for k, v in r["aliases"] if k == "org_code"]
        assert org == [f"{r['uscc'][8:16]}-{r['uscc'][16]}"]
        assert org_code_is_valid(org[0])


def test_regno15_aliases_pass_the_gs15_check(records):
    regnos = [v for r in records for k, v in r["aliases"] if k == "regno15"]
    assert len(regnos) > len(records) // 3
    assert all(regno15_is_valid(n) and is_valid_regno15(n) for n in regnos)
    assert all(n[:6].isdigit() and n[:2] == "52" for n in regnos)


def test_only_pre_2015_registrations_have_legacy_identifiers(records):
    for r in records[2:]:
        kinds = {k for k, _ in r["aliases"]}
        if r["registered_on"] >= date(2015, 10, 1):
            assert kinds == {"org_code"}
        elif "legacy_tax_id" in kinds:
            assert "regno15" in kinds


def test_legacy_tax_id_is_a_division_plus_the_org_code(records):
    for r in records:
        for kind, value in r["aliases"]:
            if kind == "legacy_tax_id":
                assert value[6:] == r["uscc"][8:17]
                assert value[:2] == "52" and value[:6].isdigit()


def test_gs15_check_digit_matches_the_verified_example():
    assert gs15_check_digit("52000000000501") == "8"
    assert is_valid_regno15("520000000005018")
    assert not is_valid_regno15("520000000005019")


def test_sources_use_allowed_classes_basins_and_coordinates(records):
    sources = [s for r in records for s in r["sources"]]
    assert all(1 <= len(r["sources"]) <= 3 for r in records)
    assert {s["permit_class"] for s in sources} == set(PERMIT_CLASSES)
    assert {s["basin_code"] for s in sources} <= set(BASINS)
    assert all(24.6 <= s["latitude"] <= 29.2 for s in sources)
    assert all(103.6 <= s["longitude"] <= 109.6 for s in sources)


def test_permit_numbers_are_uscc_sequence_and_class_letter(records):
    for r in records:
        for j, s in enumerate(r["sources"], 1):
            letter = "W" if s["permit_class"] == "registration" else "P"
            assert s["permit_number"] == f"{r['uscc']}{j:03d}{letter}"


def test_basin_vocabulary_matches_the_reference_table():
    with open(REFDATA / "basins.csv", encoding="utf-8") as fh:
        table = {row["code"]: row["name"] for row in csv.DictReader(fh)}
    assert table == BASINS


def test_fields_look_like_real_records(records):
    form = re.compile(r"(有限公司|有限责任公司|分公司|专业合作社|厂|矿|场|站)$")
    for r in records:
        assert form.search(r["name"]), r["name"]
        assert r["address"].startswith("贵州省")
        assert 2 <= len(r["legal_representative"]) <= 4
        assert r["status"] in STATUSES
        assert date(1990, 1, 1) <= r["registered_on"] <= date(2025, 12, 31)
        assert re.fullmatch(r"[A-Z]\d{4}", r["industry_code"]) and r["industry_name"]
        for old in r["name_history"]:
            assert r["registered_on"] < old["valid_to"] <= date(2025, 12, 31)
    assert all(r["address"].endswith("号") for r in records[2:])
    statuses = Counter(r["status"] for r in records)
    assert statuses["operating"] > 0.85 * len(records)
    cooperatives = [r for r in records if r["uscc"][1] == "3"]
    assert cooperatives and all(r["name"].endswith("合作社") for r in cooperatives)


def test_names_rarely_collide(records):
    names = Counter(r["name"] for r in records)
    assert sum(n - 1 for n in names.values()) < len(records) // 100


def test_100k_records_have_unique_identifiers(divisions):
    usccs: set[str] = set()
    aliases: set[tuple[str, str]] = set()
    n_aliases = 0
    for r in generate_enterprises(divisions, count=100_000, seed=2026):
        usccs.add(r["uscc"])
        aliases.update(r["aliases"])
        n_aliases += len(r["aliases"])
    assert len(usccs) == 100_000
    # the database has UNIQUE (kind, value) on enterprise aliases
    assert len(aliases) == n_aliases
