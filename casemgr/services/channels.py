"""Cases of the criminal, civil and compensation channels: open them and take their steps.

One generic driver over each channel's :class:`~casemgr.lifecycles.ChannelSpec`: the spec says
whose act each event records (and so who may record it), which step data an event needs and
keeps, which legal-clock rules it starts and fulfils. The administrative channel keeps its own
service (``casemgr.services.cases``); what one channel's step does to another channel's case
(a referral pausing the penalty clock, a compensation suit suspending a public-interest suit)
lives in ``casemgr.services.family_effects``.

Every step is one transaction, as in the administrative channel: guards run on the facts *with*
the step's data, the lifecycle moves the status, the transition and the deadlines are recorded
and any failure rolls all of it back.
"""

from __future__ import annotations

import dataclasses
import functools
import types
import typing
from collections import Counter
from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from casemgr.db import transaction
from casemgr.exceptions import Conflict, InvalidInput, NotFound, PermissionDenied, StaleVersion
from casemgr.i18n import N_
from casemgr.lifecycles import ChannelSpec, Organ
from casemgr.models import (
    Case,
    CaseLink,
    Division,
    JudicialOrgan,
    LinkKind,
    OrganKind,
    User,
)
from casemgr.models.cases import Channel, DeadlineStateValue
from casemgr.policy import Actor, Permission, Role
from casemgr.services import deadlines, family_effects
from casemgr.services.access import require
from casemgr.services.accounts import certificate_valid
from casemgr.services.cases import plain_json, record_transition, touch, visible_case
from casemgr.services.localtime import local_today


@functools.cache
def specs() -> Mapping[str, ChannelSpec]:
    """Every channel spec by track (lifecycle name)."""
    from casemgr.lifecycles.civil import ADMIN_PIL_SPEC, CIVIL_PIL_SPEC
    from casemgr.lifecycles.compensation import COMPENSATION_SPEC
    from casemgr.lifecycles.criminal import CRIMINAL_SPEC

    return {s.track: s for s in (CRIMINAL_SPEC, CIVIL_PIL_SPEC, ADMIN_PIL_SPEC, COMPENSATION_SPEC)}


def spec_of(case: Case) -> ChannelSpec:
    try:
        return specs()[case.track]
    except KeyError:
        raise Conflict(N_("This case is not driven by a channel lifecycle.")) from None


# Who may record an organ's act (any one of the permissions): the agency records the police's
# acts from its written notices (衔接办法 2017 art. 9), the procuratorate those it receives
# (移送审查起诉); the court records the filings of plaintiffs.
ORGAN_PERMISSIONS: Mapping[Organ, tuple[Permission, ...]] = {
    Organ.AGENCY: (Permission.WRITE_CASES,),
    Organ.AGENCY_HEAD: (Permission.APPROVE_CASES,),
    Organ.POLICE: (Permission.WRITE_CASES, Permission.ACT_PROCURATORATE),
    Organ.PROCURATORATE: (Permission.ACT_PROCURATORATE,),
    Organ.COURT: (Permission.ACT_COURT,),
    Organ.CLAIMANT: (Permission.ACT_CLAIMANT,),
    Organ.PLAINTIFF: (Permission.ACT_COURT,),
}

_ORGAN_FIELD = {
    OrganKind.POLICE: "police_code",
    OrganKind.PROCURATORATE: "procuratorate_code",
    OrganKind.COURT: "court_code",
}


def _is_admin(actor: Actor) -> bool:
    return Role.ADMIN in actor.roles


def may_act(actor: Actor, case: Case, organ: Organ) -> bool:
    """Whether the actor may record ``organ``'s act on this case.

    Agency acts need the case's county in the actor's jurisdiction; a procuratorate's or a
    court's acts need the actor to belong to the organ the case is before (or, while none is
    assigned yet, any organ of that kind: recording the act assigns it).
    """
    if _is_admin(actor):
        return True
    permitted = [p for p in ORGAN_PERMISSIONS[organ] if actor.can(p)]
    if not permitted:
        return False
    for permission in permitted:
        if permission in (Permission.ACT_PROCURATORATE,):
            if _organ_matches(actor, case.procuratorate_code):
                return True
        elif permission is Permission.ACT_COURT:
            if _organ_matches(actor, case.court_code):
                return True
        elif actor.covers(case.county_code):
            return True
    return False


def _organ_matches(actor: Actor, assigned: str | None) -> bool:
    return actor.organ_code is not None and assigned in (None, actor.organ_code)


