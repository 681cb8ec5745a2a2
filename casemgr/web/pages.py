"""Login, logout, the home page of each role (工作台), the inbox (站内通知), the health check and
the API docs' vendored assets."""

from __future__ import annotations

from datetime import datetime, timedelta
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
from casemgr.i18n import N_
from casemgr.models.cases import DeadlineStateValue
from casemgr.policy import Actor, Permission, Role
from casemgr.schemas.common import translated
from casemgr.security import page_actor
from casemgr.services import accounts, home_pages, notifications
from casemgr.services import credit as credit_service
from casemgr.services import deadlines as deadline_service
from casemgr.services.localtime import LOCAL, local_today
from casemgr.web import deadlines as deadline_pages
from casemgr.web.case_labels import status_label
from casemgr.web.inspections import STAGES

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


ROLE_LABELS = {
    Role.OFFICER: N_("Enforcement officer"),
    Role.BUREAU_HEAD: N_("Bureau head"),
    Role.LEGAL_REVIEWER: N_("Legal reviewer"),
    Role.PROSECUTOR: N_("Prosecutor"),
    Role.JUDGE: N_("Judge"),
    Role.COMPENSATION_OFFICER: N_("Damage-compensation officer"),
    Role.CREDIT_REGULATOR: N_("Credit regulator"),
    Role.INSPECTION_PLANNER: N_("Inspection planner"),
    Role.ADMIN: N_("Administrator"),
}
ROLE_ORDER = tuple(ROLE_LABELS)
# The home page's sections (templates/home/_<name>.html) and the roles that show each, in the
# order they appear when a user holds several roles.
PARTIALS = (
    ("officer", frozenset({Role.OFFICER, Role.COMPENSATION_OFFICER})),
    ("head", frozenset({Role.BUREAU_HEAD})),
    ("reviewer", frozenset({Role.LEGAL_REVIEWER})),
    ("organ", frozenset({Role.JUDGE, Role.PROSECUTOR})),
    ("credit", frozenset({Role.CREDIT_REGULATOR})),
    ("planner", frozenset({Role.INSPECTION_PLANNER})),
    ("admin", frozenset({Role.ADMIN})),
)

TIER_LABELS = {
    "green": N_("Green (trustworthy)"),
    "blue": N_("Blue (good)"),
    "yellow": N_("Yellow (warning)"),
    "red": N_("Red (poor)"),
    "black": N_("Black (seriously untrustworthy)"),
}
TIER_BADGES = {"green": "tier-A", "blue": "tier-B", "yellow": "tier-C", "red": "tier-D"}
DRAW_LABELS = {
    "prepared": N_("Seed published"),
    "drawn": N_("Drawn, waiting for review"),
    "dispatched": N_("Dispatched"),
    "published": N_("Results published"),
    "cancelled": N_("Cancelled"),
}
ROUND_LABELS = {"draft": N_("Draft"), "approved": N_("Approved"), "closed": N_("Closed")}
RUN_LABELS = {"ok": N_("Succeeded"), "failed": N_("Failed"), "running": N_("Running")}
REQUEST_LABELS = {"objections": N_("Objection"), "repairs": N_("Credit repair")}

_UNDONE = (DeadlineStateValue.OPEN, DeadlineStateValue.PAUSED, DeadlineStateValue.MISSED)


def local_time(moment: datetime | None) -> str:
    """A stored (UTC) moment as local time in Guizhou, to the minute."""
    return moment.astimezone(LOCAL).strftime("%Y-%m-%d %H:%M") if moment else ""


def _deadlines(actor: Actor, f: deadline_service.BoardFilter) -> list[home_pages.DeadlineRow]:
    session = db.session()
    page = deadline_service.board(
        session, actor, f, page=1, per_page=home_pages.SECTION_LIMIT, sort="due_on"
    )
    return home_pages.deadline_rows(
        session,
        page.items,
        today=local_today(),
        soon_days=current_app.config["REMINDER_DUE_SOON_DAYS"],
    )


