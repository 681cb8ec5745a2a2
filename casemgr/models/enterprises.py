"""Enterprises (企业), their identifiers and names, and pollution sources (污染源)."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Boolean, Date, Float, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casemgr.db import Base, UTCDateTime, utcnow
from casemgr.models.base import Audited, Timestamped, enum_type


class EnterpriseStatus(enum.StrEnum):
    OPERATING = "operating"  # 存续 / 在业
    SUSPENDED = "suspended"  # 停业
    REVOKED = "revoked"  # 吊销营业执照
    DEREGISTERED = "deregistered"  # 注销


class AliasKind(enum.StrEnum):
    ORG_CODE = "org_code"  # 组织机构代码, GB 11714-1997
    REGNO15 = "regno15"  # 工商注册号, GS 15-2006
    LEGACY_TAX_ID = "legacy_tax_id"  # 税务登记号 (pre-2015)
    OTHER = "other"


class Enterprise(Audited, Timestamped, Base):
    """Enterprise (企业), keyed by its Unified Social Credit Code (统一社会信用代码, GB 32100)."""

    __tablename__ = "enterprises"
    __table_args__ = (
        # With the id, search walks names in (name, id) order from the index alone (0014).
        Index("ix_enterprises_name", "name", "id"),
        Index("ix_enterprises_county_name", "county_code", "name", "id"),
        Index("ix_enterprises_industry_code", "industry_code"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uscc: Mapped[str] = mapped_column(String(18), unique=True)
    # 'ok' or 'override' (an officially issued code that fails the check, see UsccOverride)
    uscc_status: Mapped[str] = mapped_column(String(16), default="ok")
    unknown_authority: Mapped[bool] = mapped_column(Boolean, default=False)
    name: Mapped[str] = mapped_column(String(200))
    legal_representative: Mapped[str] = mapped_column(String(64), default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    county_code: Mapped[str] = mapped_column(ForeignKey("divisions.code"))
    industry_code: Mapped[str] = mapped_column(String(8), default="")  # GB/T 4754-2017
    industry_name: Mapped[str] = mapped_column(String(64), default="")
    status: Mapped[EnterpriseStatus] = mapped_column(
        enum_type(EnterpriseStatus, "enterprise_status"), default=EnterpriseStatus.OPERATING
    )
    registered_on: Mapped[date | None] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    aliases: Mapped[list[EnterpriseAlias]] = relationship(
        back_populates="enterprise", cascade="all, delete-orphan", order_by="EnterpriseAlias.id"
    )
    name_history: Mapped[list[EnterpriseName]] = relationship(
        back_populates="enterprise", cascade="all, delete-orphan", order_by="EnterpriseName.id"
    )
    sources: Mapped[list[PollutionSource]] = relationship(
        back_populates="enterprise", cascade="all, delete-orphan", order_by="PollutionSource.id"
    )

    __mapper_args__ = {"version_id_col": version}


class EnterpriseAlias(Audited, Base):
    """Another identifier of the same enterprise: organisation code, registration number, tax id."""

    __tablename__ = "enterprise_aliases"
    __table_args__ = (UniqueConstraint("kind", "value"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    kind: Mapped[AliasKind] = mapped_column(enum_type(AliasKind, "alias_kind"))
    value: Mapped[str] = mapped_column(String(32))

    enterprise: Mapped[Enterprise] = relationship(back_populates="aliases")


class EnterpriseName(Audited, Base):
    """A former name (曾用名) of an enterprise, with the date it stopped being used."""

    __tablename__ = "enterprise_names"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    valid_to: Mapped[date | None] = mapped_column(Date)

    enterprise: Mapped[Enterprise] = relationship(back_populates="name_history")


class UsccOverride(Audited, Base):
    """An officially issued USCC that fails the GB 32100 check, accepted by an audited decision.

    DOMAIN.md §6.4: e.g. 91350203M0001QAY9B is whitelisted by public validators.
    """

    __tablename__ = "uscc_overrides"

    uscc: Mapped[str] = mapped_column(String(18), primary_key=True)
    reason: Mapped[str] = mapped_column(String(500))
    evidence: Mapped[str] = mapped_column(String(500), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class PermitClass(enum.StrEnum):
    """排污许可管理类别 (排污许可管理条例 2021 art. 5)."""

    KEY = "key"  # 重点管理
    SIMPLIFIED = "simplified"  # 简化管理
    REGISTRATION = "registration"  # 登记管理


class PollutionSource(Audited, Timestamped, Base):
    """Pollution source / facility (污染源) of an enterprise, with its discharge permit."""

    __tablename__ = "pollution_sources"
    __table_args__ = (Index("ix_pollution_sources_basin_code", "basin_code", "enterprise_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    permit_number: Mapped[str | None] = mapped_column(String(40), unique=True)
    permit_class: Mapped[PermitClass] = mapped_column(enum_type(PermitClass, "permit_class"))
    key_pollutant_unit: Mapped[bool] = mapped_column(Boolean, default=False)  # 重点排污单位
    county_code: Mapped[str] = mapped_column(ForeignKey("divisions.code"), index=True)
    basin_code: Mapped[str | None] = mapped_column(ForeignKey("basins.code"))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    enterprise: Mapped[Enterprise] = relationship(back_populates="sources")

    __mapper_args__ = {"version_id_col": version}
