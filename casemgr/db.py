"""Declarative base with a constraint naming convention, and the unit-of-work helper."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, MetaData, TypeDecorator, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Session

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

JSONType = JSON().with_variant(JSONB(), "postgresql")


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp on every database (SQLite stores naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; use an aware UTC datetime")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


@contextmanager
def transaction(session: Session, *, actor: Any = None) -> Iterator[Session]:
    """One unit of work: commit when the block succeeds, roll back on any exception.

    ``actor`` (the acting user) is made visible to the audit listener for the duration of the
    block, so every row change in it is attributed.
    """
    previous = session.info.get("actor")
    session.info["actor"] = actor
    try:
        yield session
        session.commit()
    except BaseException:
        session.info.pop(AFTER_COMMIT, None)
        session.rollback()
        raise
    finally:
        session.info["actor"] = previous
    # Work that must follow a committed change (rescoring credit after a case event), each
    # callback once, outside the unit of work it follows: its failure cannot undo that one.
    while callbacks := session.info.pop(AFTER_COMMIT, None):
        for callback in callbacks.values():
            callback(session)


AFTER_COMMIT = "after_commit"


def after_commit(session: Session, key: str, callback: Callable[[Session], None]) -> None:
    """Run ``callback(session)`` after the current :func:`transaction` commits (once per
    ``key``); dropped if it rolls back."""
    session.info.setdefault(AFTER_COMMIT, {}).setdefault(key, callback)


def advisory_xact_lock(session: Session, key: int) -> None:
    """Hold a PostgreSQL advisory lock until the session's transaction ends: one holder of
    ``key`` at a time across processes. A no-op on SQLite, which serialises writers itself."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": key})
