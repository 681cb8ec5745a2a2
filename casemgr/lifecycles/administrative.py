"""The administrative penalty case (行政处罚案件) lifecycle: DOMAIN.md §1.2, guards from §1.6.

General procedure (普通程序): lead → filed → investigating → review, then notice, the party's
statement and defence or hearing, legal review and collective discussion where required, and
the decision, service, enforcement, closure and archiving. The simple procedure (简易程序,
当场处罚) runs lead → on_the_spot → on_the_spot_reported → closed.

``review`` (案件审查) is the hub of the decision phase, as in 行政处罚法 art. 57: the head reviews
the investigated case and every later step returns to that review (the re-check of the party's
statement, art. 45; the decision "according to the hearing record", art. 65; legal review and
collective discussion, arts. 57–58) until one of the art. 57 decisions is taken. Legal review
may therefore run before the notice or after the hearing (art. 58 ¶1 (2) covers cases already
heard), and a case may be notified again when the facts or the proposed penalty change.

Example
-------
>>> from datetime import date
>>> facts = AdminFacts(today=date(2026, 3, 2), investigation_officer_counts=(2, 2))
>>> ADMINISTRATIVE.next_status(AdminStatus.INVESTIGATING, AdminEvent.CONCLUDE_INVESTIGATION, facts)
<AdminStatus.REVIEW: 'review'>
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from types import MappingProxyType

from casemgr.i18n import N_
from casemgr.legalbasis import Citation, Law
from casemgr.lifecycles import Guard, GuardFailure, GuardRule, Lifecycle

__all__ = [
    "ADMINISTRATIVE",
    "GUARDS",
    "HEARING_THRESHOLDS",
    "PENALTY_TYPES",
    "RULES",
    "SIMPLE_PROCEDURE_MAX_FINE_CENTS",
    "TRANSITIONS",
    "AdminEvent",
    "AdminFacts",
    "AdminRule",
    "AdminStatus",
    "Art58Condition",
    "HearingRight",
    "HearingThreshold",
    "PenaltyType",
    "PenaltyTypeInfo",
    "decision_overdue",
    "hearing_eligible",
]


class AdminStatus(StrEnum):
    """Status (案件状态) of an administrative penalty case."""

    LEAD = "lead"  # 线索
    FILED = "filed"  # 立案 (行政处罚法 art. 54)
    INVESTIGATING = "investigating"  # 调查取证 (arts. 42, 55, 56)
    REVIEW = "review"  # 案件审查, the head's review and the hub of every decision (art. 57)
    LEGAL_REVIEW = "legal_review"  # 法制审核 (art. 58)
    COLLECTIVE_DISCUSSION = "collective_discussion"  # 集体讨论 (art. 57 ¶2)
    NOTIFIED = "notified"  # 告知, prior notice served (arts. 44, 62)
    STATEMENT_DEFENCE = "statement_defence"  # 陈述申辩, statement received, re-check (art. 45)
    HEARING = "hearing"  # 听证 (arts. 63-65)
    DECIDED = "decided"  # 决定 (arts. 59, 60)
    SERVED = "served"  # 送达 (art. 61)
    ENFORCING = "enforcing"  # 执行 (arts. 66, 67, 72)
    COURT_ENFORCEMENT = "court_enforcement"  # 申请法院强制执行 (行政强制法 arts. 53, 54)
    CLOSED = "closed"  # 结案
    ARCHIVED = "archived"  # 归档 (art. 47)
    # Side states.
    NOT_FILED = "not_filed"  # 不予立案 (or sent to the competent agency)
    SUSPENDED = "suspended"  # 中止调查, a clock stop
    TRANSFERRED_CRIMINAL = "transferred_criminal"  # 移送司法机关 (§2.1), a clock stop
    TRANSFERRED_DETENTION = "transferred_detention"  # 移送行政拘留 (环境保护法 art. 63)
    NO_PENALTY_MINOR = "no_penalty_minor"  # 不予处罚 (情节轻微, art. 57 (2))
    NO_PENALTY_UNFOUNDED = "no_penalty_unfounded"  # 不予处罚 (事实不成立, art. 57 (3))
    WITHDRAWN = "withdrawn"  # 撤销立案 / 撤销处罚决定
    # Simple procedure (arts. 51-53).
    ON_THE_SPOT = "on_the_spot"  # 当场处罚
    ON_THE_SPOT_REPORTED = "on_the_spot_reported"  # 当场处罚已报备案


class AdminEvent(StrEnum):
    """Event (操作) that moves an administrative penalty case."""

    FILE = "file"  # 立案
    DECLINE_TO_FILE = "decline_to_file"  # 不予立案
    PENALISE_ON_THE_SPOT = "penalise_on_the_spot"  # 当场作出处罚决定 (art. 51)
    REPORT_ON_THE_SPOT = "report_on_the_spot"  # 报所属机关备案 (art. 52; 2010 rule: 3 working days)
    START_INVESTIGATION = "start_investigation"  # 开展调查
    CONCLUDE_INVESTIGATION = "conclude_investigation"  # 调查终结, 移送审查
    RETURN_FOR_INVESTIGATION = "return_for_investigation"  # 补充调查
    NOTIFY = "notify"  # 事先告知 (or a new notice)
    RECEIVE_STATEMENT = "receive_statement"  # 收到陈述申辩
    END_REPLY_PERIOD = "end_reply_period"  # 陈述申辩期满或书面放弃
    COMPLETE_RECHECK = "complete_recheck"  # 复核完毕 (art. 45)
    REQUEST_HEARING = "request_hearing"  # 申请听证
    CONCLUDE_HEARING = "conclude_hearing"  # 听证结束, record signed
    WAIVE_HEARING = "waive_hearing"  # 放弃听证 (incl. absence without reason)
    REQUEST_LEGAL_REVIEW = "request_legal_review"  # 送法制审核
    PASS_LEGAL_REVIEW = "pass_legal_review"  # 法制审核通过
    FAIL_LEGAL_REVIEW = "fail_legal_review"  # 法制审核未通过
    REFER_COLLECTIVE_DISCUSSION = "refer_collective_discussion"  # 提交集体讨论
    CONCLUDE_COLLECTIVE_DISCUSSION = "conclude_collective_discussion"  # 集体讨论结束
    DECIDE = "decide"  # 作出行政处罚决定
    DECIDE_NO_PENALTY_MINOR = "decide_no_penalty_minor"  # 不予处罚决定 (情节轻微)
    DECIDE_NO_PENALTY_UNFOUNDED = "decide_no_penalty_unfounded"  # 不予处罚决定 (事实不成立)
    TRANSFER_CRIMINAL = "transfer_criminal"  # 移送司法机关
    RETURNED_BY_JUDICIAL_ORGANS = "returned_by_judicial_organs"  # 不立案/撤案/不起诉/免刑/退回
    CRIMINAL_CASE_CONCLUDED = "criminal_case_concluded"  # 已追究刑事责任
    TRANSFER_DETENTION = "transfer_detention"  # 移送公安机关行政拘留
    RECEIVE_DETENTION_DECISION = "receive_detention_decision"  # 公安机关反馈拘留决定或不予受理
    SUSPEND = "suspend"  # 中止调查
    RESUME = "resume"  # 恢复调查
    WITHDRAW = "withdraw"  # 撤销立案 / 终止调查
    REVOKE_DECISION = "revoke_decision"  # 撤销处罚决定 (复议, 诉讼 or self-correction)
    SERVE = "serve"  # 送达
    START_ENFORCEMENT = "start_enforcement"  # 进入执行
    SEND_REMINDER = "send_reminder"  # 催告 (行政强制法 art. 54)
    APPLY_COURT_ENFORCEMENT = "apply_court_enforcement"  # 申请法院强制执行
    RECORD_PERFORMANCE = "record_performance"  # 履行完毕 (fine paid, order carried out)
    CLOSE = "close"  # 结案
    ARCHIVE = "archive"  # 归档


class Art58Condition(StrEnum):
    """Conditions that make legal review (法制审核) mandatory (行政处罚法 art. 58 ¶1)."""

    MAJOR_PUBLIC_INTEREST = "major_public_interest"  # 涉及重大公共利益
    MAJOR_RIGHTS_AFTER_HEARING = "major_rights_after_hearing"  # 直接关系重大权益, 经过听证
    COMPLEX = "complex"  # 案件情况疑难复杂、涉及多个法律关系
    OTHER_STATUTORY = "other_statutory"  # 法律、法规规定的其他情形


class HearingRight(StrEnum):
    """Whether a penalty type gives the party a right to a hearing (听证)."""

    NEVER = "never"
    BY_AMOUNT = "by_amount"  # from the thresholds in force (较大数额)
    ALWAYS = "always"


class PenaltyType(StrEnum):
    """Penalty type (处罚种类): 行政处罚法 art. 9 and the 2023 MEE measures' additions."""

    WARNING = "warning"  # 警告
    CIRCULATED_CRITICISM = "circulated_criticism"  # 通报批评
    FINE = "fine"  # 罚款
    CONFISCATE_GAINS = "confiscate_gains"  # 没收违法所得
    CONFISCATE_PROPERTY = "confiscate_property"  # 没收非法财物
    SUSPEND_PERMIT = "suspend_permit"  # 暂扣许可证件
    LOWER_QUALIFICATION = "lower_qualification"  # 降低资质等级
    REVOKE_PERMIT = "revoke_permit"  # 吊销许可证件
    RESTRICT_PRODUCTION = "restrict_production"  # 限制开展生产经营活动
    ORDER_SUSPENSION = "order_suspension"  # 责令停产停业
    ORDER_CLOSURE = "order_closure"  # 责令关闭
    RESTRICT_EMPLOYMENT = "restrict_employment"  # 限制从业
    DETENTION = "detention"  # 行政拘留 (public security only: see TRANSFER_DETENTION)
    BAR_PERMIT_APPLICATIONS = "bar_permit_applications"  # 一定时期内不得申请行政许可
    SUSPENSION_FOR_RECTIFICATION = "suspension_for_rectification"  # 责令停产整治
    BAN_EMPLOYMENT = "ban_employment"  # 禁止从业
    ORDER_DEMOLITION = "order_demolition"  # 责令限期拆除


