"""Pages: the record-linkage review queue (关联复核).

Pairs the matcher could not decide (a tax or enforcement record and the enterprise it may
belong to) wait here, each side by side with the field-by-field evidence and its score. A
reviewer links the pair (an undoable merge) or rejects it, through the same services as the
API; an accepted link can be undone from the pair's page.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import login_required

from casemgr.extensions import db
from casemgr.i18n import N_
from casemgr.models import RecordSource, ReviewState
from casemgr.policy import Permission
from casemgr.schemas.linking import DecisionNoteSchema
from casemgr.security import page_actor
from casemgr.services import linking, linking_pages
from casemgr.web.forms import FormState, attempt, submitted

bp = Blueprint("linking_pages", __name__)

SORTS = ("-score", "score", "id")
SORT_LABELS: Mapping[str, str] = {
    "-score": N_("Highest score first"),
    "score": N_("Lowest score first"),
    "id": N_("Oldest first"),
}
SOURCE_LABELS: Mapping[str, str] = {
    RecordSource.TAX.value: N_("Tax registration"),
    RecordSource.ENV.value: N_("Environmental enforcement"),
    RecordSource.REGISTRY.value: N_("Business registry"),
}
STATE_LABELS: Mapping[str, str] = {
    ReviewState.PENDING.value: N_("waiting for review"),
    ReviewState.ACCEPTED.value: N_("linked by a reviewer"),
    ReviewState.REJECTED.value: N_("rejected by a reviewer"),
    ReviewState.AUTOMATIC.value: N_("decided automatically"),
}
# The compared fields of linkage.compare.FIELDS and the other lines of a model decision.
FIELD_LABELS: Mapping[str, str] = {
    "identifier": N_("Identifier (USCC, organisation code, tax id)"),
    "name": N_("Name"),
    "place": N_("Place (province, prefecture, county)"),
    "legal_rep": N_("Legal representative"),
    "address": N_("Address"),
    "phone": N_("Phone"),
    "prior": N_("Prior odds of a match"),
    "rivals": N_("Other candidates of the record"),
    "rule": N_("Deterministic rule"),
}
COMPARED = ("identifier", "name", "place", "legal_rep", "address", "phone")
# Agreement levels of linkage.compare (IdLevel ... PhoneLevel), by enum name.
LEVEL_LABELS: Mapping[str, str] = {
    "MISSING": N_("missing on one side"),
    "DIFFERENT": N_("different"),
    "CONFLICT": N_("conflicting"),
    "BRANCH_CONFLICT": N_("branch and non-branch"),
    "PARENT": N_("code of the parent company"),
    "ORG": N_("same organisation code"),
    "NEAR": N_("one character off"),
    "EXACT": N_("identical"),
    "WEAK": N_("weakly similar"),
    "SIMILAR": N_("similar"),
    "PINYIN": N_("same pinyin (homophone)"),
    "CORE": N_("same core name"),
    "PROVINCE": N_("same province only"),
    "PREFECTURE": N_("same prefecture"),
    "COUNTY": N_("same county"),
    "SHARED": N_("shared number"),
    "SHARED_COMMON": N_("number shared by many records"),
}
LABELS = {
    "sorts": SORT_LABELS,
    "sources": SOURCE_LABELS,
    "states": STATE_LABELS,
    "fields": FIELD_LABELS,
    "levels": LEVEL_LABELS,
    "compared": COMPARED,
}


def _queue_args(values: Mapping[str, Any]) -> dict[str, Any]:
    """The queue's own arguments (page, sort, source), known values only."""
    args: dict[str, Any] = {}
    sort, source = values.get("sort", ""), values.get("source", "")
    if sort in SORTS:
        args["sort"] = sort
    if source in (RecordSource.TAX.value, RecordSource.ENV.value):
        args["source"] = source
    page = str(values.get("page", "")).strip()
    if page.isdigit() and 1 < int(page) <= 100_000:
        args["page"] = int(page)
    return args


