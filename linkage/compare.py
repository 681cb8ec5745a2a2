"""Field comparators: discrete agreement levels, with a short evidence string, per field.

The compare stage of linkage (normalise → block → *compare* → classify). A record is first
reduced to a :class:`Profile` (:func:`profile`), a compact tuple of normalised values; two
profiles are then compared field by field. Each comparator returns an :class:`enum.IntEnum`
level whose value 0 is ``MISSING``: a value absent on either side is no evidence either way
(its weight is zero in :mod:`linkage.fellegi_sunter`). Higher values mean stronger agreement,
except the hard ``BRANCH_CONFLICT`` of names, which the pipeline never links.

Two APIs per field: ``*_level(a, b)`` returns the level only (the bulk path, a few
microseconds), ``compare_*(a, b)`` returns a :class:`FieldComparison` with the evidence.

Examples
--------
>>> a = profile("遵义市汇川区鑫源化工有限责任公司", "張三", "汇川区上海路12号", "0851-86812345")
>>> b = profile("鑫源化工有限公司", "张三", "贵州省遵义市汇川区上海路十二号", "(0851)86812345")
>>> [level.name for level in compare_levels(a, b)[1:]]
['EXACT', 'COUNTY', 'EXACT', 'EXACT', 'SHARED']
>>> compare_name(a, profile("鑫源化工有限公司仁怀分公司")).evidence
'branch conflict: 鑫源化工 branch 520382:分公司 / non-branch 鑫源化工'
"""

from __future__ import annotations

import enum
import functools
import re
from collections.abc import Container
from typing import NamedTuple

from rapidfuzz.distance import Indel, JaroWinkler

from linkage.identifiers import USCC_CHARSET
from linkage.normalize import (
    OrgForm,
    clean_address,
    clean_person,
    parse_name,
    phones,
    pinyin_key,
)
from linkage.places import Gazetteer, load_gazetteer

__all__ = [
    "FIELDS",
    "AddressLevel",
    "FieldComparison",
    "IdLevel",
    "NameLevel",
    "PhoneLevel",
    "PlaceLevel",
    "Profile",
    "RepLevel",
    "address_level",
    "compare_address",
    "compare_identifier",
    "compare_levels",
    "compare_name",
    "compare_phone",
    "compare_place",
    "compare_rep",
    "explain",
    "identifier_level",
    "name_level",
    "near_codes",
    "org_code_of",
    "phone_level",
    "place_level",
    "profile",
    "rep_level",
]

# Jaro-Winkler similarity of two cores (trade name + industry) for the fuzzy name levels.
# One wrong character in a four-character core scores 0.85-0.88; another trade name with the
# same industry (宏达化工 / 宏远化工) scores 0.85 too, so the fuzzy levels are weak evidence
# whose weight the model learns.
NAME_SIMILAR = 0.9
NAME_WEAK = 0.8
# Indel similarity (rapidfuzz ratio / 100) of two address rests.
ADDRESS_SIMILAR = 0.8
ADDRESS_WEAK = 0.6
# A shorter rest that ends the longer one (town dropped: 学府大道254号) must be this long.
_ADDRESS_SUFFIX_MIN = 4


class Profile(NamedTuple):
    """A record's normalised values, compared by the ``*_level`` functions.

    A tuple, so that a million of them stay compact. Strings are empty, not None, when a
    value is missing; place codes are GB/T 2260 codes or None.
    """

    core: str  # trade name + industry (字号 + 行业), see NameParts.core
    pinyin: str  # toneless pinyin of the core
    form: str  # OrgForm value
    group: bool  # 集团
    branch: str  # "" for a non-branch, else "<branch place code>:<suffix>" (520382:分公司)
    name_province: str | None
    name_prefecture: str | None
    name_county: str | None
    addr_province: str | None
    addr_prefecture: str | None
    addr_county: str | None
    addr_rest: str  # the address after its places (茅台镇学府大道254号)
    rep: str  # legal representative, cleaned
    rep_pinyin: str
    phones: tuple[str, ...]  # canonical numbers

    @property
    def county(self) -> str | None:
        """The county of the address, else of the name (a branch's own place first)."""
        if self.addr_county:
            return self.addr_county
        if self.branch and self.branch[0].isdigit() and self.branch[4:6] != "00":
            return self.branch.split(":", 1)[0]
        return self.name_county

    @property
    def prefecture(self) -> str | None:
        """The prefecture of the address, else of the name."""
        return self.addr_prefecture or self.name_prefecture


