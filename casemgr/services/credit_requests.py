"""Objections (异议) and credit repair (信用修复) of the records behind a score.

* An objection disputes a record that counts in the enterprise's score (a wrong penalty, a
  case that was not its own). It must be filed within the scheme's window (``objection_days``)
  from the day the record was published, i.e. recorded by the system. Upheld, it is a
  correction: the record never counts again.
* A repair asks that a record stop counting early because the enterprise corrected the
  violation (DOMAIN.md §4.4: 信用修复管理办法 2023, a request only after the minimum
  publication period, which starts on the decision date). It needs evidence of correction and
  a commitment (信用承诺书). A conviction or another veto record is not repairable within its
  period [R: configurable by removing it from the scheme's vetoes].

A reviewer (credit regulator) accepts or rejects; an accepted request re-scores the enterprise
at once, and the new score row says why (reason ``repair``). Nothing is rewritten: the request
is a new fact from its decision day, so a score as of an earlier day is unchanged.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any, cast

from sqlalchemy import select
from sqlalchemy.orm import Session

from casemgr.db import transaction
from casemgr.exceptions import Conflict, InvalidInput, NotFound, StaleVersion
from casemgr.i18n import N_
from casemgr.models import CreditObjection, CreditRepair, Enterprise, RequestState, ScoreReason
from casemgr.policy import Actor, Permission
from casemgr.repositories.common import Page, apply_sort, paginate
from casemgr.services import credit
from casemgr.services.access import require
from casemgr.services.credit_facts import facts_of
from casemgr.services.localtime import local_today
from credit.facts import Fact, FactKind
from credit.schemes import Scheme
from credit.scoring import months_after

__all__ = [
    "decide_objection",
    "decide_repair",
    "file_objection",
    "apply_for_repair",
    "pending_requests",
]

# Records no one can object to or repair: they are the requests themselves, or a status.
_NOT_DISPUTABLE = {FactKind.REPAIR, FactKind.CORRECTION, FactKind.NOT_RATEABLE}


def _counting_fact(session: Session, enterprise_id: int, record: str, today: date) -> Fact:
    if session.get(Enterprise, enterprise_id) is None:
        raise NotFound(kind="Enterprise", key=enterprise_id)
    facts = facts_of(session, [enterprise_id], today)[enterprise_id]
    fact = next((f for f in facts if f.record == record), None)
    if fact is None or fact.kind in _NOT_DISPUTABLE:
        raise InvalidInput.field(
            "record",
            N_("{record} is not a record that counts in this enterprise's score."),
            record=record,
        )
    return fact


def _pending_exists(session: Session, model: Any, enterprise_id: int, record: str) -> bool:
    stmt = select(model.id).where(
        model.enterprise_id == enterprise_id,
        model.record == record,
        model.state == RequestState.PENDING,
    )
    return session.scalar(stmt) is not None


def file_objection(
    session: Session, actor: Actor, scheme: Scheme, enterprise_id: int, data: Mapping[str, Any]
) -> CreditObjection:
    """Record an enterprise's objection to one record. Raises PermissionDenied, NotFound,
    InvalidInput (record, reason) and Conflict (the window ended, naming its last day; one
    already pending)."""
    require(actor, Permission.MANAGE_CREDIT)
    today = local_today()
    record, reason = str(data.get("record") or ""), str(data.get("reason") or "").strip()
    if not reason:
        raise InvalidInput.field("reason", N_("Give the grounds of the objection."))
    with transaction(session, actor=actor):
        fact = _counting_fact(session, enterprise_id, record, today)
        days = scheme.periods.objection_days
        last = fact.recorded + timedelta(days=days)
        if today > last:
            raise Conflict(
                N_("The objection window of {days} days for {record} ended on {last}."),
                days=days,
                record=record,
                last=last.isoformat(),
            )
        if _pending_exists(session, CreditObjection, enterprise_id, record):
            raise Conflict(N_("An objection to {record} is already pending."), record=record)
        objection = CreditObjection(
            enterprise_id=enterprise_id,
            record=record,
            scheme=scheme.key,
            reason=reason,
            filed_on=today,
            state=RequestState.PENDING,
            created_by_id=actor.user_id or None,
        )
        session.add(objection)
    return objection


def apply_for_repair(
    session: Session, actor: Actor, scheme: Scheme, enterprise_id: int, data: Mapping[str, Any]
) -> CreditRepair:
    """Record an application for the repair of one record. Raises PermissionDenied, NotFound,
    InvalidInput (record, evidence) and Conflict (before the minimum period, naming the day it
    ends; a veto record; one already pending)."""
    require(actor, Permission.MANAGE_CREDIT)
    today = local_today()
    record = str(data.get("record") or "")
    evidence = [str(e).strip() for e in data.get("evidence") or [] if str(e).strip()]
    if not evidence:
        raise InvalidInput.field(
            "evidence", N_("Attach the evidence that the violation was corrected.")
        )
    with transaction(session, actor=actor):
        fact = _counting_fact(session, enterprise_id, record, today)
        if any(fact.kind in veto.facts for veto in scheme.vetoes):
            raise Conflict(
                N_("{record} is a one-vote-veto record: it cannot be repaired while it counts."),
                record=record,
            )
        months = scheme.periods.publication_min_months
        opens = months_after(fact.on, months)
        if today < opens:
            raise Conflict(
                N_(
                    "Credit repair of {record} can be applied for from {opens}: the minimum "
                    "publication period is {months} months from {on}."
                ),
                record=record,
                opens=opens.isoformat(),
                months=months,
                on=fact.on.isoformat(),
            )
        if _pending_exists(session, CreditRepair, enterprise_id, record):
            raise Conflict(N_("A repair of {record} is already pending."), record=record)
        repair = CreditRepair(
            enterprise_id=enterprise_id,
            record=record,
            scheme=scheme.key,
            evidence=evidence,
            commitment=str(data.get("commitment") or ""),
            applied_on=today,
            state=RequestState.PENDING,
            created_by_id=actor.user_id or None,
        )
        session.add(repair)
    return repair


def _decide(
    session: Session,
    actor: Actor,
    scheme: Scheme,
    model: type[CreditObjection] | type[CreditRepair],
    request_id: int,
    data: Mapping[str, Any],
    expected_version: int,
) -> Any:
    require(actor, Permission.MANAGE_CREDIT)
    accept = data.get("accept")
    if not isinstance(accept, bool):
        raise InvalidInput.field("accept", N_("Say whether the request is accepted (true/false)."))
    with transaction(session, actor=actor):
        request = cast(CreditObjection | CreditRepair | None, session.get(model, request_id))
        if request is None:
            raise NotFound(kind=model.__name__, key=request_id)
        if request.version != expected_version:
            raise StaleVersion()
        if request.state is not RequestState.PENDING:
            raise Conflict(N_("This request was already decided."))
        if accept and actor.user_id and request.created_by_id == actor.user_id:
            raise Conflict(N_("The person who recorded a request does not decide it."))
        request.state = RequestState.ACCEPTED if accept else RequestState.REJECTED
        request.decided_on = local_today()
        request.decided_by_id = actor.user_id or None
        request.decision_note = str(data.get("note") or "")[:500]
    if accept:
        credit.rescore(
            session,
            actor,
            scheme,
            enterprise_ids=[request.enterprise_id],
            reason=ScoreReason.REPAIR,
        )
    return request


def decide_objection(
    session: Session,
    actor: Actor,
    scheme: Scheme,
    objection_id: int,
    data: Mapping[str, Any],
    *,
    expected_version: int,
) -> CreditObjection:
    """Uphold (the record is corrected away) or reject an objection; upheld, re-scores at
    once. Raises PermissionDenied, NotFound, StaleVersion, InvalidInput, Conflict."""
    result: CreditObjection = _decide(
        session, actor, scheme, CreditObjection, objection_id, data, expected_version
    )
    return result


def decide_repair(
    session: Session,
    actor: Actor,
    scheme: Scheme,
    repair_id: int,
    data: Mapping[str, Any],
    *,
    expected_version: int,
) -> CreditRepair:
    """Accept (the record stops counting from today) or reject a repair; accepted, re-scores
    at once. Raises PermissionDenied, NotFound, StaleVersion, InvalidInput, Conflict."""
    result: CreditRepair = _decide(
        session, actor, scheme, CreditRepair, repair_id, data, expected_version
    )
    return result


def pending_requests(
    session: Session, actor: Actor, kind: str, *, page: int = 1, per_page: int = 20
) -> Page[Any]:
    """Objections or repairs waiting for a decision, oldest first. Raises PermissionDenied."""
    require(actor, Permission.MANAGE_CREDIT)
    model: Any = CreditObjection if kind == "objections" else CreditRepair
    stmt = select(model).where(model.state == RequestState.PENDING)
    stmt = apply_sort(stmt, None, {"id": model.id}, "id", model.id)
    return paginate(session, stmt, page=page, per_page=per_page)