@dataclass(frozen=True)
class PenaltyTypeInfo:
    """A penalty type with its Chinese label, legal basis and hearing right."""

    value: PenaltyType
    label: str
    basis: str
    hearing: HearingRight


_ART9 = "行政处罚法 art. 9"
_MEE2023 = "生态环境行政处罚办法 2023 [R: article of the type list unchecked]"
_T = PenaltyType
_H = HearingRight
# Hearing rights: 行政处罚法 art. 63 and, broader, 生态环境行政处罚办法 2023 art. 46 (DOMAIN §1.3).
PENALTY_TYPES: tuple[PenaltyTypeInfo, ...] = (
    PenaltyTypeInfo(_T.WARNING, "警告", _ART9, _H.NEVER),
    PenaltyTypeInfo(_T.CIRCULATED_CRITICISM, "通报批评", _ART9, _H.NEVER),
    PenaltyTypeInfo(_T.FINE, "罚款", _ART9, _H.BY_AMOUNT),
    PenaltyTypeInfo(_T.CONFISCATE_GAINS, "没收违法所得", _ART9, _H.BY_AMOUNT),
    PenaltyTypeInfo(_T.CONFISCATE_PROPERTY, "没收非法财物", _ART9, _H.BY_AMOUNT),
    PenaltyTypeInfo(_T.SUSPEND_PERMIT, "暂扣许可证件", _ART9, _H.NEVER),
    PenaltyTypeInfo(_T.LOWER_QUALIFICATION, "降低资质等级", _ART9, _H.ALWAYS),
    PenaltyTypeInfo(_T.REVOKE_PERMIT, "吊销许可证件", _ART9, _H.ALWAYS),
    PenaltyTypeInfo(_T.RESTRICT_PRODUCTION, "限制开展生产经营活动", _ART9, _H.NEVER),
    PenaltyTypeInfo(_T.ORDER_SUSPENSION, "责令停产停业", _ART9, _H.ALWAYS),
    PenaltyTypeInfo(_T.ORDER_CLOSURE, "责令关闭", _ART9, _H.ALWAYS),
    PenaltyTypeInfo(_T.RESTRICT_EMPLOYMENT, "限制从业", _ART9, _H.ALWAYS),
    PenaltyTypeInfo(_T.DETENTION, "行政拘留", _ART9 + "; 环境保护法 art. 63 (公安机关)", _H.NEVER),
    PenaltyTypeInfo(_T.BAR_PERMIT_APPLICATIONS, "一定时期内不得申请行政许可", _MEE2023, _H.ALWAYS),
    PenaltyTypeInfo(_T.SUSPENSION_FOR_RECTIFICATION, "责令停产整治", _MEE2023, _H.ALWAYS),
    PenaltyTypeInfo(_T.BAN_EMPLOYMENT, "禁止从业", _MEE2023, _H.ALWAYS),
    PenaltyTypeInfo(_T.ORDER_DEMOLITION, "责令限期拆除", _MEE2023, _H.NEVER),
)
_PENALTY_INFO: Mapping[str, PenaltyTypeInfo] = MappingProxyType({p.value: p for p in PENALTY_TYPES})


