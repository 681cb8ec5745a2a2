"""Round milestones (督察节点提醒): the planners and the team leader are told before a team goes
on site, when a stay ends and the report is due, when a unit's rectification plan is due or late,
and when a handed-over problem passes its rectification deadline without acceptance.

Each reminder names its visit or problem, its kind and its date in the dedupe key: written once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from casemgr.db import transaction
from casemgr.i18n import N_
from casemgr.lifecycles.inspection import Stage
from casemgr.models import InspectionProblem, InspectionUnit, ProblemStatus, UnitInspection, User
from casemgr.models.accounts import UserRole
from casemgr.policy import Role
from casemgr.services import notifications
from casemgr.services.notifications import NewNotification

SUBJECTS = {
    "starts": N_("Inspection of {unit} by {team} goes on site on {on}"),
    "stay_ends": N_("The stay in {unit} ends on {on}: the report follows"),
    "plan_due": N_("The rectification plan of {unit} is due on {on}"),
    "problem_due": N_("Rectification of a problem in {unit} was due on {on} and is not accepted"),
}


@dataclass
class MilestoneReport:
    today: date
    written: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SUBJECTS, 0))


def _planners(session: Session) -> list[int]:
    return list(
        session.scalars(
            select(UserRole.user_id)
            .join(User, User.id == UserRole.user_id)
            .where(UserRole.role == Role.INSPECTION_PLANNER, User.active.is_(True))
            .order_by(UserRole.user_id)
        )
    )


def remind(session: Session, *, today: date, lead_days: int = 7) -> MilestoneReport:
    """Write the milestone reminders due today (the scheduler's daily job)."""
    report = MilestoneReport(today)
    soon = today + timedelta(days=lead_days)
    names = {
        code: name
        for code, name in session.execute(select(InspectionUnit.code, InspectionUnit.name))
    }
    planners = _planners(session)
    new: list[NewNotification] = []

    def tell(kind: str, ref: str, on: date, unit: str, team: str, leader: int | None) -> None:
        params = {"unit": names.get(unit, unit), "team": team, "on": on.isoformat()}
        for uid in sorted({*planners, *([leader] if leader else [])}):
            new.append(
                NewNotification(
                    user_id=uid,
                    kind=f"inspection_{kind}",
                    dedupe_key=f"{ref}:{kind}:{on.isoformat()}",
                    subject=SUBJECTS[kind],
                    params=params,
                    link=f"/{ref.replace(':', '/')}",
                    email=True,
                )
            )
        report.written[kind] += 1

    for v in session.scalars(select(UnitInspection).where(UnitInspection.stage != Stage.CLOSED)):
        ref, leader = f"unit-inspections:{v.id}", v.team.leader_id
        if v.stage is Stage.PREPARATION and today <= v.start_on <= soon:
            tell("starts", ref, v.start_on, v.unit_code, v.team.name, leader)
        if v.stage is Stage.ON_SITE and today <= v.end_on <= soon:
            tell("stay_ends", ref, v.end_on, v.unit_code, v.team.name, leader)
        due = v.rectification_plan_due
        if due and v.rectification_plan_on is None and due <= soon:
            tell("plan_due", ref, due, v.unit_code, v.team.name, leader)
    for p in session.scalars(
        select(InspectionProblem).where(
            InspectionProblem.status.in_([ProblemStatus.HANDED_OVER, ProblemStatus.RECTIFYING]),
            InspectionProblem.rectification_due < today,
        )
    ):
        v = p.inspection
        tell(
            "problem_due",
            f"inspection-problems:{p.id}",
            p.rectification_due or today,
            v.unit_code,
            v.team.name,
            v.team.leader_id,
        )
    with transaction(session):
        notifications.add(session, new)
    return report
