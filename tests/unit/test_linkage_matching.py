"""Unit tests for matching: comparators, blocking, the Fellegi-Sunter model and the pipeline."""

from __future__ import annotations

import csv
import doctest
import random
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from linkage import (
    blocking,
    compare,
    compare_ids,
    compare_names,
    fellegi_sunter,
    linkdata,
    pipeline,
    profiles,
)
from linkage.blocking import BlockIndex, BlockingConfig
from linkage.compare import (
    AddressLevel,
    IdLevel,
    NameLevel,
    PhoneLevel,
    PlaceLevel,
    RepLevel,
    address_level,
    compare_name,
    identifier_level,
    name_level,
    phone_level,
    place_level,
    profile,
    rep_level,
)
from linkage.fellegi_sunter import Decision, FieldSpec, ModelConfig, fit
from linkage.identifiers import (
    USCC_CHARSET,
    make_uscc,
    regno15_is_valid,
    uscc_check_char,
    uscc_check_fixes,
    uscc_check_is_right,
)
from linkage.pipeline import LinkConfig, LinkResult, Rule, link, run

synthetic = pytest.importorskip("linkage.synthetic")

CONFIG = LinkConfig(workers=0)


# --- comparators -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "level"),
    [
        ("贵州茅台酒股份有限公司", "茅臺酒股份有限公司", NameLevel.EXACT),
        ("遵义市汇川区鑫源化工有限责任公司", "鑫源化工有限公司", NameLevel.EXACT),
        ("貴州鑫源酒業（集團）有限公司", "鑫源酒业集团有限公司", NameLevel.EXACT),
        ("金沙县山乐茶叶农民专业合作社", "金沙山乐茶叶专业合作社", NameLevel.EXACT),
        ("贵州鑫源建材有限公司仁怀分公司", "鑫源建材有限公司仁怀市分公司", NameLevel.EXACT),
        ("贵州鑫源建材有限公司第二分厂", "鑫源建材有限公司第2分厂", NameLevel.EXACT),
        ("鑫源化工有限公司", "鑫源化工股份有限公司", NameLevel.CORE),
        ("鑫源养殖农民专业合作社", "鑫源养殖有限公司", NameLevel.CORE),
        ("贵州鑫源酒业（集团）有限公司", "鑫源酒业有限公司", NameLevel.CORE),
        ("鑫源化工有限公司", "新源化工有限公司", NameLevel.PINYIN),
        ("黔源磷化工科技有限公司", "黔源磷化土科技有限公司", NameLevel.SIMILAR),
        ("长顺思造纸有限公司", "都匀市长顺思造纸有限公司", NameLevel.SIMILAR),  # 长顺 read as place
        ("宏达化工有限公司", "宏达化学有限公司", NameLevel.WEAK),
        ("鑫源建材有限公司", "宏达建材有限公司", NameLevel.DIFFERENT),
        ("鑫源建材有限公司", "鑫源建材有限公司仁怀分公司", NameLevel.BRANCH_CONFLICT),
        ("鑫源建材有限公司仁怀分公司", "鑫源建材有限公司遵义分公司", NameLevel.BRANCH_CONFLICT),
        ("鑫源建材有限公司第一分厂", "鑫源建材有限公司第二分厂", NameLevel.BRANCH_CONFLICT),
        ("", "鑫源建材有限公司", NameLevel.MISSING),
    ],
)
def test_name_levels_on_real_looking_names(a: str, b: str, level: NameLevel) -> None:
    assert name_level(profile(a), profile(b)) is level
    assert name_level(profile(b), profile(a)) is level


def test_name_evidence_names_the_branch_conflict() -> None:
    found = compare_name(profile("鑫源建材有限公司"), profile("鑫源建材有限公司仁怀分公司"))
    assert found.level is NameLevel.BRANCH_CONFLICT
    assert "520382:分公司" in found.evidence


