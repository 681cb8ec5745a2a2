"""The credit facts (信用事实) of enterprises, read in bulk from the case records.

Each fact names its record and the day the system learnt it (``recorded``: the local date of
the row's creation, a step's recording or a payment's entry), so that a score as of a past day
uses only what was known then. Sources:

* penalties: the administrative ``decide`` or ``penalise_on_the_spot`` step (its legal date,
  the fine in its data); a ``revoke_decision`` step is a correction of the latest decision;
* criminal referrals: the administrative ``transfer_criminal`` step (移送, 衔接办法);
* convictions: a criminal case's judgment that became final (``become_final`` or the second
  instance) with a conviction or an exemption from punishment (免予刑事处罚 is a finding of
  guilt, 刑法 art. 37);
* coercive measures and daily penalties (环境保护法 arts. 25, 59, 60): the measure's decision;
  a daily-penalty re-check is a rectification, on time when it found the violation corrected;
* unpaid fines: a fine still not fully paid after its payment deadline (行政处罚法 art. 67,
  the ``admin.fine_payment`` deadline; an approved deferral or instalment plan moves it);
* inspection findings and substantiated complaints: violations found by inspection (现场检查,
  双随机, 督察) or by a 12369 report, once a case on them was filed; a violation discharged by
  secret pipes, seepage wells or pits, fissures, karst caves or injection is also a serious
  violation (一票否决) once penalised;
* not rateable: an enterprise revoked or deregistered (as of the day its record changed);
* repairs and upheld objections: decided requests, from their decision day.

Not yet recorded by the system, so not produced: sudden environmental incidents, ecological
damage compensation arrears, monitoring exceedance and data-transmission rates (their
indicators score as "no data").
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, select, true
from sqlalchemy.orm import Session

from casemgr.models import (
    Case,
    CaseTransition,
    CoerciveMeasure,
    CreditObjection,
    CreditRepair,
    Deadline,
    Enterprise,
    EnterpriseStatus,
    MeasureKind,
    Payment,
    PaymentArrangement,
    PaymentKind,
    RequestState,
    Violation,
    ViolationOrigin,
    violation_enterprises,
)
from casemgr.repositories.graph import chunks
from casemgr.services.localtime import LOCAL
from credit.facts import Fact, FactKind

__all__ = ["IdRange", "facts_of", "within"]

_PENALTY_EVENTS = ("decide", "penalise_on_the_spot")
_CONVICTING = ("conviction", "exempted")
_FINDING_ORIGINS = (
    ViolationOrigin.INSPECTION,
    ViolationOrigin.RANDOM_DRAW,
    ViolationOrigin.CENTRAL_INSPECTION,
)
# 法释〔2023〕7号 art. 1(5) discharge means that the 2013 scheme vetoes (暗管, 渗井, 渗坑 ...).
_SERIOUS_METHODS = {
    "hidden_pipe",
    "seepage_well",
    "seepage_pit",
    "fissure",
    "karst_cave",
    "injection",
}
_DATA_EVENTS = (*_PENALTY_EVENTS, "judge_first_instance", "judge_second_instance")
_EVENTS = (
    *_PENALTY_EVENTS,
    "revoke_decision",
    "transfer_criminal",
    "file",
    "become_final",
    "judge_first_instance",
    "judge_second_instance",
)


def _day(at: datetime) -> date:
    """The local (Asia/Shanghai) date of a stored UTC timestamp."""
    return at.astimezone(LOCAL).date()


def _end_of(day: date) -> datetime:
    """The first instant after the local day, as an aware timestamp."""
    return datetime.combine(day + timedelta(days=1), time(), tzinfo=LOCAL)


@dataclass(frozen=True)
class IdRange:
    """The enterprises whose id lies between ``first`` and ``last`` (both included): one
    worker's share of a full run, read like the whole province (one pass over each table,
    restricted to the range) rather than as a list of ids."""

    first: int
    last: int


# Whose facts to read: None (every enterprise), an id range, or the ids themselves.
Scope = Collection[int] | IdRange | None


def within(column: Any, scope: Scope) -> ColumnElement[bool]:
    """``column`` (an enterprise id) is in ``scope``: every row for None (a whole-province
    read, one pass over the table instead of a lookup per chunk), a range condition for an
    :class:`IdRange`, else ``IN`` the ids."""
    if scope is None:
        return true()
    found: ColumnElement[bool] = (
        column.between(scope.first, scope.last)
        if isinstance(scope, IdRange)
        else column.in_(list(scope))
    )
    return found


def _of_cases(column: Any, scope: Scope, cases: Collection[int]) -> ColumnElement[bool]:
    """``column`` (a case id) is one of ``cases``, the cases of the enterprises of ``scope``:
    every row for the whole province (the caller drops the others), the cases whose party lies
    in the range for an :class:`IdRange` (a semi-join), else ``IN`` the case ids."""
    if scope is None:
        return true()
    found: ColumnElement[bool] = column.in_(
        select(Case.id).where(within(Case.party_enterprise_id, scope))
        if isinstance(scope, IdRange)
        else list(cases)
    )
    return found


def _rows(session: Session, stmt: Any) -> Any:
    """The rows of a read as the connection returns them: plain tuples, without the ORM's
    loading of each row (a full run reads millions). ``facts_of`` flushes pending changes
    first, as a session query would."""
    return session.connection().execute(stmt)


def _cases(session: Session, ids: Scope) -> dict[int, Any]:
    stmt = select(
        Case.id, Case.party_enterprise_id, Case.track, Case.violation_id, Case.final_fine_cents
    ).where(Case.party_enterprise_id.is_not(None), within(Case.party_enterprise_id, ids))
    return {row.id: row for row in _rows(session, stmt)}


def _transition_facts(
    session: Session, cases: dict[int, Any], until: datetime, scope: Scope
) -> list[Any]:
    stmt = (
        select(
            CaseTransition.id,
            CaseTransition.case_id,
            CaseTransition.event,
            CaseTransition.on,
            CaseTransition.at,
            # Only decisions and judgments carry what is read (fines, verdict): the other
            # steps' data is not fetched nor decoded.
            case(
                (CaseTransition.event.in_(_DATA_EVENTS), CaseTransition.data),
                else_=None,
            ).label("data"),
        )
        .where(
            _of_cases(CaseTransition.case_id, scope, cases),
            CaseTransition.event.in_(_EVENTS),
            CaseTransition.at < until,
        )
        .order_by(CaseTransition.case_id, CaseTransition.at, CaseTransition.id)
    )
    return [s for s in _rows(session, stmt) if s.case_id in cases]


def _penalty_and_court_facts(
    cases: dict[int, Any], steps: list[Any], fines: dict[int, int], out: dict[int, list[Fact]]
) -> dict[int, date]:
    """Penalties, revocations, referrals and convictions; returns each case's filing day and
    fills `fines` with the fine (cents) of each case's standing decision."""
    filed: dict[int, date] = {}
    last_decision: dict[int, str] = {}
    verdict: dict[int, str] = {}
    for step in steps:
        case = cases[step.case_id]
        ent, rec, data = case.party_enterprise_id, f"transition:{step.id}", step.data or {}
        recorded = _day(step.at)
        if step.event == "file":
            filed.setdefault(step.case_id, step.on)
        elif step.event in _PENALTY_EVENTS:
            listed = data.get("fines") or []
            cents = (
                data.get("final_fine_cents")
                or sum(int(f.get("amount_cents") or 0) for f in listed if isinstance(f, dict))
                or case.final_fine_cents
                or 0
            )
            out[ent].append(Fact(FactKind.PENALTY, step.on, rec, recorded, amount=int(cents) / 100))
            last_decision[step.case_id] = rec
            fines[step.case_id] = int(cents)
            filed.setdefault(step.case_id, step.on)
        elif step.event == "revoke_decision" and step.case_id in last_decision:
            target = last_decision.pop(step.case_id)
            fines.pop(step.case_id, None)
            out[ent].append(Fact(FactKind.CORRECTION, step.on, rec, recorded, target=target))
        elif step.event == "transfer_criminal":
            out[ent].append(Fact(FactKind.CRIMINAL_REFERRAL, step.on, rec, recorded))
        elif step.event in ("judge_first_instance", "judge_second_instance"):
            verdict[step.case_id] = str(data.get("verdict") or "")
        # A judgment is final when it is the second instance's or when the appeal period ran
        # out (become_final); a final conviction is the fact.
        final = step.event in ("judge_second_instance", "become_final")
        if final and verdict.get(step.case_id) in _CONVICTING:
            out[ent].append(
                Fact(
                    FactKind.CRIMINAL_CONVICTION,
                    step.on,
                    rec,
                    recorded,
                    detail=verdict[step.case_id],
                )
            )
    return filed


