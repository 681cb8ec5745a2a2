"""In the browser: an officer logging a violation finds the enterprises by part of their name
and picks them; their codes go into the plain USCC field the form posts."""

from __future__ import annotations

import pytest

from casemgr.policy import Role
from tests.conftest import PASSWORD
from tests.e2e.conftest import log_in
from tests.factories import EnterpriseFactory

expect = pytest.importorskip("playwright.sync_api").expect

COUNTY = "520382"  # 仁怀市


def test_an_officer_picks_enterprises_by_name_into_the_uscc_field(page, auth, shot):
    officer = auth.user(Role.OFFICER, jurisdictions=(COUNTY,), display_name="王执法")
    first = EnterpriseFactory(county_code=COUNTY, name="仁怀市茅台镇国酱酒业有限公司")
    second = EnterpriseFactory(county_code=COUNTY, name="仁怀市国酱包装材料有限公司")
    EnterpriseFactory(county_code="520102", name="贵阳国酱贸易有限公司")  # another county
    auth.session.commit()
    log_in(page, officer.username, PASSWORD)
    page.goto("/violations/new")

    picker = page.locator("#enterprise-picker")
    expect(picker).to_be_visible()
    page.fill("#enterprise-find", "国")
    page.fill("#enterprise-find", "国酱")
    matches = page.locator("#enterprise-matches button")
    expect(matches).to_have_count(2)  # 贵阳's enterprise lies outside the officer's county
    shot("matches")
    page.click(f"#enterprise-matches button[data-uscc='{first.uscc}']")
    expect(page.locator("#v-enterprises")).to_have_value(first.uscc)
    expect(page.locator("#enterprise-find-status")).to_contain_text("已添加")
    page.click(f"#enterprise-matches button[data-uscc='{second.uscc}']")
    expect(page.locator("#v-enterprises")).to_have_value(f"{first.uscc}, {second.uscc}")

    page.fill("#enterprise-find", "没有这家企业")
    expect(page.locator("#enterprise-find-status")).to_have_text("未找到企业。")
    expect(matches).to_have_count(0)
    page.press("#enterprise-find", "Enter")  # searches, never submits the form
    assert page.url.endswith("/violations/new")
