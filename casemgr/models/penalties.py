"""Penalties and measures (处罚执行与行政强制措施): payments, arrangements, coercive measures.

Money is in integer cents (分). The rules that govern these rows live in
``casemgr.services.penalties`` and ``casemgr.services.measures``; the legal periods they open
are rows of the case's deadline table (``casemgr.models.cases.Deadline``).
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casemgr.db import Base, JSONType, UTCDateTime, utcnow
from casemgr.models.accounts import User
from casemgr.models.base import Audited, Timestamped, enum_type
from casemgr.models.cases import Case


class PaymentKind(enum.StrEnum):
    """What a payment pays."""

    FINE = "fine"  # 罚款 (行政处罚法 art. 67)
    SURCHARGE = "surcharge"  # 加处罚款 (行政处罚法 art. 72)
    CONFISCATION = "confiscation"  # 没收违法所得 (行政处罚法 art. 9 (3))
    DAILY_PENALTY = "daily_penalty"  # 按日连续处罚的罚款 (环境保护法 art. 59)
    COMPENSATION = "compensation"  # 生态环境损害赔偿金 (民法典 art. 1235; 赔偿若干规定 art. 15)
    RESTORATION_COST = "restoration_cost"  # 修复费用, paid instead of restoring (民法典 art. 1234)


class Payment(Audited, Base):
    """A payment received on a case, with the receipt (缴款书/票据) number."""

    __tablename__ = "payments"
    __table_args__ = (
        CheckConstraint("amount_cents > 0", name="amount_positive"),
        # The same receipt may pay a fine and its surcharge, but never one kind twice.
        UniqueConstraint("case_id", "kind", "reference"),
        # The dashboard's fines collected per month, read from the index alone (0019).
        Index("ix_payments_paid", "kind", "paid_on", "case_id", "amount_cents"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    kind: Mapped[PaymentKind] = mapped_column(enum_type(PaymentKind, "payment_kind"))
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    paid_on: Mapped[date] = mapped_column(Date)
    reference: Mapped[str] = mapped_column(String(64))
    note: Mapped[str] = mapped_column(String(300), default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    case: Mapped[Case] = relationship()


class ArrangementKind(enum.StrEnum):
    """A payment arrangement on the party's application (行政处罚法 art. 66 ¶2)."""

    DEFERRAL = "deferral"  # 暂缓缴纳
    INSTALMENTS = "instalments"  # 分期缴纳


