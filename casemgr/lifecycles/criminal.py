"""The administrative-to-criminal transfer (行刑衔接) and criminal case lifecycle: DOMAIN.md §2.1,
§2.2.

One lifecycle from the agency's transfer report to the final judgment and its execution. The
agency's officers report (移送报告), the head approves, the agency hands the case to the police
within 24 hours with the required attachments; the police acknowledge receipt and decide within
3, 7 or 30 days whether to file. A refusal (不予立案) may be reconsidered by the police (复议) and
supervised by the procuratorate (立案监督), which may order the police to file. A filed case is
investigated, referred for prosecution (审查起诉, returned for supplementary investigation at
most twice), indicted or not, tried at first instance and, on appeal or protest, at second
instance, and the final judgment executed. A case that ends without criminal liability goes back
to the agency (``returned``) for administrative handling (移送规定 2020 art. 13; 衔接办法 2017
arts. 16-18).

Police acts reach the system as the written notices the agency receives (衔接办法 2017 art. 9),
so the date of a police event is the day its notice was received; the police's own decision
date may be recorded as ``decided_on`` (see :data:`NOTICE_RULES`).

Beyond the exports every channel has (EVENT_ORGAN, OPENS, MEETS, ENDINGS, REQUIRES, RECORDS,
FIELDS, COMPUTED), the service needs four things from this channel: :data:`OPENS_ON_START`
(the approval limit runs from the report, which is the case's creation), :func:`filing_rule`
(the filing limit chosen on receipt replaces the standard one in OPENS), :data:`CANCELS` (an
appeal makes the waiting appeal period moot) and :data:`NOTICE_RULES` (the police's notice
periods, counted from ``decided_on`` to the event's date).

Example
-------
>>> from datetime import date
>>> facts = CriminalFacts(today=date(2026, 3, 2), report_officer_count=2)
>>> CRIMINAL.next_status(CriminalStatus.REPORTED, CriminalEvent.APPROVE_TRANSFER, facts)
<CriminalStatus.APPROVED: 'approved'>
>>> filing_rule("leads_to_check")
'criminal.filing_decision.leads'
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from types import MappingProxyType
from typing import TYPE_CHECKING

from casemgr.i18n import N_
from casemgr.legalbasis import Citation, Law
from casemgr.lifecycles import ChannelSpec, Guard, GuardFailure, GuardRule, Lifecycle, Organ

if TYPE_CHECKING:
    from casemgr.exceptions import GuardFailed

__all__ = [
    "ATTACHMENT_KINDS",
    "CANCELS",
    "COMPUTED",
    "CRIMINAL",
    "ENDINGS",
    "EVENT_ORGAN",
    "FIELDS",
    "FILING_RULES",
    "GUARDS",
    "MEETS",
    "NOTICE_RULES",
    "OPENS",
    "OPENS_ON_START",
    "RECORDS",
    "REQUIRES",
    "RULES",
    "SUPPLEMENTARY_RETURNS",
    "TRANSITIONS",
    "AttachmentKind",
    "AttachmentKindInfo",
    "AttachmentNeed",
    "CriminalEvent",
    "CriminalFacts",
    "CriminalRule",
    "CriminalStatus",
    "DetailedGuardFailure",
    "FilingLimit",
    "SupplementaryReturns",
    "Verdict",
    "attachments_required",
    "filing_rule",
    "missing_attachments",
]

_TRANSFER = "移送规定 2020"  # 行政执法机关移送涉嫌犯罪案件的规定 (国务院令第310号, revised 2020)
_LINK = "衔接办法 2017"  # 环境保护行政执法与刑事司法衔接工作办法
_CPL = "刑事诉讼法 2018"


class CriminalStatus(StrEnum):
    """Status (案件状态) of a transferred or criminal case."""

    REPORTED = "reported"  # 移送报告, drafted by ≥2 officers (移送规定 2020 art. 5)
    APPROVED = "approved"  # 批准移送 (移送规定 art. 5; 衔接办法 2017 art. 5)
    HANDED_OVER = "handed_over"  # 移送公安机关, awaiting receipt (移送规定 art. 6; 衔接办法 art. 6)
    POLICE_REVIEW = "police_review"  # 签收, 立案审查 (衔接办法 arts. 7, 9)
    INVESTIGATION = "investigation"  # 立案侦查 (刑事诉讼法 arts. 112, 115)
    PROSECUTION_REVIEW = "prosecution_review"  # 审查起诉 (arts. 162, 172)
    INDICTED = "indicted"  # 提起公诉 (art. 176)
    TRIAL_1 = "trial_1"  # 一审 (art. 208)
    APPEAL_WINDOW = "appeal_window"  # 一审判决, 上诉抗诉期 (art. 230)
    TRIAL_2 = "trial_2"  # 二审 (art. 243)
    FINAL = "final"  # 生效裁判 (art. 244)
    EXECUTION = "execution"  # 执行
    CLOSED = "closed"  # 结案
    # Side states.
    TRANSFER_DECLINED = "transfer_declined"  # 负责人不批准移送
    MATERIALS_REQUESTED = "materials_requested"  # 补充材料 (衔接办法 art. 8)
    REFUSED = "refused"  # 不予立案 (衔接办法 art. 9)
    RECONSIDERATION = "reconsideration"  # 复议 (移送规定 art. 9; 衔接办法 art. 11)
    SUPERVISION = "supervision"  # 立案监督 (移送规定 art. 9; 衔接办法 art. 12)
    FILING_ORDERED = "filing_ordered"  # 检察院通知立案 (公安程序规定 art. 182)
    SUPPLEMENTARY_INVESTIGATION = "supplementary_investigation"  # 退回补充侦查 (art. 175)
    NOT_PROSECUTED = "not_prosecuted"  # 不起诉 (art. 177)
    RETURNED = "returned"  # 退回生态环境部门作行政处理 (移送规定 art. 13; 衔接办法 arts. 16-18)


class CriminalEvent(StrEnum):
    """Event (操作) that moves a transferred or criminal case; its organ is in EVENT_ORGAN."""

    APPROVE_TRANSFER = "approve_transfer"  # 批准移送
    DECLINE_TRANSFER = "decline_transfer"  # 不批准移送
    ADVISE_TRANSFER = "advise_transfer"  # 检察院建议移送 (衔接办法 art. 14)
    HAND_OVER = "hand_over"  # 移送公安机关, copy to the procuratorate
    ACKNOWLEDGE_RECEIPT = "acknowledge_receipt"  # 公安机关签收
    REQUEST_MATERIALS = "request_materials"  # 公安机关通知补充材料
    SUPPLY_MATERIALS = "supply_materials"  # 补充移送材料
    FILE_CASE = "file_case"  # 立案
    REFUSE_TO_FILE = "refuse_to_file"  # 不予立案
    REQUEST_RECONSIDERATION = "request_reconsideration"  # 提请复议
    UPHOLD_REFUSAL = "uphold_refusal"  # 复议维持不予立案
    REVERSE_REFUSAL = "reverse_refusal"  # 复议决定立案
    REQUEST_SUPERVISION = "request_supervision"  # 建议检察院立案监督
    REQUIRE_EXPLANATION = "require_explanation"  # 要求公安机关说明不立案理由
    EXPLAIN_REFUSAL = "explain_refusal"  # 公安机关说明不立案理由
    ORDER_FILING = "order_filing"  # 通知公安机关立案
    SUPPORT_REFUSAL = "support_refusal"  # 认为不立案理由成立
    ACCEPT_REFUSAL = "accept_refusal"  # 生态环境部门接受不予立案决定
    HAND_OVER_SEIZED_ITEMS = "hand_over_seized_items"  # 移交涉案物品
    WITHDRAW_CASE = "withdraw_case"  # 撤销案件
    REFER_FOR_PROSECUTION = "refer_for_prosecution"  # 移送审查起诉 (起诉意见书)
    RETURN_FOR_SUPPLEMENTARY = "return_for_supplementary"  # 退回补充侦查
    RESUBMIT = "resubmit"  # 补充侦查完毕重新移送
    INDICT = "indict"  # 提起公诉
    DECIDE_NOT_TO_PROSECUTE = "decide_not_to_prosecute"  # 不起诉决定
    RETURN_TO_AGENCY = "return_to_agency"  # 不起诉决定通知生态环境部门 (检察意见)
    ACCEPT_FOR_TRIAL = "accept_for_trial"  # 法院受理
    JUDGE_FIRST_INSTANCE = "judge_first_instance"  # 一审判决
    APPEAL = "appeal"  # 上诉、抗诉
    BECOME_FINAL = "become_final"  # 上诉期满未上诉、抗诉, 判决生效
    JUDGE_SECOND_INSTANCE = "judge_second_instance"  # 二审判决 (终审)
    REMAND = "remand"  # 发回重审 (arts. 236, 239 [R])
    START_EXECUTION = "start_execution"  # 交付执行
    COMPLETE_EXECUTION = "complete_execution"  # 执行完毕
    CLOSE_WITHOUT_EXECUTION = "close_without_execution"  # 无罪、免予刑事处罚, 结案
    CLOSE = "close"  # 结案 (by the agency)


# -- data: attachments, filing limits, verdicts, supplementary returns ---------------------------


class AttachmentKind(StrEnum):
    """Kind of document sent with a transfer (移送材料): 移送规定 2020 art. 6, 衔接办法 art. 6."""

    TRANSFER_LETTER = "transfer_letter"
    INVESTIGATION_REPORT = "investigation_report"
    SEIZED_ITEMS_LIST = "seized_items_list"
    INSPECTION_OR_APPRAISAL_REPORT = "inspection_or_appraisal_report"
    PENALTY_DECISION = "penalty_decision"
    SITE_RECORD = "site_record"
    PHOTOS_VIDEO = "photos_video"
    MONITORING_REPORT = "monitoring_report"
    IDENTIFICATION_OPINION = "identification_opinion"
    OTHER = "other"


class AttachmentNeed(StrEnum):
    """When an attachment kind must be sent."""

    ALWAYS = "always"
    IF_PENALTY_DECIDED = "if_penalty_decided"  # an administrative penalty was decided
    OPTIONAL = "optional"  # sent where it exists


@dataclass(frozen=True)
class AttachmentKindInfo:
    """An attachment kind with its label, when it is needed and the source of that.

    ``label`` is an English msgid whose zh-CN translation is the wording of the provisions.
    """

    kind: AttachmentKind
    label: str
    need: AttachmentNeed
    source: str


_K, _N = AttachmentKind, AttachmentNeed
_ART6 = f"{_TRANSFER} art. 6; {_LINK} art. 6"
_LINK6 = f"{_LINK} art. 6"
# Labels as msgids; the comment above each is its zh-CN translation, the provisions' wording.
ATTACHMENT_KINDS: tuple[AttachmentKindInfo, ...] = (
    # 涉嫌犯罪案件移送书
    AttachmentKindInfo(
        _K.TRANSFER_LETTER,
        N_("Transfer letter of the suspected criminal case"),
        _N.ALWAYS,
        _ART6,
    ),
    # 涉嫌犯罪案件情况的调查报告
    AttachmentKindInfo(
        _K.INVESTIGATION_REPORT,
        N_("Investigation report on the suspected criminal case"),
        _N.ALWAYS,
        _ART6,
    ),
    # 涉案物品清单. Required as a list: a list stating that nothing was seized where nothing was.
    AttachmentKindInfo(_K.SEIZED_ITEMS_LIST, N_("List of seized items"), _N.ALWAYS, _ART6),
    # 有关检验报告或者鉴定结论
    AttachmentKindInfo(
        _K.INSPECTION_OR_APPRAISAL_REPORT,
        N_("Related inspection reports or appraisal conclusions"),
        _N.ALWAYS,
        _ART6,
    ),
    # 行政处罚决定书
    AttachmentKindInfo(_K.PENALTY_DECISION, N_("Penalty decision"), _N.IF_PENALTY_DECIDED, _LINK6),
    # 现场检查（勘察）笔录、调查询问笔录等
    AttachmentKindInfo(
        _K.SITE_RECORD,
        N_("On-site inspection (survey) records, interview records and the like"),
        _N.OPTIONAL,
        _LINK6,
    ),
    # 现场照片或者录音录像资料
    AttachmentKindInfo(
        _K.PHOTOS_VIDEO, N_("On-site photos or audio and video recordings"), _N.OPTIONAL, _LINK6
    ),
    # 监测、检验报告
    AttachmentKindInfo(
        _K.MONITORING_REPORT, N_("Monitoring and testing reports"), _N.OPTIONAL, _LINK6
    ),
    # 认定意见
    AttachmentKindInfo(
        _K.IDENTIFICATION_OPINION, N_("Identification opinion"), _N.OPTIONAL, _LINK6
    ),
    # 其他有关涉嫌犯罪的材料
    AttachmentKindInfo(_K.OTHER, N_("Other materials on the suspected crime"), _N.OPTIONAL, _ART6),
)
_ATTACHMENT_LABELS: Mapping[str, str] = MappingProxyType(
    {info.kind.value: info.label for info in ATTACHMENT_KINDS}
)


def attachments_required(penalty_decided: bool) -> tuple[AttachmentKind, ...]:
    """The kinds a transfer must carry, in table order.

    Examples
    --------
    >>> [str(k) for k in attachments_required(False)]  # doctest: +NORMALIZE_WHITESPACE
    ['transfer_letter', 'investigation_report', 'seized_items_list',
     'inspection_or_appraisal_report']
    >>> AttachmentKind.PENALTY_DECISION in attachments_required(True)
    True
    """
    needed = {_N.ALWAYS, _N.IF_PENALTY_DECIDED} if penalty_decided else {_N.ALWAYS}
    return tuple(info.kind for info in ATTACHMENT_KINDS if info.need in needed)


def missing_attachments(
    attached: Iterable[str], penalty_decided: bool
) -> tuple[AttachmentKind, ...]:
    """The required kinds not among ``attached`` (kind codes), in table order.

    Examples
    --------
    >>> [str(k) for k in missing_attachments({"transfer_letter", "investigation_report",
    ...     "seized_items_list", "inspection_or_appraisal_report"}, True)]
    ['penalty_decision']
    """
    have = set(attached)
    return tuple(k for k in attachments_required(penalty_decided) if k.value not in have)


class FilingLimit(StrEnum):
    """The police's limit for deciding whether to file (衔接办法 2017 art. 9)."""

    STANDARD = "standard"  # 3 days (also 移送规定 2020 art. 8)
    LEADS_TO_CHECK = "leads_to_check"  # 7 days: leads of a crime need checking
    MAJOR_COMPLEX = "major_complex"  # 30 days: major, difficult or complex, county police head


