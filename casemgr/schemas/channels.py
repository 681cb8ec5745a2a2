"""Schemas of the criminal, civil and compensation channels, the case family, alerts and the
family ledger.

The step-data fields of every channel come from the lifecycle modules (``ChannelSpec.fields``),
so a field a lifecycle reads is always accepted, typed and bounded here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import gettext
from marshmallow import fields, validate

from casemgr.criminal_thresholds import EVASIVE_METHOD_LABELS, alert_text
from casemgr.legalbasis import render_basis
from casemgr.lifecycles import ChannelSpec
from casemgr.lifecycles.civil import ADMIN_PIL_SPEC, CIVIL_PIL_SPEC
from casemgr.lifecycles.compensation import COMPENSATION_SPEC
from casemgr.lifecycles.criminal import CRIMINAL_SPEC
from casemgr.models import PartyRole, PaymentKind
from casemgr.schemas.cases import DeadlineSchema
from casemgr.schemas.common import MAX_ID, DecimalText, PageArgs, Schema, translated
from casemgr.schemas.evidence import DocumentSchema
from casemgr.schemas.penalties import LedgerSchema, PaymentSchema
from casemgr.schemas.violations import ViolationSchema
from casemgr.services.alerts import reason_params

SPECS: tuple[ChannelSpec, ...] = (CRIMINAL_SPEC, CIVIL_PIL_SPEC, ADMIN_PIL_SPEC, COMPENSATION_SPEC)
TRACKS = [s.track for s in SPECS]
_cents = validate.Range(min=0, max=10**15)
_organ = validate.Regexp(r"^[CGP][0-9]{6}$", error="An organ code such as P520300 or C520302.")


def _field(kind: str) -> fields.Field[Any]:
    """The marshmallow field of a step-data JSON type."""
    if kind == "str":
        return fields.String(validate=validate.Length(min=1, max=100))
    if kind == "text":
        return fields.String(validate=validate.Length(max=5000))
    if kind == "int":
        return fields.Integer(strict=True, validate=validate.Range(min=0, max=10**6))
    if kind == "bool":
        return fields.Boolean()
    if kind == "date":
        return fields.Date()
    if kind == "cents":
        return fields.Integer(strict=True, validate=_cents)
    if kind == "str_list":
        return fields.List(
            fields.String(validate=validate.Length(min=1, max=64)),
            validate=validate.Length(max=50),
        )
    if kind == "decimal":
        return DecimalText(places=3, maximum=10**12)
    raise ValueError(f"unknown step-data type {kind!r}")


# A name that is a short code in one channel and free text in another is accepted as text here;
# the channel service checks the code's length for its own channel.
_WIDER = {frozenset({"str", "text"}): "text"}


def step_fields() -> Mapping[str, str]:
    """Every step-data field of every channel with its type (one type per name)."""
    out: dict[str, str] = {}
    for spec in SPECS:
        for name, kind in spec.fields.items():
            known = out.setdefault(name, kind)
            if known != kind:
                wider = _WIDER.get(frozenset({known, kind}))
                if wider is None:
                    raise ValueError(f"step field {name!r} has two types: {known} and {kind}")
                out[name] = wider
    return out


_STEP_FIELDS: dict[str, Any] = {name: _field(kind) for name, kind in step_fields().items()}
_RESERVED = {"event", "on", "note", "police_code", "procuratorate_code", "court_code", "track"}
assert not _RESERVED & set(_STEP_FIELDS), "a step field shadows a request field"


class _OrganFields(Schema):
    police_code = fields.String(validate=_organ)
    procuratorate_code = fields.String(validate=_organ)
    court_code = fields.String(validate=_organ)


class PartyInSchema(Schema):
    role = fields.Enum(PartyRole, by_value=True)
    is_organisation = fields.Boolean()
    enterprise_id = fields.Integer(validate=validate.Range(min=1, max=MAX_ID))
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    id_number = fields.String(validate=validate.Length(max=32))
    phone = fields.String(validate=validate.Length(max=32))
    address = fields.String(validate=validate.Length(max=300))
    note = fields.String(validate=validate.Length(max=300))


ChannelStepSchema = Schema.from_dict(
    {
        "event": fields.String(required=True, validate=validate.Length(min=1, max=48)),
        "on": fields.Date(metadata={"description": "Legal date of the step (default today)"}),
        "note": fields.String(validate=validate.Length(max=2000)),
        **_OrganFields().fields,
        **_STEP_FIELDS,
    },
    name="ChannelStepSchema",
)

ChannelOpenSchema = Schema.from_dict(
    {
        "violation_id": fields.Integer(
            required=True, strict=True, validate=validate.Range(min=1, max=MAX_ID)
        ),
        "track": fields.String(required=True, validate=validate.OneOf(TRACKS)),
        "kind": fields.String(validate=validate.OneOf(["ngo", "procuratorate", "incidental"])),
        "title": fields.String(validate=validate.Length(max=300)),
        "on": fields.Date(metadata={"description": "Day the case starts (report, clue, lead)"}),
        "source_case_id": fields.Integer(strict=True, validate=validate.Range(min=1, max=MAX_ID)),
        "report_officer_ids": fields.List(
            fields.Integer(validate=validate.Range(min=1, max=MAX_ID)),
            validate=validate.Length(max=20),
            metadata={"description": "Officers who made the transfer report (移送报告)"},
        ),
        "parties": fields.List(fields.Nested(PartyInSchema), validate=validate.Length(max=50)),
        **_OrganFields().fields,
        **_STEP_FIELDS,
    },
    name="ChannelOpenSchema",
)


class NotifySchema(Schema):
    procuratorate_code = fields.String(validate=_organ)
    on = fields.Date()
    note = fields.String(validate=validate.Length(max=500))


class PartySchema(Schema):
    id = fields.Integer()
    case_id = fields.Integer()
    role = fields.String()
    is_organisation = fields.Boolean()
    enterprise_id = fields.Integer(allow_none=True)
    name = fields.String()
    id_number = fields.String()
    phone = fields.String()
    address = fields.String()
    masked = fields.List(
        fields.String(), metadata={"description": "Personal fields shown masked to this caller"}
    )


class LinkSchema(Schema):
    id = fields.Integer()
    from_case_id = fields.Integer()
    to_case_id = fields.Integer()
    kind = fields.String(attribute="kind.value")
    on = fields.Date()
    note = fields.String()


class AlertSchema(Schema):
    id = fields.Integer()
    violation_id = fields.Integer()
    kind = fields.String(attribute="kind.value")
    predicate = fields.String()
    tier = fields.Integer()
    title = fields.Method("_title", metadata={"description": "In the request's language"})
    article = fields.Method("_article", metadata={"description": "In the request's language"})
    reason = fields.Method("_reason")
    params = fields.Dict()
    county_code = fields.String()
    state = fields.String(attribute="state.value")
    raised_on = fields.Date()
    resolved_on = fields.Date(allow_none=True)
    resolution = fields.String()

    def _title(self, obj: Any) -> str:
        return alert_text(obj.predicate, obj.title, obj.article, gettext)[0]

    def _article(self, obj: Any) -> str:
        return alert_text(obj.predicate, obj.title, obj.article, gettext)[1]

    def _reason(self, obj: Any) -> str:
        # The evasive means it lists by their stored Chinese names, in the reader's language.
        return translated(obj.reason, reason_params(obj.params or {}, EVASIVE_METHOD_LABELS))


class AlertDismissSchema(Schema):
    resolution = fields.String(required=True, validate=validate.Length(min=10, max=5000))
    on = fields.Date()


class RiskQueryArgs(PageArgs):
    county = fields.String(validate=validate.Regexp(r"^[0-9A-Z]{6,8}$"))


class ConsistencySchema(Schema):
    code = fields.String()
    title = fields.Method("_title", metadata={"description": "In the request's language"})
    basis = fields.Method("_basis", metadata={"description": "In the request's language"})
    reason = fields.Method("_reason")
    case_id = fields.Integer(allow_none=True)

    def _title(self, obj: Any) -> str:
        return translated(obj.title)

    def _basis(self, obj: Any) -> str:
        return render_basis(obj.basis, gettext)

    def _reason(self, obj: Any) -> str:
        return translated(obj.reason)


class TimelineSchema(Schema):
    on = fields.Date()
    at = fields.DateTime(allow_none=True)
    kind = fields.String()
    case_id = fields.Integer(allow_none=True)
    channel = fields.String(allow_none=True)
    title = fields.String()
    detail = fields.Dict()


class MilestoneSchema(Schema):
    id = fields.Integer(dump_only=True)
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    due_on = fields.Date(required=True)
    done_on = fields.Date(dump_only=True, allow_none=True)


class ProjectSchema(Schema):
    id = fields.Integer(dump_only=True)
    case_id = fields.Integer(dump_only=True)
    violation_id = fields.Integer(dump_only=True)
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    budget_cents = fields.Integer(strict=True, validate=_cents)
    status = fields.String(attribute="status.value", dump_only=True)
    start_on = fields.Date(allow_none=True)
    due_on = fields.Date(allow_none=True)
    completed_on = fields.Date(dump_only=True, allow_none=True)
    evaluated_on = fields.Date(dump_only=True, allow_none=True)
    evaluation_passed = fields.Boolean(dump_only=True, allow_none=True)
    evaluation_note = fields.String(dump_only=True)
    version = fields.Integer(dump_only=True)
    milestones = fields.List(fields.Nested(MilestoneSchema), validate=validate.Length(max=100))


class MilestoneDoneSchema(Schema):
    id = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=MAX_ID))
    done_on = fields.Date()


class ProjectUpdateSchema(Schema):
    start_on = fields.Date()
    milestones_done = fields.List(
        fields.Nested(MilestoneDoneSchema), validate=validate.Length(max=100)
    )
    completed_on = fields.Date()
    evaluation_passed = fields.Boolean()
    evaluated_on = fields.Date()
    evaluation_note = fields.String(validate=validate.Length(max=5000))
    exempt_reason = fields.String(validate=validate.Length(min=2, max=500))


class CompensationPaymentSchema(PaymentSchema):
    kind = fields.Enum(
        PaymentKind,
        by_value=True,
        required=True,
        validate=validate.OneOf([PaymentKind.COMPENSATION, PaymentKind.RESTORATION_COST]),
    )
    paid_on = fields.Date(required=True)


class FamilyLedgerSchema(Schema):
    as_of = fields.Date()
    fines_assessed_cents = fields.Integer()
    fines_paid_cents = fields.Integer()
    fines_outstanding_cents = fields.Integer()
    fines_overdue_cents = fields.Integer()
    surcharges_cents = fields.Integer()
    criminal_fine_cents = fields.Integer()
    offset_cents = fields.Integer(
        metadata={"description": "Administrative fines paid, offset against the criminal fine"}
    )
    criminal_fine_due_cents = fields.Integer()
    compensation_agreed_cents = fields.Integer()
    compensation_paid_cents = fields.Integer()
    compensation_outstanding_cents = fields.Integer()
    restoration_budget_cents = fields.Integer()
    administrative = fields.List(fields.Nested(LedgerSchema))
    compensation_payments = fields.List(fields.Nested(PaymentSchema))
    restoration = fields.List(fields.Nested(ProjectSchema))


class FamilyCaseSchema(Schema):
    id = fields.Integer()
    channel = fields.String(attribute="channel.value")
    track = fields.String()
    number = fields.String(allow_none=True)
    status = fields.String()
    title = fields.String()
    county_code = fields.String()
    lead_received_on = fields.Date()
    closed_on = fields.Date(allow_none=True)
    police_code = fields.String(allow_none=True)
    procuratorate_code = fields.String(allow_none=True)
    court_code = fields.String(allow_none=True)
    details = fields.Dict()
    version = fields.Integer()
    allowed_events = fields.List(fields.String())


class FamilySchema(Schema):
    violation = fields.Nested(ViolationSchema)
    cases = fields.List(fields.Nested(FamilyCaseSchema))
    links = fields.List(fields.Nested(LinkSchema))
    parties = fields.List(fields.Nested(PartySchema))
    documents = fields.List(fields.Nested(DocumentSchema))
    deadlines = fields.List(fields.Nested(DeadlineSchema))
    alerts = fields.List(fields.Nested(AlertSchema))
    consistency = fields.List(fields.Nested(ConsistencySchema))
    ledger = fields.Nested(FamilyLedgerSchema)
    timeline = fields.List(fields.Nested(TimelineSchema))