@dataclass(frozen=True)
class HearingThreshold:
    """Amounts (较大数额) from which a fine or confiscation gives a right to a hearing.

    Configuration versioned by date: the entry in force on a date is the latest whose
    ``effective_from`` is not after it. ``inclusive``: an amount equal to the threshold counts.
    """

    effective_from: date
    org_fine_cents: int
    citizen_fine_cents: int
    inclusive: bool
    source: str


HEARING_THRESHOLDS: tuple[HearingThreshold, ...] = (
    HearingThreshold(
        effective_from=date.min,  # earlier history is not modelled
        org_fine_cents=50_000_00,
        citizen_fine_cents=5_000_00,
        inclusive=True,
        source="环境行政处罚听证程序规定 (2010): ≥ 50,000 / ≥ 5,000 CNY [V: ihb65.com]",
    ),
    HearingThreshold(
        effective_from=date(2023, 7, 1),
        org_fine_cents=200_000_00,
        citizen_fine_cents=5_000_00,
        inclusive=True,
        source=(
            "生态环境行政处罚办法 2023 arts. 46, 89: 200,000 CNY organisation [V]; "
            "citizen 5,000 CNY [R]; inclusive [R] (one commentator reads 200,000 as exclusive)"
        ),
    ),
)

# 行政处罚法 art. 51: on-the-spot fines up to 200 CNY (citizen) / 3,000 CNY (organisation).
SIMPLE_PROCEDURE_MAX_FINE_CENTS: Mapping[bool, int] = MappingProxyType(
    {False: 200_00, True: 3_000_00}
)


