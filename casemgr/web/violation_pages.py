"""Pages: violations (违法行为), the cases opened on them and the case family (案件族): logging a
violation, a violation with its cases and the forms that open them, and the family's merged
timeline across the four channels.

Routes of the ``cases_pages`` blueprint (:mod:`casemgr.web.cases`), so their endpoints and the
blueprint's template helpers are the case pages' own.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import login_required

from casemgr.extensions import db
from casemgr.models.cases import Case, Channel
from casemgr.policy import Permission
from casemgr.schemas.cases import CaseOpenSchema
from casemgr.schemas.channels import ChannelOpenSchema
from casemgr.security import page_actor
from casemgr.services import case_pages, channel_opening, family, violations
from casemgr.services import cases as svc
from casemgr.services.access import require
from casemgr.services.alerts import alerts_of
from casemgr.services.localtime import LOCAL, local_today
from casemgr.web import case_forms as cf
from casemgr.web.case_labels import Labels, label
from casemgr.web.cases import _ID, _officer_options, bp
from casemgr.web.forms import FormState, attempt, submitted

# -- violations -------------------------------------------------------------------------------


@bp.route("/violations/new", methods=["GET", "POST"])
@login_required
def new_violation() -> Any:
    """Log a violation (违法行为)."""
    actor = page_actor()
    session = db.session()
    require(actor, Permission.WRITE_CASES)
    counties = case_pages.county_choices(session, actor)
    now = datetime.now(LOCAL).strftime("%Y-%m-%dT%H:%M")
    state = FormState(
        values={
            "found_at": now,
            "county_code": counties[0][0] if len(counties) == 1 else "",
            "enterprises": request.args.get("enterprise", "")[:100],
        }
    )
    if request.method == "POST":
        raw = submitted((*cf.VIOLATION_FIELDS, "evasive_methods"), lists=("evasive_methods",))
        state.values = raw

        def log() -> Any:
            return violations.log_violation(session, actor, cf.violation_data(session, raw))

        v = attempt(log, state)
        if v is not None:
            flash(gettext("Violation %(id)s was recorded.", id=v.id), "success")
            return redirect(url_for(".violation", violation_id=v.id))
        cf.rename(state, cf.VIOLATION_NAMES)
    return render_template("cases/violation_new.html", state=state, counties=counties), state.status


def _violation_page(violation_id: int, forms: dict[str, FormState] | None = None) -> Any:
    actor = page_actor()
    session = db.session()
    v = violations.get_violation(session, actor, violation_id)
    cases = case_pages.violation_cases(session, actor, v)
    forms = forms or {}
    failed = next((s for s in forms.values() if s.failed), None)
    return render_template(
        "cases/violation.html",
        v=v,
        cases=cases,
        alerts=alerts_of(session, actor, v.id),
        actor=actor,
        forms=forms,
        party_options=[(e.id, f"{e.name} {e.uscc}") for e in v.enterprises],
        officer_options=_officer_options(session, v.county_code)
        if actor.can(Permission.WRITE_CASES)
        else [],
        source_options=[
            (c.id, f"{c.number or '#' + str(c.id)} · {label('track', c.track)}")
            for c in cases
            if c.channel in (Channel.ADMINISTRATIVE, Channel.CRIMINAL)
        ],
        tracks=cf.openable_tracks(actor),
        counties=case_pages.division_names(session, [v.county_code]),
        today=local_today().isoformat(),
    ), (failed.status if failed else 200)


@bp.get(f"/violations/<{_ID}:violation_id>")
@login_required
def violation(violation_id: int) -> Any:
    """Show a violation with its cases and the cases that may be opened on it."""
    return _violation_page(violation_id)


@bp.post(f"/violations/<{_ID}:violation_id>/cases")
@login_required
def open_case(violation_id: int) -> Any:
    """Open an administrative case (立案 starts from the lead) on a violation."""
    actor = page_actor()
    session = db.session()
    raw = submitted(
        (
            "party_enterprise_id",
            "lead_received_on",
            "procedure",
            "title",
            "collective",
            "art58_conditions",
        ),
        lists=("art58_conditions",),
    )
    state = FormState(values=raw)

    def call() -> Any:
        data = {k: v for k, v in raw.items() if k != "collective"}
        data["violation_id"] = violation_id
        data["collective_discussion_required"] = cf.flag(raw.get("collective"))
        loaded = CaseOpenSchema().load(data)
        return svc.open_case(session, actor, loaded.pop("violation_id"), loaded)

    case = attempt(call, state)
    if case is None:
        return _violation_page(violation_id, {"open_case": state})
    flash(gettext("The case was opened as a lead."), "success")
    return redirect(url_for(".case", case_id=case.id))


@bp.post(f"/violations/<{_ID}:violation_id>/channel-cases")
@login_required
def open_channel_case(violation_id: int) -> Any:
    """Open a criminal referral, a public-interest case or a compensation claim."""
    actor = page_actor()
    session = db.session()
    raw = submitted(
        ("track", "on", "title", "source_case_id", "report_officer_ids"),
        lists=("report_officer_ids",),
    )
    state = FormState(values=raw)

    def call() -> Any:
        track, _, kind = str(raw.get("track", "")).partition(":")
        data: dict[str, Any] = {"violation_id": violation_id, "track": track}
        if kind:
            data["kind"] = kind
        for name in ("on", "title"):
            if name in raw:
                data[name] = raw[name]
        if track in ("criminal", "civil_pil") and "source_case_id" in raw:
            data["source_case_id"] = cf.whole(raw["source_case_id"], "source_case_id")
        if track == "criminal":
            data["report_officer_ids"] = raw.get("report_officer_ids", [])
        loaded = ChannelOpenSchema().load(data)
        return channel_opening.open_channel_case(session, actor, loaded.pop("violation_id"), loaded)

    case = attempt(call, state)
    if case is None:
        return _violation_page(violation_id, {"open_channel": state})
    flash(gettext("The case was opened."), "success")
    return redirect(url_for(".case", case_id=case.id))


@dataclass(frozen=True)
class TimelineRow:
    """One line of the family's timeline, ready to print: its labels translated and the link
    to its case made once per case, not once per line (a family has hundreds of lines)."""

    on: date
    channel: str  # the CSS class suffix: the case's channel, or "none"
    badge: str
    url: str  # the case's page, or ""
    ref: str  # the case's number (or #id)
    bold: str
    colon: str = ""  # shown after a full-width colon
    plain: str = ""
    muted: str = ""


def _timeline_rows(
    entries: Sequence[family.TimelineEntry],
    cases: Mapping[int, Case],
    urls: Mapping[int, str],
    labels: Labels,
) -> list[TimelineRow]:
    """The family's timeline entries as printed lines (steps, documents, services, payments,
    links, alerts, milestones and evaluations)."""
    yuan = gettext("yuan")
    rows = []
    for e in entries:
        c = cases.get(e.case_id) if e.case_id is not None else None
        d = e.detail
        colon = plain = muted = ""
        if e.kind == "transition":
            if c is not None:
                bold = labels.event(c.track, e.title)
                before, after = (labels.status(c.track, str(d.get(k, ""))) for k in ("from", "to"))
                muted = f"{before} → {after}"
            else:
                bold, muted = e.title, " → "
            if d.get("actor"):
                muted += f" · {d['actor']}"
        elif e.kind in ("document", "service"):
            bold = labels.label("timeline_kind", e.kind)
            colon = labels.label("document_kind", e.title)
            if d.get("number"):
                colon += f" {d['number']}"
            if d.get("method"):
                colon += f" · {labels.label('service_method', d['method'])}"
        elif e.kind == "payment":
            bold = labels.label("payment_kind", e.title)
            plain = f"{cf.cny(d.get('amount_cents'))} {yuan}"
        elif e.kind == "link":
            bold = labels.label("link_kind", e.title)
        else:  # alert, milestone, evaluation
            bold = labels.label("timeline_kind", e.kind)
            colon = e.title
            if e.kind == "alert":  # e.title is the predicate's code
                article = str(d.get("article") or "")
                colon = cf.alert_title(e.title, str(d.get("title") or ""), article)
                muted = cf.alert_basis(e.title, article)
        rows.append(
            TimelineRow(
                on=e.on,
                channel=e.channel or "none",
                badge=labels.label("channel", e.channel)
                if e.channel
                else labels.label("timeline_kind", e.kind),
                url=urls[c.id] if c is not None else "",
                ref=(c.number or f"#{c.id}") if c is not None else "",
                bold=bold,
                colon=colon,
                plain=plain,
                muted=muted,
            )
        )
    return rows


@bp.get(f"/violations/<{_ID}:violation_id>/family")
@login_required
def family_page(violation_id: int) -> Any:
    """Show the case family: every channel's case, the merged timeline and the ledger."""
    actor = page_actor()
    session = db.session()
    # The page offers no step itself (each case's page does): the guards are not evaluated.
    fam = family.get_family(session, actor, violation_id, with_events=False)
    cases = {e.case.id: e.case for e in fam.cases}
    urls = {cid: url_for(".case", case_id=cid) for cid in cases}
    organs = case_pages.organ_names(
        session,
        [
            code
            for c in cases.values()
            for code in (c.police_code, c.procuratorate_code, c.court_code)
        ],
    )
    return render_template(
        "cases/family.html",
        fam=fam,
        cases=cases,
        case_urls=urls,
        timeline=_timeline_rows(fam.timeline, cases, urls, Labels()),
        organs=organs,
        counties=case_pages.division_names(session, [fam.violation.county_code]),
    )
