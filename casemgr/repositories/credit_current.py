"""The score in force now (当前信用等级): :class:`CreditCurrent` and :class:`CreditTierCount`.

Writers keep the invariant documented on :class:`CreditCurrent` in the caller's transaction
(they never commit):

* :func:`refresh` after scores were stored: each enterprise's row is recomputed from its
  history (the highest id), whatever was written and in whatever order, and the tier counts
  move by the difference;
* :func:`move` when an enterprise changes county, :func:`rename` when it changes its name.

On PostgreSQL each takes a transaction-scoped advisory lock per scheme first, so that two
transactions writing the same scheme never count from the same "before" (the counts stay
exact under concurrent rescoring) and a refresh never copies a county or name being changed;
SQLite has one writer at a time anyway.

Readers: :func:`exact_on` says whether the current rows are the scores in force on a day,
:func:`in_force_join` gives the join (and columns) of "the score in force on a day" for a
query over enterprises, from the current rows or from the history, :func:`in_name_order`
walks a tier's enterprises in name order (``ix_credit_current_tier_name``), and
:func:`tier_counts` counts the enterprises per county and tier in force on a day.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import (
    Integer,
    Select,
    Table,
    and_,
    any_,
    bindparam,
    func,
    literal_column,
    select,
    text,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, aliased

from casemgr.models import CreditScore, Enterprise
from casemgr.models.credit import CreditCurrent, CreditTierCount
from casemgr.repositories.graph import chunks

__all__ = [
    "ABNORMAL",
    "InForce",
    "StatisticsKeeper",
    "exact_on",
    "held",
    "holds_tier",
    "in_force_join",
    "in_name_order",
    "move",
    "refresh",
    "rename",
    "tier_counts",
]

ABNORMAL = "abnormal"  # the tier code of a score without a tier (异常), as the pages name it
CHUNK = 5000

_SCORE_COLUMNS = ("as_of", "status", "tier", "own_tier", "sublevel", "points")

Key = tuple[str, str]  # (county code, tier code)

_CURRENT: Table = CreditCurrent.__table__  # type: ignore[assignment]
_COUNTS: Table = CreditTierCount.__table__  # type: ignore[assignment]


def _dialect_insert(session: Session, table: Any) -> Any:
    name = session.get_bind().dialect.name
    return (postgresql.insert if name == "postgresql" else sqlite.insert)(table)


def _lock(session: Session, scheme_key: str) -> None:
    """Serialise the writers of one scheme's current rows until the transaction ends."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            select(
                func.pg_advisory_xact_lock(
                    func.hashtext("credit_current"), func.hashtext(scheme_key)
                )
            )
        )


def _tier_code(column: Any) -> Any:
    # A literal, not a parameter: PostgreSQL matches the grouped expression by its text.
    return func.coalesce(column, literal_column(f"'{ABNORMAL}'"))


def _among(session: Session, column: Any, ids: Sequence[int]) -> Any:
    """``column`` is one of ``ids``: on PostgreSQL one array parameter (``= ANY``), not a
    statement of 5,000 parameters, which SQLAlchemy compiles and psycopg adapts one by one per
    batch, and whose generic plan (psycopg prepares a statement run five times) tests the list
    row by row."""
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(None, list(ids), type_=postgresql.ARRAY(Integer)))
    return column.in_(ids)


def _keys_of(session: Session, scheme_key: str, ids: Sequence[int]) -> dict[int, Key]:
    """The (county, tier code) of the current rows of ``ids``."""
    stmt = select(
        CreditCurrent.enterprise_id, CreditCurrent.county_code, _tier_code(CreditCurrent.tier)
    ).where(CreditCurrent.scheme == scheme_key, _among(session, CreditCurrent.enterprise_id, ids))
    return {eid: (county, tier) for eid, county, tier in session.connection().execute(stmt)}


def _add_counts(session: Session, scheme_key: str, delta: Counter[Key]) -> None:
    rows = [
        {"scheme": scheme_key, "county_code": county, "tier": tier, "n": n}
        for (county, tier), n in sorted(delta.items())
        if n != 0
    ]
    if not rows:
        return
    stmt = _dialect_insert(session, _COUNTS)
    stmt = stmt.on_conflict_do_update(
        index_elements=["scheme", "county_code", "tier"],
        set_={"n": _COUNTS.c.n + stmt.excluded.n},
    )
    session.execute(stmt, rows)


