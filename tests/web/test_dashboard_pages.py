"""The dashboards page: tables beside the charts, the chart data as JSON, filters, languages."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest

from casemgr.models.cases import Channel
from casemgr.models.penalties import PaymentKind
from casemgr.policy import Role
from casemgr.services import dashboard_stats
from casemgr.services.localtime import local_today
from tests.factories import EnterpriseFactory
from tests.integration.test_dashboard_stats import (
    NANMING,
    RENHUAI,
    SCHEME,
    make_case,
    make_deadline,
    pay,
    score,
)

URL = "/dashboards"
PERIOD = "date_from=2025-01-01&date_to=2025-12-31"
LEAD = date(2025, 2, 1)  # every case's lead lies in the period


@pytest.fixture(autouse=True)
def _fresh_past_tier_counts():
    """Past days' tier counts are kept per process; ids restart between tests."""
    dashboard_stats.clear_tier_cache()


def charts_of(html: str) -> dict:
    match = re.search(
        r'<script type="application/json" id="dashboard-data">(.*?)</script>', html, re.S
    )
    assert match, "no chart data block"
    return json.loads(match.group(1))


def table_row(html: str, header: str) -> list[str]:
    """The cells of the first table row whose header cell starts with ``header``."""
    for row in re.findall(r"<tr>(.*?)</tr>", html, re.S):
        th = re.search(r'<th scope="row">(.*?)</th>', row, re.S)
        if th and re.sub(r"<[^>]+>", "", th.group(1)).strip().startswith(header):
            return [c.strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
    raise AssertionError(f"no row {header!r}")


@pytest.fixture
def data(session):
    """Renhuai (遵义市) and Nanming (贵阳市): tiers, cases, an overdue deadline, fines of 2025."""
    e1, e2 = EnterpriseFactory(county_code=RENHUAI), EnterpriseFactory(county_code=RENHUAI)
    e3 = EnterpriseFactory(county_code=NANMING)
    score(session, e1, "green", date(2025, 1, 1))
    score(session, e2, "red", date(2025, 1, 1))
    score(session, e3, "yellow", date(2025, 1, 1))
    decided = make_case(
        session, RENHUAI, status="enforcing", lead=LEAD, decided_on=date(2025, 3, 10)
    )
    decided.final_fine_cents = 5_000_000
    pay(session, decided, 2_000_000, date(2025, 4, 2))
    make_case(
        session, RENHUAI, channel=Channel.CRIMINAL, track="criminal", status="reported", lead=LEAD
    )
    late = make_case(session, RENHUAI, status="filed", lead=LEAD)
    make_deadline(session, late, "admin.decision", date(2025, 6, 30))
    other = make_case(session, NANMING, status="decided", lead=LEAD, decided_on=date(2025, 5, 6))
    other.final_fine_cents = 123_400
    pay(session, other, 23_400, date(2025, 5, 20), kind=PaymentKind.FINE)
    make_deadline(session, other, "admin.decision_service", date(2025, 5, 20))
    session.commit()


def test_the_page_shows_each_chart_with_its_table(browser_as, data):
    browser, _ = browser_as(Role.BUREAU_HEAD)
    resp = browser.get(f"{URL}?{PERIOD}")
    assert resp.status_code == 200
    html = resp.text
    for heading in ("各市州企业环境信用等级分布", "各渠道、各阶段案件数", "各执法部门逾期期限"):
        assert heading in html
    # Credit tiers: one green and one red in 遵义市, one yellow in 贵阳市 (scheme order).
    assert table_row(html, "遵义市") == ["1", "0", "0", "1", "2"]
    assert table_row(html, "贵阳市") == ["0", "0", "1", "0", "1"]
    # Cases by stage, with the lifecycle's Chinese stage names.
    assert table_row(html, "行政处罚") == ["3"]
    assert table_row(html, "执行") == ["1"]
    assert table_row(html, "移送报告") == ["1"]
    # Overdue deadlines by bureau and by rule, with the rule's legal basis.
    assert table_row(html, "仁怀市") == ["1", "0", "0", "0", "1"]
    assert "作出处罚决定期限" in html and "《行政处罚法》（2021）第60条" in html
    # Fines of 2025 in yuan, by month and by prefecture.
    assert table_row(html, "2025-03") == ["50,000.00", "0.00", "0.0%"]
    assert table_row(html, "2025-04") == ["0.00", "20,000.00", "—"]
    assert table_row(html, "合计") == ["51,234.00", "20,234.00", "39.5%"]
    assert "《行政处罚法》（2021）第67条" in html


def test_after_the_rollups_are_built_the_page_is_the_same_and_says_as_of_when(
    browser_as, session, data
):
    from casemgr.services import dashboard_rollups

    browser, _ = browser_as(Role.BUREAU_HEAD)
    live = browser.get(f"{URL}?{PERIOD}").text
    assert "统计（每隔数分钟更新）" not in live
    dashboard_rollups.refresh(session)
    rolled = browser.get(f"{URL}?{PERIOD}").text
    assert "整月的案件、逾期期限和罚款数据为截至" in rolled
    assert charts_of(rolled) == charts_of(live)
    for header in ("行政处罚", "仁怀市", "2025-03", "合计"):
        assert table_row(rolled, header) == table_row(live, header)
    # A case of a whole month recorded after the rebuild shows at the next one.
    make_case(session, RENHUAI, status="filed", lead=date(2025, 7, 1))
    session.commit()
    assert table_row(browser.get(f"{URL}?{PERIOD}").text, "行政处罚") == ["3"]
    dashboard_rollups.refresh(session)
    assert table_row(browser.get(f"{URL}?{PERIOD}").text, "行政处罚") == ["4"]


def test_the_chart_data_block_carries_the_same_numbers(browser_as, data):
    browser, _ = browser_as(Role.OFFICER)
    charts = charts_of(browser.get(f"{URL}?{PERIOD}").text)
    tiers = charts["tiers"]
    assert tiers["labels"] == ["贵阳市", "遵义市"]
    assert {d["key"]: d["data"] for d in tiers["datasets"]} == {
        "green": [0, 1],
        "blue": [0, 0],
        "yellow": [1, 0],
        "red": [0, 1],
    }
    assert charts["channels"]["datasets"][0]["data"] == [3, 1]
    assert charts["money"]["labels"][0] == "2025-01" and len(charts["money"]["labels"]) == 12
    money = {d["key"]: d["data"] for d in charts["money"]["datasets"]}
    assert money["assessed"][2] == 50000.0 and money["collected"][3] == 20000.0
    assert "stages-administrative" in charts and "stages-criminal" in charts


def test_the_page_needs_no_inline_script_or_style(browser_as, data):
    browser, _ = browser_as(Role.OFFICER)
    resp = browser.get(URL)
    html = resp.text
    assert "script-src 'self'" in resp.headers["Content-Security-Policy"]
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
    assert all("src=" in attrs or 'type="application/json"' in attrs for attrs, _ in scripts)
    assert "style=" not in html and not re.search(r"\son[a-z]+=", html)
    assert "/static/js/dashboards.js" in html and "chart.umd.min.js" in html
    assert 'role="img"' in html


def test_an_officer_sees_only_their_county(browser_as, data):
    browser, _ = browser_as(Role.OFFICER, jurisdictions=(NANMING,))
    html = browser.get(f"{URL}?{PERIOD}").text
    assert table_row(html, "贵阳市") == ["0", "0", "1", "0", "1"]
    assert "遵义市" not in html and "仁怀市" not in html
    assert table_row(html, "合计") == ["1,234.00", "234.00", "19.0%"]
    charts = charts_of(html)
    assert charts["channels"]["datasets"][0]["data"] == [1]


def test_a_prefecture_outside_the_jurisdiction_is_forbidden(browser_as, data):
    browser, _ = browser_as(Role.OFFICER, jurisdictions=(NANMING,))
    resp = browser.get(f"{URL}?prefecture=520300")
    assert resp.status_code == 403
    assert "该记录不在您的管辖范围内" in resp.text
    assert "dashboard-data" not in resp.text


def test_the_prefecture_filter_narrows_every_chart(browser_as, data):
    browser, _ = browser_as(Role.OFFICER)
    html = browser.get(f"{URL}?prefecture=520100&{PERIOD}").text
    assert "仁怀市" not in html
    assert table_row(html, "贵阳市") == ["0", "0", "1", "0", "1"]
    assert re.search(r'<option value="520100" selected>贵阳市</option>', html)


def test_dates_in_the_wrong_order_keep_the_input_and_say_why(browser_as, data):
    browser, _ = browser_as(Role.OFFICER)
    resp = browser.get(f"{URL}?date_from=2025-06-01&date_to=2025-05-01")
    assert resp.status_code == 422
    html = resp.text
    assert 'value="2025-06-01"' in html and 'value="2025-05-01"' in html
    error = re.search(r'<span class="field-error" id="date_to-error">(.*?)</span>', html)
    assert error and "结束时间早于开始时间" in error.group(1)
    assert "dashboard-data" not in html


def test_a_malformed_date_is_refused_beside_its_field(browser_as):
    browser, _ = browser_as(Role.OFFICER)
    resp = browser.get(f"{URL}?date_from=2025-13-40")
    assert resp.status_code == 422
    assert 'value="2025-13-40"' in resp.text
    error = re.search(r'id="date_from-error">(.*?)</span>', resp.text)
    assert error and "不是有效的日期" in error.group(1)


def test_a_future_end_day_is_refused(browser_as):
    browser, _ = browser_as(Role.OFFICER)
    future = date(local_today().year + 1, 1, 1).isoformat()
    resp = browser.get(f"{URL}?date_to={future}")
    assert resp.status_code == 422
    assert "日期不能晚于今天" in resp.text


def test_the_page_reads_in_english(browser_as, data):
    browser, _ = browser_as(Role.OFFICER)
    html = browser.get(f"{URL}?lang=en&{PERIOD}").text
    for text in (
        "Credit tiers by prefecture",
        "Cases by channel and stage",
        "Overdue deadlines by bureau",
        "Fines assessed and collected",
        "Administrative penalty",
        "Green (trustworthy)",
    ):
        assert text in html
    assert table_row(html, "Enforcing") == ["1"]
    # The overdue rule and the fine's payment period cite their basis in English.
    assert "Time limit for the penalty decision" in html and "作出处罚决定期限" not in html
    assert "Administrative Penalty Law (2021) art. 60" in html and "《行政处罚法》" not in html
    assert "Administrative Penalty Law (2021) art. 67" in html
    assert table_row(html, "Total") == ["51,234.00", "20,234.00", "39.5%"]
    charts = charts_of(html)
    assert charts["channels"]["labels"] == ["Administrative penalty", "Criminal referral"]


def test_an_empty_jurisdiction_says_so(browser_as):
    browser, _ = browser_as(Role.OFFICER, jurisdictions=(RENHUAI,))
    html = browser.get(URL).text
    assert "尚无企业完成信用评价" in html
    assert "没有符合筛选条件的案件" in html
    assert "没有逾期的期限" in html


def test_the_dashboards_need_a_login(client):
    resp = client.get(URL)
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]


def test_the_menu_links_the_dashboards(browser_as):
    browser, _ = browser_as(Role.OFFICER)
    assert 'href="/dashboards"' in browser.get("/").text


def test_scores_of_another_scheme_are_not_shown(browser_as, session):
    e = EnterpriseFactory(county_code=RENHUAI)
    score(session, e, "black", date(2025, 1, 1), scheme="five-colour@1")
    session.commit()
    browser, _ = browser_as(Role.OFFICER)
    html = browser.get(URL).text
    assert "尚无企业完成信用评价" in html
    assert SCHEME.startswith("guizhou-2019")
