"""The stages of one unit's provincial inspection (督察): DOMAIN.md §5.2.

督察准备 → 督察进驻 (≈ 1 month on site) → 督察报告 → 督察反馈 → 移交移送 → 督察整改 → 验收销号 →
立卷归档 (中央生态环境保护督察工作规定 2019 arts. 14-31 and the 2025 生态环境保护督察工作条例
keep this order; the workflow itself is [V] in DOMAIN.md, the article numbers are [R]).

Example
-------
>>> from datetime import date
>>> stay = {"start_on": date(2026, 4, 1), "end_on": date(2026, 4, 30)}
>>> facts = InspectionFacts(on=date(2026, 4, 1), **stay)
>>> INSPECTION.next_status(Stage.PREPARATION, StageEvent.ARRIVE, facts)
<Stage.ON_SITE: 'on_site'>
>>> INSPECTION.failures(Stage.ON_SITE, StageEvent.REPORT, facts)[0].rule
'report_after_stay'
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from types import MappingProxyType

from casemgr.i18n import N_
from casemgr.legalbasis import Citation, Law
from casemgr.lifecycles import Guard, GuardFailure, GuardRule, Lifecycle

__all__ = ["INSPECTION", "RULE", "InspectionFacts", "Stage", "StageEvent"]

# Every guard enforces the inspection procedure (督察程序) of these rules (DOMAIN.md §5.2).
RULE = GuardRule(
    N_("Inspection procedure"),
    (Citation(Law.CENTRAL_INSPECTION_PROVISIONS), Citation(Law.INSPECTION_REGULATIONS)),
)


class Stage(StrEnum):
    """The stages of one unit's inspection."""

    PREPARATION = "preparation"  # 督察准备
    ON_SITE = "on_site"  # 督察进驻
    REPORT = "report"  # 督察报告: the report is being written after the stay
    FEEDBACK = "feedback"  # 督察反馈: findings given to the unit
    HANDOVER = "handover"  # 移交移送: problems handed over as cases
    RECTIFICATION = "rectification"  # 督察整改: the unit rectifies, with a plan and reports
    ACCEPTANCE = "acceptance"  # 验收销号: rectified problems are checked and struck off
    CLOSED = "closed"  # 立卷归档


class StageEvent(StrEnum):
    ARRIVE = "arrive"  # 进驻
    REPORT = "report"  # the stay ended; the report is written
    GIVE_FEEDBACK = "give_feedback"  # 反馈意见 delivered
    HAND_OVER = "hand_over"  # 移交 the problems to the case system
    START_RECTIFICATION = "start_rectification"  # the unit's rectification plan received
    REQUEST_ACCEPTANCE = "request_acceptance"  # 申请验收
    CLOSE = "close"  # 销号, 立卷归档


@dataclass(frozen=True)
class InspectionFacts:
    """What the guards look at: the day of the event, the planned stay, the problems."""

    on: date
    start_on: date
    end_on: date
    open_problems: int = 0  # found, not yet handed over
    unaccepted_problems: int = 0  # not yet struck off (验收销号)
    plan_received: bool = False  # the unit's rectification plan (整改方案)


def _fail(rule: str, reason: str, *ways: str) -> GuardFailure:
    return GuardFailure(rule, RULE.title, RULE.basis, reason, tuple(ways))


def _arrive_in_period(f: InspectionFacts) -> GuardFailure | None:
    if f.on < f.start_on or f.on > f.end_on:
        return _fail(
            "arrive_in_period",
            N_("The team arrives within its planned stay, not on another day."),
            N_("Move the stay in the plan first; the move is checked against the plan's rules."),
        )
    return None


def _report_after_stay(f: InspectionFacts) -> GuardFailure | None:
    if f.on < f.end_on:
        return _fail(
            "report_after_stay",
            N_("The report follows the stay on site: it cannot be recorded before its last day."),
        )
    return None


def _all_handed_over(f: InspectionFacts) -> GuardFailure | None:
    if f.open_problems:
        return _fail(
            "all_handed_over",
            N_("Every problem found is handed over before rectification starts."),
            N_("Hand over the open problems, or record why one needs no case."),
        )
    return None


def _plan_received(f: InspectionFacts) -> GuardFailure | None:
    if not f.plan_received:
        return _fail(
            "plan_received",
            N_("Rectification starts with the unit's rectification plan (整改方案)."),
            N_("Record the day the plan was received."),
        )
    return None


def _all_accepted(f: InspectionFacts) -> GuardFailure | None:
    if f.unaccepted_problems:
        return _fail(
            "all_accepted",
            N_("An inspection closes only when every problem has been accepted (验收销号)."),
        )
    return None


TRANSITIONS: Mapping[tuple[Stage, StageEvent], Stage] = MappingProxyType(
    {
        (Stage.PREPARATION, StageEvent.ARRIVE): Stage.ON_SITE,
        (Stage.ON_SITE, StageEvent.REPORT): Stage.REPORT,
        (Stage.REPORT, StageEvent.GIVE_FEEDBACK): Stage.FEEDBACK,
        (Stage.FEEDBACK, StageEvent.HAND_OVER): Stage.HANDOVER,
        (Stage.HANDOVER, StageEvent.START_RECTIFICATION): Stage.RECTIFICATION,
        (Stage.RECTIFICATION, StageEvent.REQUEST_ACCEPTANCE): Stage.ACCEPTANCE,
        (Stage.ACCEPTANCE, StageEvent.CLOSE): Stage.CLOSED,
    }
)

GUARDS: Mapping[StageEvent, tuple[Guard[InspectionFacts], ...]] = MappingProxyType(
    {
        StageEvent.ARRIVE: (_arrive_in_period,),
        StageEvent.REPORT: (_report_after_stay,),
        StageEvent.START_RECTIFICATION: (_all_handed_over, _plan_received),
        StageEvent.CLOSE: (_all_accepted,),
    }
)

_LABELS = {
    Stage.PREPARATION: "督察准备",
    Stage.ON_SITE: "督察进驻",
    Stage.REPORT: "督察报告",
    Stage.FEEDBACK: "督察反馈",
    Stage.HANDOVER: "移交移送",
    Stage.RECTIFICATION: "督察整改",
    Stage.ACCEPTANCE: "验收销号",
    Stage.CLOSED: "立卷归档",
}

INSPECTION: Lifecycle[Stage, StageEvent, InspectionFacts] = Lifecycle(
    name="inspection",
    statuses=Stage,
    events=StageEvent,
    transitions=TRANSITIONS,
    initial=Stage.PREPARATION,
    terminal=frozenset({Stage.CLOSED}),
    guards=GUARDS,
    labels={stage: f"{label} {stage}" for stage, label in _LABELS.items()},
)
