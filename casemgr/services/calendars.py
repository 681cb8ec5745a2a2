"""The statutory-holiday calendar as data: loaded from the yearly notices into the database,
read back into the legal clock (cached per process until the table changes)."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path
from threading import Lock

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from casemgr.db import transaction
from casemgr.legalclock import HolidayCalendar, load_calendar
from casemgr.models import HolidayDay
from casemgr.policy import SYSTEM_ACTOR, Actor

_cache: dict[tuple[object, ...], HolidayCalendar] = {}
_lock = Lock()


@dataclass(frozen=True)
class CalendarLoad:
    days: int
    years: list[int]


def packaged_rows() -> list[dict[str, str]]:
    folder = resources.files("casemgr") / "refdata" / "holidays"
    rows: list[dict[str, str]] = []
    for f in sorted(folder.iterdir(), key=lambda f: f.name):
        if f.name.endswith(".csv"):
            rows.extend(csv.DictReader(f.read_text(encoding="utf-8").splitlines()))
    return rows


def load_rows(
    session: Session, rows: Iterable[Mapping[str, str]], *, actor: Actor = SYSTEM_ACTOR
) -> CalendarLoad:
    """Check the rows with the legal clock's own loader, then replace the notice years they
    cover. Raises ValueError naming the bad row; nothing is written then."""
    rows = list(rows)
    calendar = load_calendar(rows)  # validates every row first
    session.info.pop(_SESSION_KEY, None)
    with transaction(session, actor=actor):
        for day in session.scalars(select(HolidayDay).where(HolidayDay.year.in_(calendar.years))):
            session.delete(day)
        session.flush()
        for row in rows:
            d = row["date"].strip()
            session.add(
                HolidayDay(
                    day=date.fromisoformat(d),
                    kind=row["kind"].strip(),
                    name=(row.get("name") or "").strip(),
                    year=int(row.get("year") or d[:4]),
                    source=row["source"].strip(),
                )
            )
    return CalendarLoad(days=len(rows), years=sorted(calendar.years))


def load_packaged_years(session: Session) -> CalendarLoad:
    """Load the shipped notices for the years the table does not hold yet (an administrator's
    later load of a year is never overwritten)."""
    present = set(session.scalars(select(HolidayDay.year).distinct()))
    rows = [r for r in packaged_rows() if int(r.get("year") or r["date"][:4]) not in present]
    if not rows:
        return CalendarLoad(days=0, years=[])
    return load_rows(session, rows)


def load_csv(session: Session, path: Path, *, actor: Actor = SYSTEM_ACTOR) -> CalendarLoad:
    with path.open(encoding="utf-8") as fh:
        return load_rows(session, csv.DictReader(fh), actor=actor)


def calendar_for(session: Session) -> HolidayCalendar:
    """The calendar of the holiday table (rebuilt only when the table changed).

    Checked once per session (a request, a command): a page that computes many deadlines asks
    the table once, and a load of holidays in the same session forgets the session's copy.
    """
    held = session.info.get(_SESSION_KEY)
    if held is not None:
        return held  # type: ignore[no-any-return]
    calendar = _calendar_of_table(session)
    session.info[_SESSION_KEY] = calendar
    return calendar


_SESSION_KEY = "casemgr.holiday_calendar"


def _calendar_of_table(session: Session) -> HolidayCalendar:
    fingerprint = tuple(
        session.execute(
            select(
                func.count(),
                func.min(HolidayDay.day),
                func.max(HolidayDay.day),
                func.count(func.distinct(HolidayDay.year)),
                func.count(HolidayDay.day).filter(HolidayDay.kind == "workday"),
            )
        ).one()
    )
    with _lock:
        cached = _cache.get(fingerprint)
    if cached is not None:
        return cached
    rows = [
        {
            "date": d.day.isoformat(),
            "kind": d.kind,
            "name": d.name,
            "source": d.source,
            "year": str(d.year),
        }
        for d in session.scalars(select(HolidayDay).order_by(HolidayDay.day))
    ]
    calendar = load_calendar(rows)
    with _lock:
        _cache.clear()
        _cache[fingerprint] = calendar
    return calendar
