"""Administrative public-interest case of the procuratorate (行政公益诉讼): DOMAIN.md §3.2.

The procuratorate files a clue, investigates, and sends a recommendation (检察建议) to an agency
that fails its supervisory duty; the agency replies within 2 months (15 days when urgent); the
procuratorate checks whether it performed and either closes the matter or sues; the court's
judgment is one of the kinds listed in 检察公益诉讼解释 art. 25. The reply period depends on the
facts (:func:`reply_rule`), so it is in :data:`ADMIN_PIL_OPENS_BY_FACTS`, not the static opens.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from types import MappingProxyType

from casemgr.i18n import N_
from casemgr.legalbasis import Citation, Law
from casemgr.lifecycles import ChannelSpec, Guard, GuardFailure, GuardRule, Lifecycle, Organ
from casemgr.lifecycles.civil.common import _PROC, _count, _running, _total, _waited

_P, _C = Organ.PROCURATORATE, Organ.COURT


class AdminPilStatus(StrEnum):
    """Status of an administrative public-interest case (检察公益诉讼解释 2018 arts. 21-25)."""

    CLUE = "clue"  # 线索
    FILED = "filed"  # 立案
    INVESTIGATION = "investigation"  # 调查核实
    RECOMMENDATION_ISSUED = "recommendation_issued"  # 检察建议, reply due (art. 21)
    REPLY_RECEIVED = "reply_received"  # 行政机关书面回复
    FOLLOW_UP_CHECK = "follow_up_check"  # 跟进调查
    CLOSED_COMPLIED = "closed_complied"  # 行政机关依法履职, 终结案件
    SUIT_FILED = "suit_filed"  # 提起行政公益诉讼 (行政诉讼法 art. 25 ¶4)
    JUDGED = "judged"  # 一审判决 (art. 25)
    APPEAL = "appeal"  # 二审 (行政诉讼法 arts. 85-89)
    FINAL = "final"  # 判决生效
    CLOSED = "closed"  # 结案
    # Side states.
    WITHDRAWN = "withdrawn"  # 撤回起诉
    TERMINATED = "terminated"  # 不立案 / 终结审查


class AdminPilEvent(StrEnum):
    """Event that moves an administrative public-interest case."""

    FILE = "file"  # 立案
    START_INVESTIGATION = "start_investigation"  # 调查核实
    TERMINATE = "terminate"  # 不立案 / 终结审查
    # The service opens reply_rule(urgent) on this event: the period depends on the facts.
    ISSUE_RECOMMENDATION = "issue_recommendation"  # 发出检察建议
    RECEIVE_REPLY = "receive_reply"  # 收到书面回复
    START_FOLLOW_UP = "start_follow_up"  # 跟进调查
    RECORD_FOLLOW_UP = "record_follow_up"  # 记录履职情况
    CLOSE_COMPLIED = "close_complied"  # 已依法履职, 终结案件
    FILE_SUIT = "file_suit"  # 提起行政公益诉讼
    JUDGE = "judge"  # 一审判决
    SERVE_JUDGMENT = "serve_judgment"  # 判决书送达
    APPEAL = "appeal"  # 上诉
    BECOME_FINAL = "become_final"  # 上诉期满, 判决生效
    JUDGE_SECOND_INSTANCE = "judge_second_instance"  # 二审判决
    WITHDRAW_APPEAL = "withdraw_appeal"  # 准许撤回上诉
    REMAND = "remand"  # 发回重审 (行政诉讼法 art. 89)
    WITHDRAW = "withdraw"  # 准许撤回起诉
    CLOSE = "close"  # 结案 (court)
    CLOSE_REVIEW = "close_review"  # 检察机关结案


class AdminPilJudgment(StrEnum):
    """Kinds of administrative PIL judgment (检察公益诉讼解释 2018 art. 25)."""

    CONFIRM_ILLEGAL = "confirm_illegal"  # 确认违法 (可责令采取补救措施)
    CONFIRM_INVALID = "confirm_invalid"  # 确认无效 [R: art. 25 (1), not listed in DOMAIN]
    REVOKE = "revoke"  # 撤销或者部分撤销 (可判决重新作出)
    ORDER_PERFORMANCE = "order_performance"  # 判决在一定期限内履行
    VARY = "vary"  # 变更
    DISMISS = "dismiss"  # 驳回诉讼请求


@dataclass(frozen=True)
class AdminPilFacts:
    """What the administrative PIL guards read (no database); cautious defaults."""

    today: date
    event_counts: Mapping[str, int] = field(default_factory=dict)
    due: Mapping[str, date] = field(default_factory=dict)
    done: Mapping[str, date] = field(default_factory=dict)
    urgent: bool = False  # 损害继续扩大: the 15-day reply (art. 21)
    agency_performed: bool | None = None  # follow-up finding; None: not recorded yet
    judgment_kind: str = ""  # an AdminPilJudgment value
    claims_realised: bool = False


def reply_rule(urgent: bool) -> str:
    """Legal-clock code of the agency's reply period: 15 days if urgent, else 2 months.

    >>> reply_rule(False)
    'admin_pil.reply'
    """
    return "admin_pil.reply_urgent" if urgent else "admin_pil.reply"


class AdminPilRule(StrEnum):
    """Code of each legal rule the administrative PIL guards enforce."""

    REPLY_OR_PERIOD_RUN = "reply_or_period_run"
    AGENCY_PERFORMED = "agency_performed"
    AGENCY_NOT_PERFORMED = "agency_not_performed"
    JUDGMENT_KIND = "judgment_kind"
    ADMIN_APPEAL_IN_TIME = "admin_appeal_in_time"
    ADMIN_APPEAL_PERIOD_RUN = "admin_appeal_period_run"
    ADMIN_WITHDRAWAL = "admin_withdrawal"


_ALL = Law.ADMIN_LITIGATION_LAW  # 行政诉讼法

# Title (its zh-CN translation is the Chinese name) and legal basis of each rule.
ADMIN_PIL_RULES: Mapping[AdminPilRule, GuardRule] = MappingProxyType(
    {
        AdminPilRule.REPLY_OR_PERIOD_RUN: GuardRule(
            N_("Reply period for a procuratorial recommendation"),  # 检察建议回复期限
            (Citation(_PROC, "21"),),
        ),
        AdminPilRule.AGENCY_PERFORMED: GuardRule(
            N_("Agency performed its duties"),  # 行政机关依法履职
            (Citation(_PROC, "21"),),
        ),
        AdminPilRule.AGENCY_NOT_PERFORMED: GuardRule(
            N_("Agency failed to perform its duties"),  # 行政机关不依法履职
            (Citation(_PROC, "21"), Citation(_ALL, "25(4)")),
        ),
        AdminPilRule.JUDGMENT_KIND: GuardRule(
            # 行政公益诉讼判决种类
            N_("Kinds of judgment in an administrative public-interest suit"),
            (Citation(_PROC, "25"),),
        ),
        AdminPilRule.ADMIN_APPEAL_IN_TIME: GuardRule(
            N_("Period for appeal"),  # 上诉期间
            (Citation(_ALL, "85"),),
        ),
        AdminPilRule.ADMIN_APPEAL_PERIOD_RUN: GuardRule(
            N_("Judgment takes effect"),  # 判决生效
            (Citation(_ALL, "85"),),
        ),
        AdminPilRule.ADMIN_WITHDRAWAL: GuardRule(
            N_("Withdrawal of suit"),  # 撤回起诉
            (Citation(_PROC, "24", recalled=True),),
        ),
    }
)


def _admin_fail(rule: AdminPilRule, reason: str, *ways_forward: str) -> GuardFailure:
    title, basis = ADMIN_PIL_RULES[rule]
    return GuardFailure(rule, title, basis, reason, tuple(ways_forward))


def reply_or_period_run(facts: AdminPilFacts) -> GuardFailure | None:
    """The agency replied, or its reply period (2 months, 15 days if urgent) has run."""
    if _count(facts, AdminPilEvent.RECEIVE_REPLY) > 0 or _waited(facts, reply_rule(facts.urgent)):
        return None
    return _admin_fail(
        AdminPilRule.REPLY_OR_PERIOD_RUN,
        N_("The agency has not replied and its reply period has not ended."),
        N_("Record the agency's written reply when it arrives."),
        N_("Wait until the reply period (two months, or 15 days if urgent) has ended."),
    )


def agency_performed(facts: AdminPilFacts) -> GuardFailure | None:
    """The follow-up check found that the agency performed its duty."""
    if facts.agency_performed is True:
        return None
    return _admin_fail(
        AdminPilRule.AGENCY_PERFORMED,
        N_("The follow-up check has not found that the agency performed its duty."),
        N_("Record the follow-up finding first."),
        N_("If the agency still does not perform, bring an administrative public-interest suit."),
    )


def agency_not_performed(facts: AdminPilFacts) -> GuardFailure | None:
    """The follow-up check found that the agency still does not perform its duty."""
    if facts.agency_performed is False:
        return None
    reason = (
        N_("The follow-up finding has not been recorded.")
        if facts.agency_performed is None
        else N_("The follow-up check found that the agency performed its duty.")
    )
    return _admin_fail(
        AdminPilRule.AGENCY_NOT_PERFORMED,
        reason,
        N_("Record the follow-up finding first."),
        N_("Close the case if the agency has performed its duty."),
    )


def judgment_kind(facts: AdminPilFacts) -> GuardFailure | None:
    """The judgment is one of the kinds of art. 25."""
    if facts.judgment_kind in set(AdminPilJudgment):
        return None
    return _admin_fail(
        AdminPilRule.JUDGMENT_KIND,
        N_("The kind of judgment is missing or unknown."),
        N_(
            "Record one of: confirm_illegal, confirm_invalid, revoke, order_performance, vary, "
            "dismiss."
        ),
    )


def admin_appeal_in_time(facts: AdminPilFacts) -> GuardFailure | None:
    """An appeal is lodged within 15 days of service of the judgment (行政诉讼法 art. 85)."""
    due = _running(facts, "admin_pil.appeal")
    if due is None or facts.today <= due:
        return None
    return _admin_fail(
        AdminPilRule.ADMIN_APPEAL_IN_TIME,
        N_("The period for appealing the judgment has passed."),
        N_("Record that the judgment has become final."),
    )


def admin_appeal_period_run(facts: AdminPilFacts) -> GuardFailure | None:
    """A judgment becomes final once served and left unappealed for 15 days (art. 85)."""
    due = _running(facts, "admin_pil.appeal")
    if due is not None and facts.today > due:
        return None
    return _admin_fail(
        AdminPilRule.ADMIN_APPEAL_PERIOD_RUN,
        N_("The judgment has not been served or the period for appeal has not ended."),
        N_("Record the service of the judgment and wait until the appeal period has ended."),
    )


def admin_withdrawal(facts: AdminPilFacts) -> GuardFailure | None:
    """The procuratorate withdraws only when the agency's correction realised every claim."""
    if facts.claims_realised:
        return None
    return _admin_fail(
        AdminPilRule.ADMIN_WITHDRAWAL,
        N_("The procuratorate may withdraw only when all its claims have been realised."),
        N_("Record that every claim has been realised, or ask the court to confirm illegality."),
    )


