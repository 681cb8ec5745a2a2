"""Opening a criminal referral, a public-interest suit or a compensation claim on a violation:
who may open which track, the organs it starts before, the case it comes from (linked in the
family) and its parties."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from casemgr.db import transaction
from casemgr.exceptions import InvalidInput
from casemgr.i18n import N_
from casemgr.lifecycles import Organ
from casemgr.models import Case, CaseLink, CaseParty, LinkKind, OrganKind, PartyRole, User
from casemgr.models.cases import Channel
from casemgr.policy import Actor, Permission
from casemgr.services import deadlines, family_effects
from casemgr.services.access import require
from casemgr.services.channels import (
    assign_organs,
    default_organ,
    require_act,
    spec_of,
    specs,
    stored_value,
)
from casemgr.services.localtime import local_today
from casemgr.services.violations import visible_violation

# Who opens a case of each track, and the organ the opener acts for.
_OPENER: Mapping[tuple[str, str | None], Organ] = {
    ("criminal", None): Organ.AGENCY,  # 移送规定 2020 art. 5: the officers' transfer report
    ("civil_pil", "ngo"): Organ.PLAINTIFF,  # 环境保护法 art. 58: filed with the court
    ("civil_pil", "procuratorate"): Organ.PROCURATORATE,  # 检察公益诉讼解释 art. 13
    ("civil_pil", "incidental"): Organ.PROCURATORATE,  # 检察公益诉讼解释 art. 20
    ("administrative_pil", None): Organ.PROCURATORATE,  # 检察公益诉讼解释 art. 21
    ("compensation", None): Organ.CLAIMANT,  # 管理规定 2022: the claimant's department
}

_DEFAULT_PARTY_ROLE = {
    "criminal": PartyRole.SUSPECT,
    "civil_pil": PartyRole.DEFENDANT,
    "administrative_pil": PartyRole.DEFENDANT,
    "compensation": PartyRole.DEFENDANT,
}


def open_channel_case(
    session: Session, actor: Actor, violation_id: int, data: Mapping[str, Any]
) -> Case:
    """Open a case of a channel other than the administrative one on a violation.

    ``data["track"]`` picks the lifecycle; a civil public-interest suit also needs its
    ``kind``. Raises PermissionDenied, NotFound (violation, source case), InvalidInput.
    """
    require(actor, Permission.READ_CASES)
    track = data["track"]
    spec = specs().get(track)
    if spec is None:
        raise InvalidInput.field("track", N_("'{track}' is not a channel track."), track=track)
    kind = data.get("kind") if track == "civil_pil" else None
    if track == "civil_pil" and kind not in ("ngo", "procuratorate", "incidental"):
        raise InvalidInput.field("kind", N_("Choose ngo, procuratorate or incidental."))
    organ = _OPENER[(track, kind)]
    today = local_today()
    opened_on = data.get("on") or today
    if opened_on > today:
        raise InvalidInput.field("on", N_("The date lies in the future."))
    with transaction(session, actor=actor):
        violation = visible_violation(session, actor, violation_id)
        case = Case(
            violation_id=violation.id,
            channel=Channel(spec.channel),
            status=spec.lifecycle.initial.value,
            track=track,
            county_code=violation.county_code,
            party_enterprise_id=violation.enterprises[0].id if violation.enterprises else None,
            party_is_organisation=True,
            lead_officer_id=actor.user_id or None,
            title=data.get("title") or violation.summary,
            lead_received_on=opened_on,
            details={},
            art58_conditions=[],
            proposed_penalty_types=[],
            penalty_types=[],
        )
        if kind:
            case.details = {"kind": kind}
        _default_organs(session, actor, case, track, kind)
        assign_organs(session, actor, case, data)
        require_act(actor, case, organ)
        session.add(case)
        session.flush()
        source = _link_source(session, case, data)
        _open_details(session, case, data, today=opened_on)
        _add_parties(session, case, violation, data.get("parties"))
        for rule_code in spec.opens_on_start:
            deadlines.open_deadline(case, rule_code, opened_on, today=today)
        family_effects.after_open(session, actor, case, source, on=opened_on)
    return case


def _default_organs(
    session: Session, actor: Actor, case: Case, track: str, kind: str | None
) -> None:
    county = case.county_code
    if track == "criminal":
        # The transfer goes to the police at the same level, copied to the procuratorate
        # (移送规定 2020 art. 5; 衔接办法 2017 art. 6).
        case.police_code = default_organ(session, OrganKind.POLICE, county, level="basic")
        case.procuratorate_code = default_organ(
            session, OrganKind.PROCURATORATE, county, level="basic"
        )
    if track in ("civil_pil", "administrative_pil") and kind != "ngo":
        case.procuratorate_code = actor.organ_code or default_organ(
            session, OrganKind.PROCURATORATE, county, level="basic"
        )
    if track == "civil_pil" and kind == "ngo":
        case.court_code = (
            actor.organ_code
            if actor.organ_code and actor.organ_code.startswith("C")
            else default_organ(session, OrganKind.COURT, county, level="intermediate")
        )


def _link_source(session: Session, case: Case, data: Mapping[str, Any]) -> Case | None:
    """The case this one comes from (a referral's administrative case, an incidental suit's
    criminal case), linked in the family."""
    source_id = data.get("source_case_id")
    if source_id is None:
        if case.track == "civil_pil" and case.details.get("kind") == "incidental":
            raise InvalidInput.field(
                "source_case_id", N_("An incidental suit names the criminal case it goes with.")
            )
        return None
    source = session.get(Case, source_id)
    if source is None or source.violation_id != case.violation_id:
        raise InvalidInput.field(
            "source_case_id", N_("The source case must be a case of the same violation.")
        )
    kind_by_track = {
        "criminal": (Channel.ADMINISTRATIVE, LinkKind.CRIMINAL_REFERRAL),
        "civil_pil": (Channel.CRIMINAL, LinkKind.INCIDENTAL_CIVIL),
    }
    wanted = kind_by_track.get(case.track)
    if wanted is None or source.channel is not wanted[0]:
        raise InvalidInput.field(
            "source_case_id", N_("This kind of case cannot come from that case's channel.")
        )
    if case.track == "civil_pil":
        case.court_code = source.court_code or case.court_code
        case.procuratorate_code = source.procuratorate_code or case.procuratorate_code
    session.add(
        CaseLink(
            violation_id=case.violation_id,
            from_case_id=source.id,
            to_case_id=case.id,
            kind=wanted[1],
            on=case.lead_received_on,
        )
    )
    return source


def _open_details(session: Session, case: Case, data: Mapping[str, Any], *, today: date) -> None:
    """Step data the opening carries into the details (the transfer report's officers...)."""
    spec = spec_of(case)
    details = dict(case.details)
    if case.track == "criminal":
        officers = list(dict.fromkeys(data.get("report_officer_ids") or []))
        for uid in officers:
            if session.get(User, uid) is None:
                raise InvalidInput.field(
                    "report_officer_ids", N_("User {id} does not exist."), id=uid
                )
        details["report_officer_ids"] = officers
    for name, kind in spec.fields.items():
        if name in data and data[name] is not None:
            details[name] = stored_value(kind, data[name])
    case.details = details


def _add_parties(
    session: Session, case: Case, violation: Any, parties: list[Mapping[str, Any]] | None
) -> None:
    role = _DEFAULT_PARTY_ROLE[case.track]
    if not parties:
        for ent in violation.enterprises:
            session.add(
                CaseParty(
                    case_id=case.id,
                    role=role,
                    is_organisation=True,
                    enterprise_id=ent.id,
                    name=ent.name,
                    id_number=ent.uscc,
                    address=ent.address,
                )
            )
        return
    for p in parties:
        session.add(
            CaseParty(
                case_id=case.id,
                role=PartyRole(p.get("role") or role),
                is_organisation=bool(p.get("is_organisation", False)),
                enterprise_id=p.get("enterprise_id"),
                name=p["name"],
                id_number=p.get("id_number", ""),
                phone=p.get("phone", ""),
                address=p.get("address", ""),
                note=p.get("note", ""),
            )
        )
