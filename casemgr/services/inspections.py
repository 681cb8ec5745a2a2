"""Provincial inspection rounds (督察轮次): teams, planning a round, edits re-checked against the
plan's rules, special inspections, and each unit inspection's stages (DOMAIN.md §5.2).

The planning itself is pure (:mod:`casemgr.planning.rounds`); this module keeps the round's
settings with it, so that every later edit is checked against the rules the plan was made with,
and turns the planner's errors and breaches into field errors in the reader's language.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from casemgr.db import transaction
from casemgr.exceptions import Conflict, InvalidInput, Message, NotFound, StaleVersion
from casemgr.i18n import N_
from casemgr.lifecycles.inspection import INSPECTION, InspectionFacts, Stage, StageEvent
from casemgr.models import (
    InspectionProblem,
    InspectionRound,
    InspectionTeam,
    InspectionUnit,
    ProblemStatus,
    StageChange,
    UnitInspection,
    User,
    VisitKind,
)
from casemgr.planning import rounds as planner
from casemgr.policy import Actor, Permission
from casemgr.services.access import require

# Which request field a breach of the plan is about.
_BREACH_FIELD = {
    "bad_period": "end_on",
    "unknown_unit": "unit_code",
    "unknown_team": "team_id",
    "outside_cycle": "start_on",
    "in_blackout": "start_on",
    "team_overlap": "team_id",
    "unit_overlap": "start_on",
    "unit_missing": "unit_code",
    "unit_twice": "unit_code",
}


def create_team(session: Session, actor: Actor, data: Mapping[str, Any]) -> InspectionTeam:
    """Raises PermissionDenied, Conflict (code taken), InvalidInput (unknown leader)."""
    require(actor, Permission.PLAN_INSPECTIONS)
    with transaction(session, actor=actor):
        if session.scalar(select(InspectionTeam.id).where(InspectionTeam.code == data["code"])):
            raise Conflict(
                N_("Team code '{code}' is taken."), errors={"code": [data["code"]]}, **data
            )
        leader = data.get("leader_id")
        if leader is not None and session.get(User, leader) is None:
            raise InvalidInput.field("leader_id", N_("User {id} does not exist."), id=leader)
        team = InspectionTeam(code=data["code"], name=data["name"], leader_id=leader)
        session.add(team)
    return team


def list_teams(session: Session, actor: Actor) -> list[InspectionTeam]:
    require(actor, Permission.READ_CASES)
    return list(session.scalars(select(InspectionTeam).order_by(InspectionTeam.code)))


def _unit_names(session: Session) -> dict[str, str]:
    return dict(session.execute(select(InspectionUnit.code, InspectionUnit.name)).all())


def _plan_error(exc: planner.PlanError) -> InvalidInput:
    template = planner.PLAN_ERROR_MESSAGES.get(
        f"{exc.code}/{exc.field}", planner.PLAN_ERROR_MESSAGES.get(exc.code, exc.code)
    )
    return InvalidInput(errors={exc.field: [Message(template, {"field": exc.field, **exc.params})]})


def _spec(rnd: InspectionRound) -> planner.RoundSpec:
    s = rnd.settings
    return planner.RoundSpec(
        cycle_start=rnd.cycle_start,
        cycle_end=rnd.cycle_end,
        units=tuple(s["units"]),  # type: ignore[arg-type]
        teams=tuple(s["teams"]),  # type: ignore[arg-type]
        days_on_site=int(s["days_on_site"]),  # type: ignore[call-overload]
        unit_days=dict(s.get("unit_days") or {}),  # type: ignore[call-overload]
        blackouts=tuple(
            planner.Blackout(
                b["name"], date.fromisoformat(b["start"]), date.fromisoformat(b["end"])
            )
            for b in s.get("blackouts") or []  # type: ignore[attr-defined]
        ),
        rest_days=int(s["rest_days"]),  # type: ignore[call-overload]
        unit_gap_days=int(s.get("unit_gap_days") or 0),  # type: ignore[call-overload]
    )


def _teams_by_id(session: Session, ids: Sequence[int]) -> list[InspectionTeam]:
    teams = {
        t.id: t for t in session.scalars(select(InspectionTeam).where(InspectionTeam.id.in_(ids)))
    }
    missing = [i for i in ids if i not in teams]
    if missing:
        raise InvalidInput.field(
            "team_ids",
            N_("No inspection team has the id(s) {ids}."),
            ids=", ".join(map(str, missing)),
        )
    return [teams[i] for i in ids]


def plan_round(session: Session, actor: Actor, data: Mapping[str, Any]) -> InspectionRound:
    """Plan a round: every unit once, within the teams' capacity, outside blackout periods.

    Raises PermissionDenied, InvalidInput (naming the field and the numbers: capacity, an
    unknown unit or team, a bad cycle)."""
    require(actor, Permission.PLAN_INSPECTIONS)
    with transaction(session, actor=actor):
        names = _unit_names(session)
        units = list(data.get("unit_codes") or sorted(names))
        unknown = [u for u in units if u not in names]
        if unknown:
            raise InvalidInput.field(
                "unit_codes", N_("'{code}' is not an inspection unit."), code=unknown[0]
            )
        teams = _teams_by_id(session, list(dict.fromkeys(data["team_ids"])))
        cycle_start, cycle_end = data["cycle_start"], data["cycle_end"]
        if "blackouts" in data and data["blackouts"] is not None:
            blackouts = [
                planner.Blackout(b["name"], b["start"], b["end"]) for b in data["blackouts"]
            ]
        else:
            try:
                blackouts = [
                    planner.Blackout(b.name.replace("Spring Festival", "春节"), b.start, b.end)
                    for b in planner.spring_festival_blackouts(
                        range(cycle_start.year, cycle_end.year + 1)
                    )
                ]
            except planner.PlanError as exc:
                raise _plan_error(exc) from exc
        settings: dict[str, Any] = {
            "units": units,
            "teams": [t.code for t in teams],
            "days_on_site": data.get("days_on_site", 30),
            "unit_days": dict(data.get("unit_days") or {}),
            "rest_days": data.get("rest_days", 14),
            "unit_gap_days": data.get("unit_gap_days", 0),
            "blackouts": [
                {"name": b.name, "start": b.start.isoformat(), "end": b.end.isoformat()}
                for b in blackouts
            ],
        }
        rnd = InspectionRound(
            name=data["name"],
            cycle_start=cycle_start,
            cycle_end=cycle_end,
            settings=settings,
            created_by_id=actor.user_id or None,
        )
        try:
            visits = planner.plan_round(_spec(rnd))
        except planner.PlanError as exc:
            raise _plan_error(exc) from exc
        session.add(rnd)
        by_code = {t.code: t for t in teams}
        for v in visits:
            session.add(
                UnitInspection(
                    round=rnd,
                    unit_code=v.unit,
                    team_id=by_code[v.team].id,
                    kind=VisitKind.ROUTINE,
                    start_on=v.start,
                    end_on=v.end,
                )
            )
    return rnd


def get_round(session: Session, actor: Actor, round_id: int) -> InspectionRound:
    """Raises PermissionDenied, NotFound."""
    require(actor, Permission.READ_CASES)
    rnd = session.get(InspectionRound, round_id)
    if rnd is None:
        raise NotFound(kind=N_("Inspection round"), key=round_id)
    return rnd


def list_rounds(session: Session, actor: Actor) -> list[InspectionRound]:
    require(actor, Permission.READ_CASES)
    return list(
        session.scalars(select(InspectionRound).order_by(InspectionRound.cycle_start.desc()))
    )


def _as_planned(v: UnitInspection) -> planner.Visit:
    # A visit not yet flushed has no id: "new" tells it apart from the saved ones.
    ref = "new" if v.id is None else str(v.id)
    return planner.Visit(v.unit_code, v.team.code, v.start_on, v.end_on, v.kind.value, ref)


def _named(session: Session, params: Mapping[str, Any]) -> dict[str, Any]:
    """Breach parameters with unit names beside their codes (readers know 遵义市, not 520300)."""
    names = _unit_names(session)
    out = dict(params)
    if "unit" in out:
        out["unit"] = f"{names.get(str(out['unit']), out['unit'])} ({out['unit']})"
    if "units" in out:
        out["units"] = [f"{names.get(str(u), u)} ({u})" for u in out["units"]]
    return out


def _template(b: planner.Breach) -> str:
    reason = b.params.get("reason")
    return planner.BREACH_MESSAGES.get(
        f"{b.code}/{reason}", planner.BREACH_MESSAGES.get(b.code, b.code)
    )


def _refuse(session: Session, breaches: Sequence[planner.Breach]) -> InvalidInput:
    errors: dict[str, list[Message]] = {}
    for b in breaches:
        errors.setdefault(_BREACH_FIELD.get(b.code, "start_on"), []).append(
            Message(_template(b), _named(session, b.params))
        )
    return InvalidInput(N_("The change breaks the plan's rules."), errors=errors)


def check_round(session: Session, actor: Actor, round_id: int) -> list[planner.Breach]:
    """Every breach of the round's current plan (none for a plan as generated)."""
    rnd = get_round(session, actor, round_id)
    return list(planner.check_plan(_spec(rnd), [_as_planned(v) for v in rnd.visits]))


