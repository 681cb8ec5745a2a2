"""Enterprise and pollution-source queries."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, exists, or_, select
from sqlalchemy.orm import Session

from casemgr.models import (
    Enterprise,
    EnterpriseAlias,
    EnterpriseName,
    EnterpriseStatus,
    PermitClass,
    PollutionSource,
)

ENTERPRISE_SORTS = {
    "name": Enterprise.name,
    "uscc": Enterprise.uscc,
    "county_code": Enterprise.county_code,
    "industry_code": Enterprise.industry_code,
    "registered_on": Enterprise.registered_on,
    "updated_at": Enterprise.updated_at,
}


@dataclass(frozen=True)
class EnterpriseFilter:
    q: str | None = None  # name fragment (current or former name), USCC or alias prefix
    uscc: str | None = None
    counties: Collection[str] | None = None  # already expanded from county / prefecture codes
    industry: str | None = None  # GB/T 4754 code prefix
    basin: str | None = None
    status: EnterpriseStatus | None = None


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def enterprise_query(f: EnterpriseFilter, *, scope: Collection[str] | None) -> Select[Any]:
    """Enterprises matching ``f`` within ``scope`` (county codes; None = province)."""
    stmt = select(Enterprise)
    if scope is not None:
        stmt = stmt.where(Enterprise.county_code.in_(sorted(scope)))
    if f.counties is not None:
        stmt = stmt.where(Enterprise.county_code.in_(sorted(f.counties)))
    if f.uscc:
        stmt = stmt.where(Enterprise.uscc == f.uscc)
    if f.industry:
        stmt = stmt.where(
            Enterprise.industry_code.like(_like_escape(f.industry) + "%", escape="\\")
        )
    if f.status is not None:
        stmt = stmt.where(Enterprise.status == f.status)
    if f.basin:
        stmt = stmt.where(
            exists().where(
                PollutionSource.enterprise_id == Enterprise.id,
                PollutionSource.basin_code == f.basin,
            )
        )
    if f.q:
        pattern = "%" + _like_escape(f.q) + "%"
        code = f.q.upper()
        stmt = stmt.where(
            or_(
                Enterprise.name.like(pattern, escape="\\"),
                Enterprise.uscc == code,
                exists().where(
                    EnterpriseName.enterprise_id == Enterprise.id,
                    EnterpriseName.name.like(pattern, escape="\\"),
                ),
                exists().where(
                    EnterpriseAlias.enterprise_id == Enterprise.id,
                    EnterpriseAlias.value == code,
                ),
            )
        )
    return stmt


def get_enterprise(session: Session, enterprise_id: int) -> Enterprise | None:
    return session.get(Enterprise, enterprise_id)


def enterprise_by_uscc(session: Session, uscc: str) -> Enterprise | None:
    return session.scalar(select(Enterprise).where(Enterprise.uscc == uscc))


def alias_owner(session: Session, kind: str, value: str) -> EnterpriseAlias | None:
    return session.scalar(
        select(EnterpriseAlias).where(EnterpriseAlias.kind == kind, EnterpriseAlias.value == value)
    )


SOURCE_SORTS = {
    "name": PollutionSource.name,
    "permit_number": PollutionSource.permit_number,
    "county_code": PollutionSource.county_code,
    "basin_code": PollutionSource.basin_code,
    "updated_at": PollutionSource.updated_at,
}


@dataclass(frozen=True)
class SourceFilter:
    enterprise_id: int | None = None
    counties: Collection[str] | None = None
    basin: str | None = None
    permit_class: PermitClass | None = None
    key_pollutant_unit: bool | None = None
    q: str | None = None


def source_query(f: SourceFilter, *, scope: Collection[str] | None) -> Select[Any]:
    stmt = select(PollutionSource)
    if scope is not None:
        stmt = stmt.where(PollutionSource.county_code.in_(sorted(scope)))
    if f.enterprise_id is not None:
        stmt = stmt.where(PollutionSource.enterprise_id == f.enterprise_id)
    if f.counties is not None:
        stmt = stmt.where(PollutionSource.county_code.in_(sorted(f.counties)))
    if f.basin:
        stmt = stmt.where(PollutionSource.basin_code == f.basin)
    if f.permit_class is not None:
        stmt = stmt.where(PollutionSource.permit_class == f.permit_class)
    if f.key_pollutant_unit is not None:
        stmt = stmt.where(PollutionSource.key_pollutant_unit == f.key_pollutant_unit)
    if f.q:
        pattern = "%" + _like_escape(f.q) + "%"
        stmt = stmt.where(
            or_(
                PollutionSource.name.like(pattern, escape="\\"),
                PollutionSource.permit_number == f.q.upper(),
            )
        )
    return stmt


def get_source(session: Session, source_id: int) -> PollutionSource | None:
    return session.get(PollutionSource, source_id)