_AS = AdminPilStatus
_AE = AdminPilEvent

ADMIN_PIL_TRANSITIONS: Mapping[tuple[AdminPilStatus, AdminPilEvent], AdminPilStatus] = (
    MappingProxyType(
        {
            (_AS.CLUE, _AE.FILE): _AS.FILED,
            (_AS.FILED, _AE.START_INVESTIGATION): _AS.INVESTIGATION,
            **{
                (s, _AE.TERMINATE): _AS.TERMINATED for s in (_AS.CLUE, _AS.FILED, _AS.INVESTIGATION)
            },
            (_AS.INVESTIGATION, _AE.ISSUE_RECOMMENDATION): _AS.RECOMMENDATION_ISSUED,
            (_AS.RECOMMENDATION_ISSUED, _AE.RECEIVE_REPLY): _AS.REPLY_RECEIVED,
            (_AS.RECOMMENDATION_ISSUED, _AE.START_FOLLOW_UP): _AS.FOLLOW_UP_CHECK,
            (_AS.REPLY_RECEIVED, _AE.START_FOLLOW_UP): _AS.FOLLOW_UP_CHECK,
            (_AS.FOLLOW_UP_CHECK, _AE.RECORD_FOLLOW_UP): _AS.FOLLOW_UP_CHECK,
            (_AS.FOLLOW_UP_CHECK, _AE.CLOSE_COMPLIED): _AS.CLOSED_COMPLIED,
            (_AS.FOLLOW_UP_CHECK, _AE.FILE_SUIT): _AS.SUIT_FILED,
            (_AS.SUIT_FILED, _AE.JUDGE): _AS.JUDGED,
            (_AS.SUIT_FILED, _AE.WITHDRAW): _AS.WITHDRAWN,
            (_AS.JUDGED, _AE.SERVE_JUDGMENT): _AS.JUDGED,
            (_AS.JUDGED, _AE.APPEAL): _AS.APPEAL,
            (_AS.JUDGED, _AE.BECOME_FINAL): _AS.FINAL,
            (_AS.APPEAL, _AE.JUDGE_SECOND_INSTANCE): _AS.FINAL,
            (_AS.APPEAL, _AE.WITHDRAW_APPEAL): _AS.FINAL,
            (_AS.APPEAL, _AE.REMAND): _AS.SUIT_FILED,
            (_AS.FINAL, _AE.CLOSE): _AS.CLOSED,
            (_AS.WITHDRAWN, _AE.CLOSE): _AS.CLOSED,
            (_AS.CLOSED_COMPLIED, _AE.CLOSE_REVIEW): _AS.CLOSED,
            (_AS.TERMINATED, _AE.CLOSE_REVIEW): _AS.CLOSED,
        }
    )
)