def _measure_facts(
    session: Session,
    cases: dict[int, Any],
    until: datetime,
    out: dict[int, list[Fact]],
    scope: Scope,
) -> None:
    stmt = select(
        CoerciveMeasure.id,
        CoerciveMeasure.case_id,
        CoerciveMeasure.kind,
        CoerciveMeasure.total_cents,
        CoerciveMeasure.decided_on,
        CoerciveMeasure.created_at,
        CoerciveMeasure.updated_at,
        CoerciveMeasure.recheck_on,
        CoerciveMeasure.recheck_found_violation,
    ).where(
        _of_cases(CoerciveMeasure.case_id, scope, cases),
        CoerciveMeasure.created_at < until,
    )
    for m in _rows(session, stmt):
        if m.case_id not in cases:
            continue
        ent, rec = cases[m.case_id].party_enterprise_id, f"measure:{m.id}"
        kind = FactKind.DAILY_PENALTY if m.kind is MeasureKind.DAILY_PENALTY else None
        if m.kind in (MeasureKind.SEIZURE, MeasureKind.PRODUCTION_LIMIT, MeasureKind.SUSPENSION):
            kind = FactKind.COERCIVE_MEASURE
        if kind is FactKind.DAILY_PENALTY and m.total_cents is None:
            kind = None  # a correction order re-checked, no daily penalty imposed (yet)
        if kind is not None:
            out[ent].append(
                Fact(kind, m.decided_on, rec, _day(m.created_at), amount=(m.total_cents or 0) / 100)
            )
        if m.recheck_on is not None and m.recheck_found_violation is not None:
            done = 0.0 if m.recheck_found_violation else 1.0
            out[ent].append(
                Fact(
                    FactKind.RECTIFICATION,
                    m.recheck_on,
                    f"{rec}:recheck",
                    _day(m.updated_at),
                    value=done,
                )
            )


