"""Legal periods of the eco-environmental damage compensation channel (生态环境损害赔偿), as data.

Sources: DOMAIN.md §3.3 and §8; [R] where DOMAIN.md tags the period as recalled and unchecked
(the 30-day start decision and the 90-day consultation limit of the 管理规定 are open points).

Restoration and payment (修复/赔偿金) have no statutory period: the agreement or the judgment sets
its own performance date. That date is step data (``performance_due_on``, recorded by the
agreement and the judgments), read by the lifecycle's guards and its overdue alert
(:func:`casemgr.lifecycles.compensation.performance_overdue`), never a rule here.
"""

from __future__ import annotations

from casemgr.i18n import N_
from casemgr.legalbasis import Citation, Law
from casemgr.legalclock.engine import Rule, Unit

# fmt: off
_CAL = Unit.CALENDAR_DAY
_RULES_2022 = Law.ECO_DAMAGE_COMPENSATION_RULES  # 管理规定 2022 (环法规〔2022〕31号)
_SPC = Law.SPC_ECO_DAMAGE_COMPENSATION_PROVISIONS  # SPC 若干规定 (2019, amended 2020)
_CPL = Law.CIVIL_PROCEDURE_LAW  # 民事诉讼法 2023

COMPENSATION_RULES: tuple[Rule, ...] = (
    # The 30 days are recalled: an open point of DOMAIN.md §8.
    Rule("compensation.start_decision", 30, _CAL,
         (Citation(_RULES_2022, note=N_("lead screening and the decision to start a claim or "
                                        "not: 30 days from receipt of the lead"),
                   recalled=True),),
         N_("Time limit for deciding whether to start a claim"), "lead_received",
         pausable=False),
    # The 90 days are recalled: an open point of DOMAIN.md §8.
    Rule("compensation.consultation", 90, _CAL,
         (Citation(_RULES_2022, note=N_("consultation at most 90 days from service of the "
                                        "written consultation notice"), recalled=True),),
         N_("Consultation period"), "consultation_notice_served", pausable=False),
    Rule("compensation.confirmation_notice", 30, _CAL,
         (Citation(_SPC, "20", N_("the court publishes the agreement at least 30 days before "
                                  "ruling on it")),),
         N_("Public notice period before judicial confirmation"),
         "confirmation_notice_published", pausable=False, waiting=True),
    Rule("compensation.appeal", 15, _CAL,
         (Citation(_CPL, "171", N_("15 days from service of the first-instance judgment; the "
                                   "judgment becomes final once the period has run without "
                                   "an appeal")),),
         N_("Appeal period (the judgment becomes final)"), "judgment_served", pausable=False,
         waiting=True),
)
# fmt: on
