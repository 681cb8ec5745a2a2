"""In the browser: logging in, the language switch, and the security headers on every page."""

from __future__ import annotations

from casemgr.policy import Role
from tests.conftest import PASSWORD
from tests.e2e.conftest import log_in


def test_an_officer_logs_in_and_switches_to_english(page, auth, shot):
    user = auth.user(Role.OFFICER, jurisdictions=("520382",), display_name="王执法")
    auth.session.commit()
    page.goto("/login")
    assert page.locator("h1").inner_text() == "登录"
    log_in(page, user.username, PASSWORD)
    assert "王执法" in page.inner_text("header")
    shot("home-zh")
    page.click("text=English")
    assert page.locator("nav.main-nav").inner_text().startswith("Home")
    shot("home-en")
    page.click("text=中文")
    assert page.locator("nav.main-nav").inner_text().startswith("首页")


def test_a_wrong_password_keeps_the_user_name(page, auth):
    user = auth.user(Role.JUDGE, jurisdictions=("520100",))
    auth.session.commit()
    page.goto("/login")
    page.fill("#username", user.username)
    page.fill("#password", "wrong")
    page.click("button[type=submit]")
    assert "用户名或密码错误" in page.inner_text("main")
    assert page.input_value("#username") == user.username


def test_pages_send_a_strict_content_security_policy(page, live_server):
    response = page.goto("/login")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert response.headers["x-content-type-options"] == "nosniff"
