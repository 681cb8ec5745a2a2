"""Violations (违法行为): the spine every case of every channel hangs off."""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Table,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casemgr.db import Base, JSONType, UTCDateTime
from casemgr.models.base import Audited, Timestamped, enum_type
from casemgr.models.enterprises import Enterprise, PollutionSource


class ViolationOrigin(enum.StrEnum):
    INSPECTION = "inspection"  # 现场检查
    COMPLAINT_12369 = "complaint_12369"  # 12369 环保举报
    MONITORING_ALERT = "monitoring_alert"  # 在线监控预警
    REFERRAL = "referral"  # 移送 / 交办
    RANDOM_DRAW = "random_draw"  # 双随机抽查
    CENTRAL_INSPECTION = "central_inspection"  # 督察交办
    OTHER = "other"


class EvasiveMethod(enum.StrEnum):
    """Evasive discharge means (逃避监管方式), 法释〔2023〕7号 art. 1(5); 环境保护法 art. 63."""

    HIDDEN_PIPE = "hidden_pipe"  # 暗管
    SEEPAGE_WELL = "seepage_well"  # 渗井
    SEEPAGE_PIT = "seepage_pit"  # 渗坑
    FISSURE = "fissure"  # 裂隙
    KARST_CAVE = "karst_cave"  # 溶洞 (Guizhou karst)
    INJECTION = "injection"  # 灌注
    EMERGENCY_BYPASS = "emergency_bypass"  # 非紧急情况下开启大气应急排放通道
    FALSIFIED_MONITORING = "falsified_monitoring"  # 篡改、伪造监测数据
    ABNORMAL_TREATMENT = "abnormal_treatment"  # 不正常运行防治污染设施


class MetalGroup(enum.StrEnum):
    """Heavy-metal groups of 法释〔2023〕7号 art. 1(3) and 1(4)."""

    A = "a"  # Pb, Hg, Cd, Cr, As, Tl, Sb: tier 1 at ≥ 3× the standard
    B = "b"  # Ni, Cu, Zn, Ag, V, Mn, Co: tier 1 at ≥ 10× the standard
    NONE = "none"


violation_enterprises = Table(
    "violation_enterprises",
    Base.metadata,
    Column("violation_id", ForeignKey("violations.id"), primary_key=True),
    Column("enterprise_id", ForeignKey("enterprises.id"), primary_key=True),
)


class Violation(Audited, Timestamped, Base):
    """A violation (违法行为 / 违法事实): when, where, who, what, how much."""

    __tablename__ = "violations"
    __table_args__ = (
        Index("ix_violations_county_found", "county_code", "found_at"),
        # The violations list, newest first across every county (read backwards; 0020).
        Index("ix_violations_found", "found_at", "id"),
        CheckConstraint("hazardous_waste_tonnes >= 0", name="hw_non_negative"),
        CheckConstraint("loss_cents >= 0 AND illegal_gain_cents >= 0", name="money_non_negative"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    found_at: Mapped[datetime] = mapped_column(UTCDateTime())
    occurred_from: Mapped[datetime | None] = mapped_column(UTCDateTime())
    occurred_to: Mapped[datetime | None] = mapped_column(UTCDateTime())  # None: continuing
    county_code: Mapped[str] = mapped_column(ForeignKey("divisions.code"))
    basin_code: Mapped[str | None] = mapped_column(ForeignKey("basins.code"))
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    place: Mapped[str] = mapped_column(String(300), default="")
    source_id: Mapped[int | None] = mapped_column(ForeignKey("pollution_sources.id"))
    summary: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    origin: Mapped[ViolationOrigin] = mapped_column(enum_type(ViolationOrigin, "violation_origin"))
    origin_reference: Mapped[str] = mapped_column(String(64), default="")  # e.g. 12369 number
    hazardous_waste_tonnes: Mapped[Decimal] = mapped_column(Numeric(12, 3), default=Decimal(0))
    loss_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    illegal_gain_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    evasive_methods: Mapped[list[str]] = mapped_column(JSONType, default=list)
    in_protected_zone: Mapped[bool] = mapped_column(Boolean, default=False)  # 饮用水源保护区等
    during_pollution_alert: Mapped[bool] = mapped_column(Boolean, default=False)  # 重污染天气预警
    water_intake_cut_hours: Mapped[Decimal] = mapped_column(Numeric(8, 2), default=Decimal(0))
    # Radioactive, infectious or toxic substances involved (法释〔2023〕7号 arts. 1(1), 1(8), 17).
    toxic_substance: Mapped[bool] = mapped_column(Boolean, default=False)
    # Ecological damage found (生态环境损害, 管理规定 art. 4): a claim must at least be screened.
    ecological_damage: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    enterprises: Mapped[list[Enterprise]] = relationship(
        secondary=violation_enterprises, order_by=Enterprise.id
    )
    source: Mapped[PollutionSource | None] = relationship()
    measurements: Mapped[list[Measurement]] = relationship(
        back_populates="violation", cascade="all, delete-orphan", order_by="Measurement.id"
    )

    __mapper_args__ = {"version_id_col": version}


class Measurement(Audited, Base):
    """A pollutant measured against its discharge standard (监测数据与排放标准)."""

    __tablename__ = "measurements"
    __table_args__ = (CheckConstraint("standard_value > 0", name="standard_positive"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    violation_id: Mapped[int] = mapped_column(ForeignKey("violations.id"), index=True)
    pollutant: Mapped[str] = mapped_column(String(64))  # e.g. 总镉, COD, 氨氮
    metal_group: Mapped[MetalGroup] = mapped_column(
        enum_type(MetalGroup, "metal_group"), default=MetalGroup.NONE
    )
    measured_value: Mapped[Decimal] = mapped_column(Numeric(18, 6))
    standard_value: Mapped[Decimal] = mapped_column(Numeric(18, 6))
    unit: Mapped[str] = mapped_column(String(16))  # mg/L, mg/m³ ...
    standard_reference: Mapped[str] = mapped_column(String(100), default="")  # e.g. GB 8978-1996
    sampled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    violation: Mapped[Violation] = relationship(back_populates="measurements")

    @property
    def exceedance_ratio(self) -> Decimal:
        """Measured value divided by the standard (1 = at the limit). How "超过…标准三倍以上"
        maps onto this ratio is part of the configurable criminal thresholds [R]."""
        return (self.measured_value / self.standard_value).quantize(Decimal("0.001"))