def hearing_eligible(
    penalty_types: Iterable[str],
    fine_cents: int | None,
    party_is_organisation: bool,
    on: date,
    thresholds: Iterable[HearingThreshold] = HEARING_THRESHOLDS,
    *,
    confiscated_cents: int | None = None,
) -> bool:
    """Whether the party may request a hearing (听证) on the proposed penalties.

    Types with :attr:`HearingRight.ALWAYS` qualify regardless of amount (生态环境行政处罚办法
    2023 art. 46); a fine qualifies from the threshold in force ``on`` the given date (the
    notice date); a confiscation qualifies from the same threshold, or whenever its value is
    unknown (``confiscated_cents`` None), so a missing value never costs the party its right.

    Raises
    ------
    ValueError
        For an unknown penalty type, or when no threshold is in force on ``on``.

    Examples
    --------
    >>> hearing_eligible({"fine"}, 100_000_00, True, date(2023, 6, 30))
    True
    >>> hearing_eligible({"fine"}, 100_000_00, True, date(2023, 7, 1))
    False
    >>> hearing_eligible({"revoke_permit"}, None, False, date(2026, 1, 5))
    True
    """
    types = [_penalty_info(t) for t in penalty_types]
    if any(t.hearing is HearingRight.ALWAYS for t in types):
        return True
    in_force = [t for t in thresholds if t.effective_from <= on]
    if not in_force:
        raise ValueError(f"no hearing threshold is in force on {on}")
    threshold = max(in_force, key=lambda t: t.effective_from)
    limit = threshold.org_fine_cents if party_is_organisation else threshold.citizen_fine_cents

    def large(amount: int) -> bool:
        return amount >= limit if threshold.inclusive else amount > limit

    for info in types:
        if info.hearing is not HearingRight.BY_AMOUNT:
            continue
        if info.value is PenaltyType.FINE:
            if large(fine_cents or 0):
                return True
        elif confiscated_cents is None or large(confiscated_cents):
            return True
    return False


def _penalty_info(value: str) -> PenaltyTypeInfo:
    try:
        return _PENALTY_INFO[value]
    except KeyError:
        raise ValueError(f"unknown penalty type {value!r}") from None


@dataclass(frozen=True)
class AdminFacts:
    """What the guards of an administrative case need, as plain values (no database).

    The service computes them: ``hearing_eligible`` with :func:`hearing_eligible`, the dates
    from the legal clock (``decision_due`` = filing + 90 days + extensions approved before the
    limit + clock stops). Defaults are the cautious ones: nothing done, nothing served.
    """

    today: date
    actor_is_bureau_head: bool = False
    # Investigation: valid certificated officers on each record (笔录), 行政处罚法 arts. 42, 55.
    investigation_officer_counts: tuple[int, ...] = ()
    # Notice, statement and defence, hearing.
    notice_served: bool = False
    rights_waived_in_writing: bool = False  # 书面放弃陈述、申辩和听证权利
    reply_period_ends: date | None = None
    defence_received: bool = False
    hearing_eligible: bool = False
    hearing_requested: bool = False
    hearing_held_or_waived: bool = False
    # Legal review and collective discussion.
    art58_conditions: frozenset[str] = frozenset()
    legal_review_passed: bool = False
    collective_discussion_required: bool = False
    collective_discussion_done: bool = False
    # The penalty: as notified, and as to be decided.
    party_is_organisation: bool = False
    proposed_penalty_types: frozenset[str] = frozenset()
    proposed_fine_cents: int | None = None
    penalty_types: frozenset[str] = frozenset()
    final_fine_cents: int | None = None
    fines_per_act: Mapping[str, int] = field(default_factory=dict)  # act id -> number of fines
    has_correction_order: bool = False
    # Decision limit (行政处罚法 art. 60): due date from the legal clock; overdue override.
    decision_due: date | None = None
    overdue_reason: str | None = None
    # Court enforcement (行政强制法 arts. 53, 54), dates from the legal clock.
    reminder_period_ends: date | None = None  # 催告书送达 + 10 working days
    court_application_opens: date | None = None  # after the periods for 复议 and 诉讼
    court_application_closes: date | None = None  # + 3 months


class AdminRule(StrEnum):
    """Code of each legal rule the administrative guards enforce."""

    TWO_OFFICERS = "two_officers"
    SIMPLE_PROCEDURE_LIMITS = "simple_procedure_limits"
    REPLY_PERIOD = "reply_period"
    HEARING_ELIGIBILITY = "hearing_eligibility"
    NOTICE_BEFORE_DECISION = "notice_before_decision"
    HEARING_BEFORE_DECISION = "hearing_before_decision"
    LEGAL_REVIEW = "legal_review"
    COLLECTIVE_DISCUSSION = "collective_discussion"
    NO_INCREASE_AFTER_NOTICE = "no_increase_after_notice"
    ONE_FINE_PER_ACT = "one_fine_per_act"
    CORRECTION_ORDER = "correction_order"
    DECISION_TIME_LIMIT = "decision_time_limit"
    REMINDER_BEFORE_COURT = "reminder_before_court"
    COURT_APPLICATION_WINDOW = "court_application_window"


_AP = Law.ADMIN_PENALTY_LAW  # 行政处罚法 (2021)
_EP = Law.ECO_PENALTY_MEASURES  # 生态环境行政处罚办法 (2023)
_AC = Law.ADMIN_COERCION_LAW  # 行政强制法

