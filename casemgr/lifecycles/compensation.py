"""The eco-environmental damage compensation claim (生态环境损害赔偿) lifecycle: DOMAIN.md §3.3.

The claimant government's designated department (赔偿权利人指定的部门或机构) screens a lead,
starts a claim or records why it does not (管理规定 2022 art. 18), investigates the damage, has it
appraised and assessed (鉴定评估, or a simplified assessment for simple, undisputed, small cases,
art. 20 ¶2) and consults the obligor (磋商, mandatory before any suit: 磋商前置). An agreement
(赔偿协议) may be judicially confirmed after the court's 30-day public notice (SPC 若干规定
art. 20), then performed (restoration or payment) and its effect evaluated (修复效果评估, three
cases exempt). When consultation fails the claimant sues (SPC 若干规定 art. 1); a final judgment
or a confirmed agreement that is not performed is enforced by the court (art. 21).

The dates of the legal clock come in as ``due`` (rule code -> due date, see
:mod:`casemgr.legalclock.compensation`) and ``done``. The start-decision clock starts with the
case, on the day the lead was received (:data:`OPENS_ON_START`), the others on an event
(:data:`OPENS`); the appeal period runs from the day the judgment is served, so
``render_judgment`` is recorded on that day. Restoration has no statutory period: the agreement
or judgment sets ``performance_due_on`` and :func:`performance_overdue` feeds the alert.

Example
-------
>>> from datetime import date
>>> facts = CompFacts(today=date(2026, 3, 2), reason="insignificant")
>>> COMPENSATION.next_status(CompStatus.SCREENING, CompEvent.DECIDE_NOT_TO_START, facts)
<CompStatus.NOT_STARTED: 'not_started'>
>>> COMPENSATION.failures(CompStatus.SCREENING, CompEvent.DECIDE_NOT_TO_START,
...                       CompFacts(today=date(2026, 3, 2), reason="too_busy"))[0].rule.value
'not_started_reason'
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from types import MappingProxyType

from casemgr.i18n import N_
from casemgr.legalbasis import Citation, Law
from casemgr.lifecycles import ChannelSpec, Guard, GuardFailure, GuardRule, Lifecycle, Organ

__all__ = [
    "ADMISSIBLE_INCIDENT_LEVELS",
    "ASSESSMENT_METHODS",
    "COMPENSATION",
    "COMPUTED",
    "CONSULTATION_FAILURE_GROUNDS",
    "ENDINGS",
    "EVALUATION_EXEMPTIONS",
    "EVENT_ORGAN",
    "FIELDS",
    "GUARDS",
    "INCIDENT_LEVELS",
    "MEETS",
    "NOT_STARTED_REASONS",
    "OPENS",
    "OPENS_ON_START",
    "RECORDS",
    "REQUIRES",
    "RULES",
    "SIMPLIFIED_ASSESSMENT_LIMIT",
    "TRANSITIONS",
    "CompEvent",
    "CompFacts",
    "CompRule",
    "CompStatus",
    "Ground",
    "SimplifiedAssessmentLimit",
    "performance_overdue",
    "procuratorate_notice_missing",
]


class CompStatus(StrEnum):
    """Status of an eco-environmental damage compensation claim."""

    LEAD = "lead"  # 线索
    SCREENING = "screening"  # 线索筛查 (管理规定 2022 art. 17-18)
    NOT_STARTED = "not_started"  # 不启动索赔 (art. 18)
    INVESTIGATION = "investigation"  # 索赔启动, 损害调查
    ASSESSMENT = "assessment"  # 鉴定评估, full or simplified (art. 20)
    CONSULTATION = "consultation"  # 磋商, after the written notice (磋商前置)
    AGREEMENT = "agreement"  # 赔偿协议
    JUDICIAL_CONFIRMATION = "judicial_confirmation"  # 司法确认 (SPC 若干规定 art. 20)
    PERFORMANCE = "performance"  # 履行: restoration (修复) or payment (赔偿金)
    EFFECT_EVALUATION = "effect_evaluation"  # 修复效果评估
    CLOSED = "closed"  # 结案
    CONSULTATION_FAILED = "consultation_failed"  # 磋商不成
    LITIGATION = "litigation"  # 起诉, first instance (SPC 若干规定 arts. 1-8)
    JUDGMENT = "judgment"  # 一审判决, the appeal period running (民事诉讼法 2023 art. 171)
    APPEAL = "appeal"  # 上诉, second instance
    JUDGMENT_FINAL = "judgment_final"  # 判决生效 (second-instance judgments are final)
    ENFORCEMENT = "enforcement"  # 申请强制执行 (SPC 若干规定 art. 21)
    WITHDRAWN = "withdrawn"  # 终止索赔 / 撤诉


class CompEvent(StrEnum):
    """Event that moves an eco-environmental damage compensation claim."""

    START_SCREENING = "start_screening"  # 线索筛查
    START_CLAIM = "start_claim"  # 启动索赔, 开展损害调查
    DECIDE_NOT_TO_START = "decide_not_to_start"  # 不启动索赔 (管理规定 art. 18)
    START_ASSESSMENT = "start_assessment"  # 委托鉴定评估 / 简易评估 (art. 20)
    SERVE_CONSULTATION_NOTICE = "serve_consultation_notice"  # 送达磋商书面通知
    RECORD_ROUND = "record_round"  # 磋商会议 (one round)
    REACH_AGREEMENT = "reach_agreement"  # 签订赔偿协议
    FAIL_CONSULTATION = "fail_consultation"  # 磋商不成 (refusal, no agreement, limit passed)
    APPLY_CONFIRMATION = "apply_confirmation"  # 申请司法确认
    PUBLISH_CONFIRMATION_NOTICE = "publish_confirmation_notice"  # 法院公告协议 (art. 20)
    CONFIRM_AGREEMENT = "confirm_agreement"  # 裁定确认协议有效
    REFUSE_CONFIRMATION = "refuse_confirmation"  # 裁定不予确认
    BEGIN_PERFORMANCE = "begin_performance"  # 开始履行 (agreement or final judgment)
    RECORD_NON_PERFORMANCE = "record_non_performance"  # 未经确认的协议不履行 → 磋商不成 [R]
    FILE_SUIT = "file_suit"  # 提起生态环境损害赔偿诉讼 (SPC 若干规定 art. 1)
    RENDER_JUDGMENT = "render_judgment"  # 一审判决送达
    FILE_APPEAL = "file_appeal"  # 上诉 (a party's act, recorded from the court's file)
    RENDER_APPEAL_JUDGMENT = "render_appeal_judgment"  # 二审判决 (终审)
    RECORD_FINALITY = "record_finality"  # 判决生效 (appeal period run)
    APPLY_ENFORCEMENT = "apply_enforcement"  # 申请强制执行 (SPC 若干规定 art. 21)
    TERMINATE_ENFORCEMENT = "terminate_enforcement"  # 终结执行裁定
    START_EVALUATION = "start_evaluation"  # 开展修复效果评估
    RECORD_EVALUATION = "record_evaluation"  # 修复效果评估结论
    RESUME_RESTORATION = "resume_restoration"  # 评估未达标, 继续修复
    CLOSE = "close"  # 结案 (after the evaluation, or exempt from it)
    CLOSE_WITHOUT_PERFORMANCE = "close_without_performance"  # 判决驳回等, 无需履行
    WITHDRAW = "withdraw"  # 终止索赔 (claimant withdraws the claim)
    WITHDRAW_SUIT = "withdraw_suit"  # 裁定准许撤诉


# -- data lists (each entry with its label and source) -----------------------------------------


@dataclass(frozen=True)
class Ground:
    """A coded ground with its label and its source ([R] where unverified).

    ``label`` is an English msgid whose zh-CN translation is the Chinese wording.
    """

    code: str
    label: str
    source: str


_ART18 = "生态环境损害赔偿管理规定 2022 art. 18 ¶1"
_OPINION = "关于生态环境损害赔偿制度改革若干具体问题的意见 (MEE et al.)"
NOT_STARTED_REASONS: tuple[Ground, ...] = (
    Ground(
        "insignificant",
        N_("The damage is clearly minor and needs no compensation"),
        f"{_ART18} (3); {_OPINION} art. 4",
    ),
    Ground(
        "already_compensated",
        N_("The liable party has compensated, or another procedure has dealt with the damage"),
        f"{_ART18} [R]",
    ),
    Ground(
        "court_judgment_exists",
        N_("A court has given a final judgment on the same damage"),
        f"{_ART18} [R]",
    ),
    Ground("no_liable_party", N_("The liable party cannot be identified"), f"{_ART18} [R]"),
    Ground(
        "obligor_extinct",
        N_("The liable party has ceased to exist or died, leaving no property to enforce against"),
        f"{_ART18} [R]",
    ),
    Ground(
        "permitted_discharge",
        N_("The liable party discharged lawfully under its permit and within national rules"),
        f"{_ART18} [R]",
    ),
    Ground(
        "other",
        N_("Another case in which no claim need be started (explain in writing)"),
        f"{_ART18} (catch-all) [R]",
    ),
)

CONSULTATION_FAILURE_GROUNDS: tuple[Ground, ...] = (
    Ground(
        "refused",
        N_("The liable party refused consultation or did not reply in time"),
        "管理规定 2022 (磋商不成) [R]",
    ),
    Ground("no_agreement", N_("Consultation reached no agreement"), "管理规定 2022 (磋商不成) [R]"),
    Ground(
        "limit_passed",
        N_("The consultation period ended without a compensation agreement"),
        "管理规定 2022 (90-day limit) [R]",
    ),
    Ground(
        "agreement_not_performed",
        N_("The agreement was not judicially confirmed and the liable party does not perform it"),
        f"{_OPINION} art. 7 (two added cases of 磋商不成) [R: this case]",
    ),
    Ground(
        "other",
        N_("Another case of failed consultation (explain in writing)"),
        "管理规定 2022 (catch-all) [R]",
    ),
)

_ART14 = f"{_OPINION} art. 14 (three exempt cases [V: mdx.gov.cn Q&A]; wording [R])"
EVALUATION_EXEMPTIONS: tuple[Ground, ...] = (
    Ground(
        "payment_only",
        N_("The liable party only pays compensation; no restoration is involved"),
        _ART14,
    ),
    Ground(
        "natural_recovery",
        N_("The damaged environment has recovered naturally or through the emergency response"),
        _ART14,
    ),
    Ground(
        "simple_restoration",
        N_("Small and simple restoration, completed as checked on site"),
        _ART14,
    ),
)

ASSESSMENT_METHODS: tuple[Ground, ...] = (
    Ground(
        "full",
        N_("Appraisal and assessment (by an appraisal institution)"),
        "管理规定 2022 art. 20 ¶1 [R: paragraph]",
    ),
    Ground(
        "simplified",
        N_("Simplified assessment (by experts)"),
        f"管理规定 2022 art. 20 ¶2; {_OPINION} art. 9",
    ),
)

_PLAN = "国家突发环境事件应急预案 2014 (four levels)"
INCIDENT_LEVELS: tuple[Ground, ...] = (
    Ground("general", N_("Ordinary environmental emergency"), _PLAN),
    Ground("larger", N_("Relatively major environmental emergency"), _PLAN),
    Ground("major", N_("Major environmental emergency"), _PLAN),
    Ground("especially_major", N_("Especially major environmental emergency"), _PLAN),
)
# SPC 若干规定 art. 1 (1): a larger, major or especially major sudden environmental incident.
ADMISSIBLE_INCIDENT_LEVELS: frozenset[str] = frozenset({"larger", "major", "especially_major"})


@dataclass(frozen=True)
class SimplifiedAssessmentLimit:
    """Damage (in cents) from which a simplified assessment is no longer "small" (损害较小)."""

    max_damage_cents: int
    source: str


SIMPLIFIED_ASSESSMENT_LIMIT = SimplifiedAssessmentLimit(
    max_damage_cents=500_000_00,
    source=(
        "管理规定 2022 art. 20 ¶2 (损害较小) sets no amount; 500,000 CNY is a placeholder default "
        "[R] (DOMAIN §8 open point): configure it per the claimant's local rules"
    ),
)


def _codes(grounds: tuple[Ground, ...]) -> frozenset[str]:
    return frozenset(g.code for g in grounds)


_NOT_STARTED = _codes(NOT_STARTED_REASONS)
_FAILURES = _codes(CONSULTATION_FAILURE_GROUNDS)
_EXEMPTIONS = _codes(EVALUATION_EXEMPTIONS)
_METHODS = _codes(ASSESSMENT_METHODS)

# -- legal clock, step data and facts ----------------------------------------------------------

START_DECISION = "compensation.start_decision"
CONSULTATION_LIMIT = "compensation.consultation"
CONFIRMATION_NOTICE = "compensation.confirmation_notice"
APPEAL_PERIOD = "compensation.appeal"

FIELDS: Mapping[str, str] = MappingProxyType(
    {
        "reason": "str",  # a NOT_STARTED_REASONS code
        "not_started_note": "text",
        "incident_level": "str",  # an INCIDENT_LEVELS code
        "key_zone": "bool",  # 重点生态功能区 / 禁止开发区
        "serious_consequences": "bool",  # 其他严重影响生态环境后果
        "assessment_method": "str",  # an ASSESSMENT_METHODS code
        "simple_undisputed": "bool",  # 损害事实简单、责任认定无争议
        "damage_cents": "cents",  # estimated, then assessed damage
        "notice_served_on": "date",  # 磋商书面通知送达日
        "round_summary": "text",
        "agreed_cents": "cents",
        "restoration": "bool",  # the agreement or judgment orders restoration (修复)
        "performance_due_on": "date",  # set by the agreement or the judgment
        "failure_ground": "str",  # a CONSULTATION_FAILURE_GROUNDS code
        "failure_note": "text",
        "refusal_reason": "text",
        "awarded_cents": "cents",
        "evaluation_passed": "bool",
        "evaluation_summary": "text",
        "exemption_reason": "str",  # an EVALUATION_EXEMPTIONS code
        "closing_reason": "text",
        "withdrawal_reason": "text",
    }
)

COMPUTED: Mapping[str, str] = MappingProxyType(
    {
        "procuratorate_notified": (
            "True when the procuratorate was notified when the investigation opened (a linked "
            "notification record); not a guard, it feeds a consistency alert, see "
            "procuratorate_notice_missing"
        ),
        "simplified_max_damage_cents": (
            "The simplified-assessment damage threshold configured for the claimant's region; "
            "SIMPLIFIED_ASSESSMENT_LIMIT when none is configured"
        ),
    }
)


@dataclass(frozen=True)
class CompFacts:
    """What the guards of a compensation claim need, as plain values (no database).

    Step-data fields come from the request, else from the case's stored details; ``due`` and
    ``done`` from the legal clock. Defaults are the cautious ones: nothing served, nothing run.
    """

    today: date
    event_counts: Mapping[str, int] = field(default_factory=dict)
    due: Mapping[str, date] = field(default_factory=dict)
    done: Mapping[str, date] = field(default_factory=dict)
    reason: str | None = None
    not_started_note: str | None = None
    incident_level: str | None = None
    key_zone: bool = False
    serious_consequences: bool = False
    assessment_method: str | None = None
    simple_undisputed: bool = False
    damage_cents: int | None = None
    notice_served_on: date | None = None
    restoration: bool | None = None
    performance_due_on: date | None = None
    failure_ground: str | None = None
    failure_note: str | None = None
    evaluation_passed: bool | None = None
    exemption_reason: str | None = None
    procuratorate_notified: bool = False
    simplified_max_damage_cents: int = SIMPLIFIED_ASSESSMENT_LIMIT.max_damage_cents


# -- rules and guards --------------------------------------------------------------------------


class CompRule(StrEnum):
    """Code of each legal rule the compensation guards enforce."""

    NOT_STARTED_REASON = "not_started_reason"
    SIMPLIFIED_ASSESSMENT_CONDITIONS = "simplified_assessment_conditions"
    CONSULTATION_NOTICE_SERVED = "consultation_notice_served"
    CONSULTATION_FAILURE_GROUND = "consultation_failure_ground"
    CONFIRMATION_NOTICE_RUN = "confirmation_notice_run"
    LITIGATION_ADMISSIBLE = "litigation_admissible"
    APPEAL_IN_TIME = "appeal_in_time"
    APPEAL_WINDOW_RUN = "appeal_window_run"
    ENFORCEABLE_TITLE = "enforceable_title"
    PERFORMANCE_DUE_PASSED = "performance_due_passed"
    EVALUATION_OR_EXEMPTION = "evaluation_or_exemption"


_DR = Law.ECO_DAMAGE_COMPENSATION_RULES  # 生态环境损害赔偿管理规定 2022
_OP = Law.ECO_DAMAGE_COMPENSATION_OPINION  # 关于推进生态环境损害赔偿制度改革若干具体问题的意见
_SPC = Law.SPC_ECO_DAMAGE_COMPENSATION_PROVISIONS  # SPC 生态环境损害赔偿若干规定
_CIV = Law.CIVIL_PROCEDURE_LAW  # 民事诉讼法 2023
# Title (its zh-CN translation is the Chinese name) and legal basis of each rule. A note names
# the part a recalled citation ([R]) leaves unchecked.
RULES: Mapping[CompRule, GuardRule] = MappingProxyType(
    {
        CompRule.NOT_STARTED_REASON: GuardRule(
            N_("Grounds for not starting a claim"),  # 不启动索赔情形
            (Citation(_DR, "18(1)", note=N_("except item 3"), recalled=True),),
        ),
        CompRule.SIMPLIFIED_ASSESSMENT_CONDITIONS: GuardRule(
            N_("Conditions for a simplified assessment"),  # 简易评估适用条件
            (Citation(_DR, "20(2)", note=N_("damage threshold unverified")),),
        ),
        CompRule.CONSULTATION_NOTICE_SERVED: GuardRule(
            N_("Written notice of consultation"),  # 磋商书面通知
            # 磋商前置; the article is unchecked.
            (Citation(_DR, note=N_("consultation first, by written notice"), recalled=True),),
        ),
        CompRule.CONSULTATION_FAILURE_GROUND: GuardRule(
            N_("Grounds for a failed consultation"),  # 磋商不成情形
            (
                Citation(_DR),
                Citation(_OP, "7", note=N_("the grounds and the 90-day limit"), recalled=True),
            ),
        ),
        CompRule.CONFIRMATION_NOTICE_RUN: GuardRule(
            N_("Notice period for judicial confirmation"),  # 司法确认公告期
            (Citation(_SPC, "20"),),
        ),
        CompRule.LITIGATION_ADMISSIBLE: GuardRule(
            # 生态环境损害赔偿诉讼受理条件
            N_("Conditions for accepting a damage compensation suit"),
            (Citation(_SPC, "1"),),
        ),
        CompRule.APPEAL_IN_TIME: GuardRule(
            N_("Appeal time limit"),  # 上诉期限
            (Citation(_CIV, "171"),),
        ),
        CompRule.APPEAL_WINDOW_RUN: GuardRule(
            N_("Judgment takes effect (appeal period over)"),  # 判决生效（上诉期满）
            (Citation(_CIV, "171"),),
        ),
        CompRule.ENFORCEABLE_TITLE: GuardRule(
            N_("Enforceable title"),  # 强制执行依据
            (Citation(_SPC, "21"),),
        ),
        CompRule.PERFORMANCE_DUE_PASSED: GuardRule(
            N_("Performance date passed"),  # 履行期限届满
            (
                Citation(
                    _SPC,
                    "21",
                    note=N_("the agreement or judgment sets the date; no statutory period"),
                ),
            ),
        ),
        CompRule.EVALUATION_OR_EXEMPTION: GuardRule(
            N_("Evaluation of the restoration effect"),  # 修复效果评估
            (Citation(_OP, "14", note=N_("wording"), recalled=True),),
        ),
    }
)


def _fail(rule: CompRule, reason: str, *ways_forward: str) -> GuardFailure:
    title, basis = RULES[rule]
    return GuardFailure(rule, title, basis, reason, tuple(ways_forward))


def _blank(text: str | None) -> bool:
    return not (text and text.strip())


def not_started_reason(facts: CompFacts) -> GuardFailure | None:
    """Not starting a claim needs a listed ground; the catch-all ground needs a written note."""
    if facts.reason not in _NOT_STARTED:
        reason = N_("The ground for not starting the claim is not one of the listed grounds.")
    elif facts.reason == "other" and _blank(facts.not_started_note):
        reason = N_("The ground 'other' for not starting the claim needs a written explanation.")
    else:
        return None
    return _fail(
        CompRule.NOT_STARTED_REASON,
        reason,
        N_("Choose one of the listed grounds for not starting the claim."),
        N_("Or choose 'other' and explain the ground in the note."),
    )


def simplified_assessment_conditions(facts: CompFacts) -> GuardFailure | None:
    """A simplified assessment is for simple, undisputed cases whose damage is small."""
    method = facts.assessment_method
    if method not in _METHODS:
        reason = N_("The assessment method must be 'full' or 'simplified'.")
    elif method == "full":
        return None
    elif not facts.simple_undisputed:
        reason = N_(
            "A simplified assessment is only for cases whose facts are simple and whose "
            "liability is undisputed."
        )
    elif facts.damage_cents is not None and (
        facts.damage_cents >= facts.simplified_max_damage_cents
    ):
        reason = N_("The estimated damage is not below the threshold for a simplified assessment.")
    else:
        return None
    return _fail(
        CompRule.SIMPLIFIED_ASSESSMENT_CONDITIONS,
        reason,
        N_("Commission a full appraisal and assessment."),
        N_("Check the simplified-assessment threshold configured for the region."),
    )


def consultation_notice_served(facts: CompFacts) -> GuardFailure | None:
    """Consultation runs on a written notice served on the obligor (磋商书面通知)."""
    if facts.notice_served_on is None:
        reason = N_("No written consultation notice has been served on the obligor.")
    elif facts.notice_served_on > facts.today:
        reason = N_("The consultation notice is served after the date of this step.")
    else:
        return None
    return _fail(
        CompRule.CONSULTATION_NOTICE_SERVED,
        reason,
        N_("Serve the written consultation notice and record the date of service."),
    )


def consultation_failure_ground(facts: CompFacts) -> GuardFailure | None:
    """A failed consultation names a listed ground; 'limit passed' needs the limit to have run."""
    ground = facts.failure_ground
    due = facts.due.get(CONSULTATION_LIMIT)
    ways = [N_("Choose one of the listed grounds of consultation failure.")]
    if ground not in _FAILURES:
        reason = N_("The ground of the consultation failure is not one of the listed grounds.")
    elif ground == "limit_passed" and (due is None or facts.today <= due):
        reason = N_("The consultation limit has not passed yet.")
        ways = [N_("Record the actual outcome of the consultation, or wait for the limit.")]
    elif ground == "other" and _blank(facts.failure_note):
        reason = N_("The ground 'other' for the consultation failure needs a written explanation.")
    else:
        return None
    return _fail(CompRule.CONSULTATION_FAILURE_GROUND, reason, *ways)


def confirmation_notice_run(facts: CompFacts) -> GuardFailure | None:
    """The court rules on the agreement only after its 30-day public notice has run."""
    due = facts.due.get(CONFIRMATION_NOTICE)
    if due is None:
        reason = N_("The court's public notice of the agreement has not been recorded.")
    elif facts.today <= due:
        reason = N_("The court's 30-day public notice of the agreement has not run yet.")
    else:
        return None
    return _fail(
        CompRule.CONFIRMATION_NOTICE_RUN,
        reason,
        N_("Record the date the court published the agreement."),
        N_("Record the confirmation after the 30-day public notice has run."),
    )


def litigation_admissible(facts: CompFacts) -> GuardFailure | None:
    """Consultation failed or was impossible (磋商前置), and an art. 1 condition holds."""
    if facts.failure_ground not in _FAILURES:
        return _fail(
            CompRule.LITIGATION_ADMISSIBLE,
            N_("The claimant may sue only after consultation has failed or proved impossible."),
            N_("Consult the obligor and record the outcome first."),
        )
    if (
        facts.incident_level in ADMISSIBLE_INCIDENT_LEVELS
        or facts.key_zone
        or facts.serious_consequences
    ):
        return None
    return _fail(
        CompRule.LITIGATION_ADMISSIBLE,
        N_(
            "The case meets no condition for a compensation suit: a larger, major or especially "
            "major incident, a key ecological function or prohibited-development zone, or other "
            "serious consequences."
        ),
        N_("Record the incident level, the zone concerned or the serious consequences."),
        N_("Refer the case for public-interest litigation, or withdraw the claim."),
    )


def appeal_in_time(facts: CompFacts) -> GuardFailure | None:
    """An appeal is lodged within 15 days of service of the first-instance judgment."""
    due = facts.due.get(APPEAL_PERIOD)
    if due is None:
        reason = N_("The date the judgment was served has not been recorded.")
    elif facts.today > due:
        reason = N_("The 15-day appeal period has passed.")
    else:
        return None
    return _fail(
        CompRule.APPEAL_IN_TIME,
        reason,
        N_("Record the judgment as final once the appeal period has run."),
    )


def appeal_window_run(facts: CompFacts) -> GuardFailure | None:
    """A first-instance judgment is final once its 15-day appeal period has run."""
    due = facts.due.get(APPEAL_PERIOD)
    if due is None:
        reason = N_("The date the judgment was served has not been recorded.")
    elif facts.today <= due:
        reason = N_("The 15-day appeal period has not run yet: the judgment is not final.")
    else:
        return None
    return _fail(
        CompRule.APPEAL_WINDOW_RUN,
        reason,
        N_("Wait until the appeal period has run."),
        N_("If a party appealed, record the appeal."),
    )


# 执行依据: a confirmation ruling, or a judgment made final by the appeal period or on appeal.
_TITLES = (CompEvent.CONFIRM_AGREEMENT, CompEvent.RECORD_FINALITY, CompEvent.RENDER_APPEAL_JUDGMENT)


def enforceable_title(facts: CompFacts) -> GuardFailure | None:
    """Only a judicially confirmed agreement or a final judgment is enforced by the court."""
    if any(facts.event_counts.get(e, 0) for e in _TITLES):
        return None
    return _fail(
        CompRule.ENFORCEABLE_TITLE,
        N_("Only a judicially confirmed agreement or a final judgment can be enforced."),
        N_("If the obligor does not perform an unconfirmed agreement, record it and sue."),
    )


def performance_overdue(facts: CompFacts) -> bool:
    """Whether the performance date set by the agreement or judgment has passed (the alert)."""
    return facts.performance_due_on is not None and facts.today > facts.performance_due_on


def performance_due_passed(facts: CompFacts) -> GuardFailure | None:
    """Non-performance is recorded only once the agreed or adjudged performance date passed."""
    if facts.performance_due_on is None:
        reason = N_("No performance date of the agreement or judgment has been recorded.")
    elif not performance_overdue(facts):
        reason = N_("The performance date of the agreement or judgment has not passed yet.")
    else:
        return None
    return _fail(
        CompRule.PERFORMANCE_DUE_PASSED,
        reason,
        N_("Record the performance date set by the agreement or the judgment."),
        N_("Wait until the performance date has passed."),
    )


def evaluation_or_exemption(facts: CompFacts) -> GuardFailure | None:
    """Close after a passed effect evaluation, or without one on a listed exemption."""
    if facts.evaluation_passed:
        return None
    ways = [N_("Start the restoration effect evaluation."), N_("Record a listed exemption.")]
    if facts.evaluation_passed is False:
        reason = N_("The effect evaluation found the restoration not up to standard.")
        ways = [N_("Order further restoration and evaluate it again.")]
    elif facts.exemption_reason not in _EXEMPTIONS:
        reason = N_("Without an effect evaluation, closing needs a listed exemption.")
    elif facts.exemption_reason == "payment_only" and facts.restoration:
        reason = N_("Restoration was ordered, so the payment-only exemption does not apply.")
    else:
        return None
    return _fail(CompRule.EVALUATION_OR_EXEMPTION, reason, *ways)


def procuratorate_notice_missing(facts: CompFacts) -> bool:
    """Whether a started claim lacks the notice to the procuratorate (a consistency alert).

    The procuratorate is informed when the investigation opens (若干具体问题的意见 art. 12,
    wording [R]); a missing notice is reported, never blocking.
    """
    return bool(facts.event_counts.get(CompEvent.START_CLAIM, 0)) and not (
        facts.procuratorate_notified
    )


# -- the table ---------------------------------------------------------------------------------

_S = CompStatus
_E = CompEvent
_WITHDRAWABLE = (
    _S.INVESTIGATION,
    _S.ASSESSMENT,
    _S.CONSULTATION,
    _S.AGREEMENT,
    _S.CONSULTATION_FAILED,
)

TRANSITIONS: Mapping[tuple[CompStatus, CompEvent], CompStatus] = MappingProxyType(
    {
        (_S.LEAD, _E.START_SCREENING): _S.SCREENING,
        (_S.SCREENING, _E.START_CLAIM): _S.INVESTIGATION,
        (_S.SCREENING, _E.DECIDE_NOT_TO_START): _S.NOT_STARTED,
        (_S.INVESTIGATION, _E.START_ASSESSMENT): _S.ASSESSMENT,
        (_S.ASSESSMENT, _E.SERVE_CONSULTATION_NOTICE): _S.CONSULTATION,
        (_S.CONSULTATION, _E.RECORD_ROUND): _S.CONSULTATION,
        (_S.CONSULTATION, _E.REACH_AGREEMENT): _S.AGREEMENT,
        (_S.CONSULTATION, _E.FAIL_CONSULTATION): _S.CONSULTATION_FAILED,
        # Judicial confirmation is optional (SPC 若干规定 art. 20).
        (_S.AGREEMENT, _E.APPLY_CONFIRMATION): _S.JUDICIAL_CONFIRMATION,
        (_S.AGREEMENT, _E.BEGIN_PERFORMANCE): _S.PERFORMANCE,
        (_S.JUDICIAL_CONFIRMATION, _E.PUBLISH_CONFIRMATION_NOTICE): _S.JUDICIAL_CONFIRMATION,
        (_S.JUDICIAL_CONFIRMATION, _E.CONFIRM_AGREEMENT): _S.PERFORMANCE,
        (_S.JUDICIAL_CONFIRMATION, _E.REFUSE_CONFIRMATION): _S.CONSULTATION,
        # Non-performance: a confirmed agreement is enforced (art. 21), an unconfirmed one is
        # treated as a failed consultation and sued on [R].
        (_S.PERFORMANCE, _E.APPLY_ENFORCEMENT): _S.ENFORCEMENT,
        (_S.PERFORMANCE, _E.RECORD_NON_PERFORMANCE): _S.CONSULTATION_FAILED,
        (_S.PERFORMANCE, _E.START_EVALUATION): _S.EFFECT_EVALUATION,
        (_S.PERFORMANCE, _E.CLOSE): _S.CLOSED,  # exempt from the evaluation only
        (_S.EFFECT_EVALUATION, _E.RECORD_EVALUATION): _S.EFFECT_EVALUATION,
        (_S.EFFECT_EVALUATION, _E.RESUME_RESTORATION): _S.PERFORMANCE,
        (_S.EFFECT_EVALUATION, _E.CLOSE): _S.CLOSED,
        (_S.CONSULTATION_FAILED, _E.FILE_SUIT): _S.LITIGATION,
        (_S.LITIGATION, _E.RENDER_JUDGMENT): _S.JUDGMENT,
        (_S.LITIGATION, _E.WITHDRAW_SUIT): _S.WITHDRAWN,
        (_S.JUDGMENT, _E.FILE_APPEAL): _S.APPEAL,
        (_S.JUDGMENT, _E.RECORD_FINALITY): _S.JUDGMENT_FINAL,
        # 民事诉讼法 2023 art. 182: the second-instance judgment is final [R: article number].
        (_S.APPEAL, _E.RENDER_APPEAL_JUDGMENT): _S.JUDGMENT_FINAL,
        (_S.JUDGMENT_FINAL, _E.BEGIN_PERFORMANCE): _S.PERFORMANCE,
        (_S.JUDGMENT_FINAL, _E.APPLY_ENFORCEMENT): _S.ENFORCEMENT,
        (_S.JUDGMENT_FINAL, _E.CLOSE_WITHOUT_PERFORMANCE): _S.CLOSED,
        (_S.ENFORCEMENT, _E.START_EVALUATION): _S.EFFECT_EVALUATION,
        (_S.ENFORCEMENT, _E.CLOSE): _S.CLOSED,  # exempt from the evaluation only
        (_S.ENFORCEMENT, _E.TERMINATE_ENFORCEMENT): _S.CLOSED,
        **{(s, _E.WITHDRAW): _S.WITHDRAWN for s in _WITHDRAWABLE},
    }
)

GUARDS: Mapping[CompEvent, tuple[Guard[CompFacts], ...]] = MappingProxyType(
    {
        _E.DECIDE_NOT_TO_START: (not_started_reason,),
        _E.START_ASSESSMENT: (simplified_assessment_conditions,),
        _E.SERVE_CONSULTATION_NOTICE: (consultation_notice_served,),
        _E.RECORD_ROUND: (consultation_notice_served,),
        _E.REACH_AGREEMENT: (consultation_notice_served,),
        _E.FAIL_CONSULTATION: (consultation_notice_served, consultation_failure_ground),
        _E.CONFIRM_AGREEMENT: (confirmation_notice_run,),
        _E.RECORD_NON_PERFORMANCE: (performance_due_passed, consultation_failure_ground),
        _E.FILE_SUIT: (litigation_admissible,),
        _E.FILE_APPEAL: (appeal_in_time,),
        _E.RECORD_FINALITY: (appeal_window_run,),
        _E.APPLY_ENFORCEMENT: (enforceable_title, performance_due_passed),
        _E.CLOSE: (evaluation_or_exemption,),
    }
)

# -- what the generic service needs --------------------------------------------------------

_COURT = frozenset(
    {
        _E.PUBLISH_CONFIRMATION_NOTICE,
        _E.CONFIRM_AGREEMENT,
        _E.REFUSE_CONFIRMATION,
        _E.RENDER_JUDGMENT,
        _E.FILE_APPEAL,  # a party's appeal, recorded from the court's file
        _E.RENDER_APPEAL_JUDGMENT,
        _E.RECORD_FINALITY,
        _E.TERMINATE_ENFORCEMENT,
        _E.WITHDRAW_SUIT,  # the court's ruling allowing the withdrawal (准许撤诉)
    }
)
EVENT_ORGAN: Mapping[CompEvent, Organ] = MappingProxyType(
    {e: Organ.COURT if e in _COURT else Organ.CLAIMANT for e in CompEvent}
)


def _total(table: Mapping[CompEvent, tuple[str, ...]]) -> Mapping[CompEvent, tuple[str, ...]]:
    return MappingProxyType({e: table.get(e, ()) for e in CompEvent})


# The start decision is due 30 days [R] after the lead: its clock starts when the case (the lead,
# 线索) is opened, on the date the lead was received.
OPENS_ON_START: tuple[str, ...] = (START_DECISION,)

OPENS = _total(
    {
        _E.SERVE_CONSULTATION_NOTICE: (CONSULTATION_LIMIT,),
        # The application starts the notice; the court's publication restarts it from its date.
        _E.APPLY_CONFIRMATION: (CONFIRMATION_NOTICE,),
        _E.PUBLISH_CONFIRMATION_NOTICE: (CONFIRMATION_NOTICE,),
        _E.RENDER_JUDGMENT: (APPEAL_PERIOD,),
    }
)

MEETS = _total(
    {
        _E.START_CLAIM: (START_DECISION,),
        _E.DECIDE_NOT_TO_START: (START_DECISION,),
        _E.REACH_AGREEMENT: (CONSULTATION_LIMIT,),
        _E.FAIL_CONSULTATION: (CONSULTATION_LIMIT,),
        _E.CONFIRM_AGREEMENT: (CONFIRMATION_NOTICE,),
        _E.RECORD_FINALITY: (APPEAL_PERIOD,),
    }
)

ENDINGS: frozenset[CompEvent] = frozenset(
    {
        _E.DECIDE_NOT_TO_START,
        _E.CLOSE,
        _E.CLOSE_WITHOUT_PERFORMANCE,
        _E.TERMINATE_ENFORCEMENT,
        _E.WITHDRAW,
        _E.WITHDRAW_SUIT,
    }
)

REQUIRES = _total(
    {
        _E.DECIDE_NOT_TO_START: ("reason",),
        _E.START_ASSESSMENT: ("assessment_method",),
        _E.SERVE_CONSULTATION_NOTICE: ("notice_served_on",),
        _E.RECORD_ROUND: ("round_summary",),
        _E.REACH_AGREEMENT: ("agreed_cents", "restoration"),
        _E.FAIL_CONSULTATION: ("failure_ground",),
        _E.RECORD_NON_PERFORMANCE: ("failure_ground",),
        _E.RECORD_EVALUATION: ("evaluation_passed",),
        _E.TERMINATE_ENFORCEMENT: ("closing_reason",),
        _E.CLOSE_WITHOUT_PERFORMANCE: ("closing_reason",),
        _E.WITHDRAW: ("withdrawal_reason",),
        _E.WITHDRAW_SUIT: ("withdrawal_reason",),
    }
)

_ART1_FACTS = ("incident_level", "key_zone", "serious_consequences")
_JUDGMENT_FACTS = ("awarded_cents", "restoration", "performance_due_on")
_FAILURE_FACTS = ("failure_ground", "failure_note")
RECORDS = _total(
    {
        _E.START_CLAIM: _ART1_FACTS,
        _E.DECIDE_NOT_TO_START: ("reason", "not_started_note"),
        _E.START_ASSESSMENT: ("assessment_method", "simple_undisputed", "damage_cents"),
        _E.SERVE_CONSULTATION_NOTICE: ("notice_served_on", "damage_cents"),
        _E.RECORD_ROUND: ("round_summary",),
        _E.REACH_AGREEMENT: ("agreed_cents", "restoration", "performance_due_on"),
        _E.FAIL_CONSULTATION: _FAILURE_FACTS,
        _E.REFUSE_CONFIRMATION: ("refusal_reason",),
        _E.RECORD_NON_PERFORMANCE: _FAILURE_FACTS,
        _E.FILE_SUIT: _ART1_FACTS,
        _E.RENDER_JUDGMENT: _JUDGMENT_FACTS,
        _E.RENDER_APPEAL_JUDGMENT: _JUDGMENT_FACTS,
        _E.RECORD_EVALUATION: ("evaluation_passed", "evaluation_summary"),
        _E.CLOSE: ("exemption_reason",),
        _E.TERMINATE_ENFORCEMENT: ("closing_reason",),
        _E.CLOSE_WITHOUT_PERFORMANCE: ("closing_reason",),
        _E.WITHDRAW: ("withdrawal_reason",),
        _E.WITHDRAW_SUIT: ("withdrawal_reason",),
    }
)

_LABELS = {
    _S.LEAD: "线索",
    _S.SCREENING: "线索筛查",
    _S.NOT_STARTED: "不启动索赔",
    _S.INVESTIGATION: "损害调查",
    _S.ASSESSMENT: "鉴定评估",
    _S.CONSULTATION: "磋商",
    _S.AGREEMENT: "赔偿协议",
    _S.JUDICIAL_CONFIRMATION: "司法确认",
    _S.PERFORMANCE: "履行",
    _S.EFFECT_EVALUATION: "修复效果评估",
    _S.CLOSED: "结案",
    _S.CONSULTATION_FAILED: "磋商不成",
    _S.LITIGATION: "起诉",
    _S.JUDGMENT: "一审判决",
    _S.APPEAL: "上诉",
    _S.JUDGMENT_FINAL: "判决生效",
    _S.ENFORCEMENT: "申请强制执行",
    _S.WITHDRAWN: "终止索赔",
}

COMPENSATION: Lifecycle[CompStatus, CompEvent, CompFacts] = Lifecycle(
    name="compensation",
    statuses=CompStatus,
    events=CompEvent,
    transitions=TRANSITIONS,
    initial=CompStatus.LEAD,
    terminal=frozenset({_S.CLOSED, _S.NOT_STARTED, _S.WITHDRAWN}),
    guards=GUARDS,
    side=frozenset({_S.NOT_STARTED, _S.WITHDRAWN, _S.APPEAL}),
    labels={status: f"{label} {status}" for status, label in _LABELS.items()},
)

COMPENSATION_SPEC = ChannelSpec(
    track="compensation",
    channel="compensation",
    lifecycle=COMPENSATION,
    facts_type=CompFacts,
    event_organ=EVENT_ORGAN,
    opens=OPENS,
    meets=MEETS,
    endings=ENDINGS,
    requires=REQUIRES,
    records=RECORDS,
    fields=FIELDS,
    computed=COMPUTED,
    opens_on_start=OPENS_ON_START,
)