def require_act(actor: Actor, case: Case, organ: Organ) -> None:
    if not may_act(actor, case, organ):
        raise PermissionDenied()


# -- facts -----------------------------------------------------------------------------------


def _convert(value: Any, hint: Any) -> Any:
    """A stored or requested JSON value as the facts field's Python type."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        return _convert(value, args[0]) if args else value
    if hint is date:
        return value if isinstance(value, date) else date.fromisoformat(str(value))
    if origin in (frozenset, set, tuple, list):
        return frozenset(str(getattr(v, "value", v)) for v in value)
    if hint is Decimal:
        return value if isinstance(value, Decimal) else Decimal(str(value))
    if hint is bool:
        return bool(value)
    if hint is int:
        return int(value)
    if hint is str:
        return str(getattr(value, "value", value))
    return value


def _hints(facts_type: type) -> dict[str, Any]:
    return typing.get_type_hints(facts_type)


def build_facts(
    spec: ChannelSpec,
    case: Case,
    data: Mapping[str, Any],
    *,
    today: date,
    computed: Mapping[str, Any],
) -> Any:
    """The guards' view of a case: stored details with the step data laid over them."""
    hints = _hints(spec.facts_type)
    kwargs: dict[str, Any] = {}
    for f in dataclasses.fields(spec.facts_type):
        name = f.name
        if name == "today":
            kwargs[name] = today
        elif name == "event_counts":
            kwargs[name] = dict(Counter(t.event for t in case.transitions))
        elif name == "due":
            kwargs[name] = {
                d.rule_code: d.due_on
                for d in case.deadlines
                if d.state is not DeadlineStateValue.CANCELLED
            }
        elif name == "done":
            kwargs[name] = {d.rule_code: d.done_on for d in case.deadlines if d.done_on}
        elif name in spec.computed:
            if name in computed:
                kwargs[name] = computed[name]
        elif name in spec.fields:
            value = data.get(name, case.details.get(name))
            if value is not None:
                kwargs[name] = _convert(value, hints[name])
    return spec.facts_type(**kwargs)


ComputedFacts = Callable[[Session, Case, Mapping[str, Any]], Mapping[str, Any]]
_COMPUTED: dict[str, ComputedFacts] = {}


def computes(track: str) -> Callable[[ComputedFacts], ComputedFacts]:
    """Register the function computing a track's COMPUTED facts."""

    def register(fn: ComputedFacts) -> ComputedFacts:
        _COMPUTED[track] = fn
        return fn

    return register


def computed_facts(session: Session, case: Case, data: Mapping[str, Any]) -> Mapping[str, Any]:
    fn = _COMPUTED.get(case.track)
    return fn(session, case, data) if fn else {}


def certified_count(session: Session, user_ids: list[int], on: date) -> int:
    """How many of the users are officers with an enforcement certificate valid on ``on``."""
    users = [session.get(User, uid) for uid in dict.fromkeys(user_ids)]
    return sum(1 for u in users if u is not None and certificate_valid(u, on))


# -- step data -------------------------------------------------------------------------------


def stored_value(kind: str, value: Any) -> Any:
    """A step-data value as kept in the case's details (plain JSON)."""
    if value is None:
        return None
    if kind == "decimal":
        return str(value)
    return plain_json(value)


def _check_fields(spec: ChannelSpec, event: Any, data: Mapping[str, Any]) -> None:
    for name in spec.requires.get(event, ()):
        value = data.get(name)
        if value is None or value == "" or value == []:
            raise InvalidInput.field(
                name, N_("This field is required for the step '{event}'."), event=str(event)
            )
    for name, value in data.items():
        kind = spec.fields.get(name)
        if kind == "str" and isinstance(value, str) and len(value) > 100:
            raise InvalidInput.field(name, N_("At most 100 characters."))
        if kind == "decimal" and value is not None:
            try:
                Decimal(str(value))
            except InvalidOperation:
                raise InvalidInput.field(name, N_("Not a decimal number.")) from None


def _parse_event(spec: ChannelSpec, value: str) -> Any:
    try:
        return spec.lifecycle.events(value)
    except ValueError:
        raise InvalidInput.field(
            "event",
            N_("'{event}' is not a step of this case; possible steps: {allowed}."),
            event=value,
            allowed=", ".join(e.value for e in spec.lifecycle.events),
        ) from None


# -- organs ----------------------------------------------------------------------------------


