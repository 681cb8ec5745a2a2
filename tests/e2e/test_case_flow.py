"""In the browser, end to end: an officer files a violation and opens its case; the case is
walked through the administrative procedure by the people the law names (bureau head, legal
reviewer, officers) to a served penalty decision; the bureau applies to the court for
enforcement, and the judge of that court reads the case family.

Every step goes through the page forms; the legal dates are typed into them (the steps happened
over the past months), as an officer records a step after the fact.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from casemgr.policy import Role
from casemgr.services.localtime import local_today
from tests.conftest import PASSWORD
from tests.e2e.conftest import log_in
from tests.factories import EnterpriseFactory

COUNTY = "520382"  # 仁怀市
TODAY = local_today()
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 2048


def day(offset: int) -> str:
    return (TODAY - timedelta(days=offset)).isoformat()


def switch_to(page: Any, user: Any) -> None:
    """Log out (the header's button) and log in as ``user`` through the login page."""
    if page.locator("header form button").count():
        with page.expect_navigation():
            page.click("header form button")
    log_in(page, user.username, PASSWORD)


def stage(page: Any) -> str:
    return page.locator("#case-stage").inner_text().strip()


def take_step(page: Any, event: str, on: str, **fields: str) -> None:
    """Fill a step form (its legal date and any data fields) and submit it."""
    form = f"#step-{event}"
    page.fill(f"{form} input[name=on]", on)
    for name, value in fields.items():
        page.fill(f"{form} [name='{name}']", value)
    with page.expect_navigation():
        page.click(f"{form} button[type=submit]")


def test_a_violation_is_walked_to_a_served_decision_and_read_by_the_judge(page, auth, shot):
    officer = auth.user(Role.OFFICER, jurisdictions=(COUNTY,), display_name="王执法")
    colleague = auth.user(Role.OFFICER, jurisdictions=(COUNTY,), display_name="李执法")
    head = auth.user(Role.BUREAU_HEAD, jurisdictions=("520300",), display_name="赵局长")
    reviewer = auth.user(Role.LEGAL_REVIEWER, jurisdictions=("520300",), display_name="钱审核")
    judge = auth.user(
        Role.JUDGE, jurisdictions=("520300",), organ_code=f"C{COUNTY}", display_name="孙法官"
    )
    ent = EnterpriseFactory(county_code=COUNTY, name="贵州仁怀某某酒业有限公司")
    auth.session.commit()

    # The officer files the violation through the form.
    log_in(page, officer.username, PASSWORD)
    page.click("nav.main-nav >> text=案件")
    page.click("text=登记违法行为")
    page.fill("#v-summary", "超标排放酿酒废水")
    page.fill("#v-enterprises", ent.uscc)
    page.select_option("#v-origin", "inspection")
    page.fill("#v-found_at", f"{day(250)}T09:30")
    page.fill("#v-place", "仁怀市茅台镇赤水河支流排污口")
    page.fill("#v-description", "排污口化学需氧量超过排放标准 2.1 倍")
    shot("violation-form")
    with page.expect_navigation():
        page.click("#violation-form button[type=submit]")
    assert re.search(r"/violations/\d+$", page.url)
    assert "超标排放酿酒废水" in page.inner_text("main")

    # ... and opens its case as a lead; legal review is required (行政处罚法 art. 58).
    page.fill("#open-lead_received_on", day(240))
    page.check("#open-case-form input[name=art58_conditions][value=complex]")
    with page.expect_navigation():
        page.click("#open-case-form button[type=submit]")
    case_url = page.url
    assert re.search(r"/cases/\d+$", case_url) and stage(page) == "线索"
    shot("lead")

    # The bureau head files it (立案).
    switch_to(page, head)
    page.goto(case_url)
    take_step(page, "file", day(238))
    assert stage(page) == "立案"
    assert "遵环罚〔" in page.inner_text("h1")
    assert "作出处罚决定期限" in page.inner_text("#deadlines")

    # The officers investigate: a record by two certified officers, evidence with its file.
    switch_to(page, officer)
    page.goto(case_url)
    take_step(page, "start_investigation", day(238))
    page.select_option("#record-kind", "inspection")
    page.fill("#record-held_at", f"{day(236)}T10:00")
    page.fill("#record-place", "排污口")
    page.check(f"#record-form input[name=officer_ids][value='{colleague.id}']")
    with page.expect_navigation():
        page.click("#record-form button[type=submit]")
    assert "李执法" in page.inner_text("#records")
    page.click("#evidence-upload summary")
    page.fill("#ev-title", "排污口现场照片")
    page.select_option("#ev-kind", "audio_visual")
    page.fill("#ev-collected_at", f"{day(236)}T10:05")
    page.set_input_files(
        "#ev-file", files=[{"name": "现场.png", "mimeType": "image/png", "buffer": PNG}]
    )
    with page.expect_navigation():
        page.click("#evidence-upload button[type=submit]")  # sent by XMLHttpRequest
    assert "排污口现场照片" in page.inner_text("#evidence")
    take_step(page, "conclude_investigation", day(235))
    assert stage(page) == "案件审查"
    take_step(page, "request_legal_review", day(234))
    assert stage(page) == "法制审核"
    shot("investigated")

    # The legal reviewer passes the legal review (法制审核).
    switch_to(page, reviewer)
    page.goto(case_url)
    take_step(page, "pass_legal_review", day(233))
    assert stage(page) == "案件审查"

    # Prior notice of a 50,000 CNY fine; the party's statement and defence, re-checked.
    switch_to(page, officer)
    page.goto(case_url)
    page.check("#step-notify input[name=proposed_penalty_types][value=fine]")
    take_step(page, "notify", day(232), proposed_fine="50000")
    assert stage(page) == "已事先告知"
    take_step(page, "receive_statement", day(230))
    assert stage(page) == "陈述申辩"
    take_step(page, "complete_recheck", day(229))
    assert stage(page) == "案件审查"
    shot("heard")

    # The head decides; a fine above the notified one is refused and nothing changes.
    switch_to(page, head)
    page.goto(case_url)
    page.fill("#step-decide [name='fines.0.act']", "超标排放水污染物")
    page.fill("#step-decide [name='correction_ordered_on']", day(225))
    take_step(page, "decide", day(225), **{"fines.0.amount": "60000"})
    assert "不得因陈述申辩加重处罚" in page.inner_text("main")
    assert page.input_value("#step-decide [name='fines.0.amount']") == "60000"
    assert stage(page) == "案件审查"
    shot("decision-refused")
    take_step(page, "decide", day(225), **{"fines.0.amount": "50000"})
    assert stage(page) == "已作出处罚决定"

    # The officer issues the decision (行政处罚决定书), prints it and serves it (送达).
    switch_to(page, officer)
    page.goto(case_url)
    page.fill("#dec-agency", "遵义市生态环境局")
    page.fill("#dec-performance_manner", "自收到本决定书之日起十五日内缴至指定银行账户")
    page.fill("#dec-reconsideration_body", "遵义市人民政府")
    page.fill("#dec-court", "仁怀市人民法院")
    page.fill("#dec-legal_basis", "《中华人民共和国水污染防治法》第八十三条第二项")
    with page.expect_navigation():
        page.click("#decision-doc-form button[type=submit]")
    with page.expect_navigation():
        page.click("#documents >> text=行政处罚决定书")
    assert "罚款人民币50,000.00元" in page.inner_text("body")
    shot("decision-printed")
    page.go_back()
    page.click("#documents summary")
    page.fill("#documents input[name=served_on]", day(224))
    page.fill("#documents input[name=recipient]", "法定代表人王建国")
    with page.expect_navigation():
        page.click("#documents form button[type=submit]")
    take_step(page, "serve", day(224))
    assert stage(page) == "处罚决定书已送达"
    shot("served")

    # Unpaid: enforcement, a written reminder (催告), and the head applies to the court.
    take_step(page, "start_enforcement", day(200))
    take_step(page, "send_reminder", day(40))
    switch_to(page, head)
    page.goto(case_url)
    take_step(page, "apply_court_enforcement", day(2))
    assert stage(page) == "已申请法院强制执行"
    assert "仁怀市人民法院" in page.inner_text("main")

    # The judge of that court finds the case and reads its family.
    switch_to(page, judge)
    page.click("nav.main-nav >> text=案件")
    with page.expect_navigation():
        page.click("table >> text=遵环罚〔")
    with page.expect_navigation():
        page.click("text=案件族")
    timeline = page.inner_text("#timeline")
    for step in ("立案", "法制审核通过", "送达事先告知书", "作出行政处罚决定", "送达处罚决定书"):
        assert step in timeline
    assert "申请法院强制执行" in timeline
    assert "50,000.00" in page.inner_text("#ledger")
    assert "仁怀市人民法院" in page.inner_text("#family-cases")
    shot("family-judge")


def test_a_violation_form_with_bad_input_keeps_what_was_typed(page, auth, shot):
    officer = auth.user(Role.OFFICER, jurisdictions=(COUNTY,))
    auth.session.commit()
    log_in(page, officer.username, PASSWORD)
    page.goto("/violations/new")
    page.fill("#v-enterprises", "91520000000000000X")
    page.select_option("#v-origin", "complaint_12369")
    page.fill("#v-found_at", f"{day(3)}T14:30")
    page.fill("#v-place", "茅台镇下游")
    page.fill("#v-loss", "十二万")
    with page.expect_navigation():
        page.click("#violation-form button[type=submit]")
    main = page.inner_text("main")
    assert "没有统一社会信用代码为 91520000000000000X 的企业" in main
    assert "此字段为必填项" in page.inner_text(".field:has(#v-summary)")
    assert "请输入以元为单位的金额" in page.inner_text(".field:has(#v-loss)")
    assert page.input_value("#v-place") == "茅台镇下游"
    assert page.input_value("#v-enterprises") == "91520000000000000X"
    assert page.input_value("#v-found_at") == f"{day(3)}T14:30"
    assert page.input_value("#v-origin") == "complaint_12369"
    assert page.get_attribute("#v-summary", "aria-invalid") == "true"
    shot("violation-form-errors")
