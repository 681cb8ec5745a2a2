"""The in-app inbox (站内通知) and e-mail delivery of notifications.

A notification names what it is about and in which state in its ``dedupe_key``; the pair
(user, key) is unique in the table, so a reminder written twice (two scans, a scheduler killed and
restarted, two schedulers racing) is stored once. Texts are English templates (``N_``) with
parameters, rendered in the reader's language.
"""

from __future__ import annotations

import smtplib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from sqlalchemy import func, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from casemgr.db import transaction, utcnow
from casemgr.exceptions import InvalidInput
from casemgr.i18n import N_
from casemgr.models import Notification, User
from casemgr.models.accounts import UserJurisdiction, UserRole
from casemgr.policy import Actor, Role
from casemgr.repositories.bulk import COPY_THRESHOLD, copy_rows
from casemgr.repositories.common import Page, paginate
from casemgr.repositories.territories import counties_under

CHUNK = 2000
_COLUMNS = "user_id, kind, dedupe_key, subject, params, link, email_due, created_at"


@dataclass(frozen=True)
class NewNotification:
    """A notification to write: ``subject`` is an ``N_`` template over ``params``."""

    user_id: int
    kind: str
    dedupe_key: str
    subject: str
    params: Mapping[str, Any] = field(default_factory=dict)
    link: str = ""
    email: bool = False


def add(session: Session, items: Iterable[NewNotification]) -> int:
    """Write notifications inside the caller's unit of work, skipping any whose (user, key)
    already exists; returns how many were new."""
    rows = [
        {
            "user_id": n.user_id,
            "kind": n.kind,
            "dedupe_key": n.dedupe_key[:200],
            "subject": n.subject,
            "params": dict(n.params),
            "link": n.link,
            "email_due": n.email,
            "created_at": utcnow(),
        }
        for n in items
    ]
    if not rows:
        return 0
    if session.get_bind().dialect.name == "postgresql" and len(rows) >= COPY_THRESHOLD:
        # A first reminder scan after an import writes 100,000 at once. Copied straight in
        # when none exists yet (the reminder marks see to that); else through a staging table,
        # skipping the pairs already there.
        from psycopg.errors import UniqueViolation

        try:
            with session.begin_nested():
                copy_rows(session, Notification, rows)
            return len(rows)
        except UniqueViolation:
            pass
        session.execute(
            text(
                f"CREATE TEMP TABLE IF NOT EXISTS notifications_stage ON COMMIT DROP AS "
                f"SELECT {_COLUMNS} FROM notifications WITH NO DATA"
            )
        )
        session.execute(text("TRUNCATE notifications_stage"))
        copy_rows(session, Notification, rows, into="notifications_stage")
        moved = session.execute(
            text(
                f"INSERT INTO notifications ({_COLUMNS}) SELECT {_COLUMNS} FROM "
                "notifications_stage ON CONFLICT (user_id, dedupe_key) DO NOTHING"
            )
        )
        return int(moved.rowcount or 0)  # type: ignore[attr-defined]
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    n = 0
    for start in range(0, len(rows), CHUNK):
        stmt = (
            insert(Notification)
            .on_conflict_do_nothing(index_elements=["user_id", "dedupe_key"])
            .returning(Notification.id)
        )
        n += len(session.execute(stmt, rows[start : start + CHUNK]).all())
    return n


def inbox(
    session: Session, actor: Actor, *, unread: bool = False, page: int = 1, per_page: int = 50
) -> Page[Notification]:
    """The actor's own notifications, newest first."""
    stmt = select(Notification).where(Notification.user_id == actor.user_id)
    if unread:
        stmt = stmt.where(Notification.read_at.is_(None))
    return paginate(session, stmt.order_by(Notification.id.desc()), page=page, per_page=per_page)


def unread_count(session: Session, actor: Actor) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(Notification)
            .where(Notification.user_id == actor.user_id, Notification.read_at.is_(None))
        )
        or 0
    )


