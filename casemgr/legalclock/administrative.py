"""Legal periods of the administrative channel (data). Sources: DOMAIN.md §0, §1.2, §1.4, §1.5;
[R] where DOMAIN.md tags [R]."""

from __future__ import annotations

from casemgr.legalclock.engine import Rule, Unit

# fmt: off
_CAL, _WD, _H, _MON = Unit.CALENDAR_DAY, Unit.WORKING_DAY, Unit.HOUR, Unit.MONTH
_PUNISH = "行政处罚法 2021"
_MEASURES = "生态环境行政处罚办法 2023"
_COERCE = "行政强制法"
_WD85 = f"{_PUNISH} art. 85 (working days)"
_WD69 = f"{_COERCE} art. 69 (≤10 days = working days)"
# The MEP orders of 2014: article numbers checked against their text (Fungwingwaa/cee); whether
# they remain in force unchanged after the 2023 measures is unverified (DOMAIN.md §1.1, §8).
_O28 = "MEP Order 28 (按日连续处罚办法, 2014; validity [R])"
_O29 = "MEP Order 29 (实施查封、扣押办法, 2014; validity [R])"
_O30 = "MEP Order 30 (实施限制生产、停产整治办法, 2014; validity [R])"

ADMINISTRATIVE_RULES: tuple[Rule, ...] = (
    Rule("admin.filing_decision", 15, _CAL,
         f"{_MEASURES} art. 18; start event (discovery / receipt of materials) [R]",
         "立案审查期限", "lead_received", pausable=False),
    Rule("admin.filing_decision.extension", 15, _CAL,
         f"{_MEASURES} art. 18 (agency-head approval, max 30 days in all)",
         "立案审查期限延长", "extension_approved", pausable=False),
    Rule("admin.preservation_handling", 7, _WD, f"{_PUNISH} art. 56; {_WD85}",
         "先行登记保存处理决定期限", "evidence_preserved", pausable=False),
    Rule("admin.statement_defence", 5, _WD,
         f"{_PUNISH} arts. 44, 45, 62; window not fixed by law, default 5 working days [R]",
         "陈述申辩期限", "notice_served", pausable=False),
    Rule("admin.hearing_request", 5, _WD, f"{_PUNISH} art. 64(1); {_WD85}",
         "听证申请期限", "notice_served", pausable=False),
    Rule("admin.hearing_notice", 7, _WD,
         f"{_PUNISH} art. 64(2) (notice ≥7 days before the hearing); {_WD85}; "
         "hearing on the day after the due date at the earliest [R]",
         "听证通知提前期", "hearing_notice_served", pausable=False, waiting=True),
    Rule("admin.decision", 90, _CAL,
         f"{_PUNISH} art. 60; {_MEASURES} art. 57 (suspension, hearing, public notice, "
         "monitoring/testing, assessment, appraisal, 认定, service excluded); "
         "衔接办法 2017 art. 16 (criminal transfer pending excluded)",
         "作出处罚决定期限", "case_filed"),
    Rule("admin.decision.extension_1", 30, _CAL,
         f"{_PUNISH} art. 60; {_MEASURES} art. 57 (agency-head approval)",
         "处罚决定期限延长（负责人批准）", "extension_approved", pausable=False),
    Rule("admin.decision.extension_2", 30, _CAL,
         f"{_MEASURES} art. 57 (≤30 days, collective discussion of agency heads)",
         "处罚决定期限再次延长（集体讨论）", "extension_approved", pausable=False),
    Rule("admin.decision_service", 7, _WD, f"{_PUNISH} art. 61; {_WD85}",
         "处罚决定书送达期限", "decision_made", pausable=False),
    Rule("admin.fine_payment", 15, _CAL, f"{_PUNISH} art. 67",
         "罚款缴纳期限", "decision_received", pausable=False),
    Rule("seizure.emergency_approval", 24, _H,
         f"{_COERCE} art. 19; {_O29} art. 13 (approval within 24 hours after acting)",
         "紧急查封扣押补办批准期限", "seizure_executed", pausable=False,
         roll_to_working_day=False),
    Rule("seizure.duration", 30, _CAL,
         f"{_COERCE} art. 25 (testing/inspection/appraisal time excluded); {_O29} art. 15",
         "查封扣押期限", "seizure_executed"),
    Rule("seizure.extension", 30, _CAL,
         f"{_COERCE} art. 25 (≤30 days, head approval); {_O29} art. 15",
         "查封扣押期限延长", "extension_approved", pausable=False),
    Rule("seizure.release_verification", 5, _WD, f"{_O29} art. 19; {_WD69}",
         "解除查封扣押申请核查期限", "release_requested", pausable=False),
    Rule("seizure.release_service", 3, _WD, f"{_O29} art. 21; {_WD69}",
         "解除查封扣押决定送达期限", "release_decided", pausable=False),
    Rule("daily_penalty.order_service", 3, _WD,
         f"{_O28} art. 8 (on the spot, or within 3 working days of the monitoring report)",
         "责令改正违法行为决定书送达期限", "monitoring_report_received", pausable=False),
    Rule("daily_penalty.recheck", 30, _CAL,
         f"{_O28} art. 10 (covert re-check within 30 days of service); 环境保护法 art. 59",
         "按日连续处罚复查期限", "correction_order_served", pausable=False),
    Rule("production_limit.decision_service", 7, _WD, f"{_O30} art. 14; 环境保护法 art. 60",
         "限制生产、停产整治决定书送达期限", "decision_made", pausable=False),
    Rule("production_limit.duration", 3, _MON, f"{_O30} art. 15 (限制生产 ≤3 months)",
         "限制生产期限", "decision_served", pausable=False),
    Rule("production_limit.extension", 3, _MON, f"{_O30} art. 15 (≤3 months more)",
         "限制生产期限延长", "extension_approved", pausable=False),
    Rule("production_limit.rectification_plan", 15, _WD,
         f"{_O30} art. 16 (plan filed and published)",
         "整改方案备案期限", "decision_received", pausable=False),
    Rule("production_limit.completion_report", 15, _WD, f"{_O30} art. 17 (report on completion)",
         "整改完成情况报告期限", "rectification_finished", pausable=False),
    Rule("production_limit.follow_up", 30, _CAL, f"{_O30} art. 20 (tracking inspection)",
         "解除后跟踪检查期限", "released", pausable=False),
    Rule("detention.transfer", 3, _WD,
         "环境保护法 art. 63; 行政主管部门移送适用行政拘留环境违法案件暂行办法 art. 12 (3 days "
         "after the transfer decision), art. 19 (all periods are working days)",
         "移送行政拘留期限", "transfer_decided", pausable=False),
    Rule("remedy.reconsideration", 60, _CAL, "行政复议法 2023 art. 20",
         "申请行政复议期限", "act_known", pausable=False),
    Rule("remedy.direct_suit", 6, _MON, "行政诉讼法 art. 46",
         "直接提起行政诉讼期限", "act_known", pausable=False),
    Rule("remedy.suit_after_reconsideration", 15, _CAL, "行政诉讼法 art. 45",
         "复议后提起诉讼期限", "reconsideration_decision_received", pausable=False),
    Rule("enforcement.window_opens", 6, _MON,
         "行诉解释 2018 art. 156; 行政强制法 art. 53 (after the 6-month suit period, absent "
         "reconsideration or suit)",
         "申请法院强制执行起算", "decision_served", pausable=False, waiting=True),
    Rule("enforcement.window_closes", 3, _MON,
         "行诉解释 2018 art. 156; 行政强制法 art. 53 (within 3 months after the suit period "
         "expires)",
         "申请法院强制执行期限", "suit_period_expired", pausable=False),
    Rule("enforcement.after_demand", 10, _WD,
         f"{_COERCE} art. 54 (apply ≥10 days after the 催告 is served); {_WD69}",
         "催告后申请强制执行等待期", "demand_served", pausable=False, waiting=True),
)
# fmt: on