_ORDINAL_RE = re.compile("^[零〇一二两三四五六七八九十]+")
_CN_DIGIT = dict(zip("零〇一二两三四五六七八九", (0, 0, 1, 2, 2, 3, 4, 5, 6, 7, 8, 9), strict=True))


def _ordinal(numeral: str) -> str:
    """一 → 1, 十二 → 12, 二十一 → 21; anything else stays as written."""
    if "十" not in numeral:
        return "".join(str(_CN_DIGIT[ch]) for ch in numeral)
    tens, _, units = numeral.partition("十")
    if len(tens) > 1 or len(units) > 1 or "十" in units:
        return numeral
    return str((_CN_DIGIT[tens] if tens else 1) * 10 + (_CN_DIGIT[units] if units else 0))


def _branch_suffix(suffix: str) -> str:
    """Write a leading ordinal in digits: 第二分厂, 第2分厂 and 二分厂 all become 第2分厂.

    >>> _branch_suffix("第十二分厂"), _branch_suffix("2分厂"), _branch_suffix("营业部")
    ('第12分厂', '第2分厂', '营业部')
    """
    rest = _ORDINAL_RE.sub(lambda m: _ordinal(m.group()), suffix.removeprefix("第"), 1)
    return "第" + rest if rest[:1].isdigit() else suffix


@functools.lru_cache(maxsize=1 << 16)
def _person(name: str) -> tuple[str, str]:
    """A legal representative's cleaned name and its pinyin; common names come back often."""
    rep = clean_person(name)
    return rep, pinyin_key(rep) if rep else ""


def profile(
    name: str,
    legal_rep: str = "",
    address: str = "",
    phone: str = "",
    *,
    default_area_code: str | None = None,
    gazetteer: Gazetteer | None = None,
) -> Profile:
    """Normalise a record's comparable fields into a :class:`Profile`.

    Parameters
    ----------
    name, legal_rep, address, phone : str
        The values as given; empty when absent.
    default_area_code : str, optional
        Area code (with its 0) for local phone numbers written without it, e.g. ``"0851"``.
    gazetteer : Gazetteer, optional
        Places to recognise; by default :func:`linkage.places.load_gazetteer`.

    Returns
    -------
    Profile

    Examples
    --------
    >>> p = profile("贵州鑫源建材有限公司第二分厂", "李四", "", "13808512345")
    >>> p.core, p.branch, p.rep_pinyin, p.phones
    ('鑫源建材', ':第2分厂', 'lisi', ('13808512345',))
    """
    parts = parse_name(name, gazetteer=gazetteer) if name.strip() else None
    addr = clean_address(address, gazetteer=gazetteer) if address.strip() else None
    rep, rep_pinyin = _person(legal_rep) if legal_rep else ("", "")
    branch = ""
    if parts is not None and parts.is_branch:
        branch = f"{parts.branch_place or ''}:{_branch_suffix(parts.branch_suffix or '')}"
    return Profile(
        core=parts.core if parts else "",
        pinyin=parts.pinyin_core if parts else "",
        form=parts.org_form.value if parts else OrgForm.NONE.value,
        group=parts.is_group if parts else False,
        branch=branch,
        name_province=parts.province if parts else None,
        name_prefecture=parts.prefecture if parts else None,
        name_county=parts.county if parts else None,
        addr_province=addr.province if addr else None,
        addr_prefecture=addr.prefecture if addr else None,
        addr_county=addr.county if addr else None,
        addr_rest=addr.rest if addr else "",
        rep=rep,
        rep_pinyin=rep_pinyin,
        phones=tuple(phones(phone, default_area_code=default_area_code)) if phone else (),
    )


class FieldComparison(NamedTuple):
    """A comparator's outcome: the level and a short English explanation."""

    level: enum.IntEnum
    evidence: str


# --- identifiers -----------------------------------------------------------------------------


class IdLevel(enum.IntEnum):
    """Agreement of a record's identifier with a registry USCC."""

    MISSING = 0  # no usable code on the record (empty, a registration number, unreadable)
    DIFFERENT = 1  # both codes present and unrelated
    PARENT = 2  # the record's code is the USCC of the candidate's parent (branch records)
    ORG = 3  # same organisation code (USCC positions 9-17; a legacy tax id's last 9)
    NEAR = 4  # one character substituted, or two neighbours swapped: a typo
    EXACT = 5  # the same code


