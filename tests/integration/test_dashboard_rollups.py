"""Dashboard rollups: read through them, every chart gives what the tables give, to the day,
for any date range and scope; they are figures as of their rebuild, which the dashboard says."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest

from casemgr.models.cases import Channel, DeadlineStateValue
from casemgr.models.penalties import PaymentKind
from casemgr.policy import Actor, Role
from casemgr.services import dashboard_rollups as rollups
from casemgr.services import dashboard_stats as stats
from casemgr.services.dashboard_stats import DashboardFilter, Scope
from tests.integration.test_dashboard_stats import (
    NANMING,
    RENHUAI,
    SCHEME,
    TODAY,
    make_case,
    make_deadline,
    pay,
)

HUAXI = "520111"  # 花溪区 (贵阳市)
COUNTIES = (RENHUAI, NANMING, HUAXI)
STATUSES = ("filed", "investigating", "decided", "enforcing", "closed", "withdrawn")
RULES = ("admin.decision", "admin.decision_service", "admin.fine_payment", "admin.hearing_notice")
DEADLINE_STATES = (DeadlineStateValue.OPEN, DeadlineStateValue.MISSED, DeadlineStateValue.MET)


@pytest.fixture(autouse=True)
def _fresh_past_tier_counts():
    """Past days' tier counts are kept per process; ids restart between tests."""
    stats.clear_tier_cache()


@pytest.fixture
def history(session):
    """Eighty cases over sixteen months and three counties, with decisions, fines, payments
    and deadlines of every state."""
    rng = random.Random(8)
    start = date(2024, 12, 1)
    for _ in range(80):
        lead = start + timedelta(days=rng.randrange((TODAY - start).days + 1))
        status = rng.choice(STATUSES)
        decided = lead + timedelta(days=rng.randrange(60)) if rng.random() < 0.6 else None
        if decided is not None and decided > TODAY:
            decided = TODAY
        criminal = rng.random() < 0.1
        case = make_case(
            session,
            rng.choice(COUNTIES),
            channel=Channel.CRIMINAL if criminal else Channel.ADMINISTRATIVE,
            track="criminal" if criminal else "administrative",
            status=status,
            lead=lead,
            decided_on=decided,
            fine_cents=rng.choice([None, 0, 50_000, 1_234_500]) if decided else None,
        )
        if decided is not None and rng.random() < 0.7:
            paid = min(decided + timedelta(days=rng.randrange(40)), TODAY)
            pay(session, case, rng.choice([10_000, 200_000]), paid)
            if rng.random() < 0.3:
                pay(session, case, 5_000, paid, kind=PaymentKind.SURCHARGE)
        for rule in rng.sample(RULES, 2):
            state = rng.choice(DEADLINE_STATES)
            due = lead + timedelta(days=rng.randrange(120))
            done = due + timedelta(days=3) if state is DeadlineStateValue.MET else None
            if state is DeadlineStateValue.MISSED and rng.random() < 0.4:
                done = due + timedelta(days=9)  # done late: no longer outstanding
            make_deadline(session, case, rule, due, state=state, done_on=done)
    for county in COUNTIES:  # every scope has some on the days the narrow ranges ask about
        for day in (date(2025, 3, 10), date(2025, 6, 30), date(2025, 7, 1), date(2026, 1, 5)):
            case = make_case(session, county, status="decided", lead=day, decided_on=day)
            case.final_fine_cents = 80_000
            pay(session, case, 80_000, day)
            make_deadline(session, case, "admin.decision", day, state=DeadlineStateValue.MISSED)
    session.commit()


FILTERS = [
    DashboardFilter(),
    DashboardFilter(date_from=date(2025, 1, 15), date_to=date(2026, 2, 10)),
    DashboardFilter(date_from=date(2025, 3, 1), date_to=date(2025, 3, 31)),  # one whole month
    DashboardFilter(date_from=date(2025, 3, 5), date_to=date(2025, 3, 20)),  # inside a month
    DashboardFilter(date_from=date(2025, 6, 30), date_to=date(2025, 7, 1)),  # across a turn
    DashboardFilter(date_from=date(2026, 1, 1)),
    DashboardFilter(date_to=date(2025, 6, 30)),
]
SCOPES = [Scope(None), Scope(frozenset({RENHUAI})), Scope(frozenset({NANMING, HUAXI}))]


