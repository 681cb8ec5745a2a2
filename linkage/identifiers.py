"""Chinese enterprise identifiers: USCC, organisation code and legacy registry numbers.

Pure functions over strings, used to key and link enterprise records:

* the Unified Social Credit Code (统一社会信用代码, USCC), GB 32100-2015;
* the organisation code (组织机构代码), GB 11714-1997, embedded in the USCC at positions 9-17;
* the 15-digit business registration number (工商注册号), GS 15-2006;
* the legacy tax registration number (税务登记号) = division code + organisation code.

Check-character failures are reported, never raised: officially issued codes exist that fail
the algorithm, so callers decide (and audit) whether to accept them via an override list.
"""

from __future__ import annotations

import enum
import operator
import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass

__all__ = [
    "USCC_CHARSET",
    "UsccResult",
    "UsccStatus",
    "legacy_tax_id_candidates",
    "make_uscc",
    "normalise_code",
    "org_code_check_char",
    "org_code_is_valid",
    "regno15_is_valid",
    "uscc_check_char",
    "uscc_check_fixes",
    "uscc_check_is_right",
    "uscc_is_valid",
    "validate_uscc",
]

# GB 32100-2015: 31 characters, the digits and upper-case letters without I, O, S, V, Z.
# A character's value is its index here.
USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_VALUE = {ch: i for i, ch in enumerate(USCC_CHARSET)}
_USCC_EXCLUDED = "IOSVZ"
# GB 32100-2015 (check character in the GB/T 17710 MOD 31 style): weight of position i is
# 3^(i-1) mod 31, i.e. 1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28.
_USCC_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
_USCC_LENGTH = 18
_USCC_SHAPE = re.compile("[0-9A-HJ-NP-RTUWXY]{18}")  # 18 of USCC_CHARSET, without a loop

# GB 11714-1997: the 8-character body uses digits and A-Z, valued 0-9 and 10-35.
_ORG_BODY_CHARSET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_ORG_VALUE = {ch: i for i, ch in enumerate(_ORG_BODY_CHARSET)}
# GB 11714-1997: weights of body positions 1-8.
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)

_DIGITS = "0123456789"

# GB 32100-2015 authority and entity-type codes. Only the part verified against several
# independent sources is listed (DOMAIN.md 6.1); public code disagrees on authorities 2-8, so
# other pairs are accepted but flagged. An empty set means "any entity type".
_KNOWN_AUTHORITY_TYPES: dict[str, frozenset[str]] = {
    "1": frozenset("1239"),  # 机构编制: 机关, 事业单位, 群众团体, 其他
    "5": frozenset("1239"),  # 民政: 社会团体, 民办非企业单位, 基金会, 其他
    "9": frozenset("123"),  # 工商 (market regulation): 企业, 个体工商户, 农民专业合作社
    "Y": frozenset(),  # 其他
}

# Hyphen-like characters people type between code segments ("71430580-X").
_HYPHENS = frozenset("-\u2010\u2011\u2012\u2013\u2014\u2015\u2212")
# Full-width ASCII variants U+FF01..U+FF5E map to U+0021..U+007E; U+3000 is the ideographic space.
_HALFWIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
_NORMAL_CODE = re.compile("[0-9A-Z]*")  # a code already in its normal form


def _to_halfwidth(text: str) -> str:
    return text.translate(_HALFWIDTH)


def normalise_code(raw: str) -> str:
    """Normalise a typed or scanned identifier for comparison and validation.

    Full-width ASCII (U+FF01-U+FF5E) and the ideographic space (U+3000) become half-width,
    all whitespace and hyphens are removed and letters are upper-cased. No validation is done.

    Parameters
    ----------
    raw : str
        The identifier as entered, e.g. from a form, a spreadsheet or an OCR'd licence.

    Returns
    -------
    str
        The normalised identifier.

    Examples
    --------
    >>> normalise_code(" ９１５２００００７１４３０５８０ｘｔ ")
    '9152000071430580XT'
    >>> normalise_code("71430580-x")
    '71430580X'
    """
    if _NORMAL_CODE.fullmatch(raw):  # most codes: skip the per-character filter
        return raw
    half = _to_halfwidth(raw)
    return "".join(ch for ch in "".join(half.split()) if ch not in _HYPHENS).upper()


