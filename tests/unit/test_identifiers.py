"""Unit tests for linkage.identifiers (GB 32100-2015, GB 11714-1997, GS 15-2006)."""

from __future__ import annotations

import doctest

import pytest
from hypothesis import given
from hypothesis import strategies as st

import linkage
from linkage import identifiers
from linkage.identifiers import (
    USCC_CHARSET,
    UsccStatus,
    legacy_tax_id_candidates,
    make_uscc,
    normalise_code,
    org_code_check_char,
    org_code_is_valid,
    regno15_is_valid,
    uscc_check_char,
    validate_uscc,
)

# DOMAIN.md 6.4: real codes whose check characters were verified.
VALID_USCCS = [
    "9152000071430580XT",  # 贵州茅台酒股份有限公司
    "91520000214434146R",  # 中航重机股份有限公司
    "91350200776049653A",  # Xiamen sample
    "914403001922038216",  # 华为技术有限公司
    "9144030071526726XG",  # 腾讯科技（深圳）有限公司
    "91330100799655058B",  # 阿里巴巴（中国）有限公司
    "91110000710926094P",  # 中国石油化工股份有限公司
    "123502001549897397",  # a 事业单位 (authority 1, type 2)
]

# DOMAIN.md 6.4 negative vectors: (code, status, expected_check, uscc check of positions 1-17).
# All four "Moutai"/sample codes also fail the embedded org-code check, which is tested first.
INVALID_USCCS = [
    ("91520000714308124W", UsccStatus.BAD_ORG_CHECK, "X", "D"),
    ("91520000714304481T", UsccStatus.BAD_ORG_CHECK, "7", "E"),
    ("915200007143058563", UsccStatus.BAD_ORG_CHECK, "0", "Q"),
    ("91520000214304865U", UsccStatus.BAD_ORG_CHECK, "X", "N"),
    ("91350203M0001QAY9B", UsccStatus.BAD_CHECK, "9", "9"),
]

ANOMALY = "91350203M0001QAY9B"


@pytest.mark.parametrize("code", VALID_USCCS)
def test_verified_real_codes_validate_ok(code: str) -> None:
    result = validate_uscc(code)
    assert result.status is UsccStatus.OK
    assert result.is_valid
    assert result.expected_check is None
    assert result.reason == "valid"
    assert uscc_check_char(code[:17]) == code[17]
    assert org_code_is_valid(code[8:17])


@pytest.mark.parametrize(("code", "status", "expected", "uscc_expected"), INVALID_USCCS)
def test_published_invalid_codes_are_rejected_with_expected_check(
    code: str, status: UsccStatus, expected: str, uscc_expected: str
) -> None:
    result = validate_uscc(code)
    assert result.status is status
    assert not result.is_valid
    assert result.expected_check == expected
    assert uscc_check_char(code[:17]) == uscc_expected


def test_check_failure_reason_names_expected_and_actual_characters() -> None:
    assert validate_uscc(ANOMALY).reason == "check character should be '9', not 'B'"
    assert validate_uscc("91520000714308124W").reason == (
        "organisation-code check character (position 17) should be 'X', not '4'"
    )


def test_anomaly_passes_org_check_but_fails_uscc_check() -> None:
    assert org_code_is_valid(ANOMALY[8:17])
    assert uscc_check_char(ANOMALY[:17]) == "9"


def test_listed_anomaly_validates_as_override() -> None:
    result = validate_uscc(ANOMALY, overrides={ANOMALY})
    assert result.status is UsccStatus.OVERRIDE
    assert result.is_valid
    assert result.expected_check == "9"


def test_override_applies_to_org_check_failures_too() -> None:
    code = "91520000214304865U"
    assert validate_uscc(code, overrides=[code]).status is UsccStatus.OVERRIDE


@pytest.mark.parametrize(
    "raw",
    [
        "9152000O71430580XT",  # O at position 5: format error, never a region error
        "91520000714308124",  # wrong length
        "9152000071430580X#",
    ],
)
def test_override_never_rescues_format_errors(raw: str) -> None:
    assert validate_uscc(raw, overrides={normalise_code(raw)}).status is UsccStatus.BAD_FORMAT


def test_override_never_rescues_region_errors() -> None:
    code = "91A2000071430580XT"
    assert validate_uscc(code, overrides={code}).status is UsccStatus.BAD_REGION


def test_unlisted_codes_are_not_overridden() -> None:
    assert validate_uscc(ANOMALY, overrides={VALID_USCCS[0]}).status is UsccStatus.BAD_CHECK


