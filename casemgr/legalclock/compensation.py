"""Legal periods of the eco-environmental damage compensation channel (生态环境损害赔偿), as data.

Sources: DOMAIN.md §3.3 and §8; [R] where DOMAIN.md tags the period as recalled and unchecked
(the 30-day start decision and the 90-day consultation limit of the 管理规定 are open points).

Restoration and payment (修复/赔偿金) have no statutory period: the agreement or the judgment sets
its own performance date. That date is step data (``performance_due_on``, recorded by the
agreement and the judgments), read by the lifecycle's guards and its overdue alert
(:func:`casemgr.lifecycles.compensation.performance_overdue`), never a rule here.
"""

from __future__ import annotations

from casemgr.legalclock.engine import Rule, Unit

# fmt: off
_CAL = Unit.CALENDAR_DAY
_RULES_2022 = "生态环境损害赔偿管理规定 2022 (环法规〔2022〕31号)"
_SPC = "SPC 生态环境损害赔偿若干规定 (2019, amended 2020)"
_CPL = "民事诉讼法 2023"

COMPENSATION_RULES: tuple[Rule, ...] = (
    Rule("compensation.start_decision", 30, _CAL,
         f"{_RULES_2022} (线索筛查, 启动或不启动索赔); 30 days [R] (DOMAIN §8 open point); "
         "counted from the receipt of the lead",
         "索赔启动决定期限", "lead_received", pausable=False),
    Rule("compensation.consultation", 90, _CAL,
         f"{_RULES_2022} (磋商 ≤ 90 days from service of the written consultation notice) [R] "
         "(DOMAIN §8 open point)",
         "磋商期限", "consultation_notice_served", pausable=False),
    Rule("compensation.confirmation_notice", 30, _CAL,
         f"{_SPC} art. 20 (the court publishes the agreement ≥ 30 days before ruling on it)",
         "司法确认公告期", "confirmation_notice_published", pausable=False, waiting=True),
    Rule("compensation.appeal", 15, _CAL,
         f"{_CPL} art. 171 (15 days from service of the first-instance judgment); the judgment "
         "becomes final once the period has run without an appeal",
         "上诉期限（判决生效）", "judgment_served", pausable=False, waiting=True),
)
# fmt: on