# Legal-clock rule of each filing limit (casemgr.legalclock.criminal).
FILING_RULES: Mapping[FilingLimit, str] = MappingProxyType(
    {
        FilingLimit.STANDARD: "criminal.filing_decision",
        FilingLimit.LEADS_TO_CHECK: "criminal.filing_decision.leads",
        FilingLimit.MAJOR_COMPLEX: "criminal.filing_decision.major",
    }
)


def filing_rule(filing_limit: str) -> str:
    """The legal-clock rule code of the filing limit chosen on ``acknowledge_receipt``.

    :data:`OPENS` names the standard ``criminal.filing_decision`` for ``acknowledge_receipt``;
    the service opens ``filing_rule(facts.filing_limit)`` in its place. :data:`MEETS` names all
    three codes for the decisions, so whichever was opened is met.

    Raises
    ------
    ValueError
        For a value that is not a :class:`FilingLimit` (the ``filing_limit_known`` guard
        refuses such a receipt first).

    Examples
    --------
    >>> filing_rule("standard"), filing_rule("major_complex")
    ('criminal.filing_decision', 'criminal.filing_decision.major')
    """
    try:
        return FILING_RULES[FilingLimit(filing_limit)]
    except ValueError:
        raise ValueError(f"unknown filing limit {filing_limit!r}") from None


