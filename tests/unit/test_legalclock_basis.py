"""The legal clock's titles and legal bases in both languages (no app, no database).

Each rule's title is an English msgid whose zh-CN translation is exactly the Chinese title the
rule carried before titles became msgids (frozen below), and each basis renders in Chinese
without a Latin letter and in English without a Chinese character.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from casemgr.legalbasis import LAW_NAMES, basis_text, render_basis
from casemgr.legalclock import RULES

PO = Path(__file__).resolve().parents[2] / "casemgr/translations/zh_Hans_CN/LC_MESSAGES/messages.po"

# The Chinese titles of the rules as they were written in casemgr/legalclock before the titles
# became English msgids: officers know the deadlines by these names.
CHINESE_TITLES = {
    "admin.filing_decision": "立案审查期限",
    "admin.filing_decision.extension": "立案审查期限延长",
    "admin.preservation_handling": "先行登记保存处理决定期限",
    "admin.statement_defence": "陈述申辩期限",
    "admin.hearing_request": "听证申请期限",
    "admin.hearing_notice": "听证通知提前期",
    "admin.decision": "作出处罚决定期限",
    "admin.decision.extension_1": "处罚决定期限延长（负责人批准）",
    "admin.decision.extension_2": "处罚决定期限再次延长（集体讨论）",
    "admin.decision_service": "处罚决定书送达期限",
    "admin.fine_payment": "罚款缴纳期限",
    "seizure.emergency_approval": "紧急查封扣押补办批准期限",
    "seizure.duration": "查封扣押期限",
    "seizure.extension": "查封扣押期限延长",
    "seizure.release_verification": "解除查封扣押申请核查期限",
    "seizure.release_service": "解除查封扣押决定送达期限",
    "daily_penalty.order_service": "责令改正违法行为决定书送达期限",
    "daily_penalty.recheck": "按日连续处罚复查期限",
    "production_limit.decision_service": "限制生产、停产整治决定书送达期限",
    "production_limit.duration": "限制生产期限",
    "production_limit.extension": "限制生产期限延长",
    "production_limit.rectification_plan": "整改方案备案期限",
    "production_limit.completion_report": "整改完成情况报告期限",
    "production_limit.follow_up": "解除后跟踪检查期限",
    "detention.transfer": "移送行政拘留期限",
    "remedy.reconsideration": "申请行政复议期限",
    "remedy.direct_suit": "直接提起行政诉讼期限",
    "remedy.suit_after_reconsideration": "复议后提起诉讼期限",
    "enforcement.window_opens": "申请法院强制执行起算",
    "enforcement.window_closes": "申请法院强制执行期限",
    "enforcement.after_demand": "催告后申请强制执行等待期",
    "criminal.transfer_approval": "移送审批期限",
    "criminal.handover": "移送公安机关期限",
    "criminal.transfer_on_advice": "检察建议移送期限",
    "criminal.materials": "补充移送材料期限",
    "criminal.filing_decision": "立案审查期限",
    "criminal.filing_decision.leads": "立案审查期限（线索需查证）",
    "criminal.filing_decision.major": "立案审查期限（重大疑难复杂）",
    "criminal.filing_notice": "立案、不予立案、撤案决定通知期限",
    "criminal.seized_items": "涉案物品移交期限",
    "criminal.reconsideration_request": "提请复议期限",
    "criminal.reconsideration_decision": "复议决定期限",
    "criminal.supervision_request": "建议立案监督期限",
    "criminal.police_explanation": "说明不立案理由期限",
    "criminal.filing_after_notice": "通知立案后立案期限",
    "criminal.prosecution_review": "审查起诉期限",
    "criminal.prosecution_review.extension": "审查起诉期限延长",
    "criminal.supplementary_investigation": "补充侦查期限",
    "criminal.non_prosecution_notice": "不起诉决定通知期限",
    "criminal.first_instance": "一审审理期限",
    "criminal.first_instance.extension": "一审审理期限延长",
    "criminal.first_instance.special_extension": "一审审理期限特别延长",
    "criminal.appeal": "上诉、抗诉期限",
    "criminal.second_instance": "二审审理期限",
    "criminal.second_instance.extension": "二审审理期限延长",
    "civil.announcement": "诉前公告期间",
    "civil.copy_to_defendant": "起诉状副本送达被告期限",
    "civil.joining_window": "申请参加诉讼期间",
    "civil.regulator_notice": "告知负有监管职责部门期限",
    "civil.settlement_notice": "调解协议、和解协议公告期间",
    "civil.first_instance": "一审审理期限",
    "civil.appeal": "上诉期间",
    "civil.appeal_incidental": "刑事附带民事公益诉讼上诉期间",
    "civil.second_instance": "二审审理期限",
    "admin_pil.reply": "检察建议书面回复期限",
    "admin_pil.reply_urgent": "检察建议紧急回复期限",
    "admin_pil.first_instance": "行政公益诉讼一审审理期限",
    "admin_pil.appeal": "行政公益诉讼上诉期间",
    "admin_pil.second_instance": "行政公益诉讼二审审理期限",
    "compensation.start_decision": "索赔启动决定期限",
    "compensation.consultation": "磋商期限",
    "compensation.confirmation_notice": "司法确认公告期",
    "compensation.appeal": "上诉期限（判决生效）",
}

_LATIN = re.compile("[A-Za-z]")
_CJK = re.compile("[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


@pytest.fixture(scope="module")
def zh() -> Callable[[str], str]:
    """gettext of the zh-CN catalogue (the message itself when it is not translated)."""
    with PO.open("rb") as f:
        catalogue = read_po(f)
    strings = {m.id: m.string for m in catalogue if m.id and m.string}
    return lambda message: strings.get(message, message)


def test_every_rule_is_in_the_frozen_table() -> None:
    assert set(RULES) == set(CHINESE_TITLES)


@pytest.mark.parametrize("code", sorted(CHINESE_TITLES))
def test_the_chinese_title_is_the_one_officers_know(code: str, zh: Callable[[str], str]) -> None:
    assert zh(RULES[code].title) == CHINESE_TITLES[code]


@pytest.mark.parametrize("code", sorted(RULES))
def test_the_basis_reads_in_one_language_at_a_time(code: str, zh: Callable[[str], str]) -> None:
    rule = RULES[code]
    chinese, english = render_basis(rule.basis, zh), basis_text(rule.basis)
    assert _LATIN.search(chinese) is None, chinese
    assert _CJK.search(english) is None, english
    assert _CJK.search(rule.title) is None, rule.title
    for citation in rule.basis:
        assert zh(LAW_NAMES[citation.law]) in chinese
        assert LAW_NAMES[citation.law] in english
        if citation.note:
            assert f"（{zh(citation.note)}）" in chinese and f"({citation.note})" in english
    assert (
        chinese.count("〔待核实〕") == english.count("[R]") == sum(c.recalled for c in rule.basis)
    )


@pytest.mark.parametrize(
    ("code", "chinese", "english"),
    [
        (
            "admin.decision",
            "《行政处罚法》（2021）第60条；《生态环境行政处罚办法》（2023）第57条（中止、听证、"
            "公告、监测或者检测、评估、鉴定、认定、送达等期间不计入）；《环境保护行政执法与刑事"
            "司法衔接工作办法》（2017）第16条（移送涉嫌犯罪案件期间不计入）",
            "Administrative Penalty Law (2021) art. 60; Measures for Eco-environmental "
            "Administrative Penalties (2023) art. 57 (suspension, hearing, public notice, "
            "monitoring or testing, assessment, appraisal, identification and service time "
            "excluded); Measures for Linking Environmental Administrative Enforcement and "
            "Criminal Justice (2017) art. 16 (time with a criminal transfer pending excluded)",
        ),
        (
            "admin.hearing_request",
            "《行政处罚法》（2021）第64条第1款；《行政处罚法》（2021）第85条（工作日）",
            "Administrative Penalty Law (2021) art. 64(1); Administrative Penalty Law (2021) "
            "art. 85 (working days)",
        ),
        (
            "seizure.release_service",
            "《环境保护主管部门实施查封、扣押办法》（环境保护部令第29号，2014）第21条〔待核实〕；"
            "《行政强制法》第69条（十日以内的期限指工作日）",
            "Measures for Seizure and Detention (MEP Order 29, 2014) art. 21 [R]; "
            "Administrative Coercion Law art. 69 (periods of 10 days or less are working days)",
        ),
        (
            "compensation.consultation",
            "《生态环境损害赔偿管理规定》（2022）（磋商期限自书面磋商通知送达之日起不超过九十日）"
            "〔待核实〕",
            "Provisions on the Management of Eco-environmental Damage Compensation (2022) "
            "(consultation at most 90 days from service of the written consultation notice) [R]",
        ),
    ],
)
def test_a_basis_reads_as_a_citation_in_each_language(
    code: str, chinese: str, english: str, zh: Callable[[str], str]
) -> None:
    assert render_basis(RULES[code].basis, zh) == chinese
    assert basis_text(RULES[code].basis) == english
