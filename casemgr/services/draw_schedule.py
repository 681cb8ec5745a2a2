"""The scheduler's side of the random draws: the draw of a scope and quarter that stands, and
the planners told that it is ready for their review or why it was refused."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from casemgr.db import transaction
from casemgr.exceptions import DomainError, Message
from casemgr.i18n import N_
from casemgr.models import DrawStatus, InspectionDraw
from casemgr.models.accounts import UserJurisdiction, UserRole
from casemgr.policy import Role
from casemgr.repositories.territories import counties_under
from casemgr.services import notifications
from casemgr.services.notifications import NewNotification


def find_draw(session: Session, scope_code: str, period_label: str) -> InspectionDraw | None:
    """The draw of a scope and period that stands (not cancelled), if any."""
    return session.scalar(
        select(InspectionDraw).where(
            InspectionDraw.scope_code == scope_code,
            InspectionDraw.period_label == period_label,
            InspectionDraw.status != DrawStatus.CANCELLED,
        )
    )


def tell_planners(
    session: Session,
    scope_code: str,
    period_label: str,
    refusal: DomainError | None,
    *,
    draw_id: int | None = None,
) -> int:
    """Tell the planners covering a scope that its scheduled draw is ready for review, or why it
    was refused (the refusal's first message, with its numbers)."""
    counties = counties_under(session, scope_code)
    planners = [
        uid
        for uid, code in session.execute(
            select(UserRole.user_id, UserJurisdiction.code)
            .join(UserJurisdiction, UserJurisdiction.user_id == UserRole.user_id)
            .where(UserRole.role == Role.INSPECTION_PLANNER)
        )
        if (under := counties_under(session, code)) is None
        or (counties is not None and counties <= under)
    ]
    if refusal is None:
        subject: str = N_("The draw {label} of {scope} is drawn and waits for your review")
        params: dict[str, Any] = {}
        kind = "draw_ready"
    else:
        first = next(iter(refusal.errors.values()), [None])[0]
        if isinstance(first, Message):
            subject, params = first.template, dict(first.params)
        else:
            subject, params = refusal.message_template, dict(refusal.params)
        kind = "draw_refused"
    params = {**params, "label": period_label, "scope": scope_code}
    with transaction(session):
        return notifications.add(
            session,
            [
                NewNotification(
                    user_id=uid,
                    kind=kind,
                    dedupe_key=f"draw:{scope_code}:{period_label}:{kind}",
                    subject=subject,
                    params=params,
                    link=f"/inspections/draws/{draw_id}" if draw_id else "/inspections",
                    email=True,
                )
                for uid in sorted(set(planners))
            ],
        )
