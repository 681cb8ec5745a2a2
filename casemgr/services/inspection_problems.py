"""Problems an inspection found (督察发现问题): handed over as violations in the case system
(移交), rectified with progress reports (整改), accepted and struck off (验收销号); summons (约谈)
and public notices (通报) recorded against a unit."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, time
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from casemgr.db import transaction
from casemgr.exceptions import Conflict, InvalidInput, NotFound, StaleVersion
from casemgr.i18n import N_
from casemgr.lifecycles.inspection import Stage
from casemgr.models import (
    Enterprise,
    InspectionProblem,
    InspectionUnit,
    ProblemStatus,
    RectificationReport,
    UnitAction,
    UnitInspection,
    ViolationOrigin,
)
from casemgr.policy import Actor, Permission
from casemgr.repositories.territories import counties_under
from casemgr.services.access import require
from casemgr.services.enterprises import require_county
from casemgr.services.localtime import LOCAL
from casemgr.services.violations import add_violation

# Stages in which findings are recorded: on site, while the report is written, at feedback.
_FINDING_STAGES = (Stage.ON_SITE, Stage.REPORT, Stage.FEEDBACK, Stage.HANDOVER)


def _problem(session: Session, problem_id: int, expected_version: int | None) -> InspectionProblem:
    p = session.get(InspectionProblem, problem_id)
    if p is None:
        raise NotFound(kind=N_("Inspection problem"), key=problem_id)
    if expected_version is not None and p.version != expected_version:
        raise StaleVersion()
    return p


def add_problem(
    session: Session, actor: Actor, visit_id: int, data: Mapping[str, Any]
) -> InspectionProblem:
    """Record a problem found in a unit: its county must lie in the unit.

    Raises PermissionDenied, NotFound, Conflict (stage), InvalidInput."""
    require(actor, Permission.PLAN_INSPECTIONS)
    with transaction(session, actor=actor):
        v = session.get(UnitInspection, visit_id)
        if v is None:
            raise NotFound(kind=N_("Unit inspection"), key=visit_id)
        if v.stage not in _FINDING_STAGES:
            raise Conflict(
                N_("Problems are recorded from arrival on site to hand-over; this one is {stage}."),
                stage=v.stage.value,
            )
        county = require_county(session, data["county_code"]).code
        counties = counties_under(session, v.unit_code)
        if counties is not None and county not in counties:
            raise InvalidInput.field(
                "county_code",
                N_("County {county} does not lie in the inspected unit {unit}."),
                county=county,
                unit=v.unit_code,
            )
        ent_id = data.get("enterprise_id")
        if ent_id is not None and session.get(Enterprise, ent_id) is None:
            raise InvalidInput.field(
                "enterprise_id", N_("Enterprise {id} does not exist."), id=ent_id
            )
        p = InspectionProblem(
            inspection_id=v.id,
            description=data["description"],
            county_code=county,
            enterprise_id=ent_id,
            rectification_due=data.get("rectification_due"),
        )
        session.add(p)
    return p


def hand_over(
    session: Session,
    actor: Actor,
    problem_id: int,
    data: Mapping[str, Any],
    *,
    expected_version: int,
) -> InspectionProblem:
    """Hand a problem over to the case system (移交): a violation is logged in its county, with
    the enterprise when known, in the same unit of work.

    Raises PermissionDenied, NotFound, StaleVersion, Conflict (already handed over)."""
    require(actor, Permission.PLAN_INSPECTIONS)
    with transaction(session, actor=actor):
        p = _problem(session, problem_id, expected_version)
        if p.status is not ProblemStatus.OPEN:
            raise Conflict(
                N_("Problem {id} was already handed over (violation {violation})."),
                id=p.id,
                violation=p.violation_id,
            )
        v = p.inspection
        found = datetime.combine(data["on"], time(9), LOCAL).astimezone(UTC)
        violation = add_violation(
            session,
            actor,
            {
                "found_at": found,
                "county_code": p.county_code,
                "enterprise_ids": [p.enterprise_id] if p.enterprise_id else [],
                "summary": p.description[:200],
                "description": f"{v.unit_code} {v.start_on.isoformat()}..{v.end_on.isoformat()}",
                "origin": ViolationOrigin.CENTRAL_INSPECTION,
            },
        )
        session.flush()
        p.violation_id = violation.id
        p.status = ProblemStatus.HANDED_OVER
    return p


def report_progress(
    session: Session, actor: Actor, problem_id: int, data: Mapping[str, Any]
) -> RectificationReport:
    """Record a rectification progress report (整改进展). Raises PermissionDenied, NotFound,
    Conflict (not handed over yet, or accepted)."""
    require(actor, Permission.PLAN_INSPECTIONS)
    with transaction(session, actor=actor):
        p = _problem(session, problem_id, None)
        if p.status in (ProblemStatus.OPEN, ProblemStatus.ACCEPTED):
            raise Conflict(
                N_(
                    "Progress is reported between hand-over and acceptance; "
                    "problem {id} is {status}."
                ),
                id=p.id,
                status=p.status.value,
            )
        report = RectificationReport(
            problem_id=p.id,
            reported_on=data["reported_on"],
            percent_done=data["percent_done"],
            progress=data["progress"],
            reported_by_id=actor.user_id or None,
        )
        session.add(report)
        p.status = ProblemStatus.RECTIFYING
    return report


def accept_problem(
    session: Session,
    actor: Actor,
    problem_id: int,
    data: Mapping[str, Any],
    *,
    expected_version: int,
) -> InspectionProblem:
    """Accept a rectified problem and strike it off (验收销号). Raises PermissionDenied,
    NotFound, StaleVersion, Conflict (no report at 100 %)."""
    require(actor, Permission.PLAN_INSPECTIONS)
    with transaction(session, actor=actor):
        p = _problem(session, problem_id, expected_version)
        if p.status is ProblemStatus.ACCEPTED:
            raise Conflict(N_("Problem {id} was already accepted."), id=p.id)
        if not p.reports or p.reports[-1].percent_done < 100:
            raise Conflict(
                N_("A problem is accepted once its last progress report says it is done (100 %)."),
                errors={"on": [N_("Record the final progress report first.")]},
            )
        p.status = ProblemStatus.ACCEPTED
        p.accepted_on = data["on"]
    return p


def record_action(session: Session, actor: Actor, data: Mapping[str, Any]) -> UnitAction:
    """Record a summons (约谈) or public notice (通报) against a unit. Raises PermissionDenied,
    InvalidInput (unknown unit, inspection of another unit), Conflict (document number taken)."""
    require(actor, Permission.PLAN_INSPECTIONS)
    with transaction(session, actor=actor):
        if session.get(InspectionUnit, data["unit_code"]) is None:
            raise InvalidInput.field(
                "unit_code", N_("'{code}' is not an inspection unit."), code=data["unit_code"]
            )
        iid = data.get("inspection_id")
        if iid is not None:
            v = session.get(UnitInspection, iid)
            if v is None or v.unit_code != data["unit_code"]:
                raise InvalidInput.field(
                    "inspection_id",
                    N_("Inspection {id} is not an inspection of {unit}."),
                    id=iid,
                    unit=data["unit_code"],
                )
        number = data.get("document_number")
        if number and session.scalar(
            select(UnitAction.id).where(
                UnitAction.kind == data["kind"], UnitAction.document_number == number
            )
        ):
            raise Conflict(
                N_("Document number {number} is already recorded."),
                errors={"document_number": [number]},
                number=number,
            )
        action = UnitAction(
            unit_code=data["unit_code"],
            inspection_id=iid,
            kind=data["kind"],
            on=data["on"],
            document_number=number or None,
            subject=data["subject"],
            summary=data.get("summary", ""),
            recorded_by_id=actor.user_id or None,
        )
        session.add(action)
    return action


def list_actions(session: Session, actor: Actor, unit_code: str) -> list[UnitAction]:
    require(actor, Permission.READ_CASES)
    return list(
        session.scalars(
            select(UnitAction)
            .where(UnitAction.unit_code == unit_code)
            .order_by(UnitAction.on.desc(), UnitAction.id.desc())
        )
    )