def org_code_check_char(body8: str) -> str:
    """Compute the GB 11714-1997 check character of an organisation-code body.

    Parameters
    ----------
    body8 : str
        The first 8 characters of the organisation code: digits and upper-case A-Z.

    Returns
    -------
    str
        The check character, ``"0"``-``"9"`` or ``"X"``.

    Raises
    ------
    ValueError
        If `body8` is not 8 characters long or contains a character other than 0-9, A-Z.

    Examples
    --------
    >>> org_code_check_char("71430580")
    'X'
    >>> org_code_check_char("MA2YJ1XR")
    '9'
    """
    if len(body8) != 8:
        raise ValueError(f"organisation-code body must be 8 characters, got {len(body8)}")
    try:  # the weighted sum in C (map) rather than a Python loop
        total = sum(map(operator.mul, map(_ORG_VALUE.__getitem__, body8), _ORG_WEIGHTS))
    except KeyError:  # find the character to name
        pos, ch = next((p, c) for p, c in enumerate(body8, 1) if c not in _ORG_VALUE)
        raise ValueError(
            f"character {ch!r} at position {pos} is not allowed in an organisation code "
            "(GB 11714 allows 0-9 and A-Z)"
        ) from None
    # GB 11714-1997: C9 = 11 - (sum mod 11); 10 is written X and 11 is written 0.
    c9 = 11 - total % 11
    if c9 == 10:
        return "X"
    if c9 == 11:
        return "0"
    return str(c9)


def org_code_is_valid(code9: str) -> bool:
    """Tell whether an organisation code carries a correct GB 11714-1997 check character.

    The printed form ``XXXXXXXX-C`` and the bare form ``XXXXXXXXC`` are both accepted;
    surrounding whitespace, full-width characters and lower case are tolerated.

    Parameters
    ----------
    code9 : str
        The organisation code.

    Returns
    -------
    bool
        True if well-formed with a matching check character; never raises.

    Examples
    --------
    >>> org_code_is_valid("71430580-X")
    True
    >>> org_code_is_valid("714305809")
    False
    """
    code = _to_halfwidth(code9).strip().upper()
    # GB 11714-1997 printed form: the check character follows a hyphen.
    if len(code) == 10 and code[8] in _HYPHENS:
        code = code[:8] + code[9]
    if len(code) != 9:
        return False
    try:
        return org_code_check_char(code[:8]) == code[8]
    except ValueError:
        return False


def uscc_check_char(first17: str) -> str:
    """Compute the GB 32100-2015 check character (position 18) of a USCC.

    Parameters
    ----------
    first17 : str
        Positions 1-17 of the code, upper-case, from :data:`USCC_CHARSET`.

    Returns
    -------
    str
        The check character, a member of :data:`USCC_CHARSET`.

    Raises
    ------
    ValueError
        If `first17` is not 17 characters long or contains a character outside the charset;
        the message names the character and its 1-based position.

    Examples
    --------
    >>> uscc_check_char("9152000071430580X")
    'T'
    """
    if len(first17) != 17:
        raise ValueError(f"USCC body must be 17 characters, got {len(first17)}")
    try:  # the weighted sum in C (map) rather than a Python loop
        total = sum(map(operator.mul, map(_USCC_VALUE.__getitem__, first17), _USCC_WEIGHTS))
    except KeyError:  # find the character to name
        pos, ch = next((p, c) for p, c in enumerate(first17, 1) if c not in _USCC_VALUE)
        raise ValueError(_bad_char_message(ch, pos)) from None
    # GB 32100-2015: C18 = 31 - (sum mod 31), where 31 is written as 0.
    return USCC_CHARSET[(31 - total % 31) % 31]


def regno15_is_valid(n: str) -> bool:
    """Tell whether a 15-digit business registration number (工商注册号) is valid.

    GS 15-2006: 6-digit registration-authority code, 8-digit sequence, 1 check digit
    computed with ISO 7064 MOD 11,10.

    Parameters
    ----------
    n : str
        The registration number, exactly 15 ASCII digits (normalise it first if needed).

    Returns
    -------
    bool
        True if well-formed with a matching check digit; never raises.

    Examples
    --------
    >>> regno15_is_valid("520000000005018")
    True
    >>> regno15_is_valid("520000000005019")
    False
    """
    if len(n) != 15 or any(ch not in _DIGITS for ch in n):
        return False
    # GS 15-2006: check digit by ISO 7064 MOD 11,10 (hybrid system).
    product = 10
    for ch in n[:14]:
        remainder = (product + int(ch)) % 10 or 10
        product = remainder * 2 % 11
    return (11 - product) % 10 == int(n[14])


