"""Legal periods of the public-interest litigation channels (data): environmental civil PIL
(``civil.*``) and the procuratorate's administrative PIL (``admin_pil.*``).

Sources: DOMAIN.md §3.1, §3.2, §2.2; court periods checked against 民事诉讼法 2023 and 行政诉讼法
(LawRefBook/Laws). Civil periods count from the day after the start day and a last day that is a
rest day rolls to the next working day (民事诉讼法 2023 art. 85), the engine's default; none of
them is in working days. ``start_event`` names the lifecycle event that opens the rule
(:mod:`casemgr.lifecycles.civil`); [R] marks what DOMAIN.md does not verify.
"""

from __future__ import annotations

from casemgr.i18n import N_
from casemgr.legalbasis import Citation, Law
from casemgr.legalclock.engine import Rule, Unit

# fmt: off
_CAL, _MON = Unit.CALENDAR_DAY, Unit.MONTH
_ENV = Law.ENV_CIVIL_PIL_INTERPRETATION  # SPC 关于审理环境民事公益诉讼案件适用法律若干问题的解释
_PROC = Law.PROCURATORATE_PIL_INTERPRETATION  # 两高 关于检察公益诉讼案件适用法律若干问题的解释
_CPL = Law.CIVIL_PROCEDURE_LAW  # 民事诉讼法 2023
_ALL = Law.ADMIN_LITIGATION_LAW  # 行政诉讼法

CIVIL_RULES: tuple[Rule, ...] = (
    # -- environmental civil PIL (环境民事公益诉讼) -------------------------------------------
    Rule("civil.announcement", 30, _CAL,
         (Citation(_PROC, "13", N_("30-day pre-suit announcement; the procuratorate sues only "
                                   "after it expires and no eligible organ or organisation has "
                                   "sued")),
          Citation(_CPL, "58(2)")),
         N_("Pre-suit announcement period"), "announce", pausable=False, waiting=True),
    Rule("civil.copy_to_defendant", 5, _CAL,
         (Citation(_ENV, "10"),
          Citation(_PROC, "17", N_("copy of the complaint to the defendant within 5 days of "
                                   "filing")),
          Citation(_CPL, "128")),
         N_("Time limit for serving the complaint on the defendant"), "accept", pausable=False),
    # "Judgment and mediation wait for it" is this system's reading [derived].
    Rule("civil.joining_window", 30, _CAL,
         (Citation(_ENV, "10", N_("other eligible organs and organisations apply to join within "
                                  "30 days of the court's notice; later applications are "
                                  "refused; judgment and mediation wait for it, a derived "
                                  "reading")),),
         N_("Period for applying to join the suit"), "publish_acceptance", pausable=False,
         waiting=True),
    Rule("civil.regulator_notice", 10, _CAL,
         (Citation(_ENV, "12", N_("the court informs the supervising department within 10 days "
                                  "of accepting the suit")),),
         N_("Time limit for informing the supervising department"), "accept", pausable=False),
    Rule("civil.settlement_notice", 30, _CAL,
         (Citation(_ENV, "25", N_("mediation or settlement agreement published for at least 30 "
                                  "days before the court issues the mediation statement")),),
         N_("Publication period of the mediation or settlement agreement"),
         "publish_settlement", pausable=False, waiting=True),
    Rule("civil.first_instance", 6, _MON,
         (Citation(_CPL, "152", N_("6 months from filing; 6 more months with the court "
                                   "president's approval")),
          Citation(Law.SPC_CIVIL_PROCEDURE_INTERPRETATION,
                   note=N_("suspension, public notice, appraisal and settlement time excluded"),
                   recalled=True)),
         N_("Time limit for the first-instance trial"), "accept"),
    Rule("civil.appeal", 15, _CAL,
         (Citation(_CPL, "171", N_("15 days from service of the judgment")),
          Citation(_CPL, "158", N_("final when no appeal was lodged in time"))),
         N_("Period for appeal"), "serve_judgment", pausable=False, waiting=True),
    Rule("civil.appeal_incidental", 10, _CAL,
         (Citation(Law.CRIMINAL_PROCEDURE_LAW, "230",
                   N_("10 days from the day after receipt of the judgment; applied to the "
                      "incidental civil public-interest part of a criminal judgment"),
                   recalled=True),),
         N_("Appeal period of the incidental civil public-interest suit"), "serve_judgment",
         pausable=False, waiting=True),
    # Counted from the appeal's recording date, an approximation of the second-instance filing
    # [approx].
    Rule("civil.second_instance", 3, _MON,
         (Citation(_CPL, "183", N_("3 months from the second-instance filing, extension by the "
                                   "court president; counted from the day the appeal is "
                                   "recorded, an approximation")),),
         N_("Time limit for the second-instance trial"), "appeal"),
    # -- administrative PIL of the procuratorate (行政公益诉讼) -------------------------------
    Rule("admin_pil.reply", 2, _MON,
         (Citation(_PROC, "21", N_("the agency performs its duty and replies in writing within "
                                   "2 months of receiving the procuratorial recommendation")),),
         N_("Time limit for the written reply to the procuratorial recommendation"),
         "issue_recommendation", pausable=False),
    Rule("admin_pil.reply_urgent", 15, _CAL,
         (Citation(_PROC, "21", N_("15 days where the harm to the public interest keeps "
                                   "expanding")),),
         N_("Urgent reply to the procuratorial recommendation"), "issue_recommendation",
         pausable=False),
    Rule("admin_pil.first_instance", 6, _MON,
         (Citation(_ALL, "81", N_("6 months from filing; extension by the high court")),),
         N_("First-instance time limit of the administrative public-interest suit"),
         "file_suit"),
    Rule("admin_pil.appeal", 15, _CAL,
         (Citation(_ALL, "85", N_("15 days from service of the judgment; final when no "
                                  "appeal")),),
         N_("Appeal period of the administrative public-interest suit"), "serve_judgment",
         pausable=False, waiting=True),
    Rule("admin_pil.second_instance", 3, _MON,
         (Citation(_ALL, "88", N_("3 months from receipt of the appeal petition")),),
         N_("Second-instance time limit of the administrative public-interest suit"),
         "appeal"),
)
# fmt: on
