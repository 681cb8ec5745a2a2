"""Public-interest litigation (公益诉讼) lifecycles: DOMAIN.md §3.1, §3.2, §2.2 (incidental suit).

Two channels share this module.

``civil_pil`` (环境民事公益诉讼): a suit for the environmental public interest brought by a social
organisation (``kind`` "ngo", 环境保护法 art. 58), by the procuratorate once its 30-day pre-suit
announcement has run without another plaintiff ("procuratorate", 民事诉讼法 2023 art. 58 ¶2), or
by the procuratorate together with a criminal indictment ("incidental", 刑事附带民事公益诉讼).
Filing → acceptance (copy to the defendant, the court's notice and 30-day joining window for an
NGO's suit, notice to the regulator) → trial → judgment, or a settlement published for 30 days
and a mediation document → appeal or finality → enforcement → closed. A compensation suit on the
same act (生态环境损害赔偿) suspends the PIL until it is decided.

``administrative_pil`` (行政公益诉讼): the procuratorate files a clue, investigates, and sends a
recommendation (检察建议) to an agency that fails its supervisory duty; the agency replies within
2 months (15 days when urgent); the procuratorate checks whether it performed and either closes
the matter or sues; the court's judgment is one of the kinds listed in 检察公益诉讼解释 art. 25.

Besides each :class:`~casemgr.lifecycles.Lifecycle` the module exports what one generic service
needs to drive a channel, bundled in a :class:`~casemgr.lifecycles.ChannelSpec` per channel
(:data:`CIVIL_PIL_SPEC`, :data:`ADMIN_PIL_SPEC`) and also as prefixed module constants
(``CIVIL_PIL_EVENT_ORGAN`` ...). The rules whose choice depends on the facts (the reply period of
an urgent recommendation; the court limits and appeal period of an incidental suit, which follow
the criminal case) are not in the static ``opens``: :func:`extra_rules` names them for a step. A
code in ``meets`` whose clock was never started on the case is simply not there to mark. The
``kind`` of a civil suit is given when the case is opened and kept in its details.

Example
-------
>>> from datetime import date
>>> facts = CivilPilFacts(
...     today=date(2026, 3, 2), kind="procuratorate", due={"civil.announcement": date(2026, 3, 1)}
... )
>>> CIVIL_PIL.next_status(CivilPilStatus.ANNOUNCED, CivilPilEvent.PROSECUTE_SUIT, facts)
<CivilPilStatus.SUIT_FILED: 'suit_filed'>
>>> reply_rule(urgent=True), appeal_rule("incidental")
('admin_pil.reply_urgent', 'civil.appeal_incidental')
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from types import MappingProxyType
from typing import Any, Protocol, TypeVar

from casemgr.i18n import N_
from casemgr.lifecycles import ChannelSpec, Guard, GuardFailure, Lifecycle, Organ

__all__ = [
    "ADMIN_PIL",
    "ADMIN_PIL_COMPUTED",
    "ADMIN_PIL_ENDINGS",
    "ADMIN_PIL_EVENT_ORGAN",
    "ADMIN_PIL_FIELDS",
    "ADMIN_PIL_GUARDS",
    "ADMIN_PIL_MEETS",
    "ADMIN_PIL_OPENS",
    "ADMIN_PIL_OPENS_BY_FACTS",
    "ADMIN_PIL_RECORDS",
    "ADMIN_PIL_REQUIRES",
    "ADMIN_PIL_RULES",
    "ADMIN_PIL_SPEC",
    "ADMIN_PIL_TRANSITIONS",
    "CIVIL_PIL",
    "CIVIL_PIL_COMPUTED",
    "CIVIL_PIL_ENDINGS",
    "CIVIL_PIL_EVENT_ORGAN",
    "CIVIL_PIL_FIELDS",
    "CIVIL_PIL_GUARDS",
    "CIVIL_PIL_MEETS",
    "CIVIL_PIL_OPENS",
    "CIVIL_PIL_OPENS_BY_FACTS",
    "CIVIL_PIL_RECORDS",
    "CIVIL_PIL_REQUIRES",
    "CIVIL_PIL_RULES",
    "CIVIL_PIL_SPEC",
    "CIVIL_PIL_TRANSITIONS",
    "OPENS_BY_FACTS",
    "INCIDENTAL_ANNOUNCEMENT",
    "NGO_STANDING",
    "AdminPilEvent",
    "AdminPilFacts",
    "AdminPilJudgment",
    "AdminPilRule",
    "AdminPilStatus",
    "CivilPilEvent",
    "CivilPilFacts",
    "CivilPilRule",
    "CivilPilStatus",
    "IncidentalAnnouncement",
    "NgoStanding",
    "PilKind",
    "RegistrationLevel",
    "appeal_rule",
    "extra_rules",
    "reply_rule",
]

E = TypeVar("E", bound=StrEnum)


def _total(
    events: Iterable[E], partial: Mapping[E, tuple[str, ...]]
) -> Mapping[E, tuple[str, ...]]:
    return MappingProxyType({e: tuple(partial.get(e, ())) for e in events})


class _Clocked(Protocol):
    @property
    def today(self) -> date: ...
    @property
    def due(self) -> Mapping[str, date]: ...
    @property
    def done(self) -> Mapping[str, date]: ...
    @property
    def event_counts(self) -> Mapping[str, int]: ...


def _waited(facts: _Clocked, code: str) -> bool:
    """A waiting period was started and has run (the act is lawful the day after its due date)."""
    due = facts.due.get(code)
    return due is not None and facts.today > due


def _running(facts: _Clocked, code: str) -> date | None:
    """Due date of a started period not yet marked done (None otherwise)."""
    return None if code in facts.done else facts.due.get(code)


def _count(facts: _Clocked, event: StrEnum) -> int:
    return facts.event_counts.get(str(event), 0)


# ================================================================================================
# Environmental civil public-interest litigation (环境民事公益诉讼)
# ================================================================================================


class PilKind(StrEnum):
    """Who brings the civil PIL (公益诉讼起诉人)."""

    NGO = "ngo"  # 社会组织 (环境保护法 art. 58)
    PROCURATORATE = "procuratorate"  # 检察机关, after the announcement (检察公益诉讼解释 art. 13)
    INCIDENTAL = "incidental"  # 刑事附带民事公益诉讼 (检察公益诉讼解释 art. 20)


class RegistrationLevel(StrEnum):
    """Level of the civil-affairs department an NGO is registered with (登记管理机关级别)."""

    COUNTY = "county"  # 县级
    # 设区的市级: also 自治州、盟、地区、不设区的地级市、直辖市的区 (环境民事公益诉讼解释 art. 2)
    PREFECTURE = "prefecture"
    PROVINCE = "province"  # 省级
    NATIONAL = "national"  # 国务院民政部门


@dataclass(frozen=True)
class NgoStanding:
    """Standing of a social organisation (社会组织原告资格) as data: levels lowest first."""

    levels: tuple[RegistrationLevel, ...]
    min_level: RegistrationLevel
    min_years_active: int
    source: str


NGO_STANDING = NgoStanding(
    levels=tuple(RegistrationLevel),
    min_level=RegistrationLevel.PREFECTURE,
    min_years_active=5,  # 专门从事环境保护公益活动连续五年以上
    source=(
        "环境保护法 art. 58; 环境民事公益诉讼解释 2020 arts. 2–5: registered at districted-city "
        "level or above, ≥ 5 consecutive years of environmental public-interest work, no "
        "administrative or criminal penalty for its activities in the 5 years before suit [V]"
    ),
)


@dataclass(frozen=True)
class IncidentalAnnouncement:
    """Whether an incidental civil PIL also needs the 30-day pre-suit announcement."""

    required: bool
    source: str


INCIDENTAL_ANNOUNCEMENT = IncidentalAnnouncement(
    required=True,
    source="两高 批复 2019 on the pre-suit announcement of incidental civil PIL (诉前公告) [R]",
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


class CivilPilEvent(StrEnum):
    """Event that moves a civil public-interest suit."""

    ANNOUNCE = "announce"  # 发布诉前公告
    TERMINATE = "terminate"  # 终结审查, no suit
    ANOTHER_PLAINTIFF_SUED = "another_plaintiff_sued"  # 有关机关或组织已起诉 (may 支持起诉)
    FILE_SUIT = "file_suit"  # 社会组织起诉
    PROSECUTE_SUIT = "prosecute_suit"  # 检察机关提起民事公益诉讼
    FILE_WITH_INDICTMENT = "file_with_indictment"  # 提起刑事附带民事公益诉讼
    ACCEPT = "accept"  # 立案受理
    REJECT = "reject"  # 不予受理 / 驳回起诉
    SERVE_COMPLAINT = "serve_complaint"  # 起诉状副本送达被告
    PUBLISH_ACCEPTANCE = "publish_acceptance"  # 公告案件受理情况 (art. 10)
    NOTIFY_REGULATOR = "notify_regulator"  # 告知负有监管职责的部门 (art. 12)
    JOIN_PLAINTIFF = "join_plaintiff"  # 列为共同原告 (art. 10)
    START_TRIAL = "start_trial"  # 开庭审理
    CONCLUDE_DEBATE = "conclude_debate"  # 法庭辩论终结 (民事诉讼法 art. 144)
    PUBLISH_SETTLEMENT = "publish_settlement"  # 公告调解/和解协议
    REJECT_SETTLEMENT = "reject_settlement"  # 协议损害公共利益, 不出具调解书
    ISSUE_MEDIATION = "issue_mediation"  # 出具调解书
    JUDGE = "judge"  # 一审判决
    SERVE_JUDGMENT = "serve_judgment"  # 判决书送达 (starts the appeal period)
    APPEAL = "appeal"  # 上诉
    BECOME_FINAL = "become_final"  # 上诉期满未上诉, 判决生效
    JUDGE_SECOND_INSTANCE = "judge_second_instance"  # 二审判决
    WITHDRAW_APPEAL = "withdraw_appeal"  # 准许撤回上诉 (民事诉讼法 art. 180)
    REMAND = "remand"  # 发回重审 (民事诉讼法 art. 177)
    START_ENFORCEMENT = "start_enforcement"  # 移送执行 / 申请执行 (民事诉讼法 art. 247)
    COMPLETE = "complete"  # 履行完毕 / 执行完毕
    SUSPEND = "suspend"  # 中止诉讼
    RESUME = "resume"  # 恢复诉讼
    WITHDRAW = "withdraw"  # 准许撤诉
    CLOSE = "close"  # 结案 (court)
    CLOSE_REVIEW = "close_review"  # 检察机关结案


@dataclass(frozen=True)
class CivilPilFacts:
    """What the civil PIL guards read (no database); defaults are the cautious ones."""

    today: date
    event_counts: Mapping[str, int] = field(default_factory=dict)
    due: Mapping[str, date] = field(default_factory=dict)
    done: Mapping[str, date] = field(default_factory=dict)
    kind: str = ""  # a PilKind value
    registered_level: str = ""  # a RegistrationLevel value
    years_active: int = 0
    violation_record_5y: bool = True  # cautious: a record until the NGO declares none (art. 8)
    claims_realised: bool = False  # 诉讼请求全部实现
    criminal_indicted: bool = False  # COMPUTED


class CivilPilRule(StrEnum):
    """Code of each legal rule the civil PIL guards enforce."""

    PIL_KIND = "pil_kind"
    NGO_STANDING = "ngo_standing"
    ANNOUNCEMENT_RUN = "announcement_run"
    INCIDENTAL_WITH_INDICTMENT = "incidental_with_indictment"
    INCIDENTAL_ANNOUNCEMENT = "incidental_announcement"
    ACCEPTANCE_NOTICE = "acceptance_notice"
    JOINING_WINDOW = "joining_window"
    JOINING_WINDOW_CLOSED = "joining_window_closed"
    SETTLEMENT_NOTICE_RUN = "settlement_notice_run"
    APPEAL_IN_TIME = "appeal_in_time"
    APPEAL_PERIOD_RUN = "appeal_period_run"
    PROCURATORATE_WITHDRAWAL = "procuratorate_withdrawal"
    NO_WITHDRAWAL_ON_SETTLEMENT = "no_withdrawal_on_settlement"
    NO_WITHDRAWAL_AFTER_DEBATE = "no_withdrawal_after_debate"


_ENV = "环境民事公益诉讼解释 2020"
_PROC = "检察公益诉讼解释 2018"
_CPL = "民事诉讼法 2023"

# (Chinese title, legal basis) of each rule.
CIVIL_PIL_RULES: Mapping[CivilPilRule, tuple[str, str]] = MappingProxyType(
    {
        CivilPilRule.PIL_KIND: (
            "公益诉讼起诉主体",
            f"{_CPL} art. 58; 环境保护法 art. 58; {_PROC} arts. 13, 20",
        ),
        CivilPilRule.NGO_STANDING: ("社会组织原告资格", NGO_STANDING.source),
        CivilPilRule.ANNOUNCEMENT_RUN: ("诉前公告期满", f"{_PROC} art. 13; {_CPL} art. 58 ¶2"),
        CivilPilRule.INCIDENTAL_WITH_INDICTMENT: ("与刑事公诉一并提起", f"{_PROC} art. 20"),
        CivilPilRule.INCIDENTAL_ANNOUNCEMENT: (
            "刑事附带民事公益诉讼诉前公告",
            INCIDENTAL_ANNOUNCEMENT.source,
        ),
        CivilPilRule.ACCEPTANCE_NOTICE: (
            "受理公告",
            f"{_ENV} art. 10; {_PROC} art. 17 (no second announcement)",
        ),
        CivilPilRule.JOINING_WINDOW: ("申请参加诉讼期间", f"{_ENV} art. 10"),
        CivilPilRule.JOINING_WINDOW_CLOSED: (
            "参加诉讼期间届满后裁判",
            f"{_ENV} art. 10 (derived: eligible plaintiffs may join until the window closes)",
        ),
        CivilPilRule.SETTLEMENT_NOTICE_RUN: ("调解协议公告期满", f"{_ENV} art. 25"),
        CivilPilRule.APPEAL_IN_TIME: (
            "上诉期间",
            f"{_CPL} art. 171; 刑事诉讼法 2018 art. 230 (incidental suit) [R]",
        ),
        CivilPilRule.APPEAL_PERIOD_RUN: ("判决生效", f"{_CPL} arts. 158, 171"),
        CivilPilRule.PROCURATORATE_WITHDRAWAL: ("检察机关撤回起诉", f"{_PROC} art. 19"),
        CivilPilRule.NO_WITHDRAWAL_ON_SETTLEMENT: (
            "不得以和解撤诉",
            f"{_ENV} art. 25 (DOMAIN.md §3.1: withdrawal by settlement not allowed)",
        ),
        CivilPilRule.NO_WITHDRAWAL_AFTER_DEBATE: (
            "法庭辩论终结后不准撤诉",
            f"{_ENV} arts. 26, 27 [R]",
        ),
    }
)


def _civil_fail(rule: CivilPilRule, reason: str, *ways_forward: str) -> GuardFailure:
    title, basis = CIVIL_PIL_RULES[rule]
    return GuardFailure(rule, title, basis, reason, tuple(ways_forward))


def _kind_failure(
    facts: CivilPilFacts, allowed: Iterable[PilKind], reason: str
) -> GuardFailure | None:
    if facts.kind in set(allowed):
        return None
    return _civil_fail(
        CivilPilRule.PIL_KIND,
        reason,
        N_("The kind of suit (ngo, procuratorate or incidental) is set when the case is opened."),
        N_("Use the event that fits the plaintiff of this suit."),
    )


def kind_announcing(facts: CivilPilFacts) -> GuardFailure | None:
    """Only the procuratorate announces a suit (its own or one incidental to an indictment)."""
    return _kind_failure(
        facts,
        (PilKind.PROCURATORATE, PilKind.INCIDENTAL),
        N_("Only the procuratorate publishes a pre-suit announcement."),
    )


def kind_ngo(facts: CivilPilFacts) -> GuardFailure | None:
    """A social organisation's suit is filed by the organisation."""
    return _kind_failure(
        facts, (PilKind.NGO,), N_("This filing is for a suit brought by a social organisation.")
    )


