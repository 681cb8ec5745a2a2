"""Enterprise pages: the search with its filters, an enterprise's record (identity, sources,
cases, the credit tier and its explanation, the tier history), the relationship graph and its
JSON, jurisdiction refusals, and the English interface."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta

import pytest
from sqlalchemy import insert

from casemgr.models import CreditScore, GraphEdge, GraphNode, ScoreReason
from casemgr.policy import Role
from casemgr.repositories import credit_current
from casemgr.services.localtime import LOCAL, local_today
from tests.factories import EnterpriseFactory, SourceFactory

RENHUAI, NANMING, ZUNYI = "520382", "520102", "520300"
SCHEME = "guizhou-2019@1"


def _score(session, enterprise, tier, *, own=None, points=50.0, days_ago=1, sublevel=None):
    """A stored score in force (as the nightly rescoring would append it)."""
    session.execute(
        insert(CreditScore),
        [
            {
                "enterprise_id": enterprise.id,
                "scheme": SCHEME,
                "as_of": local_today() - timedelta(days=days_ago),
                "reason": ScoreReason.RESCORE,
                "status": "rated",
                "points": points,
                "score_tier": tier,
                "own_tier": own or tier,
                "tier": tier,
                "sublevel": sublevel,
                "graph_risk": 0.0,
                "contributions": [],
                "digest": f"{enterprise.id}-{tier}-{days_ago}",
            }
        ],
    )
    credit_current.refresh(session, SCHEME, [enterprise.id])  # as the services keep it


def _field(html, name):
    """The form field block (label, input, error) of ``name``."""
    match = re.search(
        rf'<div class="field[^"]*">\s*<label for="f-{name}">.*?</div>', html, flags=re.S
    )
    assert match, f"no field {name}"
    return match.group(0)


# -- search -----------------------------------------------------------------------------------


def test_the_search_lists_only_the_enterprises_of_the_officers_county(browser_as, session):
    mine = EnterpriseFactory(name="仁怀市国酱酒业有限公司", county_code=RENHUAI)
    EnterpriseFactory(name="南明区别处化工有限公司", county_code=NANMING)
    session.commit()
    browser, _user = browser_as(Role.OFFICER, jurisdictions=(RENHUAI,))
    resp = browser.get("/enterprises")
    assert resp.status_code == 200
    assert "仁怀市国酱酒业有限公司" in resp.text
    assert "南明区别处化工有限公司" not in resp.text
    assert f'href="/enterprises/{mine.id}"' in resp.text
    assert "仁怀市" in resp.text  # the county's name, not only its code
    found = browser.get("/enterprises?q=国酱").text
    assert "仁怀市国酱酒业有限公司" in found
    assert "南明区别处" not in browser.get("/enterprises?q=别处").text
    # The menu entry points here.
    assert 'href="/enterprises"' in resp.text


def test_the_picker_suggests_enterprises_of_the_officers_county_as_json(browser_as, session):
    mine = EnterpriseFactory(name="仁怀市国酱酒业有限公司", county_code=RENHUAI)
    EnterpriseFactory(name="南明区国酱化工有限公司", county_code=NANMING)
    for i in range(9):
        EnterpriseFactory(name=f"仁怀市茅台镇酱香{i}号酒业有限公司", county_code=RENHUAI)
    session.commit()
    browser, _user = browser_as(Role.OFFICER, jurisdictions=(RENHUAI,))
    resp = browser.get("/enterprises/suggest?q=国酱")
    assert resp.status_code == 200 and resp.headers["Cache-Control"] == "no-store"
    body = resp.get_json()
    assert body == {
        "items": [
            {"id": mine.id, "name": mine.name, "uscc": mine.uscc, "county": "仁怀市",
             "status": "存续（在业）"},
        ],
        "more": False,
    }  # fmt: skip
    by_code = browser.get(f"/enterprises/suggest?q={mine.uscc}").get_json()
    assert by_code["items"][0]["id"] == mine.id
    many = browser.get("/enterprises/suggest?q=酱香").get_json()
    assert len(many["items"]) == 8 and many["more"] is True
    assert [i["name"] for i in many["items"]] == sorted(i["name"] for i in many["items"])
    for q in ("", "国", "  国  "):
        bad = browser.get(f"/enterprises/suggest?q={q}")
        assert bad.status_code == 422
        assert bad.get_json()["errors"]["q"] == ["请至少输入名称或代码的 2 个字符。"]
    english = browser.get("/enterprises/suggest?q=国&lang=en").get_json()
    assert english["errors"]["q"] == ["Type at least 2 characters of the name or code."]


def test_the_violation_form_offers_the_picker_beside_the_plain_uscc_field(browser_as):
    browser, _user = browser_as(Role.OFFICER, jurisdictions=(RENHUAI,))
    page = browser.get("/violations/new").text
    assert 'id="enterprise-picker" data-target="v-enterprises"' in page
    assert 'data-suggest-url="/enterprises/suggest"' in page
    assert " hidden>" in page  # shown by the script only: without it the field is typed
    assert "js/enterprise_picker.js" in page


def test_the_search_filters_by_industry_status_and_tier_in_force(browser_as, session):
    red = EnterpriseFactory(
        name="仁怀市红牌酒业有限公司", county_code=RENHUAI, industry_code="C1512"
    )
    green = EnterpriseFactory(
        name="仁怀市绿牌酒业有限公司", county_code=RENHUAI, industry_code="C1512"
    )
    EnterpriseFactory(name="仁怀市无机酸厂", county_code=RENHUAI, industry_code="C2611")
    _score(session, red, "red", points=40.0)
    _score(session, green, "green", points=99.0, sublevel=1)
    _score(session, red, "blue", points=85.0, days_ago=-5)  # not yet in force
    session.commit()
    browser, _user = browser_as(Role.OFFICER, jurisdictions=(RENHUAI,))

    wine = browser.get("/enterprises?industry=C15").text
    assert "红牌酒业" in wine and "绿牌酒业" in wine and "无机酸厂" not in wine

    only_red = browser.get("/enterprises?tier=red")
    assert only_red.status_code == 200
    assert "红牌酒业" in only_red.text and "绿牌酒业" not in only_red.text
    assert 'class="badge tier tier-red"' in only_red.text
    assert "红牌" in only_red.text

    greens = browser.get("/enterprises?tier=green&industry=C15").text
    assert "绿牌酒业" in greens and "红牌酒业" not in greens
    assert "第 1 档" in greens  # the sub-level of the green tier

    assert "无机酸厂" not in browser.get("/enterprises?status=revoked").text


def test_a_tier_search_counts_its_matches_and_pages_through_them(browser_as, session, monkeypatch):
    from casemgr.web import enterprises as pages

    first, second, third = (
        EnterpriseFactory(name=f"仁怀市{n}号酒业有限公司", county_code=RENHUAI) for n in (1, 2, 3)
    )
    for ent in (first, second, third):
        _score(session, ent, "red" if ent is not second else "green")
    elsewhere = EnterpriseFactory(name="南明区4号酒业有限公司", county_code=NANMING)
    _score(session, elsewhere, "red")
    session.commit()
    browser, _user = browser_as(Role.OFFICER, jurisdictions=(RENHUAI,))
    monkeypatch.setattr(pages, "PER_PAGE", 1)
    one = browser.get("/enterprises?tier=red").text
    assert "1号酒业" in one and "3号酒业" not in one
    assert "共 2 条匹配结果" in one  # from the tier counts, within the officer's county
    assert 'href="?tier=red&amp;page=2"' in one
    two = browser.get("/enterprises?tier=red&page=2").text
    assert "3号酒业" in two and "page=3" not in two and "4号酒业" not in two
    # With another filter the matches are counted (up to the cap).
    named = browser.get("/enterprises?tier=red&q=3号").text
    assert "3号酒业" in named and "共 1 条匹配结果" in named


def test_a_score_dated_later_than_today_leaves_the_tier_search_to_the_history(browser_as, session):
    red = EnterpriseFactory(name="仁怀市红牌酒业有限公司", county_code=RENHUAI)
    _score(session, red, "red")
    _score(session, red, "green", days_ago=-3)  # its current row, not in force before then
    session.commit()
    browser, _user = browser_as(Role.OFFICER, jurisdictions=(RENHUAI,))
    page = browser.get("/enterprises?tier=red").text
    assert "红牌酒业" in page and "共 1 条匹配结果" in page  # all on the first page
    assert "红牌酒业" not in browser.get("/enterprises?tier=green").text


def test_a_bad_industry_code_is_422_with_the_chinese_error_beside_the_field(browser_as):
    browser, _user = browser_as(Role.OFFICER, jurisdictions=(RENHUAI,))
    resp = browser.get("/enterprises?industry=化工&q=酒业")
    assert resp.status_code == 422
    industry = _field(resp.text, "industry")
    assert 'value="化工"' in industry and 'aria-invalid="true"' in industry
    assert "GB/T 4754-2017" in industry and "代码" in industry
    assert 'value="酒业"' in resp.text  # the other fields keep what was typed
    unknown = browser.get("/enterprises?tier=purple")
    assert unknown.status_code == 422
    assert "请从列表中选择信用等级" in _field(unknown.text, "tier")


def test_a_territory_outside_the_province_tables_is_refused_beside_the_county_field(browser_as):
    browser, _user = browser_as(Role.OFFICER)
    resp = browser.get("/enterprises?county=999999")
    assert resp.status_code == 422
    assert "999999" in _field(resp.text, "county")


# -- the record -------------------------------------------------------------------------------


@pytest.fixture
def record(client, auth, session):
    """A 仁怀 enterprise with a discharge outlet, a violation found by inspection and a filed
    administrative case on it (which makes it an inspection finding of its credit score)."""
    ent = EnterpriseFactory(
        name="仁怀市酱香酒业有限公司",
        county_code=RENHUAI,
        legal_representative="李酿",
        address="贵州省仁怀市茅台镇酒厂路8号",
    )
    SourceFactory(enterprise=ent, name="1号废水总排口", permit_number="91520382TEST001P")
    session.commit()
    officer = auth.login(Role.OFFICER, jurisdictions=(RENHUAI,))
    head = auth.login(Role.BUREAU_HEAD, jurisdictions=(ZUNYI,))
    found = datetime.combine(local_today() - timedelta(days=12), time(9), tzinfo=LOCAL)
    v = client.post(
        "/api/v1/violations",
        headers=officer.headers,
        json={
            "found_at": found.isoformat(),
            "county_code": RENHUAI,
            "enterprise_ids": [ent.id],
            "summary": "超标排放酿酒废水",
            "origin": "inspection",
        },
    )
    assert v.status_code == 201, v.get_json()
    case = client.post(
        "/api/v1/cases",
        headers=officer.headers,
        json={"violation_id": v.get_json()["id"], "lead_received_on": found.date().isoformat()},
    )
    assert case.status_code == 201, case.get_json()
    filed = client.post(
        f"/api/v1/cases/{case.get_json()['id']}/transitions",
        json={"event": "file", "on": (found.date() + timedelta(days=2)).isoformat()},
        headers={**head.headers, "If-Match": '"v1"'},
    )
    assert filed.status_code == 200, filed.get_json()
    return {"enterprise": ent, "violation": v.get_json()["id"], "case": case.get_json()["id"]}


def test_the_record_shows_identity_sources_cases_and_the_explained_tier(browser_as, record):
    ent = record["enterprise"]
    browser, _user = browser_as(Role.OFFICER, jurisdictions=(RENHUAI,))
    resp = browser.get(f"/enterprises/{ent.id}")
    assert resp.status_code == 200, resp.text
    page = resp.text
    # identity
    assert ent.uscc in page and "李酿" in page and "茅台镇酒厂路8号" in page and "仁怀市" in page
    # sources and permits
    assert "1号废水总排口" in page and "91520382TEST001P" in page and "重点管理" in page
    # the case history, linking the violation and the case
    assert "超标排放酿酒废水" in page
    assert f'href="/violations/{record["violation"]}"' in page
    assert f'href="/cases/{record["case"]}"' in page
    assert "<td>行政处罚</td>" in page and re.search(r"<td>已?立案</td>", page)
    # the tier and its explanation: the finding costs 6 of the indicator's 15 points
    assert "环保良好企业" in page and "tier-blue" in page
    assert "94.00" in page
    finding = re.search(r"<tr class=\"counts kind-indicator\">.*?检查发现问题.*?</tr>", page, re.S)
    assert finding, "the inspection-findings line counts"
    assert "9 / 15" in finding.group(0)
    assert (
        f'href="/violations/{record["violation"]}">violation:{record["violation"]}'
        in finding.group(0)
    )
    assert "黔环通〔2019〕181号" in page  # the scheme's legal source
    assert "环发〔2013〕150号" in page  # a rule's basis
    # the tier history: the case event rescored the enterprise
    history = page.split('id="tier-history"')[1]
    assert "案件事件触发" in history and "tier-blue" in history


def test_the_score_of_a_past_day_is_recomputed_and_a_bad_date_is_422(browser_as, record):
    ent = record["enterprise"]
    browser, _user = browser_as(Role.OFFICER, jurisdictions=(RENHUAI,))
    before = (local_today() - timedelta(days=30)).isoformat()
    past = browser.get(f"/enterprises/{ent.id}?as_of={before}").text
    assert "100.00" in past and "环保诚信企业" in past  # nothing recorded yet then
    bad = browser.get(f"/enterprises/{ent.id}?as_of=2026-02-30")
    assert bad.status_code == 422
    as_of = _field(bad.text, "as_of")
    assert 'value="2026-02-30"' in as_of and "不是有效的日期" in as_of
    assert "1号废水总排口" in bad.text  # the rest of the record is still shown


def test_a_record_outside_the_jurisdiction_is_403_and_an_unknown_one_404(browser_as, session):
    other = EnterpriseFactory(county_code=NANMING)
    session.commit()
    browser, _user = browser_as(Role.OFFICER, jurisdictions=(RENHUAI,))
    for url in (
        f"/enterprises/{other.id}",
        f"/enterprises/{other.id}/graph",
        f"/enterprises/{other.id}/graph.json",
    ):
        resp = browser.get(url)
        assert resp.status_code == 403, url
        assert other.name not in resp.text
    assert browser.get("/enterprises/99999999").status_code == 404
    assert browser.get("/enterprises/99999999/graph.json").status_code == 404


def test_the_pages_need_a_login(client, session):
    ent = EnterpriseFactory(county_code=RENHUAI)
    session.commit()
    for url in (
        "/enterprises",
        f"/enterprises/{ent.id}",
        f"/enterprises/{ent.id}/graph.json",
        "/enterprises/suggest?q=酒业",
    ):
        resp = client.get(url)
        assert resp.status_code == 302 and "/login" in resp.headers["Location"], url


def test_a_prosecutor_sees_only_the_cases_before_their_procuratorate(browser_as, record):
    browser, _user = browser_as(Role.PROSECUTOR, jurisdictions=(RENHUAI,), organ_code="P520382")
    page = browser.get(f"/enterprises/{record['enterprise'].id}").text
    assert "1号废水总排口" in page and "超标排放酿酒废水" in page
    # The violation lies in the county, but no case of its family is before the procuratorate.
    assert f'href="/cases/{record["case"]}"' not in page


# -- the relationship graph -------------------------------------------------------------------


@pytest.fixture
def web(session):
    """A (仁怀) and B (仁怀, red) share the legal representative 张三; A and C (南明) share a
    phone; B owns 60 % of D (仁怀, green)."""
    a = EnterpriseFactory(name="仁怀市新开酒业有限公司", county_code=RENHUAI)
    b = EnterpriseFactory(name="仁怀市老牌污染有限公司", county_code=RENHUAI)
    c = EnterpriseFactory(name="南明区电话同号有限公司", county_code=NANMING)
    d = EnterpriseFactory(name="仁怀市控股子公司", county_code=RENHUAI)
    session.flush()
    zhang = GraphNode(kind="person", key="张三|test", label="张三", degree=2)
    phone = GraphNode(kind="phone", key="13800000001", label="13800000001", degree=2)
    session.add_all([zhang, phone])
    session.flush()
    rows = [
        ("legal_rep", "person", zhang.id, "enterprise", a.id, None),
        ("legal_rep", "person", zhang.id, "enterprise", b.id, None),
        ("has_phone", "enterprise", a.id, "phone", phone.id, None),
        ("has_phone", "enterprise", c.id, "phone", phone.id, None),
        ("shareholder", "enterprise", b.id, "enterprise", d.id, 0.6),
    ]
    keys = ("kind", "src_kind", "src_id", "dst_kind", "dst_id", "share")
    session.execute(
        insert(GraphEdge),
        [dict(zip(keys, row, strict=True)) | {"source": "registry:test"} for row in rows],
    )
    _score(session, b, "red", points=30.0)
    _score(session, d, "green", points=100.0)
    session.commit()
    return {"a": a, "b": b, "c": c, "d": d, "zhang": zhang.id, "phone": phone.id}


def test_the_graph_json_has_the_relations_and_the_path_to_the_red_party(browser_as, web):
    a, b, c = web["a"], web["b"], web["c"]
    browser, _user = browser_as(Role.OFFICER, jurisdictions=(RENHUAI,))
    resp = browser.get(f"/enterprises/{a.id}/graph.json")
    assert resp.status_code == 200
    body = resp.get_json()
    nodes = {n["data"]["id"]: n for n in body["nodes"]}
    start, red = nodes[f"enterprise:{a.id}"], nodes[f"enterprise:{b.id}"]
    assert start["data"]["start"] is True and "start" in start["classes"]
    assert red["data"]["label"] == b.name and red["data"]["tier"] == "red"
    assert red["data"]["risky"] is True and "risk-path" in red["classes"]
    assert red["data"]["url"] == f"/enterprises/{b.id}"
    assert nodes[f"person:{web['zhang']}"]["data"]["label"] == "张三"
    # C lies outside the officer's county: drawn, but anonymous
    hidden = nodes[f"enterprise:{c.id}"]["data"]
    assert hidden["visible"] is False and c.name not in hidden["label"] and hidden["url"] == ""
    assert "南明区" in hidden["label"]
    edges = {(e["data"]["source"], e["data"]["target"]): e for e in body["edges"]}
    rep = edges[(f"person:{web['zhang']}", f"enterprise:{b.id}")]
    assert rep["data"]["kind"] == "legal_rep" and rep["data"]["label"] == "法定代表人"
    assert "risk-path" in rep["classes"]
    share = edges[(f"enterprise:{b.id}", f"enterprise:{web['d'].id}")]
    assert share["data"]["label"] == "股东 60%" and "risk-path" not in share["classes"]
    phone = edges[(f"enterprise:{a.id}", f"phone:{web['phone']}")]
    assert "risk-path" not in phone["classes"]
    (risky,) = body["risky"]
    assert risky["node"] == f"enterprise:{b.id}" and risky["distance"] == 1
    assert risky["paths"][0]["nodes"] == [
        f"enterprise:{a.id}",
        f"person:{web['zhang']}",
        f"enterprise:{b.id}",
    ]
    assert body["related_total"] == 3


def test_the_graph_page_lists_the_risky_paths_beside_the_picture(browser_as, web):
    a, b = web["a"], web["b"]
    browser, _user = browser_as(Role.OFFICER, jurisdictions=(RENHUAI,))
    resp = browser.get(f"/enterprises/{a.id}/graph")
    assert resp.status_code == 200
    page = resp.text
    risky = page.split('id="risky"')[1].split("</section>")[0]
    assert b.name in risky and "张三" in risky and "法定代表人" in risky and "tier-red" in risky
    assert web["d"].name not in risky  # green: related, not risky
    assert '<script type="application/json" id="graph-data">' in page
    assert "vendor/cytoscape/cytoscape.min.js" in page and "js/graph.js" in page
    assert "<style" not in page and "style=" not in page and "onclick" not in page
    relations = page.split('id="relations"')[1]
    assert web["d"].name in relations and "股东 60%" in relations
    assert resp.headers["Content-Security-Policy"].startswith("default-src 'self'")
    assert browser.get("/static/js/graph.js").status_code == 200


def test_graph_risk_shows_in_the_credit_explanation_with_its_path(browser_as, web):
    a, b = web["a"], web["b"]
    browser, _user = browser_as(Role.OFFICER, jurisdictions=(RENHUAI,))
    page = browser.get(f"/enterprises/{a.id}").text
    risk = re.search(r'<tr class="counts kind-graph_risk">.*?</tr>', page, re.S)
    assert risk, "a graph-risk line"
    # B's seed risk 10 through two legal-representative edges (0.8 each): 6.4 points
    assert "-6.4 / 10" in risk.group(0) and "关联风险" in risk.group(0)
    paths = page.split('class="risk-paths"')[1].split("</ol>")[0]
    assert f'href="/enterprises/{b.id}">{b.name}</a>' in paths and "法定代表人" in paths
    assert "本企业" in paths


def test_the_pages_speak_english_on_request(browser_as, web):
    a = web["a"]
    browser, _user = browser_as(Role.OFFICER, jurisdictions=(RENHUAI,))
    search = browser.get("/enterprises?lang=en&tier=red").text
    assert "Credit tier in force" in search and "Red" in search and "信用等级" not in search
    record = browser.get(f"/enterprises/{a.id}?lang=en").text
    assert "Pollution sources and discharge permits" in record and "Graph risk" in record
    assert "Tier history" in record
    data = browser.get(f"/enterprises/{a.id}/graph.json?lang=en").get_json()
    labels = {e["data"]["kind"]: e["data"]["label"] for e in data["edges"]}
    assert labels["legal_rep"] == "Legal representative"
    assert labels["shareholder"] == "Shareholder 60%"
    graph = browser.get(f"/enterprises/{a.id}/graph?lang=en").text
    assert "Paths to risky parties" in graph and "outside jurisdiction" in graph


def _credit_section(html):
    section = re.search(r'<section class="card" aria-labelledby="credit">.*?</section>', html, re.S)
    assert section, "a credit section"
    return section.group(0)


def test_the_credit_section_shows_the_schemes_texts_in_the_pages_language(browser_as, record):
    ent = record["enterprise"]
    browser, _user = browser_as(Role.OFFICER, jurisdictions=(RENHUAI,))
    english = _credit_section(browser.get(f"/enterprises/{ent.id}?lang=en").text)
    finding = re.search(r'<tr class="counts kind-indicator">.*?</tr>', english, re.S)
    assert finding and "Problems found in inspections" in finding.group(0)
    assert "Enterprise primary responsibility" in finding.group(0)
    assert "1–2 problems" in finding.group(0) and "Assumption [R]" in finding.group(0)
    assert "Environmentally good enterprise" in english
    assert "Guizhou enterprise environmental credit evaluation indicators (2019)" in english
    assert "Qianhuantong [2019] No. 181" in english  # the scheme's source
    assert "Qianhuantong [2018] No. 116" in english and "Huanfa [2013] No. 150" in english
    assert "Graph risk may cost up to 10 points" in english  # the assumptions
    leftover = re.findall(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]+", english)
    assert not leftover, f"Chinese on the English page: {leftover}"

    chinese = _credit_section(browser.get(f"/enterprises/{ent.id}").text)
    finding = re.search(r'<tr class="counts kind-indicator">.*?</tr>', chinese, re.S)
    assert finding and "检查发现问题" in finding.group(0) and "1–2项" in finding.group(0)
    assert "假设〔待核实〕" in finding.group(0) and "企业主体责任" in finding.group(0)
    assert "贵州省企业环境信用评价指标体系（2019）" in chinese and "环保良好企业" in chinese
    assert "黔环通〔2018〕116号" in chinese and "关联风险最多扣 10 分" in chinese
    shown = re.sub(r"<[^>]+>", " ", chinese)
    for english_text in ("Qianhuantong", "Huanfa", "[R]", "ssumption", "Graph risk"):
        assert english_text not in shown
