"""Resolving tax and enforcement records against the indexed registry, a chunk at a time.

The record stage of :class:`linkage.linker.Linker` (normalise → rules → block → compare):
:meth:`Resolver.resolve` takes a chunk of raw records and returns a :class:`Resolved` of
compact arrays (rule links, model records' candidate pairs as pattern codes, the patterns of
the random pairs asked for, counts for EM). It reads the registry (profiles, USCCs, index,
frequent phones) and never writes it, so the same code runs

* in the main process (``workers=0``), or
* in worker processes forked once the registry is indexed: copy-on-write, they share the
  index, the profiles and the normalised values without pickling them
  (:func:`resolve_in_worker`). The main process reads the rows, draws the random pairs and
  merges the chunks in input order, so the results are those of one process.

A raw value the registry has is not normalised again (see :meth:`Resolver.profiles`): a tax
record mostly repeats its registry record's name, address, legal representative or phone.
"""

from __future__ import annotations

import functools
import re
from array import array
from collections import Counter
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, NamedTuple, TypeVar, cast

from linkage.compare import (
    IdLevel,
    NameLevel,
    Profile,
    address_level,
    identifier_level,
    name_level,
    phone_level,
    place_level,
    rep_level,
)
from linkage.identifiers import (
    normalise_code,
    org_code_is_valid,
    regno15_is_valid,
    uscc_is_valid,
)
from linkage.linkdata import Rule
from linkage.profiles import (
    NO_ADDRESS,
    NO_NAME,
    NO_PERSON,
    AddressFields,
    NameFields,
    PersonFields,
    PhoneFields,
    address_fields,
    assemble,
    name_fields,
    person_fields,
    phone_fields,
)
from linkage.scoring import (
    _M_ADDR,
    _M_ID,
    _M_NAME,
    _M_PHONE,
    _M_PLACE,
    _M_REP,
    _PATTERN_BITS,
    _is_branch_conflict,
)

if TYPE_CHECKING:
    from linkage.linker import Linker

__all__ = [
    "RULES",
    "Chunk",
    "Memo",
    "Parts",
    "Resolved",
    "Resolver",
    "Values",
    "empty_memo",
    "normalise_values",
    "normalised",
    "resolve_in_worker",
    "wanted",
]

RULES = tuple(Rule)  # a rule link's rule, by its index in Resolved.rules
_RULE_INDEX = {rule: i for i, rule in enumerate(RULES)}
_MODEL = 255  # Resolved.rules: a model record
_CLEAN_CODE = re.compile("[0-9A-Z]*")

Values = tuple[list[str], list[str], list[str], list[str]]  # names, addresses, reps, phones
Parts = tuple[list[NameFields], list[AddressFields], list[PersonFields], list[PhoneFields]]
Memo = tuple[dict[str, NameFields | None], dict[str, AddressFields | None],
             dict[str, PersonFields | None], dict[str, PhoneFields | None]]  # fmt: skip
# Raw codes, raw values per field, and the random pairs asked for: (position, registry record).
Chunk = tuple[list[str], Values, list[tuple[int, int]]]

T = TypeVar("T")


def normalised(code: str) -> str:
    """:func:`linkage.identifiers.normalise_code`, skipped for codes already normal."""
    return code if _CLEAN_CODE.fullmatch(code) else normalise_code(code)


def empty_memo() -> Memo:
    """A memo knowing only the empty value of each field."""
    return {"": NO_NAME}, {"": NO_ADDRESS}, {"": NO_PERSON}, {"": ()}


def wanted(memo: dict[str, T | None], column: list[str]) -> list[str]:
    """The distinct values of `column` not in `memo`, now there as None (requested)."""
    found = [v for v in dict.fromkeys(column) if v not in memo]
    memo.update(dict.fromkeys(found))
    return found


def normalise_values(args: tuple[Values, str | None]) -> Parts:
    """Normalise distinct raw values, per field (the work sent to a worker process)."""
    (names, addresses, persons, phones), area = args
    return (
        [name_fields(v) for v in names],
        [address_fields(v) for v in addresses],
        [person_fields(v) for v in persons],
        [phone_fields(v, area) for v in phones],
    )


class Resolved(NamedTuple):
    """A chunk's records resolved, in input order (what a worker sends back).

    Attributes
    ----------
    targets : array of int
        Per record, the registry record of its rule link, or -1 for a model record.
    sizes : array of int
        Per record, the rule link's pattern code, or the model record's number of pairs.
    rules : bytes
        Per record, the index in :data:`RULES` of its rule, 255 for a model record.
    models : list of (str, Profile)
        Per model record, its comparable code and its profile.
    pairs : array of int
        The model records' pairs, ``candidate << 20 | pattern``, record after record.
    randoms : array of int
        The patterns of the random pairs asked for, in the order asked.
    matches : dict of int to int
        Rule links per pattern without its identifier level (labelled matches for EM), in
        order of first occurrence (EM sums in that order).
    compared, branch_conflicts : int
        Pairs compared (random pairs not included); candidates refused as branch conflicts.
    skipped : list of int
        Per blocking key kind, look-ups whose block was too large.
    """

    targets: array[int]
    sizes: array[int]
    rules: bytes
    models: list[tuple[str, Profile]]
    pairs: array[int]
    randoms: array[int]
    matches: dict[int, int]
    compared: int
    branch_conflicts: int
    skipped: list[int]


