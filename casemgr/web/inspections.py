"""Pages: provincial inspection rounds (督察轮次) as a calendar, unit inspections (督察) with their
stages, problems and rectification, and the overview listing the random draws (双随机、一公开),
where a draw is prepared; a draw's own pages are in :mod:`casemgr.web.draws`.

The pages call the same services as the API (:mod:`casemgr.services.inspections`,
:mod:`casemgr.services.inspection_problems`, :mod:`casemgr.services.draws`); the services check
permissions and the plan's rules, and a refusal re-renders the page with each reason beside the
field it concerns and what the user typed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext
from flask_login import login_required
from sqlalchemy.orm import Session

from casemgr.errors import _tr
from casemgr.exceptions import NotFound
from casemgr.extensions import db
from casemgr.i18n import N_
from casemgr.lifecycles.inspection import INSPECTION, InspectionFacts, Stage, StageEvent
from casemgr.lifecycles.inspection import RULE as INSPECTION_RULE
from casemgr.models import (
    InspectionProblem,
    ProblemStatus,
    UnitActionKind,
    UnitInspection,
)
from casemgr.planning.sampling import PERIODS
from casemgr.policy import Actor, Permission
from casemgr.repositories.territories import counties_under
from casemgr.schemas.draws import DrawCreateSchema
from casemgr.schemas.inspections import (
    OnSchema,
    ProblemCreateSchema,
    ProgressSchema,
    StageEventSchema,
    UnitActionCreateSchema,
    VisitMoveSchema,
)
from casemgr.security import page_actor
from casemgr.services import draws
from casemgr.services import inspection_pages as pages
from casemgr.services import inspection_problems as problems
from casemgr.services import inspections as svc
from casemgr.services.localtime import local_today
from casemgr.web.draws import DRAW_BASIS, DRAW_STATUSES, PERIOD_NAMES
from casemgr.web.forms import FormState, attempt, submitted

bp = Blueprint("inspections_pages", __name__)

DRAWS_PER_PAGE = 20
MONTHS_SHOWN = 3  # month blocks on one calendar page

# Display names of the enum values (English msgids, translated in the templates).
STAGES = {
    Stage.PREPARATION: N_("Preparation"),
    Stage.ON_SITE: N_("Team on site"),
    Stage.REPORT: N_("Inspection report"),
    Stage.FEEDBACK: N_("Feedback to the unit"),
    Stage.HANDOVER: N_("Hand-over of problems"),
    Stage.RECTIFICATION: N_("Rectification"),
    Stage.ACCEPTANCE: N_("Acceptance and strike-off"),
    Stage.CLOSED: N_("Filed and archived"),
}
EVENTS = {
    StageEvent.ARRIVE: N_("Arrive on site"),
    StageEvent.REPORT: N_("Record the inspection report"),
    StageEvent.GIVE_FEEDBACK: N_("Give feedback to the unit"),
    StageEvent.HAND_OVER: N_("Hand the problems over"),
    StageEvent.START_RECTIFICATION: N_("Start rectification"),
    StageEvent.REQUEST_ACCEPTANCE: N_("Request acceptance"),
    StageEvent.CLOSE: N_("Close and archive"),
}
PROBLEM_STATUSES = {
    ProblemStatus.OPEN: N_("Not yet handed over"),
    ProblemStatus.HANDED_OVER: N_("Handed over"),
    ProblemStatus.RECTIFYING: N_("Being rectified"),
    ProblemStatus.ACCEPTED: N_("Accepted and struck off"),
}
ACTION_KINDS = {
    UnitActionKind.SUMMONS: N_("Summons for talks"),
    UnitActionKind.PUBLIC_NOTICE: N_("Circular notice"),
}
WEEKDAYS = (N_("Mon"), N_("Tue"), N_("Wed"), N_("Thu"), N_("Fri"), N_("Sat"), N_("Sun"))
# Where the stage rules come from (shown beside the stage buttons), as the guards cite them.
STAGE_BASIS = INSPECTION_RULE.basis


@bp.context_processor
def _labels() -> dict[str, Any]:
    return {
        "STAGES": {k.value: v for k, v in STAGES.items()},
        "EVENTS": {k.value: v for k, v in EVENTS.items()},
        "PROBLEM_STATUSES": {k.value: v for k, v in PROBLEM_STATUSES.items()},
        "ACTION_KINDS": {k.value: v for k, v in ACTION_KINDS.items()},
        "DRAW_STATUSES": {k.value: v for k, v in DRAW_STATUSES.items()},
        "PERIOD_NAMES": PERIOD_NAMES,
        "WEEKDAYS": WEEKDAYS,
        "STAGE_BASIS": STAGE_BASIS,
        "DRAW_BASIS": DRAW_BASIS,
    }


def _int_arg(name: str, default: int = 1) -> int:
    value = request.args.get(name, default, type=int)
    return max(1, min(value if value is not None else default, 100_000))


def _form_int(name: str) -> int | None:
    value = request.form.get(name, "").strip()
    return int(value) if value.isdigit() and len(value) < 10 else None


def _flash_refusal(state: FormState) -> None:
    """A refusal of the caller's role or of a record they may not see concerns no field: say
    it at the top of the page (the form itself may not be shown to them)."""
    if state.status in (403, 404) and state.message:
        flash(state.message, "error")


# -- the overview ---------------------------------------------------------------------------


def _render_index(
    session: Session, actor: Actor, state: FormState | None = None, status: int = 200
) -> Any:
    today = local_today()
    rounds = svc.list_rounds(session, actor)
    # The round under way first, then the others, latest first.
    rounds.sort(
        key=lambda r: (not r.cycle_start <= today <= r.cycle_end, -r.cycle_start.toordinal())
    )
    planner = actor.can(Permission.PLAN_INSPECTIONS)
    if state is None:
        state = FormState(values={"draw_on": today.isoformat(), "period": "quarter"})
    draw_page = pages.recent_draws(session, actor, page=_int_arg("page"), per_page=DRAWS_PER_PAGE)
    return (
        render_template(
            "inspections/index.html",
            rounds=rounds,
            today=today,
            counts=pages.round_stage_counts(session, actor),
            draws=draw_page,
            scope_names=_scope_names(session, [d.scope_code for d in draw_page.items]),
            planner=planner,
            state=state,
            scopes=pages.scope_options(session, actor) if planner else [],
            periods=[(p, gettext(PERIOD_NAMES[p])) for p in PERIODS],
        ),
        status,
    )


def _scope_names(session: Session, codes: list[str]) -> dict[str, str]:
    names = pages.division_names(session, codes)
    names.update({k: v for k, v in pages.unit_names(session).items() if k in codes})
    return names


@bp.get("/inspections")
@login_required
def index() -> Any:
    """Show the inspection rounds (current first) and the recent random draws."""
    return _render_index(db.session(), page_actor())


@bp.post("/inspections/draws")
@login_required
def prepare_draw() -> Any:
    """Prepare a random draw: freeze its pool and roster and publish the seed."""
    session, actor = db.session(), page_actor()
    names = (
        "title",
        "scope_code",
        "roster_scope_code",
        "period",
        "period_label",
        "draw_on",
        "seed",
    )
    data = submitted(names)
    state = FormState(values=dict(data))
    draw = attempt(
        lambda: draws.prepare_draw(
            session, actor, DrawCreateSchema().load(data), draws.settings_from(current_app.config)
        ),
        state,
    )
    if draw is None:
        _flash_refusal(state)
        return _render_index(session, actor, state, state.status)
    flash(gettext("Draw prepared; its seed is published: %(seed)s", seed=draw.seed), "success")
    return redirect(url_for("draws_pages.draw_page", draw_id=draw.id))


# -- a round as a calendar ------------------------------------------------------------------


def _month_key(value: str | None) -> tuple[int, int] | None:
    if not value or len(value) != 7 or value[4] != "-":
        return None
    try:
        return int(value[:4]), int(value[5:])
    except ValueError:
        return None


def _render_round(
    session: Session,
    actor: Actor,
    round_id: int,
    month: str | None,
    state: FormState | None = None,
    status: int = 200,
) -> Any:
    rnd = svc.get_round(session, actor, round_id)
    visits = list(rnd.visits)
    today = local_today()
    months = pages.months_of(rnd.cycle_start, rnd.cycle_end)
    wanted = _month_key(month)
    if wanted not in months:
        here = (today.year, today.month)
        wanted = here if here in months else months[0]
    first = months.index(wanted)
    window = months[first : first + MONTHS_SHOWN]
    start = date(window[0][0], window[0][1], 1)
    last_y, last_m = window[-1]
    end = date(last_y + (last_m == 12), last_m % 12 + 1, 1)
    blackouts = pages.blackouts_of(rnd)
    holidays = pages.holidays_between(session, start, end)
    grids = [pages.month_grid(y, m, visits, blackouts, holidays) for y, m in window]
    names = pages.unit_names(session)
    by_unit: dict[str, list[UnitInspection]] = {}
    for v in sorted(visits, key=lambda v: (v.unit_code, v.start_on, v.id)):
        by_unit.setdefault(v.unit_code, []).append(v)
    breaches = [
        _tr(m.template, dict(m.params))
        for m in (svc.render_breach(session, b) for b in svc.check_round(session, actor, round_id))
    ]
    planner = actor.can(Permission.PLAN_INSPECTIONS)
    movable = [v for v in visits if v.stage is Stage.PREPARATION] if planner else []
    teams = svc.list_teams(session, actor) if planner else []
    codes: Any = (rnd.settings or {}).get("teams") or []
    team_class = {code: f"team-{i % 6}" for i, code in enumerate(codes)}

    def month_url(index: int) -> str | None:
        if 0 <= index < len(months):
            y, m = months[index]
            return url_for(".round_page", round_id=rnd.id, month=f"{y:04d}-{m:02d}")
        return None

    return (
        render_template(
            "inspections/round.html",
            rnd=rnd,
            visits=visits,
            grids=grids,
            months=[f"{y:04d}-{m:02d}" for y, m in months],
            current_month=f"{wanted[0]:04d}-{wanted[1]:02d}",
            prev_url=month_url(first - MONTHS_SHOWN),
            next_url=month_url(first + MONTHS_SHOWN),
            blackouts=blackouts,
            names=names,
            by_unit=by_unit,
            breaches=breaches,
            planner=planner,
            movable=movable,
            movable_options=[
                (
                    v.id,
                    f"{names.get(v.unit_code, v.unit_code)} · {v.team.code} · "
                    f"{v.start_on.isoformat()} – {v.end_on.isoformat()}",
                )
                for v in sorted(movable, key=lambda v: (v.start_on, v.id))
            ],
            team_options=[(t.id, f"{t.name} ({t.code})") for t in teams if t.active],
            team_class=team_class,
            state=state or FormState(),
            today=today,
        ),
        status,
    )


@bp.get("/inspections/rounds/<int(max=2147483647):round_id>")
@login_required
def round_page(round_id: int) -> Any:
    """Show a round's plan as month calendars, a list per unit and any breach of its rules."""
    return _render_round(db.session(), page_actor(), round_id, request.args.get("month"))


