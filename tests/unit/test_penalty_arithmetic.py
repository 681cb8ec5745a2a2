"""The late-surcharge arithmetic of the money ledger (pure: no app, no database).

行政处罚法 art. 72: 3 % of the unpaid fine a day; 行政强制法 art. 45 ¶2: at most the amount
overdue; 行政处罚法 art. 73 and art. 66: reconsideration, suit and approved arrangements excluded.
"""

from __future__ import annotations

from datetime import date

import pytest

from casemgr.services.surcharges import cny, surcharge_to_date

D = date.fromisoformat
DUE = D("2026-05-07")
FINE = 1_000_000  # 10,000 CNY: 3 % a day = 30,000 cents


@pytest.mark.parametrize(
    ("payments", "as_of", "excluded", "expected"),
    [
        ([], "2026-05-07", [], (0, 0)),  # the due day itself is in time
        ([], "2026-05-01", [], (0, 0)),  # before the due day
        ([], "2026-05-08", [], (1, 30_000)),
        ([], "2026-05-17", [], (10, 300_000)),
        ([], "2026-06-09", [], (33, 990_000)),
        ([], "2026-06-10", [], (34, FINE)),  # 102 %: capped at the fine
        ([], "2026-06-16", [], (40, FINE)),
        ([("2026-05-07", FINE)], "2026-12-31", [], (0, 0)),  # paid on the due day
        ([("2026-05-08", FINE)], "2026-12-31", [], (1, 30_000)),  # a day late
        ([("2026-05-06", 400_000)], "2026-05-17", [], (10, 180_000)),  # 3 % of 6,000 CNY
        ([("2026-05-06", 400_000)], "2026-06-16", [], (40, 600_000)),  # cap: the 6,000 overdue
        # Late part payment: 10 days on 10,000 CNY, then 10 days on 5,000 CNY.
        ([("2026-05-17", 500_000)], "2026-05-27", [], (20, 450_000)),
        # Payments are taken in date order whatever order they come in.
        ([("2026-05-27", 500_000), ("2026-05-17", 500_000)], "2026-12-31", [], (20, 450_000)),
        # Reconsideration 05-10 .. 05-19 (10 days) inside 20 late days.
        ([], "2026-05-27", [("2026-05-10", "2026-05-19")], (10, 300_000)),
        # Overlapping spans are not subtracted twice.
        (
            [],
            "2026-05-27",
            [("2026-05-10", "2026-05-19"), ("2026-05-15", "2026-05-21")],
            (8, 240_000),
        ),
        # A span covering the whole delay.
        ([], "2026-05-27", [("2026-05-01", "2026-06-30")], (0, 0)),
        # A running stop reported up to as_of.
        ([], "2026-05-27", [("2026-05-18", "2026-05-27")], (10, 300_000)),
    ],
)
def test_surcharge_is_3_percent_a_day_on_the_unpaid_fine(payments, as_of, excluded, expected):
    pays = [(D(d), a) for d, a in payments]
    spans = [(D(a), D(b)) for a, b in excluded]
    assert surcharge_to_date(FINE, DUE, pays, as_of=D(as_of), excluded=spans) == expected


def test_surcharge_rounds_down_to_whole_cents():
    assert surcharge_to_date(101, DUE, [], as_of=D("2026-05-08")) == (1, 3)


def test_an_overpaid_fine_accrues_nothing_more():
    pays = [(D("2026-05-09"), FINE + 5)]
    assert surcharge_to_date(FINE, DUE, pays, as_of=D("2026-06-30")) == (2, 60_000)


@pytest.mark.parametrize(
    ("cents", "text"),
    [(0, "0.00"), (5, "0.05"), (123_456, "1,234.56"), (1_000_000, "10,000.00"), (-5, "-0.05")],
)
def test_cny_formats_cents_for_messages(cents, text):
    assert cny(cents) == text
