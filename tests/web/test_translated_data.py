"""Labels the pages take from data read in the page's language: the stages on the home page, a
criminal transfer's attachments, the grounds of a compensation claim, the criminal-threshold
alerts and the legal basis of the random draws. The Chinese page keeps the Chinese wording;
the English page shows no Chinese for them."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from casemgr.models import Alert, Case
from casemgr.policy import Role
from casemgr.schemas.channels import ChannelOpenSchema, ChannelStepSchema
from casemgr.schemas.violations import ViolationCreateSchema
from casemgr.services import cases as case_svc
from casemgr.services import channel_opening, channels, violations
from casemgr.services.access import actor_for
from casemgr.services.localtime import local_today
from tests.factories import EnterpriseFactory
from tests.web.conftest import csrf_of, login

COUNTY = "520382"  # 仁怀市
TODAY = local_today()
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


def day(offset: int) -> str:
    return (TODAY - timedelta(days=offset)).isoformat()


def section(html: str, pattern: str) -> str:
    found = re.search(pattern, html, re.S)
    assert found, pattern
    return found.group(0)


@pytest.fixture
def world(auth, session):
    """A 仁怀 enterprise whose violation involved 3.5 t of hazardous waste, two certified
    officers, their bureau head and a compensation officer."""
    ent = EnterpriseFactory(county_code=COUNTY, name="贵州仁怀某某化工有限公司")
    certified = {"certificate_valid_until": date(2030, 1, 1)}
    officer = auth.user(Role.OFFICER, jurisdictions=(COUNTY,), **certified)
    colleague = auth.user(Role.OFFICER, jurisdictions=(COUNTY,), **certified)
    head = auth.user(Role.BUREAU_HEAD, jurisdictions=("520300",))
    claimant = auth.user(Role.COMPENSATION_OFFICER, jurisdictions=("520000",))
    session.commit()
    v = violations.log_violation(
        session,
        actor_for(session, officer),
        ViolationCreateSchema().load(
            {
                "found_at": f"{day(60)}T09:00:00+08:00",
                "county_code": COUNTY,
                "enterprise_ids": [ent.id],
                "summary": "非法倾倒危险废物",
                "origin": "inspection",
                "hazardous_waste_tonnes": "3.5",
            }
        ),
    )
    return {
        "officer": officer,
        "colleague": colleague,
        "head": head,
        "claimant": claimant,
        "violation": v,
    }


def post(client, url, data):
    token = csrf_of(client.get("/cases").text)
    return client.post(url, data={**data, "csrf_token": token})


def step(session, user, case_id, event, **data):
    loaded = ChannelStepSchema().load({"event": event, **data})
    loaded.pop("event")
    channels.apply_channel_event(
        session,
        actor_for(session, user),
        case_id,
        event,
        loaded,
        expected_version=session.get(Case, case_id).version,
    )


def open_claim(session, world):
    vid = world["violation"].id
    return channel_opening.open_channel_case(
        session,
        actor_for(session, world["claimant"]),
        vid,
        ChannelOpenSchema().load({"track": "compensation", "on": day(50), "violation_id": vid}),
    ).id


def approved_referral(session, world):
    vid = world["violation"].id
    case_id = channel_opening.open_channel_case(
        session,
        actor_for(session, world["officer"]),
        vid,
        ChannelOpenSchema().load(
            {
                "track": "criminal",
                "on": day(50),
                "violation_id": vid,
                "report_officer_ids": [world["officer"].id, world["colleague"].id],
            }
        ),
    ).id
    step(session, world["head"], case_id, "approve_transfer", on=day(49))
    return case_id


# -- home page ---------------------------------------------------------------------------------


def test_the_home_page_names_a_cases_stage_in_the_pages_language(client, world, session):
    case_svc.open_case(
        session,
        actor_for(session, world["officer"]),
        world["violation"].id,
        {"lead_received_on": date.fromisoformat(day(55))},
    )
    login(client, world["officer"].username)
    rows = section(client.get("/").text, r'id="h-my-cases".*?</tbody>')
    assert "<td>线索<br>" in rows and "lead" not in rows.split("<tbody>")[1]  # not "线索 lead"
    rows = section(client.get("/?lang=en").text, r'id="h-my-cases".*?</tbody>')
    assert "<td>Lead<br>" in rows and "线索" not in rows


# -- criminal transfer attachments ---------------------------------------------------------------


def test_the_missing_attachments_are_named_in_the_pages_language(client, world, session):
    case_id = approved_referral(session, world)
    login(client, world["officer"].username)
    zh_missing = "移送材料缺少必备附件：涉嫌犯罪案件移送书、涉嫌犯罪案件情况的调查报告"
    en_missing = (
        "The transfer lacks required attachments: Transfer letter of the suspected criminal "
        "case, Investigation report on the suspected criminal case"
    )
    # Before the step: the rule the hand-over form is checked against, the list filled in.
    form = section(client.get(f"/cases/{case_id}").text, r'<form[^>]*id="step-hand_over".*?</form>')
    assert zh_missing in form and "{missing}" not in form
    form = section(
        client.get(f"/cases/{case_id}?lang=en").text, r'<form[^>]*id="step-hand_over".*?</form>'
    )
    assert en_missing in form and "涉嫌犯罪" not in form
    # The step refused: the attachments still missing, in the page's language.
    data = {
        "event": "hand_over",
        "version": str(session.get(Case, case_id).version),
        "on": day(48),
        "attachments": ["transfer_letter", "investigation_report"],
    }
    refused = post(client, f"/cases/{case_id}/steps", data)
    assert refused.status_code == 409
    assert "移送材料缺少必备附件：涉案物品清单、有关检验报告或者鉴定结论。" in refused.text
    refused = post(client, f"/cases/{case_id}/steps?lang=en", data)
    assert refused.status_code == 409
    assert (
        "The transfer lacks required attachments: List of seized items, Related inspection "
        "reports or appraisal conclusions." in refused.text
    )
    assert "涉案物品清单" not in refused.text and "seized_items_list (" not in refused.text


# -- compensation grounds ---------------------------------------------------------------------


def test_the_grounds_of_a_claim_read_in_the_pages_language(client, world, session):
    claim = open_claim(session, world)
    step(session, world["claimant"], claim, "start_screening", on=day(49))
    login(client, world["claimant"].username)
    chinese, english = "生态环境损害显著轻微，且不需要赔偿", "The damage is clearly minor and needs"
    form = r'<form[^>]*id="step-decide_not_to_start".*?</form>'
    page = section(client.get(f"/cases/{claim}").text, form)
    assert f'<option value="insignificant">{chinese}</option>' in page
    page = section(client.get(f"/cases/{claim}?lang=en").text, form)
    assert english in page and not CJK.search(re.sub(r"<textarea.*?</textarea>", "", page))
    # The ground recorded with the step: the case's details name it, not by its code.
    step(
        session, world["claimant"], claim, "decide_not_to_start", reason="insignificant", on=day(40)
    )
    page = client.get(f"/cases/{claim}").text
    assert re.search(rf"<dt>理由</dt>\s*<dd>{chinese}</dd>", page)
    page = client.get(f"/cases/{claim}?lang=en").text
    assert re.search(rf"<dt>Reason</dt>\s*<dd>{english} no compensation</dd>", page)
    assert "<dd>insignificant</dd>" not in page


# -- criminal-threshold alerts ----------------------------------------------------------------

ZH_TITLE = "非法排放、倾倒、处置危险废物三吨以上"
ZH_BASIS = "（法释〔2023〕7号）第1条（第2项）；《刑法》第338条"
EN_TITLE = "Illegal discharge, dumping or disposal of 3 t or more of hazardous waste"
EN_BASIS = "SPC and SPP Interpretation on Environmental Pollution Crimes (2023) art. 1 (item 2)"


@pytest.mark.parametrize(
    ("stored_title", "stored_article"),
    [
        (EN_TITLE, None),  # as written now: the title msgid and the basis in English
        (ZH_TITLE, "法释〔2023〕7号 art. 1(2); 刑法 art. 338"),  # as written before
    ],
)
def test_a_threshold_alert_reads_in_the_pages_language(
    client, world, session, stored_title, stored_article
):
    vid = world["violation"].id
    alert = session.scalars(select(Alert).where(Alert.violation_id == vid)).one()
    assert (alert.predicate, alert.title) == ("hazardous_waste", EN_TITLE)
    if stored_article is not None:
        alert.title, alert.article = stored_title, stored_article
        session.commit()
    login(client, world["officer"].username)
    for url, alerts in (
        (f"/violations/{vid}/family", r'<ul class="alerts" id="consistency">.*?</ul>'),
        (f"/violations/{vid}", r'<ul class="alerts">.*?</ul>'),
        (f"/violations/{vid}/family", r'<li class="ch-none">.*?</li>'),  # the timeline
    ):
        chinese = section(client.get(url).text, alerts)
        assert ZH_TITLE in chinese and ZH_BASIS in chinese and "art." not in chinese
        english = section(client.get(f"{url}?lang=en").text, alerts)
        assert EN_TITLE in english and EN_BASIS in english
        assert not CJK.search(english), english


def test_an_alert_of_a_predicate_no_set_knows_shows_what_it_stored(client, world, session):
    vid = world["violation"].id
    alert = session.scalars(select(Alert).where(Alert.violation_id == vid)).one()
    alert.predicate, alert.title, alert.article = "retired", "已废止的情形", "某规定 art. 9"
    session.commit()
    login(client, world["officer"].username)
    alerts = section(client.get(f"/violations/{vid}?lang=en").text, r'<ul class="alerts">.*?</ul>')
    assert "已废止的情形" in alerts and "某规定 art. 9" in alerts


def _evasive_alert(session, world):
    """The evasive-discharge alert of a violation through a hidden pipe into a karst cave
    (hazardous waste: a toxic substance), its methods stored by their Chinese names."""
    v = violations.log_violation(
        session,
        actor_for(session, world["officer"]),
        ViolationCreateSchema().load(
            {
                "found_at": f"{day(30)}T09:00:00+08:00",
                "county_code": COUNTY,
                "enterprise_ids": [e.id for e in world["violation"].enterprises],
                "summary": "通过暗管向溶洞排放危险废物",
                "origin": "inspection",
                "hazardous_waste_tonnes": "0.5",
                "evasive_methods": ["karst_cave", "hidden_pipe"],
            }
        ),
    )
    alert = session.scalars(
        select(Alert).where(Alert.violation_id == v.id, Alert.predicate == "evasive_discharge")
    ).one()
    assert alert.params["methods"] == "暗管、溶洞"
    return alert


def test_the_evasive_methods_of_an_alert_read_in_the_pages_language(client, world, session):
    alert = _evasive_alert(session, world)
    login(client, world["officer"].username)
    vid = alert.violation_id
    for url, alerts in (
        (f"/violations/{vid}/family", r'<ul class="alerts" id="consistency">.*?</ul>'),
        (f"/violations/{vid}", r'<ul class="alerts">.*?</ul>'),
    ):
        chinese = section(client.get(url).text, alerts)
        assert "通过逃避监管的方式排放、倾倒、处置有毒物质：暗管、溶洞" in chinese
        english = section(client.get(f"{url}?lang=en").text, alerts)
        assert "disposed of by evasive means: Hidden pipe, Karst cave" in english
        assert not CJK.search(english), english


def test_the_alerts_api_gives_the_evasive_methods_in_the_requests_language(
    client, auth, world, session
):
    alert = _evasive_alert(session, world)
    officer = auth.login(Role.OFFICER, jurisdictions=(COUNTY,))
    url = f"/api/v1/violations/{alert.violation_id}/alerts"

    def reason(query: str) -> str:
        body = client.get(url + query, headers=officer.headers).get_json()
        return next(a["reason"] for a in body if a["predicate"] == "evasive_discharge")

    assert reason("").endswith("：暗管、溶洞")
    english = reason("?lang=en")
    assert english.endswith("by evasive means: Hidden pipe, Karst cave"), english
    assert not CJK.search(english)


def test_evasive_methods_no_label_knows_are_shown_as_stored(client, world, session):
    alert = _evasive_alert(session, world)
    alert.params = {**alert.params, "methods": "暗管、废弃矿井"}
    session.commit()
    login(client, world["officer"].username)
    page = client.get(f"/violations/{alert.violation_id}?lang=en").text
    alerts = section(page, r'<ul class="alerts">.*?</ul>')
    assert "disposed of by evasive means: 暗管、废弃矿井" in alerts


# -- random draws ---------------------------------------------------------------------------


def test_the_legal_basis_of_the_draws_reads_in_the_pages_language(browser_as):
    planner, _ = browser_as(Role.INSPECTION_PLANNER, jurisdictions=("520000",))
    chinese = (
        "（《国务院办公厅关于推广随机抽查规范事中事后监管的通知》（国办发〔2015〕58号）；"
        "《环境保护部办公厅关于在污染源日常环境监管领域推广随机抽查制度的实施方案》"
        "（环办〔2015〕88号））"
    )
    english = (
        "(State Council General Office Notice on Promoting Random Inspections (2015); "
        "MEP General Office Plan for Random Inspections of Pollution Sources (2015))"
    )
    assert chinese in planner.get("/inspections").text
    page = planner.get("/inspections?lang=en").text
    assert english in page and "国办发" not in page
