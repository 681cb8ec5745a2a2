"""Late-surcharge arithmetic (加处罚款) of the money ledger: pure, over dates and cents.

No database: ``casemgr.services.penalties`` feeds it the fine, the due date, the fine payments
and the days that do not count.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta

from casemgr.legalclock import late_surcharge

__all__ = ["cny", "surcharge_to_date"]


def _merge(spans: Iterable[tuple[date, date]]) -> list[tuple[date, date]]:
    merged: list[tuple[date, date]] = []
    for a, b in sorted(s for s in spans if s[1] >= s[0]):
        if merged and a <= merged[-1][1] + timedelta(days=1):
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


def _overlap(first: date, last: date, spans: Sequence[tuple[date, date]]) -> int:
    return sum(
        max(0, (min(last, b) - max(first, a)).days + 1)
        for a, b in spans
        if a <= last and b >= first
    )


def surcharge_to_date(
    fine_cents: int,
    due_on: date,
    payments: Iterable[tuple[date, int]],
    *,
    as_of: date,
    excluded: Iterable[tuple[date, date]] = (),
) -> tuple[int, int]:
    """Days of delay counted and the late surcharge (加处罚款) accrued by ``as_of``, in cents.

    Each day after ``due_on`` up to ``as_of`` on which part of the fine is unpaid counts, unless
    it lies in an ``excluded`` span (both ends included): reconsideration or suit
    (行政处罚法 art. 73), an approved deferral or instalment plan (art. 66). A payment made on a
    day counts from the next day, so paying on the day after the limit is one day late. Each run
    of days with the same unpaid amount accrues :func:`casemgr.legalclock.late_surcharge` (3 % a
    day, art. 72); the total is capped at the amount that was overdue when the delay began
    (行政强制法 art. 45 ¶2: 不得超出金钱给付义务的数额), which is the whole fine when nothing
    was paid in time.

    Examples
    --------
    >>> d = date(2026, 5, 7)
    >>> surcharge_to_date(1_000_000, d, [], as_of=date(2026, 5, 17))  # 10 days × 3 % of 10,000
    (10, 300000)
    >>> surcharge_to_date(1_000_000, d, [(d, 400_000)], as_of=date(2026, 5, 17))  # on 6,000
    (10, 180000)
    >>> surcharge_to_date(1_000_000, d, [], as_of=date(2026, 6, 16))  # 40 days: capped
    (40, 1000000)
    """
    pays = sorted((p, a) for p, a in payments if a > 0)
    spans = _merge(excluded)
    start, stop = due_on + timedelta(days=1), as_of + timedelta(days=1)
    if stop <= start:
        return 0, 0
    points = sorted(
        {start, stop}
        | {p + timedelta(days=1) for p, _ in pays if start < p + timedelta(days=1) < stop}
    )
    days = total = 0
    cap: int | None = None
    for lo, hi in zip(points, points[1:], strict=False):
        unpaid = fine_cents - sum(a for p, a in pays if p < lo)
        if unpaid <= 0:
            break
        n = (hi - lo).days - _overlap(lo, hi - timedelta(days=1), spans)
        if n <= 0:
            continue
        cap = unpaid if cap is None else cap
        days += n
        total += late_surcharge(unpaid, n)
    return days, min(total, cap or 0)


def cny(cents: int) -> str:
    """Cents as a CNY amount for messages: ``cny(123456)`` → ``'1,234.56'``."""
    sign = "-" if cents < 0 else ""
    whole, part = divmod(abs(cents), 100)
    return f"{sign}{whole:,}.{part:02d}"
