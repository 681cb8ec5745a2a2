"""Pages: cases and violations (案件, 违法行为), a case's steps, records, clock and evidence,
the documents issued on it, and the case family (案件族) of a violation.

Every page calls the services the API calls, with the schemas the API loads; a form that is
refused re-renders with what was typed and each error beside its field. Forms that change a
case post the version the page showed, so a page left open while someone else changed the
case is told so instead of overwriting (optimistic concurrency, as If-Match on the API).

The area's one blueprint (``cases_pages``) is shared with :mod:`casemgr.web.violation_pages`
(a violation, opening its cases, the case family) and :mod:`casemgr.web.case_documents`
(evidence and documents); what forms post is read in
``casemgr.web.case_forms``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
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

from casemgr.exceptions import NotFound, StaleVersion
from casemgr.extensions import db
from casemgr.lifecycles.administrative import AdminEvent
from casemgr.models.cases import Case, Channel
from casemgr.models.evidence import DocumentKind
from casemgr.models.violations import ViolationOrigin
from casemgr.policy import Permission
from casemgr.repositories.common import Page
from casemgr.repositories.violations import ViolationFilter
from casemgr.schemas.cases import (
    ClockStopSchema,
    ExtensionSchema,
    RecordSchema,
    TransitionRequestSchema,
)
from casemgr.schemas.channels import ChannelStepSchema, NotifySchema
from casemgr.security import page_actor
from casemgr.services import (
    case_pages,
    channels,
)
from casemgr.services import cases as svc
from casemgr.services.alerts import reason_params
from casemgr.services.localtime import LOCAL, local_today
from casemgr.web import case_forms as cf
from casemgr.web.case_labels import (
    LABELS,
    Labels,
    event_label,
    options,
    status_label,
    status_options,
)
from casemgr.web.forms import FormState, attempt, submitted

bp = Blueprint("cases_pages", __name__)

PER_PAGE = 20
_ID = "int(max=2147483647)"
# Steps of an administrative case whose form carries the penalty (告知, 决定): the others take
# only the step's date and a note.
ADMIN_STEP_FORMS = {
    AdminEvent.NOTIFY.value: "notify",
    AdminEvent.DECIDE.value: "decide",
    AdminEvent.PENALISE_ON_THE_SPOT.value: "decide",
}


@bp.context_processor
def _helpers() -> dict[str, Any]:
    labels = Labels()  # one per render: each label translated once, however many rows
    return {
        "lbl": labels.label,
        "status_lbl": labels.status,
        "event_lbl": labels.event,
        "options": options,
        "status_options": status_options,
        "cny": cf.cny,
        "tr": cf.tr,
        "alert_title": cf.alert_title,
        "alert_basis": cf.alert_basis,
        "alert_reason": _alert_reason,
        "local": cf.local,
    }


def _alert_reason(reason: str, params: Mapping[str, Any] | None) -> str:
    """An alert's reason in the request's language, the evasive methods it stores by their
    Chinese names named by the violation form's labels."""
    return cf.tr(reason, reason_params(params or {}, LABELS["evasive_method"]))


def _page_arg() -> int:
    return max(1, min(request.args.get("page", 1, type=int) or 1, 10_000))


def _day_arg(name: str, state: FormState) -> date | None:
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        state.errors[name] = [gettext("Not a valid date.")]
        state.status = 422
        return None


def _empty() -> Page[Any]:
    return Page([], 1, PER_PAGE, 0, True)


# -- lists ------------------------------------------------------------------------------------