class Verdict(StrEnum):
    """Outcome of a judgment (判决结果): 刑事诉讼法 2018 art. 200 [R]; 刑法 art. 37."""

    CONVICTION = "conviction"  # 有罪判决, with a punishment to execute
    ACQUITTAL = "acquittal"  # 无罪判决 (incl. 证据不足、指控的犯罪不能成立)
    EXEMPTED = "exempted"  # 有罪但免予刑事处罚 (刑法 art. 37)


@dataclass(frozen=True)
class SupplementaryReturns:
    """How often a procuratorate may return a case for supplementary investigation."""

    limit: int
    source: str


SUPPLEMENTARY_RETURNS = SupplementaryReturns(
    limit=2, source=f"{_CPL} art. 175 (补充侦查以二次为限)"
)


# -- facts ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CriminalFacts:
    """What the guards of a criminal case need, as plain values (no database).

    ``event_counts``, ``due`` and ``done`` come from the case's history and deadlines; the
    step-data fields (:data:`FIELDS`) from the step or the stored details; the others from
    :data:`COMPUTED`. Defaults are the cautious ones: nothing done, nothing attached.
    """

    today: date
    event_counts: Mapping[str, int] = field(default_factory=dict)
    due: Mapping[str, date] = field(default_factory=dict)
    done: Mapping[str, date] = field(default_factory=dict)
    report_officer_count: int = 0
    penalty_decided: bool = False
    attachments: frozenset[str] = frozenset()
    filing_limit: str = FilingLimit.STANDARD.value
    verdict: str | None = None
    max_supplementary_returns: int = SUPPLEMENTARY_RETURNS.limit