# Title (its zh-CN translation is the Chinese name) and legal basis of each rule.
RULES: Mapping[AdminRule, GuardRule] = MappingProxyType(
    {
        AdminRule.TWO_OFFICERS: GuardRule(
            N_("Two or more certified officers"),  # 两名以上持证执法人员
            (Citation(_AP, "42, 55"),),
        ),
        AdminRule.SIMPLE_PROCEDURE_LIMITS: GuardRule(
            N_("Conditions for the simple procedure"),  # 简易程序适用条件
            (Citation(_AP, "51"),),
        ),
        AdminRule.REPLY_PERIOD: GuardRule(
            N_("Period for statement and defence"),  # 陈述申辩期限
            (Citation(_AP, "44, 45"),),
        ),
        AdminRule.HEARING_ELIGIBILITY: GuardRule(
            N_("Scope of hearings"),  # 听证范围
            (Citation(_AP, "63"), Citation(_EP, "46, 89")),
        ),
        AdminRule.NOTICE_BEFORE_DECISION: GuardRule(
            N_("Prior notice"),  # 事先告知
            (Citation(_AP, "44, 62"),),
        ),
        AdminRule.HEARING_BEFORE_DECISION: GuardRule(
            N_("Hearing"),  # 听证
            (Citation(_AP, "63–65"), Citation(_EP, "46")),
        ),
        AdminRule.LEGAL_REVIEW: GuardRule(
            N_("Legal review"),  # 法制审核
            (Citation(_AP, "58"),),
        ),
        AdminRule.COLLECTIVE_DISCUSSION: GuardRule(
            N_("Collective discussion"),  # 集体讨论
            (Citation(_AP, "57"),),
        ),
        AdminRule.NO_INCREASE_AFTER_NOTICE: GuardRule(
            N_("No heavier penalty because of the statement or defence"),  # 不得因陈述申辩加重处罚
            (Citation(_AP, "45"),),
        ),
        AdminRule.ONE_FINE_PER_ACT: GuardRule(
            N_("No second fine for the same act"),  # 一事不再罚
            (Citation(_AP, "29"),),
        ),
        AdminRule.CORRECTION_ORDER: GuardRule(
            N_("Order to correct the illegal act"),  # 责令改正
            (Citation(_AP, "28"),),
        ),
        AdminRule.DECISION_TIME_LIMIT: GuardRule(
            N_("Penalty decision period"),  # 处罚决定期限
            (Citation(_AP, "60"), Citation(_EP, "57")),
        ),
        AdminRule.REMINDER_BEFORE_COURT: GuardRule(
            N_("Reminder before enforcement"),  # 催告
            (Citation(_AC, "54"),),
        ),
        AdminRule.COURT_APPLICATION_WINDOW: GuardRule(
            N_("Court enforcement application period"),  # 申请强制执行期限
            (Citation(_AC, "53"), Citation(Law.SPC_ADMIN_LITIGATION_INTERPRETATION, "156")),
        ),
    }
)

_WAIVER = N_("Record the party's written waiver of statement, defence and hearing.")


def _fail(rule: AdminRule, reason: str, *ways_forward: str) -> GuardFailure:
    title, basis = RULES[rule]
    return GuardFailure(rule, title, basis, reason, tuple(ways_forward))


def two_officers(facts: AdminFacts) -> GuardFailure | None:
    """Every investigation record was made by ≥ 2 officers with valid certificates (执法证)."""
    if not facts.investigation_officer_counts:
        reason = N_("No investigation record has been entered yet.")
    elif min(facts.investigation_officer_counts) < 2:
        reason = N_(
            "An investigation record was made by fewer than two officers holding valid "
            "enforcement certificates."
        )
    else:
        return None
    return _fail(
        AdminRule.TWO_OFFICERS,
        reason,
        N_("Collect the evidence again with two certified officers present."),
        N_("Check that each officer's enforcement certificate was valid on the record date."),
    )


def simple_procedure_limits(facts: AdminFacts) -> GuardFailure | None:
    """An on-the-spot penalty is a warning and/or a small fine (当场处罚)."""
    allowed = {PenaltyType.WARNING, PenaltyType.FINE}
    cap = SIMPLE_PROCEDURE_MAX_FINE_CENTS[facts.party_is_organisation]
    if (
        facts.penalty_types
        and facts.penalty_types <= allowed
        and (facts.final_fine_cents or 0) <= cap
    ):
        return None
    return _fail(
        AdminRule.SIMPLE_PROCEDURE_LIMITS,
        N_(
            "An on-the-spot penalty may only be a warning or a fine of at most 200 CNY for a "
            "citizen or 3,000 CNY for an organisation."
        ),
        N_("Use the general procedure: file the case and investigate."),
    )


def reply_period(facts: AdminFacts) -> GuardFailure | None:
    """The party had its full reply period, or waived it in writing."""
    ends = facts.reply_period_ends
    if facts.rights_waived_in_writing or (ends is not None and facts.today > ends):
        return None
    return _fail(
        AdminRule.REPLY_PERIOD,
        N_("The party's reply period has not ended and the party has not waived it in writing."),
        N_("Wait until the reply period ends."),
        _WAIVER,
    )


def hearing_eligibility(facts: AdminFacts) -> GuardFailure | None:
    """The proposed penalty gives the party a right to a hearing."""
    if facts.hearing_eligible:
        return None
    return _fail(
        AdminRule.HEARING_ELIGIBILITY,
        N_("The proposed penalty does not give the party a right to a hearing."),
        N_("Record the party's statement and defence instead."),
        N_("Check the hearing thresholds in force on the notice date."),
    )


