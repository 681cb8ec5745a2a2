"""What the scorer knows about an enterprise: dated, sourced facts (信用事实).

``casemgr`` turns its records (penalties, measures, referrals, incidents, inspections,
complaints, imported monitoring rates, objections and repairs) into :class:`Fact` values; the
scorer never reads a database. Every fact names the record it came from, so that each point of
a score can be traced back to it.

Two dates matter. ``on`` is when the thing happened in law (a decision's date, an incident's
day); ``recorded`` is when the system learnt it. A score *as of* a day uses only what was
recorded by then, so recomputing a past score after later events gives the same answer.
History is never rewritten: a repair (信用修复) or an upheld objection (异议) is a new fact
that names the record it takes out of the score from its own date on.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date

__all__ = ["Fact", "FactKind", "effective_facts"]


class FactKind(enum.StrEnum):
    """The kinds of fact the shipped schemes read; a scheme may only name these."""

    PENALTY = "penalty"  # 行政处罚 (amount: the fine in yuan)
    COERCIVE_MEASURE = "coercive_measure"  # 查封扣押, 限产停产 (环境保护法 art. 25, 60)
    DAILY_PENALTY = "daily_penalty"  # 按日连续处罚 (环境保护法 art. 59)
    CRIMINAL_REFERRAL = "criminal_referral"  # 移送公安机关
    CRIMINAL_CONVICTION = "criminal_conviction"  # 刑法 art. 338 and related judgments
    FINE_OVERDUE = "fine_overdue"  # a fine unpaid after its deadline (amount outstanding)
    COMPENSATION_OVERDUE = "compensation_overdue"  # 生态环境损害赔偿 unpaid after its deadline
    INCIDENT = "incident"  # 突发环境事件 (level: general, larger, major, extraordinary)
    INSPECTION_FINDING = "inspection_finding"  # a problem an inspection found
    COMPLAINT = "complaint"  # a substantiated complaint (信访举报属实)
    RECTIFICATION = "rectification"  # 整改 (value: 1 done on time, 0 late or not done)
    MONITORING_EXCEEDANCE = "monitoring_exceedance"  # 在线监测超标率 (value: 0..1)
    DATA_TRANSMISSION = "data_transmission"  # 数据传输有效率 (value: 0..1)
    SERIOUS_VIOLATION = "serious_violation"  # 一票否决 acts: 暗管, 未批先建 ... (detail: which)
    NOT_RATEABLE = "not_rateable"  # 异常: cannot be rated (detail: why)
    REPAIR = "repair"  # 信用修复 accepted: `target` no longer counts from `on`
    CORRECTION = "correction"  # 异议 upheld: `target` was wrong and never counts again


@dataclass(frozen=True, slots=True)
class Fact:
    """One dated, sourced fact about an enterprise.

    Attributes
    ----------
    kind : FactKind
    on : date
        When it happened in law (decision date, incident day, measurement month).
    record : str
        The record it came from, e.g. ``"case:1234"`` or ``"penalty:88"``: unique per fact.
    recorded : date
        When the system learnt it; a score as of an earlier day ignores it.
    amount : float, optional
        Money in yuan (a fine, an unpaid balance).
    value : float, optional
        A rate or a yes/no as 1/0.
    level : str
        A grade (an incident's level).
    detail : str
        Free text: which serious violation, why not rateable.
    target : str
        For a repair or a correction: the record it takes out of the score.
    """

    kind: FactKind
    on: date
    record: str
    recorded: date
    amount: float | None = None
    value: float | None = None
    level: str = ""
    detail: str = ""
    target: str = ""


def effective_facts(facts: list[Fact] | tuple[Fact, ...], as_of: date) -> list[Fact]:
    """The facts that count as of a day: recorded and happened by then, and neither repaired
    (from the repair's date) nor corrected (an upheld objection, recorded by then).

    >>> d = date(2026, 1, 1)
    >>> p = Fact(FactKind.PENALTY, d, "p1", d, amount=50000)
    >>> r = Fact(FactKind.REPAIR, date(2026, 6, 1), "r1", date(2026, 6, 1), target="p1")
    >>> [f.record for f in effective_facts([p, r], date(2026, 5, 31))]
    ['p1']
    >>> [f.record for f in effective_facts([p, r], date(2026, 6, 1))]
    []
    """
    known = [f for f in facts if f.recorded <= as_of and f.on <= as_of]
    removed = {f.target for f in known if f.kind in (FactKind.REPAIR, FactKind.CORRECTION)}
    return [
        f
        for f in known
        if f.record not in removed and f.kind not in (FactKind.REPAIR, FactKind.CORRECTION)
    ]
