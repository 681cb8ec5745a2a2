"""Login, logout, the home page, the health check and the API docs' vendored assets."""

from __future__ import annotations

from typing import Any

import swagger_ui_bundle
from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask_babel import gettext
from flask_login import login_required, login_user, logout_user
from flask_wtf import FlaskForm
from sqlalchemy import text
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from casemgr.exceptions import LoginFailed, TooManyAttempts
from casemgr.extensions import db
from casemgr.repositories.enterprises import EnterpriseFilter
from casemgr.security import page_actor
from casemgr.services import accounts, enterprises

bp = Blueprint("pages", __name__)


class LoginForm(FlaskForm):  # type: ignore[misc]
    username = StringField("username", validators=[DataRequired(), Length(max=64)])
    password = PasswordField("password", validators=[DataRequired(), Length(max=200)])


@bp.get("/healthz")
def healthz() -> Any:
    """Report whether the app can reach its database."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any failure means unhealthy
        db.session.rollback()
        return {"status": "unavailable", "database": "unreachable"}, 503
    return {"status": "ok", "database": db.engine.dialect.name}


@bp.get("/api/docs/assets/<path:filename>")
def swagger_assets(filename: str) -> Any:
    return send_from_directory(swagger_ui_bundle.swagger_ui_path, filename, max_age=86400)


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    form = LoginForm()
    if form.validate_on_submit():
        cfg = current_app.config
        try:
            user = accounts.authenticate(
                db.session(),
                form.username.data or "",
                form.password.data or "",
                remote_addr=request.remote_addr or "",
                policy=accounts.LoginPolicy(
                    cfg["LOGIN_MAX_FAILURES"], cfg["LOGIN_LOCKOUT_MINUTES"]
                ),
            )
        except TooManyAttempts:
            flash(gettext("Too many failed logins; try again later."), "error")
            return render_template("login.html", form=form), 429
        except LoginFailed:
            flash(gettext("Wrong user name or password."), "error")
            return render_template("login.html", form=form), 401
        login_user(user)
        target = request.args.get("next", "")
        if not target.startswith("/") or target.startswith("//"):
            target = url_for("pages.home")
        return redirect(target)
    return render_template("login.html", form=form)


@bp.post("/logout")
@login_required
def logout() -> Any:
    logout_user()
    return redirect(url_for("pages.login"))


@bp.get("/")
@login_required
def home() -> Any:
    actor = page_actor()
    q = request.args.get("q", "").strip()[:100] or None
    page = enterprises.search_enterprises(
        db.session(),
        actor,
        EnterpriseFilter(q=q),
        page=max(1, request.args.get("page", 1, type=int) or 1),
        per_page=20,
    )
    return render_template("home.html", actor=actor, page=page, q=q or "")
