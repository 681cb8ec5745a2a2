"""Bulk writes: COPY on PostgreSQL (a draw freezes 100,000 pool rows, a first reminder scan
writes 100,000 notifications), a plain executemany on SQLite. They never commit."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, cast

from sqlalchemy import JSON, Table, insert, text
from sqlalchemy.orm import Session

from casemgr.db import Base

COPY_THRESHOLD = 200  # fewer rows than this: an ordinary INSERT is as fast


Target = Table | type[Base]


def _table(target: Target) -> Table:
    return target if isinstance(target, Table) else cast(Table, target.__table__)


def _is_json(table: Table, column: str) -> bool:
    kind = table.c[column].type
    return isinstance(kind, JSON) or isinstance(getattr(kind, "impl", None), JSON)


def _with_defaults(table: Table, rows: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The rows with the Python-side defaults of the columns they leave out (COPY, unlike the
    ORM's INSERT, applies only server defaults): scalars, and callables called per row."""
    given = set(rows[0])
    missing = [
        c for c in table.c if c.name not in given and c.default is not None and not c.primary_key
    ]
    if not missing:
        return list(rows)
    out: list[Mapping[str, Any]] = []
    for row in rows:
        filled = dict(row)
        for c in missing:
            default: Any = c.default
            filled[c.name] = default.arg(None) if default.is_callable else default.arg
        out.append(filled)
    return out


def copy_rows(
    session: Session, target: Target, rows: Sequence[Mapping[str, Any]], *, into: str | None = None
) -> None:
    """Insert ``rows`` (dicts with the same keys) into ``target`` (a model or table), or into
    the table named ``into`` with the same columns (a temporary staging table)."""
    if not rows:
        return
    table = _table(target)
    connection = session.connection()
    if connection.dialect.name != "postgresql" or len(rows) < COPY_THRESHOLD:
        if into is None:
            session.execute(insert(table), list(rows))
        else:
            columns = list(rows[0])
            placeholders = ", ".join(f":{c}" for c in columns)
            session.execute(
                text(f"INSERT INTO {into} ({', '.join(columns)}) VALUES ({placeholders})"),
                list(rows),
            )
        return
    from psycopg.types.json import Jsonb

    rows = _with_defaults(table, rows)
    columns = list(rows[0])
    json_columns = {c for c in columns if _is_json(table, c)}
    plain = not json_columns and not any(isinstance(v, enum.Enum) for v in rows[0].values())
    raw = connection.connection.driver_connection
    assert raw is not None
    with (
        raw.cursor() as cur,
        cur.copy(f"COPY {into or table.name} ({', '.join(columns)}) FROM STDIN") as copy,
    ):
        for row in rows:
            if plain:
                copy.write_row([row[c] for c in columns])
                continue
            copy.write_row(
                [
                    Jsonb(row[c]) if c in json_columns
                    else row[c].value if isinstance(row[c], enum.Enum)
                    else row[c]
                    for c in columns
                ]
            )  # fmt: skip


def reserve_ids(session: Session, target: Target, n: int) -> list[int] | None:
    """``n`` new primary keys of ``table`` from its PostgreSQL sequence (so that rows can be
    copied with their ids and referenced at once); None on other databases."""
    table = _table(target)
    connection = session.connection()
    if connection.dialect.name != "postgresql" or n < COPY_THRESHOLD:
        return None
    return list(
        session.scalars(
            text(
                f"SELECT nextval(pg_get_serial_sequence('{table.name}', 'id')) "
                "FROM generate_series(1, :n)"
            ),
            {"n": n},
        )
    )


def update_column(
    session: Session, target: Target, column: str, values: Iterable[tuple[int, Any]]
) -> None:
    """Set ``column`` of the rows with the given ids: one statement per 10,000 rows on
    PostgreSQL (``UPDATE ... FROM unnest``), an executemany elsewhere."""
    pairs = list(values)
    if not pairs:
        return
    table = _table(target)
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        kind = table.c[column].type.compile(dialect=connection.dialect)
        stmt = text(
            f"UPDATE {table.name} AS t SET {column} = u.v "
            f"FROM unnest(CAST(:ids AS bigint[]), CAST(:vs AS {kind}[])) AS u(id, v) "
            "WHERE t.id = u.id"
        )
        for start in range(0, len(pairs), 10_000):
            part = pairs[start : start + 10_000]
            session.execute(stmt, {"ids": [p[0] for p in part], "vs": [p[1] for p in part]})
        return
    stmt = text(f"UPDATE {table.name} SET {column} = :v WHERE id = :id")
    session.execute(stmt, [{"id": i, "v": v} for i, v in pairs])