def notice_before_decision(facts: AdminFacts) -> GuardFailure | None:
    """A prior notice (事先告知书) was served, or the party waived its rights in writing."""
    if facts.notice_served or facts.rights_waived_in_writing:
        return None
    return _fail(
        AdminRule.NOTICE_BEFORE_DECISION,
        N_("No prior notice of the proposed penalty has been served on the party."),
        N_("Serve the prior notice and wait for the party's reply."),
        _WAIVER,
    )


def hearing_before_decision(facts: AdminFacts) -> GuardFailure | None:
    """A requested hearing was held or waived before the decision."""
    if not facts.hearing_requested or facts.hearing_held_or_waived:
        return None
    return _fail(
        AdminRule.HEARING_BEFORE_DECISION,
        N_("The party requested a hearing that has been neither held nor waived."),
        N_("Hold the hearing and record it; absence without good reason counts as a waiver."),
    )


def legal_review(facts: AdminFacts) -> GuardFailure | None:
    """Legal review passed when any art. 58 condition holds."""
    if not facts.art58_conditions or facts.legal_review_passed:
        return None
    return _fail(
        AdminRule.LEGAL_REVIEW,
        N_("An art. 58 condition applies, so a legal review must pass before the decision."),
        N_("Submit the case for legal review."),
        N_("If the review failed, revise the proposal and submit it again."),
    )


def collective_discussion(facts: AdminFacts) -> GuardFailure | None:
    """Complex or major cases are decided by the heads collectively."""
    if not facts.collective_discussion_required or facts.collective_discussion_done:
        return None
    return _fail(
        AdminRule.COLLECTIVE_DISCUSSION,
        N_("A complex or major case must be discussed collectively by the agency's heads."),
        N_("Refer the case to a collective discussion and record its conclusion."),
    )


def no_increase_after_notice(facts: AdminFacts) -> GuardFailure | None:
    """The decided penalty is no heavier than the notified one: no new type, no higher fine."""
    if not facts.notice_served:
        return None
    heavier = not facts.penalty_types <= facts.proposed_penalty_types or (
        (facts.final_fine_cents or 0) > (facts.proposed_fine_cents or 0)
    )
    if not heavier:
        return None
    return _fail(
        AdminRule.NO_INCREASE_AFTER_NOTICE,
        N_(
            "The penalty is heavier than the one notified to the party; it may not be "
            "increased because of the party's statement or defence."
        ),
        N_("Decide at or below the notified penalty."),
        N_("If new facts, not the defence, justify a heavier penalty, serve a new prior notice."),
    )


def one_fine_per_act(facts: AdminFacts) -> GuardFailure | None:
    """The same illegal act is fined once only, at the highest applicable amount."""
    if all(count <= 1 for count in facts.fines_per_act.values()):
        return None
    return _fail(
        AdminRule.ONE_FINE_PER_ACT,
        N_("An illegal act carries more than one fine."),
        N_("Keep one fine per act, under the norm with the highest fine."),
    )


def correction_order(facts: AdminFacts) -> GuardFailure | None:
    """Every penalty comes with an order to correct the illegal act (责令改正)."""
    if facts.has_correction_order:
        return None
    return _fail(
        AdminRule.CORRECTION_ORDER,
        N_("A penalty must be accompanied by an order to correct the illegal act."),
        N_("Issue the order to correct together with the decision."),
    )


def decision_overdue(facts: AdminFacts) -> bool:
    """Whether the decision limit has passed: the service records the breach when it is."""
    return facts.decision_due is not None and facts.today > facts.decision_due


def decision_time_limit(facts: AdminFacts) -> GuardFailure | None:
    """Decide within 90 days of filing, plus extensions and clock stops, or record why not.

    A bureau head may still record an overdue decision with a stated reason, so a case is
    never stuck; the breach then stays visible (see :func:`decision_overdue`).
    """
    if facts.decision_due is None:
        return _fail(
            AdminRule.DECISION_TIME_LIMIT,
            N_("The decision deadline has not been computed for this case."),
            N_("Record the filing date so the legal clock can compute the deadline."),
        )
    if not decision_overdue(facts):
        return None
    stated = bool(facts.overdue_reason and facts.overdue_reason.strip())
    if stated and facts.actor_is_bureau_head:
        return None
    reason = (
        N_("The decision limit has passed; only a bureau head may record an overdue decision.")
        if stated
        else N_(
            "The 90-day decision limit, counted from filing with approved extensions and "
            "clock stops, has passed."
        )
    )
    return _fail(
        AdminRule.DECISION_TIME_LIMIT,
        reason,
        N_("Approve a 30-day extension (head's approval) before the limit passes."),
        N_("Approve a second extension of up to 30 days by collective discussion."),
        N_("Record the clock stops (hearing, public notice, monitoring, appraisal, service)."),
        N_("A bureau head records the decision with a stated reason for the delay."),
    )


def reminder_before_court(facts: AdminFacts) -> GuardFailure | None:
    """A written reminder (催告书) was served ≥ 10 working days before applying to the court."""
    ends = facts.reminder_period_ends
    if ends is not None and facts.today > ends:
        return None
    return _fail(
        AdminRule.REMINDER_BEFORE_COURT,
        N_("A written reminder must be served at least 10 working days before the application."),
        N_("Serve a written reminder and wait 10 working days."),
    )


