"""Unit tests for linkage.normalize and linkage.places (names, persons, addresses, phones)."""

from __future__ import annotations

import doctest
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pypinyin import lazy_pinyin

from linkage import normalize, phone_numbers, places
from linkage.normalize import (
    AddressParts,
    OrgForm,
    clean,
    clean_address,
    clean_person,
    clean_phone,
    parse_name,
    phones,
    pinyin_key,
    same_entity_key,
)
from linkage.places import Level, load_gazetteer, read_divisions, short_forms

# GB/T 2260 codes used below (DOMAIN.md 5.3).
GUIZHOU, GUIYANG, ZUNYI, QIANNAN = "520000", "520100", "520300", "522700"
HUICHUAN, NANMING, RENHUAI, WEINING = "520303", "520102", "520382", "520526"


# --- clean -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("貴州茅臺酒股份有限公司", "贵州茅台酒股份有限公司"),
        ("贵州茅台酒股份有限公司", "贵州茅台酒股份有限公司"),
        ("ＧＵＩＺＨＯＵ　ＭＯＵＴＡＩ", "GUIZHOUMOUTAI"),
        ("guizhou moutai", "GUIZHOUMOUTAI"),
        ("《贵州》“茅台”·酒、业，公司。", "贵州茅台酒业公司"),
        ("茅台酒业（贵州）有限公司", "茅台酒业贵州有限公司"),
        ("茅台酒业(贵州)有限公司", "茅台酒业贵州有限公司"),
        ("鑫源 化工\t有限\n公司", "鑫源化工有限公司"),
        ("１２３号", "123号"),
        ("", ""),
    ],
)
def test_clean_unifies_writing_variants(raw: str, expected: str) -> None:
    assert clean(raw) == expected


@given(st.text())
def test_clean_is_idempotent(text: str) -> None:
    once = clean(text)
    assert clean(once) == once


@given(st.text())
def test_clean_keeps_only_letters_and_digits(text: str) -> None:
    assert all(ch.isalnum() for ch in clean(text))


# --- parse_name: places, core, forms -----------------------------------------------------------


def test_traditional_full_width_and_simplified_names_parse_alike() -> None:
    variants = ["贵州茅台酒股份有限公司", "貴州茅臺酒股份有限公司", "贵州茅台酒股份有限公司 "]
    parsed = [parse_name(name) for name in variants]
    assert {(p.clean, p.core, p.org_form, p.province) for p in parsed} == {
        ("贵州茅台酒股份有限公司", "茅台酒", OrgForm.JSC, GUIZHOU)
    }
    assert len({same_entity_key(p) for p in parsed}) == 1


def test_place_prefixes_are_parsed_off_the_core() -> None:
    full = parse_name("遵义市汇川区某某化工有限责任公司")
    bare = parse_name("某某化工有限公司")
    assert full.core == bare.core == "某某化工"
    assert full.org_form is bare.org_form is OrgForm.LLC
    assert (full.province, full.prefecture, full.county) == (GUIZHOU, ZUNYI, HUICHUAN)
    assert (bare.province, bare.prefecture, bare.county) == (None, None, None)
    assert same_entity_key(full) == same_entity_key(bare)


@pytest.mark.parametrize(
    "name",
    [
        "黔南州某某磷化工有限公司",
        "黔南布依族苗族自治州某某磷化工有限公司",
        "黔南某某磷化工有限公司",
        "贵州省黔南州某某磷化工有限公司",
    ],
)
def test_autonomous_prefecture_short_forms_give_the_same_place_and_core(name: str) -> None:
    parts = parse_name(name)
    assert (parts.core, parts.prefecture, parts.province) == ("某某磷化工", QIANNAN, GUIZHOU)