def render_breach(session: Session, b: planner.Breach) -> Message:
    return Message(_template(b), _named(session, b.params))


def _visit(session: Session, visit_id: int) -> UnitInspection:
    v = session.get(UnitInspection, visit_id)
    if v is None:
        raise NotFound(kind=N_("Unit inspection"), key=visit_id)
    return v


def _checked_change(session: Session, v: UnitInspection) -> None:
    """Refuse the change of ``v`` (already applied to the object) if it breaks the plan."""
    rnd = v.round
    others = [_as_planned(o) for o in rnd.visits if o is not v]
    changed = _as_planned(v)
    breaches = planner.check_edit(_spec(rnd), [*others, changed], changed)
    if breaches:
        raise _refuse(session, breaches)


def move_visit(
    session: Session,
    actor: Actor,
    visit_id: int,
    data: Mapping[str, Any],
    *,
    expected_version: int,
) -> UnitInspection:
    """Move a unit inspection (its stay or its team), re-checked against the plan's rules.

    Raises PermissionDenied, NotFound, StaleVersion, Conflict (already on site), InvalidInput
    (each rule the move breaks: a blackout, the team busy, two teams in one unit)."""
    require(actor, Permission.PLAN_INSPECTIONS)
    with transaction(session, actor=actor):
        v = _visit(session, visit_id)
        if v.version != expected_version:
            raise StaleVersion()
        if v.stage is not Stage.PREPARATION:
            raise Conflict(N_("The team is already on site or done: the stay can no longer move."))
        if "team_id" in data:
            v.team = _teams_by_id(session, [data["team_id"]])[0]
            v.team_id = v.team.id
        # A new start keeps the stay's length unless a new end is given too.
        start = data.get("start_on", v.start_on)
        v.end_on = data.get("end_on") or start + (v.end_on - v.start_on)
        v.start_on = start
        _checked_change(session, v)
    return v