def court_application_window(facts: AdminFacts) -> GuardFailure | None:
    """Apply within 3 months after the party's periods for 复议 and 诉讼 have expired."""
    opens, closes = facts.court_application_opens, facts.court_application_closes
    if opens is None or closes is None or facts.today < opens:
        return _fail(
            AdminRule.COURT_APPLICATION_WINDOW,
            N_("The party's periods for reconsideration and suit have not yet expired."),
            N_("Wait until the periods for reconsideration and suit have expired."),
        )
    if facts.today > closes:
        return _fail(
            AdminRule.COURT_APPLICATION_WINDOW,
            N_("The three-month period for applying to the court has passed."),
            N_("Close the case and record why enforcement was not applied for in time."),
        )
    return None


_S = AdminStatus
_E = AdminEvent
_PRE_DECISION = (
    _S.INVESTIGATING,
    _S.REVIEW,
    _S.LEGAL_REVIEW,
    _S.COLLECTIVE_DISCUSSION,
    _S.NOTIFIED,
    _S.STATEMENT_DEFENCE,
    _S.HEARING,
)
_DECIDED = (_S.DECIDED, _S.SERVED, _S.ENFORCING, _S.COURT_ENFORCEMENT, _S.ON_THE_SPOT_REPORTED)

TRANSITIONS: Mapping[tuple[AdminStatus, AdminEvent], AdminStatus] = MappingProxyType(
    {
        (_S.LEAD, _E.FILE): _S.FILED,
        (_S.LEAD, _E.DECLINE_TO_FILE): _S.NOT_FILED,
        (_S.LEAD, _E.PENALISE_ON_THE_SPOT): _S.ON_THE_SPOT,
        (_S.NOT_FILED, _E.ARCHIVE): _S.ARCHIVED,
        (_S.ON_THE_SPOT, _E.REPORT_ON_THE_SPOT): _S.ON_THE_SPOT_REPORTED,
        (_S.ON_THE_SPOT_REPORTED, _E.RECORD_PERFORMANCE): _S.CLOSED,
        (_S.ON_THE_SPOT_REPORTED, _E.START_ENFORCEMENT): _S.ENFORCING,
        (_S.FILED, _E.START_INVESTIGATION): _S.INVESTIGATING,
        (_S.FILED, _E.WITHDRAW): _S.WITHDRAWN,
        (_S.INVESTIGATING, _E.CONCLUDE_INVESTIGATION): _S.REVIEW,
        (_S.INVESTIGATING, _E.TRANSFER_CRIMINAL): _S.TRANSFERRED_CRIMINAL,
        (_S.REVIEW, _E.RETURN_FOR_INVESTIGATION): _S.INVESTIGATING,
        (_S.REVIEW, _E.NOTIFY): _S.NOTIFIED,
        (_S.REVIEW, _E.REQUEST_LEGAL_REVIEW): _S.LEGAL_REVIEW,
        (_S.REVIEW, _E.REFER_COLLECTIVE_DISCUSSION): _S.COLLECTIVE_DISCUSSION,
        (_S.REVIEW, _E.DECIDE): _S.DECIDED,
        (_S.REVIEW, _E.DECIDE_NO_PENALTY_MINOR): _S.NO_PENALTY_MINOR,
        (_S.REVIEW, _E.DECIDE_NO_PENALTY_UNFOUNDED): _S.NO_PENALTY_UNFOUNDED,
        (_S.REVIEW, _E.TRANSFER_CRIMINAL): _S.TRANSFERRED_CRIMINAL,
        (_S.REVIEW, _E.TRANSFER_DETENTION): _S.TRANSFERRED_DETENTION,
        (_S.LEGAL_REVIEW, _E.PASS_LEGAL_REVIEW): _S.REVIEW,
        (_S.LEGAL_REVIEW, _E.FAIL_LEGAL_REVIEW): _S.REVIEW,
        (_S.COLLECTIVE_DISCUSSION, _E.CONCLUDE_COLLECTIVE_DISCUSSION): _S.REVIEW,
        (_S.NOTIFIED, _E.RECEIVE_STATEMENT): _S.STATEMENT_DEFENCE,
        (_S.NOTIFIED, _E.REQUEST_HEARING): _S.HEARING,
        (_S.NOTIFIED, _E.END_REPLY_PERIOD): _S.REVIEW,
        (_S.STATEMENT_DEFENCE, _E.REQUEST_HEARING): _S.HEARING,
        (_S.STATEMENT_DEFENCE, _E.COMPLETE_RECHECK): _S.REVIEW,
        (_S.HEARING, _E.CONCLUDE_HEARING): _S.REVIEW,  # art. 65: decide per art. 57
        (_S.HEARING, _E.WAIVE_HEARING): _S.REVIEW,
        # Criminal transfer suspends the penalty clock; the case comes back unless criminal
        # liability disposed of it (移送规定 arts. 11, 13; 衔接办法 arts. 16-18; DOMAIN §2.1, §7).
        (_S.TRANSFERRED_CRIMINAL, _E.RETURNED_BY_JUDICIAL_ORGANS): _S.REVIEW,
        (_S.TRANSFERRED_CRIMINAL, _E.CRIMINAL_CASE_CONCLUDED): _S.CLOSED,
        (_S.TRANSFERRED_DETENTION, _E.RECEIVE_DETENTION_DECISION): _S.REVIEW,
        **{(s, _E.SUSPEND): _S.SUSPENDED for s in _PRE_DECISION},
        (_S.SUSPENDED, _E.RESUME): _S.INVESTIGATING,
        **{(s, _E.WITHDRAW): _S.WITHDRAWN for s in (*_PRE_DECISION, _S.SUSPENDED)},
        (_S.DECIDED, _E.SERVE): _S.SERVED,
        (_S.SERVED, _E.START_ENFORCEMENT): _S.ENFORCING,
        (_S.SERVED, _E.RECORD_PERFORMANCE): _S.CLOSED,
        (_S.ENFORCING, _E.SEND_REMINDER): _S.ENFORCING,
        (_S.ENFORCING, _E.APPLY_COURT_ENFORCEMENT): _S.COURT_ENFORCEMENT,
        (_S.ENFORCING, _E.RECORD_PERFORMANCE): _S.CLOSED,
        (_S.COURT_ENFORCEMENT, _E.RECORD_PERFORMANCE): _S.CLOSED,
        (_S.COURT_ENFORCEMENT, _E.CLOSE): _S.CLOSED,  # 终结执行 / 裁定不予执行
        **{(s, _E.REVOKE_DECISION): _S.WITHDRAWN for s in _DECIDED},
        (_S.NO_PENALTY_MINOR, _E.CLOSE): _S.CLOSED,
        (_S.NO_PENALTY_UNFOUNDED, _E.CLOSE): _S.CLOSED,
        (_S.WITHDRAWN, _E.CLOSE): _S.CLOSED,
        (_S.CLOSED, _E.ARCHIVE): _S.ARCHIVED,
    }
)

