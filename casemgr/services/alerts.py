"""Referral-review alerts (涉嫌犯罪移送审查提示) and the 以罚代刑 risk list.

Every time a violation is logged or changed it is checked against the criminal-threshold
predicates (``casemgr.criminal_thresholds``, 法释〔2023〕7号 arts. 1-2). A predicate met raises an
alert naming it and its article; nothing is ever referred automatically (移送规定 2020 art. 5:
the officers report, the head approves). An alert stands until a criminal referral is opened on
the violation or a bureau head dismisses it with reasons; a violation whose administrative case
was closed with only a fine while an alert stands is a 以罚代刑 risk (移送规定 2020 art. 11;
行政执法机关移送涉嫌犯罪案件的规定 2001 art. 11: no penalty instead of transfer).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from casemgr.criminal_thresholds import (
    EVASIVE_METHODS,
    MeasuredExceedance,
    PriorPenalty,
    ThresholdFacts,
    ThresholdHit,
    evaluate,
)
from casemgr.db import transaction
from casemgr.exceptions import Conflict, InvalidInput, NotFound
from casemgr.i18n import N_
from casemgr.models import Alert, AlertKind, AlertState, Case, Violation, violation_enterprises
from casemgr.models.cases import Channel
from casemgr.policy import Actor, Permission
from casemgr.repositories.common import Page, apply_sort, paginate
from casemgr.services.access import audit_list_read, require
from casemgr.services.enterprises import territory_counties
from casemgr.services.localtime import LOCAL, local_today

# Administrative case statuses in which the case is over with a penalty decided.
_CLOSED_WITH_PENALTY = ("closed", "archived")

# An evasive-discharge alert stores its methods as their Chinese names (EVASIVE_METHODS, the
# words of 法释〔2023〕7号 art. 1(4)) joined by "、"; a name may itself contain "、", so the
# text is read name by name, longest first, never split on the separator.
_METHOD_CODES = {name: code for code, name in EVASIVE_METHODS.items()} | {
    code: code for code in EVASIVE_METHODS
}
_METHOD = "|".join(re.escape(name) for name in sorted(_METHOD_CODES, key=len, reverse=True))
_METHOD_LIST = re.compile(rf"(?:{_METHOD})(?:(?:、|, ?)(?:{_METHOD}))*")


def evasive_method_codes(text: object) -> list[str] | None:
    """The codes of the evasive methods a stored ``methods`` parameter names ("暗管、溶洞" →
    ``["hidden_pipe", "karst_cave"]``); None when it is not wholly a list of known methods.

    >>> evasive_method_codes("篡改、伪造自动监测数据或者干扰自动监测设施、溶洞")
    ['falsified_monitoring', 'karst_cave']
    >>> evasive_method_codes("暗管、水井") is None
    True
    """
    if not isinstance(text, str) or not _METHOD_LIST.fullmatch(text):
        return None
    return [_METHOD_CODES[name] for name in re.findall(_METHOD, text)]


def reason_params(params: Mapping[str, Any], method_labels: Mapping[str, str]) -> dict[str, Any]:
    """An alert's stored ``params`` ready to fill its reason in the reader's language: the
    evasive methods become the list of their label msgids (``method_labels``: code → msgid),
    translated and joined when the reason is rendered. Text that names an unknown method
    stays as stored."""
    out = dict(params)
    codes = evasive_method_codes(out.get("methods"))
    if codes is not None and all(code in method_labels for code in codes):
        out["methods"] = [method_labels[code] for code in codes]
    return out


def _local(moment: datetime | None) -> date | None:
    return moment.astimezone(LOCAL).date() if moment is not None else None


def _act_on(v: Violation) -> date:
    """The date of the act: its start when known, else the day it was found."""
    return _local(v.occurred_from) or _local(v.found_at) or local_today()


def _kinds_of(v: Violation) -> frozenset[str]:
    kinds = set()
    if v.during_pollution_alert:
        kinds.add("alert_exceedance")
    if v.toxic_substance or v.hazardous_waste_tonnes > 0:
        kinds.add("toxic_discharge")
    return frozenset(kinds)


def prior_penalties(session: Session, v: Violation) -> tuple[PriorPenalty, ...]:
    """Administrative penalties decided on the violation's enterprises for earlier violations
    (法释〔2023〕7号 art. 1(6), 1(8); art. 19: counted from the day the penalty took effect)."""
    ids = [e.id for e in v.enterprises]
    if not ids:
        return ()
    rows = session.execute(
        select(Case, Violation)
        .join(Violation, Violation.id == Case.violation_id)
        .join(violation_enterprises, violation_enterprises.c.violation_id == Violation.id)
        .where(
            violation_enterprises.c.enterprise_id.in_(ids),
            Violation.id != v.id,
            Case.channel == Channel.ADMINISTRATIVE,
            Case.decided_on.is_not(None),
            Case.status.not_in(("withdrawn",)),
        )
    ).all()
    seen: set[int] = set()
    out = []
    for case, other in rows:
        if case.id in seen or not case.penalty_types:
            continue
        seen.add(case.id)
        effective = case.served_on or case.decided_on
        if effective is not None:
            out.append(PriorPenalty(effective_on=effective, kinds=_kinds_of(other)))
    return tuple(out)


def threshold_facts(session: Session, v: Violation) -> ThresholdFacts:
    """What the threshold predicates need, from the violation, its source and its history."""
    return ThresholdFacts(
        act_on=_act_on(v),
        hazardous_waste_tonnes=Decimal(v.hazardous_waste_tonnes or 0),
        measurements=tuple(
            MeasuredExceedance(m.pollutant, m.metal_group.value, m.exceedance_ratio)
            for m in v.measurements
        ),
        evasive_methods=frozenset(v.evasive_methods or ()),
        in_protected_zone=v.in_protected_zone,
        toxic_substance=v.toxic_substance,
        key_pollutant_unit=bool(v.source and v.source.key_pollutant_unit),
        monitoring_pollutants=frozenset(m.pollutant for m in v.measurements),
        loss_cents=v.loss_cents or 0,
        illegal_gain_cents=v.illegal_gain_cents or 0,
        water_intake_cut_hours=Decimal(v.water_intake_cut_hours or 0),
        during_pollution_alert=v.during_pollution_alert,
        prior_penalties=prior_penalties(session, v),
    )


def hits_for(session: Session, v: Violation) -> list[ThresholdHit]:
    """The predicates a violation meets; none for acts before the first threshold set."""
    try:
        return evaluate(threshold_facts(session, v))
    except ValueError:
        return []


def _has_referral(session: Session, violation_id: int) -> bool:
    stmt = select(
        exists().where(Case.violation_id == violation_id, Case.channel == Channel.CRIMINAL)
    )
    return bool(session.scalar(stmt))


def refresh_for_violation(session: Session, v: Violation, *, today: date) -> list[Alert]:
    """Raise an alert per predicate met, inside the caller's transaction.

    A standing alert whose predicate no longer holds (the facts were corrected) is dismissed
    with that reason; a referred or dismissed one is history and stays as it is.
    """
    session.flush()
    hits = {h.predicate: h for h in hits_for(session, v)}
    alerts = list(session.scalars(select(Alert).where(Alert.violation_id == v.id)))
    standing = {a.predicate: a for a in alerts if a.state is AlertState.OPEN}
    known = {a.predicate for a in alerts}
    referred = _has_referral(session, v.id)
    for predicate, hit in hits.items():
        alert = standing.get(predicate)
        if alert is not None:
            alert.params = dict(hit.params)
            continue
        if predicate in known and not referred:
            # Dismissed after review, or referred before: raise it again only if it is new.
            continue
        session.add(
            Alert(
                violation_id=v.id,
                kind=AlertKind.REFERRAL_REVIEW,
                predicate=predicate,
                tier=hit.tier,
                title=hit.title,
                article=hit.article,
                reason=hit.reason,
                params=dict(hit.params),
                county_code=v.county_code,
                state=AlertState.REFERRED if referred else AlertState.OPEN,
                raised_on=today,
                resolved_on=today if referred else None,
            )
        )
    for predicate, alert in standing.items():
        if predicate not in hits:
            alert.state = AlertState.DISMISSED
            alert.resolved_on = today
            alert.resolution = N_("The corrected facts no longer meet the predicate.")
    session.flush()
    return list(session.scalars(select(Alert).where(Alert.violation_id == v.id)))


def mark_referred(session: Session, violation_id: int, *, on: date) -> None:
    """A criminal referral was opened: the violation's standing alerts are acted on."""
    for alert in session.scalars(
        select(Alert).where(Alert.violation_id == violation_id, Alert.state == AlertState.OPEN)
    ):
        alert.state = AlertState.REFERRED
        alert.resolved_on = on