def kind_procuratorate(facts: CivilPilFacts) -> GuardFailure | None:
    """The procuratorate's own civil PIL after its announcement."""
    return _kind_failure(
        facts,
        (PilKind.PROCURATORATE,),
        N_("This filing is for a civil suit the procuratorate brings on its own."),
    )


def kind_incidental(facts: CivilPilFacts) -> GuardFailure | None:
    """A civil PIL filed together with a criminal indictment."""
    return _kind_failure(
        facts,
        (PilKind.INCIDENTAL,),
        N_("This filing is for a civil suit incidental to a criminal indictment."),
    )


def ngo_standing(facts: CivilPilFacts) -> GuardFailure | None:
    """The organisation is registered at districted-city level or above, active ≥ 5 years and
    without a violation record (环境保护法 art. 58)."""
    rules = NGO_STANDING
    levels = [str(level) for level in rules.levels]
    if facts.registered_level not in levels:
        reason = N_("The organisation's registration level is missing or unknown.")
    elif levels.index(facts.registered_level) < levels.index(rules.min_level):
        reason = N_(
            "The organisation is registered below the level of a city divided into districts."
        )
    elif facts.years_active < rules.min_years_active:
        reason = N_(
            "The organisation has not worked for the environmental public interest for five "
            "consecutive years."
        )
    elif facts.violation_record_5y:
        reason = N_(
            "The organisation was penalised for its activities in the five years before the suit."
        )
    else:
        return None
    return _civil_fail(
        CivilPilRule.NGO_STANDING,
        reason,
        N_("Check the registration certificate, charter and five years of annual reports."),
        N_("Record the organisation's signed declaration that it has no violation record."),
    )