@pytest.mark.parametrize(
    ("a", "b", "level"),
    [
        (("遵义市鑫源化工有限公司", "贵州省遵义市仁怀市茅台镇1号"),
         ("鑫源化工有限公司", "仁怀市茅台镇1号"), PlaceLevel.COUNTY),
        (("遵义市鑫源化工有限公司", ""), ("遵义鑫源化工有限公司", ""), PlaceLevel.PREFECTURE),
        (("贵州鑫源化工有限公司", ""), ("貴州省鑫源化工有限公司", ""), PlaceLevel.PROVINCE),
        (("遵义市鑫源化工有限公司", ""), ("贵阳市鑫源化工有限公司", ""), PlaceLevel.CONFLICT),
        (("鑫源化工有限公司", "仁怀市茅台镇1号"), ("鑫源化工", "南明区1号"), PlaceLevel.CONFLICT),
        (("鑫源化工有限公司", ""), ("遵义鑫源化工有限公司", ""), PlaceLevel.MISSING),
    ],
)  # fmt: skip
def test_place_levels(a: tuple[str, str], b: tuple[str, str], level: PlaceLevel) -> None:
    assert place_level(profile(a[0], address=a[1]), profile(b[0], address=b[1])) is level


@pytest.mark.parametrize(
    ("a", "b", "level"),
    [
        ("張偉", "张伟", RepLevel.EXACT),
        ("阿卜杜·热合曼", "阿卜杜热合曼", RepLevel.EXACT),
        ("张伟", "张玮", RepLevel.PINYIN),
        ("张伟", "李娜", RepLevel.DIFFERENT),
        ("", "张伟", RepLevel.MISSING),
    ],
)
def test_legal_representative_levels(a: str, b: str, level: RepLevel) -> None:
    assert rep_level(profile("甲", a), profile("乙", b)) is level


@pytest.mark.parametrize(
    ("a", "b", "level"),
    [
        ("贵州省遵义市仁怀市茅台镇学府大道254号", "仁怀茅台镇学府大道二百五十四号",
         AddressLevel.EXACT),
        ("贵州省遵义市仁怀市茅台镇学府大道254号", "遵义市仁怀市学府大道254号", AddressLevel.EXACT),
        ("仁怀市茅台镇学府大道254号", "仁怀市茅台镇学府大道25号", AddressLevel.SIMILAR),
        ("仁怀市茅台镇学府大道254号", "仁怀市茅台镇学府路12号", AddressLevel.WEAK),
        ("仁怀市茅台镇学府大道254号", "仁怀市坛厂街道人民路8号3栋", AddressLevel.DIFFERENT),
        ("", "仁怀市茅台镇学府大道254号", AddressLevel.MISSING),
    ],
)  # fmt: skip
def test_address_levels(a: str, b: str, level: AddressLevel) -> None:
    assert address_level(profile("甲", address=a), profile("乙", address=b)) is level


@pytest.mark.parametrize(
    ("a", "b", "common", "level"),
    [
        ("0851-86812345", "(0851)86812345", (), PhoneLevel.SHARED),
        ("+86 138-0851-2345 / 0851-86812345", "13808512345", (), PhoneLevel.SHARED),
        ("(0852)2345678", "0851-22345678", (), PhoneLevel.SHARED),  # Zunyi, before 2014
        ("0851-86812345", "0851-86812345", ("085186812345",), PhoneLevel.SHARED_COMMON),
        ("0851-86812345", "13808512345", (), PhoneLevel.DIFFERENT),
        ("无", "13808512345", (), PhoneLevel.MISSING),
    ],
)
def test_phone_levels(a: str, b: str, common: tuple[str, ...], level: PhoneLevel) -> None:
    assert phone_level(profile("甲", phone=a), profile("乙", phone=b), set(common)) is level


USCC = make_uscc("9", "1", "520300", "71430580")


@pytest.mark.parametrize(
    ("code", "level"),
    [
        (USCC, IdLevel.EXACT),
        (USCC[:10] + ("1" if USCC[10] != "1" else "2") + USCC[11:], IdLevel.NEAR),
        (USCC[:4] + USCC[5] + USCC[4] + USCC[6:], IdLevel.NEAR),  # swapped neighbours
        ("520382" + USCC[8:17], IdLevel.ORG),  # legacy tax id of the county tax office
        (make_uscc("9", "1", "520300", "71430581"), IdLevel.DIFFERENT),
        ("", IdLevel.MISSING),
    ],
)
def test_identifier_levels(code: str, level: IdLevel) -> None:
    assert identifier_level(code, USCC) is level