# -- guards --------------------------------------------------------------------------------------


class CriminalRule(StrEnum):
    """Code of each legal rule the criminal guards enforce (each guard bears its rule's name)."""

    REPORT_BY_TWO_OFFICERS = "report_by_two_officers"
    REQUIRED_ATTACHMENTS = "required_attachments"
    FILING_LIMIT_KNOWN = "filing_limit_known"
    RECONSIDERATION_WINDOW = "reconsideration_window"
    SUPPLEMENTARY_LIMIT = "supplementary_limit"
    VERDICT_RECORDED = "verdict_recorded"
    APPEAL_WINDOW_OPEN = "appeal_window_open"
    APPEAL_WINDOW_OVER = "appeal_window_over"
    CONVICTION_FOR_EXECUTION = "conviction_for_execution"
    NOTHING_TO_EXECUTE = "nothing_to_execute"


_R = CriminalRule
_TP = Law.TRANSFER_PROVISIONS  # 移送规定 2020
_LM = Law.ENV_LINKAGE_MEASURES  # 衔接办法 2017
_CP = Law.CRIMINAL_PROCEDURE_LAW  # 刑事诉讼法 2018
# Title (its zh-CN translation is the Chinese name) and legal basis of each rule.
RULES: Mapping[CriminalRule, GuardRule] = MappingProxyType(
    {
        _R.REPORT_BY_TWO_OFFICERS: GuardRule(
            # 两名以上执法人员提出移送书面报告
            N_("Written transfer report by two or more officers"),
            (Citation(_TP, "5"),),
        ),
        _R.REQUIRED_ATTACHMENTS: GuardRule(
            N_("Transfer materials"),  # 移送材料
            (Citation(_TP, "6"), Citation(_LM, "6")),
        ),
        _R.FILING_LIMIT_KNOWN: GuardRule(
            N_("Time limit for the filing review"),  # 立案审查期限
            (Citation(_LM, "9"), Citation(_TP, "8")),
        ),
        _R.RECONSIDERATION_WINDOW: GuardRule(
            N_("Reconsideration request period"),  # 提请复议期限
            (Citation(_TP, "9"), Citation(_LM, "11")),
        ),
        _R.SUPPLEMENTARY_LIMIT: GuardRule(
            N_("At most two returns for supplementary investigation"),  # 退回补充侦查以二次为限
            (Citation(_CP, "175"),),
        ),
        _R.VERDICT_RECORDED: GuardRule(
            N_("Outcome of the judgment"),  # 判决结果
            (Citation(_CP, "200", recalled=True), Citation(Law.CRIMINAL_LAW, "37")),
        ),
        _R.APPEAL_WINDOW_OPEN: GuardRule(
            N_("Appeal and protest period"),  # 上诉、抗诉期限
            (Citation(_CP, "230"),),
        ),
        _R.APPEAL_WINDOW_OVER: GuardRule(
            N_("Judgment takes effect"),  # 判决生效
            (Citation(_CP, "230"), Citation(_CP, "259", recalled=True)),
        ),
        _R.CONVICTION_FOR_EXECUTION: GuardRule(
            N_("Conviction handed over for execution"),  # 有罪判决交付执行
            (Citation(_CP, "259, 264", recalled=True),),
        ),
        _R.NOTHING_TO_EXECUTE: GuardRule(
            N_("Acquittal or exemption from criminal punishment"),  # 无罪、免予刑事处罚判决
            (Citation(_CP, "260", recalled=True), Citation(Law.CRIMINAL_LAW, "37")),
        ),
    }
)


@dataclass(frozen=True)
class DetailedGuardFailure(GuardFailure):
    """A guard failure whose reason has placeholders (``{missing}``), filled from ``params``.

    The reason stays the msgid; :meth:`to_error` adds ``params`` to the error's parameters so
    the edge can fill the translated reason. A parameter is a msgid or a tuple of msgids (a
    list the edge translates item by item and joins in the reader's language). ``details``
    are further entries of the error for clients (the codes of the missing attachments).
    """

    params: Mapping[str, str | tuple[str, ...]] = field(default_factory=dict)
    details: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def to_error(self) -> GuardFailed:
        """The 409 error, carrying ``params`` for the reason's placeholders."""
        error = super().to_error()
        error.params.update(self.params)
        error.errors.update({key: list(values) for key, values in self.details.items()})
        return error


def _fail(rule: CriminalRule, reason: str, *ways_forward: str) -> GuardFailure:
    title, basis = RULES[rule]
    return GuardFailure(rule, title, basis, reason, tuple(ways_forward))