def announcement_run(facts: CivilPilFacts) -> GuardFailure | None:
    """The 30-day pre-suit announcement has run (检察公益诉讼解释 art. 13)."""
    if _waited(facts, "civil.announcement"):
        return None
    return _civil_fail(
        CivilPilRule.ANNOUNCEMENT_RUN,
        N_("The 30-day pre-suit announcement has not been published or has not yet run."),
        N_("Publish the announcement and wait until the 30 days have passed."),
        N_("If an eligible organ or organisation sues meanwhile, record it and support its suit."),
    )


def incidental_with_indictment(facts: CivilPilFacts) -> GuardFailure | None:
    """An incidental civil PIL goes with the criminal indictment (检察公益诉讼解释 art. 20)."""
    if facts.criminal_indicted:
        return None
    return _civil_fail(
        CivilPilRule.INCIDENTAL_WITH_INDICTMENT,
        N_("The linked criminal case has not been indicted."),
        N_("Record the indictment on the linked criminal case first."),
        N_("Otherwise bring a separate civil public-interest suit after the announcement."),
    )


def incidental_announcement(facts: CivilPilFacts) -> GuardFailure | None:
    """Where configured, the incidental suit also waits for the 30-day announcement [R]."""
    if not INCIDENTAL_ANNOUNCEMENT.required or _waited(facts, "civil.announcement"):
        return None
    return _civil_fail(
        CivilPilRule.INCIDENTAL_ANNOUNCEMENT,
        N_(
            "An incidental civil public-interest suit needs the 30-day pre-suit announcement, "
            "which has not yet run."
        ),
        N_("Publish the announcement and wait until the 30 days have passed."),
    )