def dismiss(
    session: Session,
    actor: Actor,
    alert_id: int,
    data: Mapping[str, Any],
) -> Alert:
    """A bureau head records why no referral is due (移送规定 2020 art. 5: the head decides).

    Raises PermissionDenied, NotFound, Conflict, InvalidInput.
    """
    require(actor, Permission.APPROVE_CASES)
    with transaction(session, actor=actor):
        alert = session.get(Alert, alert_id)
        if alert is None or not actor.covers(alert.county_code):
            raise NotFound(kind="Alert", key=alert_id)
        if alert.state is not AlertState.OPEN:
            raise Conflict(N_("Only a standing alert can be dismissed."))
        reason = (data.get("resolution") or "").strip()
        if len(reason) < 10:
            raise InvalidInput.field(
                "resolution",
                N_("State the reasons why no referral is due (10 characters or more)."),
            )
        alert.state = AlertState.DISMISSED
        alert.resolved_on = data.get("on") or local_today()
        alert.resolved_by_id = actor.user_id or None
        alert.resolution = reason
    return alert


def alerts_of(session: Session, actor: Actor, violation_id: int) -> list[Alert]:
    """The alerts of a violation whose family the actor may read (audited for prosecutors and
    judges). Raises PermissionDenied, NotFound."""
    from casemgr.services.family import visible_family

    require(actor, Permission.READ_CASES)
    visible_family(session, actor, violation_id)
    audit_list_read(session, actor, "alerts", f"violation:{violation_id}")
    return violation_alerts(session, violation_id)