@bp.post("/inspections/rounds/<int(max=2147483647):round_id>/move")
@login_required
def move_stay(round_id: int) -> Any:
    """Move a stay (its dates or its team), re-checked against the round's rules."""
    session, actor = db.session(), page_actor()
    visit_id = _form_int("visit_id")
    data = submitted(("start_on", "end_on", "team_id"))
    state = FormState(values={**data, "visit_id": visit_id or ""})
    month = request.form.get("month")
    visit = session.get(UnitInspection, visit_id) if visit_id else None
    if visit is None or visit.round_id != round_id:
        state.errors = {"visit_id": [gettext("Choose the stay to move.")]}
        state.message = gettext("Some fields are invalid.")
        state.status = 422
        return _render_round(session, actor, round_id, month, state, 422)
    version = _form_int(f"v{visit.id}") or visit.version
    moved = attempt(
        lambda: svc.move_visit(
            session, actor, visit.id, VisitMoveSchema().load(data), expected_version=version
        ),
        state,
    )
    if moved is None:
        _flash_refusal(state)
        if "unit_code" in state.errors:  # a breach about the unit is about the stay chosen
            state.errors.setdefault("visit_id", []).extend(state.errors.pop("unit_code"))
        return _render_round(session, actor, round_id, month, state, state.status)
    unit = pages.unit_names(session).get(moved.unit_code, moved.unit_code)
    flash(
        gettext(
            "The stay in %(unit)s now runs %(start)s to %(end)s (%(team)s).",
            unit=unit,
            start=moved.start_on.isoformat(),
            end=moved.end_on.isoformat(),
            team=moved.team.name,
        ),
        "success",
    )
    return redirect(
        url_for(".round_page", round_id=round_id, month=moved.start_on.strftime("%Y-%m"))
    )


