"""Enterprise and pollution-source queries."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import (
    ARRAY,
    Boolean,
    ColumnElement,
    Select,
    String,
    Text,
    any_,
    bindparam,
    exists,
    func,
    or_,
    select,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.sql.functions import FunctionElement

from casemgr.models import (
    AliasKind,
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


# Name search on PostgreSQL: the n-gram indexes of migration 0003
#
# A fragment is looked for anywhere in the current and former names, and as a USCC or alias.
# ``name LIKE '%fragment%'`` alone can only be answered by reading the names one by one. On
# PostgreSQL each arm therefore also gets an equivalent condition an index can answer:
#
# * names: ``casemgr_ngrams(name) @> ARRAY[...]``, the fragment's character pairs (or its one
#   character) against a GIN index of every name's characters and pairs. pg_trgm cannot serve
#   one- and two-character fragments (化工, 煤业), the commonest Chinese searches;
# * former names and aliases: ``id = ANY(ARRAY(subquery))``; ``id IN (subquery)`` inside an OR
#   keeps PostgreSQL from using any index for the whole OR.
#
# The portable condition stays too, ANDed: the n-grams only narrow the search (a name holding
# 茅台 and 台酒 need not hold 茅台酒), and it is the cheap test when PostgreSQL walks the names
# in order instead, which it does for fragments found in a large share of the names (贵州):
# LIKE before the n-gram function, a hashed IN before a scan of the array, on every row.


class _indexed(FunctionElement[bool]):
    """``condition``; on PostgreSQL ``(index_condition) AND (condition)``, the first being a
    looser condition that an index answers."""

    type = Boolean()
    inherit_cache = True
    _is_implicitly_boolean = True


@compiles(_indexed)
def _indexed_portable(element: _indexed, compiler: Any, **kw: Any) -> str:
    condition, _index_condition = element.clauses
    return f"({compiler.process(condition, **kw)})"


@compiles(_indexed, "postgresql")
def _indexed_postgresql(element: _indexed, compiler: Any, **kw: Any) -> str:
    condition, index_condition = element.clauses
    return f"({compiler.process(index_condition, **kw)}) AND ({compiler.process(condition, **kw)})"


class _array_of(FunctionElement[Any]):
    """PostgreSQL ``ARRAY(subquery)``."""

    inherit_cache = True


@compiles(_array_of, "postgresql")
def _array_of_postgresql(element: _array_of, compiler: Any, **kw: Any) -> str:
    (subquery,) = element.clauses
    return f"ARRAY({compiler.process(subquery.element, **kw)})"


def _ngrams(fragment: str) -> list[str]:
    """The n-grams a name containing ``fragment`` must contain: its character pairs, or the
    character itself (casemgr_ngrams in migration 0003 indexes both)."""
    if len(fragment) == 1:
        return [fragment]
    return sorted({fragment[i : i + 2] for i in range(len(fragment) - 1)})


# The fragment's values are rendered into the SQL (literal_execute, quoted by SQLAlchemy): how
# many names hold them decides the plan, and a prepared statement's generic plan (psycopg
# prepares a statement run five times) cannot see them. ``code`` only meets unique indexes.


def _holds_ngrams(column: Any, fragment: str) -> ColumnElement[bool]:
    grams = bindparam(None, _ngrams(fragment), ARRAY(Text), literal_execute=True)
    contains = func.casemgr_ngrams(column).bool_op("@>")(grams)
    return cast(ColumnElement[bool], contains)


def _name_contains(column: Any, fragment: str) -> ColumnElement[bool]:
    pattern = bindparam(None, "%" + _like_escape(fragment) + "%", String, literal_execute=True)
    return cast(ColumnElement[bool], column.like(pattern, escape="\\"))


def _former_and_alias(fragment: str) -> tuple[Select[Any], Select[Any]]:
    """Enterprises with a former name containing ``fragment``, and with it as an alias."""
    former = select(EnterpriseName.enterprise_id).where(
        _indexed(
            _name_contains(EnterpriseName.name, fragment),
            _holds_ngrams(EnterpriseName.name, fragment),
        )
    )
    # every kind, so that the (kind, value) unique index serves a lookup by value alone
    alias = select(EnterpriseAlias.enterprise_id).where(
        EnterpriseAlias.kind.in_(list(AliasKind)), EnterpriseAlias.value == fragment.upper()
    )
    return former, alias


def _fragment_exact(fragment: str, name: Any, uscc: Any, id_: Any) -> ColumnElement[bool]:
    """The enterprise (its ``name``, ``uscc`` and ``id`` columns) matches ``fragment``."""
    former, alias = _former_and_alias(fragment)
    return or_(
        _name_contains(name, fragment),
        uscc == fragment.upper(),
        id_.in_(former),
        id_.in_(alias),
    )


def _fragment_matches(fragment: str) -> ColumnElement[bool]:
    """Current or former name contains ``fragment``, or it is the USCC or an alias."""
    code = fragment.upper()
    former, alias = _former_and_alias(fragment)
    return _indexed(
        _fragment_exact(fragment, Enterprise.name, Enterprise.uscc, Enterprise.id),
        or_(
            _holds_ngrams(Enterprise.name, fragment),
            Enterprise.uscc == code,
            Enterprise.id == any_(_array_of(former.scalar_subquery())),
            Enterprise.id == any_(_array_of(alias.scalar_subquery())),
        ),
    )


def _other_filters(f: EnterpriseFilter) -> list[ColumnElement[bool]]:
    """The conditions of ``f`` other than the counties and the fragment."""
    conditions: list[ColumnElement[bool]] = []
    if f.uscc:
        conditions.append(Enterprise.uscc == f.uscc)
    if f.industry:
        industry = _like_escape(f.industry) + "%"
        conditions.append(Enterprise.industry_code.like(industry, escape="\\"))
    if f.status is not None:
        conditions.append(Enterprise.status == f.status)
    if f.basin:
        conditions.append(
            exists().where(
                PollutionSource.enterprise_id == Enterprise.id,
                PollutionSource.basin_code == f.basin,
            )
        )
    return conditions


def enterprise_query(f: EnterpriseFilter, *, scope: Collection[str] | None) -> Select[Any]:
    """Enterprises matching ``f`` within ``scope`` (county codes; None = province)."""
    # The page's aliases and former names in one query each, not two per enterprise.
    stmt = select(Enterprise).options(
        selectinload(Enterprise.aliases), selectinload(Enterprise.name_history)
    )
    if scope is not None:
        stmt = stmt.where(Enterprise.county_code.in_(sorted(scope)))
    if f.counties is not None:
        stmt = stmt.where(Enterprise.county_code.in_(sorted(f.counties)))
    stmt = stmt.where(*_other_filters(f))
    if f.q:
        stmt = stmt.where(_fragment_matches(f.q))
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