# --- blocking --------------------------------------------------------------------------------


def _tax_pairs(n: int) -> tuple[int, int]:
    data = synthetic.generate(n, seed=3)
    profiles = [profile(r.name, r.legal_rep, r.address, r.phone) for r in data.registry()]
    index = BlockIndex(profiles, BlockingConfig(max_block=40))
    records = list(data.tax())
    pairs = sum(len(index.candidates(profile(r.name, r.legal_rep, r.address, r.phone)))
                for r in records)  # fmt: skip
    return pairs, len(records)


def test_blocking_grows_linearly_with_the_data() -> None:
    small_pairs, small = _tax_pairs(500)
    large_pairs, large = _tax_pairs(4000)
    per_record_small, per_record_large = small_pairs / small, large_pairs / large
    assert per_record_large < 1.5 * per_record_small
    assert per_record_large < 10


def test_blocking_finds_homophones_and_narrows_large_blocks_by_place() -> None:
    names = [f"{city}鑫源化工有限公司" for city in ("遵义市", "贵阳市", "安顺市")] * 3
    profiles = [profile(n) for n in names]
    index = BlockIndex(profiles, BlockingConfig(max_block=4))
    assert index.candidates(profile("贵阳新源化工有限公司")) == [1, 4, 7]
    assert index.candidates(profile("新源化工有限公司")) == []  # 9 > 4, no place to narrow
    assert index.skipped == [0, 1, 0, 0]
    assert index.candidates(profile("鑫源化工有限公司")) == []
    assert index.skipped == [1, 2, 0, 0]


def test_blocking_by_identifier_finds_typos_and_legacy_ids() -> None:
    index = BlockIndex([profile("鑫源化工有限公司")])
    index.add_code(0, USCC)
    typo = USCC[:12] + ("A" if USCC[12] != "A" else "B") + USCC[13:]
    assert index.by_near_code(typo) == [0]
    assert index.by_org("520382" + USCC[8:17]) == [0]
    assert index.exact(typo) == []


def _random_code(rng: random.Random, *, right_check: bool) -> str:
    body = "".join(rng.choice(USCC_CHARSET) for _ in range(17))
    return body + (uscc_check_char(body) if right_check else rng.choice(USCC_CHARSET + "IOSVZ"))


def _typo(rng: random.Random, code: str) -> str:
    chars, kind = list(code), rng.random()
    if kind < 0.45:  # a substitution, sometimes by a character no USCC has
        chars[rng.randrange(18)] = rng.choice(USCC_CHARSET + "IOSVZ")
    elif kind < 0.9:  # a swap of neighbours
        i = rng.randrange(17)
        chars[i], chars[i + 1] = chars[i + 1], chars[i]
    return "".join(chars)


# Registry codes with a wrong check character: none, a few (compared one by one), many
# (looked up among every substitution; typos of registry codes are mostly such codes).
@pytest.mark.parametrize(("unchecked", "typos"), [(0, 0), (5, 0), (40, 200)])
def test_typo_look_up_by_check_character_finds_what_every_near_code_finds(
    unchecked: int, typos: int
) -> None:
    """The check character narrows 540 substitutions to 18 without losing a registry code.

    Queried with typos of its codes, `by_near_code` must return exactly the records that
    looking up all of `near_codes` returns.
    """
    rng = random.Random(2026 + unchecked)
    right = [_random_code(rng, right_check=True) for _ in range(1500)]
    wrong = [_random_code(rng, right_check=False) for _ in range(unchecked)]
    codes = list(dict.fromkeys(right + wrong + [_typo(rng, c) for c in right[:typos]]))
    index = BlockIndex([])
    records: dict[str, list[int]] = {}
    for i, code in enumerate(codes):
        index.add_code(i, code)
        records.setdefault(code, []).append(i)
        if i == len(codes) // 2:  # codes added after a look-up are found too
            index.by_near_code(code)
    found = Counter()
    for n in range(3000):
        query = _typo(rng, rng.choice(wrong if wrong and n % 2 else codes))
        expected = sorted(
            i for near in compare_ids.near_codes(query) for i in records.get(near, [])
        )
        assert sorted(index.by_near_code(query)) == expected, query
        found[bool(expected), query in records] += 1
    assert found[True, False] > 500  # the typos do reach registry codes


