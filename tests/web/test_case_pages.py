"""The case pages through the real app: lists, the violation form, a case walked by its step
forms, evidence, documents, refusals shown on the page, and the case family."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import event as sa_event
from sqlalchemy import select

from casemgr.extensions import db
from casemgr.lifecycles.administrative import AdminEvent
from casemgr.models import Case, Evidence
from casemgr.policy import Role
from casemgr.schemas.cases import RecordSchema
from casemgr.schemas.channels import ChannelOpenSchema, ProjectSchema, ProjectUpdateSchema
from casemgr.schemas.violations import ViolationCreateSchema
from casemgr.services import cases as case_svc
from casemgr.services import channel_opening, ledger, violations
from casemgr.services.access import actor_for
from casemgr.services.localtime import local_today
from tests.factories import EnterpriseFactory
from tests.web.conftest import login

COUNTY = "520382"  # 仁怀市
TODAY = local_today()
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def day(offset: int) -> str:
    """A day ``offset`` days before today, as the forms post it."""
    return (TODAY - timedelta(days=offset)).isoformat()


@pytest.fixture
def world(auth, session):
    """A 仁怀 enterprise and violation, two certified officers, a bureau head, a legal
    reviewer and a stranger from 南明区."""
    ent = EnterpriseFactory(county_code=COUNTY, name="贵州仁怀某某酒业有限公司")
    officer = auth.user(Role.OFFICER, jurisdictions=(COUNTY,), display_name="王执法")
    colleague = auth.user(Role.OFFICER, jurisdictions=(COUNTY,), display_name="李执法")
    head = auth.user(Role.BUREAU_HEAD, jurisdictions=("520300",), display_name="赵局长")
    reviewer = auth.user(Role.LEGAL_REVIEWER, jurisdictions=("520300",))
    stranger = auth.user(Role.OFFICER, jurisdictions=("520102",))
    session.commit()
    v = violations.log_violation(
        session,
        actor_for(session, officer),
        violation_in(
            {
                "found_at": f"{day(250)}T09:00:00+08:00",
                "county_code": COUNTY,
                "enterprise_ids": [ent.id],
                "summary": "超标排放酿酒废水",
                "description": "排污口化学需氧量超标 2.1 倍",
                "origin": "inspection",
            }
        ),
    )
    return {
        "ent": ent,
        "officer": officer,
        "colleague": colleague,
        "head": head,
        "reviewer": reviewer,
        "stranger": stranger,
        "violation": v,
    }


def violation_in(data):
    return ViolationCreateSchema().load(data)


def as_user(client, user):
    assert login(client, user.username).status_code == 302


def post(client, url, data):
    """Post a page form with the CSRF token a page carries."""
    page = client.get("/cases")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    return client.post(url, data={**data, "csrf_token": token})


def steps(session, world, case_id, *events):
    """Take steps through the service, as the page does (the head approves, others record)."""
    for event, who, data in events:
        case = session.get(Case, case_id)
        case_svc.apply_event(
            session,
            actor_for(session, world[who]),
            case_id,
            AdminEvent(event),
            data,
            expected_version=case.version,
        )


def opened(session, world, **extra):
    case = case_svc.open_case(
        session,
        actor_for(session, world["officer"]),
        world["violation"].id,
        {"lead_received_on": date.fromisoformat(day(240)), **extra},
    )
    return case.id


def investigated(session, world, **extra):
    """A case filed, investigated with two certified officers, in review."""
    case_id = opened(session, world, **extra)
    steps(
        session,
        world,
        case_id,
        ("file", "head", {"on": TODAY - timedelta(days=238)}),
        ("start_investigation", "officer", {"on": TODAY - timedelta(days=238)}),
    )
    case = session.get(Case, case_id)
    case_svc.add_record(
        session,
        actor_for(session, world["officer"]),
        case_id,
        RecordSchema().load(
            {
                "kind": "inspection",
                "held_at": f"{day(236)}T10:00:00+08:00",
                "place": "排污口",
                "officer_ids": [world["officer"].id, world["colleague"].id],
            }
        ),
        expected_version=case.version,
    )
    steps(
        session,
        world,
        case_id,
        ("conclude_investigation", "officer", {"on": TODAY - timedelta(days=235)}),
    )
    return case_id


def notified(session, world):
    case_id = investigated(session, world)
    steps(
        session,
        world,
        case_id,
        (
            "notify",
            "officer",
            {
                "on": TODAY - timedelta(days=232),
                "proposed_penalty_types": ["fine"],
                "proposed_fine_cents": 5_000_000,
            },
        ),
        ("receive_statement", "officer", {"on": TODAY - timedelta(days=230)}),
        ("complete_recheck", "officer", {"on": TODAY - timedelta(days=229)}),
    )
    return case_id


# -- lists ------------------------------------------------------------------------------------


def test_the_case_list_shows_the_jurisdictions_cases_and_filters_by_party(
    client, world, session, auth
):
    case_id = opened(session, world)
    other = EnterpriseFactory(county_code="520102", name="贵阳南明某化工厂")
    session.commit()
    stranger = actor_for(session, world["stranger"])
    v2 = violations.log_violation(
        session,
        stranger,
        violation_in(
            {
                "found_at": f"{day(10)}T09:00:00+08:00",
                "county_code": "520102",
                "enterprise_ids": [other.id],
                "summary": "南明区废气超标",
                "origin": "complaint_12369",
            }
        ),
    )
    case_svc.open_case(session, stranger, v2.id, {})
    as_user(client, world["officer"])
    page = client.get("/cases")
    assert page.status_code == 200
    assert "超标排放酿酒废水" in page.text and "南明区废气超标" not in page.text
    assert f"/cases/{case_id}" in page.text and "线索" in page.text
    by_party = client.get(f"/cases?enterprise={world['ent'].uscc}")
    assert "超标排放酿酒废水" in by_party.text
    nobody = client.get(f"/cases?enterprise={other.uscc}")
    assert "超标排放酿酒废水" not in nobody.text
    listed = client.get("/cases?tab=violations&origin=inspection")
    assert "超标排放酿酒废水" in listed.text
    english = client.get("/cases?lang=en")
    assert "Cases and violations" in english.text and "Lead" in english.text


def test_a_bad_date_filter_is_reported_beside_the_field(client, world):
    as_user(client, world["officer"])
    page = client.get("/cases?received_from=2026-13-45")
    assert page.status_code == 422
    assert "2026-13-45" in page.text


# -- the violation form -----------------------------------------------------------------------


def test_a_violation_logged_through_the_form_opens_its_page(client, world, session):
    as_user(client, world["officer"])
    form = client.get("/violations/new")
    assert form.status_code == 200 and 'name="found_at"' in form.text
    resp = post(
        client,
        "/violations/new",
        {
            "summary": "暗管偷排电镀废水",
            "enterprises": world["ent"].uscc,
            "origin": "complaint_12369",
            "found_at": f"{day(3)}T14:30",
            "county_code": COUNTY,
            "loss": "350,000.50",
            "evasive_methods": "hidden_pipe",
            "ecological_damage": "true",
        },
    )
    assert resp.status_code == 302, resp.text
    page = client.get(resp.headers["Location"])
    assert "暗管偷排电镀废水" in page.text and "350,000.50" in page.text
    assert "逃避监管的排放方式" in page.text and "暗管" in page.text
    assert world["ent"].name in page.text


def test_a_bad_violation_form_keeps_what_was_typed_and_says_why_in_chinese(client, world):
    as_user(client, world["officer"])
    resp = post(
        client,
        "/violations/new",
        {
            "summary": "",
            "enterprises": "91520000000000000X",
            "origin": "inspection",
            "found_at": f"{day(3)}T14:30",
            "county_code": COUNTY,
            "place": "茅台镇下游",
        },
    )
    assert resp.status_code == 422
    assert "茅台镇下游" in resp.text and f"{day(3)}T14:30" in resp.text
    assert "91520000000000000X" in resp.text
    assert "没有统一社会信用代码为 91520000000000000X 的企业" in resp.text
    resp = post(
        client,
        "/violations/new",
        {
            "summary": "",
            "enterprises": world["ent"].uscc,
            "origin": "inspection",
            "found_at": f"{day(3)}T14:30",
            "county_code": COUNTY,
            "loss": "12.345",
        },
    )
    assert resp.status_code == 422
    assert 'id="v-summary-error"' in resp.text and "此字段为必填项" in resp.text
    assert 'id="v-loss-error"' in resp.text


def test_a_violation_of_another_county_does_not_exist(client, world):
    as_user(client, world["stranger"])
    assert client.get(f"/violations/{world['violation'].id}").status_code == 404
    resp = post(client, f"/violations/{world['violation'].id}/cases", {})
    assert resp.status_code == 404


# -- a case through its step forms ------------------------------------------------------------


def test_a_case_opened_on_the_violation_page_is_filed_by_the_head(client, world, session):
    as_user(client, world["officer"])
    page = client.get(f"/violations/{world['violation'].id}")
    assert "立案" in page.text and 'id="open-case-form"' in page.text
    resp = post(
        client,
        f"/violations/{world['violation'].id}/cases",
        {"lead_received_on": day(5), "procedure": "general", "art58_conditions": "complex"},
    )
    assert resp.status_code == 302, resp.text
    case = session.scalars(select(Case.id).where(Case.violation_id == world["violation"].id)).one()
    case_page = client.get(resp.headers["Location"])
    assert "线索" in case_page.text and "立案" not in re.findall(
        r"<button[^>]*>([^<]*)", case_page.text
    )
    as_user(client, world["head"])
    page = client.get(f"/cases/{case}")
    assert 'id="step-file"' in page.text
    resp = post(
        client,
        f"/cases/{case}/steps",
        {"event": "file", "version": str(session.get(Case, case).version), "on": day(4)},
    )
    assert resp.status_code == 302, resp.text
    filed = client.get(f"/cases/{case}")
    assert "遵环罚〔" in filed.text and "作出处罚决定期限" in filed.text
    assert "《行政处罚法》（2021）第60条" in filed.text  # the deadline cites its basis
    english = client.get(f"/cases/{case}?lang=en").text
    assert "Time limit for the penalty decision" in english and "作出处罚决定期限" not in english
    assert "Administrative Penalty Law (2021) art. 60; Measures for Eco-environmental" in english


def test_a_refused_step_shows_the_rule_and_changes_nothing(client, world, session):
    case_id = opened(session, world)
    steps(
        session,
        world,
        case_id,
        ("file", "head", {"on": TODAY - timedelta(days=238)}),
        ("start_investigation", "officer", {"on": TODAY - timedelta(days=238)}),
    )
    version = session.get(Case, case_id).version
    as_user(client, world["officer"])
    page = client.get(f"/cases/{case_id}")
    assert (
        "调查终结" in page.text and "尚未录入任何调查笔录" in page.text
    )  # why it is not yet possible
    assert (
        "两名以上持证执法人员" in page.text
        and "（《行政处罚法》（2021）第42、55条）：" in page.text
    )
    resp = post(
        client,
        f"/cases/{case_id}/steps",
        {"event": "conclude_investigation", "version": str(version), "on": day(200)},
    )
    assert resp.status_code == 409
    assert "两名以上持证执法人员（《行政处罚法》（2021）第42、55条）" in resp.text
    assert "Two or more certified officers" not in resp.text and "art. 42" not in resp.text
    session.expire_all()
    case = session.get(Case, case_id)
    assert (case.status, case.version) == ("investigating", version)


def test_a_refusal_reads_in_the_pages_language(client, world, session):
    case_id = opened(session, world)
    steps(
        session,
        world,
        case_id,
        ("file", "head", {"on": TODAY - timedelta(days=238)}),
        ("start_investigation", "officer", {"on": TODAY - timedelta(days=238)}),
    )
    version = session.get(Case, case_id).version
    as_user(client, world["officer"])
    english = "Two or more certified officers", "Administrative Penalty Law (2021) art. 42, 55"
    chinese = "两名以上持证执法人员", "《行政处罚法》（2021）第42、55条"
    # The steps not possible yet, then the refusal of a step tried anyway.
    page = client.get(f"/cases/{case_id}?lang=en").text
    assert all(text in page for text in english) and not any(text in page for text in chinese)
    resp = post(
        client,
        f"/cases/{case_id}/steps?lang=en",
        {"event": "conclude_investigation", "version": str(version), "on": day(200)},
    )
    assert resp.status_code == 409
    assert all(text in resp.text for text in english)
    assert not any(text in resp.text for text in chinese)
    page = client.get(f"/cases/{case_id}").text
    assert all(text in page for text in chinese) and not any(text in page for text in english)


def test_a_family_consistency_alert_reads_in_the_pages_language(client, world, session):
    opened(session, world)
    world["violation"].ecological_damage = True  # damage found, no compensation claim screened
    session.commit()
    as_user(client, world["officer"])
    url = f"/violations/{world['violation'].id}/family"
    chinese = (
        "发现生态环境损害但未开展索赔线索筛查",
        "《生态环境损害赔偿管理规定》（2022）（线索筛查）〔待核实〕",
    )
    english = (
        "Ecological damage found but no claim screened",
        "Provisions on the Management of Eco-environmental Damage Compensation (2022) "
        "(lead screening) [R]",
    )
    alerts = re.search(r'<ul class="alerts" id="consistency">.*?</ul>', client.get(url).text, re.S)
    assert alerts and all(text in alerts.group() for text in chinese)
    alerts = re.search(
        r'<ul class="alerts" id="consistency">.*?</ul>', client.get(f"{url}?lang=en").text, re.S
    )
    assert alerts and all(text in alerts.group() for text in english)
    assert not re.search(r"[\u3000-\u9fff\uff00-\uffef]", alerts.group())


def test_a_step_not_in_the_table_is_named_in_chinese(client, world, session):
    case_id = opened(session, world)
    as_user(client, world["head"])
    resp = post(
        client,
        f"/cases/{case_id}/steps",
        {"event": "serve", "version": str(session.get(Case, case_id).version)},
    )
    assert resp.status_code == 409
    assert "送达处罚决定书" in resp.text and "线索" in resp.text


def test_a_stale_page_is_told_that_someone_else_changed_the_case(client, world, session):
    case_id = opened(session, world)
    stale = session.get(Case, case_id).version
    steps(session, world, case_id, ("file", "head", {"on": TODAY - timedelta(days=238)}))
    as_user(client, world["head"])
    resp = post(
        client,
        f"/cases/{case_id}/steps",
        {"event": "decline_to_file", "version": str(stale), "on": day(200)},
    )
    assert resp.status_code == 412
    assert "该记录已被他人修改" in resp.text
    session.expire_all()
    assert session.get(Case, case_id).status == "filed"


def test_a_record_needs_the_officers_and_keeps_what_was_typed(client, world, session):
    case_id = opened(session, world)
    steps(
        session,
        world,
        case_id,
        ("file", "head", {"on": TODAY - timedelta(days=238)}),
        ("start_investigation", "officer", {"on": TODAY - timedelta(days=238)}),
    )
    version = session.get(Case, case_id).version
    as_user(client, world["officer"])
    resp = post(
        client,
        f"/cases/{case_id}/records",
        {
            "kind": "interview",
            "held_at": f"{day(236)}T10:00",
            "place": "公司会议室",
            "version": version,
        },
    )
    assert resp.status_code == 422
    assert "公司会议室" in resp.text and 'id="record-officer_ids-error"' in resp.text
    resp = post(
        client,
        f"/cases/{case_id}/records",
        {
            "kind": "interview",
            "held_at": f"{day(236)}T10:00",
            "place": "公司会议室",
            "version": version,
            "officer_ids": [str(world["officer"].id), str(world["colleague"].id)],
        },
    )
    assert resp.status_code == 302, resp.text
    page = client.get(f"/cases/{case_id}")
    assert "调查询问笔录" in page.text and "李执法" in page.text


def test_a_decision_above_the_notified_fine_is_refused_with_the_fines_kept(client, world, session):
    case_id = notified(session, world)
    version = session.get(Case, case_id).version
    as_user(client, world["head"])
    page = client.get(f"/cases/{case_id}")
    assert 'id="step-decide"' in page.text
    data = {
        "event": "decide",
        "version": str(version),
        "on": day(225),
        "penalty_types": "fine",
        "fines.0.act": "超标排放",
        "fines.0.amount": "60000",
        "correction_ordered_on": day(225),
    }
    resp = post(client, f"/cases/{case_id}/steps", data)
    assert resp.status_code == 409
    assert "不得因陈述申辩加重处罚" in resp.text
    assert 'value="60000"' in resp.text and 'value="超标排放"' in resp.text
    resp = post(client, f"/cases/{case_id}/steps", {**data, "fines.0.amount": "50,000"})
    assert resp.status_code == 302, resp.text
    session.expire_all()
    case = session.get(Case, case_id)
    assert (case.status, case.final_fine_cents) == ("decided", 5_000_000)
    page = client.get(f"/cases/{case_id}")
    assert "50,000.00" in page.text and 'id="decision-doc-form"' in page.text


def test_a_fine_typed_wrong_is_shown_beside_its_field(client, world, session):
    case_id = notified(session, world)
    as_user(client, world["head"])
    resp = post(
        client,
        f"/cases/{case_id}/steps",
        {
            "event": "decide",
            "version": str(session.get(Case, case_id).version),
            "penalty_types": "fine",
            "fines.0.act": "超标排放",
            "fines.0.amount": "五万",
        },
    )
    assert resp.status_code == 422
    assert 'id="step-decide-fines.0.amount-error"' in resp.text and 'value="五万"' in resp.text


def test_the_legal_reviewer_passes_the_review_on_the_page(client, world, session):
    case_id = investigated(session, world, art58_conditions=["complex"])
    steps(
        session,
        world,
        case_id,
        ("request_legal_review", "officer", {"on": TODAY - timedelta(days=234)}),
    )
    as_user(client, world["officer"])
    assert 'id="step-pass_legal_review"' not in client.get(f"/cases/{case_id}").text
    as_user(client, world["reviewer"])
    page = client.get(f"/cases/{case_id}")
    assert 'id="step-pass_legal_review"' in page.text
    resp = post(
        client,
        f"/cases/{case_id}/steps",
        {
            "event": "pass_legal_review",
            "version": str(session.get(Case, case_id).version),
            "on": day(233),
        },
    )
    assert resp.status_code == 302, resp.text
    session.expire_all()
    case = session.get(Case, case_id)
    assert (case.status, case.legal_review_passed) == ("review", True)


# -- evidence and documents -------------------------------------------------------------------


def test_evidence_is_uploaded_listed_and_downloaded(client, world, session):
    case_id = investigated(session, world)
    as_user(client, world["officer"])
    page = client.get(f"/cases/{case_id}")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    resp = client.post(
        f"/cases/{case_id}/evidence",
        data={
            "csrf_token": token,
            "kind": "audio_visual",
            "title": "排污口现场照片",
            "collected_at": f"{day(236)}T10:05",
            "file": (io.BytesIO(PNG), "现场.png"),
        },
        content_type="multipart/form-data",
    )
    assert resp.status_code == 302, resp.text
    page = client.get(f"/cases/{case_id}")
    assert "排污口现场照片" in page.text and "视听资料" in page.text
    ev = session.scalars(select(Evidence)).one()
    download = client.get(f"/evidence/{ev.id}/file")
    assert download.status_code == 200 and download.data == PNG
    bad = client.post(
        f"/cases/{case_id}/evidence",
        data={
            "csrf_token": token,
            "kind": "document",
            "title": "伪装的文件",
            "collected_at": f"{day(236)}T10:05",
            "file": (io.BytesIO(b"MZ\x90\x00 not a pdf"), "report.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert bad.status_code == 422
    assert 'id="ev-file-error"' in bad.text and 'value="伪装的文件"' in bad.text
    as_user(client, world["stranger"])
    assert client.get(f"/evidence/{ev.id}/file").status_code == 404


def test_the_decision_document_is_issued_served_and_printed(client, world, session):
    case_id = notified(session, world)
    steps(
        session,
        world,
        case_id,
        (
            "decide",
            "head",
            {
                "on": TODAY - timedelta(days=225),
                "penalty_types": ["fine"],
                "fines": [{"act": "超标排放", "amount_cents": 5_000_000}],
                "correction_ordered_on": TODAY - timedelta(days=225),
            },
        ),
    )
    as_user(client, world["officer"])
    doc = {
        "kind": "decision",
        "version": str(session.get(Case, case_id).version),
        "issued_on": day(225),
        "agency": "遵义市生态环境局",
        "performance_manner": "将罚款缴至指定银行账户",
        "reconsideration_body": "遵义市人民政府",
    }
    missing = post(client, f"/cases/{case_id}/documents", doc)
    assert missing.status_code == 422
    assert "遵义市人民政府" in missing.text and 'id="dec-court-error"' in missing.text
    resp = post(
        client,
        f"/cases/{case_id}/documents",
        {
            **doc,
            "court": "仁怀市人民法院",
            "legal_basis": "《中华人民共和国水污染防治法》第八十三条",
            "evidence": "现场检查笔录\n监测报告",
        },
    )
    assert resp.status_code == 302, resp.text
    page = client.get(f"/cases/{case_id}")
    link = re.search(r'href="(/documents/(\d+)/print)"', page.text)
    printed = client.get(link.group(1))
    assert printed.status_code == 200
    assert "行政处罚决定书" in printed.text and "罚款，罚款人民币50,000.00元" in printed.text
    assert "<li>现场检查笔录</li>" in printed.text and "onclick" not in printed.text
    assert "<style>" not in printed.text
    served = post(
        client,
        f"/documents/{link.group(2)}/services",
        {"method": "direct", "served_on": day(224), "recipient": "公司法定代表人王建国"},
    )
    assert served.status_code == 302
    assert "直接送达" in client.get(f"/cases/{case_id}").text


# -- the family -------------------------------------------------------------------------------


def served_and_before_the_court(session, world):
    """A decision served 224 days ago; the bureau applies to the court for enforcement."""
    case_id = notified(session, world)
    steps(
        session,
        world,
        case_id,
        (
            "decide",
            "head",
            {
                "on": TODAY - timedelta(days=225),
                "penalty_types": ["fine"],
                "fines": [{"act": "超标排放", "amount_cents": 5_000_000}],
                "correction_ordered_on": TODAY - timedelta(days=225),
            },
        ),
        ("serve", "officer", {"on": TODAY - timedelta(days=224)}),
        ("start_enforcement", "officer", {"on": TODAY - timedelta(days=200)}),
        ("send_reminder", "officer", {"on": TODAY - timedelta(days=40)}),
        ("apply_court_enforcement", "head", {"on": TODAY - timedelta(days=2)}),
    )
    return case_id


def test_the_judge_sees_the_family_once_the_bureau_applies_to_the_court(
    client, world, session, auth
):
    case_id = served_and_before_the_court(session, world)
    assert session.get(Case, case_id).court_code == f"C{COUNTY}"
    judge = auth.user(Role.JUDGE, jurisdictions=("520300",), organ_code=f"C{COUNTY}")
    other_judge = auth.user(Role.JUDGE, jurisdictions=("520300",), organ_code="C520300")
    session.commit()
    vid = world["violation"].id
    as_user(client, judge)
    page = client.get(f"/violations/{vid}/family")
    assert page.status_code == 200
    assert "申请法院强制执行" in page.text and "仁怀市人民法院" in page.text
    assert "送达处罚决定书" in page.text  # the timeline names the steps
    assert "50,000.00" in page.text  # the ledger: fine assessed
    assert f"/cases/{case_id}" in client.get("/cases").text
    english = client.get(f"/violations/{vid}/family?lang=en")
    assert "Timeline across the channels" in english.text
    assert "Apply to the court for enforcement" in english.text
    as_user(client, other_judge)
    assert client.get(f"/violations/{vid}/family").status_code == 404
    assert client.get(f"/cases/{case_id}").status_code == 404


def test_the_family_masks_an_individuals_data_for_a_regulator(client, world, session, auth):
    case_id = investigated(session, world)
    channel_opening.open_channel_case(
        session,
        actor_for(session, world["officer"]),
        world["violation"].id,
        ChannelOpenSchema().load(
            {
                "track": "criminal",
                "source_case_id": case_id,
                "on": day(230),
                "report_officer_ids": [world["officer"].id, world["colleague"].id],
                "parties": [
                    {
                        "name": "张某",
                        "role": "suspect",
                        "id_number": "520382198001011234",
                        "phone": "13812345678",
                        "address": "贵州省仁怀市茅台镇某某村12号",
                    }
                ],
                "violation_id": world["violation"].id,
            }
        ),
    )
    regulator = auth.user(Role.CREDIT_REGULATOR, jurisdictions=("520000",))
    session.commit()
    as_user(client, world["officer"])
    mine = client.get(f"/violations/{world['violation'].id}/family")
    assert "520382198001011234" in mine.text and "刑事移送" in mine.text
    as_user(client, regulator)
    page = client.get(f"/violations/{world['violation'].id}/family")
    assert page.status_code == 200
    assert "520382198001011234" not in page.text and "5203************34" in page.text
    assert "138****5678" in page.text


def test_a_referral_opened_on_the_violation_page_is_approved_by_the_head(client, world, session):
    case_id = investigated(session, world)
    as_user(client, world["officer"])
    page = client.get(f"/violations/{world['violation'].id}")
    assert 'id="open-channel-form"' in page.text and "李执法" in page.text
    one_officer = post(
        client,
        f"/violations/{world['violation'].id}/channel-cases",
        {
            "track": "criminal",
            "on": day(230),
            "source_case_id": str(case_id),
            "report_officer_ids": [str(world["officer"].id)],
        },
    )
    assert one_officer.status_code == 302  # two officers are checked when the head approves
    referral = int(one_officer.headers["Location"].rsplit("/", 1)[1])
    as_user(client, world["head"])
    page = client.get(f"/cases/{referral}")
    assert "移送报告" in page.text and "批准移送" in page.text
    resp = post(
        client,
        f"/cases/{referral}/steps",
        {
            "event": "approve_transfer",
            "version": str(session.get(Case, referral).version),
            "on": day(229),
        },
    )
    assert resp.status_code == 409 and "两名以上执法人员提出移送书面报告" in resp.text
    session.expire_all()
    assert session.get(Case, referral).status == "reported"
    again = post(
        client,
        f"/violations/{world['violation'].id}/channel-cases",
        {
            "track": "criminal",
            "on": day(229),
            "source_case_id": str(case_id),
            "report_officer_ids": [str(world["officer"].id), str(world["colleague"].id)],
        },
    )
    referral = int(again.headers["Location"].rsplit("/", 1)[1])
    resp = post(
        client,
        f"/cases/{referral}/steps",
        {
            "event": "approve_transfer",
            "version": str(session.get(Case, referral).version),
            "on": day(228),
        },
    )
    assert resp.status_code == 302, resp.text
    session.expire_all()
    assert session.get(Case, referral).status == "approved"
    # The referral pauses the administrative case (衔接办法 2017 art. 16).
    assert session.get(Case, case_id).status == "transferred_criminal"
    family = client.get(f"/violations/{world['violation'].id}/family")
    assert "刑事移送" in family.text and "移送司法机关" in family.text


def test_the_family_timeline_reads_every_restoration_project_at_once(client, world, session, auth):
    """Each milestone done shows in the timeline, linked to its case, and the page reads the
    projects' milestones in one query however many projects there are (no query per row)."""
    claimant = auth.user(Role.COMPENSATION_OFFICER, jurisdictions=("520000",))
    session.commit()
    actor = actor_for(session, claimant)
    vid = world["violation"].id
    comp = channel_opening.open_channel_case(
        session,
        actor,
        vid,
        ChannelOpenSchema().load({"track": "compensation", "on": day(200), "violation_id": vid}),
    )

    def project(n):
        made = ledger.add_project(
            session,
            actor,
            comp.id,
            ProjectSchema().load(
                {
                    "title": f"河道修复工程{n}",
                    "budget_cents": 1_000_000,
                    "start_on": day(150),
                    "milestones": [{"title": f"底泥清理第{n}段", "due_on": day(100)}],
                }
            ),
            expected_version=session.get(Case, comp.id).version,
        )
        ledger.update_project(
            session,
            actor,
            made.id,
            ProjectUpdateSchema().load(
                {"milestones_done": [{"id": made.milestones[0].id, "done_on": day(110 - n)}]}
            ),
            expected_version=made.version,
        )

    def page_statements():
        statements = []

        def count(conn, cursor, statement, *args):
            statements.append(statement)

        sa_event.listen(db.engine, "before_cursor_execute", count)
        try:
            page = client.get(f"/violations/{vid}/family")
        finally:
            sa_event.remove(db.engine, "before_cursor_execute", count)
        assert page.status_code == 200
        return page, len(statements)

    as_user(client, world["officer"])
    project(1)
    page, one = page_statements()
    line = re.search(r"<li class=\"ch-compensation\">.*?底泥清理第1段.*?</li>", page.text)
    assert line and f'href="/cases/{comp.id}"' in line.group(0) and "修复节点" in line.group(0)
    project(2)
    project(3)
    page, three = page_statements()
    assert "底泥清理第3段" in page.text and "河道修复工程3" in page.text
    assert three == one