@pytest.mark.parametrize(
    ("name", "county"),
    [
        ("威宁彝族回族苗族自治县鑫源农业有限公司", WEINING),
        ("威宁县鑫源农业有限公司", WEINING),
        ("威宁鑫源农业有限公司", WEINING),
        ("南明区鑫源农业有限公司", NANMING),
        ("贵阳南明鑫源农业有限公司", NANMING),
        ("贵州仁怀鑫源农业有限公司", RENHUAI),
        ("六枝特区鑫源农业有限公司", "520203"),
        ("六枝鑫源农业有限公司", "520203"),
        ("盘县鑫源农业有限公司", "520281"),  # former name of 盘州市
    ],
)
def test_county_prefixes_with_and_without_suffix(name: str, county: str) -> None:
    parts = parse_name(name)
    assert parts.core == "鑫源农业"
    assert parts.county == county
    assert parts.province == GUIZHOU


def test_places_inside_brackets_are_recognised() -> None:
    parts = parse_name("茅台酒业（贵州）有限公司")
    assert (parts.core, parts.province, parts.is_branch) == ("茅台酒业", GUIZHOU, False)
    trailing = parse_name("贵阳某某商贸有限公司（贵州）")
    assert trailing.core == "某某商贸"
    assert (trailing.province, trailing.prefecture) == (GUIZHOU, GUIYANG)
    assert not trailing.is_branch
    assert parse_name("鑫源（遵义）酒业有限公司").core == "鑫源酒业"


def test_place_that_leaves_only_an_industry_word_stays_in_the_core() -> None:
    # 遵义化工 and 贵州酒业 are trade names: stripping would leave the bare industry.
    assert parse_name("遵义化工有限公司").core == "遵义化工"
    assert parse_name("遵义市化工有限公司").core == "遵义化工"
    assert parse_name("遵义市化工有限公司").prefecture == ZUNYI
    assert parse_name("贵州酒业有限公司").core == "贵州酒业"
    assert parse_name("贵州省").core == "贵州"


def test_one_character_abbreviations_are_not_places() -> None:
    parts = parse_name("黔能电力有限公司")
    assert (parts.core, parts.province) == ("黔能电力", None)
    assert load_gazetteer().lookup("黔") is None


def test_other_provinces_are_recognised_but_not_their_cities() -> None:
    sichuan = parse_name("四川鑫源化工有限公司")
    assert (sichuan.core, sichuan.province, sichuan.prefecture) == ("鑫源化工", "510000", None)
    # 重庆 is a province-level city; 南明 cannot follow it.
    assert parse_name("重庆南明鑫源化工有限公司").core == "南明鑫源化工"
    assert parse_name("腾讯科技（深圳）有限公司").core == "腾讯科技深圳"


def test_china_prefix_counts_only_before_a_place() -> None:
    moutai = parse_name("中国贵州茅台酒厂（集团）有限责任公司")
    assert (moutai.core, moutai.is_group, moutai.province) == ("茅台酒厂", True, GUIZHOU)
    assert parse_name("中国石油天然气股份有限公司").core == "中国石油天然气"


def test_town_after_a_place_is_dropped() -> None:
    assert parse_name("仁怀市茅台镇鑫源酒坊").core == "鑫源酒坊"
    assert parse_name("遵义鑫源乡村旅游有限公司").core == "鑫源乡村旅游"


@pytest.mark.parametrize(
    ("name", "form"),
    [
        ("鑫源化工有限公司", OrgForm.LLC),
        ("鑫源化工有限责任公司", OrgForm.LLC),
        ("鑫源化工股份有限公司", OrgForm.JSC),
        ("鑫源化工公司", OrgForm.COMPANY),
        ("鑫源化工总公司", OrgForm.COMPANY),
        ("鑫源化工合伙企业", OrgForm.PARTNERSHIP),
        ("鑫源化工（有限合伙）", OrgForm.PARTNERSHIP),
        ("鑫源化工（特殊普通合伙）", OrgForm.PARTNERSHIP),
        ("鑫源化工个人独资企业", OrgForm.SOLE),
        ("鑫源化工（个人独资）", OrgForm.SOLE),
        ("鑫源化工个体工商户", OrgForm.INDIVIDUAL),
        ("鑫源化工经营部", OrgForm.INDIVIDUAL),
        ("鑫源化工门市部", OrgForm.INDIVIDUAL),
        ("鑫源化工农民专业合作社", OrgForm.COOP),
        ("鑫源化工", OrgForm.NONE),
        ("XINYUAN CHEMICAL CO., LTD.", OrgForm.LLC),
    ],
)
def test_organisation_forms_are_canonical_and_removed_from_the_core(
    name: str, form: OrgForm
) -> None:
    parts = parse_name(name)
    assert parts.org_form is form
    assert parts.core in ("鑫源化工", "XINYUANCHEMICAL")
    assert not parts.is_branch


