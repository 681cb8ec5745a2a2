"""What the case pages' forms post, turned into the data the API's schemas load.

Money is typed in yuan (元) and sent to the services in cents (分); dates and times come from
``<input type="date">`` and ``<input type="datetime-local">`` and are read as China time; an
enterprise is named by its USCC (统一社会信用代码). A value that cannot be read raises a
marshmallow ``ValidationError`` naming the form's own field, so ``forms.attempt`` shows it
beside that field.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from flask import request
from flask_babel import gettext
from marshmallow import Schema, ValidationError
from sqlalchemy.orm import Session

from casemgr.criminal_thresholds import alert_text
from casemgr.errors import list_params
from casemgr.exceptions import DomainError, IllegalTransition
from casemgr.i18n import N_
from casemgr.lifecycles import compensation as comp
from casemgr.policy import Actor, Permission
from casemgr.repositories.enterprises import enterprise_by_uscc
from casemgr.schemas.violations import ViolationCreateSchema
from casemgr.services.case_pages import step_fields
from casemgr.services.localtime import LOCAL
from casemgr.web.case_labels import event_label, options, status_label
from casemgr.web.forms import FormState

T = TypeVar("T")

_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$")
_SPLIT = re.compile(r"[\s,，、;；]+")
MAX_CENTS = 10**15
FINE_ROWS = 3  # fine lines on a decision form (one per illegal act: 行政处罚法 art. 29)


def cents(raw: str | None, field: str) -> int | None:
    """An amount typed in yuan (``12,000.50``) as cents. Raises ValidationError on ``field``."""
    if raw is None or not raw.strip():
        return None
    text = raw.strip().replace(",", "").replace("，", "").replace("¥", "").replace("元", "")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        amount = Decimal(-1)
    if not amount.is_finite() or amount < 0 or amount != amount.quantize(Decimal("0.01")):
        raise ValidationError(
            {field: [gettext("Enter an amount in yuan, e.g. 50000 or 50000.50.")]}
        )
    value = int(amount * 100)
    if value > MAX_CENTS:
        raise ValidationError({field: [gettext("The amount is too large.")]})
    return value


def whole(raw: str, field: str) -> int:
    """A whole number typed in a form. Raises ValidationError on ``field``."""
    try:
        return int(raw.strip())
    except ValueError:
        raise ValidationError({field: [gettext("Enter a whole number.")]}) from None


def aware(raw: str | None) -> str | None:
    """A local ``YYYY-MM-DDTHH:MM`` from a datetime-local input, as ISO 8601 in China time."""
    if raw is None or not raw.strip():
        return None
    text = raw.strip()
    if _TIME.match(text):
        return (text if text.count(":") == 2 else text + ":00") + "+08:00"
    return text  # let the schema report it


def flag(raw: Any) -> bool:
    return str(raw).lower() in ("true", "on", "1", "yes")


def rename(state: FormState, names: Mapping[str, str]) -> None:
    """Show errors the schema or the service reports on a data field beside the form field."""
    renamed: dict[str, list[str]] = {}
    for key, msgs in state.errors.items():
        head, dot, rest = key.partition(".")
        target = names.get(key) or (names[head] + dot + rest if head in names else key)
        for tail_from, tail_to in (("amount_cents", "amount"),):
            if target.endswith(tail_from):
                target = target[: -len(tail_from)] + tail_to
        renamed.setdefault(target, []).extend(msgs)
    state.errors = renamed


def enterprise_ids(session: Session, raw: str | None, field: str = "enterprises") -> list[int]:
    """The enterprises named by one or more USCCs. Raises ValidationError on ``field``."""
    codes = [c.upper() for c in _SPLIT.split(raw or "") if c]
    if not codes:
        raise ValidationError({field: [gettext("Name at least one enterprise by its USCC.")]})
    ids = []
    for code in codes:
        ent = enterprise_by_uscc(session, code)
        if ent is None:
            raise ValidationError(
                {field: [gettext("No enterprise has the USCC %(code)s.", code=code)]}
            )
        ids.append(ent.id)
    return list(dict.fromkeys(ids))


# -- violations ---------------------------------------------------------------------------------

VIOLATION_FIELDS = (
    "found_at",
    "occurred_from",
    "occurred_to",
    "county_code",
    "enterprises",
    "place",
    "summary",
    "description",
    "origin",
    "origin_reference",
    "hazardous_waste_tonnes",
    "loss",
    "illegal_gain",
    "water_intake_cut_hours",
    "in_protected_zone",
    "during_pollution_alert",
    "toxic_substance",
    "ecological_damage",
)
VIOLATION_BOOLS = (
    "in_protected_zone",
    "during_pollution_alert",
    "toxic_substance",
    "ecological_damage",
)
VIOLATION_NAMES = {
    "enterprise_ids": "enterprises",
    "loss_cents": "loss",
    "illegal_gain_cents": "illegal_gain",
}


def violation_data(session: Session, raw: Mapping[str, Any]) -> dict[str, Any]:
    """The body of ``ViolationCreateSchema`` from the violation form, loaded. Raises
    ValidationError with every field's problem at once (the typed amounts and codes as well as
    the schema's own checks)."""
    data: dict[str, Any] = {}
    errors: dict[str, Any] = {}
    for name in ("county_code", "place", "summary", "description", "origin", "origin_reference"):
        if name in raw:
            data[name] = raw[name]
    for name in ("found_at", "occurred_from", "occurred_to"):
        if name in raw:
            data[name] = aware(raw[name])
    for name in ("hazardous_waste_tonnes", "water_intake_cut_hours"):
        if name in raw:
            data[name] = raw[name]
    for name, target in (("loss", "loss_cents"), ("illegal_gain", "illegal_gain_cents")):
        collect(errors, lambda n=name: cents(raw.get(n), n), data, target)
    for name in VIOLATION_BOOLS:
        data[name] = flag(raw.get(name))
    if raw.get("evasive_methods"):
        data["evasive_methods"] = list(raw["evasive_methods"])
    collect(errors, lambda: enterprise_ids(session, raw.get("enterprises")), data, "enterprise_ids")
    return load(ViolationCreateSchema(), data, errors, VIOLATION_NAMES)