@pytest.mark.parametrize(
    ("body8", "check"),
    [
        ("71430580", "X"),  # 贵州茅台, DOMAIN.md 6.2
        ("MA2YJ1XR", "9"),  # post-2015 "MA" segment body
        ("21443414", "6"),  # 中航重机
        ("19220382", "1"),  # 华为
    ],
)
def test_org_code_check_char_matches_known_codes(body8: str, check: str) -> None:
    assert org_code_check_char(body8) == check


@pytest.mark.parametrize("code9", ["71430580-X", "71430580X", "71430580-x", "MA2YJ1XR9"])
def test_org_code_is_valid_accepts_printed_and_bare_forms(code9: str) -> None:
    assert org_code_is_valid(code9)


@pytest.mark.parametrize(
    "code9", ["71430580-9", "714305809", "7143058-0X", "71430580", "71430580-XX", "7143058#X", ""]
)
def test_org_code_is_valid_rejects_bad_codes(code9: str) -> None:
    assert not org_code_is_valid(code9)


@pytest.mark.parametrize("body8", ["7143058", "714305800", "7143058#", "7143058x"])
def test_org_code_check_char_raises_on_bad_body(body8: str) -> None:
    with pytest.raises(ValueError):
        org_code_check_char(body8)


def test_uscc_check_char_error_names_character_and_position() -> None:
    with pytest.raises(ValueError, match=r"'I' at position 5"):
        uscc_check_char("9152I00071430580X")


def test_uscc_check_char_rejects_wrong_length() -> None:
    with pytest.raises(ValueError, match="17 characters, got 18"):
        uscc_check_char("9152000071430580XT")


def test_regno15_of_avic_heavy_machinery_is_valid() -> None:
    assert regno15_is_valid("520000000005018")


@pytest.mark.parametrize("position", range(15))
def test_regno15_detects_any_one_digit_change(position: int) -> None:
    digits = list("520000000005018")
    digits[position] = str((int(digits[position]) + 1) % 10)
    assert not regno15_is_valid("".join(digits))


@pytest.mark.parametrize("n", ["52000000000501", "5200000000050180", "52000000000501X", "", "５２"])
def test_regno15_rejects_malformed_numbers(n: str) -> None:
    assert not regno15_is_valid(n)


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("９１５２００００７１４３０５８０ＸＴ", "9152000071430580XT"),  # full-width digits/letters
        ("\u30009152000071430580XT\u3000", "9152000071430580XT"),  # ideographic spaces
        ("9152000071430580xt", "9152000071430580XT"),
        ("  9152 0000 7143 0580 XT\n", "9152000071430580XT"),
        ("915200-0071430580-XT", "9152000071430580XT"),
        ("71430580－Ｘ", "71430580X"),  # full-width hyphen-minus
        ("", ""),
    ],
)
def test_normalise_code(raw: str, normalised: str) -> None:
    assert normalise_code(raw) == normalised


@pytest.mark.parametrize(
    "raw",
    ["９１５２００００７１４３０５８０ＸＴ", " 9152000071430580xt ", "9152-0000-71430580-XT"],
)
def test_validation_normalises_input_first(raw: str) -> None:
    result = validate_uscc(raw)
    assert result.status is UsccStatus.OK
    assert result.raw == raw
    assert result.code == "9152000071430580XT"


def test_valid_code_is_split_into_segments() -> None:
    result = validate_uscc("9152000071430580XT")
    assert result.authority == "9"
    assert result.entity_type == "1"
    assert result.division_code == "520000"
    assert result.org_code == "71430580X"
    assert result.unknown_authority is False


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("9152000071430580X", "must be 18 characters, got 17"),
        ("9152000071430580XTT", "must be 18 characters, got 19"),
        ("", "must be 18 characters, got 0"),
        (
            "9152I00071430580XT",
            "character 'I' at position 5 is not allowed (GB 32100 excludes I, O, S, V, Z)",
        ),
        (
            "91520000714305800Z",
            "character 'Z' at position 18 is not allowed (GB 32100 excludes I, O, S, V, Z)",
        ),
        (
            "9152000071430580X#",
            "character '#' at position 18 is not allowed "
            "(GB 32100 allows only digits and upper-case letters except I, O, S, V, Z)",
        ),
    ],
)
def test_format_errors_explain_themselves(raw: str, reason: str) -> None:
    result = validate_uscc(raw)
    assert result.status is UsccStatus.BAD_FORMAT
    assert result.reason == reason
    assert result.authority is None
    assert result.org_code is None


@pytest.mark.parametrize("letter", "IOSVZ")
def test_forbidden_letters_are_format_errors(letter: str) -> None:
    code = "9152000071430580X" + letter
    assert validate_uscc(code).status is UsccStatus.BAD_FORMAT
    assert validate_uscc(code.lower()).status is UsccStatus.BAD_FORMAT