def report_by_two_officers(facts: CriminalFacts) -> GuardFailure | None:
    """The transfer report was made by ≥ 2 certified officers (专案组, 移送规定 2020 art. 5)."""
    if facts.report_officer_count >= 2:
        return None
    return _fail(
        _R.REPORT_BY_TWO_OFFICERS,
        N_("The transfer report was not made by at least two certified enforcement officers."),
        N_("Have two or more certified officers verify the case and sign the transfer report."),
    )


def required_attachments(facts: CriminalFacts) -> GuardFailure | None:
    """Every required attachment goes with the transfer (移送规定 art. 6; 衔接办法 art. 6)."""
    missing = missing_attachments(facts.attachments, facts.penalty_decided)
    if not missing:
        return None
    title, basis = RULES[_R.REQUIRED_ATTACHMENTS]
    return DetailedGuardFailure(
        _R.REQUIRED_ATTACHMENTS,
        title,
        basis,
        N_("The transfer lacks required attachments: {missing}."),
        (
            N_("Attach the missing documents and hand the case over again."),
            N_("Where an administrative penalty was decided, attach its decision."),
        ),
        params={"missing": tuple(_ATTACHMENT_LABELS[k] for k in missing)},
        details={"missing": tuple(str(k) for k in missing)},
    )


def filing_limit_known(facts: CriminalFacts) -> GuardFailure | None:
    """The filing limit chosen on receipt is one of the three of 衔接办法 2017 art. 9."""
    if facts.filing_limit in set(FilingLimit):
        return None
    return _fail(
        _R.FILING_LIMIT_KNOWN,
        N_(
            "The filing limit must be standard (3 days), leads_to_check (7 days) or "
            "major_complex (30 days)."
        ),
        N_("Record the filing limit stated in the police's notice of receipt."),
    )


def reconsideration_window(facts: CriminalFacts) -> GuardFailure | None:
    """Reconsideration is requested once, within 3 working days of the refusal notice."""
    if facts.event_counts.get(CriminalEvent.REQUEST_RECONSIDERATION.value, 0) > 0:
        return _fail(
            _R.RECONSIDERATION_WINDOW,
            N_("The police have already reconsidered this refusal."),
            N_("Ask the procuratorate to supervise the filing instead."),
        )
    due = facts.due.get("criminal.reconsideration_request")
    if due is not None and facts.today <= due:
        return None
    return _fail(
        _R.RECONSIDERATION_WINDOW,
        N_(
            "Reconsideration must be requested within 3 working days of receiving the refusal "
            "notice."
        ),
        N_("Ask the procuratorate to supervise the filing instead."),
        N_("Accept the refusal and handle the case administratively."),
    )


def supplementary_limit(facts: CriminalFacts) -> GuardFailure | None:
    """A case is returned for supplementary investigation at most twice (刑事诉讼法 art. 175)."""
    returns = facts.event_counts.get(CriminalEvent.RETURN_FOR_SUPPLEMENTARY.value, 0)
    if returns < facts.max_supplementary_returns:
        return None
    return _fail(
        _R.SUPPLEMENTARY_LIMIT,
        N_(
            "The case has already been returned for supplementary investigation as often as "
            "the law allows (twice)."
        ),
        N_("Decide to indict or not to prosecute on the evidence at hand."),
    )


def verdict_recorded(facts: CriminalFacts) -> GuardFailure | None:
    """A judgment states its outcome: conviction, acquittal or exemption from punishment."""
    if facts.verdict in set(Verdict):
        return None
    return _fail(
        _R.VERDICT_RECORDED,
        N_("A judgment must state its verdict: conviction, acquittal or exempted."),
        N_("Record the verdict of the judgment."),
    )


def appeal_window_open(facts: CriminalFacts) -> GuardFailure | None:
    """An appeal or protest is lodged within 10 days of the judgment (刑事诉讼法 art. 230)."""
    due = facts.due.get("criminal.appeal")
    if due is not None and facts.today <= due:
        return None
    return _fail(
        _R.APPEAL_WINDOW_OPEN,
        N_("The 10-day period for appeal or protest has passed or was never opened."),
        N_("Record that the judgment has become final."),
        N_("Check the date the judgment was served."),
    )


def appeal_window_over(facts: CriminalFacts) -> GuardFailure | None:
    """A first-instance judgment is final only once the appeal period has run (art. 230)."""
    due = facts.due.get("criminal.appeal")
    if due is not None and facts.today > due:
        return None
    return _fail(
        _R.APPEAL_WINDOW_OVER,
        N_("The period for appeal or protest has not yet run."),
        N_("Wait until the 10-day period for appeal or protest has passed."),
        N_("Record the appeal or protest if one was lodged."),
    )


def conviction_for_execution(facts: CriminalFacts) -> GuardFailure | None:
    """Only a conviction with a punishment is handed over for execution (交付执行)."""
    if facts.verdict == Verdict.CONVICTION:
        return None
    return _fail(
        _R.CONVICTION_FOR_EXECUTION,
        N_("Only a final conviction with a punishment is executed."),
        N_("Close the case without execution."),
    )


def nothing_to_execute(facts: CriminalFacts) -> GuardFailure | None:
    """A case closes without execution only on an acquittal or an exemption from punishment."""
    if facts.verdict in (Verdict.ACQUITTAL, Verdict.EXEMPTED):
        return None
    return _fail(
        _R.NOTHING_TO_EXECUTE,
        N_("A conviction with a punishment must be executed before the case closes."),
        N_("Hand the judgment over for execution."),
    )


# -- the table -----------------------------------------------------------------------------------

