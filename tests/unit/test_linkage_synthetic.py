"""Synthetic linkage data: deterministic, shaped like the inputs, difficulties at their rates."""

from __future__ import annotations

import csv
import doctest
import hashlib
import math
import os
import random
import subprocess
import sys
from collections import Counter, defaultdict
from dataclasses import fields
from pathlib import Path

import pytest
from pypinyin import Style, lazy_pinyin

from linkage import synthetic, synthetic_pools
from linkage.identifiers import UsccStatus, regno15_is_valid, validate_uscc
from linkage.synthetic import (
    ENV_COLUMNS,
    REGISTRY_COLUMNS,
    TAX_COLUMNS,
    Rates,
    evaluate,
    generate,
)
from linkage.synthetic_pools import (
    homophone_typo,
    place_ladder,
    to_traditional,
    uscc_typo,
    vary_places,
)

ROOT = Path(__file__).resolve().parents[2]
# Only the difficulty under test, so that a measured share is that difficulty's alone.
QUIET = {
    f.name: 0.0
    for f in fields(Rates)
    if f.name not in {"branch", "popular_trade_name", "tax_orphan", "env_orphan"}
}


@pytest.fixture(scope="module")
def data():
    return generate(3000, seed=11)


@pytest.fixture(scope="module")
def everyone(data):
    return list(data.enterprises(absent=True))


@pytest.fixture(scope="module")
def tax(data):
    return list(data.labelled_tax())


@pytest.fixture(scope="module")
def env(data):
    return list(data.labelled_env())


def _snapshot(d):
    return list(d.registry()), list(d.labelled_tax()), list(d.labelled_env())


def _within(observed: int, n: int, rate: float) -> bool:
    """Observed count consistent with a binomial(n, rate), at five standard deviations."""
    return abs(observed - n * rate) <= 5 * math.sqrt(n * rate * (1 - rate)) + 1


def test_same_seed_gives_identical_records_and_another_seed_others():
    first = _snapshot(generate(400, seed=3))
    assert first == _snapshot(generate(400, seed=3))
    other = _snapshot(generate(400, seed=4))
    assert first[0] != other[0] and first[1] != other[1] and first[2] != other[2]


def test_streams_can_be_read_again_and_interleaved(data):
    registry = list(data.registry())
    tax_stream, reg_stream = data.tax(), data.registry()
    interleaved = [(next(reg_stream), next(tax_stream)) for _ in range(50)]
    assert [r for r, _ in interleaved] == registry[:50]
    assert [t for _, t in interleaved] == list(data.tax())[:50]