def acceptance_notice(facts: CivilPilFacts) -> GuardFailure | None:
    """The court announces an NGO's suit; a procuratorate's suit is not announced again."""
    if facts.kind == PilKind.NGO:
        return None
    return _civil_fail(
        CivilPilRule.ACCEPTANCE_NOTICE,
        N_(
            "The procuratorate already announced this suit before filing; the court does not "
            "announce it again."
        ),
        N_("Serve the complaint on the defendant and notify the regulator, then try the case."),
    )


def joining_window(facts: CivilPilFacts) -> GuardFailure | None:
    """Eligible plaintiffs join within 30 days of the court's notice (art. 10)."""
    due = _running(facts, "civil.joining_window")
    if due is not None and facts.today <= due:
        return None
    return _civil_fail(
        CivilPilRule.JOINING_WINDOW,
        N_("The 30-day period for joining the suit is not open."),
        N_("An organ or organisation that missed the period may bring its own suit."),
    )


def joining_window_closed(facts: CivilPilFacts) -> GuardFailure | None:
    """A suit the court announced is decided only once the joining window has closed."""
    due = facts.due.get("civil.joining_window")
    if due is None:
        if facts.kind != PilKind.NGO:
            return None
        reason = N_("The court has not yet published the notice of acceptance.")
    elif facts.today > due:
        return None
    else:
        reason = N_("Eligible organs and organisations may still apply to join the suit.")
    return _civil_fail(
        CivilPilRule.JOINING_WINDOW_CLOSED,
        reason,
        N_("Publish the notice of acceptance and wait until the 30-day period has ended."),
    )


