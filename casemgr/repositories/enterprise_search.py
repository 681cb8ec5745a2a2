"""Enterprise search pages in name order, with a capped count.

Results are sorted by name (the default), and most names start with a place (贵阳市观山湖区…,
遵义市…): the matches of a fragment are often not spread evenly through the name order, which
is what PostgreSQL assumes when it chooses between walking the names in order until a page is
full and collecting every match through the n-gram index of migration 0003, then sorting them.
When it guesses wrong, a walk reads hundreds of thousands of names (观山, 远县: 0.3–2 s). So on
PostgreSQL the choice is made here, from PostgreSQL's estimate of the names holding the
fragment (its rarest pair of characters) and by trying:

1. **Rare fragments are collected** through the indexes (n-grams of the name, former names,
   aliases, USCC), then sorted, the total coming with them.
2. **Frequent ones are walked for.** The first names in order (per county, merged, when the
   search is limited to several counties) are tested against the fragment, up to 16 times as
   many as even spreading would need. If they hold the page, it is the right page: nothing
   before them was skipped (化工, 矿业: a few thousand names).
3. **Otherwise collected after all**, unless they are so many that collecting costs more than
   walking on (贵州, 415,701 names): then the walk goes on to the end of the page.

The count is capped at :data:`SEARCH_COUNT_CAP`: past it the page says ``total_exact: false``
and the total is a lower bound. The current names are counted first, as a frequent fragment
reaches the cap there.

Without a fragment, a search limited to several counties (a prefecture, an officer's
jurisdiction) merges the counties' name-ordered ranges of ``ix_enterprises_county_name``
instead of walking every name for those counties. Any other sort, and SQLite, take the plain
query.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    Select,
    Text,
    any_,
    bindparam,
    func,
    or_,
    select,
    text,
    union,
    union_all,
)
from sqlalchemy.orm import Session, selectinload

from casemgr.models import Enterprise
from casemgr.repositories.common import Page, apply_sort
from casemgr.repositories.enterprises import (
    ENTERPRISE_SORTS,
    EnterpriseFilter,
    _array_of,
    _former_and_alias,
    _fragment_matches,
    _holds_ngrams,
    _indexed,
    _name_contains,
    _ngrams,
    _other_filters,
    enterprise_query,
)

# A search counts at most this many matches; more, and the total is a lower bound. Counting a
# frequent fragment's 10,001 matches cost 20-60 ms, more than the page (BENCHMARKS.md); 1,000
# says as much to someone paging through 20 at a time.
SEARCH_COUNT_CAP = 1_000
# A walk in name order reads names from the index alone (migration 0014): 0.3 µs a name here,
# against 6-14 µs for a match collected through the n-gram index (a table row each). It is
# given up for collecting after WALK_PER_MATCH names per match PostgreSQL estimates, which
# bounds a wrong first choice at about twice the better plan: a walk for 贵州 (415,701 names,
# the first 20 by the 269,859th) goes on to the end of the page; 遵义 (73,631 names, the 20th
# at the 802,815th) and 观山 (20,328, at the 264,534th) are collected after a short walk.
WALK_PER_MATCH = 20


def search_page(
    session: Session,
    f: EnterpriseFilter,
    *,
    scope: Collection[str] | None,
    sort: str | None,
    page: int,
    per_page: int,
) -> Page[Enterprise]:
    """A page of the enterprises matching ``f`` within ``scope`` (county codes; None = the
    province), the total counted up to :data:`SEARCH_COUNT_CAP`."""
    if (sort or "name") != "name" or session.get_bind().dialect.name != "postgresql":
        stmt = apply_sort(
            enterprise_query(f, scope=scope), sort, ENTERPRISE_SORTS, "name", Enterprise.id
        )
        items = session.scalars(stmt.limit(per_page).offset((page - 1) * per_page)).all()
        return _with_total(session, items, stmt, page, per_page)

    counties = _counties(f, scope)
    if counties is not None and not counties:
        return Page([], page, per_page, 0, True)
    # Every statement below stops early (a page, a capped count): starting parallel workers
    # costs more than they save (a count of 1,001: 18 ms with two workers, 6 ms without).
    session.execute(text("SET LOCAL max_parallel_workers_per_gather = 0"))
    where = _other_filters(f)
    if counties is not None:
        where.append(Enterprise.county_code.in_(counties))
    need, offset = page * per_page, (page - 1) * per_page

    if f.q:
        estimate, rows = _estimated_names(session, f.q)
        budget = WALK_PER_MATCH * estimate
        if budget < need * rows / estimate:  # too rare to be met on a walk that short
            return _from_index(session, f.q, where, page, per_page)
        ids = _walk_for(session, f.q, f, counties, need, int(budget) if budget < rows else None)
        if ids is None:
            return _from_index(session, f.q, where, page, per_page)
        ids = ids[offset:]
        items = _load(session, ids)
        if page == 1 and len(items) < per_page:
            return Page(items, page, per_page, len(items), True)
        # A count stops at the cap, so the current names are counted first (a frequent
        # fragment is there 1,001 times), then former names, aliases and the USCC. Counted in
        # table order, PostgreSQL's guess between reading rows and the index holds.
        names = select(Enterprise.id).where(
            *where,
            _indexed(_name_contains(Enterprise.name, f.q), _holds_ngrams(Enterprise.name, f.q)),
        )
        if _count(session, names) > SEARCH_COUNT_CAP:
            return Page(items, page, per_page, SEARCH_COUNT_CAP, False)
        where.append(_fragment_matches(f.q))
        return _with_total(session, items, select(Enterprise.id).where(*where), page, per_page)
    if counties is not None and len(counties) > 1:
        merged = _in_name_order(counties, _other_filters(f), need)
        ordered = select(merged.c.id).order_by(merged.c.name, merged.c.id).offset(offset)
        ids = list(session.scalars(ordered))
    else:
        ordered = select(Enterprise.id).where(*where).order_by(Enterprise.name, Enterprise.id)
        ids = list(session.scalars(ordered.limit(per_page).offset(offset)))
    return _with_total(
        session, _load(session, ids), select(Enterprise.id).where(*where), page, per_page
    )


def _counties(f: EnterpriseFilter, scope: Collection[str] | None) -> list[str] | None:
    """The counties searched: the filter's within the actor's scope (None = all)."""
    chosen = [set(c) for c in (scope, f.counties) if c is not None]
    return sorted(set.intersection(*chosen)) if chosen else None


def _in_name_order(
    counties: Sequence[str] | None, where: list[ColumnElement[bool]], rows: int | None
) -> Any:
    """The first ``rows`` (None: all) enterprises passing ``where`` in name order (id, name): a
    walk of the name index, or for several counties a merge of each county's range
    of ``ix_enterprises_county_name``. Read lazily: a LIMIT above stops the walk."""
    cols = (Enterprise.id, Enterprise.name)
    order = (Enterprise.name, Enterprise.id)
    if counties is None or len(counties) == 1:
        if counties:
            where = [*where, Enterprise.county_code == counties[0]]
        return select(*cols).where(*where).order_by(*order).limit(rows).subquery("walk")
    parts = [
        select(*cols).where(*where, Enterprise.county_code == c).order_by(*order).limit(rows)
        for c in counties
    ]
    merged = union_all(*parts).subquery("counties")
    return select(merged).order_by(merged.c.name, merged.c.id).limit(rows).subquery("walk")


def _walk_for(
    session: Session,
    fragment: str,
    f: EnterpriseFilter,
    counties: Sequence[str] | None,
    need: int,
    budget: int | None,
) -> list[int] | None:
    """The first ``need`` matches of ``fragment`` in name order, found among the first
    ``budget`` names (None: all) passing the other filters of ``f``; None if they are not all
    there. Only the name and the id of a walked row are read (both in the index); former
    names, aliases and the USCC are looked up once, as sets of ids."""
    walk = _in_name_order(counties, _other_filters(f), budget)
    former, alias = _former_and_alias(fragment)
    by_uscc = select(Enterprise.id).where(Enterprise.uscc == fragment.upper())
    exact = or_(
        _name_contains(walk.c.name, fragment),
        walk.c.id.in_(by_uscc),
        walk.c.id.in_(former),
        walk.c.id.in_(alias),
    )
    probe = select(walk.c.id).where(exact).order_by(walk.c.name, walk.c.id).limit(need)
    ids = list(session.scalars(probe))
    return ids if len(ids) == need or budget is None else None


def _plan_rows(session: Session, grams: list[str]) -> float:
    """PostgreSQL's estimate of the current names holding every one of ``grams``, from the
    statistics of ``ix_enterprises_name_ngrams`` (migration 0003 keeps 1,000 per pair)."""
    stmt = text(
        "EXPLAIN (FORMAT JSON) SELECT 1 FROM enterprises WHERE casemgr_ngrams(name) @> :grams"
    ).bindparams(bindparam("grams", grams, ARRAY(Text), literal_execute=True))
    plan = session.execute(stmt).scalar_one()
    plan = json.loads(plan) if isinstance(plan, str) else plan
    return max(float(plan[0]["Plan"]["Plan Rows"]), 1.0)


def _estimated_names(session: Session, fragment: str) -> tuple[float, float]:
    """About how many current names hold ``fragment``, and how many enterprises there are.

    PostgreSQL multiplies the pairs' frequencies as if they were independent, which in names is
    far too low: a name holding 南明 nearly always holds 明区, one holding 污水 and 水处 holds
    处理 (污水处理: 19,802 names, estimated at 10). The rarest pair's count is the estimate
    instead: too high at worst, which only makes the walk longer (it is the cheap side). A
    fragment of five or more characters (a code, a whole name) is rare: PostgreSQL's estimate
    then."""
    grams = _ngrams(fragment)
    if len(grams) <= 3:
        estimate = min(_plan_rows(session, [g]) for g in grams)
    else:
        estimate = _plan_rows(session, grams)
    rows = session.scalar(
        text("SELECT reltuples FROM pg_class WHERE oid = 'enterprises'::regclass")
    )
    return estimate, max(float(rows or 0), 1.0)


def _from_index(
    session: Session, fragment: str, where: list[ColumnElement[bool]], page: int, per_page: int
) -> Page[Enterprise]:
    """Every match collected through the indexes, sorted, with the page and the total in one
    statement. Each arm has its own index (n-grams of the name, the USCC, former names and
    aliases by id), so that no plan reads the whole table to test the fragment row by row."""
    former, alias = _former_and_alias(fragment)
    cols = (Enterprise.id, Enterprise.name)
    names = _name_contains(Enterprise.name, fragment)
    matches = (
        union(
            select(*cols).where(_holds_ngrams(Enterprise.name, fragment), names, *where),
            select(*cols).where(Enterprise.uscc == fragment.upper(), *where),
            select(*cols).where(Enterprise.id == any_(_array_of(former.scalar_subquery())), *where),
            select(*cols).where(Enterprise.id == any_(_array_of(alias.scalar_subquery())), *where),
        )
        .cte("matches")
        .prefix_with("MATERIALIZED")  # collected first, never walked in name order
    )
    stmt = (
        select(matches.c.id, func.count().over().label("total"))
        .order_by(matches.c.name, matches.c.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    rows = session.execute(stmt).all()
    if not rows:  # past the last page: count them
        total = session.scalar(select(func.count()).select_from(matches)) or 0
    else:
        total = rows[0].total
    items = _load(session, [r.id for r in rows])
    return Page(items, page, per_page, min(total, SEARCH_COUNT_CAP), total <= SEARCH_COUNT_CAP)


def _load(session: Session, ids: Sequence[int]) -> list[Enterprise]:
    """The enterprises of a page in the order given, with their aliases and former names."""
    if not ids:
        return []
    stmt = (
        select(Enterprise)
        .options(selectinload(Enterprise.aliases), selectinload(Enterprise.name_history))
        .where(Enterprise.id.in_(ids))
    )
    by_id = {e.id: e for e in session.scalars(stmt)}
    return [by_id[i] for i in ids]


def _count(session: Session, stmt: Select[Any]) -> int:
    """Rows of ``stmt``, counted up to :data:`SEARCH_COUNT_CAP` + 1."""
    capped = stmt.order_by(None).limit(SEARCH_COUNT_CAP + 1).subquery()
    return session.scalar(select(func.count()).select_from(capped)) or 0


def _with_total(
    session: Session, items: Sequence[Enterprise], stmt: Select[Any], page: int, per_page: int
) -> Page[Enterprise]:
    """The page with the matches of ``stmt`` counted up to :data:`SEARCH_COUNT_CAP` + 1."""
    if page == 1 and len(items) < per_page:
        return Page(items, page, per_page, len(items), True)
    total = _count(session, stmt)
    return Page(items, page, per_page, min(total, SEARCH_COUNT_CAP), total <= SEARCH_COUNT_CAP)
