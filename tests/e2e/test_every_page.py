"""In the browser, over the demo data: every page of the menu and the records they link to
open without a script error, a blocked resource or a content-security-policy violation (the
``page`` fixture fails the test on any), in Chinese at 1366x768 and in English on a 768 px
tablet, without the page scrolling sideways."""

from __future__ import annotations

import re
from typing import Any

import pytest

from casemgr.services.demo import DEMO_PASSWORD
from tests.e2e.conftest import log_in

# The first link of each kind found on the pages of the menu is visited too.
RECORD_LINKS = (
    r"^/cases/\d+$",
    r"^/violations/\d+$",
    r"^/violations/\d+/family$",
    r"^/enterprises/\d+$",
    r"^/enterprises/\d+/graph$",
    r"^/inspections/rounds/\d+$",
    r"^/inspections/units/\d+$",
    r"^/inspections/draws/\d+$",
    r"^/credit/requests$",
    r"^/tasks/new/[a-z-]+$",
    r"^/violations/new$",
)
SCREENS = (
    pytest.param({"width": 1366, "height": 768}, "zh_CN", id="1366x768-zh"),
    pytest.param({"width": 768, "height": 1024}, "en", id="tablet-en"),
)


@pytest.fixture
def demo(runner: Any) -> None:
    result = runner.invoke(args=["demo", "load", "--enterprises", "80"])
    assert result.exit_code == 0, result.output


def _links(page: Any) -> list[str]:
    hrefs = page.eval_on_selector_all("main a[href]", "els => els.map(e => e.getAttribute('href'))")
    return [h.split("?")[0] for h in hrefs if h and h.startswith("/")]


def _check(page: Any, path: str) -> None:
    response = page.goto(path)
    assert response is not None and response.status == 200, (
        f"{path}: {response and response.status}"
    )
    assert page.locator("main h1").count() >= 1, f"{path}: no heading"
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 2, f"{path} scrolls sideways by {overflow}px"


@pytest.mark.parametrize(("viewport", "lang"), SCREENS)
def test_every_page_of_the_menu_opens_cleanly(page, demo, shot, viewport, lang):
    page.set_viewport_size(viewport)
    log_in(page, "admin", DEMO_PASSWORD)
    page.goto(f"/lang/{lang}?next=/")
    menu = page.eval_on_selector_all(
        "nav.main-nav a", "els => els.map(e => e.getAttribute('href'))"
    )
    assert len(menu) >= 8, menu
    seen: set[str] = set()
    found: dict[str, str] = {}
    for path in menu:
        _check(page, path)
        seen.add(path)
        if path in ("/", "/dashboards", "/inspections"):
            shot(f"{path.strip('/') or 'home'}-{lang}")
        for link in _links(page):
            for pattern in RECORD_LINKS:
                if pattern not in found and re.match(pattern, link):
                    found[pattern] = link
    for link in found.values():
        if link not in seen:
            _check(page, link)
            seen.add(link)
    assert len(found) >= 6, f"record pages reached: {sorted(found.values())}"


@pytest.mark.parametrize(
    "username",
    [
        "officer.renhuai",
        "head.zunyi",
        "reviewer.zunyi",
        "judge.renhuai",
        "credit.province",
        "planner.province",
    ],
)
def test_each_role_home_page_fits_a_tablet(page, demo, shot, username):
    page.set_viewport_size({"width": 768, "height": 1024})
    log_in(page, username, DEMO_PASSWORD)
    _check(page, "/")
    shot(username)