# -- a unit inspection ----------------------------------------------------------------------


def _facts(v: UnitInspection, on: date) -> InspectionFacts:
    """The lifecycle facts of a loaded unit inspection (as services.inspections builds them),
    to explain why an event the table offers is not possible today."""
    return InspectionFacts(
        on=on,
        start_on=v.start_on,
        end_on=v.end_on,
        open_problems=sum(p.status is ProblemStatus.OPEN for p in v.problems),
        unaccepted_problems=sum(p.status is not ProblemStatus.ACCEPTED for p in v.problems),
        plan_received=v.rectification_plan_on is not None,
    )


def _render_unit(
    session: Session,
    actor: Actor,
    visit_id: int,
    forms: dict[str, FormState] | None = None,
    status: int = 200,
) -> Any:
    v = pages.visit_detail(session, actor, visit_id)
    today = local_today()
    planner = actor.can(Permission.PLAN_INSPECTIONS)
    facts = _facts(v, today)
    allowed = set(svc.allowed_events(session, v, today))
    events = []
    for event in INSPECTION.events_from(v.stage):
        blocked = [] if event in allowed else INSPECTION.failures(v.stage, event, facts)
        events.append({"event": event.value, "allowed": event in allowed, "blocked": blocked})
    names = pages.unit_names(session)
    counties = sorted(counties_under(session, v.unit_code) or [])
    county_names = pages.division_names(session, [*counties, *(p.county_code for p in v.problems)])
    return (
        render_template(
            "inspections/unit.html",
            v=v,
            unit_name=names.get(v.unit_code, v.unit_code),
            events=events,
            problems=v.problems,
            enterprises=pages.enterprise_names(session, (p.enterprise_id for p in v.problems)),
            county_names=county_names,
            county_options=[(c, f"{county_names.get(c, c)} ({c})") for c in counties],
            people=pages.user_names(session, (s.actor_id for s in v.stages)),
            actions=problems.list_actions(session, actor, v.unit_code),
            planner=planner,
            finding=v.stage in (Stage.ON_SITE, Stage.REPORT, Stage.FEEDBACK, Stage.HANDOVER),
            forms=forms or {},
            today=today,
            action_kinds_options=[(k.value, gettext(ACTION_KINDS[k])) for k in UnitActionKind],
        ),
        status,
    )


