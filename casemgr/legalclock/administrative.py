"""Legal periods of the administrative channel (data). Sources: DOMAIN.md §0, §1.2, §1.4, §1.5;
[R] where DOMAIN.md tags [R].

Each rule's ``title`` and its citations' notes are English msgids (``N_``) whose zh-CN
translations are the Chinese terms officers use; :func:`casemgr.legalbasis.render_basis` renders
the basis in either language.
"""

from __future__ import annotations

from casemgr.i18n import N_
from casemgr.legalbasis import Citation, Law
from casemgr.legalclock.engine import Rule, Unit

# fmt: off
_CAL, _WD, _H, _MON = Unit.CALENDAR_DAY, Unit.WORKING_DAY, Unit.HOUR, Unit.MONTH
_PUNISH = Law.ADMIN_PENALTY_LAW  # 行政处罚法 2021
_MEASURES = Law.ECO_PENALTY_MEASURES  # 生态环境行政处罚办法 2023
_COERCE = Law.ADMIN_COERCION_LAW  # 行政强制法
_EPL = Law.ENV_PROTECTION_LAW  # 环境保护法
_ALL = Law.ADMIN_LITIGATION_LAW  # 行政诉讼法
_WD85 = Citation(_PUNISH, "85", N_("working days"))
_WD69 = Citation(_COERCE, "69", N_("periods of 10 days or less are working days"))
# The MEP orders of 2014: article numbers checked against their text (Fungwingwaa/cee); whether
# they remain in force unchanged after the 2023 measures is unverified (DOMAIN.md §1.1, §8), so
# every citation of them is marked [R] (their validity).
_O28, _O29, _O30 = Law.MEP_ORDER_28, Law.MEP_ORDER_29, Law.MEP_ORDER_30

