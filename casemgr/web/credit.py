"""Pages: environmental credit (企业环境信用): the tier list in force, objections (异议) and
credit repairs (信用修复).

The tier list reads the stored tier history; objections and repairs are filed and decided
through :mod:`casemgr.services.credit_requests`, the same services as the API, with the
scheme's periods and their legal sources shown beside each request.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import login_required

from casemgr.exceptions import InvalidInput
from casemgr.extensions import db
from casemgr.i18n import N_
from casemgr.policy import Permission
from casemgr.schemas.credit import ObjectionArgs, RepairArgs, RequestDecisionArgs
from casemgr.security import page_actor
from casemgr.services import credit, credit_pages, credit_requests
from casemgr.web.forms import FormState, attempt, submitted
from casemgr.web.legal import scheme_text
from credit.facts import FactKind
from credit.schemes import Scheme

bp = Blueprint("credit_pages", __name__)

# Tier labels; the scheme's own Chinese names (环保诚信企业 ...) are shown beside them.
TIER_LABELS: Mapping[str, str] = {
    "green": N_("Green (environmental good faith)"),
    "blue": N_("Blue (environmentally good)"),
    "yellow": N_("Yellow (environmental warning)"),
    "red": N_("Red (environmentally bad)"),
    "black": N_("Black (seriously dishonest)"),
    credit_pages.ABNORMAL: N_("Abnormal (not rateable)"),
    credit_pages.UNSCORED: N_("Not yet scored"),
}
# credit.facts.FactKind: the records behind a score.
FACT_LABELS: Mapping[str, str] = {
    FactKind.PENALTY.value: N_("Administrative penalty"),
    FactKind.COERCIVE_MEASURE.value: N_("Seizure or production limit"),
    FactKind.DAILY_PENALTY.value: N_("Daily continuous penalty"),
    FactKind.CRIMINAL_REFERRAL.value: N_("Transfer to the police"),
    FactKind.CRIMINAL_CONVICTION.value: N_("Criminal conviction"),
    FactKind.FINE_OVERDUE.value: N_("Fine unpaid after its deadline"),
    FactKind.COMPENSATION_OVERDUE.value: N_("Compensation unpaid after its deadline"),
    FactKind.INCIDENT.value: N_("Sudden environmental incident"),
    FactKind.INSPECTION_FINDING.value: N_("Inspection finding"),
    FactKind.COMPLAINT.value: N_("Substantiated complaint"),
    FactKind.RECTIFICATION.value: N_("Rectification (on time or late)"),
    FactKind.MONITORING_EXCEEDANCE.value: N_("Online monitoring exceedance rate"),
    FactKind.DATA_TRANSMISSION.value: N_("Data transmission rate"),
    FactKind.SERIOUS_VIOLATION.value: N_("Serious violation (one-vote veto)"),
    FactKind.NOT_RATEABLE.value: N_("Not rateable"),
    FactKind.REPAIR.value: N_("Credit repair"),
    FactKind.CORRECTION.value: N_("Upheld objection"),
}
KIND_LABELS: Mapping[str, str] = {"objection": N_("Objection"), "repair": N_("Credit repair")}
STATE_LABELS: Mapping[str, str] = {
    "pending": N_("pending"),
    "accepted": N_("accepted"),
    "rejected": N_("rejected"),
}
LABELS = {
    "tiers": TIER_LABELS,
    "facts": FACT_LABELS,
    "kinds": KIND_LABELS,
    "states": STATE_LABELS,
}
OBJECTION = "/credit/requests/objections/<int(max=2147483647):objection_id>"
REPAIR = "/credit/requests/repairs/<int(max=2147483647):repair_id>"


def request_url(kind: str, request_id: int, *, decision: bool = False) -> str:
    """The page of an objection or a repair (or its decision form's target)."""
    suffix = "_decision" if decision else "_page"
    if kind == "objection":
        return url_for(f"credit_pages.objection{suffix}", objection_id=request_id)
    return url_for(f"credit_pages.repair{suffix}", repair_id=request_id)


def _scheme() -> Scheme:
    return credit.scheme_named(current_app.config["CREDIT_SCHEME"])


def _page_number() -> int:
    page = request.args.get("page", 1, type=int) or 1
    return min(max(1, page), 100_000)


def _day(raw: str) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise InvalidInput.field(
            "as_of", N_("'{value}' is not a date (YYYY-MM-DD)."), value=raw
        ) from None


def _tier_options(scheme: Scheme) -> list[tuple[str, str]]:
    """The tier filter's choices: each tier with the scheme's own name, then abnormal."""
    options = [
        (rule.tier.value, f"{gettext(TIER_LABELS[rule.tier.value])} · {scheme_text(rule, 'name')}")
        for rule in scheme.tiers
    ]
    return [*options, (credit_pages.ABNORMAL, gettext(TIER_LABELS[credit_pages.ABNORMAL]))]


@bp.get("/credit")
@login_required
def index() -> Any:
    """List enterprises by their tier in force, filtered by tier, county and industry."""
    actor = page_actor()
    session = db.session()
    scheme = _scheme()
    names = ("tier", "county", "industry", "as_of")
    args = {k: request.args.get(k, "").strip()[:20] for k in names}
    args = {k: v for k, v in args.items() if v}
    if "industry" in args:
        args["industry"] = args["industry"].upper()
    state = FormState(values=dict(args))
    page = attempt(
        lambda: credit_pages.tier_list(
            session,
            actor,
            scheme,
            tier=args.get("tier"),
            county=args.get("county"),
            industry=args.get("industry"),
            as_of=_day(args.get("as_of", "")),
            page=_page_number(),
            per_page=30,
        ),
        state,
    )
    return render_template(
        "credit/index.html",
        page=page,
        args=args,
        state=state,
        scheme=scheme,
        periods=credit_pages.scheme_periods(scheme),
        counties=credit_pages.counties_in_scope(session, actor),
        tier_options=_tier_options(scheme),
        labels=LABELS,
        can_manage=actor.can(Permission.MANAGE_CREDIT),
    ), state.status


@bp.get("/credit/requests")
@login_required
def requests() -> Any:
    """List objections and credit repairs, filtered by kind and state."""
    actor = page_actor()
    args = {k: request.args.get(k, "").strip()[:20] for k in ("kind", "state")}
    args = {k: v for k, v in args.items() if v}
    state = FormState(values=dict(args))
    page = attempt(
        lambda: credit_pages.requests(
            db.session(),
            actor,
            kind=args.get("kind"),
            state=args.get("state"),
            page=_page_number(),
            per_page=30,
        ),
        state,
    )
    return render_template(
        "credit/requests.html",
        page=page,
        args=args,
        state=state,
        labels=LABELS,
        request_url=request_url,
        can_manage=actor.can(Permission.MANAGE_CREDIT),
    ), state.status


def _record_option(kind: str, window: credit_pages.Window) -> tuple[str, str]:
    """A record of the select: what it is, when, and the period that governs the request."""
    fact = window.fact
    parts = [gettext(FACT_LABELS.get(fact.kind.value, fact.kind.value)), fact.on.isoformat()]
    if fact.amount:
        parts.append(gettext("%(amount)s CNY", amount=f"{fact.amount:,.2f}"))
    parts.append(fact.record)
    if kind == "objection":
        parts.append(gettext("objection until %(day)s", day=window.objection_last.isoformat()))
    elif window.veto:
        parts.append(gettext("one-vote veto: not repairable"))
    else:
        parts.append(gettext("repair from %(day)s", day=window.repair_opens.isoformat()))
    return fact.record, " · ".join(parts)


def _render_new(enterprise_id: int, kind: str, state: FormState) -> Any:
    actor = page_actor()
    session = db.session()
    scheme = _scheme()
    enterprise = credit_pages.enterprise_in_scope(session, actor, enterprise_id)
    windows = credit_pages.disputable_facts(session, actor, scheme, enterprise_id)
    return render_template(
        "credit/new_request.html",
        enterprise=enterprise,
        kind=kind,
        options=[_record_option(kind, w) for w in windows],
        periods=credit_pages.scheme_periods(scheme),
        state=state,
        labels=LABELS,
    ), state.status


def _enterprise_arg(raw: str | None) -> int:
    if not raw or not raw.isdigit() or not 0 < int(raw) <= 2147483647:
        abort(404)
    return int(raw)


@bp.get("/credit/requests/new")
@login_required
def new_request() -> Any:
    """Show the form to file an objection or to apply for a credit repair."""
    kind = request.args.get("kind", "objection")
    if kind not in credit_pages.KINDS:
        kind = "objection"
    state = FormState(values={"record": request.args.get("record", "")})
    return _render_new(_enterprise_arg(request.args.get("enterprise")), kind, state)


def _file(enterprise_id: int, kind: str, data: dict[str, Any]) -> Any:
    actor, session, scheme = page_actor(), db.session(), _scheme()
    credit_pages.enterprise_in_scope(session, actor, enterprise_id)
    if kind == "objection":
        args = ObjectionArgs().load(data)
        return credit_requests.file_objection(session, actor, scheme, enterprise_id, args)
    lines = [line.strip() for line in str(data.pop("evidence", "")).splitlines()]
    if any(lines):
        data["evidence"] = [line for line in lines if line]  # one document per line
    args = RepairArgs().load(data)
    return credit_requests.apply_for_repair(session, actor, scheme, enterprise_id, args)


@bp.post("/credit/requests/new")
@login_required
def file_request() -> Any:
    """File an objection to a record, or apply for the repair of one."""
    enterprise_id = _enterprise_arg(request.form.get("enterprise"))
    kind = request.form.get("kind", "")
    if kind not in credit_pages.KINDS:
        abort(404)
    names = ["record", "reason"] if kind == "objection" else ["record", "evidence", "commitment"]
    data = submitted(names)
    state = FormState(values=dict(data))
    made = attempt(lambda: _file(enterprise_id, kind, dict(data)), state)
    if made is None:
        # A bad evidence line is reported on the whole field (the form has one text box).
        for name in [n for n in state.errors if n.startswith("evidence.")]:
            state.errors.setdefault("evidence", []).extend(state.errors.pop(name))
        return _render_new(enterprise_id, kind, state)
    flash(
        gettext("Objection %(id)s filed.", id=made.id)
        if kind == "objection"
        else gettext("Credit repair application %(id)s filed.", id=made.id),
        "success",
    )
    return redirect(request_url(kind, made.id))


def _render_request(kind: str, request_id: int, state: FormState | None = None) -> Any:
    actor = page_actor()
    scheme = _scheme()
    detail = credit_pages.request_detail(db.session(), actor, scheme, kind, request_id)
    return render_template(
        "credit/request.html",
        d=detail,
        req=detail.request,
        periods=credit_pages.scheme_periods(scheme),
        scheme=scheme,
        state=state,
        labels=LABELS,
        request_url=request_url,
        can_manage=actor.can(Permission.MANAGE_CREDIT),
    ), (state.status if state is not None else 200)


@bp.get(OBJECTION)
@login_required
def objection_page(objection_id: int) -> Any:
    """Show an objection with the record it concerns and its legal period."""
    return _render_request("objection", objection_id)


@bp.get(REPAIR)
@login_required
def repair_page(repair_id: int) -> Any:
    """Show a credit repair application with the record it concerns and its legal periods."""
    return _render_request("repair", repair_id)


def _decide(kind: str, request_id: int, data: dict[str, Any]) -> Any:
    actor, session, scheme = page_actor(), db.session(), _scheme()
    credit_pages.pending_request(session, actor, kind, request_id)
    version = request.form.get("version", "")
    expected = int(version) if version.isdigit() else -1  # no version: stale
    args = RequestDecisionArgs().load(data)
    decide = (
        credit_requests.decide_objection if kind == "objection" else credit_requests.decide_repair
    )
    return decide(session, actor, scheme, request_id, args, expected_version=expected)


def _decision(kind: str, request_id: int) -> Any:
    data = submitted(["accept", "note"])
    state = FormState(values=dict(data))
    decided = attempt(lambda: _decide(kind, request_id, data), state)
    if decided is None:
        return _render_request(kind, request_id, state)
    if decided.state.value == "accepted":
        message = gettext("Request accepted; the enterprise was re-scored.")
    else:
        message = gettext("Request rejected.")
    flash(message, "success")
    return redirect(request_url(kind, request_id))


@bp.post(f"{OBJECTION}/decision")
@login_required
def objection_decision(objection_id: int) -> Any:
    """Uphold or reject an objection, with the reasons; upheld, the enterprise is re-scored
    at once."""
    return _decision("objection", objection_id)


@bp.post(f"{REPAIR}/decision")
@login_required
def repair_decision(repair_id: int) -> Any:
    """Accept or reject a credit repair, with the reasons; accepted, the enterprise is
    re-scored at once."""
    return _decision("repair", repair_id)