def settlement_notice_run(facts: CivilPilFacts) -> GuardFailure | None:
    """The agreement was published for at least 30 days before the mediation (art. 25)."""
    if _waited(facts, "civil.settlement_notice"):
        return None
    return _civil_fail(
        CivilPilRule.SETTLEMENT_NOTICE_RUN,
        N_("The mediation or settlement agreement has not been published for 30 days."),
        N_("Wait until the 30-day publication period has ended."),
    )


def appeal_rule(kind: str) -> str:
    """Legal-clock code of the appeal period of a first-instance judgment of this kind of suit.

    >>> appeal_rule("ngo")
    'civil.appeal'
    """
    return "civil.appeal_incidental" if kind == PilKind.INCIDENTAL else "civil.appeal"


def appeal_in_time(facts: CivilPilFacts) -> GuardFailure | None:
    """An appeal is lodged within the period from service of the judgment."""
    due = _running(facts, appeal_rule(facts.kind))
    if due is None or facts.today <= due:
        return None
    return _civil_fail(
        CivilPilRule.APPEAL_IN_TIME,
        N_("The period for appealing the judgment has passed."),
        N_("Record that the judgment has become final."),
    )


def appeal_period_run(facts: CivilPilFacts) -> GuardFailure | None:
    """A judgment becomes final once it was served and the appeal period ran out unused."""
    due = _running(facts, appeal_rule(facts.kind))
    if due is not None and facts.today > due:
        return None
    return _civil_fail(
        CivilPilRule.APPEAL_PERIOD_RUN,
        N_("The judgment has not been served or the period for appeal has not ended."),
        N_("Record the service of the judgment and wait until the appeal period has ended."),
    )