def _unpaid_fine_facts(
    session: Session,
    cases: dict[int, Any],
    as_of: date,
    until: datetime,
    fines: dict[int, int],
    out: dict[int, list[Fact]],
    scope: Scope,
) -> None:
    """Fines of decisions known by `as_of` still owed after their payment deadline."""
    fined = {cid: c for cid, c in fines.items() if c > 0}
    if not fined:
        return
    due = {
        cid: due_on
        for cid, due_on in _rows(
            session,
            select(Deadline.case_id, Deadline.due_on).where(
                _of_cases(Deadline.case_id, scope, fined),
                Deadline.rule_code == "admin.fine_payment",
            ),
        )
        if cid in fined
    }
    for arrangement in session.scalars(
        select(PaymentArrangement).where(
            _of_cases(PaymentArrangement.case_id, scope, due),
            PaymentArrangement.approved_on <= as_of,
        )
    ):
        if arrangement.case_id in due:
            due[arrangement.case_id] = max(due[arrangement.case_id], arrangement.ends_on)
    paid = dict(
        _rows(
            session,
            select(Payment.case_id, func.sum(Payment.amount_cents))
            .where(
                _of_cases(Payment.case_id, scope, due),
                Payment.kind == PaymentKind.FINE,
                Payment.paid_on <= as_of,
                Payment.recorded_at < until,
            )
            .group_by(Payment.case_id),
        ).all()
    )
    for cid, due_on in due.items():
        owed = fined[cid] - int(paid.get(cid) or 0)
        if owed > 0 and due_on < as_of:
            late = due_on + timedelta(days=1)
            out[cases[cid].party_enterprise_id].append(
                Fact(FactKind.FINE_OVERDUE, late, f"fine:{cid}", late, amount=owed / 100)
            )


