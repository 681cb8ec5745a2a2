"""Cases (案件) of every channel, their transitions, deadlines, clock stops and records."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casemgr.db import Base, JSONType, UTCDateTime, utcnow
from casemgr.models.accounts import User
from casemgr.models.base import Audited, Timestamped, enum_type


class Channel(enum.StrEnum):
    ADMINISTRATIVE = "administrative"  # 行政处罚
    CRIMINAL = "criminal"  # 刑事
    CIVIL = "civil"  # 民事 / 公益诉讼
    COMPENSATION = "compensation"  # 生态环境损害赔偿


class Procedure(enum.StrEnum):
    GENERAL = "general"  # 普通程序
    SIMPLE = "simple"  # 简易程序 (当场处罚), 行政处罚法 art. 51


class Case(Audited, Timestamped, Base):
    """A case (案件) in one channel, hanging off a violation. ``status`` is written only by
    ``casemgr.services.cases`` through the channel's lifecycle table."""

    __tablename__ = "cases"
    __table_args__ = (
        Index("ix_cases_county_status", "county_code", "status"),
        Index("ix_cases_violation_id", "violation_id"),
        Index("ix_cases_procuratorate_code", "procuratorate_code"),
        Index("ix_cases_court_code", "court_code"),
        # The dashboard's date ranges, read from the index alone (0019): cases by the day the
        # lead came in, fines by the day of the decision.
        Index(
            "ix_cases_lead_received",
            "lead_received_on",
            "county_code",
            "channel",
            "track",
            "status",
        ),
        Index(
            "ix_cases_decided", "channel", "decided_on", "status", "final_fine_cents", "county_code"
        ),
        Index("ix_cases_lead_officer", "lead_officer_id", "id"),  # an officer's own cases
        # Cases waiting in a stage, the longest waiting first (the approvers' home pages).
        Index("ix_cases_status_lead", "status", "lead_received_on", "id", "county_code", "track"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    violation_id: Mapped[int] = mapped_column(ForeignKey("violations.id"))
    channel: Mapped[Channel] = mapped_column(enum_type(Channel, "channel"))
    procedure: Mapped[Procedure] = mapped_column(
        enum_type(Procedure, "procedure"), default=Procedure.GENERAL
    )
    number: Mapped[str | None] = mapped_column(String(64), unique=True)  # 黔环罚〔2026〕12号
    status: Mapped[str] = mapped_column(String(32))
    county_code: Mapped[str] = mapped_column(ForeignKey("divisions.code"))
    party_enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprises.id"))
    party_is_organisation: Mapped[bool] = mapped_column(Boolean, default=True)
    lead_officer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    title: Mapped[str] = mapped_column(String(300), default="")
    # Dates of the procedure (local dates, Asia/Shanghai)
    lead_received_on: Mapped[date] = mapped_column(Date)
    filed_on: Mapped[date | None] = mapped_column(Date)
    notice_served_on: Mapped[date | None] = mapped_column(Date)
    decided_on: Mapped[date | None] = mapped_column(Date)
    served_on: Mapped[date | None] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)
    # Facts the lifecycle guards read
    rights_waived_in_writing: Mapped[bool] = mapped_column(Boolean, default=False)
    defence_received: Mapped[bool] = mapped_column(Boolean, default=False)
    hearing_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    hearing_held_or_waived: Mapped[bool] = mapped_column(Boolean, default=False)
    art58_conditions: Mapped[list[str]] = mapped_column(JSONType, default=list)
    legal_review_passed: Mapped[bool] = mapped_column(Boolean, default=False)
    collective_discussion_required: Mapped[bool] = mapped_column(Boolean, default=False)
    collective_discussion_done: Mapped[bool] = mapped_column(Boolean, default=False)
    proposed_penalty_types: Mapped[list[str]] = mapped_column(JSONType, default=list)
    proposed_fine_cents: Mapped[int | None] = mapped_column(BigInteger)
    penalty_types: Mapped[list[str]] = mapped_column(JSONType, default=list)
    final_fine_cents: Mapped[int | None] = mapped_column(BigInteger)
    correction_ordered_on: Mapped[date | None] = mapped_column(Date)  # 责令改正, art. 28
    overdue_reason: Mapped[str | None] = mapped_column(Text)
    # Every channel: the lifecycle that drives ``status`` and the channel's own facts (the step
    # data the lifecycle module's RECORDS names), and the judicial organs the case is before.
    track: Mapped[str] = mapped_column(String(32), default="administrative")
    details: Mapped[dict[str, object]] = mapped_column(JSONType, default=dict)
    police_code: Mapped[str | None] = mapped_column(ForeignKey("judicial_organs.code"))
    procuratorate_code: Mapped[str | None] = mapped_column(ForeignKey("judicial_organs.code"))
    court_code: Mapped[str | None] = mapped_column(ForeignKey("judicial_organs.code"))
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    transitions: Mapped[list[CaseTransition]] = relationship(
        back_populates="case", order_by="CaseTransition.id", cascade="all, delete-orphan"
    )
    deadlines: Mapped[list[Deadline]] = relationship(
        back_populates="case", order_by="Deadline.id", cascade="all, delete-orphan"
    )
    clock_stops: Mapped[list[ClockStopRecord]] = relationship(
        back_populates="case", order_by="ClockStopRecord.id", cascade="all, delete-orphan"
    )
    extensions: Mapped[list[Extension]] = relationship(
        back_populates="case", order_by="Extension.id", cascade="all, delete-orphan"
    )
    records: Mapped[list[InvestigationRecord]] = relationship(
        back_populates="case", order_by="InvestigationRecord.id", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}


class CaseTransition(Base):
    """One applied lifecycle event (from, to, event, actor, time). Append-only by design; the
    audit trail records it as part of the case's update too."""

    __tablename__ = "case_transitions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    from_status: Mapped[str] = mapped_column(String(32))
    to_status: Mapped[str] = mapped_column(String(32))
    event: Mapped[str] = mapped_column(String(48))
    on: Mapped[date] = mapped_column(Date)  # the legal date of the step
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_name: Mapped[str] = mapped_column(String(64))
    note: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict[str, object]] = mapped_column(JSONType, default=dict)

    case: Mapped[Case] = relationship(back_populates="transitions")


