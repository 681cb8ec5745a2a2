"""Field comparators: discrete agreement levels, with a short evidence string, per field.

The compare stage of linkage (normalise → block → *compare* → classify). A record is first
reduced to a :class:`Profile` (:func:`profile`), a compact tuple of normalised values; two
profiles are then compared field by field. Each comparator returns an :class:`enum.IntEnum`
level whose value 0 is ``MISSING``: a value absent on either side is no evidence either way
(its weight is zero in :mod:`linkage.fellegi_sunter`). Higher values mean stronger agreement,
except the hard ``BRANCH_CONFLICT`` of names, which the pipeline never links.

Two APIs per field: ``*_level(a, b)`` returns the level only (the bulk path, a few
microseconds), ``compare_*(a, b)`` returns a :class:`FieldComparison` with the evidence.

Profiles live in :mod:`linkage.profiles`, the identifier comparator in
:mod:`linkage.compare_ids`, the name comparator in :mod:`linkage.compare_names`; this
module re-exports them and holds the other fields.

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
from collections.abc import Container

from rapidfuzz.distance import Indel

from linkage.compare_ids import (
    IdLevel,
    compare_identifier,
    identifier_level,
    near_codes,
    org_code_of,
)
from linkage.compare_names import NAME_SIMILAR as NAME_SIMILAR
from linkage.compare_names import NAME_WEAK as NAME_WEAK
from linkage.compare_names import NameLevel, compare_name, name_level
from linkage.profiles import FieldComparison, Profile, profile

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

# Indel similarity (rapidfuzz ratio / 100) of two address rests.
ADDRESS_SIMILAR = 0.8
ADDRESS_WEAK = 0.6
# A shorter rest that ends the longer one (town dropped: 学府大道254号) must be this long.
_ADDRESS_SUFFIX_MIN = 4


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
_PLACE_SLOTS = tuple(zip((Profile._fields.index(f) for f in (
    "name_county", "addr_county", "name_prefecture", "addr_prefecture", "name_province",
    "addr_province")), _PLACE_DEPTH, strict=True))  # fmt: skip


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
    # Hot (every compared pair): the profile's tuple slots in _place_pairs order, and no
    # pair tuples. The depths fall along that order, so the first pair present gives it.
    best = PlaceLevel.MISSING
    for i, depth in _PLACE_SLOTS:
        x, y = a[i], b[i]
        if x is None or y is None:
            continue
        if x != y:
            return PlaceLevel.CONFLICT
        if best is PlaceLevel.MISSING:
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
