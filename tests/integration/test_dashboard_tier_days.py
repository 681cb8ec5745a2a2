"""Credit tier counts of past days: read through them, the tier chart of any past day is the
history's count, whatever order the scores came in; they are used only while they cover the
day, and the rollup job rebuilds them when a score changes the past or a day has passed."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from casemgr.models import CreditScore, Enterprise, TierDayCount, TierDayState
from casemgr.repositories import credit_current
from casemgr.repositories.bulk import COPY_THRESHOLD
from casemgr.services import credit
from casemgr.services import dashboard_rollups as rollups
from casemgr.services import dashboard_stats as stats
from casemgr.services.dashboard_stats import TierCount
from tests.factories import EnterpriseFactory
from tests.integration.test_dashboard_stats import NANMING, RENHUAI, SCHEME, TODAY, score

HUAXI = "520111"  # 花溪区 (贵阳市)
COUNTIES = (RENHUAI, NANMING, HUAXI)
TIERS = ("green", "blue", "yellow", "red", "black", None)  # None: abnormal (异常)
OTHER = "five-colour@1"
START = date(2025, 1, 1)
SCOPES = [{RENHUAI}, {NANMING, HUAXI}]


@pytest.fixture(autouse=True)
def _fresh_past_tier_counts():
    """Past days' tier counts are kept per process; ids restart between tests."""
    stats.clear_tier_cache()


def move(session, enterprise, county: str) -> None:
    """The enterprise moves county, as ``services.enterprises.update_enterprise`` moves it."""
    enterprise.county_code = county
    session.flush()
    credit_current.move(session, enterprise.id, county)


def in_force(session, day: date) -> Counter[tuple[str, str]]:
    """The definition: each enterprise's score in force on the day (``credit.in_force``),
    counted by its current county and its tier code."""
    county_of = dict(session.execute(select(Enterprise.id, Enterprise.county_code)).all())
    return Counter(
        (county_of[eid], row.tier or credit_current.ABNORMAL)
        for eid, row in credit.in_force(session, SCHEME, day).items()
    )


def random_history(session, seed: int) -> list:
    """Sixteen enterprises of three counties with about a hundred and forty scores over four
    months, stored in random day order (so many are back-dated), with abnormal scores,
    rescorings on the same day, scores of another scheme and two county moves."""
    rng = random.Random(seed)
    firms = [EnterpriseFactory(county_code=rng.choice(COUNTIES)) for _ in range(16)]
    for i in range(140):
        firm = rng.choice(firms[:15])  # the last one is never scored
        day = START + timedelta(days=rng.randrange(120))
        score(session, firm, rng.choice(TIERS), day)
        if rng.random() < 0.15:  # rescored the same day: the higher id is in force
            score(session, firm, rng.choice(TIERS), day)
        if rng.random() < 0.1:
            score(session, firm, rng.choice(TIERS), day, scheme=OTHER)
        if i in (50, 100):
            move(session, firm, rng.choice([c for c in COUNTIES if c != firm.county_code]))
    session.commit()
    return firms


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_counts_of_every_past_day_are_the_history_s(session, seed):
    random_history(session, seed)
    report = rollups.refresh(session, today=TODAY)
    assert report.tier_rows >= COPY_THRESHOLD  # written by COPY on PostgreSQL
    for day in (START + timedelta(days=d) for d in range(-2, 125)):
        expected = in_force(session, day)
        history = credit_current.tier_counts(session, SCHEME, day, None)
        assert rollups.tier_counts_on(session, SCHEME, day, None) == history == expected, day
        for counties in SCOPES:
            scoped = Counter({k: n for k, n in expected.items() if k[0] in counties})
            assert rollups.tier_counts_on(session, SCHEME, day, counties) == scoped, day
    assert rollups.tier_counts_on(session, SCHEME, START - timedelta(days=1), None) == Counter()
    total = sum(rollups.tier_counts_on(session, OTHER, TODAY - timedelta(days=1), None).values())
    assert 0 < total == len(credit.in_force(session, OTHER, TODAY))


@pytest.fixture
def history(session):
    """Three enterprises: 仁怀 green then red, 南明 blue, 仁怀 abnormal from March."""
    a, b, c = (EnterpriseFactory(county_code=county) for county in (RENHUAI, NANMING, RENHUAI))
    score(session, a, "green", date(2025, 1, 10))
    score(session, b, "blue", date(2025, 2, 1))
    score(session, a, "red", date(2025, 6, 1))
    score(session, c, None, date(2025, 3, 1))
    session.commit()
    return a, b, c