class UsccStatus(enum.StrEnum):
    """Outcome of :func:`validate_uscc`; the string value is what gets stored."""

    # Well-formed, both check characters match (GB 32100-2015, GB 11714-1997).
    OK = "ok"
    # A check character fails, but the code is on the caller's audited override list of
    # officially issued codes that do not satisfy the algorithm (DOMAIN.md 6.4).
    OVERRIDE = "override"
    # Not 18 characters, or a character outside USCC_CHARSET (GB 32100-2015).
    BAD_FORMAT = "bad_format"
    # Positions 3-8 are not six digits, so cannot be a GB/T 2260 division code.
    BAD_REGION = "bad_region"
    # Position 17 is not the GB 11714-1997 check character of positions 9-16.
    BAD_ORG_CHECK = "bad_org_check"
    # Position 18 is not the GB 32100-2015 check character of positions 1-17.
    BAD_CHECK = "bad_check"


@dataclass(frozen=True)
class UsccResult:
    """A validated Unified Social Credit Code (统一社会信用代码) and its segments.

    Segments are None when the code is too malformed to locate them (``BAD_FORMAT``), and
    `division_code` is None when positions 3-8 are not digits (``BAD_REGION``).

    Attributes
    ----------
    raw : str
        The input as given.
    code : str
        The normalised code (see :func:`normalise_code`).
    status : UsccStatus
        The validation outcome.
    expected_check : str or None
        For ``BAD_CHECK``, the expected position-18 character; for ``BAD_ORG_CHECK``, the
        expected organisation-code check character at position 17. Kept on ``OVERRIDE``.
    authority : str or None
        Position 1, registration authority (登记管理部门代码).
    entity_type : str or None
        Position 2, entity type (机构类别代码).
    division_code : str or None
        Positions 3-8, GB/T 2260 division of the registering authority.
    org_code : str or None
        Positions 9-17, the GB 11714-1997 organisation code including its check character.
    unknown_authority : bool
        True when the authority/type pair is not in the verified table (DOMAIN.md 6.1).
        Such codes are not rejected.
    """

    raw: str
    code: str
    status: UsccStatus
    expected_check: str | None = None
    authority: str | None = None
    entity_type: str | None = None
    division_code: str | None = None
    org_code: str | None = None
    unknown_authority: bool = False

    @property
    def is_valid(self) -> bool:
        """True for ``OK`` and ``OVERRIDE``."""
        return self.status in (UsccStatus.OK, UsccStatus.OVERRIDE)

    @property
    def reason(self) -> str:
        """A short English sentence explaining the status."""
        code = self.code
        match self.status:
            case UsccStatus.OK:
                return "valid"
            case UsccStatus.OVERRIDE:
                return (
                    f"fails the check-character algorithm (expected {self.expected_check!r}) "
                    "but is on the override list"
                )
            case UsccStatus.BAD_FORMAT:
                if len(code) != _USCC_LENGTH:
                    return f"must be {_USCC_LENGTH} characters, got {len(code)}"
                pos, ch = next((p, c) for p, c in enumerate(code, 1) if c not in _USCC_VALUE)
                return _bad_char_message(ch, pos)
            case UsccStatus.BAD_REGION:
                return f"positions 3-8 must be a 6-digit division code, got {code[2:8]!r}"
            case UsccStatus.BAD_ORG_CHECK:
                return (
                    f"organisation-code check character (position 17) should be "
                    f"{self.expected_check!r}, not {code[16]!r}"
                )
            case UsccStatus.BAD_CHECK:
                return f"check character should be {self.expected_check!r}, not {code[17]!r}"


def _bad_char_message(ch: str, pos: int) -> str:
    if ch in _USCC_EXCLUDED:
        detail = "GB 32100 excludes I, O, S, V, Z"
    else:
        detail = "GB 32100 allows only digits and upper-case letters except I, O, S, V, Z"
    return f"character {ch!r} at position {pos} is not allowed ({detail})"


def _is_known_authority(authority: str, entity_type: str) -> bool:
    types = _KNOWN_AUTHORITY_TYPES.get(authority)
    return types is not None and (not types or entity_type in types)


