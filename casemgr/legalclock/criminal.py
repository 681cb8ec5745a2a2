"""Legal periods of the administrative-to-criminal transfer (行刑衔接) and the criminal channel
(data). Sources: DOMAIN.md §0, §2.1, §2.2; [R] where DOMAIN.md tags [R] or does not cover the
article.

Counting: the 2017 衔接办法 periods are natural days unless 工作日 is stated, the start day is not
counted and a period ending on a rest day ends on the next working day (衔接办法 2017 art. 38);
the reconsideration periods are working days (衔接办法 2017 art. 11). Criminal-procedure periods
run in hours, days and months, the start hour or day not counted, and end on the next working
day when the last day is a holiday (刑事诉讼法 2018 art. 105).

The police's filing limit has three lengths, chosen when the police acknowledge receipt
(衔接办法 2017 art. 9): ``criminal.filing_decision`` (3 days), ``.leads`` (7 days) and
``.major`` (30 days); :func:`casemgr.lifecycles.criminal.filing_rule` picks the code.
"""

from __future__ import annotations

from casemgr.legalclock.engine import Rule, Unit

# fmt: off
_CAL, _WD, _H, _MON = Unit.CALENDAR_DAY, Unit.WORKING_DAY, Unit.HOUR, Unit.MONTH
# 行政执法机关移送涉嫌犯罪案件的规定 (国务院令第310号, revised 2020).
_TRANSFER = "移送规定 2020"
# 环境保护行政执法与刑事司法衔接工作办法 (环环监〔2017〕17号).
_LINK = "衔接办法 2017"
_LINK38 = f"{_LINK} art. 38 (natural days)"
_CPL = "刑事诉讼法 2018"
_CPL105 = f"{_CPL} art. 105"
# 公安机关办理刑事案件程序规定.
_POLICE = "公安程序规定"
# Psychiatric appraisal of the suspect does not count toward the case-handling limits.
_APPRAISAL = f"{_CPL} art. 149 (psychiatric appraisal excluded) [R]"