@pytest.mark.parametrize(
    "name",
    ["某某酒业集团有限公司", "某某酒业（集团）有限公司", "某某酒业集团", "贵州某某酒业集团公司"],
)
def test_group_marker_is_a_flag_not_part_of_the_core(name: str) -> None:
    parts = parse_name(name)
    assert (parts.core, parts.is_group) == ("某某酒业", True)
    assert same_entity_key(parts) == "某某酒业|group"
    assert same_entity_key(parts) != same_entity_key(parse_name("某某酒业有限公司"))


def test_group_in_the_middle_of_a_member_name_stays_in_the_core() -> None:
    parts = parse_name("中铁十二局集团第一工程有限公司")
    assert (parts.core, parts.is_group) == ("中铁十二局集团第一工程", False)


def test_former_name_in_brackets_is_ignored() -> None:
    parts = parse_name("鑫源化工有限公司（原鑫源商贸有限公司）")
    assert (parts.core, parts.is_branch) == ("鑫源化工", False)


# --- parse_name: branches ----------------------------------------------------------------------


def test_branch_is_linked_to_its_parent_but_never_equal() -> None:
    parent = parse_name("某某建材有限公司")
    branch = parse_name("某某建材有限公司仁怀分公司")
    assert branch.is_branch and not parent.is_branch
    assert branch.core == parent.core == "某某建材"
    assert branch.parent_clean == parent.parent_clean == parent.clean == "某某建材有限公司"
    assert (branch.branch_name, branch.branch_place, branch.branch_suffix) == (
        "仁怀分公司",
        RENHUAI,
        "分公司",
    )
    assert same_entity_key(branch) != same_entity_key(parent)
    assert branch.org_form is OrgForm.LLC


def test_branch_keys_agree_across_writing_variants_and_differ_between_branches() -> None:
    renhuai = [
        "某某建材有限公司仁怀分公司",
        "某某建材有限责任公司仁怀市分公司",
        "某某建材有限公司（仁怀分公司）",
        "某某建材仁怀分公司",
    ]
    assert len({same_entity_key(parse_name(n)) for n in renhuai}) == 1
    other = parse_name("某某建材有限公司南明分公司")
    assert same_entity_key(other) != same_entity_key(parse_name(renhuai[0]))


@pytest.mark.parametrize(
    "suffix",
    ["分公司", "分厂", "营业部", "分店", "办事处", "经营部", "分部", "分行", "支行", "门市部",
     "加油站", "第一分公司", "销售分公司", "鑫源煤矿"],
)  # fmt: skip
@pytest.mark.parametrize("parent", ["贵州鑫源实业有限公司", "鑫源实业股份有限公司", "鑫源集团公司"])
def test_a_branch_never_shares_the_entity_key_of_its_parent(parent: str, suffix: str) -> None:
    parent_parts = parse_name(parent)
    branch = parse_name(parent + suffix)
    assert branch.is_branch
    assert branch.parent_clean == parent_parts.clean
    assert branch.core == parent_parts.core
    assert same_entity_key(branch) != same_entity_key(parent_parts)


@pytest.mark.parametrize(
    ("name", "parent_clean", "branch_name"),
    [
        ("鑫源建材仁怀分公司", "鑫源建材", "仁怀分公司"),
        ("鑫源建材新添寨分公司", "鑫源建材", "新添寨分公司"),
        ("鑫源建材第二分公司", "鑫源建材", "第二分公司"),
        ("中国石化股份有限公司贵州销售分公司", "中国石化股份有限公司", "贵州销售分公司"),
        ("中国银行股份有限公司贵阳南明支行", "中国银行股份有限公司", "贵阳南明支行"),
    ],
)
def test_branch_part_is_split_off(name: str, parent_clean: str, branch_name: str) -> None:
    parts = parse_name(name)
    assert parts.is_branch
    assert (parts.parent_clean, parts.branch_name) == (parent_clean, branch_name)


