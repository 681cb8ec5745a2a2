"""Read queries for the inspection pages (督察与双随机抽查页面): the rounds with their stage counts,
a round's plan laid out as month calendars, a unit inspection with its problems and reports, a
draw's targets with their enterprises, tiers, inspectors and declared conflicts (回避).

Everything here reads; the pages change records through :mod:`casemgr.services.inspections`,
:mod:`casemgr.services.inspection_problems` and :mod:`casemgr.services.draws`. Each query is one
statement per table over at most one page of rows, so a page stays fast with a province's data.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, aliased, selectinload

from casemgr.exceptions import NotFound
from casemgr.i18n import N_
from casemgr.models import (
    CreditScore,
    Division,
    DivisionLevel,
    DrawTarget,
    Enterprise,
    HolidayDay,
    InspectionDraw,
    InspectionProblem,
    InspectionRound,
    InspectionUnit,
    InspectorConflict,
    Task,
    TaskStatus,
    UnitInspection,
    User,
)
from casemgr.policy import Actor, Permission
from casemgr.repositories.common import Page
from casemgr.services import draws
from casemgr.services.access import require

__all__ = [
    "Blackout",
    "CalendarDay",
    "CalendarMonth",
    "StoredVerification",
    "TargetRow",
    "blackouts_of",
    "conflicts_for",
    "division_names",
    "holidays_between",
    "latest_verification",
    "month_grid",
    "months_of",
    "recent_draws",
    "round_stage_counts",
    "scope_name",
    "scope_options",
    "target_page",
    "unit_names",
    "user_names",
    "verification_under_way",
    "visit_detail",
]


@dataclass(frozen=True)
class Blackout:
    """A period of a round with no day on site (e.g. 春节), from the round's settings."""

    name: str
    start: date
    end: date


@dataclass
class CalendarDay:
    """One cell of a month grid: the stays (督察进驻) on that day, a blackout, a holiday."""

    day: date
    in_month: bool
    visits: list[UnitInspection] = field(default_factory=list)
    blackout: str | None = None
    holiday: tuple[str, str] | None = None  # (kind: holiday | workday, name)
    # Name the blackout on its first day and at the start of each week and month it spans.
    blackout_named: bool = False


