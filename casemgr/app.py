"""Application factory: configuration, extensions, blueprints, error handlers, CLI."""

from __future__ import annotations

import gc
import hashlib
import hmac
from pathlib import Path
from typing import Any

import click
from flask import Flask, g, request
from flask.cli import FlaskGroup
from flask_babel import refresh
from sqlalchemy import event

from casemgr import api as api_package
from casemgr import cli, errors, jobs, web
from casemgr.config import API_SETTINGS, from_env
from casemgr.extensions import api, babel, csrf, db, login_manager, migrate
from casemgr.i18n import LOCALES
from casemgr.models.audit import signer
from casemgr.schemas.common import ErrorSchema
from casemgr.services import credit_events
from casemgr.translations import compile_catalogs

MIGRATIONS = str(Path(__file__).resolve().parent.parent / "migrations")


def _select_locale() -> str | None:
    for wanted in (request.args.get("lang"), request.cookies.get(web.LANGUAGE_COOKIE)):
        if wanted in LOCALES:
            return wanted
    return request.accept_languages.best_match(LOCALES) or None


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """Write-ahead logging: readers never block the one writer nor it them, so the scheduler,
    the workers and the web requests share the embedded database without lock errors."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def create_app(config: dict[str, Any] | None = None) -> Flask:
    settings = {**from_env(), **API_SETTINGS, **(config or {})}
    app = Flask(__name__, instance_path=settings["INSTANCE_PATH"], instance_relative_config=True)
    app.config.update(settings)
    if str(app.config["SQLALCHEMY_DATABASE_URI"]).startswith("sqlite"):
        # The embedded database has one writer at a time: the scheduler, the workers and the web
        # requests wait their turn (up to 30 s) instead of failing at pysqlite's 5 s default.
        options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
        options["connect_args"] = {"timeout": 30, **options.get("connect_args", {})}
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    audit_key = (
        app.config["AUDIT_KEY"]
        or hmac.new(
            app.config["SECRET_KEY"].encode(), b"casemgr-audit-trail", hashlib.sha256
        ).hexdigest()
    )
    signer.configure(audit_key.encode())
    credit_events.configure(
        enabled=app.config["CREDIT_RESCORE_ON_EVENT"], scheme=app.config["CREDIT_SCHEME"]
    )

    db.init_app(app)
    if str(app.config["SQLALCHEMY_DATABASE_URI"]).startswith("sqlite"):
        with app.app_context():
            event.listen(db.engine, "connect", _sqlite_pragmas)
    migrate.init_app(app, db, directory=MIGRATIONS, render_as_batch=True)
    api.ERROR_SCHEMA = ErrorSchema
    api.init_app(app)
    api_package.register(api)
    login_manager.init_app(app)
    login_manager.login_view = "pages.login"
    csrf.init_app(app)
    for blp in api_package.BLUEPRINTS:
        csrf.exempt(blp)  # the API authenticates with bearer tokens, never cookies
    compile_catalogs()
    babel.init_app(app, locale_selector=_select_locale)
    web.register(app)
    errors.register(app)
    cli.register(app)
    jobs.register(app)

    @app.before_request
    def _forget_previous_actor() -> None:
        # g lives as long as the app context, which a test (or a CLI command) may keep across
        # several requests: the caller is resolved anew for every request.
        g.pop("actor", None)
        refresh()  # the same holds for Flask-Babel's cached locale

    @app.context_processor
    def _inject_locale() -> dict[str, Any]:
        from flask_babel import get_locale

        return {"current_locale": str(get_locale())}

    # Everything built so far (modules, mappers, the application) lives as long as the process:
    # the cyclic garbage collector skips it from now on (Python, gc.freeze). Otherwise a full
    # collection, set off by the garbage of one request or one incremental rescoring (a
    # networkx neighbourhood), walks every one of those objects: 100-200 ms pauses measured
    # in the rescoring after a case event.
    gc.freeze()
    return app


@click.group(cls=FlaskGroup, create_app=create_app)
def main() -> None:
    """Guizhou environmental enforcement and credit case management."""
