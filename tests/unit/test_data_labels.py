"""Labels carried by the lifecycle and threshold data, in both languages (no app, no database).

The attachments of a criminal transfer, the grounds of the compensation channel and the
criminal-threshold predicates carry English msgids whose zh-CN translations are exactly the
Chinese wording the data held before (frozen below): officers know them by these words. The
predicates' bases render in Chinese without a Latin letter and in English without a Chinese
character, and what an alert row stores of them fits its columns.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from casemgr.criminal_thresholds import THRESHOLD_SETS, predicate_ref
from casemgr.legalbasis import LAW_NAMES, Law, basis_text, render_basis
from casemgr.lifecycles import compensation as comp
from casemgr.lifecycles.criminal import ATTACHMENT_KINDS
from casemgr.models import Alert

PO = Path(__file__).resolve().parents[2] / "casemgr/translations/zh_Hans_CN/LC_MESSAGES/messages.po"
OLD, NEW = THRESHOLD_SETS
_LATIN = re.compile("[A-Za-z]")
_CJK = re.compile("[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")

ATTACHMENTS = {
    "transfer_letter": "涉嫌犯罪案件移送书",
    "investigation_report": "涉嫌犯罪案件情况的调查报告",
    "seized_items_list": "涉案物品清单",
    "inspection_or_appraisal_report": "有关检验报告或者鉴定结论",
    "penalty_decision": "行政处罚决定书",
    "site_record": "现场检查（勘察）笔录、调查询问笔录等",
    "photos_video": "现场照片或者录音录像资料",
    "monitoring_report": "监测、检验报告",
    "identification_opinion": "认定意见",
    "other": "其他有关涉嫌犯罪的材料",
}
GROUNDS = {
    "NOT_STARTED_REASONS": {
        "insignificant": "生态环境损害显著轻微，且不需要赔偿",
        "already_compensated": "赔偿义务人已履行赔偿义务或已被其他程序处理",
        "court_judgment_exists": "人民法院已就同一生态环境损害作出生效裁判",
        "no_liable_party": "无法确定赔偿义务人",
        "obligor_extinct": "赔偿义务人终止或死亡且无财产可供执行",
        "permitted_discharge": "赔偿义务人依法持证排污且符合国家规定",
        "other": "其他可以不启动索赔的情形（须书面说明）",
    },
    "CONSULTATION_FAILURE_GROUNDS": {
        "refused": "赔偿义务人明确拒绝磋商或逾期未答复",
        "no_agreement": "经磋商未能达成一致",
        "limit_passed": "磋商期限届满仍未达成赔偿协议",
        "agreement_not_performed": "赔偿协议未经司法确认，赔偿义务人不履行",
        "other": "其他磋商不成的情形（须书面说明）",
    },
    "EVALUATION_EXEMPTIONS": {
        "payment_only": "赔偿义务人仅支付赔偿金，不涉及生态环境修复",
        "natural_recovery": "受损生态环境已自然恢复或经应急处置已恢复",
        "simple_restoration": "修复工程量小、内容简单，经现场核查已完成修复",
    },
    "ASSESSMENT_METHODS": {
        "full": "鉴定评估（委托鉴定评估机构）",
        "simplified": "简易评估（专家评估）",
    },
    "INCIDENT_LEVELS": {
        "general": "一般突发环境事件",
        "larger": "较大突发环境事件",
        "major": "重大突发环境事件",
        "especially_major": "特别重大突发环境事件",
    },
}
_HW_3 = "非法排放、倾倒、处置危险废物三吨以上"
_METAL_A = "含铅、汞、镉、铬、砷、铊、锑的污染物超标三倍以上"
_METAL_B = "含镍、铜、锌、银、钒、锰、钴的污染物超标十倍以上"
_LOSS = "违法所得或者致使公私财产损失三十万元以上"
PREDICATE_TITLES = {
    "法释〔2016〕29号": {
        "protected_zone_toxic": (
            "在饮用水水源一级保护区、自然保护区核心区排放、倾倒、处置有毒物质等"
        ),
        "hazardous_waste": _HW_3,
        "metal_group_a": _METAL_A,
        "metal_group_b": _METAL_B,
        "evasive_discharge": (
            "通过暗管、渗井、渗坑、裂隙、溶洞、灌注等逃避监管的方式排放、倾倒、处置有毒物质等"
        ),
        "repeat_toxic_discharge": "二年内因排放有毒物质等受过两次以上行政处罚，又实施前列行为",
        "key_unit_falsified_monitoring": (
            "重点排污单位篡改、伪造自动监测数据或者干扰自动监测设施排放污染物"
        ),
        "loss_or_gain": _LOSS,
        "water_intake_cut": "致使乡镇以上集中式饮用水水源取水中断十二小时以上",
        "hazardous_waste_major": "后果特别严重：非法排放、倾倒、处置危险废物一百吨以上",
        "loss_or_gain_major": "后果特别严重：致使公私财产损失一百万元以上",
    },
    "法释〔2023〕7号": {
        "protected_zone_toxic": (
            "在饮用水水源保护区、自然保护地核心保护区等重点保护区域排放、倾倒、处置有毒物质等"
        ),
        "hazardous_waste": _HW_3,
        "metal_group_a": _METAL_A,
        "metal_group_b": _METAL_B,
        "evasive_discharge": (
            "通过暗管、渗井、渗坑、裂隙、溶洞、灌注、非紧急情况下开启大气应急排放通道等逃避监管"
            "的方式排放、倾倒、处置有毒物质等"
        ),
        "repeat_alert_exceedance": (
            "二年内因重污染天气预警期间超标排放受过二次以上行政处罚，又实施此类行为"
        ),
        "key_unit_falsified_monitoring": (
            "重点排污单位、实行排污许可重点管理的单位篡改、伪造自动监测数据或者干扰自动监测设施"
            "排放污染物"
        ),
        "repeat_toxic_discharge": "二年内因排放有毒物质等受过二次以上行政处罚，又实施此类行为",
        "loss_or_gain": _LOSS,
        "water_intake_cut": "致使乡镇集中式饮用水水源取水中断十二小时以上",
        "hazardous_waste_major": "情节严重：非法排放、倾倒、处置危险废物一百吨以上",
        "loss_or_gain_major": "情节严重：违法所得或者致使公私财产损失一百万元以上",
    },
}


@pytest.fixture(scope="module")
def zh() -> Callable[[str], str]:
    """gettext of the zh-CN catalogue (the message itself when it is not translated)."""
    with PO.open("rb") as f:
        catalogue = read_po(f)
    strings = {m.id: m.string for m in catalogue if m.id and m.string}
    return lambda message: strings.get(message, message)


def test_each_attachment_reads_as_the_provisions_word_it(zh: Callable[[str], str]) -> None:
    assert {info.kind.value for info in ATTACHMENT_KINDS} == set(ATTACHMENTS)
    for info in ATTACHMENT_KINDS:
        assert _CJK.search(info.label) is None, info.label
        assert zh(info.label) == ATTACHMENTS[info.kind.value]


@pytest.mark.parametrize("name", sorted(GROUNDS))
def test_each_compensation_ground_reads_as_before(name: str, zh: Callable[[str], str]) -> None:
    grounds = getattr(comp, name)
    assert [g.code for g in grounds] == list(GROUNDS[name])
    for ground in grounds:
        assert _CJK.search(ground.label) is None, ground.label
        assert zh(ground.label) == GROUNDS[name][ground.code]


@pytest.mark.parametrize("ts", THRESHOLD_SETS, ids=lambda ts: ts.name)
def test_each_predicate_title_reads_as_the_interpretation(ts, zh: Callable[[str], str]) -> None:
    titles = PREDICATE_TITLES[ts.name]
    assert set(ts.predicates) == set(titles)
    for code, ref in ts.predicates.items():
        assert _CJK.search(ref.title) is None, ref.title
        assert zh(ref.title) == titles[code]


@pytest.mark.parametrize("ts", THRESHOLD_SETS, ids=lambda ts: ts.name)
def test_each_predicate_basis_reads_in_one_language_and_fits_an_alert_row(
    ts, zh: Callable[[str], str]
) -> None:
    title_length = Alert.__table__.c.title.type.length
    article_length = Alert.__table__.c.article.type.length
    for code, ref in ts.predicates.items():
        chinese, english = render_basis(ref.basis, zh), basis_text(ref.basis)
        assert _LATIN.search(chinese) is None, chinese
        assert _CJK.search(english) is None, english
        assert chinese.startswith(zh(LAW_NAMES[ts.law]) + "第")
        assert ts.name in chinese and "《刑法》第338" in chinese
        assert ref.article == english
        assert len(ref.title) <= title_length and len(ref.article) <= article_length, code


def test_a_predicate_basis_in_chinese_names_the_item(zh: Callable[[str], str]) -> None:
    ref = THRESHOLD_SETS[-1].predicates["key_unit_falsified_monitoring"]
    assert render_basis(ref.basis, zh) == (
        "《最高人民法院、最高人民检察院关于办理环境污染刑事案件适用法律若干问题的解释》"
        "（法释〔2023〕7号）第1条（第7项）；《最高人民法院、最高人民检察院关于办理环境污染刑事"
        "案件适用法律若干问题的解释》（法释〔2023〕7号）第11条第2款；《刑法》第338、286条"
    )


@pytest.mark.parametrize(
    ("predicate", "article", "found"),
    [
        # Rows written before the bases were citations: the set's name, then articles.
        ("water_intake_cut", "法释〔2016〕29号 art. 1(11); 刑法 art. 338", "法释〔2016〕29号"),
        ("water_intake_cut", "法释〔2023〕7号 art. 1(10); 刑法 art. 338", "法释〔2023〕7号"),
        # Rows written now: the basis in canonical English.
        ("water_intake_cut", OLD.predicates["water_intake_cut"].article, "法释〔2016〕29号"),
        ("hazardous_waste", NEW.predicates["hazardous_waste"].article, "法释〔2023〕7号"),
        # Unknown: a predicate 2016 did not have, an article no set cites, an unknown code.
        ("repeat_alert_exceedance", "法释〔2016〕29号 art. 1(6); 刑法 art. 338", None),
        ("hazardous_waste", "某地方规定 art. 3", None),
        ("retired_predicate", "法释〔2023〕7号 art. 1(12); 刑法 art. 338", None),
    ],
)  # fmt: skip
def test_an_alert_row_finds_its_predicate_in_the_set_it_cites(
    predicate: str, article: str, found: str | None
) -> None:
    ref = predicate_ref(predicate, article)
    if found is None:
        assert ref is None
    else:
        ts = next(t for t in THRESHOLD_SETS if t.name == found)
        assert ref is ts.predicates[predicate]


@pytest.mark.parametrize(
    ("law", "chinese"),
    [
        (Law.ENV_CRIME_INTERPRETATION_2016, "（法释〔2016〕29号）"),
        (Law.ENV_CRIME_INTERPRETATION_2023, "（法释〔2023〕7号）"),
        (Law.RANDOM_INSPECTION_NOTICE, "《国务院办公厅关于推广随机抽查规范事中事后监管的通知》"),
        (
            Law.POLLUTION_SOURCE_RANDOM_INSPECTION_PLAN,
            "《环境保护部办公厅关于在污染源日常环境监管领域推广随机抽查制度的实施方案》",
        ),
    ],
)
def test_the_new_laws_are_named_in_both_languages(
    law: Law, chinese: str, zh: Callable[[str], str]
) -> None:
    assert chinese in zh(LAW_NAMES[law])
    assert _CJK.search(LAW_NAMES[law]) is None
