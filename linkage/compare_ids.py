"""Identifier comparator: a record's USCC or legacy tax id against a registry USCC.

Part of the compare stage; :mod:`linkage.compare` re-exports every public name.
"""

from __future__ import annotations

import enum

from linkage.identifiers import USCC_CHARSET
from linkage.profiles import FieldComparison

__all__ = [
    "IdLevel", "compare_identifier", "identifier_level", "near_codes", "org_code_of",
    "substituted_codes", "swapped_codes",
]  # fmt: skip


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
    return substituted_codes(code) + swapped_codes(code)


def substituted_codes(code: str) -> list[str]:
    """Every code with one character replaced by another of the USCC charset.

    >>> len(substituted_codes("9152000071430580XT")), substituted_codes("9")[:3]
    (540, ['0', '1', '2'])
    """
    out: list[str] = []
    for i, old in enumerate(code):
        head, tail = code[:i], code[i + 1 :]
        out.extend(head + ch + tail for ch in USCC_CHARSET if ch != old)
    return out


def swapped_codes(code: str) -> list[str]:
    """Every code one swap of neighbouring (different) characters away.

    >>> swapped_codes("9152")
    ['1952', '9512', '9125']
    """
    return [code[:i] + code[i + 1] + code[i] + code[i + 2 :]
            for i in range(len(code) - 1) if code[i] != code[i + 1]]  # fmt: skip
