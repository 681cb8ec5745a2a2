"""Provincial inspections (督察): teams, two-year rounds, the inspection of each unit through its
stages, the problems found and handed over, rectification progress, summons and public notices.

DOMAIN.md §5.2: 督察准备 → 督察进驻 (≈ 1 month) → 督察报告 → 督察反馈 → 移交移送 → 督察整改 →
验收销号 / 立卷归档 (中央生态环境保护督察工作规定 2019; 生态环境保护督察工作条例 2025).
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casemgr.db import Base, JSONType, UTCDateTime, utcnow
from casemgr.lifecycles.inspection import Stage
from casemgr.models.base import Audited, Timestamped, enum_type


class InspectionTeam(Audited, Timestamped, Base):
    """An inspection team (督察组): one unit at a time."""

    __tablename__ = "inspection_teams"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    leader_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class RoundStatus(enum.StrEnum):
    DRAFT = "draft"  # 草案: the planner may still move everything
    APPROVED = "approved"  # 已批准: running; edits are still re-checked
    CLOSED = "closed"  # 已结束


class InspectionRound(Audited, Timestamped, Base):
    """A two-year round (督察轮次) that inspects every inspection unit once (seed plan, DOMAIN.md
    §5.2 [A]). ``settings`` keeps what the plan was made with (teams, days on site per unit,
    rest days, blackout periods), so every later edit is checked against the same rules."""

    __tablename__ = "inspection_rounds"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    cycle_start: Mapped[date] = mapped_column(Date)
    cycle_end: Mapped[date] = mapped_column(Date)
    status: Mapped[RoundStatus] = mapped_column(
        enum_type(RoundStatus, "round_status"), default=RoundStatus.DRAFT
    )
    settings: Mapped[dict[str, object]] = mapped_column(JSONType, default=dict)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    visits: Mapped[list[UnitInspection]] = relationship(
        back_populates="round", order_by="UnitInspection.start_on, UnitInspection.id"
    )

    __mapper_args__ = {"version_id_col": version}


class VisitKind(enum.StrEnum):
    ROUTINE = "routine"  # 例行督察: part of the round's coverage
    SPECIAL = "special"  # 专项督察: added at any time


class UnitInspection(Audited, Timestamped, Base):
    """The inspection of one unit (对一个督察对象的督察): a routine visit of a round or a special
    one, its team and on-site period (督察进驻), and its stage."""

    __tablename__ = "unit_inspections"
    __table_args__ = (Index("ix_unit_inspections_unit_period", "unit_code", "start_on"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("inspection_rounds.id"), index=True)
    unit_code: Mapped[str] = mapped_column(ForeignKey("inspection_units.code"))
    team_id: Mapped[int] = mapped_column(ForeignKey("inspection_teams.id"), index=True)
    kind: Mapped[VisitKind] = mapped_column(enum_type(VisitKind, "visit_kind"))
    topic: Mapped[str] = mapped_column(String(200), default="")  # 专项督察: its subject
    start_on: Mapped[date] = mapped_column(Date)  # first day on site
    end_on: Mapped[date] = mapped_column(Date)  # last day on site
    stage: Mapped[Stage] = mapped_column(
        enum_type(Stage, "inspection_stage"), default=Stage.PREPARATION
    )
    report_on: Mapped[date | None] = mapped_column(Date)
    feedback_on: Mapped[date | None] = mapped_column(Date)
    rectification_plan_due: Mapped[date | None] = mapped_column(Date)
    rectification_plan_on: Mapped[date | None] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    round: Mapped[InspectionRound] = relationship(back_populates="visits")
    team: Mapped[InspectionTeam] = relationship(lazy="joined")
    problems: Mapped[list[InspectionProblem]] = relationship(
        back_populates="inspection", order_by="InspectionProblem.id"
    )
    stages: Mapped[list[StageChange]] = relationship(order_by="StageChange.id")

    __mapper_args__ = {"version_id_col": version}


class StageChange(Base):
    """A stage change of a unit inspection: who moved it, when, from where to where."""

    __tablename__ = "inspection_stage_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("unit_inspections.id"), index=True)
    from_stage: Mapped[str] = mapped_column(String(16))
    to_stage: Mapped[str] = mapped_column(String(16))
    event: Mapped[str] = mapped_column(String(32))
    on: Mapped[date] = mapped_column(Date)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ProblemStatus(enum.StrEnum):
    OPEN = "open"  # found, not yet handed over
    HANDED_OVER = "handed_over"  # 移交: a violation was logged in the case system
    RECTIFYING = "rectifying"  # 整改中
    ACCEPTED = "accepted"  # 验收销号


class InspectionProblem(Audited, Timestamped, Base):
    """A problem found by an inspection (督察发现问题). Handed over (移交), it becomes a violation
    in the case system; its rectification is followed until accepted (验收销号)."""

    __tablename__ = "inspection_problems"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("unit_inspections.id"), index=True)
    description: Mapped[str] = mapped_column(Text)
    county_code: Mapped[str] = mapped_column(ForeignKey("divisions.code"))
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprises.id"), index=True)
    violation_id: Mapped[int | None] = mapped_column(ForeignKey("violations.id"), unique=True)
    status: Mapped[ProblemStatus] = mapped_column(
        enum_type(ProblemStatus, "problem_status"), default=ProblemStatus.OPEN
    )
    rectification_due: Mapped[date | None] = mapped_column(Date)
    accepted_on: Mapped[date | None] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    inspection: Mapped[UnitInspection] = relationship(back_populates="problems")
    reports: Mapped[list[RectificationReport]] = relationship(
        order_by="RectificationReport.reported_on, RectificationReport.id"
    )

    __mapper_args__ = {"version_id_col": version}


class RectificationReport(Audited, Base):
    """A progress report on a problem's rectification (整改进展报告)."""

    __tablename__ = "rectification_reports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    problem_id: Mapped[int] = mapped_column(ForeignKey("inspection_problems.id"), index=True)
    reported_on: Mapped[date] = mapped_column(Date)
    percent_done: Mapped[int] = mapped_column(Integer)
    progress: Mapped[str] = mapped_column(Text)
    reported_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class UnitActionKind(enum.StrEnum):
    SUMMONS = "summons"  # 约谈
    PUBLIC_NOTICE = "public_notice"  # 通报


class UnitAction(Audited, Base):
    """A summons (约谈) or public notice (通报) recorded against an inspection unit."""

    __tablename__ = "inspection_unit_actions"
    __table_args__ = (UniqueConstraint("kind", "document_number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_code: Mapped[str] = mapped_column(ForeignKey("inspection_units.code"), index=True)
    inspection_id: Mapped[int | None] = mapped_column(ForeignKey("unit_inspections.id"))
    kind: Mapped[UnitActionKind] = mapped_column(enum_type(UnitActionKind, "unit_action_kind"))
    on: Mapped[date] = mapped_column(Date)
    document_number: Mapped[str | None] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