_S = CriminalStatus
_E = CriminalEvent

TRANSITIONS: Mapping[tuple[CriminalStatus, CriminalEvent], CriminalStatus] = MappingProxyType(
    {
        (_S.REPORTED, _E.APPROVE_TRANSFER): _S.APPROVED,
        (_S.REPORTED, _E.DECLINE_TRANSFER): _S.TRANSFER_DECLINED,
        (_S.TRANSFER_DECLINED, _E.ADVISE_TRANSFER): _S.APPROVED,  # 衔接办法 art. 14
        (_S.TRANSFER_DECLINED, _E.CLOSE): _S.CLOSED,
        (_S.APPROVED, _E.HAND_OVER): _S.HANDED_OVER,
        (_S.HANDED_OVER, _E.ACKNOWLEDGE_RECEIPT): _S.POLICE_REVIEW,
        (_S.POLICE_REVIEW, _E.REQUEST_MATERIALS): _S.MATERIALS_REQUESTED,
        (_S.MATERIALS_REQUESTED, _E.SUPPLY_MATERIALS): _S.POLICE_REVIEW,
        (_S.POLICE_REVIEW, _E.FILE_CASE): _S.INVESTIGATION,
        (_S.POLICE_REVIEW, _E.REFUSE_TO_FILE): _S.REFUSED,
        # Against a refusal: reconsideration once, then (or instead) supervision.
        (_S.REFUSED, _E.REQUEST_RECONSIDERATION): _S.RECONSIDERATION,
        (_S.REFUSED, _E.REQUEST_SUPERVISION): _S.SUPERVISION,
        (_S.REFUSED, _E.ACCEPT_REFUSAL): _S.RETURNED,
        (_S.RECONSIDERATION, _E.UPHOLD_REFUSAL): _S.REFUSED,
        (_S.RECONSIDERATION, _E.REVERSE_REFUSAL): _S.INVESTIGATION,
        (_S.SUPERVISION, _E.REQUIRE_EXPLANATION): _S.SUPERVISION,
        (_S.SUPERVISION, _E.EXPLAIN_REFUSAL): _S.SUPERVISION,
        (_S.SUPERVISION, _E.ORDER_FILING): _S.FILING_ORDERED,
        (_S.SUPERVISION, _E.SUPPORT_REFUSAL): _S.RETURNED,
        (_S.FILING_ORDERED, _E.FILE_CASE): _S.INVESTIGATION,
        # Investigation and prosecution.
        (_S.INVESTIGATION, _E.HAND_OVER_SEIZED_ITEMS): _S.INVESTIGATION,
        (_S.INVESTIGATION, _E.WITHDRAW_CASE): _S.RETURNED,
        (_S.INVESTIGATION, _E.REFER_FOR_PROSECUTION): _S.PROSECUTION_REVIEW,
        (_S.PROSECUTION_REVIEW, _E.RETURN_FOR_SUPPLEMENTARY): _S.SUPPLEMENTARY_INVESTIGATION,
        (_S.SUPPLEMENTARY_INVESTIGATION, _E.RESUBMIT): _S.PROSECUTION_REVIEW,
        (_S.SUPPLEMENTARY_INVESTIGATION, _E.WITHDRAW_CASE): _S.RETURNED,
        (_S.PROSECUTION_REVIEW, _E.INDICT): _S.INDICTED,
        (_S.PROSECUTION_REVIEW, _E.DECIDE_NOT_TO_PROSECUTE): _S.NOT_PROSECUTED,
        (_S.NOT_PROSECUTED, _E.RETURN_TO_AGENCY): _S.RETURNED,
        # Trial and execution.
        (_S.INDICTED, _E.ACCEPT_FOR_TRIAL): _S.TRIAL_1,
        (_S.TRIAL_1, _E.JUDGE_FIRST_INSTANCE): _S.APPEAL_WINDOW,
        (_S.APPEAL_WINDOW, _E.APPEAL): _S.TRIAL_2,
        (_S.APPEAL_WINDOW, _E.BECOME_FINAL): _S.FINAL,
        (_S.TRIAL_2, _E.JUDGE_SECOND_INSTANCE): _S.FINAL,  # art. 244: final
        (_S.TRIAL_2, _E.REMAND): _S.TRIAL_1,
        (_S.FINAL, _E.START_EXECUTION): _S.EXECUTION,
        (_S.FINAL, _E.CLOSE_WITHOUT_EXECUTION): _S.CLOSED,
        (_S.EXECUTION, _E.COMPLETE_EXECUTION): _S.CLOSED,
        (_S.RETURNED, _E.CLOSE): _S.CLOSED,
    }
)

GUARDS: Mapping[CriminalEvent, tuple[Guard[CriminalFacts], ...]] = MappingProxyType(
    {
        _E.APPROVE_TRANSFER: (report_by_two_officers,),
        _E.HAND_OVER: (required_attachments,),
        _E.ACKNOWLEDGE_RECEIPT: (filing_limit_known,),
        _E.REQUEST_RECONSIDERATION: (reconsideration_window,),
        _E.RETURN_FOR_SUPPLEMENTARY: (supplementary_limit,),
        _E.JUDGE_FIRST_INSTANCE: (verdict_recorded,),
        _E.JUDGE_SECOND_INSTANCE: (verdict_recorded,),
        _E.APPEAL: (appeal_window_open,),
        _E.BECOME_FINAL: (appeal_window_over,),
        _E.START_EXECUTION: (conviction_for_execution,),
        _E.CLOSE_WITHOUT_EXECUTION: (nothing_to_execute,),
    }
)

# -- what the generic service needs --------------------------------------------------------------


