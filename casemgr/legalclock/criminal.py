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

from casemgr.i18n import N_
from casemgr.legalbasis import Citation, Law
from casemgr.legalclock.engine import Rule, Unit

# fmt: off
_CAL, _WD, _H, _MON = Unit.CALENDAR_DAY, Unit.WORKING_DAY, Unit.HOUR, Unit.MONTH
# 行政执法机关移送涉嫌犯罪案件的规定 (国务院令第310号, revised 2020).
_TRANSFER = Law.TRANSFER_PROVISIONS
# 环境保护行政执法与刑事司法衔接工作办法 (环环监〔2017〕17号).
_LINK = Law.ENV_LINKAGE_MEASURES
_LINK38 = Citation(_LINK, "38", N_("natural days"))
_CPL = Law.CRIMINAL_PROCEDURE_LAW  # 刑事诉讼法 2018
_CPL105 = Citation(_CPL, "105")
# 公安机关办理刑事案件程序规定.
_POLICE = Law.POLICE_PROCEDURE_PROVISIONS
# Psychiatric appraisal of the suspect does not count toward the case-handling limits.
_APPRAISAL = Citation(_CPL, "149", N_("psychiatric appraisal excluded"), recalled=True)
_WORKING_DAYS = N_("working days")

CRIMINAL_RULES: tuple[Rule, ...] = (
    # -- the transfer (移送), DOMAIN §2.1 --------------------------------------------------------
    Rule("criminal.transfer_approval", 3, _CAL,
         (Citation(_TRANSFER, "5"), Citation(_LINK, "5"), _LINK38),
         N_("Time limit for approving the transfer"), "transfer_reported", pausable=False),
    Rule("criminal.handover", 24, _H,
         (Citation(_TRANSFER, "5"),
          Citation(_LINK, "6", N_("copy of the transfer letter to the procuratorate"))),
         N_("Time limit for handing the case to the police"), "transfer_approved",
         pausable=False, roll_to_working_day=False),
    Rule("criminal.transfer_on_advice", 3, _CAL,
         (Citation(_LINK, "14", N_("the procuratorate's opinion that the case be transferred")),
          _LINK38),
         N_("Time limit for transferring on the procuratorate's advice"), "transfer_advised",
         pausable=False),
    Rule("criminal.materials", 3, _CAL,
         (Citation(_LINK, "8"), Citation(_POLICE, "180"), _LINK38),
         N_("Time limit for supplementing the transfer materials"), "materials_requested",
         pausable=False),
    # -- the police's filing decision (立案审查) ---------------------------------------------------
    Rule("criminal.filing_decision", 3, _CAL,
         (Citation(_LINK, "9"), Citation(_TRANSFER, "8"), _LINK38),
         N_("Time limit for the filing review"), "receipt_acknowledged", pausable=False),
    Rule("criminal.filing_decision.leads", 7, _CAL,
         (Citation(_LINK, "9", N_("leads of a crime need checking")), _LINK38),
         N_("Time limit for the filing review (leads to check)"), "receipt_acknowledged",
         pausable=False),
    Rule("criminal.filing_decision.major", 30, _CAL,
         (Citation(_LINK, "9", N_("major, difficult or complex case, approved by the head of a "
                                  "police organ at county level or above")), _LINK38),
         N_("Time limit for the filing review (major, difficult or complex case)"),
         "receipt_acknowledged", pausable=False),
    Rule("criminal.filing_notice", 3, _CAL,
         (Citation(_LINK, "9", N_("written notice of filing, refusal or withdrawal to the "
                                  "agency, copy to the procuratorate")), _LINK38),
         N_("Time limit for notifying the filing, refusal or withdrawal"), "police_decision",
         pausable=False),
    Rule("criminal.seized_items", 3, _CAL,
         (Citation(_TRANSFER, "12"), Citation(_LINK, "10"), _LINK38),
         N_("Time limit for handing over the seized items"), "filing_notice_received",
         pausable=False),
    # -- remedies against a refusal (不予立案) -----------------------------------------------------
    Rule("criminal.reconsideration_request", 3, _WD,
         (Citation(_TRANSFER, "9"), Citation(_LINK, "11", _WORKING_DAYS)),
         N_("Time limit for requesting reconsideration"), "refusal_notice_received",
         pausable=False),
    Rule("criminal.reconsideration_decision", 3, _WD,
         (Citation(_TRANSFER, "9"), Citation(_LINK, "11", _WORKING_DAYS)),
         N_("Time limit for the reconsideration decision"), "reconsideration_requested",
         pausable=False),
    Rule("criminal.supervision_request", 3, _CAL,
         (Citation(_TRANSFER, "9", N_("3 days from the reconsideration decision")),
          Citation(_LINK, "12", N_("the agency may ask for supervision of a delay, refusal or "
                                   "withdrawal at any time"))),
         N_("Time limit for requesting filing supervision"),
         "reconsideration_decision_received", pausable=False),
    Rule("criminal.police_explanation", 7, _CAL, (Citation(_POLICE, "182"), _CPL105),
         N_("Time limit for explaining the refusal to file"), "explanation_required",
         pausable=False),
    Rule("criminal.filing_after_notice", 15, _CAL, (Citation(_POLICE, "182"), _CPL105),
         N_("Time limit for filing after the notice to file"), "filing_ordered",
         pausable=False),
    # -- prosecution (审查起诉), DOMAIN §2.2 -------------------------------------------------------
    Rule("criminal.prosecution_review", 1, _MON, (Citation(_CPL, "172"), _APPRAISAL),
         N_("Time limit for the prosecution review"), "referred_for_prosecution"),
    Rule("criminal.prosecution_review.extension", 15, _CAL,
         (Citation(_CPL, "172", N_("major or complex case")),),
         N_("Extension of the prosecution review"), "extension_approved", pausable=False),
    Rule("criminal.supplementary_investigation", 1, _MON,
         (Citation(_CPL, "175", N_("at most 1 month each time, at most twice; the review "
                                   "restarts on return")),),
         N_("Time limit for supplementary investigation"),
         "returned_for_supplementary_investigation", pausable=False),
    Rule("criminal.non_prosecution_notice", 3, _CAL,
         (Citation(_LINK, "18"), Citation(_CPL, "177"), _LINK38),
         N_("Time limit for notifying the non-prosecution decision"),
         "non_prosecution_decided", pausable=False),
    # -- trial (审判), DOMAIN §2.2 -----------------------------------------------------------------
    Rule("criminal.first_instance", 2, _MON, (Citation(_CPL, "208"), _APPRAISAL),
         N_("Time limit for the first-instance trial"), "case_accepted"),
    Rule("criminal.first_instance.extension", 1, _MON,
         (Citation(_CPL, "208", N_("at most 3 months in all, approval of the higher court")),),
         N_("Extension of the first-instance trial"), "extension_approved", pausable=False),
    Rule("criminal.first_instance.special_extension", 3, _MON,
         (Citation(_CPL, "208", N_("special circumstances, approval of the Supreme People's "
                                   "Court")),),
         N_("Special extension of the first-instance trial"), "extension_approved",
         pausable=False),
    Rule("criminal.appeal", 10, _CAL,
         (Citation(_CPL, "230", N_("10 days against a judgment, from the day after its "
                                   "receipt; the judgment is final only after the period")),),
         N_("Time limit for appeal or protest"), "judgment_received", pausable=False,
         waiting=True),
    Rule("criminal.second_instance", 2, _MON, (Citation(_CPL, "243"), _APPRAISAL),
         N_("Time limit for the second-instance trial"), "appeal_accepted"),
    Rule("criminal.second_instance.extension", 2, _MON,
         (Citation(_CPL, "243", N_("approval of the provincial higher court")),),
         N_("Extension of the second-instance trial"), "extension_approved", pausable=False),
)
# fmt: on
