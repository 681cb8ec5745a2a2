"""Environmental civil public-interest suit (环境民事公益诉讼) as a lifecycle: its statuses, the
transition table and the tables one generic service drives the channel with, bundled in
:data:`CIVIL_PIL_SPEC`.

The kinds of suit, the facts, the legal rules and the guards are in
:mod:`casemgr.lifecycles.civil.pil_guards`.

Example
-------
>>> from datetime import date
>>> CIVIL_PIL_SPEC.event_organ[CivilPilEvent.FILE_SUIT]
<Organ.PLAINTIFF: 'plaintiff'>
>>> CIVIL_PIL_OPENS_BY_FACTS[CivilPilEvent.ACCEPT](CivilPilFacts(date(2026, 3, 2), kind="ngo"))
('civil.first_instance',)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from enum import StrEnum
from types import MappingProxyType

from casemgr.lifecycles import ChannelSpec, Guard, Lifecycle, Organ
from casemgr.lifecycles.civil.common import _total
from casemgr.lifecycles.civil.pil_guards import (
    CivilPilEvent,
    CivilPilFacts,
    PilKind,
    acceptance_notice,
    announcement_run,
    appeal_in_time,
    appeal_period_run,
    appeal_rule,
    incidental_announcement,
    incidental_with_indictment,
    joining_window,
    joining_window_closed,
    kind_announcing,
    kind_incidental,
    kind_ngo,
    kind_procuratorate,
    ngo_standing,
    no_withdrawal_after_debate,
    no_withdrawal_on_settlement,
    procuratorate_withdrawal,
    settlement_notice_run,
)


class CivilPilStatus(StrEnum):
    """Status of an environmental civil public-interest suit."""

    CLUE = "clue"  # 线索
    ANNOUNCED = "announced"  # 诉前公告 (检察公益诉讼解释 art. 13)
    SUIT_FILED = "suit_filed"  # 起诉
    ACCEPTED = "accepted"  # 立案受理 (环境民事公益诉讼解释 arts. 10, 12)
    TRIAL = "trial"  # 审理
    SETTLEMENT_PUBLISHED = "settlement_published"  # 调解/和解协议公告 (art. 25)
    MEDIATED = "mediated"  # 出具调解书
    JUDGED = "judged"  # 一审判决 (民事诉讼法 art. 171: appeal window)
    APPEAL = "appeal"  # 二审 (民事诉讼法 arts. 171-183)
    FINAL = "final"  # 判决生效 (民事诉讼法 arts. 158, 182)
    ENFORCEMENT = "enforcement"  # 执行 (民事诉讼法 art. 247)
    CLOSED = "closed"  # 结案
    # Side states.
    SUSPENDED = "suspended"  # 中止诉讼 (民事诉讼法 art. 153; 生态环境损害赔偿若干规定 arts. 16-18)
    WITHDRAWN = "withdrawn"  # 撤诉
    REJECTED = "rejected"  # 不予受理 / 驳回起诉 (民事诉讼法 arts. 126, 157)
    NOT_PURSUED = "not_pursued"  # 不提起诉讼: another plaintiff sued (支持起诉) or review ended


_CS = CivilPilStatus
_CE = CivilPilEvent
_SUSPENDABLE = (_CS.ACCEPTED, _CS.TRIAL, _CS.SETTLEMENT_PUBLISHED)
_WITHDRAWABLE = (_CS.SUIT_FILED, *_SUSPENDABLE, _CS.SUSPENDED)

CIVIL_PIL_TRANSITIONS: Mapping[tuple[CivilPilStatus, CivilPilEvent], CivilPilStatus] = (
    MappingProxyType(
        {
            (_CS.CLUE, _CE.ANNOUNCE): _CS.ANNOUNCED,
            (_CS.CLUE, _CE.FILE_SUIT): _CS.SUIT_FILED,
            (_CS.CLUE, _CE.FILE_WITH_INDICTMENT): _CS.SUIT_FILED,
            (_CS.CLUE, _CE.TERMINATE): _CS.NOT_PURSUED,
            (_CS.ANNOUNCED, _CE.PROSECUTE_SUIT): _CS.SUIT_FILED,
            (_CS.ANNOUNCED, _CE.FILE_WITH_INDICTMENT): _CS.SUIT_FILED,
            (_CS.ANNOUNCED, _CE.ANOTHER_PLAINTIFF_SUED): _CS.NOT_PURSUED,
            (_CS.ANNOUNCED, _CE.TERMINATE): _CS.NOT_PURSUED,
            (_CS.SUIT_FILED, _CE.ACCEPT): _CS.ACCEPTED,
            (_CS.SUIT_FILED, _CE.REJECT): _CS.REJECTED,
            (_CS.ACCEPTED, _CE.SERVE_COMPLAINT): _CS.ACCEPTED,
            (_CS.ACCEPTED, _CE.PUBLISH_ACCEPTANCE): _CS.ACCEPTED,
            (_CS.ACCEPTED, _CE.NOTIFY_REGULATOR): _CS.ACCEPTED,
            (_CS.ACCEPTED, _CE.JOIN_PLAINTIFF): _CS.ACCEPTED,
            (_CS.ACCEPTED, _CE.START_TRIAL): _CS.TRIAL,
            (_CS.ACCEPTED, _CE.PUBLISH_SETTLEMENT): _CS.SETTLEMENT_PUBLISHED,
            (_CS.ACCEPTED, _CE.REJECT): _CS.REJECTED,
            (_CS.TRIAL, _CE.NOTIFY_REGULATOR): _CS.TRIAL,
            (_CS.TRIAL, _CE.JOIN_PLAINTIFF): _CS.TRIAL,
            (_CS.TRIAL, _CE.CONCLUDE_DEBATE): _CS.TRIAL,
            (_CS.TRIAL, _CE.PUBLISH_SETTLEMENT): _CS.SETTLEMENT_PUBLISHED,
            (_CS.TRIAL, _CE.JUDGE): _CS.JUDGED,
            (_CS.TRIAL, _CE.REJECT): _CS.REJECTED,
            (_CS.SETTLEMENT_PUBLISHED, _CE.ISSUE_MEDIATION): _CS.MEDIATED,
            (_CS.SETTLEMENT_PUBLISHED, _CE.REJECT_SETTLEMENT): _CS.TRIAL,
            # 生态环境损害赔偿若干规定 arts. 16-18: a compensation suit on the same act goes first.
            **{(s, _CE.SUSPEND): _CS.SUSPENDED for s in _SUSPENDABLE},
            (_CS.SUSPENDED, _CE.RESUME): _CS.TRIAL,
            **{(s, _CE.WITHDRAW): _CS.WITHDRAWN for s in _WITHDRAWABLE},
            (_CS.JUDGED, _CE.SERVE_JUDGMENT): _CS.JUDGED,
            (_CS.JUDGED, _CE.APPEAL): _CS.APPEAL,
            (_CS.JUDGED, _CE.BECOME_FINAL): _CS.FINAL,
            (_CS.APPEAL, _CE.JUDGE_SECOND_INSTANCE): _CS.FINAL,
            (_CS.APPEAL, _CE.WITHDRAW_APPEAL): _CS.FINAL,
            (_CS.APPEAL, _CE.REMAND): _CS.TRIAL,
            (_CS.FINAL, _CE.START_ENFORCEMENT): _CS.ENFORCEMENT,
            (_CS.FINAL, _CE.COMPLETE): _CS.CLOSED,
            (_CS.MEDIATED, _CE.START_ENFORCEMENT): _CS.ENFORCEMENT,
            (_CS.MEDIATED, _CE.COMPLETE): _CS.CLOSED,
            (_CS.ENFORCEMENT, _CE.COMPLETE): _CS.CLOSED,
            (_CS.WITHDRAWN, _CE.CLOSE): _CS.CLOSED,
            (_CS.REJECTED, _CE.CLOSE): _CS.CLOSED,
            (_CS.NOT_PURSUED, _CE.CLOSE_REVIEW): _CS.CLOSED,
        }
    )
)

_CIVIL_WITHDRAWAL: tuple[Guard[CivilPilFacts], ...] = (
    procuratorate_withdrawal,
    no_withdrawal_on_settlement,
    no_withdrawal_after_debate,
)
CIVIL_PIL_GUARDS: Mapping[CivilPilEvent, tuple[Guard[CivilPilFacts], ...]] = MappingProxyType(
    {
        _CE.ANNOUNCE: (kind_announcing,),
        _CE.FILE_SUIT: (kind_ngo, ngo_standing),
        _CE.PROSECUTE_SUIT: (kind_procuratorate, announcement_run),
        _CE.FILE_WITH_INDICTMENT: (
            kind_incidental,
            incidental_with_indictment,
            incidental_announcement,
        ),
        _CE.PUBLISH_ACCEPTANCE: (acceptance_notice,),
        _CE.JOIN_PLAINTIFF: (joining_window,),
        _CE.ISSUE_MEDIATION: (settlement_notice_run, joining_window_closed),
        _CE.JUDGE: (joining_window_closed,),
        _CE.APPEAL: (appeal_in_time,),
        _CE.BECOME_FINAL: (appeal_period_run,),
        _CE.WITHDRAW: _CIVIL_WITHDRAWAL,
    }
)

_P, _C = Organ.PROCURATORATE, Organ.COURT
CIVIL_PIL_EVENT_ORGAN: Mapping[CivilPilEvent, Organ] = MappingProxyType(
    {
        **{e: _C for e in CivilPilEvent},
        _CE.ANNOUNCE: _P,
        _CE.TERMINATE: _P,
        _CE.ANOTHER_PLAINTIFF_SUED: _P,
        _CE.FILE_SUIT: Organ.PLAINTIFF,  # recorded by the court that receives the complaint
        _CE.PROSECUTE_SUIT: _P,
        _CE.FILE_WITH_INDICTMENT: _P,
        _CE.CLOSE_REVIEW: _P,
    }
)

_APPEALS = ("civil.appeal", "civil.appeal_incidental")
CIVIL_PIL_OPENS = _total(
    CivilPilEvent,
    {
        _CE.ANNOUNCE: ("civil.announcement",),
        _CE.ACCEPT: ("civil.copy_to_defendant", "civil.regulator_notice"),
        _CE.PUBLISH_ACCEPTANCE: ("civil.joining_window",),
        _CE.PUBLISH_SETTLEMENT: ("civil.settlement_notice",),
    },
)


def _court_limit(code: str) -> Callable[[CivilPilFacts], tuple[str, ...]]:
    # An incidental suit is tried with the criminal case, under the criminal case's limits.
    def opens(facts: CivilPilFacts) -> tuple[str, ...]:
        return () if facts.kind == PilKind.INCIDENTAL else (code,)

    return opens


def _appeal_period(facts: CivilPilFacts) -> tuple[str, ...]:
    return (appeal_rule(facts.kind),)


CIVIL_PIL_OPENS_BY_FACTS: Mapping[CivilPilEvent, Callable[[CivilPilFacts], tuple[str, ...]]] = (
    MappingProxyType(
        {
            _CE.ACCEPT: _court_limit("civil.first_instance"),
            _CE.SERVE_JUDGMENT: _appeal_period,
            _CE.APPEAL: _court_limit("civil.second_instance"),
            _CE.REMAND: _court_limit("civil.first_instance"),
        }
    )
)

# A waiting period marked done before its due date reads as missed, so an appeal leaves the
# appeal period open (a withdrawn appeal may end the second instance within those 15 days) and
# the closure cancels it; only a remand retires it, so that the new judgment's service starts a
# fresh one: the exchange of the appeal petition and answer (民事诉讼法 art. 174: 5 + 15 + 5
# days) puts any remand well after the period. A code never started on the case is not marked.
_SECOND_INSTANCE_ENDS = ("civil.second_instance",)
CIVIL_PIL_MEETS = _total(
    CivilPilEvent,
    {
        _CE.PROSECUTE_SUIT: ("civil.announcement",),
        _CE.FILE_WITH_INDICTMENT: ("civil.announcement",),
        _CE.SERVE_COMPLAINT: ("civil.copy_to_defendant",),
        _CE.NOTIFY_REGULATOR: ("civil.regulator_notice",),
        _CE.ISSUE_MEDIATION: (
            "civil.settlement_notice",
            "civil.first_instance",
            "civil.joining_window",
        ),
        _CE.JUDGE: ("civil.first_instance", "civil.joining_window"),
        _CE.BECOME_FINAL: _APPEALS,
        _CE.JUDGE_SECOND_INSTANCE: _SECOND_INSTANCE_ENDS,
        _CE.WITHDRAW_APPEAL: _SECOND_INSTANCE_ENDS,
        _CE.REMAND: (*_SECOND_INSTANCE_ENDS, *_APPEALS),
    },
)

CIVIL_PIL_ENDINGS: frozenset[CivilPilEvent] = frozenset(
    {
        _CE.TERMINATE,
        _CE.ANOTHER_PLAINTIFF_SUED,
        _CE.REJECT,
        _CE.WITHDRAW,
        _CE.COMPLETE,
        _CE.CLOSE,
        _CE.CLOSE_REVIEW,
    }
)

_STANDING_FIELDS = ("registered_level", "years_active", "violation_record_5y")
CIVIL_PIL_REQUIRES = _total(
    CivilPilEvent,
    {
        _CE.TERMINATE: ("reason",),
        _CE.ANOTHER_PLAINTIFF_SUED: ("plaintiff_name",),
        _CE.FILE_SUIT: _STANDING_FIELDS,
        _CE.REJECT: ("reason",),
        _CE.JOIN_PLAINTIFF: ("plaintiff_name",),
        _CE.REJECT_SETTLEMENT: ("reason",),
        _CE.SUSPEND: ("reason",),
        _CE.WITHDRAW: ("reason",),
    },
)
CIVIL_PIL_RECORDS = _total(
    CivilPilEvent,
    {
        **CIVIL_PIL_REQUIRES,
        _CE.ANOTHER_PLAINTIFF_SUED: ("plaintiff_name", "support_suit"),  # 支持起诉 (art. 58 ¶2)
        _CE.WITHDRAW: ("reason", "claims_realised"),
    },
)
CIVIL_PIL_FIELDS: Mapping[str, str] = MappingProxyType(
    {
        "kind": "str",  # a PilKind value, given when the case is opened
        "registered_level": "str",
        "years_active": "int",
        "violation_record_5y": "bool",
        "plaintiff_name": "str",
        "support_suit": "bool",
        "reason": "text",
        "claims_realised": "bool",
    }
)
CIVIL_PIL_COMPUTED: Mapping[str, str] = MappingProxyType(
    {
        "criminal_indicted": (
            "True when the criminal case on the same violation has been indicted "
            "(提起公诉; 检察公益诉讼解释 2018 art. 20)"
        ),
    }
)

_CIVIL_LABELS = {
    _CS.CLUE: "线索",
    _CS.ANNOUNCED: "诉前公告",
    _CS.SUIT_FILED: "起诉",
    _CS.ACCEPTED: "立案受理",
    _CS.TRIAL: "审理",
    _CS.SETTLEMENT_PUBLISHED: "调解协议公告",
    _CS.MEDIATED: "调解结案",
    _CS.JUDGED: "一审判决",
    _CS.APPEAL: "二审",
    _CS.FINAL: "判决生效",
    _CS.ENFORCEMENT: "执行",
    _CS.CLOSED: "结案",
    _CS.SUSPENDED: "中止诉讼",
    _CS.WITHDRAWN: "撤诉",
    _CS.REJECTED: "不予受理／驳回起诉",
    _CS.NOT_PURSUED: "不提起诉讼",
}

CIVIL_PIL: Lifecycle[CivilPilStatus, CivilPilEvent, CivilPilFacts] = Lifecycle(
    name="civil_pil",
    statuses=CivilPilStatus,
    events=CivilPilEvent,
    transitions=CIVIL_PIL_TRANSITIONS,
    initial=CivilPilStatus.CLUE,
    terminal=frozenset({CivilPilStatus.CLOSED}),
    guards=CIVIL_PIL_GUARDS,
    side=frozenset({_CS.SUSPENDED, _CS.WITHDRAWN, _CS.REJECTED, _CS.NOT_PURSUED}),
    labels={status: f"{label} {status}" for status, label in _CIVIL_LABELS.items()},
)

CIVIL_PIL_SPEC = ChannelSpec(
    track=CIVIL_PIL.name,
    channel="civil",
    lifecycle=CIVIL_PIL,
    facts_type=CivilPilFacts,
    event_organ=CIVIL_PIL_EVENT_ORGAN,
    opens=CIVIL_PIL_OPENS,
    meets=CIVIL_PIL_MEETS,
    endings=CIVIL_PIL_ENDINGS,
    requires=CIVIL_PIL_REQUIRES,
    records=CIVIL_PIL_RECORDS,
    fields=CIVIL_PIL_FIELDS,
    computed=CIVIL_PIL_COMPUTED,
    opens_by_facts=CIVIL_PIL_OPENS_BY_FACTS,
)
