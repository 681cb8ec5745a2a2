"""The money ledger of an administrative case: fine, payments, arrangements, late surcharge,
daily penalties, and the party's remedy windows (DOMAIN.md §1.2 rows 12-13, §1.5).

The surcharge (加处罚款) is computed, never stored: 3 % of the unpaid fine for each day past the
payment limit, at most the amount overdue (行政处罚法 2021 art. 72; 行政强制法 art. 45 ¶2), not
counted while a reconsideration or suit runs (行政处罚法 art. 73: clock stops with reason
``reconsideration`` or ``litigation``) nor while an approved deferral or instalment plan is in
force (art. 66). The day arithmetic is the pure ``casemgr.services.surcharges``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from casemgr.db import transaction
from casemgr.exceptions import Conflict, InvalidInput
from casemgr.i18n import N_
from casemgr.legalclock import RULES
from casemgr.lifecycles.administrative import PenaltyType
from casemgr.models import AuditAction, Violation
from casemgr.models.audit import write_entry
from casemgr.models.cases import Case, Extension
from casemgr.models.penalties import (
    ArrangementKind,
    CoerciveMeasure,
    MeasureKind,
    MeasureStatus,
    Payment,
    PaymentArrangement,
    PaymentKind,
)
from casemgr.policy import Actor, Permission
from casemgr.services import deadlines
from casemgr.services.access import require
from casemgr.services.cases import case_for_change, touch, visible_case
from casemgr.services.localtime import local_today
from casemgr.services.surcharges import cny, surcharge_to_date

__all__ = [
    "REMEDY_STOP_REASONS",
    "Ledger",
    "approve_arrangement",
    "ledger",
    "record_payment",
    "touch",
]

# 行政处罚法 art. 73: the surcharge is not counted during reconsideration or suit.
REMEDY_STOP_REASONS = frozenset({"reconsideration", "litigation"})
FINE_PAYMENT = "admin.fine_payment"  # 15 days from receipt, 行政处罚法 art. 67


# ------------------------------------------------------------------------------------------------
# Ledger
# ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ledger:
    """The money owed and paid on a case as of a day (one ledger per case)."""

    case_id: int
    as_of: date
    penalty_types: tuple[str, ...]
    decided_on: date | None
    served_on: date | None
    fine_cents: int
    fine_paid_cents: int
    fine_outstanding_cents: int
    due_on: date | None  # the admin.fine_payment deadline (moved by an approved arrangement)
    overdue: bool
    days_late: int  # days the surcharge counts (remedy and arrangement days excluded)
    surcharge_cents: int
    surcharge_paid_cents: int
    surcharge_outstanding_cents: int
    daily_penalty_cents: int
    daily_penalty_paid_cents: int
    daily_penalty_outstanding_cents: int
    confiscation_cents: int
    confiscation_paid_cents: int
    confiscation_outstanding_cents: int
    total_outstanding_cents: int
    arrangement: PaymentArrangement | None
    remedies: deadlines.RemedyWindows | None
    payments: tuple[Payment, ...]


def _confiscation_assessed(session: Session, case: Case) -> int:
    # The decision's confiscated amount is not stored on the case; the illegal gains the
    # violation established stand in for it [A] (没收违法所得, 行政处罚法 art. 28 ¶2).
    if PenaltyType.CONFISCATE_GAINS.value not in (case.penalty_types or []):
        return 0
    violation = session.get(Violation, case.violation_id)
    return violation.illegal_gain_cents if violation is not None else 0


def _excluded_spans(
    case: Case, arrangement: PaymentArrangement | None, as_of: date
) -> list[tuple[date, date]]:
    spans = [
        (s.start_on, s.end_on or as_of) for s in case.clock_stops if s.reason in REMEDY_STOP_REASONS
    ]
    if arrangement is not None:
        spans.append((arrangement.approved_on, arrangement.ends_on))
    return spans


def _sum(payments: Iterable[Payment], kind: PaymentKind) -> int:
    return sum(p.amount_cents for p in payments if p.kind is kind)


def compute_ledger(session: Session, case: Case, as_of: date) -> Ledger:
    """The ledger of a case already loaded and checked (no access control here)."""
    all_payments = session.scalars(
        select(Payment).where(Payment.case_id == case.id).order_by(Payment.paid_on, Payment.id)
    ).all()
    payments = tuple(p for p in all_payments if p.paid_on <= as_of)
    arrangement = session.scalar(
        select(PaymentArrangement).where(PaymentArrangement.case_id == case.id)
    )
    fine = case.final_fine_cents or 0
    fine_paid = _sum(payments, PaymentKind.FINE)
    deadline = deadlines.find(case, FINE_PAYMENT)
    due_on = deadline.due_on if deadline is not None else None
    days = surcharge = 0
    if due_on is not None and fine:
        days, surcharge = surcharge_to_date(
            fine,
            due_on,
            [(p.paid_on, p.amount_cents) for p in payments if p.kind is PaymentKind.FINE],
            as_of=as_of,
            excluded=_excluded_spans(case, arrangement, as_of),
        )
    surcharge_paid = _sum(payments, PaymentKind.SURCHARGE)
    daily = sum(
        m.total_cents or 0
        for m in session.scalars(
            select(CoerciveMeasure).where(
                CoerciveMeasure.case_id == case.id,
                CoerciveMeasure.kind == MeasureKind.DAILY_PENALTY,
                CoerciveMeasure.status == MeasureStatus.IMPOSED,
            )
        )
        if m.recheck_on is not None and m.recheck_on <= as_of
    )
    daily_paid = _sum(payments, PaymentKind.DAILY_PENALTY)
    confiscation = _confiscation_assessed(session, case)
    confiscation_paid = _sum(payments, PaymentKind.CONFISCATION)
    outstanding = {
        "fine": max(0, fine - fine_paid),
        "surcharge": max(0, surcharge - surcharge_paid),
        "daily": max(0, daily - daily_paid),
        "confiscation": max(0, confiscation - confiscation_paid),
    }
    return Ledger(
        case_id=case.id,
        as_of=as_of,
        penalty_types=tuple(case.penalty_types or ()),
        decided_on=case.decided_on,
        served_on=case.served_on,
        fine_cents=fine,
        fine_paid_cents=fine_paid,
        fine_outstanding_cents=outstanding["fine"],
        due_on=due_on,
        overdue=bool(outstanding["fine"] and due_on is not None and as_of > due_on),
        days_late=days,
        surcharge_cents=surcharge,
        surcharge_paid_cents=surcharge_paid,
        surcharge_outstanding_cents=outstanding["surcharge"],
        daily_penalty_cents=daily,
        daily_penalty_paid_cents=daily_paid,
        daily_penalty_outstanding_cents=outstanding["daily"],
        confiscation_cents=confiscation,
        confiscation_paid_cents=confiscation_paid,
        confiscation_outstanding_cents=outstanding["confiscation"],
        total_outstanding_cents=sum(outstanding.values()),
        arrangement=arrangement,
        remedies=deadlines.remedy_windows(case, today=as_of),
        payments=payments,
    )


def ledger(session: Session, actor: Actor, case_id: int, today: date | None = None) -> Ledger:
    """The money ledger and remedy windows of a case as of ``today`` (default: the local date;
    payments made after it are left out). A prosecutor's or judge's read is audited.

    Raises PermissionDenied, NotFound.
    """
    require(actor, Permission.READ_CASES)
    as_of = today or local_today()
    if actor.read_audited:
        with transaction(session, actor=actor):
            case = visible_case(session, actor, case_id)
            write_entry(
                session, action=AuditAction.READ, table_name="cases", record_key=str(case.id)
            )
    return compute_ledger(session, visible_case(session, actor, case_id), as_of)


# ------------------------------------------------------------------------------------------------
# Changes
# ------------------------------------------------------------------------------------------------


def _not_future(field: str, value: date, today: date) -> None:
    if value > today:
        raise InvalidInput.field(field, N_("The date lies in the future."))


def _require_served(case: Case) -> date:
    if case.served_on is None:
        raise Conflict(N_("The penalty decision has not been served; nothing is payable yet."))
    return case.served_on


def _require_fine(case: Case) -> int:
    if not case.final_fine_cents:
        raise Conflict(N_("The penalty decision imposes no fine."))
    return case.final_fine_cents


_OUTSTANDING_FIELD = {
    PaymentKind.FINE: "fine_outstanding_cents",
    PaymentKind.SURCHARGE: "surcharge_outstanding_cents",
    PaymentKind.DAILY_PENALTY: "daily_penalty_outstanding_cents",
    PaymentKind.CONFISCATION: "confiscation_outstanding_cents",
}


def record_payment(
    session: Session, actor: Actor, case_id: int, data: Mapping[str, Any], *, expected_version: int
) -> Payment:
    """Record a payment against a served decision; refuse more than is outstanding of its kind.
    Paying the fine in full meets the fine-payment deadline (late stays visible as missed).

    Raises PermissionDenied, NotFound, StaleVersion, Conflict, InvalidInput.
    """
    require(actor, Permission.WRITE_CASES)
    today = local_today()
    kind = PaymentKind(data["kind"])
    paid_on: date = data.get("paid_on") or today
    _not_future("paid_on", paid_on, today)
    with transaction(session, actor=actor):
        case = case_for_change(session, actor, case_id, expected_version)
        served = _require_served(case)
        if kind is not PaymentKind.CONFISCATION:
            _require_fine(case)
        if paid_on < served:
            raise InvalidInput.field(
                "paid_on",
                N_("A payment cannot precede the service of the decision ({served})."),
                served=served.isoformat(),
            )
        if session.scalar(
            select(Payment.id).where(
                Payment.case_id == case.id,
                Payment.kind == kind,
                Payment.reference == data["reference"],
            )
        ):
            raise InvalidInput.field(
                "reference", N_("This receipt is already recorded for this kind of payment.")
            )
        # No more than was owed on the day it was paid, nor than is owed now.
        before = compute_ledger(session, case, today)
        on_the_day = before if paid_on == today else compute_ledger(session, case, paid_on)
        outstanding: int = min(
            getattr(before, _OUTSTANDING_FIELD[kind]), getattr(on_the_day, _OUTSTANDING_FIELD[kind])
        )
        amount = int(data["amount_cents"])
        if amount > outstanding:
            raise InvalidInput.field(
                "amount_cents",
                N_("The amount exceeds what is outstanding of this kind ({outstanding} CNY)."),
                outstanding=cny(outstanding),
            )
        payment = Payment(
            case_id=case.id,
            kind=kind,
            amount_cents=amount,
            paid_on=paid_on,
            reference=data["reference"],
            note=data.get("note") or "",
            recorded_by_id=actor.user_id or None,
        )
        session.add(payment)
        if kind is PaymentKind.FINE and amount == outstanding:
            last = max([paid_on, *(p.paid_on for p in before.payments if p.kind is kind)])
            deadlines.meet(case, FINE_PAYMENT, last, today=today)
        touch(case)
        session.flush()
    return payment


def _instalments(
    data: Mapping[str, Any], outstanding: int, approved_on: date
) -> list[dict[str, Any]]:
    items = list(data.get("instalments") or [])
    if len(items) < 2:
        raise InvalidInput.field(
            "instalments", N_("An instalment plan needs at least two instalments.")
        )
    dates = [i["due_on"] for i in items]
    if dates != sorted(set(dates)):
        raise InvalidInput.field(
            "instalments", N_("Instalments must fall on distinct dates in ascending order.")
        )
    if dates[0] < approved_on:
        raise InvalidInput.field(
            "instalments", N_("The first instalment cannot fall before the approval.")
        )
    total = sum(int(i["amount_cents"]) for i in items)
    if total != outstanding:
        raise InvalidInput.field(
            "instalments",
            N_("The instalments add up to {total} CNY, not to the outstanding fine ({fine} CNY)."),
            total=cny(total),
            fine=cny(outstanding),
        )
    return [
        {"due_on": i["due_on"].isoformat(), "amount_cents": int(i["amount_cents"])} for i in items
    ]


def approve_arrangement(
    session: Session, actor: Actor, case_id: int, data: Mapping[str, Any], *, expected_version: int
) -> PaymentArrangement:
    """Approve, on the party's application, a deferral (暂缓) or instalments (分期) of the fine
    (行政处罚法 art. 66 ¶2). It must be approved before the payment limit passes: after it, the
    surcharge already runs and only an enforcement agreement may touch it (行政强制法 art. 42).
    The fine-payment deadline moves to the arrangement's last day; no surcharge accrues while it
    is in force. One arrangement per case.

    Raises PermissionDenied, NotFound, StaleVersion, Conflict, InvalidInput.
    """
    require(actor, Permission.APPROVE_CASES)
    today = local_today()
    kind = ArrangementKind(data["kind"])
    applied_on: date = data["applied_on"]
    approved_on: date = data.get("approved_on") or today
    _not_future("applied_on", applied_on, today)
    _not_future("approved_on", approved_on, today)
    if approved_on < applied_on:
        raise InvalidInput.field("approved_on", N_("The approval cannot precede the application."))
    with transaction(session, actor=actor):
        case = case_for_change(session, actor, case_id, expected_version)
        served = _require_served(case)
        _require_fine(case)
        if session.scalar(
            select(PaymentArrangement.id).where(PaymentArrangement.case_id == case.id)
        ):
            raise Conflict(N_("A payment arrangement has already been approved for this case."))
        current = compute_ledger(session, case, today)
        if current.fine_outstanding_cents == 0:
            raise Conflict(N_("The fine has been paid in full."))
        if applied_on < served:
            raise InvalidInput.field(
                "applied_on",
                N_("The application cannot precede the service of the decision ({served})."),
                served=served.isoformat(),
            )
        due = current.due_on or served
        if approved_on > due:
            raise InvalidInput.field(
                "approved_on",
                N_("An arrangement must be approved before the payment limit ({due})."),
                due=due.isoformat(),
            )
        arrangement = PaymentArrangement(
            case_id=case.id,
            kind=kind,
            applied_on=applied_on,
            approved_on=approved_on,
            approved_by_id=actor.user_id or None,
            reason=data.get("reason") or "",
        )
        if kind is ArrangementKind.DEFERRAL:
            until = data.get("deferred_until")
            if until is None or until <= due:
                raise InvalidInput.field(
                    "deferred_until",
                    N_("A deferral must end after the payment limit ({due})."),
                    due=due.isoformat(),
                )
            if data.get("instalments"):
                raise InvalidInput.field("instalments", N_("A deferral has no instalments."))
            arrangement.deferred_until = until
            arrangement.instalments_json = []
        else:
            if data.get("deferred_until") is not None:
                raise InvalidInput.field(
                    "deferred_until", N_("An instalment plan has no deferral date.")
                )
            arrangement.instalments_json = _instalments(
                data, current.fine_outstanding_cents, approved_on
            )
        # The payment limit (15 days from service) is lengthened to the arrangement's last day.
        days = (arrangement.ends_on - served).days - RULES[FINE_PAYMENT].amount
        if days > 0:
            case.extensions.append(
                Extension(
                    rule_code=FINE_PAYMENT,
                    days=days,
                    approved_on=approved_on,
                    approved_by_id=actor.user_id or None,
                    reason=f"{kind.value}: 行政处罚法 art. 66",
                )
            )
        session.add(arrangement)
        deadlines.refresh(case, today=today)
        touch(case)
        session.flush()
    return arrangement
