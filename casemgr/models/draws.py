"""Random inspection draws (双随机、一公开): the draw with its published seed, the frozen pool and
roster it was drawn from, the targets and their inspectors, declared conflicts of interest.

DOMAIN.md §5.1 (国办发〔2015〕58号; 环办〔2015〕88号): targets drawn at random from the
pollution-source pools, inspectors at random from the certified roster, results published.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casemgr.db import Base, JSONType, UTCDateTime, utcnow
from casemgr.models.base import Audited, Timestamped, enum_type


class DrawStatus(enum.StrEnum):
    """A draw's steps. The lists stay hidden from all but the planners until dispatch
    (DOMAIN.md §5.1: lists kept secret before on-site work)."""

    PREPARED = "prepared"  # 已公布种子: pool, roster and configuration frozen, seed published
    DRAWN = "drawn"  # 已抽取: the lists exist, seen by planners only
    DISPATCHED = "dispatched"  # 已派发: each inspector sees their own inspections
    PUBLISHED = "published"  # 已公开: the results are public
    CANCELLED = "cancelled"  # 已作废 (before dispatch, with reasons)


class InspectionDraw(Audited, Timestamped, Base):
    """One random draw (一次双随机抽查) for a jurisdiction and period."""

    __tablename__ = "inspection_draws"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    scope_code: Mapped[str] = mapped_column(String(8), index=True)  # the organising division
    level: Mapped[str] = mapped_column(String(16))  # province | prefecture | county
    period: Mapped[str] = mapped_column(String(16))  # quarter | half_year | year
    period_label: Mapped[str] = mapped_column(String(16))  # e.g. 2026Q3
    draw_on: Mapped[date] = mapped_column(Date)  # the day certificates and tiers are read for
    seed: Mapped[str] = mapped_column(String(128))
    seed_published_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    status: Mapped[DrawStatus] = mapped_column(
        enum_type(DrawStatus, "draw_status"), default=DrawStatus.PREPARED
    )
    config: Mapped[dict[str, object]] = mapped_column(JSONType)
    config_digest: Mapped[str] = mapped_column(String(64))
    pool_digest: Mapped[str] = mapped_column(String(64))
    roster_digest: Mapped[str] = mapped_column(String(64))
    exclusions_digest: Mapped[str] = mapped_column(String(64))  # conflicts, last inspectors
    result_digest: Mapped[str | None] = mapped_column(String(64))
    pool_size: Mapped[int] = mapped_column(Integer)
    roster_size: Mapped[int] = mapped_column(Integer)
    credit_scheme: Mapped[str] = mapped_column(String(64), default="")
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    drawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    dispatched_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    targets: Mapped[list[DrawTarget]] = relationship(order_by="DrawTarget.rank")

    __mapper_args__ = {"version_id_col": version}


class DrawInputs(Base):
    """A draw's frozen inputs: the document anyone re-runs it from
    (:mod:`casemgr.planning.draw_documents`) and the pool's internal enterprise ids, with the
    SHA-256 of the stored bytes. Stored as two gzip members one after the other (the ids as a
    JSON list, then the published document exactly as it is downloaded), so the download sends
    the second member as it is (``Content-Encoding: gzip``); draws stored earlier hold one gzip
    JSON document whose last key is the ids (``casemgr.services.draws`` reads both). One row per
    draw: a province pool of 100,000 enterprises is written and read back in a fraction of a
    second."""

    __tablename__ = "draw_inputs"

    draw_id: Mapped[int] = mapped_column(ForeignKey("inspection_draws.id"), primary_key=True)
    document: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))


class TargetOutcome(enum.StrEnum):
    PENDING = "pending"  # 待检查
    NO_PROBLEM = "no_problem"  # 未发现问题
    PROBLEM_FOUND = "problem_found"  # 发现问题 (a violation was logged)
    NOT_FOUND = "not_found"  # 查无此企业 / 已关停


class DrawTarget(Base):
    """A drawn enterprise, its rank and score, and the outcome published afterwards."""

    __tablename__ = "draw_targets"
    __table_args__ = (Index("ix_draw_targets_enterprise", "enterprise_id", "draw_id"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    draw_id: Mapped[int] = mapped_column(ForeignKey("inspection_draws.id"), index=True)
    rank: Mapped[int] = mapped_column(Integer)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"))
    inspection_class: Mapped[str] = mapped_column(String(16))
    county_code: Mapped[str] = mapped_column(String(6))
    score: Mapped[float] = mapped_column(Float)
    inspectors: Mapped[list[int]] = mapped_column(JSONType)
    outcome: Mapped[TargetOutcome] = mapped_column(
        enum_type(TargetOutcome, "target_outcome"), default=TargetOutcome.PENDING
    )
    inspected_on: Mapped[date | None] = mapped_column(Date)
    violation_id: Mapped[int | None] = mapped_column(ForeignKey("violations.id"))
    finding: Mapped[str] = mapped_column(Text, default="")


class DrawAssignment(Base):
    """An inspector assigned to a drawn enterprise (one row per pair, for 'my inspections' and
    'who inspected it last')."""

    __tablename__ = "draw_assignments"
    __table_args__ = (Index("ix_draw_assignments_user", "user_id", "draw_id"),)

    target_id: Mapped[int] = mapped_column(ForeignKey("draw_targets.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    draw_id: Mapped[int] = mapped_column(ForeignKey("inspection_draws.id"))
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"))


class InspectorConflict(Audited, Base):
    """A conflict of interest an inspector declared (回避) with an enterprise: never drawn to
    inspect it while the declaration stands."""

    __tablename__ = "inspector_conflicts"
    __table_args__ = (Index("ix_inspector_conflicts_user", "user_id", "enterprise_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"))
    reason: Mapped[str] = mapped_column(String(300))
    declared_on: Mapped[date] = mapped_column(Date)
    withdrawn_on: Mapped[date | None] = mapped_column(Date)
