"""Enterprise search within a tier in force (企业检索按信用等级), in name order.

The current rows of a tier carry each enterprise's name and county
(:class:`~casemgr.models.credit.CreditCurrent`), and ``ix_credit_current_tier_name`` holds
them in the enterprise list's order: a page of the tier is an offset within its index entries,
a county is tested on the entry, and so is a name fragment. Without a fragment, or on SQLite,
the tier's entries are walked (conditions on the enterprise itself, industry, status, basin,
join its row). With a fragment, on PostgreSQL, the choice between walking and collecting is
made here as :mod:`casemgr.repositories.enterprise_search` makes it, from PostgreSQL's estimate
of the names holding the fragment and from the tier's size (its counts):

1. **Walk** the tier's entries in name order testing the fragment on each (the name in the
   entry; former names, aliases and the USCC looked up once, as sets of ids) when the tier
   holds no more entries than collecting would cost (a rare tier: red is 2 % of a million,
   about 20,000 entries, however common the fragment), or when the fragment is common enough
   to fill the page within that many entries (化工 among the green);
2. **collect** the fragment's matches through the n-gram indexes, keep those holding the tier
   (a primary-key probe each) and sort them, when the fragment is rare among a common tier
   (茅台酒 among the green), or when a walk that should have filled the page did not.

The total comes from the tier counts when only counties narrow the search, from the count of
collected matches, or when every match is on the first page; otherwise it is not known. For a
day before some enterprise's latest score the current rows are not the tiers in force: the
enterprises are walked in name order, each joined to its history, without a total.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, or_, select, text
from sqlalchemy.orm import Session

from casemgr.models import Enterprise
from casemgr.repositories import credit_current
from casemgr.repositories.enterprise_search import (
    WALK_PER_MATCH,
    _counties,
    _estimated_names,
    _from_index,
    _load,
)
from casemgr.repositories.enterprises import (
    EnterpriseFilter,
    _former_and_alias,
    _name_contains,
    enterprise_query,
)
from casemgr.repositories.enterprises import _other_filters as other_filters

__all__ = ["TierPage", "tier_page"]


@dataclass(frozen=True)
class TierPage:
    """A page of a tier's enterprises; ``total`` None when it was not counted."""

    items: Sequence[Enterprise]
    has_next: bool
    total: int | None
    total_exact: bool


def tier_page(
    session: Session,
    f: EnterpriseFilter,
    *,
    scheme_key: str,
    tier: str,
    on: date,
    scope: Collection[str] | None,
    page: int,
    per_page: int,
) -> TierPage:
    """A page of the enterprises matching ``f`` within ``scope`` (county codes; None = the
    province) whose tier in force on ``on`` is ``tier`` (``abnormal``: a score without a
    tier), in name order."""
    if session.get_bind().dialect.name == "postgresql":
        # A page stops early: parallel workers cost more to start than they save.
        session.execute(text("SET LOCAL max_parallel_workers_per_gather = 0"))
    counties = _counties(f, scope)
    if counties is not None and not counties:
        return TierPage([], False, 0, True)
    if not credit_current.exact_on(session, scheme_key, on):
        return _in_force_on(session, f, scheme_key, tier, on, scope, page, per_page)
    found = _current(session, f, scheme_key, tier, on, counties, page, per_page)
    if f.q or f.uscc or f.industry or f.basin or f.status is not None:
        return found
    # Only counties narrow the search: the tier counts say how many (exact, a row per county).
    counts = credit_current.tier_counts(session, scheme_key, on, counties)
    total = sum(n for (_county, code), n in counts.items() if code == tier)
    return TierPage(found.items, found.has_next, total, True)