def mark_read(session: Session, actor: Actor, ids: Sequence[int] | None) -> int:
    """Mark the actor's notifications read (the given ones, or all when ``ids`` is None).

    Raises InvalidInput naming the ids that are not the actor's."""
    with transaction(session, actor=actor):
        stmt = update(Notification).where(
            Notification.user_id == actor.user_id, Notification.read_at.is_(None)
        )
        if ids is not None:
            wanted = sorted(set(ids))
            own = set(
                session.scalars(
                    select(Notification.id).where(
                        Notification.id.in_(wanted), Notification.user_id == actor.user_id
                    )
                )
            )
            missing = [i for i in wanted if i not in own]
            if missing:
                raise InvalidInput.field(
                    "ids",
                    N_("No notification of yours has the id(s) {ids}."),
                    ids=", ".join(map(str, missing)),
                )
            stmt = stmt.where(Notification.id.in_(wanted))
        return session.execute(stmt.values(read_at=utcnow())).rowcount or 0  # type: ignore[attr-defined]


def heads_by_county(session: Session) -> dict[str, list[int]]:
    """The bureau heads (负责人) to escalate to, by county: those of the county itself when it
    has any, else of its prefecture, else of the province."""
    rows = session.execute(
        select(UserRole.user_id, UserJurisdiction.code)
        .join(User, User.id == UserRole.user_id)
        .join(UserJurisdiction, UserJurisdiction.user_id == UserRole.user_id)
        .where(UserRole.role == Role.BUREAU_HEAD, User.active.is_(True))
    ).all()
    best: dict[str, tuple[int, list[int]]] = {}  # county -> (breadth of scope, heads)
    province: list[int] = []
    for user_id, code in rows:
        counties = counties_under(session, code)
        if counties is None:
            province.append(user_id)
            continue
        for county in counties:
            breadth, heads = best.get(county, (10**6, []))
            if len(counties) < breadth:
                best[county] = (len(counties), [user_id])
            elif len(counties) == breadth:
                heads.append(user_id)
    out = {county: sorted(set(heads)) for county, (_, heads) in best.items()}
    out["*"] = sorted(set(province))  # counties nobody nearer covers
    return out


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int = 25
    username: str = ""
    password: str = ""
    starttls: bool = False
    sender: str = "casemgr@localhost"
    timeout: float = 10.0


def deliver_emails(
    session: Session,
    smtp: SmtpSettings,
    render: Callable[[Notification], tuple[str, str]],
    *,
    limit: int = 500,
) -> tuple[int, int]:
    """Send the notifications due by e-mail to users who have an address; each is marked sent
    (or its error kept, to retry next time) in its own commit, so a crash resends at most the
    one in flight. Returns (sent, failed)."""
    pending = session.execute(
        select(Notification, User.email)
        .join(User, User.id == Notification.user_id)
        .where(
            Notification.email_due.is_(True),
            Notification.emailed_at.is_(None),
            User.email.is_not(None),
            User.email != "",
        )
        .order_by(Notification.id)
        .limit(limit)
    ).all()
    sent = failed = 0
    if not pending:
        return sent, failed
    try:
        client = smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout)
    except OSError as exc:
        with transaction(session):
            for note, _ in pending:
                note.email_error = f"connect: {exc}"[:300]
        return 0, len(pending)
    with client:
        if smtp.starttls:
            client.starttls()
        if smtp.username:
            client.login(smtp.username, smtp.password)
        for note, address in pending:
            subject, body = render(note)
            msg = EmailMessage()
            msg["From"] = smtp.sender
            msg["To"] = address
            msg["Subject"] = subject
            msg.set_content(body)
            error: str | None = None
            try:
                client.send_message(msg)
            except smtplib.SMTPException as exc:
                error = str(exc)[:300]
            with transaction(session):
                if error is None:
                    note.emailed_at = utcnow()
                    note.email_error = None
                    sent += 1
                else:
                    note.email_error = error
                    failed += 1
    return sent, failed