def procuratorate_withdrawal(facts: CivilPilFacts) -> GuardFailure | None:
    """The procuratorate withdraws only when every claim has been realised (art. 19)."""
    if facts.kind == PilKind.NGO or facts.claims_realised:
        return None
    return _civil_fail(
        CivilPilRule.PROCURATORATE_WITHDRAWAL,
        N_("The procuratorate may withdraw only when all its claims have been realised."),
        N_("Record that every claim has been realised, or continue the suit."),
    )


def no_withdrawal_on_settlement(facts: CivilPilFacts) -> GuardFailure | None:
    """A settlement ends in a mediation document, not in a withdrawal (art. 25)."""
    if facts.claims_realised or _count(facts, CivilPilEvent.PUBLISH_SETTLEMENT) == 0:
        return None
    return _civil_fail(
        CivilPilRule.NO_WITHDRAWAL_ON_SETTLEMENT,
        N_("A public-interest suit may not be withdrawn because the parties settled."),
        N_("Issue a mediation document once the agreement has been published for 30 days."),
    )


def no_withdrawal_after_debate(facts: CivilPilFacts) -> GuardFailure | None:
    """After the court debate ended, only realised claims allow a withdrawal (arts. 26–27)."""
    if facts.claims_realised or _count(facts, CivilPilEvent.CONCLUDE_DEBATE) == 0:
        return None
    return _civil_fail(
        CivilPilRule.NO_WITHDRAWAL_AFTER_DEBATE,
        N_("The court debate has ended; the suit may no longer be withdrawn."),
        N_("Withdraw only if the regulator's action has realised all the claims."),
    )


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
)


