"""Deadline reminders (期限提醒): due soon, overdue, and escalation to the bureau head.

The scan reads the open and missed deadlines once, decides for each the reminder its state calls
for, and writes the new ones in one unit of work together with the deadline's ``reminded`` mark:
a scan that is killed writes nothing, a scan repeated writes nothing new, and a deadline whose
due date moves (an extension, a clock stop) is reminded again for the new date. The pair
(user, dedupe key) is unique in the notifications table as a second guard.

The levels only rise: due soon → overdue → escalated. Overdue means past its last day and not
done (the deadline is ``missed`` with no ``done_on``, 生态环境行政处罚办法 2023 art. 57 for the
decision limit and the rules of each channel for the others).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from casemgr.db import transaction
from casemgr.i18n import N_
from casemgr.models.cases import Deadline, DeadlineStateValue
from casemgr.repositories.bulk import update_column
from casemgr.services import notifications
from casemgr.services.notifications import NewNotification

LEVELS = ("due_soon", "overdue", "escalated")
_RANK = {name: i for i, name in enumerate(LEVELS)}

SUBJECTS = {
    "due_soon": N_("Deadline due on {due_on}: {title} (case {case_id})"),
    "overdue": N_("Deadline missed on {due_on}: {title} (case {case_id})"),
    "escalated": N_(
        "Escalated: deadline missed on {due_on} and still not met: {title} (case {case_id})"
    ),
}


@dataclass(frozen=True)
class ReminderSettings:
    due_soon_days: int = 3  # remind this many calendar days before the last day
    escalate_after_days: int = 3  # escalate to the head this many days after it was missed
    email: bool = True  # also by e-mail when SMTP is configured


@dataclass
class ReminderReport:
    today: date
    scanned: int = 0
    notified: dict[str, int] = field(default_factory=lambda: dict.fromkeys(LEVELS, 0))
    seconds: float = 0.0


def _level(due_on: date, today: date, s: ReminderSettings) -> str | None:
    """By the dates alone: a deadline not yet marked missed (the nightly refresh has not run)
    is just as overdue."""
    if due_on < today:
        if due_on <= today - timedelta(days=s.escalate_after_days):
            return "escalated"
        return "overdue"
    if due_on <= today + timedelta(days=s.due_soon_days):
        return "due_soon"
    return None


def _already(reminded: str | None, level: str, due_on: date) -> bool:
    """Whether the mark already covers this level (or a higher one) for this due date."""
    if not reminded:
        return False
    done_level, _, done_due = reminded.partition(":")
    return done_due == due_on.isoformat() and _RANK.get(done_level, -1) >= _RANK[level]


def scan(
    session: Session, *, today: date, settings: ReminderSettings | None = None
) -> ReminderReport:
    """Write the reminders the open and missed deadlines call for (the scheduler's job)."""
    s = settings or ReminderSettings()
    started = time.monotonic()
    report = ReminderReport(today)
    rows = session.execute(
        select(
            Deadline.id,
            Deadline.case_id,
            Deadline.title,
            Deadline.due_on,
            Deadline.officer_id,
            Deadline.county_code,
            Deadline.reminded,
        ).where(
            or_(
                Deadline.state == DeadlineStateValue.MISSED,
                Deadline.state == DeadlineStateValue.OPEN,
            ),
            Deadline.done_on.is_(None),
            Deadline.due_on <= today + timedelta(days=s.due_soon_days),
        )
    ).all()
    report.scanned = len(rows)
    heads: dict[str, list[int]] | None = None
    new: list[NewNotification] = []
    marks: list[tuple[int, str]] = []
    for r in rows:
        level = _level(r.due_on, today, s)
        if level is None or _already(r.reminded, level, r.due_on):
            continue
        if level == "escalated" or r.officer_id is None:
            if heads is None:
                heads = notifications.heads_by_county(session)
            recipients = heads.get(r.county_code) or heads.get("*", [])
            if level == "escalated" and r.officer_id is not None:
                recipients = [*recipients, r.officer_id]
        else:
            recipients = [r.officer_id]
        params = {"due_on": r.due_on.isoformat(), "title": r.title, "case_id": r.case_id}
        for user_id in sorted(set(recipients)):
            new.append(
                NewNotification(
                    user_id=user_id,
                    kind=f"deadline_{level}",
                    dedupe_key=f"deadline:{r.id}:{level}:{r.due_on.isoformat()}",
                    subject=SUBJECTS[level],
                    params=params,
                    link=f"/cases/{r.case_id}",
                    email=s.email,
                )
            )
        marks.append((r.id, f"{level}:{r.due_on.isoformat()}"))
        report.notified[level] += 1
    if marks:
        with transaction(session):
            notifications.add(session, new)
            update_column(session, Deadline, "reminded", marks)
    report.seconds = time.monotonic() - started
    return report