@pytest.mark.parametrize("name", ["鑫源加油站", "鑫源建材经营部", "鑫源分析测试中心", "营业部"])
def test_suffixes_without_a_parent_are_not_branches(name: str) -> None:
    assert not parse_name(name).is_branch


# --- pinyin ------------------------------------------------------------------------------------


def test_homophone_typos_share_the_pinyin_core() -> None:
    right, typo = parse_name("贵州鑫源建材有限公司"), parse_name("贵州新源建材有限公司")
    assert right.core != typo.core
    assert right.pinyin_core == typo.pinyin_core == "xinyuanjiancai"
    assert right.pinyin_initials == typo.pinyin_initials == "xyjc"


@pytest.mark.parametrize(
    "text", ["中国银行", "重庆长顺商贸", "鑫源化工", "乐都旅游", "都匀茶业", "长城行", "ABC建材12"]
)
def test_pinyin_follows_pypinyin_lazy_pinyin(text: str) -> None:
    assert pinyin_key(text) == "".join(lazy_pinyin(clean(text))).lower()


def test_pinyin_initials_keep_latin_letters_and_digits() -> None:
    parts = parse_name("ABC建材12有限公司")
    assert (parts.pinyin_core, parts.pinyin_initials) == ("abcjiancai12", "abcjc12")


# --- robustness --------------------------------------------------------------------------------

name_text = st.text(st.sampled_from("贵州遵义仁怀鑫源酒业有限公司分集团()（）原·A1 ")) | st.text()


@given(name_text)
def test_parse_name_never_raises_and_is_consistent(raw: str) -> None:
    parts = parse_name(raw)
    assert parts.clean == clean(raw)
    assert parts.clean.startswith(parts.parent_clean)
    assert parts.is_branch == (parts.branch_name is not None)
    assert parts.is_branch or parts.parent_clean == parts.clean
    assert parts.pinyin_core == parts.pinyin_core.lower()
    assert isinstance(same_entity_key(parts), str)
    assert isinstance(clean_address(raw).rest, str)
    assert isinstance(phones(raw), list)


# --- persons -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(" 張 三 ", "张三"), ("阿卜杜·热合曼", "阿卜杜热合曼"), ("阿卜杜•熱合曼", "阿卜杜热合曼"),
     ("zhang.san", "ZHANGSAN")],
)  # fmt: skip
def test_clean_person(raw: str, expected: str) -> None:
    assert clean_person(raw) == expected


def test_person_pinyin_key_meets_homophones() -> None:
    assert pinyin_key("张 三") == pinyin_key("章三") == "zhangsan"


# --- addresses ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("貴州省遵義市匯川區上海路十二號", AddressParts(GUIZHOU, ZUNYI, HUICHUAN, "上海路12号")),
        ("贵州遵义汇川区上海路12号", AddressParts(GUIZHOU, ZUNYI, HUICHUAN, "上海路12号")),
        ("中国贵州省仁怀市茅台镇", AddressParts(GUIZHOU, ZUNYI, RENHUAI, "茅台镇")),
        ("贵阳市南明区花果园二期三栋二单元十一楼1101室",
         AddressParts(GUIZHOU, GUIYANG, NANMING, "花果园2期3栋2单元11楼1101室")),
        ("贵阳市遵义路一百零三号", AddressParts(GUIZHOU, GUIYANG, None, "遵义路103号")),
        ("贵阳市花溪大道北段", AddressParts(GUIZHOU, GUIYANG, None, "花溪大道北段")),
        ("南明区新华路12-3号", AddressParts(GUIZHOU, GUIYANG, NANMING, "新华路12-3号")),
        ("八一路二十一组", AddressParts(None, None, None, "八一路21组")),
        ("", AddressParts(None, None, None, "")),
    ],
)  # fmt: skip
def test_clean_address(raw: str, expected: AddressParts) -> None:
    assert clean_address(raw) == expected


