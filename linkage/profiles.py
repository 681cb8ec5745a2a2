"""Record profiles: a record's comparable fields, normalised once, compared many times.

Part of the compare stage (:mod:`linkage.compare`): a record is reduced to a :class:`Profile`
(:func:`profile`), a compact tuple of normalised values, and the comparators return a
:class:`FieldComparison` when they explain themselves.
"""

from __future__ import annotations

import enum
import functools
import re
from typing import NamedTuple

from linkage.normalize import (
    OrgForm,
    clean_address,
    clean_person,
    parse_name,
    phones,
    pinyin_key,
)
from linkage.places import Gazetteer

__all__ = [
    "AddressFields",
    "FieldComparison",
    "NameFields",
    "PersonFields",
    "PhoneFields",
    "Profile",
    "address_fields",
    "assemble",
    "name_fields",
    "person_fields",
    "phone_fields",
    "profile",
]


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


# A profile is assembled from four independent parts, one per raw field, so that a value
# seen before (a tax record usually repeats its registry record's name, address, legal
# representative or phone) is normalised once: see linkage.linker's per-value memo.
NameFields = tuple[str, str, str, bool, str, str | None, str | None, str | None]
AddressFields = tuple[str | None, str | None, str | None, str]
PersonFields = tuple[str, str]
PhoneFields = tuple[str, ...]
NO_NAME: NameFields = ("", "", OrgForm.NONE.value, False, "", None, None, None)
NO_ADDRESS: AddressFields = (None, None, None, "")
NO_PERSON: PersonFields = ("", "")


def name_fields(name: str, gazetteer: Gazetteer | None = None) -> NameFields:
    """The name's part of a :class:`Profile`: core, pinyin, form, group, branch, places."""
    if not name.strip():
        return NO_NAME
    parts = parse_name(name, gazetteer=gazetteer)
    branch = ""
    if parts.is_branch:
        branch = f"{parts.branch_place or ''}:{_branch_suffix(parts.branch_suffix or '')}"
    return (parts.core, parts.pinyin_core, parts.org_form.value, parts.is_group, branch,
            parts.province, parts.prefecture, parts.county)  # fmt: skip


def address_fields(address: str, gazetteer: Gazetteer | None = None) -> AddressFields:
    """The address's part of a :class:`Profile`: province, prefecture, county, rest."""
    if not address.strip():
        return NO_ADDRESS
    addr = clean_address(address, gazetteer=gazetteer)
    return addr.province, addr.prefecture, addr.county, addr.rest


@functools.lru_cache(maxsize=1 << 16)
def _person(name: str) -> PersonFields:
    """A legal representative's cleaned name and its pinyin; common names come back often."""
    rep = clean_person(name)
    return rep, pinyin_key(rep) if rep else ""


def person_fields(name: str) -> PersonFields:
    """The legal representative's part of a :class:`Profile`: cleaned name, pinyin."""
    return _person(name) if name else NO_PERSON


def phone_fields(phone: str, default_area_code: str | None = None) -> PhoneFields:
    """The phone's part of a :class:`Profile`: the canonical numbers."""
    return tuple(phones(phone, default_area_code=default_area_code)) if phone else ()


_new_tuple = tuple.__new__


def assemble(
    name: NameFields, address: AddressFields, person: PersonFields, phone: PhoneFields
) -> Profile:
    """The :class:`Profile` made of the four parts (as :func:`profile` makes it)."""
    # tuple.__new__ skips the generated 15-argument __new__ of the NamedTuple: one C call.
    return _new_tuple(Profile, (*name, *address, *person, phone))


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
    return assemble(
        name_fields(name, gazetteer),
        address_fields(address, gazetteer),
        person_fields(legal_rep),
        phone_fields(phone, default_area_code),
    )


class FieldComparison(NamedTuple):
    """A comparator's outcome: the level and a short English explanation."""

    level: enum.IntEnum
    evidence: str