def default_organ(session: Session, kind: OrganKind, county_code: str, *, level: str) -> str:
    """The organ of ``kind`` at the case's county (``basic``) or its prefecture
    (``intermediate``: civil public-interest suits and compensation suits go to an intermediate
    court or above, 环境民事公益诉讼解释 2020 art. 6; 赔偿若干规定 art. 3)."""
    code = county_code
    if level == "intermediate":
        county = session.get(Division, county_code)
        code = county.parent_code if county is not None and county.parent_code else county_code
    letter = {OrganKind.POLICE: "G", OrganKind.PROCURATORATE: "P", OrganKind.COURT: "C"}[kind]
    return letter + code


def assign_organs(session: Session, actor: Actor, case: Case, data: Mapping[str, Any]) -> None:
    """Organ codes sent with a step: checked, and only set while none is assigned (or by the
    organ itself handing over, or by an administrator)."""
    for kind, field in _ORGAN_FIELD.items():
        code = data.get(field)
        if not code:
            continue
        organ = session.get(JudicialOrgan, code)
        if organ is None or organ.kind is not kind:
            raise InvalidInput.field(
                field, N_("'{code}' is not a known {kind}."), code=code, kind=kind.value
            )
        current = getattr(case, field)
        if current not in (None, code) and not (_is_admin(actor) or actor.organ_code == current):
            raise InvalidInput.field(
                field, N_("The case is already before {current}."), current=current
            )
        setattr(case, field, code)


# -- steps -----------------------------------------------------------------------------------


def channel_case_for_change(
    session: Session, actor: Actor, case_id: int, expected_version: int
) -> Case:
    """A channel case about to change. Raises NotFound, StaleVersion, Conflict."""
    case = session.get(Case, case_id)
    if case is None:
        raise NotFound(kind="Case", key=case_id)
    if not (_is_admin(actor) or _can_see_to_act(session, actor, case)):
        raise NotFound(kind="Case", key=case_id)
    if case.version != expected_version:
        raise StaleVersion()
    spec_of(case)
    return case


def _can_see_to_act(session: Session, actor: Actor, case: Case) -> bool:
    """A prosecutor or judge may act on a case that reaches their organ for the first time (an
    indictment names the court): seeing it is then part of recording the act."""
    try:
        visible_case(session, actor, case.id)
        return True
    except NotFound:
        return actor.organ_code is not None and actor.organ_code in (
            case.procuratorate_code,
            case.court_code,
        )


def allowed_channel_events(session: Session, actor: Actor, case: Case) -> list[str]:
    """Events this actor may record now (table, guards, organ)."""
    spec = specs().get(case.track)
    if spec is None:
        return []
    today = local_today()
    facts = build_facts(spec, case, {}, today=today, computed=computed_facts(session, case, {}))
    status = spec.lifecycle.statuses(case.status)
    return [
        e.value
        for e in spec.lifecycle.allowed_events(status, facts)
        if may_act(actor, case, spec.event_organ[e])
    ]


def apply_channel_event(
    session: Session,
    actor: Actor,
    case_id: int,
    event_value: str,
    data: Mapping[str, Any],
    *,
    expected_version: int,
) -> Case:
    """Record one step of a criminal, civil or compensation case.

    Raises PermissionDenied, NotFound, StaleVersion, InvalidInput, IllegalTransition and
    GuardFailed (409 naming the rule, its basis and the ways forward).
    """
    require(actor, Permission.READ_CASES)
    today = local_today()
    on = data.get("on") or today
    if on > today:
        raise InvalidInput.field("on", N_("The date lies in the future."))
    with transaction(session, actor=actor):
        case = channel_case_for_change(session, actor, case_id, expected_version)
        step(session, actor, case, event_value, data, on=on, today=today)
    return case


