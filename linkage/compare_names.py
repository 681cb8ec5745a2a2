"""Name comparator: the agreement levels of two enterprise names.

Part of the compare stage; :mod:`linkage.compare` re-exports every public name. Names are
compared through their parsed parts (:func:`linkage.normalize.parse_name`) held in a
:class:`linkage.profiles.Profile`.
"""

from __future__ import annotations

import enum

from rapidfuzz.distance import JaroWinkler

from linkage.normalize import OrgForm
from linkage.places import load_gazetteer
from linkage.profiles import FieldComparison, Profile

__all__ = ["NAME_SIMILAR", "NAME_WEAK", "NameLevel", "compare_name", "name_level"]

# Jaro-Winkler similarity of two cores (trade name + industry) for the fuzzy name levels.
# One wrong character in a four-character core scores 0.85-0.88; another trade name with the
# same industry (宏达化工 / 宏远化工) scores 0.85 too, so the fuzzy levels are weak evidence
# whose weight the model learns.
NAME_SIMILAR = 0.9
NAME_WEAK = 0.8


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
    >>> from linkage.profiles import profile
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
    >>> from linkage.profiles import profile
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