CRIMINAL_RULES: tuple[Rule, ...] = (
    # -- the transfer (移送), DOMAIN §2.1 --------------------------------------------------------
    Rule("criminal.transfer_approval", 3, _CAL,
         f"{_TRANSFER} art. 5; {_LINK} art. 5; {_LINK38}",
         "移送审批期限", "transfer_reported", pausable=False),
    Rule("criminal.handover", 24, _H,
         f"{_TRANSFER} art. 5; {_LINK} art. 6 (copy of the transfer letter to the procuratorate)",
         "移送公安机关期限", "transfer_approved", pausable=False, roll_to_working_day=False),
    Rule("criminal.transfer_on_advice", 3, _CAL,
         f"{_LINK} art. 14 (procuratorate's opinion that the case be transferred); {_LINK38}",
         "检察建议移送期限", "transfer_advised", pausable=False),
    Rule("criminal.materials", 3, _CAL,
         f"{_LINK} art. 8; {_POLICE} art. 180; {_LINK38}",
         "补充移送材料期限", "materials_requested", pausable=False),
    # -- the police's filing decision (立案审查) ---------------------------------------------------
    Rule("criminal.filing_decision", 3, _CAL,
         f"{_LINK} art. 9; {_TRANSFER} art. 8; {_LINK38}",
         "立案审查期限", "receipt_acknowledged", pausable=False),
    Rule("criminal.filing_decision.leads", 7, _CAL,
         f"{_LINK} art. 9 (leads of a crime need checking); {_LINK38}",
         "立案审查期限（线索需查证）", "receipt_acknowledged", pausable=False),
    Rule("criminal.filing_decision.major", 30, _CAL,
         f"{_LINK} art. 9 (major, difficult or complex case, approved by the head of a police "
         f"organ at county level or above); {_LINK38}",
         "立案审查期限（重大疑难复杂）", "receipt_acknowledged", pausable=False),
    Rule("criminal.filing_notice", 3, _CAL,
         f"{_LINK} art. 9 (written notice of filing, refusal or withdrawal to the agency, copy "
         f"to the procuratorate); {_LINK38}",
         "立案、不予立案、撤案决定通知期限", "police_decision", pausable=False),
    Rule("criminal.seized_items", 3, _CAL,
         f"{_TRANSFER} art. 12; {_LINK} art. 10; {_LINK38}",
         "涉案物品移交期限", "filing_notice_received", pausable=False),
    # -- remedies against a refusal (不予立案) -----------------------------------------------------
    Rule("criminal.reconsideration_request", 3, _WD,
         f"{_TRANSFER} art. 9; {_LINK} art. 11 (working days)",
         "提请复议期限", "refusal_notice_received", pausable=False),
    Rule("criminal.reconsideration_decision", 3, _WD,
         f"{_TRANSFER} art. 9; {_LINK} art. 11 (working days)",
         "复议决定期限", "reconsideration_requested", pausable=False),
    Rule("criminal.supervision_request", 3, _CAL,
         f"{_TRANSFER} art. 9 (3 days from the reconsideration decision; {_LINK} art. 12 lets "
         "the agency ask for supervision of a delay, refusal or withdrawal at any time)",
         "建议立案监督期限", "reconsideration_decision_received", pausable=False),
    Rule("criminal.police_explanation", 7, _CAL, f"{_POLICE} art. 182; {_CPL105}",
         "说明不立案理由期限", "explanation_required", pausable=False),
    Rule("criminal.filing_after_notice", 15, _CAL, f"{_POLICE} art. 182; {_CPL105}",
         "通知立案后立案期限", "filing_ordered", pausable=False),
    # -- prosecution (审查起诉), DOMAIN §2.2 -------------------------------------------------------
    Rule("criminal.prosecution_review", 1, _MON, f"{_CPL} art. 172; {_APPRAISAL}",
         "审查起诉期限", "referred_for_prosecution"),
    Rule("criminal.prosecution_review.extension", 15, _CAL,
         f"{_CPL} art. 172 (major or complex case)",
         "审查起诉期限延长", "extension_approved", pausable=False),
    Rule("criminal.supplementary_investigation", 1, _MON,
         f"{_CPL} art. 175 (≤1 month each time, at most twice; the review restarts on return)",
         "补充侦查期限", "returned_for_supplementary_investigation", pausable=False),
    Rule("criminal.non_prosecution_notice", 3, _CAL,
         f"{_LINK} art. 18; {_CPL} art. 177; {_LINK38}",
         "不起诉决定通知期限", "non_prosecution_decided", pausable=False),
    # -- trial (审判), DOMAIN §2.2 -----------------------------------------------------------------
    Rule("criminal.first_instance", 2, _MON, f"{_CPL} art. 208; {_APPRAISAL}",
         "一审审理期限", "case_accepted"),
    Rule("criminal.first_instance.extension", 1, _MON,
         f"{_CPL} art. 208 (at most 3 months in all, approval of the higher court)",
         "一审审理期限延长", "extension_approved", pausable=False),
    Rule("criminal.first_instance.special_extension", 3, _MON,
         f"{_CPL} art. 208 (special circumstances, approval of the Supreme People's Court)",
         "一审审理期限特别延长", "extension_approved", pausable=False),
    Rule("criminal.appeal", 10, _CAL,
         f"{_CPL} art. 230 (10 days against a judgment, from the day after its receipt); "
         "the judgment is final only after the period",
         "上诉、抗诉期限", "judgment_received", pausable=False, waiting=True),
    Rule("criminal.second_instance", 2, _MON, f"{_CPL} art. 243; {_APPRAISAL}",
         "二审审理期限", "appeal_accepted"),
    Rule("criminal.second_instance.extension", 2, _MON,
         f"{_CPL} art. 243 (approval of the provincial higher court)",
         "二审审理期限延长", "extension_approved", pausable=False),
)
# fmt: on