def validate_uscc(raw: str, *, overrides: Collection[str] = ()) -> UsccResult:
    """Validate a Unified Social Credit Code (统一社会信用代码, GB 32100-2015).

    Checks, in order: format (length, charset), region digits (positions 3-8), the
    organisation-code check character (position 17, GB 11714-1997) and the USCC check
    character (position 18). Unknown authority/type pairs are flagged, not rejected.

    Parameters
    ----------
    raw : str
        The code as entered; it is normalised first (see :func:`normalise_code`).
    overrides : Collection of str, optional
        Normalised codes officially issued despite failing a check character. Such a code
        gets status ``OVERRIDE`` instead of ``BAD_ORG_CHECK`` / ``BAD_CHECK``. Format and
        region errors are never overridden.

    Returns
    -------
    UsccResult
        The outcome; this function never raises on bad input.

    Examples
    --------
    >>> validate_uscc("9152000071430580XT").status
    <UsccStatus.OK: 'ok'>
    >>> validate_uscc("91350203M0001QAY9B").reason
    "check character should be '9', not 'B'"
    >>> validate_uscc("91350203M0001QAY9B", overrides={"91350203M0001QAY9B"}).is_valid
    True
    """
    code = normalise_code(raw)
    if not _USCC_SHAPE.fullmatch(code):  # 18 characters of USCC_CHARSET
        return UsccResult(raw=raw, code=code, status=UsccStatus.BAD_FORMAT)

    # GB 32100-2015: 1 authority, 2 entity type, 3-8 division, 9-17 org code, 18 check.
    authority, entity_type, division, org_code = code[0], code[1], code[2:8], code[8:17]
    status = UsccStatus.OK
    expected: str | None = None
    # GB 32100-2015: positions 3-8 are a GB/T 2260 administrative division code.
    if not division.isdigit():  # ASCII only here: isdigit() is "all of 0-9"
        status = UsccStatus.BAD_REGION
    elif (org_expected := org_code_check_char(org_code[:8])) != org_code[8]:
        # GB 11714-1997, applied to the organisation code embedded by GB 32100-2015.
        status, expected = UsccStatus.BAD_ORG_CHECK, org_expected
    elif (uscc_expected := uscc_check_char(code[:17])) != code[17]:
        # GB 32100-2015 check character.
        status, expected = UsccStatus.BAD_CHECK, uscc_expected
    if status in (UsccStatus.BAD_ORG_CHECK, UsccStatus.BAD_CHECK) and code in overrides:
        status = UsccStatus.OVERRIDE
    return UsccResult(
        raw=raw,
        code=code,
        status=status,
        expected_check=expected,
        authority=authority,
        entity_type=entity_type,
        division_code=None if status is UsccStatus.BAD_REGION else division,
        org_code=org_code,
        unknown_authority=not _is_known_authority(authority, entity_type),
    )


def uscc_is_valid(code: str) -> bool:
    """``validate_uscc(code).status is UsccStatus.OK`` for a normalised code, in half the time.

    >>> uscc_is_valid("9152000071430580XT"), uscc_is_valid("9152000071430580XA")
    (True, False)
    """
    # The bulk path of the readers and the linker: no UsccResult is built.
    return (_USCC_SHAPE.fullmatch(code) is not None and code[2:8].isdigit()
            and org_code_check_char(code[8:16]) == code[16]
            and uscc_check_char(code[:17]) == code[17])  # fmt: skip


_USCC_INVERSE_WEIGHTS = tuple(pow(w, -1, 31) for w in _USCC_WEIGHTS)


def uscc_check_fixes(code: str) -> list[str]:
    """The codes one substitution from `code` whose check character (position 18) is right.

    The check character of GB 32100-2015 fixes the weighted sum of positions 1-17 modulo 31.
    A substitution at position i of 1-17 changes that sum by ``w_i * (new - old)``, and
    ``w_i`` is invertible modulo 31, so exactly one character at position i satisfies the
    check; at position 18 the one character is the check character itself. Hence at most 18
    codes, where trying every character at every position gives 540: the look-up of typos
    (:meth:`linkage.blocking.BlockIndex.by_near_code`) asks only these of the registry codes
    whose check character is right.

    Parameters
    ----------
    code : str
        A normalised 18-character code; characters outside :data:`USCC_CHARSET` are allowed
        (only a substitution can remove one).

    Returns
    -------
    list of str
        The codes, by position; `code` itself is never among them.

    Examples
    --------
    >>> fixes = uscc_check_fixes("9152000071430580XA")
    >>> len(fixes), fixes[0], fixes[-1]
    (18, 'R152000071430580XA', '9152000071430580XT')
    >>> uscc_check_fixes("9152000071430580XT")  # already right: one change would break it
    []
    """
    if len(code) != _USCC_LENGTH:
        return []
    values = [_USCC_VALUE.get(ch) for ch in code]
    unknown = [i for i, v in enumerate(values) if v is None]
    if len(unknown) > 1:
        return []
    # The weighted sum of positions 1-17 (without an unknown one); the check character is
    # C = (31 - sum % 31) % 31, that is -sum % 31.
    known = sum(w * v for w, v in zip(_USCC_WEIGHTS, values, strict=False) if v is not None)
    out: list[str] = []
    if (check := values[17]) is not None:
        wanted = -check % 31  # the sum the check character asks for
        for i in unknown or range(17):
            old = values[i]
            rest = known - _USCC_WEIGHTS[i] * old if old is not None else known
            new = (wanted - rest) * _USCC_INVERSE_WEIGHTS[i] % 31
            if new != old:
                out.append(code[:i] + USCC_CHARSET[new] + code[i + 1 :])
    if unknown in ([], [17]) and (right := USCC_CHARSET[-known % 31]) != code[17]:
        out.append(code[:17] + right)
    return out