@dataclass(frozen=True)
class _Step:
    """One event's row: its organ, then rule codes (without the ``criminal.`` prefix) it opens
    and meets, and the step-data fields it requires and records, each space-separated."""

    organ: Organ
    opens: str = ""
    meets: str = ""
    requires: str = ""
    records: str = ""


_A, _H, _P, _Q, _C = Organ.AGENCY, Organ.AGENCY_HEAD, Organ.POLICE, Organ.PROCURATORATE, Organ.COURT
_FILINGS = "filing_decision filing_decision.leads filing_decision.major"  # see filing_rule
_REVIEW = "prosecution_review"
# fmt: off
# event: _Step(organ, opens, meets, requires, records)
_STEPS: Mapping[CriminalEvent, _Step] = {
    _E.APPROVE_TRANSFER: _Step(_H, "handover", "transfer_approval"),
    _E.DECLINE_TRANSFER: _Step(_H, "", "transfer_approval", "reason", "reason"),
    _E.ADVISE_TRANSFER: _Step(_Q, "transfer_on_advice", "", "reason", "reason"),
    _E.HAND_OVER: _Step(_A, "", "handover transfer_on_advice", "", "attachments"),
    _E.ACKNOWLEDGE_RECEIPT: _Step(_P, "", "", "", "filing_limit"),  # see OPENS_BY_FACTS
    _E.REQUEST_MATERIALS: _Step(_P, "materials", "", "materials", "materials"),
    _E.SUPPLY_MATERIALS: _Step(_A, "", "materials"),
    _E.FILE_CASE: _Step(_P, "seized_items", f"{_FILINGS} filing_after_notice", "", "decided_on"),
    _E.REFUSE_TO_FILE: _Step(
        _P, "reconsideration_request", _FILINGS, "reason", "reason decided_on"),
    _E.REQUEST_RECONSIDERATION: _Step(
        _A, "reconsideration_decision", "reconsideration_request", "reason", "reason"),
    _E.UPHOLD_REFUSAL: _Step(
        _P, "supervision_request", "reconsideration_decision", "reason", "reason"),
    _E.REVERSE_REFUSAL: _Step(_P, "seized_items", "reconsideration_decision"),
    # Supervision asked for directly closes the agency's reconsideration window too.
    _E.REQUEST_SUPERVISION: _Step(
        _A, "", "reconsideration_request supervision_request", "reason", "reason"),
    _E.REQUIRE_EXPLANATION: _Step(_Q, "police_explanation"),
    _E.EXPLAIN_REFUSAL: _Step(_P, "", "police_explanation", "reason", "reason"),
    _E.ORDER_FILING: _Step(_Q, "filing_after_notice"),
    _E.SUPPORT_REFUSAL: _Step(_Q, "", "", "reason", "reason"),
    _E.ACCEPT_REFUSAL: _Step(_A),
    _E.HAND_OVER_SEIZED_ITEMS: _Step(_A, "", "seized_items"),
    _E.WITHDRAW_CASE: _Step(_P, "", "", "reason", "reason decided_on"),
    _E.REFER_FOR_PROSECUTION: _Step(_P, _REVIEW),
    _E.RETURN_FOR_SUPPLEMENTARY: _Step(  # reason: 补充侦查提纲
        _Q, "supplementary_investigation", _REVIEW, "reason", "reason"),
    _E.RESUBMIT: _Step(_P, _REVIEW, "supplementary_investigation"),  # art. 175: review restarts
    _E.INDICT: _Step(_Q, "", _REVIEW),
    _E.DECIDE_NOT_TO_PROSECUTE: _Step(_Q, "non_prosecution_notice", _REVIEW, "reason", "reason"),
    _E.RETURN_TO_AGENCY: _Step(_Q, "", "non_prosecution_notice", "", "opinion"),
    _E.ACCEPT_FOR_TRIAL: _Step(_C, "first_instance"),
    _E.JUDGE_FIRST_INSTANCE: _Step(
        _C, "appeal", "first_instance", "verdict", "verdict fine_cents"),
    _E.APPEAL: _Step(_C, "second_instance"),  # the court records the appeal or protest received
    _E.BECOME_FINAL: _Step(_C, "", "appeal"),  # a waiting period, met after its due date
    _E.JUDGE_SECOND_INSTANCE: _Step(
        _C, "", "second_instance", "verdict", "verdict fine_cents"),
    _E.REMAND: _Step(  # art. 239 [R]: the first-instance limit restarts
        _C, "first_instance", "second_instance", "reason", "reason"),
    _E.START_EXECUTION: _Step(_C),
    _E.COMPLETE_EXECUTION: _Step(_C),
    _E.CLOSE_WITHOUT_EXECUTION: _Step(_C),
    _E.CLOSE: _Step(_A),
}
# fmt: on


def _column(pick: str, prefix: str = "") -> Mapping[CriminalEvent, tuple[str, ...]]:
    return MappingProxyType(
        {e: tuple(prefix + w for w in getattr(s, pick).split()) for e, s in _STEPS.items()}
    )


# Whose act each event records.
EVENT_ORGAN: Mapping[CriminalEvent, Organ] = MappingProxyType(
    {e: s.organ for e, s in _STEPS.items()}
)
# Rules whose clock starts on the event's date (a restart if already open).
OPENS = _column("opens", "criminal.")
# Rules the event fulfils (a code not open on the case is ignored).
MEETS = _column("meets", "criminal.")
# Step-data fields the request must carry, and those stored into the case's details.
REQUIRES = _column("requires")
RECORDS = _column("records")