# ================================================================================================
# Administrative public-interest litigation of the procuratorate (行政公益诉讼)
# ================================================================================================


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


ADMIN_PIL_RULES: Mapping[AdminPilRule, tuple[str, str]] = MappingProxyType(
    {
        AdminPilRule.REPLY_OR_PERIOD_RUN: ("检察建议回复期限", f"{_PROC} art. 21"),
        AdminPilRule.AGENCY_PERFORMED: ("行政机关依法履职", f"{_PROC} art. 21"),
        AdminPilRule.AGENCY_NOT_PERFORMED: (
            "行政机关不依法履职",
            f"{_PROC} art. 21; 行政诉讼法 art. 25 ¶4",
        ),
        AdminPilRule.JUDGMENT_KIND: ("行政公益诉讼判决种类", f"{_PROC} art. 25"),
        AdminPilRule.ADMIN_APPEAL_IN_TIME: ("上诉期间", "行政诉讼法 art. 85"),
        AdminPilRule.ADMIN_APPEAL_PERIOD_RUN: ("判决生效", "行政诉讼法 art. 85"),
        AdminPilRule.ADMIN_WITHDRAWAL: ("撤回起诉", f"{_PROC} art. 24 [R]"),
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

_ADMIN_SECOND_INSTANCE_ENDS = ("admin_pil.second_instance",)  # see _SECOND_INSTANCE_ENDS
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
)


OPENS_BY_FACTS: Mapping[str, Mapping[Any, Callable[[Any], tuple[str, ...]]]] = MappingProxyType(
    {CIVIL_PIL.name: CIVIL_PIL_OPENS_BY_FACTS, ADMIN_PIL.name: ADMIN_PIL_OPENS_BY_FACTS}
)


def extra_rules(track: str, event: str, facts: Any) -> tuple[str, ...]:
    """Legal-clock rules a step also starts, chosen from its facts (not in the static OPENS).

    The service opens them after the static ``opens`` of the event, with the facts it built for
    the guards.

    >>> from datetime import date
    >>> extra_rules("administrative_pil", "issue_recommendation",
    ...             AdminPilFacts(today=date(2026, 3, 2), urgent=True))
    ('admin_pil.reply_urgent',)
    >>> extra_rules("civil_pil", "serve_judgment", CivilPilFacts(date(2026, 3, 2), kind="ngo"))
    ('civil.appeal',)
    >>> extra_rules("civil_pil", "judge", CivilPilFacts(date(2026, 3, 2)))
    ()
    """
    opens = OPENS_BY_FACTS.get(track, {}).get(event)
    return opens(facts) if opens is not None else ()