def test_check_fixes_are_the_substitutions_that_satisfy_the_check() -> None:
    rng = random.Random(5)
    for _ in range(3000):
        code = _typo(rng, _typo(rng, _random_code(rng, right_check=True)))
        expected = [near for near in compare_ids.substituted_codes(code)
                    if uscc_check_is_right(near)]  # fmt: skip
        assert sorted(uscc_check_fixes(code)) == sorted(expected), code


# --- the Fellegi-Sunter model ----------------------------------------------------------------

SPEC = tuple(FieldSpec(name, ("missing", "different", "close", "same")) for name in "abc")
TRUE_M = ((1.0, 0.05, 0.15, 0.8), (1.0, 0.1, 0.2, 0.7), (1.0, 0.02, 0.08, 0.9))
TRUE_U = ((1.0, 0.9, 0.08, 0.02), (1.0, 0.7, 0.2, 0.1), (1.0, 0.95, 0.04, 0.01))


def _mixture(n: int, rate: float, seed: int) -> dict[tuple[int, ...], int]:
    rng = random.Random(seed)
    counts: dict[tuple[int, ...], int] = {}
    for _ in range(n):
        probs = TRUE_M if rng.random() < rate else TRUE_U
        pattern = tuple(rng.choices((1, 2, 3), weights=p[1:])[0] for p in probs)
        counts[pattern] = counts.get(pattern, 0) + 1
    return counts


def test_em_converges_to_the_generating_parameters() -> None:
    model = fit(_mixture(40_000, 0.2, seed=1), ModelConfig(SPEC, tolerance=1e-8))
    assert model.converged
    assert model.match_rate == pytest.approx(0.2, abs=0.02)
    for fitted, true in ((model.m, TRUE_M), (model.u, TRUE_U)):
        for f in range(3):
            assert fitted[f][1:] == pytest.approx(true[f][1:], abs=0.03)


def test_em_is_deterministic() -> None:
    counts = _mixture(5000, 0.3, seed=2)
    assert fit(counts, ModelConfig(SPEC)) == fit(dict(reversed(counts.items())), ModelConfig(SPEC))


def test_fixed_overrides_and_thresholds() -> None:
    config = ModelConfig(SPEC, fixed={("a", "same"): (0.5, None)}, match_threshold=3,
                         review_threshold=0)  # fmt: skip
    model = fit(_mixture(5000, 0.3, seed=3), config)
    assert model.m[0][3] == pytest.approx(0.5)
    assert sum(model.m[0][1:]) == pytest.approx(1.0)
    assert model.classify((3, 3, 3)).decision is Decision.MATCH
    assert model.classify((1, 1, 1)).decision is Decision.NON_MATCH
    with pytest.raises(ValueError, match="unknown field level"):
        ModelConfig(SPEC, fixed={("a", "nope"): (0.5, None)})


# --- the pipeline ----------------------------------------------------------------------------


def _registry(n: int = 1500, seed: int = 4) -> list[dict[str, str]]:
    return [r._asdict() for r in synthetic.generate(n, seed=seed).registry()]


PARENT = {"uscc": make_uscc("9", "1", "520000", "5A7B9C11"), "name": "贵州黔源鑫磷化工有限公司",
          "legal_rep": "张三丰", "address": "贵州省遵义市仁怀市茅台镇学府大道254号",
          "phone": "0851-22334455"}  # fmt: skip
BRANCH_NAME = "贵州黔源鑫磷化工有限公司仁怀分公司"


def _by_id(results: list[LinkResult]) -> dict[str, LinkResult]:
    return {r.record_id: r for r in results}