def step(
    session: Session,
    actor: Actor,
    case: Case,
    event_value: str,
    data: Mapping[str, Any],
    *,
    on: date,
    today: date,
    system: bool = False,
) -> None:
    """Apply one event inside the caller's transaction. ``system`` steps are the effects of
    another case's step (no permission check; the transition names the cause)."""
    spec = spec_of(case)
    event = _parse_event(spec, event_value)
    if not system:
        require_act(actor, case, spec.event_organ[event])
    _check_fields(spec, event, data)
    assign_organs(session, actor, case, data)
    deadlines.refresh(case, today=on)
    facts = build_facts(spec, case, data, today=on, computed=computed_facts(session, case, data))
    previous = case.status
    target = spec.lifecycle.next_status(spec.lifecycle.statuses(previous), event, facts)
    details = dict(case.details)
    for name in spec.records.get(event, ()):
        if name in data:
            details[name] = stored_value(spec.fields.get(name, "str"), data[name])
    case.details = details
    for rule_code in spec.meets.get(event, ()):
        deadlines.meet(case, rule_code, on, today=today)
    for rule_code in spec.cancels.get(event, ()):
        deadlines.cancel(case, rule_code, on)
    notice = spec.notice_rules.get(event)
    if notice is not None and data.get(notice[1]):
        # Another organ's decision, dated in the step data, notified on the step's date.
        rule_code, field = notice
        decided = _convert(data[field], date)
        if decided > on:
            raise InvalidInput.field(field, N_("The decision cannot postdate its notice."))
        deadlines.open_deadline(case, rule_code, decided, today=today)
        deadlines.meet(case, rule_code, on, today=today)
    by_facts = spec.opens_by_facts.get(event)
    opens = (*spec.opens.get(event, ()), *(by_facts(facts) if by_facts else ()))
    for rule_code in opens:
        deadlines.open_deadline(case, rule_code, on, today=today)
    if event in spec.endings:
        deadlines.cancel_open(case, on)
    case.status = target.value
    if target in spec.lifecycle.terminal or target.value == "closed":
        case.closed_on = case.closed_on or on
    record_transition(case, actor, previous, event.value, data, on=on)
    deadlines.refresh(case, today=today)
    touch(case)
    family_effects.after_step(session, actor, case, event.value, on=on, today=today)


def notify_procuratorate(
    session: Session, actor: Actor, case_id: int, data: Mapping[str, Any], *, expected_version: int
) -> Case:
    """Record that the procuratorate was notified of a case (a compensation investigation
    opened, 检察机关 to be informed; a referral copied, 衔接办法 2017 art. 6): the family is then
    before that procuratorate.

    Raises PermissionDenied, NotFound, StaleVersion, InvalidInput.
    """
    require(actor, Permission.READ_CASES)
    today = local_today()
    on = data.get("on") or today
    if on > today:
        raise InvalidInput.field("on", N_("The date lies in the future."))
    with transaction(session, actor=actor):
        case = visible_case(session, actor, case_id)
        if case.version != expected_version:
            raise StaleVersion()
        organ = Organ.CLAIMANT if case.channel is Channel.COMPENSATION else Organ.AGENCY
        require_act(actor, case, organ)
        code = data.get("procuratorate_code") or case.procuratorate_code
        code = code or default_organ(
            session, OrganKind.PROCURATORATE, case.county_code, level="basic"
        )
        assign_organs(session, actor, case, {"procuratorate_code": code})
        details = dict(case.details)
        details["procuratorate_notified_on"] = on.isoformat()
        if data.get("note"):
            details["procuratorate_notice_note"] = data["note"]
        case.details = details
        touch(case)
    return case


# -- computed facts of each track -------------------------------------------------------------


@computes("criminal")
def _criminal_facts(session: Session, case: Case, data: Mapping[str, Any]) -> Mapping[str, Any]:
    officers = [int(uid) for uid in case.details.get("report_officer_ids") or ()]  # type: ignore[attr-defined]
    decided = session.scalar(
        select(Case.id)
        .where(
            Case.violation_id == case.violation_id,
            Case.channel == Channel.ADMINISTRATIVE,
            Case.decided_on.is_not(None),
            Case.status.not_in(("withdrawn", "no_penalty_minor", "no_penalty_unfounded")),
        )
        .limit(1)
    )
    return {
        "report_officer_count": certified_count(session, officers, case.lead_received_on),
        "penalty_decided": decided is not None,
    }


@computes("compensation")
def _compensation_facts(session: Session, case: Case, data: Mapping[str, Any]) -> Mapping[str, Any]:
    return {"procuratorate_notified": bool(case.details.get("procuratorate_notified_on"))}


@computes("civil_pil")
def _civil_facts(session: Session, case: Case, data: Mapping[str, Any]) -> Mapping[str, Any]:
    """An incidental suit goes with the indictment of its criminal case (检察公益诉讼解释
    2018 art. 20)."""
    source = session.scalar(
        select(CaseLink.from_case_id).where(
            CaseLink.to_case_id == case.id, CaseLink.kind == LinkKind.INCIDENTAL_CIVIL
        )
    )
    indicted = False
    if source is not None:
        criminal = session.get(Case, source)
        indicted = criminal is not None and any(t.event == "indict" for t in criminal.transitions)
    return {"criminal_indicted": indicted}