ADMIN_PIL_GUARDS: Mapping[AdminPilEvent, tuple[Guard[AdminPilFacts], ...]] = MappingProxyType(
    {
        _AE.START_FOLLOW_UP: (reply_or_period_run,),
        _AE.CLOSE_COMPLIED: (agency_performed,),
        _AE.FILE_SUIT: (reply_or_period_run, agency_not_performed),
        _AE.JUDGE: (judgment_kind,),
        _AE.APPEAL: (admin_appeal_in_time,),
        _AE.BECOME_FINAL: (admin_appeal_period_run,),
        _AE.WITHDRAW: (admin_withdrawal,),
    }
)

ADMIN_PIL_EVENT_ORGAN: Mapping[AdminPilEvent, Organ] = MappingProxyType(
    {
        **{e: _P for e in AdminPilEvent},
        _AE.RECEIVE_REPLY: Organ.AGENCY,  # recorded by the agency replying
        **{
            e: _C
            for e in (
                _AE.JUDGE,
                _AE.SERVE_JUDGMENT,
                _AE.APPEAL,
                _AE.BECOME_FINAL,
                _AE.JUDGE_SECOND_INSTANCE,
                _AE.WITHDRAW_APPEAL,
                _AE.REMAND,
                _AE.WITHDRAW,
                _AE.CLOSE,
            )
        },
    }
)