@bp.get("/cases")
@login_required
def index() -> Any:
    """List cases, or violations, with filters."""
    actor = page_actor()
    session = db.session()
    tab = "violations" if request.args.get("tab") == "violations" else "cases"
    state = FormState(values=dict(request.args))
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    found: Page[Any] | None
    if tab == "cases":
        f = case_pages.CaseListFilter(
            territory=request.args.get("county") or None,
            status=request.args.get("status") or None,
            track=request.args.get("track") or None,
            number=(request.args.get("number") or "").strip()[:64] or None,
            enterprise=(request.args.get("enterprise") or "").strip()[:100] or None,
            received_from=_day_arg("received_from", state),
            received_to=_day_arg("received_to", state),
        )
        found = attempt(
            lambda: case_pages.search_case_rows(
                session, actor, f, page=_page_arg(), per_page=PER_PAGE
            ),
            state,
        )
        rows = found.items if found else []
        parties = case_pages.enterprise_names(session, (c.party_enterprise_id for c in rows))
        counties = case_pages.division_names(session, (c.county_code for c in rows))
        return render_template(
            "cases/index.html",
            tab=tab,
            page=found or _empty(),
            args=args,
            state=state,
            parties=parties,
            counties=counties,
            county_options=case_pages.county_choices(session, actor),
            can_write=actor.can(Permission.WRITE_CASES),
        ), (state.status if state.failed else 200)
    lo, hi = case_pages.local_day_bounds(_day_arg("found_from", state), _day_arg("found_to", state))
    origin = request.args.get("origin") or None
    vf = ViolationFilter(
        origin=ViolationOrigin(origin) if origin in set(ViolationOrigin) else None,
        found_from=lo,
        found_to=hi,
        q=(request.args.get("q") or "").strip()[:100] or None,
    )
    found = attempt(
        lambda: case_pages.search_violation_rows(
            session,
            actor,
            vf,
            territory=request.args.get("county") or None,
            enterprise=(request.args.get("enterprise") or "").strip()[:100] or None,
            page=_page_arg(),
            per_page=PER_PAGE,
        ),
        state,
    )
    found_violations = found.items if found else []
    return render_template(
        "cases/index.html",
        tab=tab,
        page=found or _empty(),
        args=args,
        state=state,
        counts=case_pages.case_counts(session, (v.id for v in found_violations)),
        counties=case_pages.division_names(session, (v.county_code for v in found_violations)),
        county_options=case_pages.county_choices(session, actor),
        can_write=actor.can(Permission.WRITE_CASES),
    ), (state.status if state.failed else 200)


def _officer_options(session: Any, county_code: str) -> list[tuple[int, str]]:
    """Officers holding a certificate who work for the county, as (id, name · certificate)."""
    return [
        (u.id, f"{u.display_name or u.username} · {u.certificate_number}")
        for u in case_pages.certified_officers(session, county_code)
    ]


# -- one case ---------------------------------------------------------------------------------


def _case_page(case_id: int, forms: dict[str, FormState] | None = None) -> Any:
    actor = page_actor()
    session = db.session()
    page = case_pages.case_page(session, actor, case_id)
    case = page.case
    forms = forms or {}
    failed = next((s for s in forms.values() if s.failed), None)
    writable = actor.can(Permission.WRITE_CASES) and not actor.organ_scoped
    officer_options = (
        _officer_options(session, case.county_code)
        if writable and case.channel is Channel.ADMINISTRATIVE
        else []
    )
    return render_template(
        "cases/case.html",
        p=page,
        case=case,
        actor=actor,
        forms=forms,
        failed=failed,
        writable=writable,
        officer_options=officer_options,
        can_approve=actor.can(Permission.APPROVE_CASES) and not actor.organ_scoped,
        step_fields=case_pages.step_fields,
        step_forms=ADMIN_STEP_FORMS,
        fine_rows=range(cf.FINE_ROWS),
        today=local_today().isoformat(),
        now=datetime.now(LOCAL).strftime("%Y-%m-%dT%H:%M"),
        max_upload=current_app.config.get("EVIDENCE_MAX_BYTES") or 0,
        decision_issued=any(d.kind is DocumentKind.DECISION for d in page.documents),
        doc_kinds=[(k, t) for k, t in options("document_kind") if k != DocumentKind.DECISION],
        field_choices=cf.field_choices,
    ), (failed.status if failed else 200)


@bp.get(f"/cases/<{_ID}:case_id>")
@login_required
def case(case_id: int) -> Any:
    """Show a case: parties, facts, steps, deadlines, records, evidence and documents."""
    return _case_page(case_id)


def _version() -> int:
    try:
        return int(request.form.get("version", ""))
    except ValueError:
        raise StaleVersion() from None


