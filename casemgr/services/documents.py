"""Documents issued to the party and their service (送达).

A penalty decision (行政处罚决定书) must state six items (行政处罚法 art. 59): the party's name
and address; the facts and evidence; the penalty and its legal basis; the manner and time limit
of performance; the route and time limit for reconsideration or suit; the deciding agency and
the date (with its seal). It is refused until every item is present, then frozen.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from casemgr.db import transaction
from casemgr.exceptions import InvalidInput, NotFound
from casemgr.i18n import N_
from casemgr.models import Enterprise, Violation
from casemgr.models.cases import Case
from casemgr.models.evidence import (
    DocumentKind,
    Evidence,
    IssuedDocument,
    ServiceMethod,
    ServiceRecord,
)
from casemgr.policy import Actor, Permission
from casemgr.services import deadlines
from casemgr.services.access import require
from casemgr.services.cases import case_for_change, touch, visible_case
from casemgr.services.localtime import local_today

# 行政处罚法 art. 59: the six items, in the order the law lists them.
DECISION_ITEMS: tuple[tuple[str, str], ...] = (
    ("party", "当事人的姓名或者名称、地址"),
    ("facts_and_evidence", "违反法律、法规、规章的事实和证据"),
    ("penalty_and_basis", "行政处罚的种类和依据"),
    ("performance", "行政处罚的履行方式和期限"),
    ("remedies", "申请行政复议、提起行政诉讼的途径和期限"),
    ("agency_and_date", "作出行政处罚决定的行政机关名称和作出决定的日期"),
)


def _cny(cents: int | None) -> str:
    return "" if cents is None else f"{cents / 100:,.2f}"


def decision_content(session: Session, case: Case, data: Mapping[str, Any]) -> dict[str, Any]:
    """Assemble the six items from the case, completed by what the officer supplies."""
    party = session.get(Enterprise, case.party_enterprise_id) if case.party_enterprise_id else None
    violation = session.get(Violation, case.violation_id)
    evidence = session.scalars(
        select(Evidence.title).where(Evidence.case_id == case.id).order_by(Evidence.id)
    ).all()
    payment = deadlines.find(case, "admin.fine_payment")
    fine = _cny(case.final_fine_cents)
    return {
        "party": {
            "name": party.name if party else data.get("party_name", ""),
            "uscc": party.uscc if party else "",
            "address": (party.address if party else "") or data.get("party_address", ""),
            "legal_representative": party.legal_representative if party else "",
        },
        "facts_and_evidence": {
            "facts": data.get("facts")
            or (violation.description or violation.summary if violation else ""),
            "evidence": list(data.get("evidence") or evidence),
        },
        "penalty_and_basis": {
            "penalty_types": list(case.penalty_types),
            "fine_cny": fine,
            "legal_basis": data.get("legal_basis", ""),
            "correction_ordered_on": case.correction_ordered_on.isoformat()
            if case.correction_ordered_on
            else "",
        },
        "performance": {
            "manner": data.get("performance_manner", ""),
            "time_limit": data.get("performance_time_limit")
            or (
                f"自收到本决定书之日起十五日内（{payment.due_on.isoformat()}前）"
                if payment
                else "自收到本决定书之日起十五日内（行政处罚法第六十七条）"
            ),
        },
        "remedies": {
            "reconsideration": data.get("reconsideration_body", ""),
            "court": data.get("court", ""),
            "text": "如不服本决定，可在收到本决定书之日起六十日内向{body}申请行政复议，"
            "或者在六个月内向{court}提起行政诉讼（行政复议法第二十条，行政诉讼法第四十六条）。".format(
                body=data.get("reconsideration_body", ""), court=data.get("court", "")
            ),
        },
        "agency_and_date": {
            "agency": data.get("agency", ""),
            "decided_on": case.decided_on.isoformat() if case.decided_on else "",
        },
        "case_number": case.number,
    }


def _missing(content: Mapping[str, Any]) -> list[str]:
    need = {
        "party": content["party"]["name"] and content["party"]["address"],
        "facts_and_evidence": content["facts_and_evidence"]["facts"]
        and content["facts_and_evidence"]["evidence"],
        "penalty_and_basis": content["penalty_and_basis"]["penalty_types"]
        and content["penalty_and_basis"]["legal_basis"],
        "performance": content["performance"]["manner"] and content["performance"]["time_limit"],
        "remedies": content["remedies"]["reconsideration"] and content["remedies"]["court"],
        "agency_and_date": content["agency_and_date"]["agency"]
        and content["agency_and_date"]["decided_on"],
    }
    return [key for key, _ in DECISION_ITEMS if not need[key]]


def issue_document(
    session: Session,
    actor: Actor,
    case_id: int,
    kind: DocumentKind,
    data: Mapping[str, Any],
    *,
    expected_version: int,
) -> IssuedDocument:
    """Issue a document on a case; a decision must carry the six items of art. 59.

    Raises PermissionDenied, NotFound, StaleVersion, InvalidInput (naming missing items).
    """
    require(actor, Permission.WRITE_CASES)
    with transaction(session, actor=actor):
        case = case_for_change(session, actor, case_id, expected_version)
        if kind is DocumentKind.DECISION:
            if case.decided_on is None:
                raise InvalidInput.field(
                    "kind", N_("A decision document needs a decision on the case first.")
                )
            issued_on = data.get("issued_on") or local_today()
            if issued_on < case.decided_on or issued_on > local_today():
                raise InvalidInput.field(
                    "issued_on", N_("The document is issued between the decision and today.")
                )
            content = decision_content(session, case, data)
            missing = _missing(content)
            if missing:
                raise InvalidInput(
                    N_("The decision lacks items required by 行政处罚法 art. 59: {items}."),
                    errors={m: [N_("Required by 行政处罚法 art. 59.")] for m in missing},
                    items=", ".join(dict(DECISION_ITEMS)[m] for m in missing),
                )
        else:
            content = {"text": data.get("text", ""), "case_number": case.number}
        doc = IssuedDocument(
            case_id=case.id,
            kind=kind,
            number=data.get("number") or (case.number or ""),
            issued_on=data.get("issued_on") or local_today(),
            content=content,
            issued_by_id=actor.user_id or None,
        )
        session.add(doc)
        touch(case)
    return doc


def record_service(
    session: Session, actor: Actor, document_id: int, data: Mapping[str, Any]
) -> ServiceRecord:
    """Record how and when a document was served. Electronic service needs the party's written
    consent (行政处罚法 art. 61 ¶2). Raises PermissionDenied, NotFound, InvalidInput."""
    require(actor, Permission.WRITE_CASES)
    with transaction(session, actor=actor):
        doc = visible_document(session, actor, document_id)
        method = ServiceMethod(data["method"])
        if method is ServiceMethod.ELECTRONIC and not data.get("consent_on_file"):
            raise InvalidInput.field(
                "consent_on_file",
                N_("Electronic service needs the party's written consent (行政处罚法 art. 61)."),
            )
        served_on: date = data["served_on"]
        if served_on < doc.issued_on or served_on > local_today():
            raise InvalidInput.field(
                "served_on", N_("Service lies between the issue date and today.")
            )
        record = ServiceRecord(
            method=method,
            served_on=served_on,
            recipient=data["recipient"],
            note=data.get("note", ""),
            consent_on_file=bool(data.get("consent_on_file")),
        )
        doc.services.append(record)
    return record


def visible_document(session: Session, actor: Actor, document_id: int) -> IssuedDocument:
    require(actor, Permission.READ_CASES)
    doc = session.get(IssuedDocument, document_id)
    if doc is None:
        raise NotFound(kind="Document", key=document_id)
    visible_case(session, actor, doc.case_id)
    return doc


def list_documents(session: Session, actor: Actor, case_id: int) -> list[IssuedDocument]:
    require(actor, Permission.READ_CASES)
    case = visible_case(session, actor, case_id)
    return list(
        session.scalars(
            select(IssuedDocument)
            .where(IssuedDocument.case_id == case.id)
            .order_by(IssuedDocument.id)
        )
    )