class DeadlineStateValue(enum.StrEnum):
    OPEN = "open"  # running
    MET = "met"  # done in time (a party's window: closed)
    MISSED = "missed"  # done late or not done by its last day: a visible breach
    PAUSED = "paused"  # a clock stop is running
    CANCELLED = "cancelled"  # moot: the procedure ended another way (withdrawn, transferred...)


class Deadline(Base):
    """A deadline of a case: its rule, legal basis, start event, due date and state."""

    __tablename__ = "deadlines"
    __table_args__ = (
        UniqueConstraint("case_id", "rule_code"),
        Index("ix_deadlines_state_due", "state", "due_on"),
        # The board and the overdue lists in due-date order, and the dashboard's overdue count
        # over the deadlines not done only (0019).
        Index("ix_deadlines_due", "due_on", "id"),
        Index(
            "ix_deadlines_overdue",
            "state",
            "due_on",
            "rule_code",
            "county_code",
            "channel",
            postgresql_where=text("done_on IS NULL"),
            sqlite_where=text("done_on IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    rule_code: Mapped[str] = mapped_column(String(48))
    # The rule's English title and canonical English basis (casemgr.legalbasis.basis_text, up
    # to about 400 characters: TEXT since 0021); pages render the rule's own in the reader's
    # language and show these only for a code the legal clock does not know.
    title: Mapped[str] = mapped_column(String(100))
    basis: Mapped[str] = mapped_column(Text)
    start_event: Mapped[str] = mapped_column(String(48))
    start_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date)
    paused_days: Mapped[int] = mapped_column(Integer, default=0)
    provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    state: Mapped[DeadlineStateValue] = mapped_column(
        enum_type(DeadlineStateValue, "deadline_state"), default=DeadlineStateValue.OPEN
    )
    done_on: Mapped[date | None] = mapped_column(Date)
    breach_reason: Mapped[str | None] = mapped_column(Text)  # a recorded, visible breach
    # The last reminder sent (casemgr.services.reminders): "due_soon|overdue|escalated:<due>".
    reminded: Mapped[str | None] = mapped_column(String(48))
    # Denormalised for the deadline board (jurisdiction and officer filters without joins)
    county_code: Mapped[str] = mapped_column(String(6), index=True)
    officer_id: Mapped[int | None] = mapped_column(Integer, index=True)
    channel: Mapped[str] = mapped_column(String(16))

    case: Mapped[Case] = relationship(back_populates="deadlines")


class ClockStopRecord(Audited, Base):
    """A period during which a pausable deadline does not run (hearing, appraisal, public
    notice, criminal transfer pending...), 生态环境行政处罚办法 2023 art. 57."""

    __tablename__ = "clock_stops"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    reason: Mapped[str] = mapped_column(String(48))
    note: Mapped[str] = mapped_column(String(300), default="")
    start_on: Mapped[date] = mapped_column(Date)
    end_on: Mapped[date | None] = mapped_column(Date)

    case: Mapped[Case] = relationship(back_populates="clock_stops")


class Extension(Audited, Base):
    """An approved extension of a time limit (e.g. the 90-day decision limit +30 days by the
    head, a further ≤30 by collective discussion; 生态环境行政处罚办法 2023 art. 57)."""

    __tablename__ = "extensions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    rule_code: Mapped[str] = mapped_column(String(48))
    days: Mapped[int] = mapped_column(Integer)
    approved_on: Mapped[date] = mapped_column(Date)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    by_collective_discussion: Mapped[bool] = mapped_column(Boolean, default=False)
    reason: Mapped[str] = mapped_column(String(500))

    case: Mapped[Case] = relationship(back_populates="extensions")


record_officers = Table(
    "record_officers",
    Base.metadata,
    Column("record_id", ForeignKey("investigation_records.id"), primary_key=True),
    Column("user_id", ForeignKey("users.id"), primary_key=True),
)


class RecordKind(enum.StrEnum):
    INSPECTION = "inspection"  # 现场检查(勘察)笔录
    INTERVIEW = "interview"  # 调查询问笔录
    SEAL_UP = "seal_up"  # 查封、扣押笔录
    SAMPLING = "sampling"  # 采样记录
    OTHER = "other"


class InvestigationRecord(Audited, Base):
    """An on-site or interview record (笔录) with the officers present (行政处罚法 arts. 42, 55)."""

    __tablename__ = "investigation_records"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    kind: Mapped[RecordKind] = mapped_column(enum_type(RecordKind, "record_kind"))
    held_at: Mapped[datetime] = mapped_column(UTCDateTime())
    place: Mapped[str] = mapped_column(String(300), default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    officers: Mapped[list[User]] = relationship(secondary=record_officers, order_by=User.id)

    case: Mapped[Case] = relationship(back_populates="records")


class CaseNumberCounter(Base):
    """The last case number issued per prefix and year; locked while a number is drawn, so
    numbers are gapless and unique (a rolled-back filing gives its number back)."""

    __tablename__ = "case_number_counters"

    prefix: Mapped[str] = mapped_column(String(32), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer, default=0)
