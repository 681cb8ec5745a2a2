"""The dashboards page's tier chart for a past end date: once the rollup job has kept the tier
counts of past days it reads them, with the same numbers, and a back-dated score still shows
at once."""

from __future__ import annotations

from datetime import date

import pytest

from casemgr.policy import Role
from casemgr.services import dashboard_rollups, dashboard_stats
from tests.factories import EnterpriseFactory
from tests.integration.test_dashboard_stats import NANMING, RENHUAI, SCHEME, score
from tests.web.test_dashboard_pages import URL, charts_of

END = date(2025, 12, 31)
PAST = f"date_from=2025-01-01&date_to={END}"


@pytest.fixture(autouse=True)
def _fresh_past_tier_counts():
    """Past days' tier counts are kept per process; ids restart between tests."""
    dashboard_stats.clear_tier_cache()


def tiers_of(html: str) -> dict[str, list[int]]:
    """The tier chart's counts per tier code, for 贵阳市 and 遵义市."""
    tiers = charts_of(html)["tiers"]
    assert tiers["labels"] == ["贵阳市", "遵义市"]
    return {d["key"]: d["data"] for d in tiers["datasets"]}


def test_a_past_end_date_reads_the_kept_tier_counts_and_a_back_dated_score_shows_at_once(
    browser_as, session
):
    renhuai, nanming = (
        EnterpriseFactory(county_code=RENHUAI),
        EnterpriseFactory(county_code=NANMING),
    )
    score(session, renhuai, "green", date(2025, 1, 1))
    score(session, renhuai, "blue", date(2026, 1, 10))  # after the end date: a past day
    score(session, nanming, "yellow", date(2025, 1, 1))
    session.commit()
    browser, _ = browser_as(Role.BUREAU_HEAD)
    live = tiers_of(browser.get(f"{URL}?{PAST}").text)
    assert live["green"] == [0, 1] and live["yellow"] == [1, 0] and live["blue"] == [0, 0]
    dashboard_rollups.refresh(session)
    assert dashboard_rollups.tier_counts_on(session, SCHEME, END, None) is not None
    assert tiers_of(browser.get(f"{URL}?{PAST}").text) == live
    score(session, nanming, "red", date(2025, 6, 1))  # stored now, in force on the end date
    session.commit()
    changed = tiers_of(browser.get(f"{URL}?{PAST}").text)
    assert changed["yellow"] == [0, 0] and changed["red"] == [1, 0]
    dashboard_rollups.refresh(session)
    assert dashboard_rollups.tier_counts_on(session, SCHEME, END, None) is not None
    assert tiers_of(browser.get(f"{URL}?{PAST}").text) == changed
