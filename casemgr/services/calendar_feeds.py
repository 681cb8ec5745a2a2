"""iCalendar feeds (日历订阅, RFC 5545) per user and per inspection round, behind revocable
per-user tokens, for Outlook, WPS and any calendar that subscribes to a URL.

Calendar clients cannot send a bearer header, so a feed URL carries its own token; only its
SHA-256 is stored. The token stands for its user: it opens that user's feed and the round feeds
the user may read, and nothing else (another user's feed is refused with 403).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from icalendar import Calendar, Event
from sqlalchemy import select
from sqlalchemy.orm import Session

from casemgr.db import transaction, utcnow
from casemgr.exceptions import NotAuthenticated, NotFound, PermissionDenied
from casemgr.i18n import N_
from casemgr.legalbasis import Basis, basis_text
from casemgr.legalclock import RULES
from casemgr.models import (
    CalendarToken,
    Deadline,
    DeadlineStateValue,
    DrawAssignment,
    DrawStatus,
    DrawTarget,
    Enterprise,
    InspectionDraw,
    InspectionRound,
    InspectionUnit,
    UnitInspection,
    User,
)
from casemgr.policy import Actor, Permission
from casemgr.services.access import actor_for, require

PRODID = "-//Guizhou environmental enforcement//casemgr//ZH"


@dataclass(frozen=True)
class FeedEvent:
    """One all-day entry: ``summary`` is an ``N_`` template over ``params``; ``end`` inclusive;
    ``basis``, when given, is the description (a deadline's legal basis, rendered per locale)."""

    uid: str
    start: date
    end: date
    summary: str
    params: Mapping[str, Any] = field(default_factory=dict)
    description: str = ""
    basis: Basis = ()


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_token(session: Session, actor: Actor, *, label: str = "") -> tuple[str, CalendarToken]:
    """A new feed token for the actor; the plain token is returned once and never stored."""
    plain = "cal_" + secrets.token_urlsafe(24)
    with transaction(session, actor=actor):
        row = CalendarToken(user_id=actor.user_id, digest=_digest(plain), label=label[:100])
        session.add(row)
    return plain, row


def list_tokens(session: Session, actor: Actor) -> list[CalendarToken]:
    return list(
        session.scalars(
            select(CalendarToken)
            .where(CalendarToken.user_id == actor.user_id)
            .order_by(CalendarToken.id)
        )
    )


def revoke_token(session: Session, actor: Actor, token_id: int) -> CalendarToken:
    """Raises NotFound (also for another user's token: its existence is not revealed)."""
    with transaction(session, actor=actor):
        row = session.get(CalendarToken, token_id)
        if row is None or row.user_id != actor.user_id:
            raise NotFound(kind=N_("Calendar token"), key=token_id)
        if row.revoked_at is None:
            row.revoked_at = utcnow()
    return row


def actor_for_feed_token(session: Session, token: str) -> Actor:
    """The user a feed token stands for. Raises NotAuthenticated (unknown, revoked, inactive)."""
    row = session.scalar(select(CalendarToken).where(CalendarToken.digest == _digest(token)))
    if row is None or row.revoked_at is not None:
        raise NotAuthenticated()
    user = session.get(User, row.user_id)
    if user is None or not user.active:
        raise NotAuthenticated()
    with transaction(session):
        row.last_used_at = utcnow()
    return actor_for(session, user)


def user_events(session: Session, actor: Actor, user_id: int, *, today: date) -> list[FeedEvent]:
    """A user's own calendar: the open deadlines of their cases and the inspections they were
    drawn for (once dispatched). Raises PermissionDenied for anyone else's feed."""
    if actor.user_id != user_id:
        raise PermissionDenied()
    out: list[FeedEvent] = []
    for d in session.scalars(
        select(Deadline)
        .where(
            Deadline.officer_id == user_id,
            Deadline.state.in_([DeadlineStateValue.OPEN, DeadlineStateValue.MISSED]),
            Deadline.done_on.is_(None),
            Deadline.due_on >= today - timedelta(days=90),
        )
        .order_by(Deadline.due_on, Deadline.id)
    ):
        out.append(
            FeedEvent(
                uid=f"deadline-{d.id}",
                start=d.due_on,
                end=d.due_on,
                summary=N_("Deadline: {title} (case {case_id})"),
                params={"title": d.title, "case_id": d.case_id},
                description=d.basis,
                basis=RULES[d.rule_code].basis if d.rule_code in RULES else (),
            )
        )
    rows = session.execute(
        select(DrawTarget, InspectionDraw, Enterprise.name)
        .join(DrawAssignment, DrawAssignment.target_id == DrawTarget.id)
        .join(InspectionDraw, InspectionDraw.id == DrawTarget.draw_id)
        .join(Enterprise, Enterprise.id == DrawTarget.enterprise_id)
        .where(
            DrawAssignment.user_id == user_id,
            InspectionDraw.status.in_([DrawStatus.DISPATCHED, DrawStatus.PUBLISHED]),
            DrawTarget.inspected_on.is_(None),
        )
        .order_by(DrawTarget.id)
    ).all()
    for target, draw, name in rows:
        out.append(
            FeedEvent(
                uid=f"draw-target-{target.id}",
                start=draw.draw_on,
                end=draw.draw_on,
                summary=N_("Random inspection: {enterprise} ({period})"),
                params={"enterprise": name, "period": draw.period_label},
                description=draw.title,
            )
        )
    return out


def round_events(session: Session, actor: Actor, round_id: int) -> list[FeedEvent]:
    """A round's stays on site, the rectification plans due and the problems' rectification
    deadlines. Raises NotFound, PermissionDenied."""
    require(actor, Permission.READ_CASES)
    rnd = session.get(InspectionRound, round_id)
    if rnd is None:
        raise NotFound(kind=N_("Inspection round"), key=round_id)
    names = dict(session.execute(select(InspectionUnit.code, InspectionUnit.name)).all())
    out = []
    for v in session.scalars(
        select(UnitInspection)
        .where(UnitInspection.round_id == round_id)
        .order_by(UnitInspection.start_on, UnitInspection.id)
    ):
        out.append(
            FeedEvent(
                uid=f"unit-inspection-{v.id}",
                start=v.start_on,
                end=v.end_on,
                summary=N_("Inspection on site: {unit} ({team})"),
                params={"unit": names.get(v.unit_code, v.unit_code), "team": v.team.name},
                description=v.topic or rnd.name,
            )
        )
        unit = names.get(v.unit_code, v.unit_code)
        if v.rectification_plan_due is not None:
            out.append(
                FeedEvent(
                    uid=f"unit-inspection-{v.id}-plan-due",
                    start=v.rectification_plan_due,
                    end=v.rectification_plan_due,
                    summary=N_("Rectification plan due: {unit}"),
                    params={"unit": unit},
                )
            )
        for p in v.problems:
            if p.rectification_due is not None and p.accepted_on is None:
                out.append(
                    FeedEvent(
                        uid=f"inspection-problem-{p.id}-due",
                        start=p.rectification_due,
                        end=p.rectification_due,
                        summary=N_("Rectification due: {unit}, problem {id}"),
                        params={"unit": unit, "id": p.id},
                        description=p.description[:200],
                    )
                )
    return out


def to_ics(
    events: list[FeedEvent],
    *,
    name: str,
    host: str,
    render: Callable[[str, Mapping[str, Any]], str],
    legal: Callable[[Basis], str] = basis_text,
    now: datetime | None = None,
) -> bytes:
    """The feed as an RFC 5545 document: all-day events (DATE values, DTEND exclusive), stable
    UIDs so that subscribed calendars update entries instead of doubling them. ``render``
    translates the summaries, ``legal`` renders the legal bases."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", "Asia/Shanghai")
    stamp = now or utcnow()
    for e in events:
        ev = Event()
        ev.add("uid", f"{e.uid}@{host}")
        ev.add("dtstamp", stamp)
        ev.add("dtstart", e.start)
        ev.add("dtend", e.end + timedelta(days=1))
        ev.add("summary", render(e.summary, e.params))
        description = legal(e.basis) if e.basis else e.description
        if description:
            ev.add("description", description)
        ev.add("transp", "TRANSPARENT")
        cal.add_component(ev)
    return bytes(cal.to_ical())