def org_code_of(code: str) -> str | None:
    """The organisation code in a USCC (positions 9-17) or a legacy tax id (last nine).

    Examples
    --------
    >>> org_code_of("9152000071430580XT"), org_code_of("52038271430580X"), org_code_of("12")
    ('71430580X', '71430580X', None)
    """
    if len(code) == 18:
        return code[8:17]
    if len(code) == 15:
        return code[6:]
    return None


def _near(a: str, b: str) -> bool:
    """One substitution or one swap of neighbours between two equally long codes."""
    diffs = [i for i in range(len(a)) if a[i] != b[i]]
    if len(diffs) == 1:
        return True
    return len(diffs) == 2 and diffs[1] == diffs[0] + 1 and a[diffs[0]] == b[diffs[1]]


def identifier_level(code: str, uscc: str) -> IdLevel:
    """Compare a record's normalised code (a USCC or a legacy tax id) with a registry USCC.

    Examples
    --------
    >>> uscc = "9152000071430580XT"
    >>> [identifier_level(c, uscc).name for c in
    ...  (uscc, "9152000071430580YT", "52038271430580X", "9152000071430581XT", "", "915200007143")]
    ['EXACT', 'NEAR', 'ORG', 'NEAR', 'MISSING', 'DIFFERENT']
    """
    if not code or not uscc:
        return IdLevel.MISSING
    if code == uscc:
        return IdLevel.EXACT
    if len(code) == len(uscc) and _near(code, uscc):
        return IdLevel.NEAR
    if org_code_of(code) == org_code_of(uscc):
        return IdLevel.ORG
    return IdLevel.DIFFERENT


def compare_identifier(code: str, uscc: str) -> FieldComparison:
    """:func:`identifier_level` with evidence.

    Examples
    --------
    >>> compare_identifier("52038271430580X", "9152000071430580XT").evidence
    'organisation code 71430580X in both'
    """
    level = identifier_level(code, uscc)
    text = {
        IdLevel.MISSING: "no comparable code",
        IdLevel.DIFFERENT: f"codes differ: {code} / {uscc}",
        IdLevel.PARENT: f"{code} is the parent's code",
        IdLevel.ORG: f"organisation code {org_code_of(code)} in both",
        IdLevel.NEAR: f"{code} is one typo from {uscc}",
        IdLevel.EXACT: f"same code {code}",
    }[level]
    return FieldComparison(level, text)


def near_codes(code: str) -> list[str]:
    """Every code one substitution or one swap of neighbours away (for typo look-ups).

    Examples
    --------
    >>> len(near_codes("9152000071430580XT"))
    554
    """
    out: list[str] = []
    for i, old in enumerate(code):
        head, tail = code[:i], code[i + 1 :]
        out.extend(head + ch + tail for ch in USCC_CHARSET if ch != old)
    for i in range(len(code) - 1):
        if code[i] != code[i + 1]:
            out.append(code[:i] + code[i + 1] + code[i] + code[i + 2 :])
    return out


# --- names -----------------------------------------------------------------------------------


class NameLevel(enum.IntEnum):
    """Agreement of two enterprise names (see :func:`linkage.normalize.parse_name`)."""

    MISSING = 0
    BRANCH_CONFLICT = 1  # hard: a branch and a non-branch, or two different branches
    DIFFERENT = 2
    WEAK = 3  # cores with Jaro-Winkler similarity >= NAME_WEAK
    SIMILAR = 4  # Jaro-Winkler >= NAME_SIMILAR, or one core is a place name + the other
    PINYIN = 5  # same pinyin of the core: a homophone typo (鑫源 / 新源)
    CORE = 6  # same core, but group flag or organisation form differ
    EXACT = 7  # same entity key (core, group, branch) and compatible forms


# Forms that name the same kind of entity; COMPANY (bare 公司) and NONE go with anything.
_LOOSE_FORMS = frozenset({OrgForm.COMPANY.value, OrgForm.NONE.value})


def _forms_compatible(a: str, b: str) -> bool:
    return a == b or a in _LOOSE_FORMS or b in _LOOSE_FORMS


def _place_prefixed(x: str, y: str) -> bool:
    """One core is the other after a place name: a trade name that starts like a county
    (长顺思 in 都匀市长顺思造纸) is read as a place when nothing precedes it (长顺思造纸)."""
    short, long = (x, y) if len(x) < len(y) else (y, x)
    if len(short) < 2 or len(short) == len(long) or not long.endswith(short):
        return False
    return load_gazetteer().lookup(long[: len(long) - len(short)]) is not None