def role_sections(actor: Actor) -> dict[str, Any]:
    """What each of the actor's roles shows on the home page, bounded section by section."""
    session = db.session()
    today = local_today()
    roles = actor.roles
    out: dict[str, Any] = {}
    if roles & {Role.OFFICER, Role.COMPENSATION_OFFICER}:
        out["my_cases"] = home_pages.my_cases(session, actor)
        out["my_deadlines"] = _deadlines(
            actor,
            deadline_service.BoardFilter(officer_id=actor.user_id, states=_UNDONE, undone=True),
        )
    if Role.BUREAU_HEAD in roles:
        out["awaiting_approval"] = home_pages.cases_awaiting(
            session, actor, home_pages.APPROVAL_STATUSES, Permission.APPROVE_CASES
        )
        out["overdue"] = _deadlines(
            actor,
            deadline_service.BoardFilter(
                states=(DeadlineStateValue.OPEN, DeadlineStateValue.MISSED),
                undone=True,
                due_before=today - timedelta(days=1),
            ),
        )
    if Role.LEGAL_REVIEWER in roles:
        out["awaiting_review"] = home_pages.cases_awaiting(
            session, actor, home_pages.LEGAL_REVIEW_STATUSES, Permission.LEGAL_REVIEW
        )
    if roles & {Role.JUDGE, Role.PROSECUTOR}:
        out["families"] = home_pages.families_before_organ(session, actor)
    if Role.CREDIT_REGULATOR in roles:
        scheme = credit_service.scheme_named(current_app.config["CREDIT_SCHEME"])
        out["tier_changes"] = home_pages.recent_tier_changes(session, actor, scheme.key)
        out["credit_requests"] = home_pages.pending_credit_requests(session, actor)
    if Role.INSPECTION_PLANNER in roles:
        out["round"] = home_pages.current_round(session, actor, today=today)
        out["draws"] = home_pages.draw_outlook(
            session, actor, current_app.config["DRAW_SCOPES"], today=today
        )
    if Role.ADMIN in roles:
        out["system"] = home_pages.system_status(session, actor, today=today)
    return out


@bp.get("/")
@login_required
def home() -> Any:
    """Show the caller's home page: one section per role, and the unread notifications."""
    actor = page_actor()
    session = db.session()
    sections = role_sections(actor)
    return render_template(
        "home.html",
        actor=actor,
        roles=[r for r in ROLE_ORDER if r in actor.roles],
        partials=[name for name, roles in PARTIALS if roles & actor.roles],
        scope_names=home_pages.division_names(session, actor.scope_codes),
        organ_name=home_pages.organ_name(session, actor.organ_code),
        s=sections,
        unread=home_pages.unread_notifications(session, actor),
        unread_total=notifications.unread_count(session, actor),
        note=translated,
        local=local_time,
        stage_label=lambda stage: gettext(STAGES.get(stage, stage)),
        case_status=status_label,
        today=local_today(),
        labels=home_labels(),
        dlabels=deadline_pages.labels(),
    )


def home_labels() -> dict[str, Any]:
    return {
        "roles": ROLE_LABELS,
        "tiers": TIER_LABELS,
        "tier_badges": TIER_BADGES,
        "draws": DRAW_LABELS,
        "rounds": ROUND_LABELS,
        "runs": RUN_LABELS,
        "requests": REQUEST_LABELS,
        "channels": deadline_pages.CHANNEL_LABELS,
    }


@bp.get("/inbox")
@login_required
def inbox() -> Any:
    """List the caller's notifications, newest first."""
    actor = page_actor()
    unread = request.args.get("unread") == "1"
    page = notifications.inbox(
        db.session(),
        actor,
        unread=unread,
        page=max(1, min(request.args.get("page", 1, type=int) or 1, 100_000)),
        per_page=30,
    )
    return render_template(
        "home/inbox.html",
        page=page,
        unread=unread,
        args={"unread": "1"} if unread else {},
        note=translated,
        local=local_time,
    )


@bp.post("/inbox/read")
@login_required
def mark_read() -> Any:
    """Mark all the caller's notifications read."""
    n = notifications.mark_read(db.session(), page_actor(), None)
    flash(gettext("%(n)s notification(s) marked read.", n=n), "success")
    return redirect(url_for("pages.inbox"))