def add_special(
    session: Session, actor: Actor, round_id: int, data: Mapping[str, Any]
) -> UnitInspection:
    """Add a special inspection (专项督察) to a round, at any time, checked against the teams'
    and units' other stays. Raises PermissionDenied, NotFound, InvalidInput."""
    require(actor, Permission.PLAN_INSPECTIONS)
    with transaction(session, actor=actor):
        rnd = get_round(session, actor, round_id)
        if data["unit_code"] not in _unit_names(session):
            raise InvalidInput.field(
                "unit_code", N_("'{code}' is not an inspection unit."), code=data["unit_code"]
            )
        team = _teams_by_id(session, [data["team_id"]])[0]
        v = UnitInspection(
            round=rnd,
            unit_code=data["unit_code"],
            team=team,
            kind=VisitKind.SPECIAL,
            topic=data["topic"],
            start_on=data["start_on"],
            end_on=data["end_on"],
        )
        session.add(v)
        if team.code not in rnd.settings["teams"]:  # type: ignore[operator]
            rnd.settings = {**rnd.settings, "teams": [*rnd.settings["teams"], team.code]}  # type: ignore[misc]
        _checked_change(session, v)
    return v


def get_visit(session: Session, actor: Actor, visit_id: int) -> UnitInspection:
    require(actor, Permission.READ_CASES)
    return _visit(session, visit_id)


def _facts(session: Session, v: UnitInspection, on: date) -> InspectionFacts:
    counts = dict(
        session.execute(
            select(InspectionProblem.status, func.count())
            .where(InspectionProblem.inspection_id == v.id)
            .group_by(InspectionProblem.status)
        ).all()
    )
    return InspectionFacts(
        on=on,
        start_on=v.start_on,
        end_on=v.end_on,
        open_problems=counts.get(ProblemStatus.OPEN, 0),
        unaccepted_problems=sum(n for s, n in counts.items() if s != ProblemStatus.ACCEPTED),
        plan_received=v.rectification_plan_on is not None,
    )


def allowed_events(session: Session, v: UnitInspection, on: date) -> list[StageEvent]:
    return INSPECTION.allowed_events(v.stage, _facts(session, v, on))


def advance(
    session: Session,
    actor: Actor,
    visit_id: int,
    data: Mapping[str, Any],
    *,
    expected_version: int,
) -> UnitInspection:
    """Apply a stage event (arrive, report, give feedback, hand over, start rectification,
    request acceptance, close) on a day, with what it records.

    Raises PermissionDenied, NotFound, StaleVersion, IllegalTransition, GuardFailed."""
    require(actor, Permission.PLAN_INSPECTIONS)
    with transaction(session, actor=actor):
        v = _visit(session, visit_id)
        if v.version != expected_version:
            raise StaleVersion()
        event, on = StageEvent(data["event"]), data["on"]
        if data.get("rectification_plan_on"):
            v.rectification_plan_on = data["rectification_plan_on"]
        if data.get("rectification_plan_due"):
            v.rectification_plan_due = data["rectification_plan_due"]
        before = v.stage
        v.stage = INSPECTION.next_status(before, event, _facts(session, v, on))
        if event is StageEvent.REPORT:
            v.report_on = on
        elif event is StageEvent.GIVE_FEEDBACK:
            v.feedback_on = on
        elif event is StageEvent.CLOSE:
            v.closed_on = on
        session.add(
            StageChange(
                inspection_id=v.id,
                from_stage=before.value,
                to_stage=v.stage.value,
                event=event.value,
                on=on,
                actor_id=actor.user_id or None,
                note=data.get("note", ""),
            )
        )
    return v