def test_output_does_not_depend_on_the_hash_seed(tmp_path):
    script = (
        "import hashlib, sys; from linkage.synthetic import generate; "
        "d = generate(300, seed=5); h = hashlib.sha256(); "
        "[h.update(repr(r).encode()) for r in (*d.registry(), *d.truth(), *d.env())]; "
        "print(h.hexdigest())"
    )
    digests = {
        subprocess.run(
            [sys.executable, "-c", script],
            env={**os.environ, "PYTHONHASHSEED": seed},
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2")
    }
    assert len(digests) == 1


def test_records_have_exactly_the_columns_of_the_file_to_file_inputs(data, tax, env):
    assert REGISTRY_COLUMNS == (
        "uscc",
        "name",
        "legal_rep",
        "address",
        "reg_date",
        "status",
        "phone",
    )
    assert TAX_COLUMNS == ("taxpayer_id", "name", "legal_rep", "address", "phone")
    assert ENV_COLUMNS == ("record_id", "name", "uscc", "legal_rep", "address", "phone")
    assert all(type(r)._fields == REGISTRY_COLUMNS for r in data.registry())
    assert all(r._fields == TAX_COLUMNS and all(isinstance(v, str) for v in r) for r, _ in tax)
    assert all(r._fields == ENV_COLUMNS and all(isinstance(v, str) for v in r) for r, _ in env)
    assert (data.plan.n_registry, data.plan.n_tax, data.plan.n_env) == (3000, 2700, 1200)
    assert len(tax) == 2700 and len(env) == 1200


def test_identifiers_are_never_empty_and_record_ids_unique(data, tax, env):
    registry = list(data.registry())
    assert all(r.uscc and r.name and r.reg_date for r in registry)
    assert len({r.uscc for r in registry}) == len(registry)
    assert all(r.taxpayer_id for r, _ in tax) and all(r.record_id and r.name for r, _ in env)
    assert len({r.taxpayer_id for r, _ in tax}) == len(tax)
    assert len({r.record_id for r, _ in env}) == len(env)


def test_every_registry_uscc_is_valid_except_the_injected_wrong_ones():
    d = generate(3000, seed=12, registry_bad_check=0.02)
    enterprises = list(d.enterprises())
    failing = {e.uscc for e in enterprises if not validate_uscc(e.uscc).is_valid}
    assert failing == {e.uscc for e in enterprises if e.bad_check}
    assert {validate_uscc(u).status for u in failing} == {UsccStatus.BAD_CHECK}
    assert _within(len(failing), len(enterprises), 0.02)


def test_names_and_usccs_are_unique_including_enterprises_absent_from_the_registry(everyone):
    assert len({e.name for e in everyone}) == len(everyone)
    assert len({e.uscc for e in everyone}) == len(everyone)
    assert len({e.uscc[8:17] for e in everyone}) == len(everyone)  # organisation codes


def test_pre_2015_enterprises_have_valid_legacy_ids_and_later_ones_ma_codes(everyone):
    for e in everyone:
        if e.legacy:
            assert e.reg_date < "2015-10-01" and e.uscc[8:16].isdigit()
            assert regno15_is_valid(e.regno15) and e.regno15[:6] == e.uscc[2:8]
            assert e.legacy_tax_ids()[0] == e.uscc[2:17]
        else:
            assert e.reg_date >= "2015-10-01" and e.uscc[8:10] == "MA" and e.regno15 is None


def test_branches_have_their_own_uscc_and_a_parent_whose_name_they_extend(everyone):
    by_number = {e.number: e for e in everyone}
    branches = [e for e in everyone if e.parent_index is not None]
    assert branches
    for b in branches:
        parent = by_number[b.parent_index]
        assert parent.in_registry and parent.parent_index is None
        assert b.parent_uscc == parent.uscc != b.uscc
        assert b.name.startswith(parent.name) and b.name.endswith(("分公司", "分厂"))
        assert b.reg_date >= parent.reg_date
    in_registry = [b for b in branches if b.in_registry]
    assert _within(len(in_registry), 3000, Rates().branch)


def test_absent_branches_of_registry_parents_link_to_nothing(everyone, tax, env):
    absent = {e.uscc for e in everyone if not e.in_registry and e.parent_index is not None}
    assert absent
    absent_names = {e.name for e in everyone if e.uscc in absent}
    truths = [uscc for record, uscc in [*tax, *env] if record.name in absent_names]
    assert truths and set(truths) == {None}


def test_truth_covers_every_tax_and_env_record_with_a_registry_uscc_or_none(data, tax, env):
    truth = data.truth_map()
    keys = [("tax", r.taxpayer_id) for r, _ in tax] + [("env", r.record_id) for r, _ in env]
    assert sorted(truth) == sorted(keys)
    registry = {r.uscc for r in data.registry()}
    assert {u for u in truth.values() if u is not None} <= registry
    assert sum(u is None for _, u in tax) == data.plan.n_tax_orphan
    assert sum(u is None for _, u in env) == data.plan.n_env_orphan
    repeated = Counter(u for _, u in tax if u is not None)
    assert sum(n - 1 for n in repeated.values()) == data.plan.n_tax_duplicate
    repeated = Counter(u for _, u in env if u is not None)
    assert sum(n - 1 for n in repeated.values()) == data.plan.n_env_duplicate


def test_a_tax_duplicate_is_filed_under_the_other_id_of_its_enterprise(tax):
    ids = defaultdict(list)
    for record, uscc in tax:
        if uscc is not None:
            ids[uscc].append(record.taxpayer_id)
    pairs = [v for v in ids.values() if len(v) == 2]
    assert pairs and all(len(set(p)) == 2 for p in pairs)
    for uscc, (a, b) in ((u, v) for u, v in ids.items() if len(v) == 2):
        assert uscc in (a, b)


def test_the_same_trade_name_recurs_in_different_prefectures_as_different_enterprises(everyone):
    prefectures = defaultdict(set)
    for e in everyone:
        if e.in_registry and e.parent_index is None:
            prefectures[e.parts.trade_name + e.parts.word].add((e.county_code[:4], e.uscc))
    shared = [v for v in prefectures.values() if len({p for p, _ in v}) > 1]
    assert shared


def _tax_of(**rates):
    """Matched tax records with their enterprise, all other record difficulties off."""
    d = generate(4000, seed=21, **{**QUIET, **rates})
    by_uscc = {e.uscc: e for e in d.enterprises()}
    return [(r, by_uscc[u]) for r, u in d.labelled_tax() if u is not None]


def _fullwidth_digits(text):
    return any("０" <= ch <= "９" for ch in text)


@pytest.mark.parametrize("rate", [0.0, 0.3])
def test_legacy_tax_ids_replace_the_uscc_at_their_rate_for_pre_2015_enterprises(rate):
    pairs = [(r, e) for r, e in _tax_of(legacy_tax_id=rate) if e.legacy]
    old = [(r, e) for r, e in pairs if len(r.taxpayer_id) == 15]
    assert all(r.taxpayer_id in e.legacy_tax_ids() for r, e in old)
    assert all(r.taxpayer_id == e.uscc for r, e in pairs if len(r.taxpayer_id) != 15)
    assert _within(len(old), len(pairs), rate)


@pytest.mark.parametrize(
    ("rate_name", "measure"),
    [
        ("tax_uscc_typo", lambda r, e: not validate_uscc(r.taxpayer_id).is_valid),
        ("outdated_legal_rep", lambda r, e: r.legal_rep == e.former_legal_rep != e.legal_rep),
        ("missing_legal_rep", lambda r, e: r.legal_rep == ""),
        ("missing_address", lambda r, e: r.address == ""),
        ("missing_phone", lambda r, e: r.phone == ""),
        ("traditional", lambda r, e: r.name != e.name and r.name == to_traditional(e.name)),
        ("fullwidth", lambda r, e: _fullwidth_digits(r.address)),
        ("homophone", lambda r, e: e.parts.trade_name + e.parts.word not in r.name),
        ("org_form", lambda r, e: not r.name.endswith(e.parts.form + e.parts.branch)),
    ],
)
def test_record_difficulties_occur_at_their_configured_rate(rate_name, measure):
    pairs = _tax_of(**{rate_name: 0.25})
    if rate_name == "org_form":  # units (煤矿, 水泥厂) have no variants
        pairs = [(r, e) for r, e in pairs if e.parts.form.endswith(("公司", "合作社"))]
    scored = [measure(r, e) for r, e in pairs]
    assert _within(sum(scored), len(scored), 0.25), (sum(scored), len(scored))
    assert not any(measure(r, e) for r, e in _tax_of()[:1000])  # and never when off


def test_place_prefixes_change_at_most_at_their_rate():
    # A variant may leave a name as it was: 贵州 has no shorter form.
    changed = sum(r.name != e.name for r, e in _tax_of(place_prefix=0.25))
    assert 0.5 * 0.25 * 3600 < changed < 0.25 * 3600 * 1.1


@pytest.mark.parametrize(
    ("rate_name", "measure"),
    [
        ("env_uscc_missing", lambda r, e: r.uscc == ""),
        ("env_uscc_typo", lambda r, e: r.uscc != "" and not validate_uscc(r.uscc).is_valid),
    ],
)
def test_env_uscc_difficulties_occur_at_their_configured_rate(rate_name, measure):
    d = generate(4000, seed=22, **{**QUIET, rate_name: 0.25})
    by_uscc = {e.uscc: e for e in d.enterprises()}
    scored = [measure(r, by_uscc[u]) for r, u in d.labelled_env() if u is not None]
    assert _within(sum(scored), len(scored), 0.25)


def test_orphans_and_duplicates_are_exact_shares():
    d = generate(2000, seed=23, tax_orphan=0.1, env_orphan=0.2, env_duplicate=0.05)
    plan = d.plan
    assert (plan.n_tax_orphan, plan.n_env_orphan, plan.n_env_duplicate) == (180, 160, 40)
    assert sum(u is None for _, u in d.labelled_env()) == 160


def test_branch_records_may_carry_the_parent_uscc_but_their_truth_is_the_branch():
    d = generate(3000, seed=24, **{**QUIET, "branch": 0.3, "env_parent_uscc": 1.0}, env_ratio=0.9)
    branches = {e.uscc: e for e in d.enterprises() if e.parent_uscc}
    seen = 0
    for record, uscc in d.labelled_env():
        if uscc in branches:
            assert record.uscc == branches[uscc].parent_uscc != uscc
            seen += 1
    assert seen > 50


def test_a_mistyped_uscc_always_fails_its_check():
    codes = [e.uscc for e in generate(500, seed=25).enterprises() if not e.bad_check]
    for n, code in enumerate(codes):
        rnd = random.Random(n).random
        typo = uscc_typo(code, rnd)
        assert typo != code and len(typo) == 18
        assert validate_uscc(typo).status is not UsccStatus.OK


def test_a_homophone_typo_changes_one_character_and_keeps_the_pinyin():
    rnd = random.Random(1).random
    for word in ["宏达煤业", "鑫源酒业", "黔丰化工", "金鼎水泥", "恒通能源"]:
        typo = homophone_typo(word, rnd)
        assert sum(a != b for a, b in zip(word, typo, strict=True)) == 1
        assert lazy_pinyin(typo, style=Style.NORMAL) == lazy_pinyin(word, style=Style.NORMAL)


@pytest.mark.parametrize(
    ("name", "ladder"),
    [
        ("遵义市", ("遵义市", "遵义")),
        ("黔南布依族苗族自治州", ("黔南布依族苗族自治州", "黔南州", "黔南")),
        ("道真仡佬族苗族自治县", ("道真仡佬族苗族自治县", "道真县", "道真")),
        ("三都水族自治县", ("三都水族自治县", "三都县", "三都")),
        ("六枝特区", ("六枝特区", "六枝")),
    ],
)
def test_place_names_shorten_step_by_step(name, ladder):
    assert place_ladder(name) == ladder


def test_place_prefixes_are_dropped_or_shortened():
    places = ((synthetic_pools.PROVINCE, 0), (place_ladder("遵义市"), 0))
    variants = {
        "".join(ladder[k] for ladder, k in vary_places(places, rng.random))
        for rng in (random.Random(s) for s in range(200))
    }
    assert {"", "贵州遵义", "遵义市", "遵义"} <= variants


def test_write_csv_writes_the_four_files_with_the_requested_encodings(tmp_path):
    d = generate(300, seed=26)
    paths = d.write_csv(tmp_path, encodings={"tax": "gb18030", "env": "utf-8-sig"})
    assert sorted(p.name for p in paths.values()) == [
        "env.csv",
        "registry.csv",
        "tax.csv",
        "truth.csv",
    ]
    raw = paths["tax"].read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    assert paths["env"].read_bytes().startswith(b"\xef\xbb\xbf")
    for stem, codec, columns, rows in [
        ("registry", "utf-8", REGISTRY_COLUMNS, list(d.registry())),
        ("tax", "gb18030", TAX_COLUMNS, list(d.tax())),
        ("env", "utf-8-sig", ENV_COLUMNS, list(d.env())),
        ("truth", "utf-8", ("source", "record_id", "uscc"), list(d.truth())),
    ]:
        with open(paths[stem], encoding=codec, newline="") as fh:
            read = list(csv.reader(fh))
        assert tuple(read[0]) == columns
        assert read[1:] == [[v or "" for v in row] for row in rows]


def test_the_cli_writes_the_data_set(tmp_path):
    out = tmp_path / "set"
    result = subprocess.run(
        [sys.executable, "bench/linkage_data.py", "--registry", "200", "--out", str(out),
         "--seed", "9", "--encodings", "--rate", "homophone=0.5"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert "registry 200" in result.stderr
    expected = list(generate(200, seed=9, homophone=0.5).tax())
    with open(out / "tax.csv", encoding="gb18030", newline="") as fh:
        assert [tuple(row) for row in list(csv.reader(fh))[1:]] == [tuple(r) for r in expected]


def test_evaluate_counts_wrong_links_and_links_of_records_without_counterpart():
    truth = {("tax", "T1"): "U1", ("tax", "T2"): "U2", ("env", "E1"): None, ("env", "E2"): "U3"}
    links = [("tax", "T1", "U1"), ("tax", "T2", "PARENT"), ("env", "E1", "U9"), ("tax", "T1", "U1")]
    scores = evaluate(links, truth)
    assert scores[:3] == (1, 2, 2)
    assert scores.precision == pytest.approx(1 / 3) and scores.recall == pytest.approx(1 / 3)
    assert evaluate([], truth).f1 == 0.0


@pytest.mark.parametrize(
    "kwargs",
    [{"homophone": 1.5}, {"branch": 0.6}, {"tax_ratio": 1.5}, {"env_ratio": -1}, {"no_such": 0.1}],
)
def test_bad_sizes_and_rates_are_refused(kwargs):
    with pytest.raises((ValueError, TypeError)):
        generate(100, seed=1, **kwargs)


def test_a_small_generation_has_the_planned_counts():
    d = generate(2000, seed=27)
    rows = sum(1 for _ in d.registry()) + sum(1 for _ in d.tax()) + sum(1 for _ in d.env())
    assert rows == 2000 + 1800 + 800


def test_a_digest_of_the_default_data_is_stable():
    # Changing what the defaults generate changes every benchmark result: do it on purpose.
    registry = list(generate(50, seed=2026).registry())
    digest = hashlib.sha256(repr(registry).encode()).hexdigest()
    assert digest == "5b3156ad4aedee202dc440b0b5063f6a1057dd77d89c9ecc189c2040ce8b1320"


@pytest.mark.parametrize("module", [synthetic, synthetic_pools])
def test_docstring_examples(module):
    assert doctest.testmod(module).failed == 0
