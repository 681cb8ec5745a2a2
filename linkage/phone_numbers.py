"""Phone numbers of contact fields (联系电话): every valid number in canonical form.

Part of the normalise stage; :mod:`linkage.normalize` re-exports :func:`phones` and
:func:`clean_phone`.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["clean_phone", "phones"]

_PHONE_SEPARATORS = re.compile(r"[/;、,|\\]|或|及|和")
# 2014-12-20: Zunyi (0852) and Anshun (0853) joined Guiyang's 0851 and every local number
# gained a leading digit: Guiyang 8, Zunyi 2, Anshun 3 (xzqh.info; xnnu.com/133054).
_GUIZHOU_UPGRADE = {"0851": "8", "0852": "2", "0853": "3"}


def _phone_number(digits: str, default_area_code: str | None) -> str | None:
    """Canonical form of one candidate digit string, or None."""
    if len(digits) == 11 and digits[0] == "1" and digits[1] in "3456789":
        return digits  # mobile
    if len(digits) == 12 and digits[:2] == "01" and digits[2] in "3456789":
        return digits[1:]  # mobile dialled with a trunk 0
    if len(digits) == 10 and digits[:3] in ("400", "800"):
        return digits  # national service number
    if digits[:1] == "0" and len(digits) > 1:
        area_len = 3 if digits[1] in "12" else 4  # 010, 02X; otherwise 0XXX
        area, local = digits[:area_len], digits[area_len:]
        if not local or local[0] in "01" or len(local) not in ((8,) if area_len == 3 else (7, 8)):
            return None
        if area in _GUIZHOU_UPGRADE:
            local = (_GUIZHOU_UPGRADE[area] if len(local) == 7 else "") + local
            area = "0851"
        return area + local
    if default_area_code and len(digits) in (7, 8) and digits[0] not in "01":
        return _phone_number(default_area_code + digits, None)
    return None


def _candidate(digits: str, default_area_code: str | None) -> str | None:
    tries = [digits]
    if digits.startswith("0086"):
        tries.append(digits[4:])
    elif digits.startswith("86"):
        tries += [digits[2:], "0" + digits[2:]]  # +86 851 ... drops the trunk 0
    return next((n for t in tries if (n := _phone_number(t, default_area_code))), None)


def phones(text: str, *, default_area_code: str | None = None) -> list[str]:
    """Extract every valid phone number from a contact field.

    Numbers may be separated by / ; 、 , | 或 及 和 or by spaces; hyphens, spaces, brackets and
    a +86 / 0086 / 86 country prefix are ignored, and extensions (转 8001) dropped. Mobiles
    are 11 digits starting 13-19; landlines are area code + local number without a hyphen;
    old Guiyang, Zunyi (0852) and Anshun (0853) 7-digit numbers are upgraded to today's
    0851 8-digit form, so records from before and after 2014 compare equal.

    Parameters
    ----------
    text : str
        The contact field.
    default_area_code : str, optional
        Area code (with its 0) for 7-8 digit local numbers; without it they are dropped.

    Returns
    -------
    list of str
        Canonical numbers, deduplicated, in order of appearance.

    Examples
    --------
    >>> phones("+86 138-0851-2345 / 0851-86812345转8001；(0852)2345678")
    ['13808512345', '085186812345', '085122345678']
    """
    found: list[str] = []
    for chunk in _PHONE_SEPARATORS.split(unicodedata.normalize("NFKC", text)):
        groups = re.findall("[0-9]+", chunk)
        i = 0
        while i < len(groups):
            best: tuple[int, str] | None = None
            digits = ""
            for j in range(i, min(i + 5, len(groups))):
                digits += groups[j]
                if len(digits) > 16:
                    break
                if number := _candidate(digits, default_area_code):
                    best = (j, number)  # the longest valid join wins: 0851 8681 2345
            if best is None:
                i += 1
                continue
            if best[1] not in found:
                found.append(best[1])
            i = best[0] + 1
    return found


def clean_phone(text: str, *, default_area_code: str | None = None) -> str | None:
    """Return the first valid phone number of a contact field (see :func:`phones`), or None.

    Examples
    --------
    >>> clean_phone("０８５１－８６８１２３４５"), clean_phone("无"), clean_phone("12345")
    ('085186812345', None, None)
    """
    numbers = phones(text, default_area_code=default_area_code)
    return numbers[0] if numbers else None
