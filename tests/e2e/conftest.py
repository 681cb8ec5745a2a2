"""End-to-end fixtures: the real app served over HTTP, driven by Debian's headless Chromium.

Playwright drives the Chromium installed from Debian's packages (``/usr/bin/chromium``); it
never downloads a browser. Without Chromium the tests are skipped, unless
``CASEMGR_REQUIRE_E2E`` is set (as ``.ci/run`` does), in which case they fail. Screenshots are
kept as test artefacts under ``CASEMGR_E2E_ARTIFACTS`` (default ``test-artifacts/e2e``).
"""

from __future__ import annotations

import os
import re
import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(os.environ.get("CASEMGR_E2E_ARTIFACTS") or ROOT / "test-artifacts" / "e2e")
CHROMIUM_NAMES = ("chromium", "chromium-browser")


def chromium_path() -> str | None:
    explicit = os.environ.get("CASEMGR_CHROMIUM")
    if explicit:
        return explicit if Path(explicit).exists() else None
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def _unavailable(reason: str) -> None:
    if os.environ.get("CASEMGR_REQUIRE_E2E"):
        pytest.fail(f"end-to-end tests are required but cannot run: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def live_server(app: Flask) -> Iterator[str]:
    """The application under test, served by Werkzeug in a thread on a free local port.

    ``localhost`` is a secure context to Chromium, so the session cookie keeps its Secure flag.
    """
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://localhost:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    executable = chromium_path()
    if executable is None:
        _unavailable("Chromium is not installed (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - playwright is a dev dependency
        _unavailable("the playwright package is not installed")
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(
            executable_path=executable, headless=True, args=["--no-sandbox"]
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any, live_server: str, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A fresh browser tab at 1366x768 in Chinese. Script errors, CSP violations, failed asset
    loads and any request to another origin fail the test, since they mean a page half-works
    (or would not work on an intranet)."""
    context = browser.new_context(
        base_url=live_server, locale="zh-CN", viewport={"width": 1366, "height": 768}
    )
    tab = context.new_page()
    problems: list[str] = []

    def on_console(msg: Any) -> None:
        # A page answered with 401 or 422 is a normal outcome (checked by the tests); a missing
        # script, style or image is not, and is caught below from the response itself.
        if msg.type == "error" and not msg.text.startswith("Failed to load resource"):
            problems.append(msg.text)

    def on_response(response: Any) -> None:
        if response.status >= 400 and response.request.resource_type != "document":
            problems.append(f"{response.status} {response.url}")

    def on_request(request: Any) -> None:
        # The intranet has no internet: every asset must come from the application itself.
        if not request.url.startswith((live_server, "data:", "blob:", "about:")):
            problems.append(f"request outside the application: {request.url}")

    tab.on("console", on_console)
    tab.on("response", on_response)
    tab.on("request", on_request)
    tab.on("pageerror", lambda exc: problems.append(str(exc)))
    tab.set_default_timeout(15_000)
    yield tab
    context.close()
    assert not problems, f"browser errors: {problems}"


@pytest.fixture
def shot(page: Any, request: pytest.FixtureRequest) -> Callable[[str], Path]:
    """Save a full-page screenshot named after the test and ``label``; return its path."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    counter = iter(range(1, 1000))

    def take(label: str) -> Path:
        safe = re.sub(r"[^\w.-]+", "-", f"{request.node.name}-{next(counter):02d}-{label}")
        path = ARTIFACTS / f"{safe}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


def log_in(page: Any, username: str, password: str) -> None:
    page.goto("/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)