def test_a_branch_never_links_to_its_parent() -> None:
    # Same trade name, legal representative, address and phone, and even the parent's USCC.
    same = {k: PARENT[k] for k in ("legal_rep", "address", "phone")}
    tax = [{"taxpayer_id": PARENT["uscc"], "name": BRANCH_NAME, **same}]
    env = [{"record_id": "E1", "name": BRANCH_NAME, "uscc": PARENT["uscc"], **same},
           {"record_id": "E2", "name": BRANCH_NAME, "uscc": "", **same}]  # fmt: skip
    results = link([*_registry(), PARENT], tax, env, config=CONFIG)
    for result in results:
        assert result.decision is Decision.NON_MATCH or result.uscc != PARENT["uscc"]


def test_a_branch_links_to_itself_under_its_parents_code() -> None:
    branch = {"uscc": make_uscc("9", "1", "520382", "5A7B9C12"), "name": BRANCH_NAME,
              "legal_rep": "李四光", "address": "仁怀市茅台镇中华路8号",
              "phone": "13908512345"}  # fmt: skip
    env = [{"record_id": "E1", "name": "黔源鑫磷化工仁怀分公司", "uscc": PARENT["uscc"],
            "legal_rep": "李四光", "address": "仁怀中华路8号", "phone": ""}]  # fmt: skip
    result = link([*_registry(), PARENT, branch], (), env, config=CONFIG)[0]
    assert (result.uscc, result.decision) == (branch["uscc"], Decision.MATCH)
    assert result.evidence[0].level == "PARENT"


def test_identifier_rules_link_uscc_and_legacy_tax_ids() -> None:
    registry = _registry()
    target = registry[10]
    legacy = target["uscc"][2:8] + target["uscc"][8:17]
    county_office = "520382" + target["uscc"][8:17]
    tax = [{"taxpayer_id": target["uscc"], "name": target["name"]},
           {"taxpayer_id": county_office, "name": target["name"]}]  # fmt: skip
    env = [{"record_id": "E1", "name": target["name"], "uscc": legacy},
           {"record_id": "E2", "name": target["name"], "uscc": target["uscc"].lower()}]  # fmt: skip
    results = link(registry, tax, env, config=CONFIG)
    rules = [next(e.level for e in r.evidence if e.field == "rule") for r in results]
    assert rules == [Rule.USCC, Rule.LEGACY_TAX_ID, Rule.LEGACY_TAX_ID, Rule.USCC]
    assert {r.uscc for r in results} == {target["uscc"]}
    assert all(r.decision is Decision.MATCH for r in results)


def test_a_registration_number_links_when_the_registry_has_them() -> None:
    registry = _registry()
    head = registry[30]["uscc"][2:8] + "00012345"
    regno = next(n for d in "0123456789" if regno15_is_valid(n := head + d))
    registry[30]["regno"] = regno
    env = [{"record_id": "E1", "name": registry[30]["name"], "uscc": regno}]
    result = link(registry, (), env, config=CONFIG)[0]
    assert (result.uscc, result.decision) == (registry[30]["uscc"], Decision.MATCH)
    assert result.evidence[-1] == ("rule", Rule.REGNO, 0.0, linkdata._RULE_TEXT[Rule.REGNO])


def test_a_code_failing_its_check_is_evidence_not_a_rule() -> None:
    data = synthetic.generate(1500, seed=4)
    registry = [r._asdict() for r in data.registry()]
    target = registry[20]
    code = target["uscc"]
    typo = code[:9] + ("3" if code[9] != "3" else "4") + code[10:]
    env = [{"record_id": "E1", "name": target["name"], "uscc": typo,
            "legal_rep": target["legal_rep"], "address": target["address"]},
           {"record_id": "E2", "name": "贵州完全不同酒业有限公司", "uscc": typo}]  # fmt: skip
    tax = (r._asdict() for r in data.tax())  # what the model learns from
    *_, right, wrong = link(registry, tax, env, config=CONFIG)
    assert all(e.field != "rule" for e in right.evidence)
    assert right.evidence[0].level == "NEAR"
    assert (right.uscc, right.decision) == (code, Decision.MATCH)
    assert wrong.decision is not Decision.MATCH  # a near code alone does not link