def name_level(a: Profile, b: Profile) -> NameLevel:
    """Compare the names of two profiles.

    Examples
    --------
    >>> name_level(profile("贵州鑫源化工有限公司"), profile("鑫源化工有限责任公司")).name
    'EXACT'
    >>> name_level(profile("鑫源化工有限公司"), profile("新源化工有限公司")).name
    'PINYIN'
    >>> name_level(profile("鑫源化工有限公司"), profile("鑫源化工股份有限公司")).name
    'CORE'
    >>> name_level(profile("长顺思造纸有限公司"), profile("都匀市长顺思造纸有限公司")).name
    'SIMILAR'
    """
    if not a.core or not b.core:
        return NameLevel.MISSING
    if a.branch != b.branch:
        return NameLevel.BRANCH_CONFLICT
    if a.core == b.core:
        if a.group == b.group and _forms_compatible(a.form, b.form):
            return NameLevel.EXACT
        return NameLevel.CORE
    if a.pinyin == b.pinyin:
        return NameLevel.PINYIN
    similarity = JaroWinkler.normalized_similarity(a.core, b.core)
    if similarity >= NAME_SIMILAR or _place_prefixed(a.core, b.core):
        return NameLevel.SIMILAR
    if similarity >= NAME_WEAK:
        return NameLevel.WEAK
    return NameLevel.DIFFERENT


def compare_name(a: Profile, b: Profile) -> FieldComparison:
    """:func:`name_level` with evidence.

    Examples
    --------
    >>> compare_name(profile("鑫源化工有限公司"), profile("新源化工有限公司")).evidence
    'same pinyin xinyuanhuagong: 鑫源化工 / 新源化工'
    """
    level = name_level(a, b)
    if level is NameLevel.BRANCH_CONFLICT:
        if a.branch and b.branch:
            text = f"different branches of {a.core}: {a.branch} / {b.branch}"
        else:
            branch, plain = (a, b) if a.branch else (b, a)
            text = (
                f"branch conflict: {branch.core} branch {branch.branch} / non-branch {plain.core}"
            )
        return FieldComparison(level, text)
    detail = {
        NameLevel.MISSING: "a name is missing",
        NameLevel.DIFFERENT: f"different cores {a.core} / {b.core}",
        NameLevel.EXACT: f"same entity {a.core}" + (f" ({a.branch})" if a.branch else ""),
        NameLevel.CORE: f"same core {a.core}, forms differ: {_form(a)} / {_form(b)}",
        NameLevel.PINYIN: f"same pinyin {a.pinyin}: {a.core} / {b.core}",
    }.get(level)
    if detail is None and _place_prefixed(a.core, b.core):
        detail = f"one core is the other after a place name: {a.core} / {b.core}"
    if detail is None:
        similarity = JaroWinkler.normalized_similarity(a.core, b.core)
        detail = f"similar cores {similarity:.2f}: {a.core} / {b.core}"
    return FieldComparison(level, detail)


def _form(p: Profile) -> str:
    return p.form + ("+group" if p.group else "")


# --- places ----------------------------------------------------------------------------------


class PlaceLevel(enum.IntEnum):
    """Agreement of the places named in the names and the addresses."""

    MISSING = 0  # no level present on both sides
    CONFLICT = 1  # a province, prefecture or county present on both sides differs
    PROVINCE = 2  # only the province agrees
    PREFECTURE = 3
    COUNTY = 4


def _place_pairs(a: Profile, b: Profile) -> tuple[tuple[str | None, str | None], ...]:
    # County, prefecture, province of the names, then of the addresses: most specific first.
    return (
        (a.name_county, b.name_county),
        (a.addr_county, b.addr_county),
        (a.name_prefecture, b.name_prefecture),
        (a.addr_prefecture, b.addr_prefecture),
        (a.name_province, b.name_province),
        (a.addr_province, b.addr_province),
    )


_PLACE_DEPTH = (PlaceLevel.COUNTY, PlaceLevel.COUNTY, PlaceLevel.PREFECTURE,
                PlaceLevel.PREFECTURE, PlaceLevel.PROVINCE, PlaceLevel.PROVINCE)  # fmt: skip


