"""Territories: divisions (行政区划), inspection units (督察对象单元) and river basins (流域)."""

from __future__ import annotations

import enum
from datetime import date

from sqlalchemy import Column, Date, ForeignKey, Integer, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casemgr.db import Base
from casemgr.models.base import Audited, enum_type


class DivisionLevel(enum.StrEnum):
    PROVINCE = "province"  # 省
    PREFECTURE = "prefecture"  # 地级市 / 自治州
    COUNTY = "county"  # 县级: 区, 县, 县级市, 自治县, 特区


class Division(Base):
    """Administrative division (行政区划) keyed by its GB/T 2260 code (NBS 2023 statistics)."""

    __tablename__ = "divisions"

    code: Mapped[str] = mapped_column(String(6), primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    level: Mapped[DivisionLevel] = mapped_column(enum_type(DivisionLevel, "division_level"))
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("divisions.code"), index=True)
    source: Mapped[str] = mapped_column(String(200), default="")

    parent: Mapped[Division | None] = relationship(remote_side=[code])


class InspectionUnitKind(enum.StrEnum):
    PREFECTURE = "prefecture"  # 市州
    NEW_AREA = "new_area"  # 国家级新区 (贵安新区): not an administrative division
    PILOT_COUNTY = "pilot_county"  # 省直管县试点


inspection_unit_counties = Table(
    "inspection_unit_counties",
    Base.metadata,
    Column("unit_code", ForeignKey("inspection_units.code"), primary_key=True),
    Column("county_code", ForeignKey("divisions.code"), primary_key=True),
)


class InspectionUnit(Base):
    """A unit the provincial inspection (督察) rounds cover: 9 市州, 贵安新区, pilot counties."""

    __tablename__ = "inspection_units"

    code: Mapped[str] = mapped_column(String(8), primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    kind: Mapped[InspectionUnitKind] = mapped_column(
        enum_type(InspectionUnitKind, "inspection_unit_kind")
    )
    source: Mapped[str] = mapped_column(String(300), default="")
    counties: Mapped[list[Division]] = relationship(
        secondary=inspection_unit_counties, order_by=Division.code
    )


class Basin(Base):
    """River basin (流域) of Guizhou's eight river systems (八大水系), DOMAIN.md §5.4."""

    __tablename__ = "basins"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(32))
    parent_system: Mapped[str] = mapped_column(String(16))  # 长江 or 珠江
    note: Mapped[str] = mapped_column(String(300), default="")
    source: Mapped[str] = mapped_column(String(200), default="")


class HolidayDay(Audited, Base):
    """A day that differs from the ordinary week: a statutory day off (法定节假日) or a weekend
    day worked (调休上班), from the State Council's yearly notice."""

    __tablename__ = "holiday_days"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))  # holiday | workday
    name: Mapped[str] = mapped_column(String(32), default="")
    year: Mapped[int] = mapped_column(Integer)  # year of the notice
    source: Mapped[str] = mapped_column(String(300))