def violation_alerts(session: Session, violation_id: int) -> list[Alert]:
    return list(
        session.scalars(select(Alert).where(Alert.violation_id == violation_id).order_by(Alert.id))
    )


def _penalty_only_cases() -> Any:
    """Administrative cases closed with a penalty, on violations with no criminal case."""
    criminal = select(Case.violation_id).where(Case.channel == Channel.CRIMINAL)
    return select(Case.violation_id).where(
        Case.channel == Channel.ADMINISTRATIVE,
        Case.status.in_(_CLOSED_WITH_PENALTY),
        Case.decided_on.is_not(None),
        Case.final_fine_cents > 0,
        Case.violation_id.not_in(criminal),
    )


RISK_SORTS = {"raised_on": Alert.raised_on, "county_code": Alert.county_code}


def penalty_instead_of_referral(
    session: Session,
    actor: Actor,
    *,
    territory: str | None = None,
    page: int = 1,
    per_page: int = 20,
    sort: str | None = None,
) -> Page[Alert]:
    """The 以罚代刑 risk list: standing alerts on violations closed with only a fine.

    Raises PermissionDenied, InvalidInput.
    """
    require(actor, Permission.READ_CASES)
    stmt = select(Alert).where(
        Alert.state == AlertState.OPEN,
        Alert.tier == 1,
        Alert.violation_id.in_(_penalty_only_cases()),
    )
    if actor.counties is not None:
        stmt = stmt.where(Alert.county_code.in_(sorted(actor.counties)))
    if territory:
        counties = territory_counties(session, territory, field="county")
        if counties is not None:
            stmt = stmt.where(Alert.county_code.in_(sorted(counties)))
    stmt = apply_sort(stmt, sort, RISK_SORTS, "raised_on", Alert.id)
    return paginate(session, stmt, page=page, per_page=per_page)


def open_alert_count(session: Session, violation_id: int) -> int:
    return len(
        [
            a
            for a in violation_alerts(session, violation_id)
            if a.state is AlertState.OPEN and a.tier == 1
        ]
    )
