"""The inbox (站内通知) and calendar feeds (日历订阅)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Response, request
from flask.views import MethodView
from flask_babel import gettext
from flask_smorest import Blueprint

from casemgr.api.common import page_body
from casemgr.extensions import db
from casemgr.i18n import N_
from casemgr.legalbasis import Basis, render_basis
from casemgr.schemas.common import translated
from casemgr.schemas.notifications import (
    CalendarTokenArgs,
    CalendarTokenSchema,
    FeedArgs,
    InboxArgs,
    IssuedCalendarTokenSchema,
    MarkedSchema,
    MarkReadSchema,
    NotificationPageSchema,
    UnreadCountSchema,
)
from casemgr.security import api_actor
from casemgr.services import calendar_feeds as feeds
from casemgr.services import notifications as svc
from casemgr.services.localtime import local_today

blp = Blueprint("notifications", __name__, description="Inbox and calendar feeds")


@blp.route("/notifications")
class Inbox(MethodView):
    @blp.arguments(InboxArgs, location="query")
    @blp.response(200, NotificationPageSchema)
    def get(self, args: dict[str, Any]) -> Any:
        """List your notifications, newest first"""
        return page_body(
            svc.inbox(
                db.session(),
                api_actor(),
                unread=args["unread"],
                page=args["page"],
                per_page=args["per_page"],
            )
        )


@blp.route("/notifications/unread-count")
class UnreadCount(MethodView):
    @blp.response(200, UnreadCountSchema)
    def get(self) -> Any:
        """Count your unread notifications"""
        return {"unread": svc.unread_count(db.session(), api_actor())}


@blp.route("/notifications/read")
class MarkRead(MethodView):
    @blp.arguments(MarkReadSchema)
    @blp.response(200, MarkedSchema)
    def post(self, data: dict[str, Any]) -> Any:
        """Mark notifications read (the ones given, or all)"""
        ids = None if data.get("all") else data["ids"]
        return {"marked": svc.mark_read(db.session(), api_actor(), ids)}


def _feed_url(user_id: int, token: str) -> str:
    return f"{request.host_url.rstrip('/')}/api/v1/calendar/users/{user_id}.ics?token={token}"


@blp.route("/calendar-tokens")
class CalendarTokens(MethodView):
    @blp.arguments(CalendarTokenArgs)
    @blp.response(201, IssuedCalendarTokenSchema)
    def post(self, args: dict[str, Any]) -> Any:
        """Create a token for your calendar feed (shown once)"""
        actor = api_actor()
        plain, row = feeds.issue_token(db.session(), actor, label=args["label"])
        fields = ("id", "label", "created_at", "revoked_at", "last_used_at")
        return {
            **{f: getattr(row, f) for f in fields},
            "token": plain,
            "feed_url": _feed_url(actor.user_id, plain),
        }

    @blp.response(200, CalendarTokenSchema(many=True))
    def get(self) -> Any:
        """List your calendar-feed tokens"""
        return feeds.list_tokens(db.session(), api_actor())


@blp.route("/calendar-tokens/<int(max=2147483647):token_id>")
class CalendarTokenById(MethodView):
    @blp.response(200, CalendarTokenSchema)
    def delete(self, token_id: int) -> Any:
        """Revoke a calendar-feed token"""
        return feeds.revoke_token(db.session(), api_actor(), token_id)


_ICS = {"content": {"text/calendar; charset=utf-8": {"schema": {"type": "string"}}}}


def _ics(events: list[feeds.FeedEvent], name: str) -> Response:
    def render(template: str, params: Mapping[str, Any]) -> str:
        return translated(template, dict(params))

    def legal(basis: Basis) -> str:
        return render_basis(basis, gettext)

    host = request.host.split(":")[0]
    body = feeds.to_ics(events, name=name, host=host, render=render, legal=legal)
    response = Response(body, mimetype="text/calendar")
    response.headers["Cache-Control"] = "private, max-age=300"
    return response


@blp.route("/calendar/users/<int(max=2147483647):user_id>.ics")
class UserFeed(MethodView):
    @blp.arguments(FeedArgs, location="query")
    @blp.response(200, {"type": "string"}, content_type="text/calendar; charset=utf-8")
    @blp.doc(security=[], responses={"200": _ICS})
    def get(self, args: dict[str, Any], user_id: int) -> Any:
        """A user's calendar (deadlines, drawn inspections) for calendar apps; 403 for a token
        of another user"""
        session = db.session()
        actor = feeds.actor_for_feed_token(session, args["token"])
        events = feeds.user_events(session, actor, user_id, today=local_today())
        return _ics(events, translated(N_("Deadlines and inspections")))


@blp.route("/calendar/rounds/<int(max=2147483647):round_id>.ics")
class RoundFeed(MethodView):
    @blp.arguments(FeedArgs, location="query")
    @blp.response(200, {"type": "string"}, content_type="text/calendar; charset=utf-8")
    @blp.doc(security=[], responses={"200": _ICS})
    def get(self, args: dict[str, Any], round_id: int) -> Any:
        """An inspection round's on-site periods for calendar apps"""
        session = db.session()
        actor = feeds.actor_for_feed_token(session, args["token"])
        events = feeds.round_events(session, actor, round_id)
        return _ics(events, translated(N_("Inspection round {id}"), {"id": round_id}))