def test_non_digit_division_is_a_region_error() -> None:
    result = validate_uscc("91A2000071430580XT")
    assert result.status is UsccStatus.BAD_REGION
    assert result.division_code is None
    assert result.reason == "positions 3-8 must be a 6-digit division code, got 'A20000'"


@pytest.mark.parametrize(
    ("authority", "entity_type", "unknown"),
    [
        ("1", "1", False),
        ("1", "2", False),
        ("1", "9", False),
        ("5", "3", False),
        ("5", "9", False),
        ("9", "1", False),
        ("9", "3", False),
        ("Y", "1", False),
        ("Y", "X", False),
        ("1", "4", True),
        ("9", "9", True),
        ("2", "1", True),
        ("A", "1", True),
        ("N", "2", True),
    ],
)
def test_unknown_authority_is_flagged_not_rejected(
    authority: str, entity_type: str, unknown: bool
) -> None:
    result = validate_uscc(make_uscc(authority, entity_type, "520000", "71430580"))
    assert result.status is UsccStatus.OK
    assert result.unknown_authority is unknown


def test_legacy_tax_id_candidates_registration_division_first_deduplicated() -> None:
    candidates = legacy_tax_id_candidates(
        "9152000071430580XT", extra_divisions=["520382", "520000", "520382", "520300"]
    )
    assert candidates == ["52000071430580X", "52038271430580X", "52030071430580X"]


def test_legacy_tax_id_candidates_default_to_registration_division() -> None:
    assert legacy_tax_id_candidates(" 91520000214434146r ") == ["520000214434146"]


@pytest.mark.parametrize(
    ("uscc", "extra"),
    [("9152000071430580X", ()), ("91A2000071430580XT", ()), ("9152000071430580XT", ["5203"])],
)
def test_legacy_tax_id_candidates_reject_malformed_input(uscc: str, extra: list[str]) -> None:
    with pytest.raises(ValueError):
        legacy_tax_id_candidates(uscc, extra_divisions=extra)


def test_make_uscc_rebuilds_a_real_code() -> None:
    assert make_uscc("9", "1", "520000", "21443414") == "91520000214434146R"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("91", "1", "520000", "71430580"), "authority"),
        (("9", "I", "520000", "71430580"), "entity_type"),
        (("9", "1", "52000A", "71430580"), "division6"),
        (("9", "1", "520000", "7143058"), "org_body8"),
        (("9", "1", "520000", "7143058O"), "org_body8"),
    ],
)
def test_make_uscc_rejects_bad_segments(args: tuple[str, str, str, str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        make_uscc(*args)


charset_char = st.sampled_from(USCC_CHARSET)
digit = st.sampled_from("0123456789")
uscc_parts = st.tuples(
    charset_char,
    charset_char,
    st.text(digit, min_size=6, max_size=6),
    st.text(charset_char, min_size=8, max_size=8),
)


@given(uscc_parts)
def test_every_generated_code_validates_ok(parts: tuple[str, str, str, str]) -> None:
    authority, entity_type, division6, body8 = parts
    code = make_uscc(*parts)
    result = validate_uscc(code)
    assert result.status is UsccStatus.OK
    assert (result.authority, result.entity_type, result.division_code) == parts[:3]
    assert result.org_code is not None and result.org_code[:8] == body8


@given(uscc_parts)
def test_any_single_character_substitution_is_detected(parts: tuple[str, str, str, str]) -> None:
    # Exhaustive over positions and replacements for each generated code: the MOD 31 weights are
    # all non-zero modulo the prime 31, so no in-charset substitution keeps the sum.
    code = make_uscc(*parts)
    for position in range(len(code)):
        for replacement in USCC_CHARSET + "IOSVZ#":
            if replacement == code[position]:
                continue
            altered = code[:position] + replacement + code[position + 1 :]
            assert validate_uscc(altered).status is not UsccStatus.OK, (code, altered)


@given(uscc_parts, st.text(min_size=1, max_size=2))
def test_validate_never_raises(parts: tuple[str, str, str, str], noise: str) -> None:
    code = make_uscc(*parts)
    for raw in (noise, code[:9] + noise + code[9:], noise + code):
        assert isinstance(validate_uscc(raw).reason, str)


def test_package_reexports_identifiers_api() -> None:
    assert set(identifiers.__all__) <= set(linkage.__all__)
    for name in identifiers.__all__:
        assert getattr(linkage, name) is getattr(identifiers, name)


def test_docstring_examples_hold() -> None:
    failures, tried = doctest.testmod(identifiers)
    assert tried > 0
    assert failures == 0