def collect(errors: dict[str, Any], read: Any, data: dict[str, Any], target: str) -> None:
    """Read one typed value into ``data[target]``, or its problem into ``errors``."""
    try:
        value = read()
    except ValidationError as exc:
        errors.update(exc.normalized_messages())  # type: ignore[no-untyped-call]
        return
    if value is not None:
        data[target] = value


def load(
    schema: Schema, data: dict[str, Any], errors: dict[str, Any], names: Mapping[str, str]
) -> dict[str, Any]:
    """Load ``data`` with ``schema``, reporting the form's own reading errors with the schema's
    (a field the form could not read is reported once, by the form)."""
    problems = {k: v for k, v in schema.validate(data).items() if names.get(k, k) not in errors}
    problems.update(errors)
    if problems:
        raise ValidationError(problems)
    return dict(schema.load(data))


# -- lifecycle steps ----------------------------------------------------------------------------

STEP_NAMES = {"proposed_fine_cents": "proposed_fine"}


def admin_step_data(event: str) -> dict[str, Any]:
    """The body of ``TransitionRequestSchema`` from a step form of an administrative case."""
    form = request.form
    data: dict[str, Any] = {"event": event}
    for name in ("on", "note", "correction_ordered_on", "overdue_reason"):
        value = form.get(name, "").strip()
        if value:
            data[name] = value
    for name in ("proposed_penalty_types", "penalty_types", "art58_conditions"):
        values = [v for v in form.getlist(name) if v]
        if values:
            data[name] = values
    if "rights_waived_in_writing" in form:
        data["rights_waived_in_writing"] = flag(form["rights_waived_in_writing"])
    proposed = cents(form.get("proposed_fine"), "proposed_fine")
    if proposed is not None:
        data["proposed_fine_cents"] = proposed
    fines = []
    for i in range(FINE_ROWS):
        act = form.get(f"fines.{i}.act", "").strip()
        amount = cents(form.get(f"fines.{i}.amount"), f"fines.{i}.amount")
        if act or amount is not None:
            fines.append({"act": act, "amount_cents": amount})
    if fines:
        data["fines"] = fines
    return data


def step_values() -> dict[str, Any]:
    """What a step form posted, to show again when the step is refused."""
    values: dict[str, Any] = {}
    for key in request.form:
        if key == "csrf_token":
            continue
        items = request.form.getlist(key)
        values[key] = items if len(items) > 1 else items[0]
    return values


def channel_step_data(track: str, event: str) -> dict[str, Any]:
    """The body of ``ChannelStepSchema`` from a step form of a channel case: each field of the
    step's spec read by its JSON type."""
    form = request.form
    data: dict[str, Any] = {"event": event}
    for name in ("on", "note"):
        value = form.get(name, "").strip()
        if value:
            data[name] = value
    for name, kind, _required in step_fields(track, event):
        if kind == "bool":
            if name in form:
                data[name] = flag(form[name])
            continue
        if kind == "str_list":
            values = [v.strip() for v in form.getlist(name) if v.strip()]
            if len(values) == 1:
                values = [v for v in _SPLIT.split(values[0]) if v]
            if values:
                data[name] = values
            continue
        raw = form.get(name, "").strip()
        if not raw:
            continue
        if kind == "cents":
            data[name] = cents(raw, name)
        elif kind == "int":
            data[name] = whole(raw, name)
        else:
            data[name] = raw
    return data


def checked(values: Mapping[str, Any], name: str) -> list[str]:
    """The checked values of a checkbox group, as posted or as stored."""
    value = values.get(name)
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value] if isinstance(value, Iterable) else []


# -- display helpers ----------------------------------------------------------------------------


