"""Pages: the deadline board (期限看板) across cases, with its filters and a CSV export.

Each row cites the legal basis of its deadline (law and article, from the legal clock's rule
data, ``casemgr.legalclock``, in the reader's language), its start, its last day and how it
stands today. The board is the service's (``services.deadlines.board``): jurisdiction, or the
cases before one's own court or procuratorate for judges and prosecutors, and the audit of
their reads.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from flask import Blueprint, Response, current_app, render_template, request
from flask_babel import gettext
from flask_login import login_required
from marshmallow import ValidationError, fields, validate, validates_schema
from sqlalchemy import select
from sqlalchemy.orm import Session

from casemgr.exceptions import InvalidInput
from casemgr.extensions import db
from casemgr.i18n import N_
from casemgr.legalclock import RULES
from casemgr.models import Division, DivisionLevel
from casemgr.models.cases import Channel, DeadlineStateValue
from casemgr.policy import Actor, Permission
from casemgr.repositories.common import Page
from casemgr.schemas.common import PageArgs
from casemgr.security import page_actor
from casemgr.services import deadlines as svc
from casemgr.services import home_pages
from casemgr.services.access import require
from casemgr.services.enterprises import territory_counties
from casemgr.services.localtime import local_today
from casemgr.web.forms import FormState, attempt
from casemgr.web.legal import rule_basis, rule_title

bp = Blueprint("deadlines_pages", __name__)

PER_PAGE = 30
EXPORT_LIMIT = 5000

CHANNEL_LABELS = {
    Channel.ADMINISTRATIVE.value: N_("Administrative penalty"),
    Channel.CRIMINAL.value: N_("Criminal"),
    Channel.CIVIL.value: N_("Civil or public-interest suit"),
    Channel.COMPENSATION.value: N_("Damage compensation"),
}

# How a deadline stands today (services.home_pages.shown_state) and its badge colour.
STATE_LABELS = {
    "open": N_("Running"),
    "due_soon": N_("Due soon"),
    "overdue": N_("Overdue"),
    "paused": N_("Paused"),
    "met": N_("Met"),
    "missed": N_("Met late"),
    "cancelled": N_("Cancelled"),
}
STATE_BADGES = {
    "due_soon": "amber",
    "overdue": "red",
    "paused": "amber",
    "met": "green",
    "missed": "red",
}

_OPEN, _MET, _MISSED = DeadlineStateValue.OPEN, DeadlineStateValue.MET, DeadlineStateValue.MISSED
_PAUSED, _CANCELLED = DeadlineStateValue.PAUSED, DeadlineStateValue.CANCELLED


@dataclass(frozen=True)
class StateFilter:
    """A choice of the board's state filter as a BoardFilter's states and dates."""

    label: str
    states: tuple[DeadlineStateValue, ...]
    undone: bool = False
    due_soon: bool = False  # due from today to today + the reminder window
    past_due: bool = False  # last day before today


STATE_FILTERS: dict[str, StateFilter] = {
    "": StateFilter(N_("Running and missed"), (_OPEN, _PAUSED, _MISSED)),
    "open": StateFilter(N_("Running"), (_OPEN, _PAUSED), undone=True),
    "due_soon": StateFilter(N_("Due soon"), (_OPEN,), undone=True, due_soon=True),
    "overdue": StateFilter(N_("Overdue"), (_OPEN, _MISSED), undone=True, past_due=True),
    "missed": StateFilter(N_("Missed (late or not done)"), (_MISSED,)),
    "met": StateFilter(N_("Met"), (_MET,)),
    "cancelled": StateFilter(N_("Cancelled"), (_CANCELLED,)),
    "all": StateFilter(N_("All"), tuple(DeadlineStateValue)),
}

SORTS = {
    "due_on": N_("Due date, soonest first"),
    "-due_on": N_("Due date, latest first"),
    "county_code,due_on": N_("County, then due date"),
    "rule_code,due_on": N_("Kind of deadline, then due date"),
}

_CHOOSE = N_("Choose one of the listed values.")


class BoardPageArgs(PageArgs):
    """The board's filter form (query string)."""

    state = fields.String(validate=validate.OneOf([k for k in STATE_FILTERS if k], error=_CHOOSE))
    rule_code = fields.String(validate=validate.OneOf(sorted(RULES), error=_CHOOSE))
    county = fields.String(
        validate=validate.Regexp(r"^[0-9A-Z]{6,8}$", error=N_("Must be a division or unit code."))
    )
    channel = fields.String(validate=validate.OneOf(sorted(CHANNEL_LABELS), error=_CHOOSE))
    due_from = fields.Date()
    due_to = fields.Date()
    mine = fields.Boolean()
    sort = fields.String(load_default="due_on", validate=validate.OneOf(SORTS, error=_CHOOSE))

    @validates_schema
    def _range(self, data: Mapping[str, Any], **_: Any) -> None:
        if data.get("due_from") and data.get("due_to") and data["due_to"] < data["due_from"]:
            raise ValidationError({"due_to": [N_("The end lies before the start.")]})


FILTER_NAMES = ("state", "rule_code", "county", "channel", "due_from", "due_to", "mine", "sort")


def _query() -> dict[str, str]:
    """The filters as typed, empty ones dropped (like ``submitted`` for a GET form)."""
    return {
        k: v.strip()[:100]
        for k in (*FILTER_NAMES, "page")
        if (v := request.args.get(k, "").strip())
    }