@bp.get("/linking/review")
@login_required
def review_queue() -> Any:
    """Show the pairs waiting for a reviewer, with their evidence."""
    actor = page_actor()
    args = _queue_args(request.args)
    page = linking_pages.queue(
        db.session(),
        actor,
        source=args.get("source"),
        sort=args.get("sort"),
        page=args.get("page", 1),
        per_page=20,
    )
    filters = {k: v for k, v in args.items() if k != "page"}
    return render_template(
        "linking/queue.html",
        page=page,
        args=args,
        filters=filters,
        labels=LABELS,
        can_decide=actor.can(Permission.WRITE_ENTERPRISES),
    )


def _render_pair(candidate_id: int, state: FormState | None = None) -> Any:
    actor = page_actor()
    pair = linking_pages.pair(db.session(), actor, candidate_id)
    status = state.status if state is not None else 200
    return (
        render_template(
            "linking/pair.html",
            p=pair,
            state=state,
            labels=LABELS,
            back=_queue_args(request.form if request.method == "POST" else request.args),
            can_decide=actor.can(Permission.WRITE_ENTERPRISES),
        ),
        status,
    )


@bp.get("/linking/review/<int(max=2147483647):candidate_id>")
@login_required
def review_pair(candidate_id: int) -> Any:
    """Show one pair side by side, decided or not."""
    return _render_pair(candidate_id)


def _decide(actor: Any, candidate_id: int, decision: str, data: dict[str, Any]) -> Any:
    session = db.session()
    linking_pages.pending_candidate(session, actor, candidate_id)
    version = request.form.get("version", "")
    expected = int(version) if version.isdigit() else -1  # no version: stale
    note = DecisionNoteSchema().load(data)
    if decision == "accept":
        return linking.accept(session, actor, candidate_id, note, expected_version=expected)
    return linking.reject(session, actor, candidate_id, note, expected_version=expected)


@bp.post("/linking/review/<int(max=2147483647):candidate_id>/decision")
@login_required
def decide(candidate_id: int) -> Any:
    """Link (accept) or reject a pair, with an optional note."""
    actor = page_actor()
    data = submitted(["note"])
    decision = request.form.get("decision", "")
    state = FormState(values=data)
    if decision not in ("accept", "reject"):
        state.errors = {"decision": [gettext("Choose to link or to reject the pair.")]}
        state.message = gettext("Some fields are invalid.")
        state.status = 422
        return _render_pair(candidate_id, state)
    if attempt(lambda: _decide(actor, candidate_id, decision, data), state) is None:
        return _render_pair(candidate_id, state)
    if decision == "accept":
        flash(
            gettext(
                "Pair %(id)s linked: the record now belongs to the enterprise.", id=candidate_id
            ),
            "success",
        )
    else:
        flash(
            gettext(
                "Pair %(id)s rejected: it stays as evidence and is not proposed again.",
                id=candidate_id,
            ),
            "success",
        )
    return redirect(url_for("linking_pages.review_queue", **_queue_args(request.form)))


@bp.post("/linking/review/<int(max=2147483647):candidate_id>/undo")
@login_required
def undo(candidate_id: int) -> Any:
    """Undo the link an accepted pair made; the pair returns to the queue."""
    actor = page_actor()
    session = db.session()
    pair = linking_pages.pair(session, actor, candidate_id)
    state = FormState()
    if pair.merge_id is None:
        state.message = gettext("This pair has no link to undo.")
        state.status = 409
        return _render_pair(candidate_id, state)
    merge_id = pair.merge_id
    if attempt(lambda: linking.undo(session, actor, merge_id), state) is None:
        return _render_pair(candidate_id, state)
    flash(gettext("The link was undone; the pair waits for review again."), "success")
    return redirect(url_for("linking_pages.review_pair", candidate_id=candidate_id))
