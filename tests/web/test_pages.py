"""Pages: login with CSRF, the officer's home, logout, health check, vendored API docs."""

from __future__ import annotations

from casemgr.policy import Role
from tests.conftest import PASSWORD
from tests.web.conftest import csrf_of as _csrf
from tests.web.conftest import login as _login


def test_pages_require_login(client):
    resp = client.get("/")
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]


def test_login_page_is_chinese_by_default(client):
    assert "登录" in client.get("/login").text


def test_a_login_without_the_csrf_token_is_refused(client, auth):
    user = auth.user(Role.OFFICER, jurisdictions=("520382",))
    resp = client.post("/login", data={"username": user.username, "password": PASSWORD})
    assert resp.status_code == 400
    assert client.get("/").status_code == 302


def test_an_officers_home_shows_their_roles_jurisdiction_and_menu(client, auth):
    user = auth.user(Role.OFFICER, jurisdictions=("520382",))
    auth.session.commit()
    assert _login(client, user.username).status_code == 302
    page = client.get("/").text
    assert "执法人员" in page and "仁怀市 (520382)" in page
    assert "我的案件" in page and "我的期限" in page and "未读通知" in page
    assert 'href="/deadlines"' in page  # the menu leads to the deadline board


def test_a_wrong_password_shows_an_error(client, auth):
    user = auth.user(Role.OFFICER, jurisdictions=("520382",))
    resp = _login(client, user.username, "not-the-password")
    assert resp.status_code == 401
    assert "用户名或密码错误" in resp.text


def test_logout_ends_the_session(client, auth):
    user = auth.user(Role.JUDGE, jurisdictions=("520100",))
    _login(client, user.username)
    home = client.get("/")
    assert home.status_code == 200
    client.post("/logout", data={"csrf_token": _csrf(home.text)})
    assert client.get("/").status_code == 302


def test_healthz_reports_the_database(client, app):
    body = client.get("/healthz").get_json()
    assert body["status"] == "ok"
    assert body["database"] in {"sqlite", "postgresql"}


def test_the_api_docs_are_served_without_a_cdn(client):
    page = client.get("/api/docs").text
    assert "/api/docs/assets/swagger-ui-bundle.js" in page
    assert "cdn" not in page.lower()
    assert client.get("/api/docs/assets/swagger-ui-bundle.js").status_code == 200
    spec = client.get("/api/openapi.json").get_json()
    assert "/api/v1/enterprises" in spec["paths"]
