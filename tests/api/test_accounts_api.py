"""Tokens and users through the HTTP stack: login, throttling, expiry, revocation, admin."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from casemgr.db import utcnow
from casemgr.models import ApiToken
from casemgr.policy import Role
from tests.conftest import PASSWORD


def _login(client, username, password=PASSWORD):
    return client.post("/api/v1/tokens", json={"username": username, "password": password})


def test_login_returns_a_token_that_is_stored_only_as_a_digest(client, auth, session):
    user = auth.user(Role.JUDGE, jurisdictions=("520100",))
    resp = _login(client, user.username)
    assert resp.status_code == 201
    token = resp.get_json()["token"]
    digests = [t.digest for t in session.query(ApiToken).all()]
    assert token not in digests and len(digests[0]) == 64
    me = client.get("/api/v1/users/me", headers={"Authorization": f"Bearer {token}"})
    assert me.get_json()["roles"] == ["judge"]


def test_a_wrong_password_is_401(client, auth):
    user = auth.user(Role.JUDGE)
    assert _login(client, user.username, "wrong-password").status_code == 401
    assert _login(client, "nobody", "wrong-password").status_code == 401


def test_login_is_throttled_after_repeated_failures(client, auth, app):
    user = auth.user(Role.JUDGE)
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        assert _login(client, user.username, "wrong-password").status_code == 401
    resp = _login(client, user.username)  # even the right password waits out the lockout
    assert resp.status_code == 429
    assert str(app.config["LOGIN_LOCKOUT_MINUTES"]) in resp.get_json()["message"]


def test_an_expired_token_is_401(client, auth, session):
    login = auth.login(Role.JUDGE)
    session.execute(update(ApiToken).values(expires_at=utcnow() - timedelta(seconds=1)))
    session.commit()
    assert client.get("/api/v1/users/me", headers=login.headers).status_code == 401


def test_a_malformed_authorization_header_is_401(client):
    for header in ("Basic abc", "Bearer", "Bearer    "):
        resp = client.get("/api/v1/users/me", headers={"Authorization": header})
        assert resp.status_code == 401, header


def test_a_revoked_token_stops_working(client, auth):
    login = auth.login(Role.JUDGE)
    tokens = client.get("/api/v1/tokens", headers=login.headers).get_json()
    resp = client.delete(f"/api/v1/tokens/{tokens[0]['id']}", headers=login.headers)
    assert resp.status_code == 200 and resp.get_json()["revoked_at"]
    assert client.get("/api/v1/users/me", headers=login.headers).status_code == 401


def test_nobody_revokes_another_users_token_but_an_admin(client, auth):
    victim = auth.login(Role.JUDGE)
    other = auth.login(Role.PROSECUTOR)
    token_id = client.get("/api/v1/tokens", headers=victim.headers).get_json()[0]["id"]
    assert client.delete(f"/api/v1/tokens/{token_id}", headers=other.headers).status_code == 403
    admin = auth.login(Role.ADMIN)
    assert client.delete(f"/api/v1/tokens/{token_id}", headers=admin.headers).status_code == 200


class TestUsers:
    def _payload(self, **extra):
        return {
            "username": "officer.kaili",
            "password": "a-long-password",
            "display_name": "杨光",
            "roles": ["officer"],
            "jurisdictions": ["522601"],
            "certificate_number": "52260100101",
            "certificate_valid_until": "2027-12-31",
            **extra,
        }

    def test_an_admin_creates_a_scoped_officer(self, client, auth):
        admin = auth.login(Role.ADMIN)
        resp = client.post("/api/v1/users", json=self._payload(), headers=admin.headers)
        assert resp.status_code == 201, resp.get_json()
        body = resp.get_json()
        assert body["jurisdictions"] == ["522601"] and "password" not in body
        assert _login(client, "officer.kaili", "a-long-password").status_code == 201

    def test_only_admins_manage_users(self, client, auth):
        head = auth.login(Role.BUREAU_HEAD)
        assert (
            client.post("/api/v1/users", json=self._payload(), headers=head.headers).status_code
            == 403
        )
        assert client.get("/api/v1/users", headers=head.headers).status_code == 403

    def test_an_officer_needs_a_certificate(self, client, auth):
        admin = auth.login(Role.ADMIN)
        resp = client.post(
            "/api/v1/users", json=self._payload(certificate_number=None), headers=admin.headers
        )
        assert resp.status_code == 422
        assert "certificate_number" in resp.get_json()["errors"]

    def test_an_unknown_jurisdiction_is_422(self, client, auth):
        admin = auth.login(Role.ADMIN)
        resp = client.post(
            "/api/v1/users", json=self._payload(jurisdictions=["999999"]), headers=admin.headers
        )
        assert resp.status_code == 422
        assert "jurisdictions" in resp.get_json()["errors"]

    def test_a_short_password_is_422(self, client, auth):
        admin = auth.login(Role.ADMIN)
        resp = client.post(
            "/api/v1/users", json=self._payload(password="short"), headers=admin.headers
        )
        assert resp.status_code == 422
        assert "password" in resp.get_json()["errors"]

    def test_changing_roles_revokes_the_users_tokens(self, client, auth):
        admin = auth.login(Role.ADMIN)
        judge = auth.login(Role.JUDGE)
        etag = client.get(f"/api/v1/users/{judge.user_id}", headers=admin.headers).headers["ETag"]
        resp = client.patch(
            f"/api/v1/users/{judge.user_id}",
            json={"roles": ["prosecutor"]},
            headers={**admin.headers, "If-Match": etag},
        )
        assert resp.status_code == 200, resp.get_json()
        assert client.get("/api/v1/users/me", headers=judge.headers).status_code == 401

    def test_a_deactivated_user_cannot_log_in(self, client, auth):
        admin = auth.login(Role.ADMIN)
        judge = auth.user(Role.JUDGE)
        resp = client.patch(
            f"/api/v1/users/{judge.id}",
            json={"active": False},
            headers={**admin.headers, "If-Match": '"v1"'},
        )
        assert resp.status_code == 200
        assert _login(client, judge.username).status_code == 401