def cny(cents: int | None) -> str:
    """Cents as yuan with thousands separators (``8,000.00``)."""
    return "" if cents is None else f"{Decimal(cents) / 100:,.2f}"


def tr(template: str | None, params: Mapping[str, Any] | None = None) -> str:
    """Translate a stored English msgid (an alert's reason, a guard's reason) and fill its
    parameters; a parameter that is a list of msgids (the attachments a transfer lacks) is
    translated item by item."""
    if not template:
        return ""
    text = str(gettext(template))
    try:
        return text.format(**list_params(params or {}))
    except (KeyError, IndexError, ValueError):
        return text


def alert_title(predicate: str, title: str, article: str) -> str:
    """A referral-review alert's predicate (入罪标准) in the request's language, from the
    threshold set the stored ``article`` cites; the stored title when no set knows it."""
    return alert_text(predicate, title, article, gettext)[0]


def alert_basis(predicate: str, article: str) -> str:
    """A referral-review alert's legal basis in the request's language, else the stored one."""
    return alert_text(predicate, "", article, gettext)[1]


def local(moment: datetime | None) -> str:
    """An aware moment as China time, to the minute."""
    return moment.astimezone(LOCAL).strftime("%Y-%m-%d %H:%M") if moment else ""


# Who may open which track, and the kind of suit it is (channel_opening._OPENER).
_TRACK_CHOICES = (
    ("criminal", "", Permission.WRITE_CASES, N_("Transfer of a suspected criminal case")),
    ("compensation", "", Permission.ACT_CLAIMANT, N_("Damage compensation claim")),
    ("civil_pil", "procuratorate", Permission.ACT_PROCURATORATE, N_("Procuratorate civil suit")),
    ("civil_pil", "incidental", Permission.ACT_PROCURATORATE, N_("Incidental civil suit")),
    ("administrative_pil", "", Permission.ACT_PROCURATORATE, N_("Administrative PIL case")),
    ("civil_pil", "ngo", Permission.ACT_COURT, N_("Suit filed by a social organisation")),
)


def openable_tracks(actor: Actor) -> list[tuple[str, str]]:
    """The tracks (and kinds of suit) the actor may open on a violation, for a select."""
    return [
        (f"{track}:{kind}" if kind else track, gettext(text))
        for track, kind, permission, text in _TRACK_CHOICES
        if actor.can(permission)
    ]


def field_choices(track: str, name: str) -> list[tuple[str, str]]:
    """The choices of a coded step-data field (a verdict, a ground), empty for free input."""
    grounds = {
        "failure_ground": comp.CONSULTATION_FAILURE_GROUNDS,
        "exemption_reason": comp.EVALUATION_EXEMPTIONS,
        "assessment_method": comp.ASSESSMENT_METHODS,
        "incident_level": comp.INCIDENT_LEVELS,
    }
    if track == "compensation" and name == "reason":
        return [(g.code, gettext(g.label)) for g in comp.NOT_STARTED_REASONS]
    if name in grounds:
        return [(g.code, gettext(g.label)) for g in grounds[name]]
    groups = {
        "verdict": "verdict",
        "filing_limit": "filing_limit",
        "judgment_kind": "judgment_kind",
        "attachments": "attachment",
    }
    return options(groups[name]) if name in groups else []


class StepNotPossible(DomainError):
    """An illegal transition, told with the steps' names instead of their codes (409)."""

    status = 409
    code = "illegal_transition"
    template = N_(
        "The step “{event}” is not possible while the case is at “{status}”; "
        "possible steps: {allowed}."
    )


def named(track: str, call: Callable[[], T]) -> T:
    """Run ``call``; an illegal transition is reported with the steps' names."""
    try:
        return call()
    except IllegalTransition as exc:
        raise StepNotPossible(
            errors={"allowed": [event_label(track, e) for e in exc.allowed]},
            event=event_label(track, str(exc.params.get("event", ""))),
            status=status_label(track, str(exc.params.get("status", ""))),
            allowed="、".join(event_label(track, e) for e in exc.allowed) or "—",
        ) from None


# The form fields that complete each item of a decision (行政处罚法 art. 59).
_ITEM_FIELDS = {
    "party": ("_form",),  # the party's name and address come from the enterprise record
    "facts_and_evidence": ("facts", "evidence"),
    "penalty_and_basis": ("legal_basis",),
    "performance": ("performance_manner",),
    "remedies": ("reconsideration_body", "court"),
    "agency_and_date": ("agency", "issued_on"),
}


def item_errors(state: FormState) -> None:
    """Show a missing item of art. 59 beside the fields that complete it (the empty ones)."""
    for item, fields in _ITEM_FIELDS.items():
        msgs = state.errors.pop(item, None)
        if not msgs:
            continue
        empty = [f for f in fields if not state.values.get(f)] or list(fields)
        for f in empty:
            state.errors.setdefault(f, []).extend(msgs)
