"""Fixtures: app, client, database session, auth helper; database chosen by TEST_DATABASE_URL.

Without TEST_DATABASE_URL the suite runs on a fresh SQLite file. With it (a PostgreSQL server
URL), the session creates its own database, migrates it to head, and drops it at the end, so no
run depends on what an earlier one left.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from casemgr.app import create_app
from casemgr.config import normalise_database_url
from casemgr.extensions import db
from casemgr.policy import SYSTEM_ACTOR, Actor, Role
from casemgr.services import accounts, reference
from casemgr.services.access import actor_for

REFERENCE_TABLES = {
    "holiday_days",
    "divisions",
    "inspection_units",
    "inspection_unit_counties",
    "basins",
    "judicial_organs",
    "alembic_version",
}
PASSWORD = "correct-horse-battery"


def _admin_url(url: str) -> str:
    return (
        make_url(url)
        .set(drivername="postgresql", database="postgres")
        .render_as_string(hide_password=False)
    )


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    server = os.environ.get("TEST_DATABASE_URL")
    if not server:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
        return
    name = f"casemgr_test_{uuid.uuid4().hex[:10]}"
    admin = _admin_url(normalise_database_url(server).replace("+psycopg", ""))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8'")
    url = make_url(normalise_database_url(server)).set(database=name)
    yield url.render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def app(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    instance = tmp_path_factory.mktemp("instance")
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SECRET_KEY": "test-secret-key",
            "INSTANCE_PATH": str(instance),
            "UPLOAD_FOLDER": str(instance / "uploads"),
            "MAX_CONTENT_LENGTH": 64 * 1024,
            "BABEL_DEFAULT_LOCALE": "zh_CN",
        }
    )
    with app.app_context():
        upgrade()
        reference.load_reference_data(db.session, pilot_counties=app.config["PILOT_COUNTIES"])
        db.session.remove()
    yield app
    with app.app_context():
        db.engine.dispose()


def _clean(session: Session) -> None:
    tables = [t for t in reversed(db.metadata.sorted_tables) if t.name not in REFERENCE_TABLES]
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            text("TRUNCATE " + ", ".join(t.name for t in tables) + " RESTART IDENTITY CASCADE")
        )
    else:
        for t in tables:
            session.execute(t.delete())
    session.commit()


@pytest.fixture(autouse=True)
def _fresh_rows(request: pytest.FixtureRequest) -> Iterator[None]:
    """Each database test runs in its own app context and starts with reference data only.

    A fresh context per test keeps ``g`` (cached CSRF tokens, the resolved caller, the locale)
    from leaking from one test into the next, as it never leaks between real requests.
    """
    if "app" not in request.fixturenames:
        yield
        return
    app = request.getfixturevalue("app")
    with app.app_context():
        yield
        db.session.rollback()
        _clean(db.session)
        db.session.remove()
    # Files the rows pointed to (exports, uploads) go with them: the next test's ids restart.
    for folder in (Path(app.instance_path) / "exports", Path(app.config["UPLOAD_FOLDER"])):
        if folder.is_dir():
            shutil.rmtree(folder)


@pytest.fixture
def session(app: Flask) -> Session:
    return db.session()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> Any:
    return app.test_cli_runner()


@dataclass
class Login:
    user_id: int
    token: str
    actor: Actor

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


class Auth:
    """Creates users and logs them in through the real token endpoint."""

    def __init__(self, client: FlaskClient, session: Session) -> None:
        self.client = client
        self.session = session
        self._n = 0

    def user(
        self,
        *roles: Role | str,
        jurisdictions: tuple[str, ...] = ("520000",),
        username: str | None = None,
        **extra: Any,
    ) -> Any:
        self._n += 1
        data = {
            "username": username or f"user{self._n}",
            "password": PASSWORD,
            "roles": [Role(r) for r in roles] or [Role.OFFICER],
            "jurisdictions": list(jurisdictions),
            **extra,
        }
        if Role.OFFICER in data["roles"]:
            data.setdefault("certificate_number", f"CERT{self._n:05d}")
        return accounts.create_user(self.session, SYSTEM_ACTOR, data)

    def login(
        self, *roles: Role | str, jurisdictions: tuple[str, ...] = ("520000",), **extra: Any
    ) -> Login:
        user = self.user(*roles, jurisdictions=jurisdictions, **extra)
        resp = self.client.post(
            "/api/v1/tokens", json={"username": user.username, "password": PASSWORD}
        )
        assert resp.status_code == 201, resp.get_json()
        return Login(user.id, resp.get_json()["token"], actor_for(self.session, user))


@pytest.fixture
def auth(client: FlaskClient, session: Session) -> Auth:
    return Auth(client, session)


@pytest.fixture
def admin_actor(session: Session) -> Actor:
    return SYSTEM_ACTOR


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Say how many browser tests ran, so CI can fail when they were all skipped."""
    stats = terminalreporter.stats
    e2e = {
        outcome: sum("tests/e2e/" in getattr(r, "nodeid", "") for r in stats.get(outcome, []))
        for outcome in ("passed", "failed", "skipped", "error")
    }
    if any(e2e.values()):
        terminalreporter.write_line(
            f"E2E browser tests: {e2e['passed']} passed, {e2e['failed'] + e2e['error']} failed,"
            f" {e2e['skipped']} skipped"
        )
