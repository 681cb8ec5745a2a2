"""Notifications (站内通知) with their e-mail delivery, calendar-feed tokens, and the scheduler's
own tables (its job store and the log of job runs)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    Unicode,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from casemgr.db import Base, JSONType, UTCDateTime, utcnow


class Notification(Base):
    """A message in a user's inbox. ``dedupe_key`` names what it is about and in which state
    (e.g. ``deadline:42:overdue:2026-12-01``): the same reminder is never sent twice."""

    __tablename__ = "notifications"
    __table_args__ = (
        UniqueConstraint("user_id", "dedupe_key"),
        Index("ix_notifications_inbox", "user_id", "read_at", "id"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(32))
    dedupe_key: Mapped[str] = mapped_column(String(200))
    # The English message template (an N_ msgid) and its parameters: rendered in the reader's
    # language when shown, in the system's language when e-mailed.
    subject: Mapped[str] = mapped_column(String(200))
    params: Mapped[dict[str, object]] = mapped_column(JSONType, default=dict)
    link: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # E-mail (when SMTP is configured): sent once; a failure is kept and retried.
    email_due: Mapped[bool] = mapped_column(default=False)
    emailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    email_error: Mapped[str | None] = mapped_column(String(300))


class CalendarToken(Base):
    """A revocable token of a user's iCalendar feed (日历订阅); only its SHA-256 is stored."""

    __tablename__ = "calendar_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class JobRun(Base):
    """One run of a scheduled job: which process ran it, for which planned time, how it ended
    (the scheduler's log, and the proof that only one scheduler runs the jobs)."""

    __tablename__ = "job_runs"
    __table_args__ = (Index("ix_job_runs_job", "job_id", "id"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    job_id: Mapped[str] = mapped_column(String(64))
    runner: Mapped[str] = mapped_column(String(100))  # host:pid
    scheduled_for: Mapped[datetime | None] = mapped_column(UTCDateTime())
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    outcome: Mapped[str] = mapped_column(String(16), default="running")  # ok | failed | running
    coalesced: Mapped[int] = mapped_column(Integer, default=0)  # missed runs folded into this one
    detail: Mapped[str] = mapped_column(Text, default="")


# APScheduler's SQLAlchemyJobStore table, declared here so that the migrations create it (the
# store would otherwise create it on first start, outside the migrations).
scheduler_jobs = Table(
    "scheduler_jobs",
    Base.metadata,
    Column("id", Unicode(191), primary_key=True),
    Column("next_run_time", Float(25), index=True),
    Column("job_state", LargeBinary, nullable=False),
)