class PaymentArrangement(Audited, Base):
    """An approved deferral or instalment plan for a case's fine; one per case.

    The instalments (``{"due_on", "amount_cents"}``, stored as JSON) add up exactly to the fine
    outstanding when the plan is approved (the whole fine unless part was already paid).
    """

    __tablename__ = "payment_arrangements"
    __table_args__ = (
        UniqueConstraint("case_id"),
        CheckConstraint(
            "kind <> 'deferral' OR deferred_until IS NOT NULL", name="deferral_has_date"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    kind: Mapped[ArrangementKind] = mapped_column(enum_type(ArrangementKind, "arrangement_kind"))
    applied_on: Mapped[date] = mapped_column(Date)
    approved_on: Mapped[date] = mapped_column(Date)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    deferred_until: Mapped[date | None] = mapped_column(Date)
    # [{"due_on": "YYYY-MM-DD", "amount_cents": int}, ...]; read them through ``instalments``.
    instalments_json: Mapped[list[dict[str, object]]] = mapped_column(
        "instalments", JSONType, default=list
    )
    reason: Mapped[str] = mapped_column(String(500), default="")

    case: Mapped[Case] = relationship()

    @property
    def instalments(self) -> list[dict[str, Any]]:
        """The instalments, their dates as dates."""
        return [
            {"due_on": date.fromisoformat(str(i["due_on"])), "amount_cents": i["amount_cents"]}
            for i in self.instalments_json
        ]

    @property
    def ends_on(self) -> date:
        """The last day the arrangement covers: the deferral date or the last instalment."""
        if self.kind is ArrangementKind.DEFERRAL and self.deferred_until is not None:
            return self.deferred_until
        return max(date.fromisoformat(str(i["due_on"])) for i in self.instalments_json)


class MeasureKind(enum.StrEnum):
    """A coercive or special enforcement measure (行政强制措施 and special tools, DOMAIN §1.4)."""

    SEIZURE = "seizure"  # 查封、扣押 (环境保护法 art. 25; 行政强制法 arts. 24-25; MEP Order 29)
    PRODUCTION_LIMIT = "production_limit"  # 限制生产 (环境保护法 art. 60; MEP Order 30)
    SUSPENSION = "suspension"  # 停产整治 (环境保护法 art. 60; MEP Order 30)
    DAILY_PENALTY = "daily_penalty"  # 按日连续处罚 (环境保护法 art. 59; MEP Order 28)
    DETENTION_TRANSFER = "detention_transfer"  # 移送行政拘留 (环境保护法 art. 63)


class MeasureStatus(enum.StrEnum):
    """Where a measure stands."""

    IN_FORCE = "in_force"  # 实施中: a seizure, production limit or suspension running
    RELEASED = "released"  # 已解除
    AWAITING_RECHECK = "awaiting_recheck"  # 责令改正决定书已送达, re-check pending
    IMPOSED = "imposed"  # 拒不改正: the daily penalty is computed (MEP Order 28 arts. 13, 17, 19)
    NOT_IMPOSED = "not_imposed"  # 已改正或停产: no daily penalty (MEP Order 28 art. 12 ¶2)
    TRANSFERRED = "transferred"  # 已移送公安机关


class MeasureStep(enum.StrEnum):
    """A step recorded on a production limit or suspension (MEP Order 30)."""

    RECTIFICATION_PLAN_FILED = "rectification_plan_filed"  # 整改方案备案, art. 16
    FOLLOW_UP_INSPECTED = "follow_up_inspected"  # 解除后跟踪检查, art. 20


measure_officers = Table(
    "measure_officers",
    Base.metadata,
    Column("measure_id", ForeignKey("coercive_measures.id"), primary_key=True),
    Column("user_id", ForeignKey("users.id"), primary_key=True),
)


class CoerciveMeasure(Audited, Timestamped, Base):
    """A measure taken on a case, with its dates and its kind-specific facts.

    ``end_on`` is the running legal limit (seizure: 30 days, +30 once extended; production
    limit: 3 months, +3) as last computed by the legal clock; the case's deadline rows hold the
    live values.
    """

    __tablename__ = "coercive_measures"
    __table_args__ = (
        CheckConstraint("total_cents IS NULL OR total_cents >= 0", name="total_non_negative"),
        CheckConstraint(
            "original_fine_cents IS NULL OR original_fine_cents > 0", name="fine_positive"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    kind: Mapped[MeasureKind] = mapped_column(enum_type(MeasureKind, "measure_kind"))
    status: Mapped[MeasureStatus] = mapped_column(enum_type(MeasureStatus, "measure_status"))
    decided_on: Mapped[date] = mapped_column(Date)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    served_on: Mapped[date | None] = mapped_column(Date)
    start_on: Mapped[date | None] = mapped_column(Date)
    end_on: Mapped[date | None] = mapped_column(Date)
    extended: Mapped[bool] = mapped_column(Boolean, default=False)
    extension_approved_on: Mapped[date | None] = mapped_column(Date)
    extension_approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    extension_reason: Mapped[str] = mapped_column(String(500), default="")
    released_on: Mapped[date | None] = mapped_column(Date)
    basis: Mapped[str] = mapped_column(String(300), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    # Seizure (查封、扣押): the facilities and equipment listed (清单, MEP Order 29 art. 11).
    items: Mapped[str] = mapped_column(Text, default="")
    # Production limit / suspension (MEP Order 30 arts. 16, 20).
    rectification_plan_filed_on: Mapped[date | None] = mapped_column(Date)
    follow_up_on: Mapped[date | None] = mapped_column(Date)
    # Daily continuous penalty (按日连续处罚, MEP Order 28 arts. 8, 10, 17, 19).
    correction_order_served_on: Mapped[date | None] = mapped_column(Date)
    recheck_on: Mapped[date | None] = mapped_column(Date)
    recheck_found_violation: Mapped[bool | None] = mapped_column(Boolean)
    original_fine_cents: Mapped[int | None] = mapped_column(BigInteger)
    total_cents: Mapped[int | None] = mapped_column(BigInteger)

    case: Mapped[Case] = relationship()
    officers: Mapped[list[User]] = relationship(secondary=measure_officers, order_by=User.id)