def board_filter(
    session: Session, actor: Actor, args: Mapping[str, Any], *, today: date, soon_days: int
) -> svc.BoardFilter:
    """The service's filter from the page's, the state choice intersected with the dates.

    Raises InvalidInput (an unknown territory, or one outside the actor's jurisdiction)."""
    choice = STATE_FILTERS[args.get("state", "")]
    counties = None
    if args.get("county"):
        counties = territory_counties(session, args["county"], field="county")
        if actor.counties is not None and (counties is None or not counties <= actor.counties):
            raise InvalidInput.field(
                "county", N_("Choose a county or bureau within your jurisdiction.")
            )
    after, before = args.get("due_from"), args.get("due_to")
    if choice.due_soon:
        after = max(after or today, today)
        horizon = today + timedelta(days=soon_days)
        before = min(before or horizon, horizon)
    if choice.past_due:
        yesterday = today - timedelta(days=1)
        before = min(before or yesterday, yesterday)
    return svc.BoardFilter(
        counties=counties,
        officer_id=actor.user_id if args.get("mine") else None,
        channel=args.get("channel"),
        rule_code=args.get("rule_code"),
        states=choice.states,
        due_before=before,
        due_after=after,
        undone=choice.undone,
    )


def _run(
    session: Session, actor: Actor, raw: Mapping[str, str], *, per_page: int
) -> tuple[Page[Any], list[home_pages.DeadlineRow]]:
    today, soon = local_today(), current_app.config["REMINDER_DUE_SOON_DAYS"]
    args = BoardPageArgs().load(raw)
    f = board_filter(session, actor, args, today=today, soon_days=soon)
    page = svc.board(session, actor, f, page=args["page"], per_page=per_page, sort=args["sort"])
    return page, home_pages.deadline_rows(session, page.items, today=today, soon_days=soon)


def territory_options(session: Session, actor: Actor) -> list[tuple[str, str]]:
    """Prefectures (bureaus, 市局) and counties within the actor's jurisdiction."""
    stmt = select(Division).where(Division.level != DivisionLevel.PROVINCE)
    if actor.counties is not None:
        stmt = stmt.where(Division.code.in_(sorted({*actor.counties, *actor.scope_codes})))
    options = []
    for d in session.scalars(stmt.order_by(Division.code)):
        indent = "— " if d.level is DivisionLevel.COUNTY else ""
        options.append((d.code, f"{indent}{d.name} ({d.code})"))
    return options


def rule_options() -> list[tuple[str, str]]:
    return [(code, f"{gettext(rule.title)} ({code})") for code, rule in sorted(RULES.items())]


@bp.get("/deadlines")
@login_required
def board() -> Any:
    """Show the deadline board with its filters."""
    actor = page_actor()
    session = db.session()
    require(actor, Permission.READ_CASES)
    raw = _query()
    state = FormState(values=dict(raw))
    result = attempt(lambda: _run(session, actor, raw, per_page=PER_PAGE), state)
    page, rows = result if result is not None else (None, [])
    args = {k: v for k, v in raw.items() if k != "page"}
    return (
        render_template(
            "deadlines/board.html",
            state=state,
            page=page,
            rows=rows,
            args=args,
            territories=territory_options(session, actor),
            rules=rule_options(),
            labels=labels(),
            state_options=[(k, gettext(v.label)) for k, v in STATE_FILTERS.items()],
            channel_options=[(k, gettext(v)) for k, v in CHANNEL_LABELS.items()],
            sort_options=[(k, gettext(v)) for k, v in SORTS.items()],
        ),
        state.status,
    )


@bp.get("/deadlines/export.csv")
@login_required
def export() -> Any:
    """Download the board's rows as CSV (UTF-8 with BOM, for spreadsheet programs)."""
    actor = page_actor()
    session = db.session()
    require(actor, Permission.READ_CASES)
    raw = {k: v for k, v in _query().items() if k != "page"}
    state = FormState(values=dict(raw))
    result = attempt(lambda: _run(session, actor, raw, per_page=EXPORT_LIMIT), state)
    if result is None:
        return board()
    _, rows = result
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(
        [
            gettext("Case number"),
            gettext("Enterprise"),
            gettext("Deadline"),
            gettext("Rule"),
            gettext("Legal basis"),
            gettext("Start"),
            gettext("Due date"),
            gettext("Days left"),
            gettext("State"),
            gettext("Done on"),
            gettext("County"),
        ]
    )
    # Up to 5,000 rows over a few dozen rules: each rule's name and basis rendered once.
    names: dict[tuple[str, str], str] = {}
    bases: dict[tuple[str, str], str] = {}
    for r in rows:
        d = r.deadline
        key = (d.rule_code, d.title)
        if key not in names:
            names[key] = rule_title(d.rule_code, d.title)
        basis_key = (d.rule_code, d.basis)
        if basis_key not in bases:
            bases[basis_key] = rule_basis(d.rule_code, d.basis)
        writer.writerow(
            [
                r.case_number or f"#{d.case_id}",
                r.enterprise_name,
                names[key],
                d.rule_code,
                bases[basis_key],
                d.start_on.isoformat(),
                d.due_on.isoformat(),
                "" if r.days_left is None else r.days_left,
                gettext(STATE_LABELS[r.shown_state]),
                d.done_on.isoformat() if d.done_on else "",
                d.county_code,
            ]
        )
    response = Response(out.getvalue(), mimetype="text/csv")
    name = f"deadlines-{local_today().isoformat()}.csv"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def labels() -> dict[str, Mapping[str, str]]:
    """Label maps the deadline templates read (English msgids, translated in the template)."""
    return {"channels": CHANNEL_LABELS, "states": STATE_LABELS, "badges": STATE_BADGES}
