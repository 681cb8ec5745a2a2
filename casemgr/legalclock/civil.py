"""Legal periods of the public-interest litigation channels (data): environmental civil PIL
(``civil.*``) and the procuratorate's administrative PIL (``admin_pil.*``).

Sources: DOMAIN.md §3.1, §3.2, §2.2; court periods checked against 民事诉讼法 2023 and 行政诉讼法
(LawRefBook/Laws). Civil periods count from the day after the start day and a last day that is a
rest day rolls to the next working day (民事诉讼法 2023 art. 85), the engine's default; none of
them is in working days. ``start_event`` names the lifecycle event that opens the rule
(:mod:`casemgr.lifecycles.civil`); [R] marks what DOMAIN.md does not verify.
"""

from __future__ import annotations

from casemgr.legalclock.engine import Rule, Unit

# fmt: off
_CAL, _MON = Unit.CALENDAR_DAY, Unit.MONTH
_ENV = "环境民事公益诉讼解释 2020"  # SPC 关于审理环境民事公益诉讼案件适用法律若干问题的解释
_PROC = "检察公益诉讼解释 2018"  # 两高 关于检察公益诉讼案件适用法律若干问题的解释
_CPL = "民事诉讼法 2023"
_ALL = "行政诉讼法"

CIVIL_RULES: tuple[Rule, ...] = (
    # -- environmental civil PIL (环境民事公益诉讼) -------------------------------------------
    Rule("civil.announcement", 30, _CAL,
         f"{_PROC} art. 13 (30-day pre-suit announcement; the procuratorate sues only after it "
         f"expires and no eligible organ or organisation has sued); {_CPL} art. 58 ¶2",
         "诉前公告期间", "announce", pausable=False, waiting=True),
    Rule("civil.copy_to_defendant", 5, _CAL,
         f"{_ENV} art. 10; {_PROC} art. 17 (copy of the complaint to the defendant within 5 days "
         f"of filing); {_CPL} art. 128",
         "起诉状副本送达被告期限", "accept", pausable=False),
    Rule("civil.joining_window", 30, _CAL,
         f"{_ENV} art. 10 (other eligible organs and organisations apply to join within 30 days "
         "of the court's notice; later applications are refused); judgment and mediation wait "
         "for it [derived]",
         "申请参加诉讼期间", "publish_acceptance", pausable=False, waiting=True),
    Rule("civil.regulator_notice", 10, _CAL,
         f"{_ENV} art. 12 (the court informs the supervising department within 10 days of "
         "accepting the suit)",
         "告知负有监管职责部门期限", "accept", pausable=False),
    Rule("civil.settlement_notice", 30, _CAL,
         f"{_ENV} art. 25 (mediation or settlement agreement published for at least 30 days "
         "before the court issues the 调解书)",
         "调解协议、和解协议公告期间", "publish_settlement", pausable=False, waiting=True),
    Rule("civil.first_instance", 6, _MON,
         f"{_CPL} art. 152 (6 months from filing; +6 months with the court president's "
         "approval); suspension, public notice, appraisal and settlement time excluded "
         "(SPC 民诉解释) [R]",
         "一审审理期限", "accept"),
    Rule("civil.appeal", 15, _CAL,
         f"{_CPL} art. 171 (15 days from service of the judgment); art. 158 (final when no "
         "appeal was lodged in time)",
         "上诉期间", "serve_judgment", pausable=False, waiting=True),
    Rule("civil.appeal_incidental", 10, _CAL,
         "刑事诉讼法 2018 art. 230 (10 days from the day after receipt of the judgment); applied "
         "to the incidental civil PIL part of a criminal judgment [R]",
         "刑事附带民事公益诉讼上诉期间", "serve_judgment", pausable=False, waiting=True),
    Rule("civil.second_instance", 3, _MON,
         f"{_CPL} art. 183 (3 months from the second-instance filing; extension by the court "
         "president); counted from the appeal's recording date [approx]",
         "二审审理期限", "appeal"),
    # -- administrative PIL of the procuratorate (行政公益诉讼) -------------------------------
    Rule("admin_pil.reply", 2, _MON,
         f"{_PROC} art. 21 (the agency performs its duty and replies in writing within 2 months "
         "of receiving the 检察建议)",
         "检察建议书面回复期限", "issue_recommendation", pausable=False),
    Rule("admin_pil.reply_urgent", 15, _CAL,
         f"{_PROC} art. 21 (15 days where the harm to the public interest keeps expanding)",
         "检察建议紧急回复期限", "issue_recommendation", pausable=False),
    Rule("admin_pil.first_instance", 6, _MON,
         f"{_ALL} art. 81 (6 months from filing; extension by the high court)",
         "行政公益诉讼一审审理期限", "file_suit"),
    Rule("admin_pil.appeal", 15, _CAL,
         f"{_ALL} art. 85 (15 days from service of the judgment; final when no appeal)",
         "行政公益诉讼上诉期间", "serve_judgment", pausable=False, waiting=True),
    Rule("admin_pil.second_instance", 3, _MON,
         f"{_ALL} art. 88 (3 months from receipt of the appeal petition)",
         "行政公益诉讼二审审理期限", "appeal"),
)
# fmt: on