ADMIN_PIL_OPENS = _total(
    AdminPilEvent,
    {
        _AE.FILE_SUIT: ("admin_pil.first_instance",),
        _AE.SERVE_JUDGMENT: ("admin_pil.appeal",),
        _AE.APPEAL: ("admin_pil.second_instance",),
        _AE.REMAND: ("admin_pil.first_instance",),
    },
)


def _reply_period(facts: AdminPilFacts) -> tuple[str, ...]:
    return (reply_rule(facts.urgent),)


ADMIN_PIL_OPENS_BY_FACTS: Mapping[AdminPilEvent, Callable[[AdminPilFacts], tuple[str, ...]]] = (
    MappingProxyType({_AE.ISSUE_RECOMMENDATION: _reply_period})
)

_ADMIN_SECOND_INSTANCE_ENDS = ("admin_pil.second_instance",)  # see pil._SECOND_INSTANCE_ENDS
ADMIN_PIL_MEETS = _total(
    AdminPilEvent,
    {
        _AE.RECEIVE_REPLY: ("admin_pil.reply", "admin_pil.reply_urgent"),
        _AE.JUDGE: ("admin_pil.first_instance",),
        _AE.BECOME_FINAL: ("admin_pil.appeal",),
        _AE.JUDGE_SECOND_INSTANCE: _ADMIN_SECOND_INSTANCE_ENDS,
        _AE.WITHDRAW_APPEAL: _ADMIN_SECOND_INSTANCE_ENDS,
        _AE.REMAND: (*_ADMIN_SECOND_INSTANCE_ENDS, "admin_pil.appeal"),
    },
)

