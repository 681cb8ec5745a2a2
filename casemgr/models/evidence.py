"""Evidence (证据) with its chain of custody, and documents issued to the party with their
service records (送达)."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import BigInteger, CheckConstraint, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casemgr.db import Base, JSONType, UTCDateTime, utcnow
from casemgr.models.base import Audited, enum_type


class EvidenceKind(enum.StrEnum):
    """Kinds of evidence (行政处罚法 art. 46)."""

    DOCUMENT = "document"  # 书证
    PHYSICAL = "physical"  # 物证
    AUDIO_VISUAL = "audio_visual"  # 视听资料
    ELECTRONIC_DATA = "electronic_data"  # 电子数据 (incl. online monitoring data)
    WITNESS = "witness"  # 证人证言
    PARTY_STATEMENT = "party_statement"  # 当事人的陈述
    EXPERT_OPINION = "expert_opinion"  # 鉴定意见 (incl. monitoring reports)
    RECORD = "record"  # 勘验笔录、现场笔录


class Evidence(Audited, Base):
    """One piece of evidence; a file, when attached, is stored by its SHA-256 digest."""

    __tablename__ = "evidence"
    __table_args__ = (CheckConstraint("size_bytes IS NULL OR size_bytes >= 0", name="size"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    kind: Mapped[EvidenceKind] = mapped_column(enum_type(EvidenceKind, "evidence_kind"))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    collected_at: Mapped[datetime] = mapped_column(UTCDateTime())
    collected_place: Mapped[str] = mapped_column(String(300), default="")
    collected_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    filename: Mapped[str | None] = mapped_column(String(200))
    content_type: Mapped[str | None] = mapped_column(String(100))
    size_bytes: Mapped[int | None] = mapped_column(BigInteger)
    sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    custody: Mapped[list[CustodyEntry]] = relationship(
        back_populates="evidence", order_by="CustodyEntry.id", cascade="all, delete-orphan"
    )


class CustodyAction(enum.StrEnum):
    COLLECTED = "collected"  # 收集/提取
    HANDED_OVER = "handed_over"  # 移交
    STORED = "stored"  # 入库保管
    EXAMINED = "examined"  # 送检/鉴定
    RETURNED = "returned"  # 退还
    DESTROYED = "destroyed"  # 销毁


class CustodyEntry(Audited, Base):
    """A link of the chain of custody (证据保管链): who held it, when, where, handed to whom."""

    __tablename__ = "custody_entries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    evidence_id: Mapped[int] = mapped_column(ForeignKey("evidence.id"), index=True)
    action: Mapped[CustodyAction] = mapped_column(enum_type(CustodyAction, "custody_action"))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    place: Mapped[str] = mapped_column(String(300), default="")
    by_name: Mapped[str] = mapped_column(String(64))
    handed_to: Mapped[str] = mapped_column(String(100), default="")
    note: Mapped[str] = mapped_column(String(500), default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    evidence: Mapped[Evidence] = relationship(back_populates="custody")


class DocumentKind(enum.StrEnum):
    PROPOSED_PENALTY_NOTICE = "proposed_penalty_notice"  # 行政处罚事先告知书 (arts. 44, 62)
    HEARING_NOTICE = "hearing_notice"  # 听证通知书 (art. 64)
    DECISION = "decision"  # 行政处罚决定书 (art. 59)
    NO_PENALTY_DECISION = "no_penalty_decision"  # 不予行政处罚决定书
    CORRECTION_ORDER = "correction_order"  # 责令改正违法行为决定书 (art. 28)
    DEMAND = "demand"  # 催告书 (行政强制法 art. 54)


class IssuedDocument(Audited, Base):
    """A document issued to the party; its content is frozen once issued."""

    __tablename__ = "issued_documents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    kind: Mapped[DocumentKind] = mapped_column(enum_type(DocumentKind, "document_kind"))
    number: Mapped[str] = mapped_column(String(64))
    issued_on: Mapped[date] = mapped_column(Date)
    content: Mapped[dict[str, object]] = mapped_column(JSONType)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    services: Mapped[list[ServiceRecord]] = relationship(
        back_populates="document", order_by="ServiceRecord.id", cascade="all, delete-orphan"
    )


class ServiceMethod(enum.StrEnum):
    """Methods of service (行政处罚法 art. 61; 民事诉讼法 arts. 87-95)."""

    DIRECT = "direct"  # 直接送达
    LEFT_AT_PREMISES = "left_at_premises"  # 留置送达
    ENTRUSTED = "entrusted"  # 委托送达
    MAIL = "mail"  # 邮寄送达
    ELECTRONIC = "electronic"  # 电子送达 (with the party's written consent, art. 61 ¶2)
    PUBLIC_NOTICE = "public_notice"  # 公告送达


class ServiceRecord(Audited, Base):
    """How, when and to whom a document was served (送达回证)."""

    __tablename__ = "service_records"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("issued_documents.id"), index=True)
    method: Mapped[ServiceMethod] = mapped_column(enum_type(ServiceMethod, "service_method"))
    served_on: Mapped[date] = mapped_column(Date)
    recipient: Mapped[str] = mapped_column(String(100))
    note: Mapped[str] = mapped_column(String(500), default="")
    consent_on_file: Mapped[bool] = mapped_column(default=False)

    document: Mapped[IssuedDocument] = relationship(back_populates="services")