class Resolver:
    """Resolves chunks of records against a linker's registry (read only).

    Parameters
    ----------
    linker : Linker
        Its registry is read at each :meth:`resolve` (profiles, USCCs, index, frequent
        phones, the memo of the registry's normalised values).
    """

    def __init__(self, linker: Linker) -> None:
        self.linker = linker

    def profiles(self, values: Values) -> list[Profile]:
        """The profiles of a chunk's raw values, each distinct value normalised once.

        A value the registry has comes from the linker's memo; the others are normalised
        here and not kept: fewer than 1 % of them come back in a later chunk, and a memo of
        its own would grow a worker by hundreds of megabytes at a million records.
        """
        area = self.linker.config.default_area_code
        normalisers: tuple[Callable[[str], object], ...] = (
            name_fields, address_fields, person_fields,
            functools.partial(phone_fields, default_area_code=area),
        )  # fmt: skip
        parts: list[Iterable[object]] = []
        # One loop for the four fields: their parts differ in type, not in handling.
        memos = cast(tuple[dict[str, object], ...], self.linker._memo)
        for column, memo, normalise in zip(values, memos, normalisers, strict=True):
            found = {v: part if (part := memo.get(v)) is not None else normalise(v)
                     for v in dict.fromkeys(column)}  # fmt: skip
            parts.append(map(found.__getitem__, column))
        return list(map(assemble, *parts))

    def resolve(self, chunk: Chunk) -> Resolved:
        """Apply the rules, block and compare each record of `chunk`; see :class:`Resolved`."""
        codes, values, randoms = chunk
        linker = self.linker
        registry, usccs, index = linker.profiles, linker.usccs, linker.index
        common = linker.common_phones
        skipped_before = list(index.skipped)

        def pattern(p: Profile, c: int, code: str, parent_core: str | None = None) -> int:
            r = registry[c]
            ident = identifier_level(code, usccs[c])
            if ident is IdLevel.DIFFERENT and parent_core is not None and r.core == parent_core:
                ident = IdLevel.PARENT
            return (ident * _M_ID + name_level(p, r) * _M_NAME + place_level(p, r) * _M_PLACE
                    + rep_level(p, r) * _M_REP + address_level(p, r) * _M_ADDR
                    + phone_level(p, r, common) * _M_PHONE)  # fmt: skip

        targets, sizes, rules = array("q"), array("q"), bytearray()
        models: list[tuple[str, Profile]] = []
        pairs, random_patterns = array("q"), array("q")
        matches: Counter[int] = Counter()
        compared = conflicts = 0
        random_at = dict(randoms)
        for position, (raw, p) in enumerate(zip(codes, self.profiles(values), strict=True)):
            code, hits, rule = self.code_hits(raw)
            if (c := random_at.get(position)) is not None:
                random_patterns.append(pattern(p, c, code))
            parent_core = None
            if rule is not None and len(hits) == 1:
                target = registry[hits[0]]
                level = name_level(p, target)
                if level is NameLevel.BRANCH_CONFLICT:
                    if p.branch and not target.branch:  # a branch under its parent's code
                        parent_core = target.core
                elif level is not NameLevel.DIFFERENT:
                    found = pattern(p, hits[0], code)
                    targets.append(hits[0])
                    sizes.append(found)
                    rules.append(_RULE_INDEX[rule])
                    compared += 1
                    matches[found - found % _M_NAME] += 1  # identifier: no evidence
                    continue
            candidates = set(index.candidates(p))
            candidates.update(hits)
            if code:
                candidates.update(index.by_org(code))
                if len(code) == 18 and not uscc_is_valid(code):
                    candidates.update(index.by_near_code(code))
            start = len(pairs)
            for c in sorted(candidates):
                found = pattern(p, c, code, parent_core)
                compared += 1
                if _is_branch_conflict(found):  # hard rule: a branch never links to its parent
                    conflicts += 1
                    continue
                pairs.append(c << _PATTERN_BITS | found)
            targets.append(-1)
            sizes.append(len(pairs) - start)
            rules.append(_MODEL)
            models.append((code, p))
        # The index counts skipped blocks; the caller adds the chunk's counts (a worker's own
        # copy of the index is not the main process's), so the index is left as it was.
        skipped = [n - before for n, before in zip(index.skipped, skipped_before, strict=True)]
        index.skipped[:] = skipped_before
        return Resolved(targets, sizes, bytes(rules), models, pairs, random_patterns,
                        dict(matches), compared, conflicts, skipped)  # fmt: skip

    def code_hits(self, raw: str) -> tuple[str, list[int], Rule | None]:
        """The record's comparable code, the registry records it names, and the rule if any."""
        code = normalised(raw)
        index = self.linker.index
        if len(code) == 18:
            hits = index.exact(code)
            return code, hits, Rule.USCC if hits and uscc_is_valid(code) else None
        if len(code) == 15:
            org_valid = org_code_is_valid(code[6:])
            if org_valid and (hits := index.by_org(code)):
                return code, hits, Rule.LEGACY_TAX_ID
            if regno15_is_valid(code):  # a registration number: comparable with itself only
                hits = index.exact(code)
                return "", hits, Rule.REGNO if hits else None
            return (code if org_valid else ""), [], None
        return "", [], None


# The resolver of the linker whose worker processes are being forked: set in the main process
# just before the fork, so that each worker finds its copy (with the registry) here.
FORKED: Resolver | None = None


def resolve_in_worker(chunk: Chunk) -> Resolved:
    """:meth:`Resolver.resolve` with the resolver inherited at the fork (a worker's task)."""
    assert FORKED is not None, "the worker was not forked from a linker's process"
    return FORKED.resolve(chunk)
