"""Helpers for page tests: log in through the real login form, read a form's CSRF token."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.conftest import PASSWORD

_TOKEN = (
    re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"'),
    re.compile(r'name="csrf_token" value="([^"]+)"'),
)


def csrf_of(html: str) -> str:
    """The CSRF token of the first form on a page."""
    for pattern in _TOKEN:
        match = pattern.search(html)
        if match:
            return match.group(1)
    raise AssertionError("no CSRF token in the page")


def login(client: FlaskClient, username: str, password: str = PASSWORD) -> Any:
    page = client.get("/login")
    return client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": csrf_of(page.text)},
    )


class Browser:
    """A logged-in test client that posts forms with their CSRF token, as a browser does."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def get(self, url: str, **kwargs: Any) -> Any:
        return self.client.get(url, **kwargs)

    def post(self, url: str, data: dict[str, Any] | None = None, **kwargs: Any) -> Any:
        token = csrf_of(self.client.get("/").text)
        return self.client.post(url, data={**(data or {}), "csrf_token": token}, **kwargs)


@pytest.fixture
def browser_as(client: FlaskClient, auth: Any) -> Any:
    """``browser_as(Role.OFFICER, jurisdictions=(...))``: a new user, logged in; returns
    (Browser, user)."""

    def make(*roles: Any, **extra: Any) -> tuple[Browser, Any]:
        user = auth.user(*roles, **extra)
        auth.session.commit()
        assert login(client, user.username).status_code == 302
        return Browser(client), user

    return make