_DECISION_RULES: tuple[Guard[AdminFacts], ...] = (legal_review, decision_time_limit)
GUARDS: Mapping[AdminEvent, tuple[Guard[AdminFacts], ...]] = MappingProxyType(
    {
        _E.PENALISE_ON_THE_SPOT: (two_officers, simple_procedure_limits, correction_order),
        _E.CONCLUDE_INVESTIGATION: (two_officers,),
        _E.END_REPLY_PERIOD: (reply_period,),
        _E.REQUEST_HEARING: (hearing_eligibility,),
        _E.DECIDE: (
            two_officers,
            notice_before_decision,
            hearing_before_decision,
            legal_review,
            collective_discussion,
            no_increase_after_notice,
            one_fine_per_act,
            correction_order,
            decision_time_limit,
        ),
        _E.DECIDE_NO_PENALTY_MINOR: _DECISION_RULES,
        _E.DECIDE_NO_PENALTY_UNFOUNDED: _DECISION_RULES,
        _E.APPLY_COURT_ENFORCEMENT: (reminder_before_court, court_application_window),
    }
)

_LABELS = {
    _S.LEAD: "线索",
    _S.FILED: "立案",
    _S.INVESTIGATING: "调查取证",
    _S.REVIEW: "案件审查",
    _S.LEGAL_REVIEW: "法制审核",
    _S.COLLECTIVE_DISCUSSION: "集体讨论",
    _S.NOTIFIED: "告知",
    _S.STATEMENT_DEFENCE: "陈述申辩",
    _S.HEARING: "听证",
    _S.DECIDED: "决定",
    _S.SERVED: "送达",
    _S.ENFORCING: "执行",
    _S.COURT_ENFORCEMENT: "申请法院强制执行",
    _S.CLOSED: "结案",
    _S.ARCHIVED: "归档",
    _S.NOT_FILED: "不予立案",
    _S.SUSPENDED: "中止调查",
    _S.TRANSFERRED_CRIMINAL: "移送司法机关",
    _S.TRANSFERRED_DETENTION: "移送行政拘留",
    _S.NO_PENALTY_MINOR: "不予处罚（情节轻微）",
    _S.NO_PENALTY_UNFOUNDED: "不予处罚（事实不成立）",
    _S.WITHDRAWN: "撤销",
    _S.ON_THE_SPOT: "当场处罚",
    _S.ON_THE_SPOT_REPORTED: "当场处罚备案",
}

ADMINISTRATIVE: Lifecycle[AdminStatus, AdminEvent, AdminFacts] = Lifecycle(
    name="administrative",
    statuses=AdminStatus,
    events=AdminEvent,
    transitions=TRANSITIONS,
    initial=AdminStatus.LEAD,
    terminal=frozenset({AdminStatus.ARCHIVED}),
    guards=GUARDS,
    side=frozenset(
        {
            _S.NOT_FILED,
            _S.SUSPENDED,
            _S.TRANSFERRED_CRIMINAL,
            _S.TRANSFERRED_DETENTION,
            _S.NO_PENALTY_MINOR,
            _S.NO_PENALTY_UNFOUNDED,
            _S.WITHDRAWN,
        }
    ),
    labels={status: f"{label} {status}" for status, label in _LABELS.items()},
)