def place_level(a: Profile, b: Profile) -> PlaceLevel:
    """Compare places name with name and address with address, most specific first.

    A name's place is the registering authority's (贵州省, 遵义市 ...), an address's where
    the enterprise is, so the two are not compared with each other.

    Examples
    --------
    >>> a = profile("遵义市鑫源化工有限公司", address="贵州省遵义市仁怀市茅台镇1号")
    >>> place_level(a, profile("鑫源化工有限公司", address="仁怀市茅台镇1号")).name
    'COUNTY'
    >>> place_level(a, profile("贵阳市鑫源化工有限公司")).name
    'CONFLICT'
    >>> place_level(a, profile("鑫源化工有限公司")).name
    'MISSING'
    """
    best = PlaceLevel.MISSING
    for (x, y), depth in zip(_place_pairs(a, b), _PLACE_DEPTH, strict=True):
        if x is None or y is None:
            continue
        if x != y:
            return PlaceLevel.CONFLICT
        if depth > best:
            best = depth
    return best


def compare_place(a: Profile, b: Profile) -> FieldComparison:
    """:func:`place_level` with evidence.

    Examples
    --------
    >>> compare_place(profile("遵义市鑫源化工有限公司"), profile("贵阳市鑫源化工有限公司")).evidence
    'places differ: 520300 / 520100'
    """
    level = place_level(a, b)
    pairs = _place_pairs(a, b)
    if level is PlaceLevel.CONFLICT:
        x, y = next((x, y) for x, y in pairs if x is not None and y is not None and x != y)
        return FieldComparison(level, f"places differ: {x} / {y}")
    if level is PlaceLevel.MISSING:
        return FieldComparison(level, "no place on both sides")
    code = next(x for (x, y), d in zip(pairs, _PLACE_DEPTH, strict=True) if d == level and x == y)
    return FieldComparison(level, f"same {level.name.lower()} {code}")


# --- legal representatives -------------------------------------------------------------------


class RepLevel(enum.IntEnum):
    """Agreement of the legal representatives (法定代表人)."""

    MISSING = 0
    DIFFERENT = 1
    PINYIN = 2  # homophone: same pinyin, other characters
    EXACT = 3


def rep_level(a: Profile, b: Profile) -> RepLevel:
    """Compare the legal representatives.

    Examples
    --------
    >>> rep_level(profile("甲", "張偉"), profile("乙", "张伟")).name
    'EXACT'
    >>> rep_level(profile("甲", "张伟"), profile("乙", "张玮")).name
    'PINYIN'
    """
    if not a.rep or not b.rep:
        return RepLevel.MISSING
    if a.rep == b.rep:
        return RepLevel.EXACT
    if a.rep_pinyin == b.rep_pinyin:
        return RepLevel.PINYIN
    return RepLevel.DIFFERENT


def compare_rep(a: Profile, b: Profile) -> FieldComparison:
    """:func:`rep_level` with evidence."""
    level = rep_level(a, b)
    text = {
        RepLevel.MISSING: "a legal representative is missing",
        RepLevel.DIFFERENT: f"different legal representatives {a.rep} / {b.rep}",
        RepLevel.PINYIN: f"same pinyin {a.rep_pinyin}: {a.rep} / {b.rep}",
        RepLevel.EXACT: f"same legal representative {a.rep}",
    }[level]
    return FieldComparison(level, text)


# --- addresses -------------------------------------------------------------------------------


class AddressLevel(enum.IntEnum):
    """Agreement of the address rests (the address after its places)."""

    MISSING = 0
    DIFFERENT = 1
    WEAK = 2  # Indel similarity >= ADDRESS_WEAK
    SIMILAR = 3  # Indel similarity >= ADDRESS_SIMILAR
    EXACT = 4  # equal, or one ends the other (a town left out)


def address_level(a: Profile, b: Profile) -> AddressLevel:
    """Compare the address rests.

    Examples
    --------
    >>> x = profile("甲", address="仁怀市茅台镇学府大道254号")
    >>> address_level(x, profile("乙", address="遵义仁怀学府大道254号")).name
    'EXACT'
    >>> address_level(x, profile("乙", address="仁怀市茅台镇学府大道25号")).name
    'SIMILAR'
    """
    x, y = a.addr_rest, b.addr_rest
    if not x or not y:
        return AddressLevel.MISSING
    if x == y:
        return AddressLevel.EXACT
    short, long = (x, y) if len(x) < len(y) else (y, x)
    if len(short) >= _ADDRESS_SUFFIX_MIN and long.endswith(short):
        return AddressLevel.EXACT
    similarity = Indel.normalized_similarity(x, y)
    if similarity >= ADDRESS_SIMILAR:
        return AddressLevel.SIMILAR
    if similarity >= ADDRESS_WEAK:
        return AddressLevel.WEAK
    return AddressLevel.DIFFERENT