@bp.post(f"/cases/<{_ID}:case_id>/steps")
@login_required
def take_step(case_id: int) -> Any:
    """Take a lifecycle step (立案, 告知, 决定, 送达 ...) with the data it needs."""
    actor = page_actor()
    session = db.session()
    event = request.form.get("event", "").strip()[:48]
    state = FormState(values=cf.step_values())
    target = session.get(Case, case_id)
    if target is None:
        raise NotFound(kind="Case", key=case_id)
    track, administrative = target.track, target.channel is Channel.ADMINISTRATIVE

    def call() -> Any:
        version = _version()
        if administrative:
            data = TransitionRequestSchema().load(cf.admin_step_data(event))
            return svc.apply_event(
                session, actor, case_id, data.pop("event"), data, expected_version=version
            )
        data = ChannelStepSchema().load(cf.channel_step_data(track, event))
        return channels.apply_channel_event(
            session, actor, case_id, data.pop("event"), data, expected_version=version
        )

    done = attempt(lambda: cf.named(track, call), state)
    if done is None:
        cf.rename(state, cf.STEP_NAMES)
        return _case_page(case_id, {f"step:{event}": state})
    flash(
        gettext(
            "Step done: %(step)s. The case is now at: %(status)s.",
            step=event_label(track, event),
            status=status_label(track, done.status),
        ),
        "success",
    )
    return redirect(url_for(".case", case_id=case_id))


def _case_form(
    case_id: int, name: str, call: Any, message: str, *, anchor: str, values: dict[str, Any]
) -> Any:
    """Run one case form's service call; re-render the case page on a refusal."""
    state = FormState(values=values)
    done = attempt(call, state)
    if done is None:
        return _case_page(case_id, {name: state})
    flash(message, "success")
    return redirect(url_for(".case", case_id=case_id, _anchor=anchor))


@bp.post(f"/cases/<{_ID}:case_id>/records")
@login_required
def add_record(case_id: int) -> Any:
    """Add an investigation record (笔录) with the officers present."""
    actor = page_actor()
    raw = submitted(("kind", "held_at", "place", "summary", "officer_ids"), lists=("officer_ids",))

    def call() -> Any:
        data = {**raw, "held_at": cf.aware(raw.get("held_at"))}
        data.setdefault("officer_ids", [])
        loaded = RecordSchema().load({k: v for k, v in data.items() if v is not None})
        return svc.add_record(db.session(), actor, case_id, loaded, expected_version=_version())

    return _case_form(
        case_id, "record", call, gettext("The record was added."), anchor="records", values=raw
    )


@bp.post(f"/cases/<{_ID}:case_id>/clock-stops")
@login_required
def add_clock_stop(case_id: int) -> Any:
    """Record a clock stop (hearing, appraisal, monitoring...) of the decision limit."""
    actor = page_actor()
    raw = submitted(("reason", "start_on", "end_on", "note"))

    def call() -> Any:
        loaded = ClockStopSchema().load(raw)
        return svc.add_clock_stop(db.session(), actor, case_id, loaded, expected_version=_version())

    return _case_form(
        case_id, "stop", call, gettext("The clock stop was recorded."), anchor="clock", values=raw
    )


@bp.post(f"/cases/<{_ID}:case_id>/extensions")
@login_required
def approve_extension(case_id: int) -> Any:
    """Approve an extension of the 90-day decision limit (行政处罚法 art. 60)."""
    actor = page_actor()
    raw = submitted(("days", "approved_on", "reason", "by_collective_discussion"))

    def call() -> Any:
        data = {**raw, "by_collective_discussion": cf.flag(raw.get("by_collective_discussion"))}
        if "days" in data:
            data["days"] = cf.whole(data["days"], "days")
        loaded = ExtensionSchema().load(data)
        return svc.approve_extension(
            db.session(), actor, case_id, loaded, expected_version=_version()
        )

    return _case_form(
        case_id,
        "extension",
        call,
        gettext("The extension was approved."),
        anchor="clock",
        values=raw,
    )


@bp.post(f"/cases/<{_ID}:case_id>/procuratorate-notice")
@login_required
def notify_procuratorate(case_id: int) -> Any:
    """Record that the procuratorate was notified of the case (检察机关知悉)."""
    actor = page_actor()
    raw = submitted(("on", "note"))

    def call() -> Any:
        loaded = NotifySchema().load(raw)
        return channels.notify_procuratorate(
            db.session(), actor, case_id, loaded, expected_version=_version()
        )

    return _case_form(
        case_id,
        "notice",
        call,
        gettext("The procuratorate's notification was recorded."),
        anchor="organs",
        values=raw,
    )


# The violation, family, evidence and document pages live on this blueprint too (their endpoints
# are cases_pages.*).
from casemgr.web import case_documents, violation_pages  # noqa: E402, F401