def kept(session, day: date, counties=None):
    return rollups.tier_counts_on(session, SCHEME, day, counties)


def test_before_the_first_run_the_history_is_counted(session, history):
    assert kept(session, date(2025, 4, 1)) is None
    assert stats.tier_counts(session, scheme_key=SCHEME, on=date(2025, 4, 1), counties=None) == [
        TierCount("5201", "blue", 1),
        TierCount("5203", "green", 1),
        TierCount("5203", None, 1),
    ]


def test_a_day_reads_the_latest_day_with_a_change(session, history):
    rollups.refresh(session, today=TODAY)
    days = session.scalars(select(TierDayCount.day).distinct().order_by(TierDayCount.day)).all()
    assert days == [date(2025, 1, 10), date(2025, 2, 1), date(2025, 3, 1), date(2025, 6, 1)]
    assert kept(session, date(2025, 1, 9)) == Counter()
    assert kept(session, date(2025, 5, 31)) == Counter(
        {(RENHUAI, "green"): 1, (NANMING, "blue"): 1, (RENHUAI, "abnormal"): 1}
    )
    assert kept(session, date(2025, 12, 31), {RENHUAI}) == Counter(
        {(RENHUAI, "red"): 1, (RENHUAI, "abnormal"): 1}
    )


def test_scores_dated_today_are_only_recorded(session, history):
    a, b, _ = history
    rollups.refresh(session, today=TODAY)
    built = session.get(TierDayState, SCHEME)
    assert (built.built_on, built.exact_before) == (TODAY, None)
    score(session, b, "black", TODAY)  # the nightly rescoring dates its scores today
    session.commit()
    assert kept(session, TODAY) is None  # a score dated on the day was stored since
    report = rollups.refresh(session, today=TODAY)
    assert report.tier_rows == 0
    state = session.get(TierDayState, SCHEME)
    assert state.exact_before == TODAY
    assert state.scores_through == session.scalar(select(func.max(CreditScore.id)))
    assert kept(session, TODAY) is None  # the chart reads today from credit_tier_counts
    assert kept(session, TODAY - timedelta(days=1)) == Counter(
        {(RENHUAI, "red"): 1, (NANMING, "blue"): 1, (RENHUAI, "abnormal"): 1}
    )
    # The next day's run rebuilds: yesterday is exact again.
    rollups.refresh(session, today=TODAY + timedelta(days=1))
    assert kept(session, TODAY)[(NANMING, "black")] == 1


def test_a_back_dated_score_is_counted_from_the_history_until_the_next_run(session, history):
    a, b, _ = history
    rollups.refresh(session, today=TODAY)
    score(session, b, "yellow", date(2025, 4, 1))  # stored now, in force since April
    session.commit()
    assert kept(session, date(2025, 3, 31)) is not None  # earlier days are still covered
    assert kept(session, date(2025, 4, 1)) is None
    day = date(2025, 5, 1)
    assert TierCount("5201", "yellow", 1) in stats.tier_counts(
        session, scheme_key=SCHEME, on=day, counties=None
    )
    report = rollups.refresh(session, today=TODAY)
    assert report.tier_rows > 0
    assert kept(session, day) == credit_current.tier_counts(session, SCHEME, day, None)
    assert kept(session, day)[(NANMING, "yellow")] == 1


def test_a_run_with_nothing_new_writes_nothing(session, history):
    assert rollups.refresh(session, today=TODAY).tier_rows > 0
    assert rollups.refresh(session, today=TODAY).tier_rows == 0


def test_a_move_counts_in_the_old_county_until_the_next_day_s_rebuild(session, history):
    a, _, _ = history
    rollups.refresh(session, today=TODAY)
    move(session, a, HUAXI)
    session.commit()
    day = date(2025, 5, 1)  # before a's latest score: a past day, green in 仁怀 (5203)
    assert TierCount("5203", "green", 1) in stats.tier_counts(
        session, scheme_key=SCHEME, on=day, counties=None
    )
    assert rollups.refresh(session, today=TODAY).tier_rows == 0  # no new score
    rollups.refresh(session, today=TODAY + timedelta(days=1))
    counts = stats.tier_counts(session, scheme_key=SCHEME, on=day, counties=None)
    assert TierCount("5201", "green", 1) in counts  # 花溪区 is in 贵阳市 (5201)
    assert kept(session, day) == credit_current.tier_counts(session, SCHEME, day, None)
