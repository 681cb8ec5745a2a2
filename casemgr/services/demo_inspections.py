"""Demo inspections: three teams, the 2026-2027 round planned by the planner, the first stays
under way, and a dispatched random draw for 遵义, so every inspection page has something real.
Loaded once; a second call changes nothing."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from casemgr.exceptions import InvalidInput
from casemgr.models import InspectionRound, User
from casemgr.planning.sampling import load_sampling_config
from casemgr.policy import SYSTEM_ACTOR, Actor
from casemgr.services import draws, inspections
from casemgr.services.access import actor_for
from credit.schemes import Scheme

TEAMS = (
    ("T1", "省第一生态环境保护督察组"),
    ("T2", "省第二生态环境保护督察组"),
    ("T3", "省第三生态环境保护督察组"),
)


def load_demo_inspections(session: Session, scheme: Scheme, *, today: date) -> bool:
    """Load the demo round and draw; False when they exist (or the planner is missing)."""
    if session.scalar(select(InspectionRound.id)) is not None:
        return False
    planner_user = session.scalar(select(User).where(User.username == "planner.province"))
    if planner_user is None:
        return False
    planner = actor_for(session, planner_user)
    team_ids = [
        inspections.create_team(session, SYSTEM_ACTOR, {"code": code, "name": name}).id
        for code, name in TEAMS
    ]
    rnd = inspections.plan_round(
        session,
        planner,
        {
            "name": "2026-2027年度省级生态环境保护例行督察",
            "cycle_start": date(2026, 1, 1),
            "cycle_end": date(2027, 12, 31),
            "team_ids": team_ids,
        },
    )
    # The stays already over are written up; the one under way today is on site.
    for visit in rnd.visits:
        if visit.start_on > today:
            break
        inspections.advance(
            session,
            planner,
            visit.id,
            {"event": "arrive", "on": visit.start_on},
            expected_version=visit.version,
        )
        if visit.end_on < today:
            inspections.advance(
                session,
                planner,
                visit.id,
                {"event": "report", "on": visit.end_on},
                expected_version=visit.version,
            )
    try:
        _demo_draw(session, planner, scheme, today)
    except InvalidInput:  # a demo too small for a draw (no source in 遵义): the round stands
        pass
    return True


def _demo_draw(session: Session, planner: Actor, scheme: Scheme, today: date) -> None:
    settings = draws.DrawSettings(config=load_sampling_config(), scheme=scheme)
    quarter = (today.month - 1) // 3 + 1
    draw = draws.prepare_draw(
        session,
        planner,
        {
            "title": f"遵义市{today.year}年第{quarter}季度双随机抽查（演示）",
            "scope_code": "520300",
            "roster_scope_code": "520000",
            "period": "quarter",
            "period_label": f"{today.year}Q{quarter}",
            "draw_on": today,
            "seed": f"demo-520300-{today.year}Q{quarter}",
        },
        settings,
    )
    draws.execute_draw(session, planner, draw.id)
    draws.dispatch_draw(session, planner, draw.id)
