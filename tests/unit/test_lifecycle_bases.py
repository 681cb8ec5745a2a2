"""Every lifecycle guard rule reads in both interface languages: its title is an English msgid
whose zh-CN translation is the Chinese name the rule has always had, and its legal basis renders
in Chinese without Latin letters and in English without Chinese characters (no app).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from casemgr.legalbasis import LAW_NAMES, basis_text, render_basis
from casemgr.lifecycles import GuardRule, administrative, compensation, criminal, inspection
from casemgr.lifecycles.civil import ADMIN_PIL_RULES, CIVIL_PIL_RULES

PO = Path(__file__).resolve().parents[2] / "casemgr/translations/zh_Hans_CN/LC_MESSAGES/messages.po"

# The Chinese titles the rules carried before their titles became msgids: the catalogue must
# give each new title exactly this translation.
CHINESE_TITLES = {
    ("administrative", "two_officers"): "两名以上持证执法人员",
    ("administrative", "simple_procedure_limits"): "简易程序适用条件",
    ("administrative", "reply_period"): "陈述申辩期限",
    ("administrative", "hearing_eligibility"): "听证范围",
    ("administrative", "notice_before_decision"): "事先告知",
    ("administrative", "hearing_before_decision"): "听证",
    ("administrative", "legal_review"): "法制审核",
    ("administrative", "collective_discussion"): "集体讨论",
    ("administrative", "no_increase_after_notice"): "不得因陈述申辩加重处罚",
    ("administrative", "one_fine_per_act"): "一事不再罚",
    ("administrative", "correction_order"): "责令改正",
    ("administrative", "decision_time_limit"): "处罚决定期限",
    ("administrative", "reminder_before_court"): "催告",
    ("administrative", "court_application_window"): "申请强制执行期限",
    ("criminal", "report_by_two_officers"): "两名以上执法人员提出移送书面报告",
    ("criminal", "required_attachments"): "移送材料",
    ("criminal", "filing_limit_known"): "立案审查期限",
    ("criminal", "reconsideration_window"): "提请复议期限",
    ("criminal", "supplementary_limit"): "退回补充侦查以二次为限",
    ("criminal", "verdict_recorded"): "判决结果",
    ("criminal", "appeal_window_open"): "上诉、抗诉期限",
    ("criminal", "appeal_window_over"): "判决生效",
    ("criminal", "conviction_for_execution"): "有罪判决交付执行",
    ("criminal", "nothing_to_execute"): "无罪、免予刑事处罚判决",
    ("compensation", "not_started_reason"): "不启动索赔情形",
    ("compensation", "simplified_assessment_conditions"): "简易评估适用条件",
    ("compensation", "consultation_notice_served"): "磋商书面通知",
    ("compensation", "consultation_failure_ground"): "磋商不成情形",
    ("compensation", "confirmation_notice_run"): "司法确认公告期",
    ("compensation", "litigation_admissible"): "生态环境损害赔偿诉讼受理条件",
    ("compensation", "appeal_in_time"): "上诉期限",
    ("compensation", "appeal_window_run"): "判决生效（上诉期满）",
    ("compensation", "enforceable_title"): "强制执行依据",
    ("compensation", "performance_due_passed"): "履行期限届满",
    ("compensation", "evaluation_or_exemption"): "修复效果评估",
    ("civil_pil", "pil_kind"): "公益诉讼起诉主体",
    ("civil_pil", "ngo_standing"): "社会组织原告资格",
    ("civil_pil", "announcement_run"): "诉前公告期满",
    ("civil_pil", "incidental_with_indictment"): "与刑事公诉一并提起",
    ("civil_pil", "incidental_announcement"): "刑事附带民事公益诉讼诉前公告",
    ("civil_pil", "acceptance_notice"): "受理公告",
    ("civil_pil", "joining_window"): "申请参加诉讼期间",
    ("civil_pil", "joining_window_closed"): "参加诉讼期间届满后裁判",
    ("civil_pil", "settlement_notice_run"): "调解协议公告期满",
    ("civil_pil", "appeal_in_time"): "上诉期间",
    ("civil_pil", "appeal_period_run"): "判决生效",
    ("civil_pil", "procuratorate_withdrawal"): "检察机关撤回起诉",
    ("civil_pil", "no_withdrawal_on_settlement"): "不得以和解撤诉",
    ("civil_pil", "no_withdrawal_after_debate"): "法庭辩论终结后不准撤诉",
    ("administrative_pil", "reply_or_period_run"): "检察建议回复期限",
    ("administrative_pil", "agency_performed"): "行政机关依法履职",
    ("administrative_pil", "agency_not_performed"): "行政机关不依法履职",
    ("administrative_pil", "judgment_kind"): "行政公益诉讼判决种类",
    ("administrative_pil", "admin_appeal_in_time"): "上诉期间",
    ("administrative_pil", "admin_appeal_period_run"): "判决生效",
    ("administrative_pil", "admin_withdrawal"): "撤回起诉",
    ("inspection", "procedure"): "督察程序",
}

RULES: dict[tuple[str, str], GuardRule] = {
    **{("administrative", str(k)): v for k, v in administrative.RULES.items()},
    **{("criminal", str(k)): v for k, v in criminal.RULES.items()},
    **{("compensation", str(k)): v for k, v in compensation.RULES.items()},
    **{("civil_pil", str(k)): v for k, v in CIVIL_PIL_RULES.items()},
    **{("administrative_pil", str(k)): v for k, v in ADMIN_PIL_RULES.items()},
    ("inspection", "procedure"): inspection.RULE,
}
_IDS = [f"{channel}.{rule}" for channel, rule in RULES]
_LATIN = re.compile(r"[A-Za-z]")
_CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")


@pytest.fixture(scope="module")
def chinese():
    """gettext of the zh-CN catalogue (the msgid itself when it has no translation)."""
    with PO.open("rb") as f:
        catalog = read_po(f)

    def gettext(message: str) -> str:
        found = catalog.get(message)
        return found.string if found is not None and found.string else message

    return gettext


def test_every_rule_of_every_channel_is_listed_with_its_former_title() -> None:
    assert set(RULES) == set(CHINESE_TITLES)


@pytest.mark.parametrize("key", RULES, ids=_IDS)
def test_the_title_translates_to_the_rules_chinese_name(key, chinese) -> None:
    title = RULES[key].title
    assert not _CJK.search(title), title
    assert chinese(title) == CHINESE_TITLES[key]


@pytest.mark.parametrize("key", RULES, ids=_IDS)
def test_the_basis_reads_in_chinese_without_latin_letters(key, chinese) -> None:
    basis = RULES[key].basis
    assert basis, "every rule cites its source"
    for citation in basis:
        assert chinese(LAW_NAMES[citation.law]) != LAW_NAMES[citation.law], citation.law
        assert not citation.note or chinese(citation.note) != citation.note, citation.note
    text = render_basis(basis, chinese)
    assert text.startswith("《") and not _LATIN.search(text), text


@pytest.mark.parametrize("key", RULES, ids=_IDS)
def test_the_basis_reads_in_english_without_chinese_characters(key) -> None:
    text = basis_text(RULES[key].basis)
    assert text and not _CJK.search(text), text


def test_a_recalled_citation_is_marked_in_both_languages(chinese) -> None:
    basis = criminal.RULES[criminal.CriminalRule.VERDICT_RECORDED].basis
    assert basis_text(basis) == "Criminal Procedure Law (2018) art. 200 [R]; Criminal Law art. 37"
    assert render_basis(basis, chinese) == "《刑事诉讼法》（2018）第200条〔待核实〕；《刑法》第37条"