ADMIN_PIL_ENDINGS: frozenset[AdminPilEvent] = frozenset(
    {_AE.TERMINATE, _AE.CLOSE_COMPLIED, _AE.WITHDRAW, _AE.CLOSE, _AE.CLOSE_REVIEW}
)

ADMIN_PIL_REQUIRES = _total(
    AdminPilEvent,
    {
        _AE.TERMINATE: ("reason",),
        _AE.ISSUE_RECOMMENDATION: ("urgent",),
        _AE.RECORD_FOLLOW_UP: ("agency_performed",),
        _AE.JUDGE: ("judgment_kind",),
        _AE.WITHDRAW: ("reason",),
    },
)
ADMIN_PIL_RECORDS = _total(
    AdminPilEvent,
    {
        **ADMIN_PIL_REQUIRES,
        _AE.RECEIVE_REPLY: ("reply_summary",),
        _AE.WITHDRAW: ("reason", "claims_realised"),
    },
)
ADMIN_PIL_FIELDS: Mapping[str, str] = MappingProxyType(
    {
        "reason": "text",
        "urgent": "bool",
        "reply_summary": "text",
        "agency_performed": "bool",
        "judgment_kind": "str",
        "claims_realised": "bool",
    }
)
ADMIN_PIL_COMPUTED: Mapping[str, str] = MappingProxyType({})

_ADMIN_LABELS = {
    _AS.CLUE: "线索",
    _AS.FILED: "立案",
    _AS.INVESTIGATION: "调查核实",
    _AS.RECOMMENDATION_ISSUED: "检察建议",
    _AS.REPLY_RECEIVED: "书面回复",
    _AS.FOLLOW_UP_CHECK: "跟进调查",
    _AS.CLOSED_COMPLIED: "已履职终结",
    _AS.SUIT_FILED: "提起诉讼",
    _AS.JUDGED: "一审判决",
    _AS.APPEAL: "二审",
    _AS.FINAL: "判决生效",
    _AS.CLOSED: "结案",
    _AS.WITHDRAWN: "撤回起诉",
    _AS.TERMINATED: "终结审查",
}

ADMIN_PIL: Lifecycle[AdminPilStatus, AdminPilEvent, AdminPilFacts] = Lifecycle(
    name="administrative_pil",
    statuses=AdminPilStatus,
    events=AdminPilEvent,
    transitions=ADMIN_PIL_TRANSITIONS,
    initial=AdminPilStatus.CLUE,
    terminal=frozenset({AdminPilStatus.CLOSED}),
    guards=ADMIN_PIL_GUARDS,
    side=frozenset({_AS.WITHDRAWN, _AS.TERMINATED}),
    labels={status: f"{label} {status}" for status, label in _ADMIN_LABELS.items()},
)

ADMIN_PIL_SPEC = ChannelSpec(
    track=ADMIN_PIL.name,
    channel="civil",
    lifecycle=ADMIN_PIL,
    facts_type=AdminPilFacts,
    event_organ=ADMIN_PIL_EVENT_ORGAN,
    opens=ADMIN_PIL_OPENS,
    meets=ADMIN_PIL_MEETS,
    endings=ADMIN_PIL_ENDINGS,
    requires=ADMIN_PIL_REQUIRES,
    records=ADMIN_PIL_RECORDS,
    fields=ADMIN_PIL_FIELDS,
    computed=ADMIN_PIL_COMPUTED,
    opens_by_facts=ADMIN_PIL_OPENS_BY_FACTS,
)
