"""Environmental civil public-interest suit (环境民事公益诉讼): who may bring it, what its guards
read, the legal rules they enforce and the guards themselves.

The lifecycle built on them (statuses, tables, :data:`~casemgr.lifecycles.civil.pil.CIVIL_PIL`
and its channel spec) is in :mod:`casemgr.lifecycles.civil.pil`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from types import MappingProxyType

from casemgr.i18n import N_
from casemgr.legalbasis import Citation, Law
from casemgr.lifecycles import GuardFailure, GuardRule
from casemgr.lifecycles.civil.common import _PROC, _count, _running, _waited


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


_ENV = Law.ENV_CIVIL_PIL_INTERPRETATION  # 环境民事公益诉讼解释 2020
_CIV = Law.CIVIL_PROCEDURE_LAW  # 民事诉讼法 2023

# Title (its zh-CN translation is the Chinese name) and legal basis of each rule.
CIVIL_PIL_RULES: Mapping[CivilPilRule, GuardRule] = MappingProxyType(
    {
        CivilPilRule.PIL_KIND: GuardRule(
            N_("Who may bring a public-interest suit"),  # 公益诉讼起诉主体
            (
                Citation(_CIV, "58"),
                Citation(Law.ENV_PROTECTION_LAW, "58"),
                Citation(_PROC, "13, 20"),
            ),
        ),
        CivilPilRule.NGO_STANDING: GuardRule(
            N_("Standing of a social organisation"),  # 社会组织原告资格
            # The conditions of NGO_STANDING [V].
            (
                Citation(Law.ENV_PROTECTION_LAW, "58"),
                Citation(
                    _ENV,
                    "2–5",
                    note=N_(
                        "registered at districted-city level or above, at least 5 consecutive "
                        "years of environmental public-interest work, no administrative or "
                        "criminal penalty for its activities in the 5 years before suit"
                    ),
                ),
            ),
        ),
        CivilPilRule.ANNOUNCEMENT_RUN: GuardRule(
            N_("Pre-suit announcement period over"),  # 诉前公告期满
            (Citation(_PROC, "13"), Citation(_CIV, "58(2)")),
        ),
        CivilPilRule.INCIDENTAL_WITH_INDICTMENT: GuardRule(
            N_("Brought together with the public prosecution"),  # 与刑事公诉一并提起
            (Citation(_PROC, "20"),),
        ),
        CivilPilRule.INCIDENTAL_ANNOUNCEMENT: GuardRule(
            # 刑事附带民事公益诉讼诉前公告: the rule of INCIDENTAL_ANNOUNCEMENT.
            N_("Pre-suit announcement of an incidental civil public-interest suit"),
            (Citation(Law.SPC_SPP_INCIDENTAL_PIL_REPLY, recalled=True),),
        ),
        CivilPilRule.ACCEPTANCE_NOTICE: GuardRule(
            N_("Notice of acceptance"),  # 受理公告
            (Citation(_ENV, "10"), Citation(_PROC, "17", note=N_("no second announcement"))),
        ),
        CivilPilRule.JOINING_WINDOW: GuardRule(
            N_("Period for applying to join the suit"),  # 申请参加诉讼期间
            (Citation(_ENV, "10"),),
        ),
        CivilPilRule.JOINING_WINDOW_CLOSED: GuardRule(
            N_("Judgment after the joining period"),  # 参加诉讼期间届满后裁判
            (
                Citation(
                    _ENV,
                    "10",
                    note=N_("derived: eligible plaintiffs may join until the period closes"),
                ),
            ),
        ),
        CivilPilRule.SETTLEMENT_NOTICE_RUN: GuardRule(
            N_("Settlement notice period over"),  # 调解协议公告期满
            (Citation(_ENV, "25"),),
        ),
        CivilPilRule.APPEAL_IN_TIME: GuardRule(
            N_("Period for appeal"),  # 上诉期间
            (
                Citation(_CIV, "171"),
                Citation(
                    Law.CRIMINAL_PROCEDURE_LAW, "230", note=N_("incidental suit"), recalled=True
                ),
            ),
        ),
        CivilPilRule.APPEAL_PERIOD_RUN: GuardRule(
            N_("Judgment takes effect"),  # 判决生效
            (Citation(_CIV, "158, 171"),),
        ),
        CivilPilRule.PROCURATORATE_WITHDRAWAL: GuardRule(
            N_("Withdrawal of suit by the procuratorate"),  # 检察机关撤回起诉
            (Citation(_PROC, "19"),),
        ),
        CivilPilRule.NO_WITHDRAWAL_ON_SETTLEMENT: GuardRule(
            N_("No withdrawal by settlement"),  # 不得以和解撤诉
            # DOMAIN.md §3.1: withdrawal by settlement is not allowed.
            (Citation(_ENV, "25", note=N_("withdrawal by settlement is not allowed")),),
        ),
        CivilPilRule.NO_WITHDRAWAL_AFTER_DEBATE: GuardRule(
            N_("No withdrawal after the court debate has ended"),  # 法庭辩论终结后不准撤诉
            (Citation(_ENV, "26, 27", recalled=True),),
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