def refresh(
    session: Session,
    scheme_key: str,
    enterprise_ids: Iterable[int],
    *,
    written_after: int | None = None,
) -> None:
    """Recompute the current rows of ``enterprise_ids`` under the scheme from their history
    (the stored score with the highest id) and move the tier counts with them.

    ``written_after``: the caller has just stored a score for each of ``enterprise_ids``, all
    with ids above this one (the highest id before it wrote), so only those rows can be the
    latest. The history is then read as a range of the primary key, whatever the planner's
    statistics say: during a full run they are those of the table before it, and a lookup by
    enterprise planned from them read every score written so far, once per batch."""
    ids = sorted(set(enterprise_ids))
    if not ids:
        return
    _lock(session, scheme_key)
    columns = ["scheme", "enterprise_id", "score_id", *_SCORE_COLUMNS, "county_code", "name"]
    for part in chunks(ids, CHUNK):
        before = _keys_of(session, scheme_key, part)
        latest = select(func.max(CreditScore.id)).where(
            CreditScore.scheme == scheme_key, _among(session, CreditScore.enterprise_id, part)
        )
        if written_after is not None:
            latest = latest.where(CreditScore.id > written_after)
        latest = latest.group_by(CreditScore.enterprise_id)
        rows = (
            select(
                CreditScore.scheme,
                CreditScore.enterprise_id,
                CreditScore.id,
                *(getattr(CreditScore, c) for c in _SCORE_COLUMNS),
                Enterprise.county_code,
                Enterprise.name,
            )
            .join(Enterprise, Enterprise.id == CreditScore.enterprise_id)
            .where(CreditScore.id.in_(latest))
        )
        # On the table, not the mapped class: the rows that come back are plain tuples, not
        # run through the ORM's loading (a full run writes a million).
        current = _CURRENT.c
        stmt = _dialect_insert(session, _CURRENT).from_select(columns, rows)
        stmt = stmt.on_conflict_do_update(
            index_elements=["scheme", "enterprise_id"],
            set_={c: stmt.excluded[c] for c in columns[2:]},
            where=(current.score_id != stmt.excluded.score_id)
            | (current.county_code != stmt.excluded.county_code)
            | (current.name != stmt.excluded.name),
        )
        # The rows written (inserted or changed) come back with their new county and tier.
        written = stmt.returning(
            current.enterprise_id, current.county_code, _tier_code(current.tier)
        )
        delta: Counter[Key] = Counter()
        for eid, county, tier in session.execute(written):
            if eid in before:
                delta[before[eid]] -= 1
            delta[(county, tier)] += 1
        _add_counts(session, scheme_key, delta)


class StatisticsKeeper:
    """Keeps PostgreSQL's statistics of the score tables in step with a long run that writes
    many rows (the full rescoring of the province).

    The planner sizes the tables from statistics taken before the run (an empty table when
    the history was cleared); autovacuum refreshes them at most once a minute, and only after
    the rows commit. Planned from those, each batch's lookups of its enterprises scanned every
    row written so far (a statement prepared after five runs keeps a generic plan, with the
    enterprises as a list tested row by row): a full run of 1,000,000 enterprises became
    quadratic. :meth:`wrote` analyses the tables again whenever the rows written since the last
    analysis exceed what the tables held then (so a handful of times over a run, each sampling
    at most 30,000 rows). Nothing to do on SQLite."""

    TABLES = ("credit_scores", "credit_current")
    FLOOR = 10_000  # rows written before the first analysis

    def __init__(self, session: Session) -> None:
        self.session = session
        self.enabled = session.get_bind().dialect.name == "postgresql"
        self.known = 0.0
        self.pending = 0
        if self.enabled:
            sized = "SELECT greatest(reltuples, 0) FROM pg_class WHERE oid = CAST(:t AS regclass)"
            self.known = float(session.scalar(text(sized), {"t": "credit_scores"}) or 0)

    def wrote(self, rows: int) -> None:
        """``rows`` score rows were written and committed: analyse when they add up."""
        if not self.enabled:
            return
        self.pending += rows
        if self.pending <= max(self.FLOOR, self.known):
            return
        for table in self.TABLES:
            self.session.execute(text(f"ANALYZE {table}"))
        self.session.commit()
        self.known += self.pending
        self.pending = 0