def uscc_check_is_right(code: str) -> bool:
    """Whether `code` is 18 characters of the USCC charset, the last the check of the others.

    The region and the organisation code's own check character are not looked at
    (:func:`uscc_is_valid` does all).

    >>> uscc_check_is_right("9152000071430580XT"), uscc_check_is_right("9152000071430580XA")
    (True, False)
    """
    return _USCC_SHAPE.fullmatch(code) is not None and uscc_check_char(code[:17]) == code[17]


def legacy_tax_id_candidates(uscc: str, *, extra_divisions: Iterable[str] = ()) -> list[str]:
    """List the pre-2015 tax registration numbers (税务登记号) a USCC may correspond to.

    A legacy unit tax ID is a 6-digit division code followed by the 9-character organisation
    code (DOMAIN.md 6.3). The registering division (USCC positions 3-8) comes first; the tax
    office's division may differ, so pass it (and any others) as `extra_divisions`.

    Parameters
    ----------
    uscc : str
        The USCC; it is normalised first. Only its format and region are required to be
        well-formed: check characters are not verified, so validate first if that matters.
    extra_divisions : iterable of str, optional
        Further 6-digit GB/T 2260 division codes to try.

    Returns
    -------
    list of str
        15-character candidates, deduplicated, registration division first.

    Raises
    ------
    ValueError
        If `uscc` is malformed or an extra division is not 6 digits.

    Examples
    --------
    >>> legacy_tax_id_candidates("9152000071430580XT", extra_divisions=["520382"])
    ['52000071430580X', '52038271430580X']
    """
    result = validate_uscc(uscc)
    if result.division_code is None or result.org_code is None:
        raise ValueError(f"cannot derive legacy tax IDs from {uscc!r}: {result.reason}")
    candidates: list[str] = []
    for division in (result.division_code, *extra_divisions):
        if len(division) != 6 or any(ch not in _DIGITS for ch in division):
            raise ValueError(f"division code must be 6 digits, got {division!r}")
        candidate = division + result.org_code
        if candidate not in candidates:
            candidates.append(candidate)
    return candidates


def make_uscc(authority: str, entity_type: str, division6: str, org_body8: str) -> str:
    """Build a valid USCC from its segments, computing both check characters.

    Meant for demo data and benchmark generators.

    Parameters
    ----------
    authority : str
        Position 1, one character of :data:`USCC_CHARSET`.
    entity_type : str
        Position 2, one character of :data:`USCC_CHARSET`.
    division6 : str
        Positions 3-8, six digits (GB/T 2260 division code).
    org_body8 : str
        Positions 9-16, eight characters of :data:`USCC_CHARSET` (the organisation-code body
        without its check character).

    Returns
    -------
    str
        The 18-character code.

    Raises
    ------
    ValueError
        If a segment has the wrong length or a character outside its alphabet.

    Examples
    --------
    >>> make_uscc("9", "1", "520000", "71430580")
    '9152000071430580XT'
    """
    for name, value, alphabet, length in (
        ("authority", authority, USCC_CHARSET, 1),
        ("entity_type", entity_type, USCC_CHARSET, 1),
        ("division6", division6, _DIGITS, 6),
        ("org_body8", org_body8, USCC_CHARSET, 8),
    ):
        if len(value) != length or any(ch not in alphabet for ch in value):
            raise ValueError(f"{name} must be {length} character(s) of {alphabet!r}, got {value!r}")
    first17 = authority + entity_type + division6 + org_body8 + org_code_check_char(org_body8)
    return first17 + uscc_check_char(first17)
