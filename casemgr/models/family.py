"""The case family (案件族) of a violation: links between its cases across channels, alerts
(threshold and consistency), and the restoration projects of its money and remediation ledger."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import BigInteger, CheckConstraint, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casemgr.db import Base, JSONType, UTCDateTime, utcnow
from casemgr.models.base import Audited, Timestamped, enum_type


class LinkKind(enum.StrEnum):
    """How one case of a family leads to another."""

    CRIMINAL_REFERRAL = "criminal_referral"  # 移送涉嫌犯罪案件 (移送规定 2020; 衔接办法 2017)
    RETURNED_FOR_PENALTY = "returned_for_penalty"  # 退回作行政处理 (移送规定 art. 13)
    INCIDENTAL_CIVIL = "incidental_civil"  # 刑事附带民事公益诉讼 (检察公益诉讼解释 art. 20)
    SAME_ACT = "same_act"  # 同一行为的公益诉讼与赔偿诉讼 (赔偿若干规定 arts. 16-18)


class CaseLink(Audited, Base):
    """A directed link between two cases of one violation (a referral, a return, ...)."""

    __tablename__ = "case_links"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    violation_id: Mapped[int] = mapped_column(ForeignKey("violations.id"), index=True)
    from_case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    to_case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    kind: Mapped[LinkKind] = mapped_column(enum_type(LinkKind, "link_kind"))
    on: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(String(500), default="")


class AlertKind(enum.StrEnum):
    REFERRAL_REVIEW = "referral_review"  # 涉嫌犯罪, 移送审查 (法释〔2023〕7号 art. 1)


class AlertState(enum.StrEnum):
    OPEN = "open"  # stands: nobody has acted on it
    REFERRED = "referred"  # a criminal referral was opened on the violation
    DISMISSED = "dismissed"  # a bureau head reviewed it and recorded why no referral is due


class Alert(Audited, Timestamped, Base):
    """A 'referral review required' alert: a violation meets a criminal-threshold predicate.

    Raised by the threshold check, never acted on automatically (移送规定 2020 art. 5: the
    transfer needs the officers' report and the head's approval).
    """

    __tablename__ = "alerts"
    __table_args__ = (
        Index("ix_alerts_state_violation", "state", "violation_id"),
        Index("ix_alerts_violation_id", "violation_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    violation_id: Mapped[int] = mapped_column(ForeignKey("violations.id"))
    kind: Mapped[AlertKind] = mapped_column(enum_type(AlertKind, "alert_kind"))
    predicate: Mapped[str] = mapped_column(String(48))
    tier: Mapped[int] = mapped_column(Integer, default=1)
    title: Mapped[str] = mapped_column(String(100))
    article: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(String(300))  # an English msgid, translated at the edge
    params: Mapped[dict[str, str]] = mapped_column(JSONType, default=dict)
    county_code: Mapped[str] = mapped_column(String(6), index=True)
    state: Mapped[AlertState] = mapped_column(
        enum_type(AlertState, "alert_state"), default=AlertState.OPEN
    )
    raised_on: Mapped[date] = mapped_column(Date)
    resolved_on: Mapped[date | None] = mapped_column(Date)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    resolution: Mapped[str] = mapped_column(Text, default="")


class RestorationStatus(enum.StrEnum):
    PLANNED = "planned"  # 修复方案已确定
    IN_PROGRESS = "in_progress"  # 修复中
    COMPLETED = "completed"  # 修复完成, awaiting evaluation
    EVALUATED = "evaluated"  # 修复效果评估 done (passed or failed)
    EXEMPT = "exempt"  # evaluation exempt


class RestorationProject(Audited, Timestamped, Base):
    """An ecological restoration project (生态环境修复) owed under an agreement or judgment."""

    __tablename__ = "restoration_projects"
    __table_args__ = (CheckConstraint("budget_cents >= 0", name="budget_non_negative"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    violation_id: Mapped[int] = mapped_column(ForeignKey("violations.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    budget_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    status: Mapped[RestorationStatus] = mapped_column(
        enum_type(RestorationStatus, "restoration_status"), default=RestorationStatus.PLANNED
    )
    start_on: Mapped[date | None] = mapped_column(Date)
    due_on: Mapped[date | None] = mapped_column(Date)
    completed_on: Mapped[date | None] = mapped_column(Date)
    evaluated_on: Mapped[date | None] = mapped_column(Date)
    evaluation_passed: Mapped[bool | None]
    evaluation_note: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    milestones: Mapped[list[RestorationMilestone]] = relationship(
        back_populates="project", order_by="RestorationMilestone.id", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}


class RestorationMilestone(Audited, Base):
    """A milestone of a restoration project, due on a date and done (or not) on another."""

    __tablename__ = "restoration_milestones"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("restoration_projects.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    due_on: Mapped[date] = mapped_column(Date)
    done_on: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str] = mapped_column(String(500), default="")
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    project: Mapped[RestorationProject] = relationship(back_populates="milestones")


class PartyRole(enum.StrEnum):
    """A party's role in a case of its channel."""

    PARTY = "party"  # 当事人 (administrative)
    SUSPECT = "suspect"  # 犯罪嫌疑人 / 被告人 (criminal: the unit and the persons responsible)
    PLAINTIFF = "plaintiff"  # 原告 / 公益诉讼起诉人
    DEFENDANT = "defendant"  # 被告 (civil), 赔偿义务人 (compensation)
    CLAIMANT = "claimant"  # 赔偿权利人
    THIRD_PARTY = "third_party"  # 第三人, 支持起诉单位


class CaseParty(Audited, Base):
    """A party to a case: an organisation (usually a registered enterprise) or an individual.

    Personal data of individuals (ID number, phone, home address) are shown in clear only to
    the roles ``casemgr.policy.PERSONAL_DATA_ROLES`` names (个人信息保护法 arts. 6, 28, 34).
    """

    __tablename__ = "case_parties"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    role: Mapped[PartyRole] = mapped_column(enum_type(PartyRole, "party_role"))
    is_organisation: Mapped[bool] = mapped_column(default=True)
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprises.id"))
    name: Mapped[str] = mapped_column(String(200))
    id_number: Mapped[str] = mapped_column(String(32), default="")  # 身份证号 / 统一社会信用代码
    phone: Mapped[str] = mapped_column(String(32), default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    note: Mapped[str] = mapped_column(String(300), default="")
