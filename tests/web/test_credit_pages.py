"""Pages: the tier list in force, objections (异议) and credit repairs (信用修复): filing with
field errors, deciding, the scheme's periods and who may."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from casemgr.models import CreditObjection, CreditRepair, Enterprise, RequestState
from casemgr.policy import SYSTEM_ACTOR, Role
from casemgr.services import credit
from casemgr.services.demo import load_demo
from casemgr.services.demo_families import load_demo_families
from casemgr.services.localtime import local_today
from tests.factories import EnterpriseFactory


@pytest.fixture
def scored(session):
    """The demo families of 仁怀 (520382), every enterprise scored today: the convicted one
    red, the fined one blue (83.8 points), the others green or abnormal."""
    load_demo(session, enterprises=40)
    assert load_demo_families(session) == 2
    renhuai = session.scalars(
        select(Enterprise)
        .where(Enterprise.county_code == "520382", Enterprise.status == "operating")
        .order_by(Enterprise.id)
    ).all()
    credit.rescore(session, SYSTEM_ACTOR, credit.scheme_named("guizhou-2019"))
    session.commit()
    return {"convicted": renhuai[-1], "fined": renhuai[-2]}


def _penalty_record(browser, enterprise_id):
    """The penalty record offered by the filing form (the first option naming one)."""
    page = browser.get(f"/credit/requests/new?enterprise={enterprise_id}").text
    return re.search(r'<option value="(transition:\d+)"[^>]*>行政处罚', page).group(1)


def test_the_tier_list_shows_the_tier_in_force_filtered_and_within_scope(browser_as, scored):
    browser, _ = browser_as(Role.CREDIT_REGULATOR)
    red = browser.get("/credit?tier=red")
    assert red.status_code == 200
    assert scored["convicted"].name in red.text and scored["fined"].name not in red.text
    assert "红牌（环保不良）" in red.text and "环保不良企业" in red.text
    blue = browser.get("/credit?tier=blue&county=520382").text
    assert scored["fined"].name in blue and "83.8" in blue and "第 3 档" in blue
    assert f'href="/enterprises/{scored["fined"].id}"' in blue
    # The scheme's tiers and its source are cited.
    assert "黔环通〔2019〕181号" in blue and "环发〔2013〕150号" in blue

    county, _ = browser_as(Role.OFFICER, jurisdictions=("520102",))
    mine = county.get("/credit?tier=red").text
    assert scored["convicted"].name not in mine  # a 仁怀 enterprise, outside 南明
    assert county.get("/credit?county=520382").status_code == 403


def test_a_tier_filter_says_how_many_enterprises_hold_the_tier(browser_as, session, scored):
    held = credit.in_force(session, "guizhou-2019@1", local_today())
    greens = sum(1 for s in held.values() if s.tier == "green")
    assert greens > 30  # more than a page: the total is not the page's length
    browser, _ = browser_as(Role.CREDIT_REGULATOR)
    page = browser.get("/credit?tier=green").text
    assert f"共 {greens:,} 条匹配结果" in page
    assert 'rel="next"' in page
    english = browser.get("/credit?tier=red&lang=en").text
    assert "1 matching" in english and scored["convicted"].name in english
    county, _ = browser_as(Role.OFFICER, jurisdictions=("520102",))
    assert "共 0 条匹配结果" in county.get("/credit?tier=red").text  # 仁怀's are not counted
    # Without a tier there is nothing to count from: no total, pages all the same.
    assert "条匹配结果" not in browser.get("/credit").text


def test_a_bad_filter_is_422_with_the_value_kept_and_the_error_beside_it(browser_as):
    browser, _ = browser_as(Role.CREDIT_REGULATOR)
    resp = browser.get("/credit?industry=x9&tier=red")
    assert resp.status_code == 422
    assert 'id="f-industry" name="industry" aria-invalid="true"' in resp.text
    assert 'value="X9"' in resp.text
    assert re.search(r'id="industry-error">行业代码前缀 X9 无效', resp.text)


def test_filing_with_bad_input_is_422_with_the_values_kept_and_chinese_errors(
    browser_as, session, scored
):
    browser, _ = browser_as(Role.CREDIT_REGULATOR)
    fined = scored["fined"].id
    record = _penalty_record(browser, fined)
    resp = browser.post(
        "/credit/requests/new", {"enterprise": fined, "kind": "objection", "record": record}
    )
    assert resp.status_code == 422
    assert f'<option value="{record}" selected>' in resp.text
    assert 'id="reason-error">此字段为必填项。' in resp.text

    repair = browser.post(
        "/credit/requests/new",
        {"enterprise": fined, "kind": "repair", "record": record, "commitment": "承诺按期整改"},
    )
    assert repair.status_code == 422
    assert 'id="evidence-error">此字段为必填项。' in repair.text
    assert "承诺按期整改</textarea>" in repair.text
    assert session.query(CreditObjection).count() == session.query(CreditRepair).count() == 0


def test_an_objection_is_filed_and_decided_by_another_regulator(browser_as, session, scored):
    clerk, _ = browser_as(Role.CREDIT_REGULATOR)
    fined = scored["fined"].id
    record = _penalty_record(clerk, fined)
    filed = clerk.post(
        "/credit/requests/new",
        {"enterprise": fined, "kind": "objection", "record": record,
         "reason": "处罚决定已被行政复议撤销"},
    )  # fmt: skip
    assert filed.status_code == 302
    objection = session.query(CreditObjection).one()
    url = f"/credit/requests/objections/{objection.id}"
    assert filed.headers["Location"].endswith(url)
    detail = clerk.get(url).text
    assert "处罚决定已被行政复议撤销" in detail and record in detail
    assert "15 日内提出" in detail and "黔环通〔2019〕181号" in detail
    assert "行政处罚" in detail and "蓝牌（环保良好）" in detail

    own = clerk.post(f"{url}/decision", {"accept": "true", "version": "1"})
    assert own.status_code == 409 and "申请的登记人不得审核该申请。" in own.text

    reviewer, _ = browser_as(Role.CREDIT_REGULATOR)
    upheld = reviewer.post(
        f"{url}/decision", {"accept": "true", "note": "核实属实", "version": "1"}
    )
    assert upheld.status_code == 302
    session.expire_all()
    assert session.get(CreditObjection, objection.id).state is RequestState.ACCEPTED
    page = reviewer.get(url).text
    assert "核实属实" in page and "已准许" in page
    # Without the penalty only the inspection finding costs points: re-scored at once.
    assert "94.0 分" in page

    again = reviewer.post(f"{url}/decision", {"accept": "false", "version": "1"})
    assert again.status_code == 409 and "该申请已办结。" in again.text
    listed = reviewer.get("/credit/requests?kind=objection&state=accepted").text
    assert url in listed and scored["fined"].name in listed
    assert url not in reviewer.get("/credit/requests?state=pending").text


def test_a_repair_is_filed_with_its_evidence_and_rejected_with_reasons(browser_as, session, scored):
    clerk, _ = browser_as(Role.CREDIT_REGULATOR)
    fined = scored["fined"].id
    record = _penalty_record(clerk, fined)
    form = clerk.get(f"/credit/requests/new?enterprise={fined}&kind=repair").text
    assert "失信行为纠正后的信用信息修复管理办法" in form and "3 个月" in form
    filed = clerk.post(
        "/credit/requests/new",
        {"enterprise": fined, "kind": "repair", "record": record,
         "evidence": "整改验收意见\n\n罚款缴纳凭证", "commitment": "信用承诺书"},
    )  # fmt: skip
    assert filed.status_code == 302
    repair = session.query(CreditRepair).one()
    assert repair.evidence == ["整改验收意见", "罚款缴纳凭证"]
    url = f"/credit/requests/repairs/{repair.id}"
    reviewer, _ = browser_as(Role.CREDIT_REGULATOR)
    assert "<li>罚款缴纳凭证</li>" in reviewer.get(url).text
    rejected = reviewer.post(
        f"{url}/decision", {"accept": "false", "note": "整改尚未验收", "version": "1"}
    )
    assert rejected.status_code == 302
    session.expire_all()
    assert session.get(CreditRepair, repair.id).state is RequestState.REJECTED
    assert "整改尚未验收" in reviewer.get(url).text


def test_an_officer_without_manage_credit_cannot_file_or_decide(browser_as, session, scored):
    clerk, _ = browser_as(Role.CREDIT_REGULATOR)
    fined = scored["fined"].id
    record = _penalty_record(clerk, fined)
    clerk.post(
        "/credit/requests/new",
        {"enterprise": fined, "kind": "objection", "record": record, "reason": "当事人有误"},
    )
    objection = session.query(CreditObjection).one()
    url = f"/credit/requests/objections/{objection.id}"

    officer, _ = browser_as(Role.OFFICER)
    page = officer.get(url)
    assert page.status_code == 200 and "当事人有误" in page.text
    assert "/decision" not in page.text
    denied = officer.post(f"{url}/decision", {"accept": "true", "version": "1"})
    assert denied.status_code == 403
    assert officer.get(f"/credit/requests/new?enterprise={fined}").status_code == 403
    session.expire_all()
    assert session.get(CreditObjection, objection.id).state is RequestState.PENDING

    elsewhere, _ = browser_as(Role.CREDIT_REGULATOR, jurisdictions=("520102",))
    assert elsewhere.get(url).status_code == 403
    assert url not in elsewhere.get("/credit/requests").text
    assert elsewhere.get("/credit/requests/objections/99999").status_code == 404


def test_the_credit_pages_in_english(browser_as, session):
    ent = EnterpriseFactory(name="贵州清水江纸业有限公司", county_code="520102")
    session.commit()
    credit.rescore(session, SYSTEM_ACTOR, credit.scheme_named("guizhou-2019"))
    session.commit()
    browser, _ = browser_as(Role.CREDIT_REGULATOR)
    page = browser.get("/credit?tier=green&lang=en").text
    assert "Enterprise environmental credit tiers" in page and ent.name in page
    assert "Green (environmental good faith)" in page and "level 1" in page
    assert "No enterprise matches." in browser.get("/credit?tier=red&lang=en").text
    listed = browser.get("/credit/requests?lang=en").text
    assert "Objections and credit repairs" in listed and "No request matches." in listed


EVALUATION_BASIS = {
    "zh": "《企业环境信用评价办法（试行）》（环发〔2013〕150号）",
    "en": "Measures for Enterprise Environmental Credit Evaluation (Trial) (Huanfa [2013] No. 150)",
}
REPAIR_BASIS = {
    "zh": "国家发展改革委《失信行为纠正后的信用信息修复管理办法》（2023）（行政处罚信息最短公示期"
    "届满后方可申请信用修复，最长公示期届满自动停止公示）〔待核实〕",
    "en": "NDRC Measures for Repairing Credit Information after Dishonest Conduct Is Corrected "
    "(2023) (repair may be applied for once the shortest publication period of the penalty "
    "information has passed; publication stops when the longest period ends) [R]",
}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_credit_pages_cite_their_legal_basis_in_the_pages_language(browser_as, session, lang):
    ent = EnterpriseFactory(name="贵州清水江纸业有限公司", county_code="520102")
    session.commit()
    credit.rescore(session, SYSTEM_ACTOR, credit.scheme_named("guizhou-2019"))
    session.commit()
    browser, _ = browser_as(Role.CREDIT_REGULATOR)
    query = "&lang=en" if lang == "en" else ""
    tiers = browser.get(f"/credit?tier=green{query}").text
    assert EVALUATION_BASIS[lang] in tiers
    form = browser.get(f"/credit/requests/new?enterprise={ent.id}&kind=repair{query}").text
    basis = re.search(r"<p>(?:Legal basis|法律依据)[:：] ?(.*?)</p>", form)
    assert basis is not None and basis.group(1) == REPAIR_BASIS[lang]
    if lang == "en":
        other = "zh"
        assert not re.search(r"[\u4e00-\u9fff]", basis.group(1))
    else:
        other = "en"
    assert EVALUATION_BASIS[other] not in tiers and REPAIR_BASIS[other] not in form


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_schemes_own_texts_show_in_the_pages_language(browser_as, session, lang):
    ent = EnterpriseFactory(name="贵州清水江纸业有限公司", county_code="520102")
    session.commit()
    browser, _ = browser_as(Role.CREDIT_REGULATOR)
    query = "?lang=en" if lang == "en" else ""
    tiers = browser.get(f"/credit{query}").text
    form = browser.get(f"/credit/requests/new?enterprise={ent.id}&kind=objection&{query[1:]}").text
    texts = {
        "zh": ("环保诚信企业", "贵州省企业环境信用评价指标体系（2019）", "黔环通〔2019〕181号"),
        "en": (
            "Environmentally trustworthy enterprise",
            "Guizhou enterprise environmental credit evaluation indicators (2019)",
            "Qianhuantong [2019] No. 181",
        ),
    }
    other = "zh" if lang == "en" else "en"
    for page in (tiers, form):
        assert all(t in page for t in texts[lang][1:]), texts[lang]
        assert not any(t in page for t in texts[other])
    # The tiers of the scheme, in its table and in the tier filter.
    assert tiers.count(texts[lang][0]) == 2 and texts[other][0] not in tiers