def _locked_schemes_of(session: Session, enterprise_id: int) -> list[str]:
    """The schemes the enterprise has a current row under, in order. Every scheme counted is
    locked first (in order, as the writers of scores lock them), so that a refresh writing the
    enterprise's first row meanwhile is either seen here or reads the enterprise after this
    transaction; then a primary-key probe per scheme, not a scan of every row for the id."""
    schemes = sorted(session.scalars(select(CreditTierCount.scheme).distinct()))
    for scheme_key in schemes:
        _lock(session, scheme_key)
    return sorted(
        session.scalars(
            select(CreditCurrent.scheme).where(
                CreditCurrent.scheme.in_(schemes), CreditCurrent.enterprise_id == enterprise_id
            )
        )
    )


def move(session: Session, enterprise_id: int, county_code: str) -> None:
    """The enterprise moved to ``county_code``: its current rows (every scheme) and the tier
    counts follow."""
    for scheme_key in _locked_schemes_of(session, enterprise_id):
        before = _keys_of(session, scheme_key, [enterprise_id])
        session.execute(
            update(CreditCurrent)
            .where(CreditCurrent.scheme == scheme_key, CreditCurrent.enterprise_id == enterprise_id)
            .values(county_code=county_code)
        )
        after = _keys_of(session, scheme_key, [enterprise_id])
        delta = Counter(after.values())
        delta.subtract(before.values())
        _add_counts(session, scheme_key, delta)


def rename(session: Session, enterprise_id: int, name: str) -> None:
    """The enterprise changed its name: its current rows (every scheme) follow, so that the
    tier lists keep it in its place in name order. The schemes' locks first, as :func:`refresh`
    takes them: a refresh running meanwhile copies the name either before this or after it."""
    for scheme_key in _locked_schemes_of(session, enterprise_id):
        session.execute(
            update(CreditCurrent)
            .where(CreditCurrent.scheme == scheme_key, CreditCurrent.enterprise_id == enterprise_id)
            .values(name=name)
        )


# -- reading ----------------------------------------------------------------------------------


def exact_on(session: Session, scheme_key: str, day: date) -> bool:
    """Whether the current rows are the scores in force on ``day``: none is dated after it
    (one index probe on ``ix_credit_current_as_of``)."""
    later = select(CreditCurrent.enterprise_id).where(
        CreditCurrent.scheme == scheme_key, CreditCurrent.as_of > day
    )
    return session.execute(later.limit(1)).first() is None


@dataclass(frozen=True)
class InForce:
    """How a query over enterprises reaches the score in force on a day: join ``target`` on
    ``on`` (outer for "with or without a score"); the columns to select or filter on."""

    target: Any
    on: Any
    score_id: Any
    as_of: Any
    status: Any
    tier: Any
    own_tier: Any
    sublevel: Any
    points: Any


def in_force_join(scheme_key: str, day: date, *, current: bool) -> InForce:
    """The score in force on ``day`` of each :class:`Enterprise` of the query: its current row
    when ``current`` (:func:`exact_on` said so: one primary-key probe per enterprise), else the
    latest history row on or before the day (a probe of ``ix_credit_scores_history``)."""
    if current:
        c = CreditCurrent
        return InForce(
            c,
            and_(c.scheme == scheme_key, c.enterprise_id == Enterprise.id),
            c.score_id,
            c.as_of,
            c.status,
            c.tier,
            c.own_tier,
            c.sublevel,
            c.points,
        )
    s = aliased(CreditScore, name="in_force")
    h = aliased(CreditScore, name="history")
    latest = (
        select(func.max(h.id))
        .where(h.scheme == scheme_key, h.enterprise_id == Enterprise.id, h.as_of <= day)
        .correlate(Enterprise)
        .scalar_subquery()
    )
    return InForce(
        s, s.id == latest, s.id, s.as_of, s.status, s.tier, s.own_tier, s.sublevel, s.points
    )