# --- phones ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("+86 138-0851-2345", "13808512345"),
        ("0086 13808512345", "13808512345"),
        ("８６１３８０８５１２３４５", "13808512345"),
        ("0851-86812345", "085186812345"),
        ("(0851)86812345转8001", "085186812345"),
        ("+86 851 8681 2345", "085186812345"),
        ("0851-6812345", "085186812345"),  # pre-2014 Guiyang 7-digit number
        ("(0852)2345678", "085122345678"),  # pre-2014 Zunyi, now 0851 + 2
        ("0853-3456789", "085133456789"),  # pre-2014 Anshun, now 0851 + 3
        ("010-12345678", None),  # local numbers never start with 0 or 1
        ("010-62345678", "01062345678"),
        ("400-820-8820", "4008208820"),
        ("无", None),
        ("123", None),
        ("", None),
        ("86812345", None),  # no area code
    ],
)
def test_clean_phone(raw: str, expected: str | None) -> None:
    assert clean_phone(raw) == expected


def test_phones_lists_every_number_once() -> None:
    raw = "13808512345/0851-86812345；13908512345、0851 8681 2345 或 13808512345"
    assert phones(raw) == ["13808512345", "085186812345", "13908512345"]


def test_local_numbers_take_the_default_area_code() -> None:
    assert clean_phone("86812345", default_area_code="0851") == "085186812345"
    assert clean_phone("2345678", default_area_code="0852") == "085122345678"


# --- places ------------------------------------------------------------------------------------


def test_gazetteer_holds_all_provinces_and_guizhou_divisions() -> None:
    divisions = read_divisions(places.DEFAULT_DIVISIONS_PATH)
    assert len(places.PROVINCES) == 34
    assert sum(p.level is Level.PREFECTURE for p in divisions) == 9
    assert sum(p.level is Level.COUNTY for p in divisions) == 88
    assert len(load_gazetteer()) == 34 + 9 + 88


@pytest.mark.parametrize(
    ("name", "forms"),
    [
        ("遵义市", ("遵义",)),
        ("黔南布依族苗族自治州", ("黔南州", "黔南自治州", "黔南")),
        ("威宁彝族回族苗族自治县", ("威宁县", "威宁自治县", "威宁")),
        ("三都水族自治县", ("三都县", "三都自治县", "三都")),
        ("六枝特区", ("六枝",)),
        ("南明区", ("南明",)),
        ("盘县", ()),  # one character would remain
    ],
)
def test_short_forms(name: str, forms: tuple[str, ...]) -> None:
    assert short_forms(name) == forms


def test_parse_prefix_requires_nesting() -> None:
    gaz = load_gazetteer()
    assert gaz.parse_prefix("遵义南明路").county is None
    assert gaz.parse_prefix("贵州仁怀茅台镇").county == RENHUAI
    assert gaz.parse_prefix("黔西南州兴义市").matches[0].place.code == "522300"
    assert gaz.parse_prefix("黔西县城").county == "520581"


def test_divisions_file_can_be_given_and_is_checked(tmp_path: Path) -> None:
    good = tmp_path / "divisions.csv"
    good.write_text(
        "code,name,level,parent_code\n520000,贵州省,province,\n520300,遵义市,prefecture,520000\n"
        "520382,仁怀市,county,520300\n",
        encoding="utf-8",
    )
    gaz = load_gazetteer(good)
    assert len(gaz) == 34 + 2
    assert parse_name("仁怀鑫源酒业有限公司", gazetteer=gaz).county == RENHUAI
    assert parse_name("南明鑫源酒业有限公司", gazetteer=gaz).county is None
    bad = tmp_path / "bad.csv"
    bad.write_text("code,name,level,parent_code\n520382,仁怀市,county,520399\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad\.csv:2: parent '520399'"):
        read_divisions(bad)
    bad.write_text("code,name,level,parent_code\n520382,仁怀市,town,520300\n", encoding="utf-8")
    with pytest.raises(ValueError, match="unknown level 'town'"):
        read_divisions(bad)


# --- docstrings --------------------------------------------------------------------------------


@pytest.mark.parametrize("module", [normalize, phone_numbers, places])
def test_docstring_examples_hold(module: object) -> None:
    failures, tried = doctest.testmod(module)  # type: ignore[arg-type]
    assert tried > 0
    assert failures == 0
