"""Judicial organs (司法机关): the police, procuratorates and courts that referrals, suits and
judgments go to, so prosecutors and judges see what is before their own organ."""

from __future__ import annotations

import enum

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from casemgr.db import Base
from casemgr.models.base import enum_type


class OrganKind(enum.StrEnum):
    POLICE = "police"  # 公安机关
    PROCURATORATE = "procuratorate"  # 人民检察院
    COURT = "court"  # 人民法院


class OrganLevel(enum.StrEnum):
    BASIC = "basic"  # 基层 (county level)
    INTERMEDIATE = "intermediate"  # 中级 (prefecture level)
    HIGH = "high"  # 高级 (province level)


class JudicialOrgan(Base):
    """A police bureau, procuratorate or court at one level of one division.

    ``code`` is internal: the kind's letter and the division code (``C520302`` is 遵义市中级
    人民法院's county-level sibling 红花岗区人民法院, ``C520300`` the intermediate court).
    """

    __tablename__ = "judicial_organs"

    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    kind: Mapped[OrganKind] = mapped_column(enum_type(OrganKind, "organ_kind"))
    level: Mapped[OrganLevel] = mapped_column(enum_type(OrganLevel, "organ_level"))
    name: Mapped[str] = mapped_column(String(100))
    division_code: Mapped[str] = mapped_column(ForeignKey("divisions.code"), index=True)
    source: Mapped[str] = mapped_column(String(300), default="")