@pytest.mark.parametrize("f", FILTERS, ids=lambda f: f"{f.date_from}..{f.date_to}")
def test_through_the_rollups_every_chart_is_the_tables_to_the_day(session, history, f):
    rollups.refresh(session)
    for scope in SCOPES:
        live = stats.case_counts(session, scope, f)
        assert live, "no cases in range: the comparison proves nothing"
        assert stats.case_counts(session, scope, f, rollups=True) == live
        assert stats.overdue_counts(session, scope, f, today=TODAY, rollups=True) == (
            stats.overdue_counts(session, scope, f, today=TODAY)
        )
        start, end = f.date_from or date(2024, 11, 1), f.date_to or TODAY
        assert stats.money_counts(session, scope, start, end, rollups=True) == (
            stats.money_counts(session, scope, start, end)
        )


def test_the_rollups_are_figures_as_of_their_rebuild_but_partial_months_are_counted_now(
    session, history
):
    rollups.refresh(session)
    f = DashboardFilter(date_from=date(2025, 2, 1), date_to=date(2025, 11, 15))
    before = {(c.channel, c.status): c.count for c in stats.case_counts(session, Scope(None), f)}
    make_case(session, RENHUAI, status="filed", lead=date(2025, 4, 10))  # a whole month
    make_case(session, RENHUAI, status="filed", lead=date(2025, 11, 3))  # the partial one
    session.commit()
    seen = stats.case_counts(session, Scope(None), f, rollups=True)
    filed = next(c.count for c in seen if (c.channel, c.status) == ("administrative", "filed"))
    assert filed == before[("administrative", "filed")] + 1  # November's, not April's
    rollups.refresh(session)
    assert stats.case_counts(session, Scope(None), f, rollups=True) == (
        stats.case_counts(session, Scope(None), f)
    )


def test_the_dashboard_reads_the_rollups_once_built_and_says_as_of_when(session, history):
    admin = Actor(user_id=1, username="admin", roles=frozenset({Role.ADMIN}))
    first = stats.dashboard(session, admin, DashboardFilter(), scheme_key=SCHEME, today=TODAY)
    assert first.figures_at is None  # never rebuilt: counted from the tables
    report = rollups.refresh(session)
    assert report.case_rows > 0 and report.money_rows > 0 and report.overdue_rows > 0
    built = stats.dashboard(session, admin, DashboardFilter(), scheme_key=SCHEME, today=TODAY)
    assert built.figures_at == rollups.refreshed_at(session)
    assert (built.cases, built.overdue, built.money) == (first.cases, first.overdue, first.money)
    # A prosecutor's charts count the cases before their organ: from the tables.
    prosecutor = Actor(
        user_id=2,
        username="p",
        roles=frozenset({Role.PROSECUTOR}),
        counties=frozenset({RENHUAI}),
        organ_code="P520382",
    )
    own = stats.dashboard(session, prosecutor, DashboardFilter(), scheme_key=SCHEME, today=TODAY)
    assert own.figures_at is None


@pytest.mark.parametrize(
    ("lo", "hi", "first", "last", "head", "tail"),
    [
        (None, None, None, None, None, None),
        (date(2025, 1, 1), date(2025, 3, 31), date(2025, 1, 1), date(2025, 3, 1), None, None),
        (
            date(2025, 1, 15),
            date(2025, 3, 10),
            date(2025, 2, 1),
            date(2025, 2, 1),
            (date(2025, 1, 15), date(2025, 1, 31)),
            (date(2025, 3, 1), date(2025, 3, 10)),
        ),
        (
            None,
            date(2024, 2, 28),
            None,
            date(2024, 1, 1),
            None,
            (date(2024, 2, 1), date(2024, 2, 28)),
        ),
        (None, date(2024, 2, 29), None, date(2024, 2, 1), None, None),  # a leap year's end
        (
            date(2025, 12, 2),
            None,
            date(2026, 1, 1),
            None,
            (date(2025, 12, 2), date(2025, 12, 31)),
            None,
        ),
    ],
)
def test_a_range_is_cut_into_whole_months_and_the_days_at_either_end(
    lo, hi, first, last, head, tail
):
    months = rollups.split(lo, hi)
    assert (months.first, months.last, months.empty) == (first, last, False)
    assert (months.head, months.tail) == (head, tail)


def test_a_range_inside_one_month_is_counted_from_the_tables_alone():
    months = rollups.split(date(2025, 3, 5), date(2025, 3, 20))
    assert months.empty and months.head == (date(2025, 3, 5), date(2025, 3, 20))
    assert rollups.split(date(2025, 3, 20), date(2025, 3, 5)).head is None  # nothing at all