def _violation_facts(
    session: Session,
    ids: Scope,
    filed: dict[int, date],
    cases: dict[int, Any],
    penalties: dict[int, date],
    out: dict[int, list[Fact]],
) -> None:
    by_violation: dict[int, list[int]] = defaultdict(list)
    for cid, c in cases.items():
        by_violation[c.violation_id].append(cid)
    stmt = (
        select(
            violation_enterprises.c.enterprise_id,
            Violation.id,
            Violation.origin,
            Violation.found_at,
            Violation.evasive_methods,
            Violation.created_at,
        )
        .join(Violation, Violation.id == violation_enterprises.c.violation_id)
        .where(within(violation_enterprises.c.enterprise_id, ids))
    )
    for ent, vid, origin, found_at, methods, created_at in _rows(session, stmt):
        case_filed = [filed[c] for c in by_violation.get(vid, ()) if c in filed]
        if not case_filed:
            continue  # a lead not (yet) filed is not a finding
        recorded = max(_day(created_at), min(case_filed))
        found = _day(found_at)
        if origin in _FINDING_ORIGINS:
            out[ent].append(Fact(FactKind.INSPECTION_FINDING, found, f"violation:{vid}", recorded))
        elif origin is ViolationOrigin.COMPLAINT_12369:
            out[ent].append(Fact(FactKind.COMPLAINT, found, f"violation:{vid}", recorded))
        decided = [penalties[c] for c in by_violation.get(vid, ()) if c in penalties]
        if decided and _SERIOUS_METHODS & set(methods or ()):
            out[ent].append(
                Fact(
                    FactKind.SERIOUS_VIOLATION,
                    min(decided),
                    f"violation:{vid}:serious",
                    max(recorded, min(decided)),
                    detail=",".join(sorted(_SERIOUS_METHODS & set(methods))),
                )
            )


def _request_facts(session: Session, ids: Scope, as_of: date, out: dict[int, list[Fact]]) -> None:
    requests: list[tuple[FactKind, str, CreditRepair | CreditObjection]] = []
    repairs = select(CreditRepair).where(
        within(CreditRepair.enterprise_id, ids),
        CreditRepair.state == RequestState.ACCEPTED,
        CreditRepair.decided_on <= as_of,
    )
    requests += [(FactKind.REPAIR, "repair", r) for r in session.scalars(repairs)]
    objections = select(CreditObjection).where(
        within(CreditObjection.enterprise_id, ids),
        CreditObjection.state == RequestState.ACCEPTED,
        CreditObjection.decided_on <= as_of,
    )
    requests += [(FactKind.CORRECTION, "objection", o) for o in session.scalars(objections)]
    for kind, prefix, req in requests:
        assert req.decided_on is not None
        out[req.enterprise_id].append(
            Fact(kind, req.decided_on, f"{prefix}:{req.id}", req.decided_on, target=req.record)
        )


def facts_of(
    session: Session, enterprise_ids: Iterable[int] | IdRange | None, as_of: date
) -> dict[int, list[Fact]]:
    """Every credit fact of the enterprises known by the end of the local day `as_of`: an
    entry for each enterprise given, facts or not; with None, of every enterprise that has
    some (one pass over each table: the nightly run); with an :class:`IdRange`, of every
    enterprise of the range that has some (the same passes, restricted to the range: a
    worker's share of the nightly run)."""
    session.flush()
    out: dict[int, list[Fact]] = defaultdict(list)
    until = _end_of(as_of)
    parts: Iterable[Scope] = (
        [enterprise_ids]
        if enterprise_ids is None or isinstance(enterprise_ids, IdRange)
        else chunks(sorted(set(enterprise_ids)), 5000)
    )
    for ids in parts:
        for eid in () if ids is None or isinstance(ids, IdRange) else ids:
            out[eid]  # noqa: B018 - every enterprise gets an entry, facts or not
        cases = _cases(session, ids)
        if cases:
            steps = _transition_facts(session, cases, until, ids)
            fines: dict[int, int] = {}
            filed = _penalty_and_court_facts(cases, steps, fines, out)
            penalties = {s.case_id: s.on for s in steps if s.event in _PENALTY_EVENTS}
            del steps
            _measure_facts(session, cases, until, out, ids)
            _unpaid_fine_facts(session, cases, as_of, until, fines, out, ids)
            _violation_facts(session, ids, filed, cases, penalties, out)
        ended = select(Enterprise.id, Enterprise.updated_at).where(
            within(Enterprise.id, ids),
            Enterprise.status.in_([EnterpriseStatus.REVOKED, EnterpriseStatus.DEREGISTERED]),
            and_(Enterprise.updated_at < until),
        )
        for eid, updated in _rows(session, ended):
            out[eid].append(
                Fact(
                    FactKind.NOT_RATEABLE,
                    _day(updated),
                    f"enterprise:{eid}:status",
                    _day(updated),
                    value=1.0,
                    detail="吊销或注销",
                )
            )
        _request_facts(session, ids, as_of, out)
    return dict(out)
