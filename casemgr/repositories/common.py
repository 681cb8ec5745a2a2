"""Pagination and sorting shared by every list query."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from casemgr.exceptions import InvalidInput
from casemgr.i18n import N_

T = TypeVar("T")

# Counting every match of a broad filter over a million rows costs more than the page itself;
# beyond this many the total is reported as a lower bound (``total_exact`` false).
COUNT_CAP = 10_000


@dataclass(frozen=True)
class Page(Generic[T]):
    items: Sequence[T]
    page: int
    per_page: int
    total: int
    total_exact: bool

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def apply_sort(
    stmt: Select[Any], sort: str | None, columns: Mapping[str, Any], default: str, tiebreak: Any
) -> Select[Any]:
    """Order by a comma-separated list of ``field`` / ``-field``; unknown fields are 422."""
    spec = sort or default
    order = []
    for part in (p.strip() for p in spec.split(",")):
        if not part:
            continue
        desc = part.startswith("-")
        name = part.lstrip("+-")
        if name not in columns:
            raise InvalidInput.field(
                "sort",
                N_("Cannot sort by '{name}'; allowed: {allowed}."),
                name=name,
                allowed=", ".join(sorted(columns)),
            )
        col = columns[name]
        order.append(col.desc() if desc else col.asc())
    return stmt.order_by(*order, tiebreak)


def paginate(session: Session, stmt: Select[Any], *, page: int, per_page: int) -> Page[Any]:
    items = session.scalars(stmt.limit(per_page).offset((page - 1) * per_page)).all()
    if page == 1 and len(items) < per_page:
        return Page(items, page, per_page, len(items), True)
    capped = stmt.order_by(None).limit(COUNT_CAP + 1).subquery()
    total = session.scalar(select(func.count()).select_from(capped)) or 0
    exact = total <= COUNT_CAP
    return Page(items, page, per_page, min(total, COUNT_CAP), exact)
