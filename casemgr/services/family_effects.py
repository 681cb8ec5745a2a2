"""What a step in one channel does to the other cases of the family (DOMAIN.md §2.1, §3.3, §7).

* A criminal referral approved pauses the administrative penalty clock: the administrative
  case moves to 移送司法机关 with its clock stop (衔接办法 2017 art. 16; 移送规定 2020 art. 11).
* The referral coming back (police refuse or withdraw, non-prosecution, acquittal) resumes the
  administrative case; a conviction disposes of it (移送规定 art. 13; 衔接办法 arts. 16-18).
* A compensation suit on the same act suspends the civil public-interest suit until the
  compensation case is decided (赔偿若干规定 arts. 16-18; DOMAIN.md §7 rule 4).
* Organs follow the case: an indictment goes to the court at the case's level, a compensation
  suit or judicial confirmation to the intermediate court (赔偿若干规定 art. 3).

Every effect is a recorded step of the other case, attributed to the same actor, with a note
naming the cause; it runs in the same transaction, so either both change or neither does.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from casemgr.lifecycles.administrative import AdminEvent, AdminStatus
from casemgr.models import Case, CaseLink, LinkKind, OrganKind
from casemgr.models.cases import Channel
from casemgr.policy import Actor
from casemgr.services import alerts
from casemgr.services import cases as admin_cases

# Criminal statuses in which the referral has come back to the agency (退回) or is over.
_CRIMINAL_RETURNED = frozenset({"returned", "not_prosecuted"})
_ADMIN_TRANSFERABLE = frozenset({AdminStatus.INVESTIGATING.value, AdminStatus.REVIEW.value})
# Civil public-interest statuses a compensation suit suspends (中止审理).
_CIVIL_SUSPENDABLE = frozenset({"accepted", "trial", "settlement_published"})


def after_open(
    session: Session, actor: Actor, case: Case, source: Case | None, *, on: date
) -> None:
    """Effects of opening a case: a referral acts on the standing threshold alerts."""
    if case.channel is Channel.CRIMINAL:
        alerts.mark_referred(session, case.violation_id, on=on)


def after_step(
    session: Session, actor: Actor, case: Case, event: str, *, on: date, today: date
) -> None:
    """Effects of a step on the other cases of the family."""
    if case.channel is Channel.CRIMINAL:
        _criminal(session, actor, case, event, on=on, today=today)
    elif case.channel is Channel.COMPENSATION:
        _compensation(session, actor, case, event, on=on, today=today)
    elif case.track == "administrative_pil" and event == "file_suit" and not case.court_code:
        # The basic court where the agency sits (检察公益诉讼解释 2018 art. 5).
        from casemgr.services.channels import default_organ

        case.court_code = default_organ(session, OrganKind.COURT, case.county_code, level="basic")
    elif case.track == "civil_pil" and event == "file_with_indictment" and not case.court_code:
        # Tried by the same panel as the criminal case (检察公益诉讼解释 2018 art. 20).
        source = session.scalar(
            select(CaseLink.from_case_id).where(
                CaseLink.to_case_id == case.id, CaseLink.kind == LinkKind.INCIDENTAL_CIVIL
            )
        )
        criminal = session.get(Case, source) if source is not None else None
        case.court_code = criminal.court_code if criminal is not None else None


def _linked_admin(session: Session, case: Case) -> Case | None:
    link = session.scalar(
        select(CaseLink).where(
            CaseLink.to_case_id == case.id, CaseLink.kind == LinkKind.CRIMINAL_REFERRAL
        )
    )
    return session.get(Case, link.from_case_id) if link is not None else None


def _admin_step(
    session: Session,
    actor: Actor,
    admin: Case,
    event: AdminEvent,
    cause: Case,
    *,
    on: date,
    today: date,
) -> None:
    note = f"由{cause.channel.value}案件 #{cause.id} 引起 (caused by case #{cause.id})"
    admin_cases.step(session, actor, admin, event, {"note": note}, on=on, today=today)
    admin_cases.touch(admin)


def _criminal(
    session: Session, actor: Actor, case: Case, event: str, *, on: date, today: date
) -> None:
    from casemgr.services.channels import default_organ

    admin = _linked_admin(session, case)
    if event == "indict" and case.court_code is None:
        case.court_code = default_organ(session, OrganKind.COURT, case.county_code, level="basic")
    if admin is None:
        return
    if event == "approve_transfer" and admin.status in _ADMIN_TRANSFERABLE:
        _admin_step(session, actor, admin, AdminEvent.TRANSFER_CRIMINAL, case, on=on, today=today)
        return
    if admin.status != AdminStatus.TRANSFERRED_CRIMINAL.value:
        return
    verdict = (case.details or {}).get("verdict")
    comes_back = case.status in _CRIMINAL_RETURNED or (
        case.status in ("final", "closed") and verdict in ("acquittal", "exempted")
    )
    if comes_back:
        _admin_step(
            session, actor, admin, AdminEvent.RETURNED_BY_JUDICIAL_ORGANS, case, on=on, today=today
        )
        session.add(
            CaseLink(
                violation_id=case.violation_id,
                from_case_id=case.id,
                to_case_id=admin.id,
                kind=LinkKind.RETURNED_FOR_PENALTY,
                on=on,
            )
        )
    elif case.status == "final" and verdict == "conviction":
        _admin_step(
            session, actor, admin, AdminEvent.CRIMINAL_CASE_CONCLUDED, case, on=on, today=today
        )


def _compensation(
    session: Session, actor: Actor, case: Case, event: str, *, on: date, today: date
) -> None:
    from casemgr.services import channels

    if event in ("apply_confirmation", "file_suit") and case.court_code is None:
        case.court_code = channels.default_organ(
            session, OrganKind.COURT, case.county_code, level="intermediate"
        )
    if event == "file_suit":
        for civil in _civil_pil(session, case):
            if civil.status in _CIVIL_SUSPENDABLE:
                channels.step(
                    session,
                    actor,
                    civil,
                    "suspend",
                    {
                        "reason": "same_act_compensation_suit",
                        "note": f"同一行为的生态环境损害赔偿诉讼 (case #{case.id})",
                    },
                    on=on,
                    today=today,
                    system=True,
                )
                session.add(
                    CaseLink(
                        violation_id=case.violation_id,
                        from_case_id=case.id,
                        to_case_id=civil.id,
                        kind=LinkKind.SAME_ACT,
                        on=on,
                    )
                )
    if case.status in ("judgment_final", "closed", "withdrawn") and event in (
        "record_finality",
        "render_appeal_judgment",
        "withdraw_suit",
    ):
        for civil in _civil_pil(session, case):
            if civil.status == "suspended":
                channels.step(
                    session,
                    actor,
                    civil,
                    "resume",
                    {"note": f"赔偿诉讼已审结 (case #{case.id})"},
                    on=on,
                    today=today,
                    system=True,
                )


def _civil_pil(session: Session, case: Case) -> list[Case]:
    return list(
        session.scalars(
            select(Case)
            .where(Case.violation_id == case.violation_id, Case.track == "civil_pil")
            .order_by(Case.id)
        )
    )