def compare_address(a: Profile, b: Profile) -> FieldComparison:
    """:func:`address_level` with evidence."""
    level = address_level(a, b)
    if level is AddressLevel.MISSING:
        return FieldComparison(level, "an address is missing")
    if level is AddressLevel.EXACT:
        return FieldComparison(level, f"same address {max(a.addr_rest, b.addr_rest, key=len)}")
    similarity = Indel.normalized_similarity(a.addr_rest, b.addr_rest)
    return FieldComparison(level, f"addresses {similarity:.2f}: {a.addr_rest} / {b.addr_rest}")


# --- phones ----------------------------------------------------------------------------------


class PhoneLevel(enum.IntEnum):
    """Whether the two records share a phone number."""

    MISSING = 0
    DIFFERENT = 1
    SHARED_COMMON = 2  # a shared number that many registry records have (an agency's)
    SHARED = 3


def phone_level(a: Profile, b: Profile, common: Container[str] = ()) -> PhoneLevel:
    """Compare the phone numbers; `common` holds numbers too widespread to identify.

    Examples
    --------
    >>> x = profile("甲", phone="0851-86812345 / 13808512345")
    >>> phone_level(x, profile("乙", phone="138 0851 2345")).name
    'SHARED'
    >>> phone_level(x, profile("乙", phone="13808512345"), common={"13808512345"}).name
    'SHARED_COMMON'
    """
    if not a.phones or not b.phones:
        return PhoneLevel.MISSING
    shared = [n for n in a.phones if n in b.phones]
    if not shared:
        return PhoneLevel.DIFFERENT
    if all(n in common for n in shared):
        return PhoneLevel.SHARED_COMMON
    return PhoneLevel.SHARED


def compare_phone(a: Profile, b: Profile, common: Container[str] = ()) -> FieldComparison:
    """:func:`phone_level` with evidence."""
    level = phone_level(a, b, common)
    shared = [n for n in a.phones if n in b.phones]
    text = {
        PhoneLevel.MISSING: "a phone number is missing",
        PhoneLevel.DIFFERENT: f"no shared phone: {'/'.join(a.phones)} / {'/'.join(b.phones)}",
        PhoneLevel.SHARED_COMMON: f"shared common phone {'/'.join(shared)}",
        PhoneLevel.SHARED: f"shared phone {'/'.join(shared)}",
    }[level]
    return FieldComparison(level, text)


# --- all fields ------------------------------------------------------------------------------

# The compared fields in pattern order, with their level enums.
FIELDS: tuple[tuple[str, type[enum.IntEnum]], ...] = (
    ("identifier", IdLevel),
    ("name", NameLevel),
    ("place", PlaceLevel),
    ("legal_rep", RepLevel),
    ("address", AddressLevel),
    ("phone", PhoneLevel),
)


def compare_levels(
    a: Profile,
    b: Profile,
    *,
    code: str = "",
    uscc: str = "",
    common_phones: Container[str] = (),
) -> tuple[enum.IntEnum, ...]:
    """Every field's level, in :data:`FIELDS` order (`code` vs `uscc` for the identifier)."""
    return (
        identifier_level(code, uscc),
        name_level(a, b),
        place_level(a, b),
        rep_level(a, b),
        address_level(a, b),
        phone_level(a, b, common_phones),
    )


def explain(
    a: Profile,
    b: Profile,
    *,
    code: str = "",
    uscc: str = "",
    common_phones: Container[str] = (),
) -> tuple[FieldComparison, ...]:
    """Every field's comparison with evidence, in :data:`FIELDS` order.

    Examples
    --------
    >>> for c in explain(profile("鑫源化工有限公司", "张三"), profile("新源化工有限公司", "张三")):
    ...     print(c.level.name, c.evidence)
    MISSING no comparable code
    PINYIN same pinyin xinyuanhuagong: 鑫源化工 / 新源化工
    MISSING no place on both sides
    EXACT same legal representative 张三
    MISSING an address is missing
    MISSING a phone number is missing
    """
    return (
        compare_identifier(code, uscc),
        compare_name(a, b),
        compare_place(a, b),
        compare_rep(a, b),
        compare_address(a, b),
        compare_phone(a, b, common_phones),
    )