# Rules whose clock starts when the case is created in its initial status (the report).
OPENS_ON_START: tuple[str, ...] = ("criminal.transfer_approval",)

# Rules the event makes moot without ending the case (cancelled, not met): an appeal ends the
# wait for a first-instance judgment to become final (a waiting period met early is missed).
CANCELS: Mapping[CriminalEvent, tuple[str, ...]] = MappingProxyType(
    {_E.APPEAL: ("criminal.appeal",)}
)

# Police decisions recorded from their written notice (衔接办法 2017 art. 9): the rule runs from
# the date in the step-data field (the decision) to the event's date (the notice received).
NOTICE_RULES: Mapping[CriminalEvent, tuple[str, str]] = MappingProxyType(
    {
        _E.FILE_CASE: ("criminal.filing_notice", "decided_on"),
        _E.REFUSE_TO_FILE: ("criminal.filing_notice", "decided_on"),
        _E.WITHDRAW_CASE: ("criminal.filing_notice", "decided_on"),
    }
)

# After these events no still-open deadline of the case is owed any more.
ENDINGS: frozenset[CriminalEvent] = frozenset(
    {
        _E.DECLINE_TRANSFER,
        _E.ACCEPT_REFUSAL,
        _E.SUPPORT_REFUSAL,
        _E.WITHDRAW_CASE,
        _E.RETURN_TO_AGENCY,
        _E.CLOSE_WITHOUT_EXECUTION,
        _E.COMPLETE_EXECUTION,
        _E.CLOSE,
    }
)

FIELDS: Mapping[str, str] = MappingProxyType(
    {
        "reason": "text",
        "materials": "text",  # what the police asked for
        "attachments": "str_list",  # AttachmentKind codes
        "filing_limit": "str",  # a FilingLimit
        "decided_on": "date",  # the police's decision date, when before the notice
        "opinion": "text",
        "verdict": "str",  # a Verdict
        "fine_cents": "cents",  # criminal fine (罚金), for the offset of 移送规定 art. 11
    }
)

COMPUTED: Mapping[str, str] = MappingProxyType(
    {
        "report_officer_count": (
            "Officers holding a valid enforcement certificate on the report date who signed "
            "the transfer report (移送规定 2020 art. 5)"
        ),
        "penalty_decided": (
            "True when an administrative penalty decision exists on the case's violation "
            "(衔接办法 2017 art. 6: it goes with the transfer)"
        ),
        "max_supplementary_returns": (
            "The legal maximum of returns for supplementary investigation: "
            "SUPPLEMENTARY_RETURNS.limit (刑事诉讼法 2018 art. 175)"
        ),
    }
)

_LABELS = {
    _S.REPORTED: "移送报告",
    _S.APPROVED: "批准移送",
    _S.HANDED_OVER: "已移送公安机关",
    _S.POLICE_REVIEW: "立案审查",
    _S.INVESTIGATION: "立案侦查",
    _S.PROSECUTION_REVIEW: "审查起诉",
    _S.INDICTED: "提起公诉",
    _S.TRIAL_1: "一审",
    _S.APPEAL_WINDOW: "上诉抗诉期",
    _S.TRIAL_2: "二审",
    _S.FINAL: "生效裁判",
    _S.EXECUTION: "执行",
    _S.CLOSED: "结案",
    _S.TRANSFER_DECLINED: "不批准移送",
    _S.MATERIALS_REQUESTED: "补充材料",
    _S.REFUSED: "不予立案",
    _S.RECONSIDERATION: "复议",
    _S.SUPERVISION: "立案监督",
    _S.FILING_ORDERED: "通知立案",
    _S.SUPPLEMENTARY_INVESTIGATION: "退回补充侦查",
    _S.NOT_PROSECUTED: "不起诉",
    _S.RETURNED: "退回行政处理",
}

CRIMINAL: Lifecycle[CriminalStatus, CriminalEvent, CriminalFacts] = Lifecycle(
    name="criminal",
    statuses=CriminalStatus,
    events=CriminalEvent,
    transitions=TRANSITIONS,
    initial=CriminalStatus.REPORTED,
    terminal=frozenset({CriminalStatus.CLOSED}),
    guards=GUARDS,
    side=frozenset(
        {
            _S.TRANSFER_DECLINED,
            _S.MATERIALS_REQUESTED,
            _S.REFUSED,
            _S.RECONSIDERATION,
            _S.SUPERVISION,
            _S.FILING_ORDERED,
            _S.SUPPLEMENTARY_INVESTIGATION,
            _S.NOT_PROSECUTED,
            _S.RETURNED,
        }
    ),
    labels={status: f"{label} {status}" for status, label in _LABELS.items()},
)

# The filing limit the police chose on receipt (3 / 7 / 30 days, 衔接办法 2017 art. 9).
OPENS_BY_FACTS: Mapping[CriminalEvent, Callable[[CriminalFacts], tuple[str, ...]]] = (
    MappingProxyType({_E.ACKNOWLEDGE_RECEIPT: lambda facts: (filing_rule(facts.filing_limit),)})
)

CRIMINAL_SPEC = ChannelSpec(
    track="criminal",
    channel="criminal",
    lifecycle=CRIMINAL,
    facts_type=CriminalFacts,
    event_organ=EVENT_ORGAN,
    opens=OPENS,
    meets=MEETS,
    endings=ENDINGS,
    requires=REQUIRES,
    records=RECORDS,
    fields=FIELDS,
    computed=COMPUTED,
    opens_on_start=OPENS_ON_START,
    cancels=CANCELS,
    notice_rules=NOTICE_RULES,
    opens_by_facts=OPENS_BY_FACTS,
)