@dataclass
class CalendarMonth:
    year: int
    month: int
    weeks: list[list[CalendarDay]]

    @property
    def key(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


def unit_names(session: Session) -> dict[str, str]:
    """Inspection unit code -> name (9 市州, 贵安新区, the pilot counties)."""
    return dict(session.execute(select(InspectionUnit.code, InspectionUnit.name)).all())


def division_names(session: Session, codes: Iterable[str]) -> dict[str, str]:
    wanted = sorted({c for c in codes if c})
    if not wanted:
        return {}
    rows = session.execute(select(Division.code, Division.name).where(Division.code.in_(wanted)))
    return {code: name for code, name in rows}


def user_names(session: Session, ids: Iterable[int | None]) -> dict[int, str]:
    wanted = sorted({i for i in ids if i})
    if not wanted:
        return {}
    rows = session.execute(
        select(User.id, User.display_name, User.username).where(User.id.in_(wanted))
    )
    return {uid: display or username for uid, display, username in rows}


def round_stage_counts(session: Session, actor: Actor) -> dict[int, dict[str, int]]:
    """Per round, how many unit inspections are in each stage (one grouped query)."""
    require(actor, Permission.READ_CASES)
    out: dict[int, dict[str, int]] = {}
    rows = session.execute(
        select(UnitInspection.round_id, UnitInspection.stage, func.count()).group_by(
            UnitInspection.round_id, UnitInspection.stage
        )
    )
    for round_id, stage, n in rows:
        out.setdefault(round_id, {})[str(stage.value)] = n
    return out


def recent_draws(
    session: Session, actor: Actor, *, page: int, per_page: int
) -> Page[InspectionDraw]:
    """The draws, newest first, one page (seeds and digests are public, DOMAIN.md §5.1)."""
    require(actor, Permission.READ_ENTERPRISES)
    total = session.scalar(select(func.count(InspectionDraw.id))) or 0
    rows = session.scalars(
        select(InspectionDraw)
        .order_by(InspectionDraw.id.desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    return Page(list(rows), page, per_page, total, True)


def scope_options(session: Session, actor: Actor) -> list[tuple[str, str]]:
    """The divisions a draw may be organised for by ``actor``: the province (province-wide
    actors), prefectures whose every county is in the actor's jurisdiction, and counties."""
    rows = session.execute(
        select(Division.code, Division.name, Division.level, Division.parent_code).order_by(
            Division.code
        )
    ).all()
    children: dict[str, set[str]] = {}
    for code, _name, level, parent in rows:
        if level is DivisionLevel.COUNTY and parent:
            children.setdefault(parent, set()).add(code)
    out = []
    for code, name, level, _parent in rows:
        if actor.counties is None:
            ok = True
        elif level is DivisionLevel.COUNTY:
            ok = code in actor.counties
        elif level is DivisionLevel.PREFECTURE:
            ok = bool(children.get(code)) and children[code] <= actor.counties
        else:
            ok = False
        if ok:
            out.append((code, f"{name} ({code})"))
    return out


# -- the round as a calendar ----------------------------------------------------------------


def blackouts_of(rnd: InspectionRound) -> list[Blackout]:
    """The round's blackout periods as its settings keep them (what every edit is checked
    against)."""
    raw: Any = (rnd.settings or {}).get("blackouts") or []
    return [
        Blackout(str(b["name"]), date.fromisoformat(b["start"]), date.fromisoformat(b["end"]))
        for b in raw
    ]


def months_of(start: date, end: date) -> list[tuple[int, int]]:
    """(year, month) of every month a period touches, in order."""
    out = []
    y, m = start.year, start.month
    while (y, m) <= (end.year, end.month):
        out.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def holidays_between(session: Session, start: date, end: date) -> dict[date, tuple[str, str]]:
    """Statutory days off and make-up working days (调休) in a period, from the State Council's
    yearly notices loaded as reference data."""
    rows = session.execute(
        select(HolidayDay.day, HolidayDay.kind, HolidayDay.name).where(
            HolidayDay.day >= start, HolidayDay.day <= end
        )
    )
    return {day: (kind, name) for day, kind, name in rows}


def month_grid(
    year: int,
    month: int,
    visits: Sequence[UnitInspection],
    blackouts: Sequence[Blackout],
    holidays: dict[date, tuple[str, str]] | None = None,
) -> CalendarMonth:
    """A month as weeks of days, Monday first (the Chinese calendar's week), each day with the
    stays covering it, the blackout it lies in and its holiday mark. Pure: no database."""
    holidays = holidays or {}
    weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
    first, last = weeks[0][0], weeks[-1][-1]
    by_day: dict[date, list[UnitInspection]] = {}
    for v in visits:
        day = max(v.start_on, first)
        while day <= min(v.end_on, last):
            by_day.setdefault(day, []).append(v)
            day += timedelta(days=1)
    grid = []
    for week in weeks:
        row = []
        for day in week:
            blackout = next((b for b in blackouts if b.start <= day <= b.end), None)
            row.append(
                CalendarDay(
                    day=day,
                    in_month=day.month == month,
                    visits=sorted(by_day.get(day, []), key=lambda v: (v.team.code, v.id)),
                    blackout=blackout.name if blackout else None,
                    holiday=holidays.get(day),
                    blackout_named=blackout is not None
                    and (day == blackout.start or day.weekday() == 0 or day.day == 1),
                )
            )
        grid.append(row)
    return CalendarMonth(year, month, grid)


# -- a unit inspection ----------------------------------------------------------------------


def visit_detail(session: Session, actor: Actor, visit_id: int) -> UnitInspection:
    """A unit inspection with its round, problems, their reports and its stage history loaded
    in one query per table. Raises PermissionDenied, NotFound."""
    require(actor, Permission.READ_CASES)
    v = session.scalar(
        select(UnitInspection)
        .where(UnitInspection.id == visit_id)
        .options(
            selectinload(UnitInspection.round),
            selectinload(UnitInspection.problems).selectinload(InspectionProblem.reports),
            selectinload(UnitInspection.stages),
        )
    )
    if v is None:
        raise NotFound(kind=N_("Unit inspection"), key=visit_id)
    return v


def enterprise_names(session: Session, ids: Iterable[int | None]) -> dict[int, str]:
    wanted = sorted({i for i in ids if i})
    if not wanted:
        return {}
    rows = session.execute(select(Enterprise.id, Enterprise.name).where(Enterprise.id.in_(wanted)))
    return {eid: name for eid, name in rows}


# -- a draw's targets -----------------------------------------------------------------------


@dataclass(frozen=True)
class TargetRow:
    """A drawn enterprise as the draw page shows it (inspectors by user id)."""

    target: DrawTarget
    enterprise_name: str
    uscc: str
    county_name: str
    tier: str | None


def target_page(
    session: Session, actor: Actor, draw: InspectionDraw, *, page: int, per_page: int
) -> tuple[list[TargetRow], int]:
    """One page of the targets the actor may see (:func:`draws.visible_target_query`) with
    their enterprise, county and tier on the draw day, in one query, and the count of them.

    The tier is the draw's scheme's latest score as of the draw day (as the pool read it)."""
    stmt = draws.visible_target_query(actor, draw)
    if stmt is None:
        return [], 0
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    # The page first (ranked, limited), then its enterprises and tiers: fifty lookups, not one
    # per target of the draw.
    shown = stmt.order_by(DrawTarget.rank).offset((page - 1) * per_page).limit(per_page)
    target = aliased(DrawTarget, shown.subquery())
    tier = (
        select(CreditScore.tier)
        .where(
            CreditScore.scheme == draw.credit_scheme,
            CreditScore.enterprise_id == target.enterprise_id,
            CreditScore.as_of <= draw.draw_on,
        )
        .order_by(CreditScore.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    rows = session.execute(
        select(target, Enterprise.name, Enterprise.uscc, Division.name, tier)
        .outerjoin(Enterprise, Enterprise.id == target.enterprise_id)
        .outerjoin(Division, Division.code == target.county_code)
        .order_by(target.rank)
    )
    out = [
        TargetRow(
            target=t,
            enterprise_name=name or "",
            uscc=uscc or "",
            county_name=county or t.county_code,
            tier=score_tier,
        )
        for t, name, uscc, county, score_tier in rows
    ]
    return out, total


def conflicts_for(
    session: Session, draw: InspectionDraw, enterprise_ids: Sequence[int]
) -> list[InspectorConflict]:
    """Conflicts of interest (回避) standing on the draw day for the enterprises shown: the
    inspectors the draw had to keep away from them."""
    if not enterprise_ids:
        return []
    return list(
        session.scalars(
            select(InspectorConflict)
            .where(
                InspectorConflict.enterprise_id.in_(sorted(set(enterprise_ids))),
                InspectorConflict.declared_on <= draw.draw_on,
                InspectorConflict.withdrawn_on.is_(None)
                | (InspectorConflict.withdrawn_on > draw.draw_on),
            )
            .order_by(InspectorConflict.enterprise_id, InspectorConflict.id)
        )
    )


# -- a draw's verifications -----------------------------------------------------------------

VERIFY_KIND = "draw_verify"  # the task kind of services.task_kinds


@dataclass(frozen=True)
class StoredVerification:
    """The outcome of a re-run of a draw from its frozen inputs, as its task stored it."""

    task_id: int
    verified_at: datetime | None
    verified_by_id: int
    matches: bool
    inputs_match: bool
    stored_digest: str | None
    recomputed_digest: str


def _verify_tasks(draw_id: int, *statuses: TaskStatus) -> Select[Any]:
    return (
        select(Task)
        .where(
            Task.kind == VERIFY_KIND,
            Task.status.in_(statuses),
            Task.params["draw_id"].as_integer() == draw_id,
        )
        .order_by(Task.id.desc())
        .limit(1)
    )


def latest_verification(session: Session, draw_id: int) -> StoredVerification | None:
    """The latest finished verification of a draw, by whoever asked for it: it compares
    published digests, so anyone who may see the draw may see it."""
    task = session.scalar(_verify_tasks(draw_id, TaskStatus.DONE))
    result: Any = task.result if task is not None else None
    if task is None or not isinstance(result, dict):
        return None
    return StoredVerification(
        task_id=task.id,
        verified_at=task.finished_at,
        verified_by_id=task.created_by_id,
        matches=bool(result.get("matches")),
        inputs_match=bool(result.get("inputs_match")),
        stored_digest=result.get("stored_digest"),
        recomputed_digest=str(result.get("recomputed_digest") or ""),
    )


def verification_under_way(session: Session, actor: Actor, draw_id: int) -> Task | None:
    """The actor's own verification of a draw still queued or running, if any."""
    stmt = _verify_tasks(draw_id, TaskStatus.QUEUED, TaskStatus.RUNNING)
    task: Task | None = session.scalar(stmt.where(Task.created_by_id == actor.user_id))
    return task


def scope_name(session: Session, code: str) -> str:
    """The name of a draw's organising inspection unit, or of its division."""
    name = session.scalar(select(InspectionUnit.name).where(InspectionUnit.code == code))
    if name is None:
        name = session.scalar(select(Division.name).where(Division.code == code))
    return name or ""
