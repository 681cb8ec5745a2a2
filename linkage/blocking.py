"""Candidate generation (blocking) that keeps the number of compared pairs near-linear.

The block stage of linkage (normalise → *block* → compare → classify). Registry records are
indexed once; each tax or enforcement record then asks for its candidates:

1. by identifier: the USCC itself, the organisation code (USCC positions 9-17, a legacy tax
   id's last nine characters), a registration number when the registry has them, and, for a
   code failing its check, every code one typo away (:func:`linkage.compare.near_codes`);
2. by name: the same core, the same pinyin of the core (homophone typos), the first
   characters of the core in the same county, and the legal representative's pinyin in the
   same prefecture.

A name block larger than :attr:`BlockingConfig.max_block` is narrowed to the record's
prefecture, then county; one still too large (or too large to narrow) is skipped and counted
in :attr:`BlockIndex.skipped`, so very common cores cannot make the work quadratic.

Examples
--------
>>> from linkage.compare import profile
>>> index = BlockIndex([profile("遵义市鑫源化工有限公司", "张三"), profile("贵阳宏达建材有限公司")])
>>> index.add_code(0, "9152030071430580XT")
>>> index.candidates(profile("新源化工有限公司"))
[0]
>>> index.by_code("52038271430580X")
[0]
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

from linkage.compare import Profile, org_code_of
from linkage.compare_ids import substituted_codes, swapped_codes
from linkage.identifiers import USCC_CHARSET, uscc_check_fixes, uscc_check_is_right

__all__ = ["BlockIndex", "BlockingConfig", "KeyKind", "block_keys"]


class KeyKind(enum.IntEnum):
    """The name-based blocking keys, in the order they are tried."""

    CORE = 0  # the core (trade name + industry)
    PINYIN = 1  # the pinyin of the core
    PREFIX_COUNTY = 2  # the first characters of the core + the county
    REP_PREFECTURE = 3  # the legal representative's pinyin + the prefecture


@dataclass(frozen=True)
class BlockingConfig:
    """Limits of the blocking stage.

    Attributes
    ----------
    max_block : int
        A name block with more registry records is narrowed by place.
    hard_max_block : int
        A name block with more records is skipped without narrowing (bounds the work).
    prefix_length : int
        Characters of the core in the :attr:`KeyKind.PREFIX_COUNTY` key.
    near_codes : bool
        Look up every code one typo away from a code failing its check.
    """

    max_block: int = 40
    hard_max_block: int = 5000
    prefix_length: int = 2
    near_codes: bool = True


def block_keys(p: Profile, prefix_length: int = 2) -> tuple[object | None, ...]:
    """The name keys of a profile in :class:`KeyKind` order; None where a value is missing.

    Examples
    --------
    >>> from linkage.compare import profile
    >>> block_keys(profile("遵义市鑫源化工有限公司", "张三", "仁怀市茅台镇1号"))[:2]
    ('鑫源化工', 'xinyuanhuagong')
    """
    county, prefecture = p.county, p.prefecture
    core_prefix = p.core[:prefix_length] if len(p.core) > prefix_length else None
    return (
        p.core or None,
        p.pinyin or None,
        hash((core_prefix, county)) if core_prefix and county else None,
        hash((p.rep_pinyin, prefecture)) if p.rep_pinyin and prefecture else None,
    )


Members = int | list[int]
K = TypeVar("K")


def _append(index: dict[K, Members], key: K, value: int) -> None:
    found = index.get(key)
    if found is None:
        index[key] = value
    elif isinstance(found, int):
        index[key] = [found, value]
    else:
        found.append(value)


def _members(found: Members | None) -> list[int]:
    if found is None:
        return []
    return [found] if isinstance(found, int) else found


# Up to this many registry codes with a wrong check character are compared one by one.
_FEW_UNCHECKED = 16


def _one_substitution(code: str, other: str) -> bool:
    """`other` is `code` with one character replaced by one of the USCC charset."""
    if len(other) != len(code):
        return False
    differ = [i for i, (a, b) in enumerate(zip(code, other, strict=True)) if a != b]
    return len(differ) == 1 and other[differ[0]] in USCC_CHARSET


class BlockIndex:
    """Index of registry records by identifier and by name keys.

    Parameters
    ----------
    profiles : sequence of Profile
        The registry profiles; record ``i`` is ``profiles[i]``. More may be appended to the
        sequence later and indexed with :meth:`add`.
    config : BlockingConfig, optional

    Attributes
    ----------
    skipped : list of int
        Per :class:`KeyKind`, how many look-ups found a block too large even after narrowing.
    """

    def __init__(self, profiles: Sequence[Profile], config: BlockingConfig | None = None) -> None:
        self.profiles = profiles
        self.config = config or BlockingConfig()
        self._codes: dict[str, Members] = {}  # USCC and registration number -> records
        self._orgs: dict[str, Members] = {}  # organisation code -> records
        # 18-character codes whose check character is wrong (rare in a registry), which the
        # typo look-up cannot find by the check character: found at its first call (in the
        # worker processes, not in the process that reads the registry), then kept up to date.
        self._unchecked: dict[str, Members] | None = None
        self._keys: tuple[dict[object, Members], ...] = tuple({} for _ in KeyKind)
        self.skipped = [0] * len(KeyKind)
        for i in range(len(profiles)):
            self.add(i)

    def add(self, i: int) -> None:
        """Index the name keys of record `i` (already in :attr:`profiles`)."""
        for index, key in zip(self._keys, block_keys(self.profiles[i], self.config.prefix_length),
                              strict=True):  # fmt: skip
            if key is not None:
                _append(index, key, i)

    def add_code(self, i: int, uscc: str, regno: str = "") -> None:
        """Index record `i` under its USCC (normalised), its organisation code and `regno`."""
        for code in filter(None, (uscc, regno)):
            _append(self._codes, code, i)
            if self._unchecked is not None and len(code) == 18 and not uscc_check_is_right(code):
                _append(self._unchecked, code, i)
        if uscc and (org := org_code_of(uscc)) is not None:
            _append(self._orgs, org, i)

    def exact(self, code: str) -> list[int]:
        """Records whose USCC (or registration number) is `code`."""
        return list(_members(self._codes.get(code)))

    def by_code(self, code: str) -> list[int]:
        """Records whose USCC (or registration number) is `code`, else by organisation code."""
        return self.exact(code) or self.by_org(code)

    def by_org(self, code: str) -> list[int]:
        """Records sharing the organisation code of `code` (a USCC or a legacy tax id)."""
        org = org_code_of(code)
        return list(_members(self._orgs.get(org))) if org else []

    def by_near_code(self, code: str) -> list[int]:
        """Records whose USCC is one typo from `code` (see :func:`linkage.compare.near_codes`).

        A typo is one substitution by a character of the USCC charset, or one swap of
        neighbours. Of the 540 substitutions only those the check character allows can be a
        registry code whose check character is right (:func:`uscc_check_fixes`, at most
        18); the registry codes whose check character is wrong are compared apart.
        """
        if not self.config.near_codes or len(code) != 18:
            return []
        found: list[int] = []
        codes = self._codes
        for near in (*uscc_check_fixes(code), *swapped_codes(code)):
            if (hit := codes.get(near)) is not None:
                found.extend(_members(hit))
        unchecked = self._unchecked
        if unchecked is None:
            unchecked = self._unchecked = {
                known: list(members) if isinstance(members, list) else members
                for known, members in self._codes.items()
                if len(known) == 18 and not uscc_check_is_right(known)
            }
        if len(unchecked) <= _FEW_UNCHECKED:
            for other, hit in unchecked.items():
                if _one_substitution(code, other):
                    found.extend(_members(hit))
        else:
            for near in substituted_codes(code):
                if (hit := unchecked.get(near)) is not None:
                    found.extend(_members(hit))
        return found

    def block(self, kind: KeyKind, key: object, p: Profile) -> list[int]:
        """Registry records in the block of `key`, narrowed by the place of `p` if too large."""
        members = _members(self._keys[kind].get(key))
        limit = self.config.max_block
        if len(members) <= limit:
            return members
        if len(members) > self.config.hard_max_block:
            self.skipped[kind] += 1
            return []
        profiles = self.profiles
        for attribute in ("prefecture", "county"):
            place = getattr(p, attribute)
            if place is None:
                break
            members = [i for i in members if getattr(profiles[i], attribute) == place]
            if len(members) <= limit:
                return members
        self.skipped[kind] += 1
        return []

    def candidates(self, p: Profile, kinds: Iterable[KeyKind] = tuple(KeyKind)) -> list[int]:
        """Registry records sharing a name key with `p`, sorted, without duplicates."""
        keys = block_keys(p, self.config.prefix_length)
        found: set[int] = set()
        for kind in kinds:
            if (key := keys[kind]) is not None:
                found.update(self.block(kind, key, p))
        return sorted(found)

    def block_sizes(self, kind: KeyKind) -> list[int]:
        """Sizes of the blocks of one key kind (for reports and tests)."""
        return [1 if isinstance(m, int) else len(m) for m in self._keys[kind].values()]

    def keys(self, kind: KeyKind) -> Mapping[object, Members]:
        """The blocks of one key kind: key -> a record (int) or the records (list of int)."""
        return self._keys[kind]

    def count(self, kind: KeyKind, key: object) -> int:
        """How many registry records have this key (0 if none)."""
        found = self._keys[kind].get(key)
        return 0 if found is None else 1 if isinstance(found, int) else len(found)