def held(tier: str) -> Any:
    """A condition on :class:`CreditCurrent`: the row holds ``tier`` (``abnormal``: a score
    without a tier)."""
    return CreditCurrent.tier.is_(None) if tier == ABNORMAL else CreditCurrent.tier == tier


def holds_tier(scheme_key: str, tier: str) -> Any:
    """A condition on :class:`Enterprise`: its current row holds ``tier``. A primary-key probe
    per enterprise: for a few enterprises found another way (a rare name fragment); a tier's
    enterprises in name order are :func:`in_name_order`."""
    c = CreditCurrent
    return (
        select(c.enterprise_id)
        .where(c.scheme == scheme_key, c.enterprise_id == Enterprise.id, held(tier))
        .correlate(Enterprise)
        .exists()
    )


def in_name_order(
    scheme_key: str,
    tier: str,
    *,
    counties: Collection[str] | None = None,
    where: Sequence[Any] = (),
) -> Select[int, str]:
    """The enterprises holding ``tier`` now, in the enterprise list's order (name, then id):
    ``enterprise_id`` and ``name`` of their current rows, among ``counties`` (None: all),
    passing ``where`` (conditions on :class:`Enterprise`, joined by id for them only).

    A range of ``ix_credit_current_tier_name`` read in order from the index alone (the county
    is its last column): a page at any depth is an offset within the tier's entries, never a
    walk of the other tiers' enterprises. The name is the enterprise's (:class:`CreditCurrent`
    keeps it), of the same type and collation, so the order is the enterprise list's."""
    c = CreditCurrent
    stmt = select(c.enterprise_id, c.name).where(c.scheme == scheme_key, held(tier))
    if counties is not None:
        stmt = stmt.where(c.county_code.in_(sorted(counties)))
    if where:
        stmt = stmt.join(Enterprise, Enterprise.id == c.enterprise_id).where(*where)
    return stmt.order_by(c.name, c.enterprise_id)


def tier_counts(
    session: Session, scheme_key: str, day: date, counties: Collection[str] | None
) -> Counter[Key]:
    """Enterprises per (county, tier code) with a score in force on ``day`` under the scheme,
    among ``counties`` (None: all). The stored counts, corrected for the enterprises whose
    current row is dated after the day: those count by the history row in force on it (none
    for today; for a past day as many as were rescored since)."""
    stmt = select(CreditTierCount.county_code, CreditTierCount.tier, CreditTierCount.n).where(
        CreditTierCount.scheme == scheme_key, CreditTierCount.n != 0
    )
    if counties is not None:
        stmt = stmt.where(CreditTierCount.county_code.in_(sorted(counties)))
    out: Counter[Key] = Counter({(c, t): int(n) for c, t, n in session.execute(stmt)})
    if exact_on(session, scheme_key, day):
        return +out
    later = [CreditCurrent.scheme == scheme_key, CreditCurrent.as_of > day]
    if counties is not None:
        later.append(CreditCurrent.county_code.in_(sorted(counties)))
    tier = _tier_code(CreditCurrent.tier)
    now = select(CreditCurrent.county_code, tier, func.count()).where(*later)
    for county, code, n in session.execute(now.group_by(CreditCurrent.county_code, tier)):
        out[(county, code)] -= int(n)
    h = aliased(CreditScore, name="history")
    s = aliased(CreditScore, name="then")
    then_id = (
        select(func.max(h.id))
        .where(
            h.scheme == scheme_key, h.enterprise_id == CreditCurrent.enterprise_id, h.as_of <= day
        )
        .correlate(CreditCurrent)
        .scalar_subquery()
    )
    then_tier = _tier_code(s.tier)
    past = (
        select(CreditCurrent.county_code, then_tier, func.count())
        .join(s, s.id == then_id)
        .where(*later)
        .group_by(CreditCurrent.county_code, then_tier)
    )
    for county, code, n in session.execute(past):
        out[(county, code)] += int(n)
    return +out