@bp.get("/inspections/units/<int(max=2147483647):visit_id>")
@login_required
def unit_page(visit_id: int) -> Any:
    """Show a unit inspection: stay, stage, events, problems, rectification, summons."""
    return _render_unit(db.session(), page_actor(), visit_id)


def _unit_form(visit_id: int, key: str, call: Callable[[Session, Actor], Any], done: str) -> Any:
    """Run one form of the unit inspection page: redirect with ``done`` flashed, or re-render
    the page with the form's errors."""
    session, actor = db.session(), page_actor()
    state = FormState(values=dict(request.form))
    state.values.pop("csrf_token", None)
    if attempt(lambda: call(session, actor), state) is None:
        _flash_refusal(state)
        return _render_unit(session, actor, visit_id, {key: state}, state.status)
    flash(done, "success")
    return redirect(url_for(".unit_page", visit_id=visit_id))


@bp.post("/inspections/units/<int(max=2147483647):visit_id>/events")
@login_required
def unit_event(visit_id: int) -> Any:
    """Move a unit inspection to its next stage on a day."""
    data = submitted(("event", "on", "note", "rectification_plan_on", "rectification_plan_due"))
    version = _form_int("version") or 0
    event = data.get("event", "")
    label = next((text for e, text in EVENTS.items() if e.value == event), None)
    return _unit_form(
        visit_id,
        f"event-{event}",
        lambda s, a: svc.advance(
            s, a, visit_id, StageEventSchema().load(data), expected_version=version
        ),
        gettext("Recorded: %(event)s.", event=gettext(label) if label else event),
    )