ADMINISTRATIVE_RULES: tuple[Rule, ...] = (
    Rule("admin.filing_decision", 15, _CAL,
         (Citation(_MEASURES, "18", N_("counted from the discovery of the lead or the receipt "
                                       "of the materials"), recalled=True),),
         N_("Time limit for the filing review"), "lead_received", pausable=False),
    Rule("admin.filing_decision.extension", 15, _CAL,
         (Citation(_MEASURES, "18", N_("agency-head approval, at most 30 days in all")),),
         N_("Extension of the filing review"), "extension_approved", pausable=False),
    Rule("admin.preservation_handling", 7, _WD, (Citation(_PUNISH, "56"), _WD85),
         N_("Time limit for deciding on evidence registered and preserved in advance"),
         "evidence_preserved", pausable=False),
    Rule("admin.statement_defence", 5, _WD,
         (Citation(_PUNISH, "44, 45, 62", N_("window not fixed by law; 5 working days by "
                                             "default"), recalled=True),),
         N_("Time limit for statements and defence"), "notice_served", pausable=False),
    Rule("admin.hearing_request", 5, _WD, (Citation(_PUNISH, "64(1)"), _WD85),
         N_("Time limit for requesting a hearing"), "notice_served", pausable=False),
    Rule("admin.hearing_notice", 7, _WD,
         (Citation(_PUNISH, "64(2)", N_("notice at least 7 days before the hearing")), _WD85,
          Citation(_PUNISH, "64(2)", N_("the hearing is held on the day after the due date at "
                                        "the earliest"), recalled=True)),
         N_("Advance notice of the hearing"), "hearing_notice_served", pausable=False,
         waiting=True),
    Rule("admin.decision", 90, _CAL,
         (Citation(_PUNISH, "60"),
          Citation(_MEASURES, "57", N_("suspension, hearing, public notice, monitoring or "
                                       "testing, assessment, appraisal, identification and "
                                       "service time excluded")),
          Citation(Law.ENV_LINKAGE_MEASURES, "16",
                   N_("time with a criminal transfer pending excluded"))),
         N_("Time limit for the penalty decision"), "case_filed"),
    Rule("admin.decision.extension_1", 30, _CAL,
         (Citation(_PUNISH, "60"), Citation(_MEASURES, "57", N_("agency-head approval"))),
         N_("Extension of the decision limit (agency-head approval)"), "extension_approved",
         pausable=False),
    Rule("admin.decision.extension_2", 30, _CAL,
         (Citation(_MEASURES, "57", N_("at most 30 days, after collective discussion by the "
                                       "agency heads")),),
         N_("Second extension of the decision limit (collective discussion)"),
         "extension_approved", pausable=False),
    Rule("admin.decision_service", 7, _WD, (Citation(_PUNISH, "61"), _WD85),
         N_("Time limit for serving the penalty decision"), "decision_made", pausable=False),
    Rule("admin.fine_payment", 15, _CAL, (Citation(_PUNISH, "67"),),
         N_("Time limit for paying the fine"), "decision_received", pausable=False),
    Rule("seizure.emergency_approval", 24, _H,
         (Citation(_COERCE, "19"),
          Citation(_O29, "13", N_("approval within 24 hours after acting"), recalled=True)),
         N_("Time limit for approving an emergency seizure afterwards"), "seizure_executed",
         pausable=False, roll_to_working_day=False),
    Rule("seizure.duration", 30, _CAL,
         (Citation(_COERCE, "25", N_("testing, inspection and appraisal time excluded")),
          Citation(_O29, "15", recalled=True)),
         N_("Duration of the seizure"), "seizure_executed"),
    Rule("seizure.extension", 30, _CAL,
         (Citation(_COERCE, "25", N_("at most 30 days, agency-head approval")),
          Citation(_O29, "15", recalled=True)),
         N_("Extension of the seizure"), "extension_approved", pausable=False),
    Rule("seizure.release_verification", 5, _WD, (Citation(_O29, "19", recalled=True), _WD69),
         N_("Time limit for checking a request to lift the seizure"), "release_requested",
         pausable=False),
    Rule("seizure.release_service", 3, _WD, (Citation(_O29, "21", recalled=True), _WD69),
         N_("Time limit for serving the decision to lift the seizure"), "release_decided",
         pausable=False),
    Rule("daily_penalty.order_service", 3, _WD,
         (Citation(_O28, "8", N_("on the spot, or within 3 working days of the monitoring "
                                 "report"), recalled=True),),
         N_("Time limit for serving the order to correct the violation"),
         "monitoring_report_received", pausable=False),
    Rule("daily_penalty.recheck", 30, _CAL,
         (Citation(_O28, "10", N_("covert re-check within 30 days of service"), recalled=True),
          Citation(_EPL, "59")),
         N_("Time limit for the re-check (continuous daily penalty)"),
         "correction_order_served", pausable=False),
    Rule("production_limit.decision_service", 7, _WD,
         (Citation(_O30, "14", recalled=True), Citation(_EPL, "60")),
         N_("Time limit for serving the decision to limit or suspend production"),
         "decision_made", pausable=False),
    Rule("production_limit.duration", 3, _MON,
         (Citation(_O30, "15", N_("production limit at most 3 months"), recalled=True),),
         N_("Duration of the production limit"), "decision_served", pausable=False),
    Rule("production_limit.extension", 3, _MON,
         (Citation(_O30, "15", N_("at most 3 months more"), recalled=True),),
         N_("Extension of the production limit"), "extension_approved", pausable=False),
    Rule("production_limit.rectification_plan", 15, _WD,
         (Citation(_O30, "16", N_("plan filed and published"), recalled=True),),
         N_("Time limit for filing the rectification plan"), "decision_received",
         pausable=False),
    Rule("production_limit.completion_report", 15, _WD,
         (Citation(_O30, "17", N_("report on completion"), recalled=True),),
         N_("Time limit for reporting the completed rectification"), "rectification_finished",
         pausable=False),
    Rule("production_limit.follow_up", 30, _CAL,
         (Citation(_O30, "20", N_("tracking inspection"), recalled=True),),
         N_("Time limit for the follow-up inspection after release"), "released",
         pausable=False),
    Rule("detention.transfer", 3, _WD,
         (Citation(_EPL, "63"),
          Citation(Law.DETENTION_TRANSFER_MEASURES, "12",
                   N_("3 days after the transfer decision")),
          Citation(Law.DETENTION_TRANSFER_MEASURES, "19", N_("all periods are working days"))),
         N_("Time limit for the transfer for administrative detention"), "transfer_decided",
         pausable=False),
    Rule("remedy.reconsideration", 60, _CAL, (Citation(Law.ADMIN_RECONSIDERATION_LAW, "20"),),
         N_("Time limit for applying for administrative reconsideration"), "act_known",
         pausable=False),
    Rule("remedy.direct_suit", 6, _MON, (Citation(_ALL, "46"),),
         N_("Time limit for suing directly"), "act_known", pausable=False),
    Rule("remedy.suit_after_reconsideration", 15, _CAL, (Citation(_ALL, "45"),),
         N_("Time limit for suing after reconsideration"), "reconsideration_decision_received",
         pausable=False),
    Rule("enforcement.window_opens", 6, _MON,
         (Citation(Law.SPC_ADMIN_LITIGATION_INTERPRETATION, "156"),
          Citation(_COERCE, "53", N_("after the 6-month suit period, absent reconsideration or "
                                     "suit"))),
         N_("Start of the window for applying for court enforcement"), "decision_served",
         pausable=False, waiting=True),
    Rule("enforcement.window_closes", 3, _MON,
         (Citation(Law.SPC_ADMIN_LITIGATION_INTERPRETATION, "156"),
          Citation(_COERCE, "53", N_("within 3 months after the suit period expires"))),
         N_("Time limit for applying for court enforcement"), "suit_period_expired",
         pausable=False),
    Rule("enforcement.after_demand", 10, _WD,
         (Citation(_COERCE, "54", N_("apply at least 10 days after the demand for performance "
                                     "is served")), _WD69),
         N_("Waiting period after the demand before applying for enforcement"),
         "demand_served", pausable=False, waiting=True),
)
# fmt: on
