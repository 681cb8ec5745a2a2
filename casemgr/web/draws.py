"""Pages: a random draw (双随机、一公开) -- its parameters, seed and digests, the targets drawn
with their inspectors, the steps (draw, dispatch, publish, cancel), the outcomes, the
verification of the draw and the download of its frozen inputs.

A draw is prepared from the inspection overview (:mod:`casemgr.web.inspections`). Re-running a
draw to verify it takes seconds over a province's pool, so the page never does it in the request:
it queues a ``draw_verify`` task (:mod:`casemgr.services.task_kinds`) and shows the latest
stored outcome.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterator
from typing import Any

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import login_required
from sqlalchemy.orm import Session

from casemgr.exceptions import NotFound
from casemgr.extensions import db
from casemgr.i18n import N_
from casemgr.legalbasis import Basis, Citation, Law
from casemgr.models import DrawStatus, DrawTarget, TargetOutcome
from casemgr.policy import Actor, Permission
from casemgr.repositories.common import Page
from casemgr.schemas.draws import CancelSchema, OutcomeSchema
from casemgr.security import page_actor
from casemgr.services import draws, tasks
from casemgr.services import inspection_pages as pages
from casemgr.services.localtime import local_today
from casemgr.web.forms import FormState, attempt, submitted

bp = Blueprint("draws_pages", __name__)

PER_PAGE = 50  # drawn targets per page
CHUNK = 64 * 1024  # compressed bytes of the inputs document inflated at a time
VERIFY = pages.VERIFY_KIND

# Display names of the enum values (English msgids, translated when a page is rendered).
DRAW_STATUSES = {
    DrawStatus.PREPARED: N_("Seed published"),
    DrawStatus.DRAWN: N_("Drawn"),
    DrawStatus.DISPATCHED: N_("Dispatched"),
    DrawStatus.PUBLISHED: N_("Results published"),
    DrawStatus.CANCELLED: N_("Draw cancelled"),
}
OUTCOMES = {
    TargetOutcome.PENDING: N_("Not yet inspected"),
    TargetOutcome.NO_PROBLEM: N_("No problem found"),
    TargetOutcome.PROBLEM_FOUND: N_("Problem found"),
    TargetOutcome.NOT_FOUND: N_("Enterprise not found or closed"),
}
CLASSES = {
    "special": N_("Special supervision object"),
    "key": N_("Key pollutant unit"),
    "general": N_("General pollutant unit"),
}
PERIOD_NAMES = {"quarter": N_("Quarter"), "half_year": N_("Half year"), "year": N_("Year")}
LEVELS = {
    "province": N_("Province level"),
    "prefecture": N_("Prefecture level"),
    "county": N_("County level"),
}
TIERS = {
    "green": N_("Green (trustworthy)"),
    "blue": N_("Blue (good)"),
    "yellow": N_("Yellow (warning)"),
    "red": N_("Red (poor)"),
    "black": N_("Black (seriously untrustworthy)"),
}
TIER_BADGES = {"green": "tier-A", "blue": "tier-B", "yellow": "tier-C", "red": "tier-D"}
# The national framework of random inspections (双随机、一公开, DOMAIN.md §5.1).
DRAW_BASIS: Basis = (
    Citation(Law.RANDOM_INSPECTION_NOTICE),  # 国办发〔2015〕58号
    Citation(Law.POLLUTION_SOURCE_RANDOM_INSPECTION_PLAN),  # 环办〔2015〕88号
)


def _translated(labels: dict[Any, str]) -> dict[str, str]:
    """Each label translated once per page (not once per row of the targets table)."""
    return {str(getattr(k, "value", k)): gettext(v) for k, v in labels.items()}


@bp.context_processor
def _labels() -> dict[str, Any]:
    return {
        "DRAW_STATUSES": {k.value: v for k, v in DRAW_STATUSES.items()},
        "CLASSES": CLASSES,
        "PERIOD_NAMES": PERIOD_NAMES,
        "LEVELS": LEVELS,
        "TIER_BADGES": TIER_BADGES,
        "DRAW_BASIS": DRAW_BASIS,
    }


def _flash_refusal(state: FormState) -> None:
    """A refusal of the caller's role or of a record they may not see concerns no field: say
    it at the top of the page (the form itself may not be shown to them)."""
    if state.status in (403, 404) and state.message:
        flash(state.message, "error")


def _render_draw(
    session: Session,
    actor: Actor,
    draw_id: int,
    forms: dict[str, FormState] | None = None,
    status: int = 200,
) -> Any:
    draw = draws.get_draw(session, actor, draw_id)
    page_no = max(1, min(request.args.get("page", 1, type=int) or 1, 100_000))
    targets, total = pages.target_page(session, actor, draw, page=page_no, per_page=PER_PAGE)
    planner = actor.can(Permission.PLAN_INSPECTIONS)
    conflicts = (
        pages.conflicts_for(session, draw, [t.target.enterprise_id for t in targets])
        if planner
        else []
    )
    verification = pages.latest_verification(session, draw.id) if draw.result_digest else None
    people = pages.user_names(  # everyone the page names, in one query
        session,
        [
            draw.created_by_id,
            verification.verified_by_id if verification else None,
            *(c.user_id for c in conflicts),
            *(uid for t in targets for uid in t.target.inspectors),
        ],
    )
    return (
        render_template(
            "inspections/draw.html",
            draw=draw,
            page=Page(targets, page_no, PER_PAGE, total, True),
            conflicts=conflicts,
            enterprise_of={t.target.enterprise_id: t.enterprise_name for t in targets},
            people=people,
            scope_name=pages.scope_name(session, draw.scope_code),
            planner=planner,
            user_id=actor.user_id,
            forms=forms or {},
            today=local_today(),
            verification=verification,
            under_way=pages.verification_under_way(session, actor, draw.id)
            if draw.result_digest
            else None,
            class_names=_translated(CLASSES),
            tier_names=_translated(TIERS),
            outcome_names=_translated(OUTCOMES),
            outcomes_options=[
                (o.value, gettext(OUTCOMES[o]))
                for o in TargetOutcome
                if o is not TargetOutcome.PENDING
            ],
        ),
        status,
    )


@bp.get("/inspections/draws/<int(max=2147483647):draw_id>")
@login_required
def draw_page(draw_id: int) -> Any:
    """Show a draw: parameters, seed and digests, the targets drawn and their inspectors."""
    return _render_draw(db.session(), page_actor(), draw_id)


def _draw_form(draw_id: int, key: str, call: Callable[[Session, Actor], Any], done: str) -> Any:
    session, actor = db.session(), page_actor()
    state = FormState(values=dict(request.form))
    state.values.pop("csrf_token", None)
    if attempt(lambda: call(session, actor), state) is None:
        _flash_refusal(state)
        return _render_draw(session, actor, draw_id, {key: state}, state.status)
    flash(done, "success")
    return redirect(url_for(".draw_page", draw_id=draw_id))


@bp.post("/inspections/draws/<int(max=2147483647):draw_id>/<any(execute,dispatch,publish):step>")
@login_required
def draw_step(draw_id: int, step: str) -> Any:
    """Draw the targets, dispatch them, or publish the results."""
    call, done = {
        "execute": (draws.execute_draw, N_("Targets and inspectors drawn.")),
        "dispatch": (draws.dispatch_draw, N_("Dispatched: each drawn inspector is notified.")),
        "publish": (draws.publish_draw, N_("The results are published.")),
    }[step]
    return _draw_form(draw_id, "step", lambda s, a: call(s, a, draw_id), gettext(done))


@bp.post("/inspections/draws/<int(max=2147483647):draw_id>/cancel")
@login_required
def cancel_draw(draw_id: int) -> Any:
    """Cancel a draw before dispatch, with the reason kept."""
    data = submitted(("reason",))
    return _draw_form(
        draw_id,
        "cancel",
        lambda s, a: draws.cancel_draw(s, a, draw_id, CancelSchema().load(data)["reason"]),
        gettext("The draw is cancelled."),
    )


@bp.post("/inspections/draw-targets/<int(max=2147483647):target_id>/outcome")
@login_required
def record_outcome(target_id: int) -> Any:
    """Record what a drawn inspection found."""
    target = db.session().get(DrawTarget, target_id)
    if target is None:
        raise NotFound(kind=N_("Drawn inspection"), key=target_id)
    data = submitted(("outcome", "inspected_on", "finding", "violation_id"))
    return _draw_form(
        target.draw_id,
        f"outcome-{target_id}",
        lambda s, a: draws.record_outcome(s, a, target_id, OutcomeSchema().load(data)),
        gettext("Outcome recorded."),
    )


# -- verification ---------------------------------------------------------------------------


@bp.get("/inspections/draws/<int(max=2147483647):draw_id>/verification")
@login_required
def verify_draw(draw_id: int) -> Any:
    """Show the latest verification of a draw (a re-run from its frozen inputs)."""
    session, actor = db.session(), page_actor()
    draw = draws.get_draw(session, actor, draw_id)
    result = pages.latest_verification(session, draw.id) if draw.result_digest else None
    return render_template(
        "inspections/verify.html",
        draw=draw,
        result=result,
        under_way=pages.verification_under_way(session, actor, draw.id),
        people=pages.user_names(session, [result.verified_by_id if result else None]),
        may_open_task=result is not None
        and (result.verified_by_id == actor.user_id or actor.can(Permission.MANAGE_USERS)),
    )


@bp.post("/inspections/draws/<int(max=2147483647):draw_id>/verification")
@login_required
def queue_verification(draw_id: int) -> Any:
    """Queue a re-run of the draw from its frozen inputs and follow it on the task page."""
    session, actor = db.session(), page_actor()
    draws.get_draw(session, actor, draw_id)  # a draw the actor may not see: its error page
    running = pages.verification_under_way(session, actor, draw_id)
    if running is not None:
        flash(gettext("Your verification of this draw is already under way."), "info")
        return redirect(url_for("tasks_pages.show", task_id=running.id))
    state = FormState()
    # The kind checks the draw (one the actor may see, drawn) as the task API would.
    task = attempt(lambda: tasks.submit(session, actor, VERIFY, {"draw_id": draw_id}), state)
    if task is None:
        for message in state.errors.get("params.draw_id") or [state.message or ""]:
            flash(message, "error")  # e.g. not drawn yet: the reason, on the draw page
        return redirect(url_for(".draw_page", draw_id=draw_id))
    flash(
        gettext(
            "Task %(id)s queued: the draw is re-run from its frozen inputs in the background.",
            id=task.id,
        ),
        "success",
    )
    return redirect(url_for("tasks_pages.show", task_id=task.id))


# -- the frozen inputs ----------------------------------------------------------------------


def _inflate(compressed: bytes) -> Iterator[bytes]:
    """The document decompressed a piece at a time (for a client that takes no gzip)."""
    inflater = zlib.decompressobj(wbits=31)
    for start in range(0, len(compressed), CHUNK):
        piece = inflater.decompress(compressed[start : start + CHUNK])
        if piece:
            yield piece
    rest = inflater.flush()
    if rest:
        yield rest


@bp.get("/inspections/draws/<int(max=2147483647):draw_id>/inputs.json")
@login_required
def draw_inputs(draw_id: int) -> Any:
    """Download a draw's frozen inputs to re-run it (planners; everyone once published)."""
    stored = draws.draw_inputs_file(db.session(), page_actor(), draw_id)
    gzip_ok = request.accept_encodings.quality("gzip") > 0
    response: Response
    if stored.compressed is not None and gzip_ok:
        # Sent as stored: the client decompresses it (RFC 9110 §8.4.1.3).
        response = Response(stored.compressed, mimetype="application/json")
        response.headers["Content-Encoding"] = "gzip"
    elif stored.compressed is not None:
        response = Response(_inflate(stored.compressed), mimetype="application/json")
    else:
        response = Response(stored.raw, mimetype="application/json")
    response.headers["Vary"] = "Accept-Encoding"
    response.headers["Content-Disposition"] = f'attachment; filename="draw-{draw_id}-inputs.json"'
    return response