@bp.post("/inspections/units/<int(max=2147483647):visit_id>/problems")
@login_required
def add_problem(visit_id: int) -> Any:
    """Record a problem the inspection found."""
    data = submitted(("description", "county_code", "enterprise_id", "rectification_due"))
    return _unit_form(
        visit_id,
        "problem",
        lambda s, a: problems.add_problem(s, a, visit_id, ProblemCreateSchema().load(data)),
        gettext("Problem recorded."),
    )


@bp.post("/inspections/units/<int(max=2147483647):visit_id>/actions")
@login_required
def record_action(visit_id: int) -> Any:
    """Record a summons (约谈) or public notice (通报) against the inspected unit."""
    data = submitted(("kind", "on", "document_number", "subject", "summary"))
    session = db.session()
    v = svc.get_visit(session, page_actor(), visit_id)
    unit_code = v.unit_code

    def call(s: Session, a: Actor) -> Any:
        loaded = UnitActionCreateSchema().load(data)
        return problems.record_action(
            s, a, {**loaded, "inspection_id": visit_id, "unit_code": unit_code}
        )

    return _unit_form(visit_id, "action", call, gettext("Recorded against the unit."))


def _problem_visit(problem_id: int) -> int:
    p = db.session().get(InspectionProblem, problem_id)
    if p is None:
        raise NotFound(kind=N_("Inspection problem"), key=problem_id)
    return p.inspection_id


@bp.post("/inspections/problems/<int(max=2147483647):problem_id>/hand-over")
@login_required
def hand_over(problem_id: int) -> Any:
    """Hand a problem over to the case system (移交): it becomes a violation."""
    visit_id = _problem_visit(problem_id)
    data, version = submitted(("on",)), _form_int("version") or 0
    return _unit_form(
        visit_id,
        f"handover-{problem_id}",
        lambda s, a: problems.hand_over(
            s, a, problem_id, OnSchema().load(data), expected_version=version
        ),
        gettext("Handed over to the case system as a violation."),
    )


@bp.post("/inspections/problems/<int(max=2147483647):problem_id>/progress")
@login_required
def report_progress(problem_id: int) -> Any:
    """Record a rectification progress report (整改进展)."""
    visit_id = _problem_visit(problem_id)
    data = submitted(("reported_on", "percent_done", "progress"))
    return _unit_form(
        visit_id,
        f"progress-{problem_id}",
        lambda s, a: problems.report_progress(s, a, problem_id, ProgressSchema().load(data)),
        gettext("Progress report recorded."),
    )


@bp.post("/inspections/problems/<int(max=2147483647):problem_id>/acceptance")
@login_required
def accept_problem(problem_id: int) -> Any:
    """Accept a rectified problem and strike it off (验收销号)."""
    visit_id = _problem_visit(problem_id)
    data, version = submitted(("on",)), _form_int("version") or 0
    return _unit_form(
        visit_id,
        f"accept-{problem_id}",
        lambda s, a: problems.accept_problem(
            s, a, problem_id, OnSchema().load(data), expected_version=version
        ),
        gettext("Problem accepted and struck off."),
    )