def test_fitted_weights_make_sense() -> None:
    data = synthetic.generate(1500, seed=6)
    with pipeline.Linker(CONFIG) as linker:
        linker.load_registry(r._asdict() for r in data.registry())
        linker.add_records("tax", (r._asdict() for r in data.tax()))
        linker.add_records("env", (r._asdict() for r in data.env()))
        model = linker.fit()
        weights = linker.weight_table()
    assert model.converged
    assert weights["name"]["EXACT"] > 8
    assert weights["name"]["DIFFERENT"] < -5
    assert weights["name"]["BRANCH_CONFLICT"] < -5
    assert weights["place"]["CONFLICT"] < -3 < 0 < weights["place"]["COUNTY"]
    assert weights["legal_rep"]["EXACT"] > weights["legal_rep"]["PINYIN"] > 0
    assert weights["phone"]["SHARED"] > weights["phone"]["SHARED_COMMON"] > 0
    assert weights["identifier"]["NEAR"] > 8 and weights["identifier"]["DIFFERENT"] < -5


def test_links_generated_data_precisely() -> None:
    data = synthetic.generate(3000, seed=8)
    results = link(
        (r._asdict() for r in data.registry()),
        (r._asdict() for r in data.tax()),
        (r._asdict() for r in data.env()),
        config=CONFIG,
    )
    truth = data.truth_map()
    links = [(r.source, r.record_id, r.uscc or "") for r in results if r.decision is Decision.MATCH]
    scores = synthetic.evaluate(links, truth)
    assert scores.precision >= 0.998
    assert scores.f1 >= 0.995
    assert len(results) == len(truth)


def test_linking_is_deterministic_with_worker_processes() -> None:
    data = synthetic.generate(800, seed=9)

    def rows() -> tuple[Iterator[dict[str, str]], ...]:
        return ((r._asdict() for r in data.registry()), (r._asdict() for r in data.tax()),
                (r._asdict() for r in data.env()))  # fmt: skip

    alone = link(*rows(), config=CONFIG)
    pooled = link(*rows(), config=LinkConfig(workers=2, chunk_size=100))
    assert alone == pooled


def test_run_writes_links_and_review_files(tmp_path: Path) -> None:
    data = synthetic.generate(1200, seed=10)
    paths = data.write_csv(
        tmp_path, encodings=dict.fromkeys(("registry", "tax", "env"), "utf-8-sig")
    )
    with open(paths["tax"], "a", encoding="utf-8") as handle:
        handle.write("91520000MA00000000,,,,\n")  # no name: rejected, the rest linked
    stages: list[str] = []
    report = run(paths["registry"], paths["tax"], paths["env"], tmp_path / "links.csv",
                 tmp_path / "review.csv", lambda stage, n: stages.append(stage),
                 config=CONFIG)  # fmt: skip
    with open(tmp_path / "links.csv", encoding="utf-8") as handle:
        links = list(csv.DictReader(handle))
    with open(tmp_path / "review.csv", encoding="utf-8") as handle:
        review = list(csv.DictReader(handle))
    assert list(links[0]) == ["source", "record_id", "uscc", "score", "decision"]
    assert {row["decision"] for row in links} == {"match"}
    assert len(links) == report.links == sum(d.get("match", 0) for d in report.decisions.values())
    assert report.bad_rows == {"tax": 1} and "name" in report.bad_row_messages[0]
    assert report.rows["tax"] == data.plan.n_tax + 1
    assert report.em_converged and "model" in stages
    assert len({(r["source"], r["record_id"]) for r in review}) == report.reviews
    truth = data.truth_map()
    scores = synthetic.evaluate(((r["source"], r["record_id"], r["uscc"]) for r in links), truth)
    assert scores.precision >= 0.998


@pytest.mark.parametrize(
    "module",
    [compare, compare_ids, compare_names, profiles, blocking, fellegi_sunter, linkdata, pipeline],
)
def test_doctests(module: ModuleType) -> None:
    failures, tried = doctest.testmod(module)
    assert tried > 0
    assert failures == 0
