"""The deadline board (期限看板): its columns with the legal basis, each filter, the validation
errors beside their fields, scope, paging, the CSV export and English."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from casemgr.legalbasis import basis_text
from casemgr.legalclock import RULES
from casemgr.models import AuditEntry, Deadline
from casemgr.models.cases import DeadlineStateValue
from casemgr.policy import Role
from casemgr.services.localtime import local_today
from tests.factories import EnterpriseFactory
from tests.web.conftest import login
from tests.web.test_home_pages import CERTIFIED, NANMING, RENHUAI, filing_deadline, open_case

# The filing review of a lead (admin.filing_decision) in each language.
FILING_TITLE = {"zh": "立案审查期限", "en": "Time limit for the filing review"}
FILING_BASIS = {
    "zh": "《生态环境行政处罚办法》（2023）第18条（自发现线索或者收到相关材料之日起计算）"
    "〔待核实〕",
    "en": "Measures for Eco-environmental Administrative Penalties (2023) art. 18 (counted from "
    "the discovery of the lead or the receipt of the materials) [R]",
}


@pytest.fixture
def board(client, auth, session):
    """Two 仁怀 cases (one lead past its filing review, one fresh) by two officers, one 南明
    case, and a 遵义 bureau head logged in."""
    today = local_today()
    ours = EnterpriseFactory(name="仁怀市国酱酒业有限公司", county_code=RENHUAI)
    theirs = EnterpriseFactory(name="南明区别处化工有限公司", county_code=NANMING)
    session.commit()
    officer = auth.user(Role.OFFICER, jurisdictions=(RENHUAI,), **CERTIFIED)
    colleague = auth.user(Role.OFFICER, jurisdictions=(RENHUAI,), **CERTIFIED)
    other = auth.user(Role.OFFICER, jurisdictions=(NANMING,), **CERTIFIED)
    late = open_case(
        session, officer, ours, received=today - timedelta(days=20), summary="超标排放酿酒废水"
    )
    fresh = open_case(session, colleague, ours, received=today, summary="未批先建酒糟堆场")
    foreign = open_case(
        session, other, theirs, received=today - timedelta(days=20), summary="偷排化工废液"
    )
    head = auth.user(Role.BUREAU_HEAD, jurisdictions=("520300",))
    session.commit()
    assert login(client, head.username).status_code == 302
    return {
        "late": late,
        "fresh": fresh,
        "foreign": foreign,
        "officer": officer,
        "late_due": filing_deadline(session, late).due_on,
        "fresh_due": filing_deadline(session, fresh).due_on,
    }


def _has(html: str, case) -> bool:
    return f'href="/cases/{case.id}"' in html


def test_the_board_shows_each_deadline_with_its_legal_basis_within_the_jurisdiction(client, board):
    resp = client.get("/deadlines")
    assert resp.status_code == 200
    html = resp.text
    assert "期限看板" in html
    assert _has(html, board["late"]) and _has(html, board["fresh"])
    assert not _has(html, board["foreign"]) and "南明区别处化工有限公司" not in html
    assert "仁怀市国酱酒业有限公司" in html
    assert FILING_TITLE["zh"] in html and FILING_BASIS["zh"] in html
    assert "admin.filing_decision" in html
    assert FILING_TITLE["en"] not in html and FILING_BASIS["en"] not in html
    assert board["late_due"].isoformat() in html and board["fresh_due"].isoformat() in html
    overdue = (local_today() - board["late_due"]).days
    left = (board["fresh_due"] - local_today()).days
    assert f"已逾期{overdue}天" in html and f"剩余{left}天" in html
    assert '<span class="badge red">逾期</span>' in html
    assert "共2项期限" in html


@pytest.mark.parametrize(
    ("query", "late", "fresh"),
    [
        ({"state": "overdue"}, True, False),
        ({"state": "open"}, False, True),
        ({"state": "met"}, False, False),
        ({"rule_code": "admin.filing_decision"}, True, True),
        ({"rule_code": "admin.decision"}, False, False),
        ({"county": RENHUAI}, True, True),
        ({"county": "520300"}, True, True),
        ({"channel": "criminal"}, False, False),
        ({"channel": "administrative"}, True, True),
    ],
)
def test_each_filter_narrows_the_board(client, board, query, late, fresh):
    html = client.get("/deadlines", query_string=query).text
    assert _has(html, board["late"]) is late
    assert _has(html, board["fresh"]) is fresh
    if not (late or fresh):
        assert "没有符合筛选条件的期限" in html


def test_the_due_date_range_and_due_soon_follow_the_dates(client, app, board, monkeypatch):
    fresh_due = board["fresh_due"].isoformat()
    html = client.get("/deadlines", query_string={"due_from": fresh_due, "due_to": fresh_due}).text
    assert _has(html, board["fresh"]) and not _has(html, board["late"])
    # Due soon: running and due within the reminder window from today; never the overdue one.
    assert not _has(client.get("/deadlines?state=due_soon").text, board["fresh"])
    monkeypatch.setitem(app.config, "REMINDER_DUE_SOON_DAYS", 40)
    html = client.get("/deadlines?state=due_soon").text
    assert _has(html, board["fresh"]) and not _has(html, board["late"])
    assert "即将到期" in html


def test_only_my_cases_shows_the_officers_own_deadlines(client, board):
    login(client, board["officer"].username)
    html = client.get("/deadlines?mine=true").text
    assert _has(html, board["late"]) and not _has(html, board["fresh"])
    assert 'id="f-mine" name="mine" value="true" checked' in html


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"due_from": "2026-13-01"}, "due_from", "不是有效的日期。"),
        ({"due_from": "2026-12-01", "due_to": "2026-11-01"}, "due_to", "结束时间早于开始时间。"),
        ({"county": NANMING}, "county", "请选择您管辖范围内的区县或市局。"),
        ({"county": "贵阳"}, "county", "须为行政区划代码或督察单元代码。"),
        ({"county": "999999"}, "county", "不是已知的行政区划代码或督察单元代码"),
        ({"state": "late"}, "state", "请从列出的选项中选择。"),
        ({"rule_code": "admin.nothing"}, "rule_code", "请从列出的选项中选择。"),
    ],
)
def test_invalid_filters_are_shown_beside_their_field_and_kept(
    client, board, query, field, message
):
    resp = client.get("/deadlines", query_string=query)
    assert resp.status_code == 422
    html = resp.text
    error = html.split(f'id="{field}-error"', 1)[1].split("</span>", 1)[0]
    assert message in error
    assert 'aria-invalid="true"' in html
    if field.startswith("due_"):
        assert f'value="{query[field]}"' in html  # what the user typed stays in the form
    assert "请更正筛选条件后查看期限" in html
    assert not _has(html, board["late"])


def test_the_board_pages_through_many_deadlines(client, session, board):
    case = board["late"]
    codes = [c for c in sorted(RULES) if c != "admin.filing_decision"][:35]
    today = local_today()
    for i, code in enumerate(codes):
        rule = RULES[code]
        session.add(
            Deadline(
                case_id=case.id,
                rule_code=code,
                title=rule.title,
                basis=basis_text(rule.basis),
                start_event=rule.start_event,
                start_on=today,
                due_on=today + timedelta(days=100 + i),
                state=DeadlineStateValue.OPEN,
                county_code=case.county_code,
                channel="administrative",
            )
        )
    session.commit()
    last = f'<span class="mono muted">{codes[-1]}</span>'
    first = client.get("/deadlines").text
    assert "共37项期限" in first and "1 / 2" in first
    assert last not in first  # the latest due is on the second page
    second = client.get("/deadlines?page=2").text
    assert "2 / 2" in second and last in second
    latest_first = client.get("/deadlines?sort=-due_on").text
    assert last in latest_first


def test_the_board_downloads_as_csv_with_the_same_filters(client, board):
    resp = client.get("/deadlines/export.csv?state=overdue")
    assert resp.status_code == 200
    assert resp.mimetype == "text/csv"
    assert "attachment" in resp.headers["Content-Disposition"]
    body = resp.data.decode("utf-8-sig")
    lines = body.strip().splitlines()
    assert lines[0].startswith("案件编号,企业,期限")
    assert len(lines) == 2
    assert f"#{board['late'].id}" in lines[1] and "仁怀市国酱酒业有限公司" in lines[1]
    assert FILING_TITLE["zh"] in lines[1] and FILING_BASIS["zh"] in lines[1]
    assert "偷排化工废液" not in body
    refused = client.get("/deadlines/export.csv?due_from=someday")
    assert refused.status_code == 422 and "不是有效的日期。" in refused.text  # the form, not a file


def test_a_judge_sees_only_the_deadlines_of_cases_before_their_court(client, auth, session, board):
    board["late"].court_code = f"C{RENHUAI}"
    session.commit()
    judge = auth.user(Role.JUDGE, jurisdictions=("520300",), organ_code=f"C{RENHUAI}")
    session.commit()
    login(client, judge.username)
    html = client.get("/deadlines").text
    assert _has(html, board["late"]) and not _has(html, board["fresh"])
    reads = session.scalars(select(AuditEntry.record_key).where(AuditEntry.actor_id == judge.id))
    assert any(key.startswith("board:") for key in reads)  # another branch's read is logged


def test_the_board_needs_a_login(client):
    resp = client.get("/deadlines")
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]


def test_the_board_speaks_english_on_request(client, board):
    html = client.get("/deadlines?lang=en").text
    assert "Deadline board" in html and "Kind of deadline" in html
    assert "day(s) overdue" in html and ">Overdue<" in html
    bad = client.get("/deadlines?lang=en&due_from=2026-02-30")
    assert bad.status_code == 422 and "Not a valid date." in bad.text


def test_each_deadline_reads_in_the_language_of_the_page(client, board):
    """The rule's title and legal basis follow the language switch; no Chinese on the English
    page, no English on the Chinese one."""
    english = client.get("/lang/en?next=/deadlines")
    assert english.status_code == 302
    html = client.get("/deadlines").text
    assert FILING_TITLE["en"] in html and FILING_BASIS["en"] in html
    assert FILING_TITLE["zh"] not in html and "《" not in html and "〔待核实〕" not in html
    assert f'<option value="admin.filing_decision">{FILING_TITLE["en"]}' in html  # the filter
    csv_lines = client.get("/deadlines/export.csv").data.decode("utf-8-sig").splitlines()
    assert csv_lines[0].startswith("Case number,Enterprise,Deadline")
    assert FILING_TITLE["en"] in csv_lines[1] and FILING_BASIS["en"] in csv_lines[1]
    client.get("/lang/zh_CN?next=/deadlines")
    html = client.get("/deadlines").text
    assert FILING_TITLE["zh"] in html and FILING_BASIS["zh"] in html
    assert FILING_BASIS["en"] not in html


def test_a_deadline_of_a_rule_no_longer_known_shows_its_stored_text(client, session, board):
    case = board["late"]
    session.add(
        Deadline(
            case_id=case.id,
            rule_code="admin.retired_rule",
            title="旧规则期限",
            basis="某旧办法 art. 9",
            start_event="lead_received",
            start_on=local_today(),
            due_on=local_today() + timedelta(days=3),
            state=DeadlineStateValue.OPEN,
            county_code=case.county_code,
            channel="administrative",
        )
    )
    session.commit()
    html = client.get("/deadlines?lang=en").text
    assert "旧规则期限" in html and "某旧办法 art. 9" in html and "admin.retired_rule" in html