def _current(
    session: Session,
    f: EnterpriseFilter,
    scheme_key: str,
    tier: str,
    on: date,
    counties: Sequence[str] | None,
    page: int,
    per_page: int,
) -> TierPage:
    """The page from the current rows: the tier's entries walked, or the fragment's matches
    collected (see the module's docstring)."""
    walk = credit_current.in_name_order(scheme_key, tier, counties=counties, where=other_filters(f))
    offset, rows = (page - 1) * per_page, per_page + 1
    budget: int | None = None
    if f.q and session.get_bind().dialect.name == "postgresql":
        estimate, names = _estimated_names(session, f.q)
        counts = credit_current.tier_counts(session, scheme_key, on, counties)
        held = sum(n for (_county, code), n in counts.items() if code == tier)
        limit = WALK_PER_MATCH * estimate  # entries walked for the cost of collecting
        if held > limit:
            if page * per_page * names / estimate > limit:  # too rare to meet on a short walk
                return _collected(session, f, scheme_key, tier, counties, page, per_page)
            budget = int(limit)
    ids = _walk(session, walk, f.q or None, offset, rows, budget)
    if ids is None:
        return _collected(session, f, scheme_key, tier, counties, page, per_page)
    items = _load(session, ids[:per_page])
    total = len(items) if page == 1 and len(ids) <= per_page else None  # counted for free
    return TierPage(items, len(ids) > per_page, total, total is not None)


def _fragment(fragment: str, name: Any, enterprise_id: Any) -> ColumnElement[bool]:
    """The enterprise of a current row (its ``name`` and ``enterprise_id`` columns) matches
    ``fragment``: as its name, a former name, an alias or its USCC."""
    former, alias = _former_and_alias(fragment)
    by_uscc = select(Enterprise.id).where(Enterprise.uscc == fragment.upper())
    return or_(
        _name_contains(name, fragment),
        enterprise_id.in_(by_uscc),
        enterprise_id.in_(former),
        enterprise_id.in_(alias),
    )


def _walk(
    session: Session,
    walk: Any,
    fragment: str | None,
    offset: int,
    rows: int,
    budget: int | None,
) -> list[int] | None:
    """``rows`` ids from ``offset`` of the tier's entries in name order (``walk``) matching
    the fragment, among the first ``budget`` entries (None: all); None if the budget ended
    first (they may be further on)."""
    if fragment is None:
        return list(session.scalars(walk.limit(rows).offset(offset)))  # the first column
    first = walk.limit(budget).subquery("walk")
    probe = (
        select(first.c.enterprise_id)
        .where(_fragment(fragment, first.c.name, first.c.enterprise_id))
        .order_by(first.c.name, first.c.enterprise_id)
        .limit(rows)
        .offset(offset)
    )
    ids = list(session.scalars(probe))
    return ids if len(ids) == rows or budget is None else None


def _collected(
    session: Session,
    f: EnterpriseFilter,
    scheme_key: str,
    tier: str,
    counties: Sequence[str] | None,
    page: int,
    per_page: int,
) -> TierPage:
    """The fragment's matches collected through the indexes, those holding the tier kept."""
    assert f.q
    where = [*other_filters(f), credit_current.holds_tier(scheme_key, tier)]
    if counties is not None:
        where.append(Enterprise.county_code.in_(counties))
    found = _from_index(session, f.q, where, page, per_page)
    more = page * per_page < found.total or not found.total_exact
    return TierPage(found.items, more, found.total, found.total_exact)


def _in_force_on(
    session: Session,
    f: EnterpriseFilter,
    scheme_key: str,
    tier: str,
    on: date,
    scope: Collection[str] | None,
    page: int,
    per_page: int,
) -> TierPage:
    """The page when the history decides: the enterprises in name order, each joined to its
    score in force on the day (a probe of ``ix_credit_scores_history``)."""
    src = credit_current.in_force_join(scheme_key, on, current=False)
    held = src.tier.is_(None) if tier == credit_current.ABNORMAL else src.tier == tier
    stmt = enterprise_query(f, scope=scope).join(src.target, src.on).where(held)
    ordered = stmt.order_by(Enterprise.name, Enterprise.id)
    ids = list(
        session.scalars(
            ordered.with_only_columns(Enterprise.id, maintain_column_froms=True)
            .limit(per_page + 1)
            .offset((page - 1) * per_page)
        )
    )
    items = _load(session, ids[:per_page])
    total = len(items) if page == 1 and len(ids) <= per_page else None  # counted for free
    return TierPage(items, len(ids) > per_page, total, total is not None)
