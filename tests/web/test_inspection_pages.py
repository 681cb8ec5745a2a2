"""Inspection pages: the round as a calendar with its blackouts, moving a stay (accepted, and
refused with each broken rule beside the field and the typed dates kept), a unit inspection's
stages and problems, a random draw's results and verification, who may do what, English."""

from __future__ import annotations

import gzip
import json
import re
import zlib
from datetime import date

import pytest
from sqlalchemy import select

from casemgr.models import (
    CreditScore,
    DrawInputs,
    DrawStatus,
    DrawTarget,
    InspectionDraw,
    ScoreReason,
    Task,
    TaskStatus,
    UnitInspection,
    User,
    Violation,
)
from casemgr.policy import SYSTEM_ACTOR, Role
from casemgr.services import credit, tasks
from casemgr.services import inspections as svc
from tests.factories import EnterpriseFactory, SourceFactory
from tests.web.conftest import login

ZUNYI = ("520302", "520303", "520381", "520382")  # 红花岗, 汇川, 赤水, 仁怀
VALID = date(2030, 12, 31)


def _cell(html: str, day: date) -> str:
    """The calendar cell of one day (its HTML)."""
    match = re.search(rf'<td data-day="{day.isoformat()}"[^>]*>(.*?)</td>', html, re.S)
    assert match, f"no calendar cell for {day}"
    return match.group(0)


def _field(html: str, prefix: str, name: str) -> str:
    """The HTML of one form field block (label, control, errors) by its id."""
    match = re.search(
        rf'<div class="field[^"]*">\s*<label for="{prefix}-{name}">.*?</div>', html, re.S
    )
    assert match, f"no field {prefix}-{name}"
    return match.group(0)


@pytest.fixture
def plan(session):
    """A 2026 round over 贵阳, 六盘水 and 遵义 with two teams, Spring Festival blacked out:
    T1 in 贵阳 2026-01-01..01-30, T2 in 六盘水 05-02..05-31, T1 in 遵义 09-01..09-30."""
    teams = [
        svc.create_team(session, SYSTEM_ACTOR, {"code": code, "name": name})
        for code, name in (("T1", "省第一督察组"), ("T2", "省第二督察组"))
    ]
    rnd = svc.plan_round(
        session,
        SYSTEM_ACTOR,
        {
            "name": "2026年度省级生态环境保护督察",
            "cycle_start": date(2026, 1, 1),
            "cycle_end": date(2026, 12, 31),
            "team_ids": [t.id for t in teams],
            "unit_codes": ["520100", "520200", "520300"],
        },
    )
    session.commit()
    by_unit = {v.unit_code: v for v in rnd.visits}
    assert (by_unit["520100"].start_on, by_unit["520100"].team.code) == (date(2026, 1, 1), "T1")
    return rnd, by_unit


@pytest.fixture
def planner(browser_as):
    return browser_as(Role.INSPECTION_PLANNER, jurisdictions=("520000",))[0]


def test_the_calendar_shows_each_stay_on_its_days_and_shades_the_spring_festival(plan, planner):
    rnd, by_unit = plan
    guiyang = by_unit["520100"]
    page = planner.get(f"/inspections/rounds/{rnd.id}?month=2026-01")
    assert page.status_code == 200
    html = page.text
    link = f'href="/inspections/units/{guiyang.id}"'
    for day in (date(2026, 1, 1), date(2026, 1, 15), date(2026, 1, 30)):
        cell = _cell(html, day)
        assert link in cell and "T1 贵阳市" in cell
    assert link not in _cell(html, date(2026, 1, 31))
    # Spring Festival 2026 (2026-02-10..02-27) in the second month block, shaded and named.
    festival = _cell(html, date(2026, 2, 17))
    assert "blackout" in festival and "春节 2026" in festival
    assert "blackout" not in _cell(html, date(2026, 2, 9))
    assert "2026年01月" in html and "周一" in html
    # The list per unit names the team and the stage of each stay.
    assert "省第一督察组 (T1)" in html and "督察准备" in html
    # Months of the round can be browsed: September shows 遵义's stay.
    september = planner.get(f"/inspections/rounds/{rnd.id}?month=2026-09").text
    assert f'href="/inspections/units/{by_unit["520300"].id}"' in _cell(
        september, date(2026, 9, 10)
    )


def test_a_planner_moves_a_stay_and_the_calendar_follows(plan, planner, session):
    rnd, by_unit = plan
    guiyang = by_unit["520100"]
    page = planner.get(f"/inspections/rounds/{rnd.id}").text
    assert 'id="move-visit_id"' in page
    resp = planner.post(
        f"/inspections/rounds/{rnd.id}/move",
        {"visit_id": guiyang.id, f"v{guiyang.id}": guiyang.version, "start_on": "2026-01-05"},
    )
    assert resp.status_code == 302, resp.text
    session.expire_all()
    moved = session.get(UnitInspection, guiyang.id)
    assert (moved.start_on, moved.end_on) == (date(2026, 1, 5), date(2026, 2, 3))
    html = planner.get(resp.headers["Location"]).text
    assert "2026-01-05" in html  # the flash message
    assert f'href="/inspections/units/{guiyang.id}"' not in _cell(html, date(2026, 1, 4))
    assert f'href="/inspections/units/{guiyang.id}"' in _cell(html, date(2026, 2, 3))


def test_a_move_that_breaks_rules_is_refused_with_each_rule_and_the_dates_kept(
    plan, planner, session
):
    rnd, by_unit = plan
    zunyi = by_unit["520300"]  # T1, 2026-09-01..09-30
    resp = planner.post(
        f"/inspections/rounds/{rnd.id}/move",
        {
            "visit_id": zunyi.id,
            f"v{zunyi.id}": zunyi.version,
            "start_on": "2026-01-20",
            "end_on": "2026-02-18",
        },
    )
    assert resp.status_code == 422
    start = _field(resp.text, "move", "start_on")
    team = _field(resp.text, "move", "team_id")
    # Two rules, each shown where it belongs: the blackout beside the start, the team's clash
    # with its own stay in 贵阳 beside the team.
    assert "春节 2026" in start and 'aria-invalid="true"' in start
    assert "贵阳市 (520100)" in team
    assert 'value="2026-01-20"' in start
    assert 'value="2026-02-18"' in _field(resp.text, "move", "end_on")
    assert re.search(rf'<option value="{zunyi.id}" selected>', resp.text)
    assert "该调整违反督察计划规则。" in resp.text  # the form message, in Chinese
    session.expire_all()
    assert session.get(UnitInspection, zunyi.id).start_on == date(2026, 9, 1)


def test_a_unit_inspection_records_its_events_and_problems(plan, planner, session):
    _rnd, by_unit = plan
    v = by_unit["520300"]
    url = f"/inspections/units/{v.id}"
    page = planner.get(url).text
    assert "遵义市" in page and "进驻" in page
    arrived = planner.post(
        f"{url}/events", {"event": "arrive", "on": "2026-09-01", "version": v.version}
    )
    assert arrived.status_code == 302, arrived.text
    session.expire_all()
    v = session.get(UnitInspection, v.id)
    assert v.stage.value == "on_site"
    page = planner.get(url).text
    assert 'aria-current="step" class="now">督察进驻' in page
    # The report may not come before the last day on site: refused with the rule, date kept.
    early = planner.post(
        f"{url}/events", {"event": "report", "on": "2026-09-10", "version": v.version}
    )
    assert early.status_code == 409
    assert "督察程序" in early.text and 'value="2026-09-10"' in early.text
    assert "《中央生态环境保护督察工作规定》（2019）" in early.text
    # In English, the rule and its basis read in English.
    english = planner.get(f"{url}?lang=en").text
    assert "Provisions on Central Eco-environmental Protection Inspections (2019)" in english
    assert "中央生态环境保护督察工作规定" not in english
    # A problem found in 仁怀 (inside 遵义), handed over as a violation.
    added = planner.post(
        f"{url}/problems", {"description": "赤水河支流污水直排", "county_code": "520382"}
    )
    assert added.status_code == 302, added.text
    outside = planner.post(
        f"{url}/problems", {"description": "不在本单元", "county_code": "520102"}
    )
    assert outside.status_code == 422
    assert 'value="不在本单元"' not in outside.text  # a textarea keeps it as text instead
    assert "不在本单元</textarea>" in outside.text
    session.expire_all()
    problem = session.get(UnitInspection, v.id).problems[0]
    handed = planner.post(
        f"/inspections/problems/{problem.id}/hand-over",
        {"on": "2026-09-30", "version": problem.version},
    )
    assert handed.status_code == 302, handed.text
    session.expire_all()
    violation_id = session.get(UnitInspection, v.id).problems[0].violation_id
    assert session.get(Violation, violation_id).county_code == "520382"
    page = planner.get(url).text
    assert f'href="/violations/{violation_id}"' in page and "已移交" in page


def test_a_non_planner_sees_the_plan_but_cannot_move_or_advance_it(plan, browser_as, session):
    rnd, by_unit = plan
    officer, _ = browser_as(Role.OFFICER, jurisdictions=("520102",))
    page = officer.get(f"/inspections/rounds/{rnd.id}")
    assert page.status_code == 200 and 'id="move-visit_id"' not in page.text
    v = by_unit["520100"]
    refused = officer.post(
        f"/inspections/rounds/{rnd.id}/move",
        {"visit_id": v.id, f"v{v.id}": v.version, "start_on": "2026-01-05"},
    )
    assert refused.status_code == 403 and "您的角色无权执行此操作。" in refused.text
    event = officer.post(
        f"/inspections/units/{v.id}/events", {"event": "arrive", "on": "2026-01-01", "version": 1}
    )
    assert event.status_code == 403
    session.expire_all()
    assert session.get(UnitInspection, v.id).stage.value == "preparation"
    assert officer.get("/inspections/units/999999").status_code == 404


@pytest.fixture
def world(session, auth):
    """遵义: 10 key and 30 general enterprises over four counties, one of them red-tier (so
    always drawn as a special supervision object), eight certified officers."""
    ents = []
    for i in range(40):
        ent = EnterpriseFactory(county_code=ZUNYI[i % 4], name=f"遵义测试{i:02d}号化工有限公司")
        SourceFactory(enterprise=ent, key_pollutant_unit=i < 10)
        ents.append(ent)
    session.flush()
    scheme = credit.scheme_named("guizhou-2019")
    session.add(
        CreditScore(
            enterprise_id=ents[20].id,
            scheme=scheme.key,
            as_of=date(2026, 1, 1),
            reason=ScoreReason.RESCORE,
            status="rated",
            points=50.0,
            score_tier="red",
            own_tier="red",
            tier="red",
            contributions=[],
            digest="0" * 64,
        )
    )
    session.commit()
    officers = [
        auth.user(
            Role.OFFICER,
            jurisdictions=(county,),
            certificate_valid_until=VALID,
            display_name=f"检查员{county}-{n}",
        )
        for county in ZUNYI
        for n in range(2)
    ]
    session.commit()
    return {"ents": ents, "red": ents[20], "officers": officers}


def _prepare(browser, expect=302, **extra):
    body = {
        "title": "遵义市2026年第三季度双随机抽查",
        "scope_code": "520300",
        "period": "quarter",
        "period_label": "2026Q3",
        "draw_on": "2026-07-01",
        "seed": "GZ-520300-2026Q3-双色球2026081",
        **extra,
    }
    resp = browser.post("/inspections/draws", body)
    assert resp.status_code == expect, resp.text
    return resp


def test_a_draw_is_prepared_drawn_and_its_results_shown_and_verified(
    app, world, browser_as, session
):
    planner, _ = browser_as(Role.INSPECTION_PLANNER, jurisdictions=("520300",))
    resp = _prepare(planner)
    draw = session.scalars(select(InspectionDraw)).one()
    url = f"/inspections/draws/{draw.id}"
    assert resp.headers["Location"].endswith(url)
    page = planner.get(url).text
    assert "GZ-520300-2026Q3-双色球2026081" in page and "已公布种子" in page
    assert "尚未抽取" in page and draw.pool_digest in page
    executed = planner.post(f"{url}/execute")
    assert executed.status_code == 302, executed.text
    page = planner.get(url).text
    red = world["red"]
    assert f'<a href="/enterprises/{red.id}">{red.name}</a>' in page
    assert "特殊监管对象" in page and "红牌（环保不良）" in page
    assert "检查员" in page  # the inspectors by name
    assert "遵义市" in page and "已抽取" in page
    # Nothing re-runs in the request: the draw page offers a verification, queued as a task.
    assert "尚未验证" in page
    assert planner.get(f"{url}/verification").text.count("验证通过") == 0
    queued = planner.post(f"{url}/verification")
    assert queued.status_code == 302 and "/tasks/" in queued.headers["Location"]
    task_id = int(queued.headers["Location"].rsplit("/", 1)[1])
    task = session.get(Task, task_id)
    assert (task.kind, task.params, task.status) == (
        "draw_verify",
        {"draw_id": draw.id},
        TaskStatus.QUEUED,
    )
    assert "验证正在进行" in planner.get(url).text  # and no second button while it runs
    again_queued = planner.post(f"{url}/verification")
    assert again_queued.headers["Location"].endswith(f"/tasks/{task_id}")
    assert tasks.run_next(session, app.config).id == task_id
    assert tasks.run_next(session, app.config) is None  # the second click queued nothing
    page = planner.get(url).text
    assert "验证通过" in page and "尚未验证" not in page
    check = planner.get(f"{url}/verification")
    assert check.status_code == 200 and "验证通过" in check.text
    session.refresh(draw)
    assert check.text.count(draw.result_digest) == 2  # stored and recomputed
    assert f'href="/tasks/{task_id}"' in check.text
    # The download: the stored compressed document as it is, or decompressed for a client
    # that takes no gzip; the same JSON either way, without the internal enterprise ids.
    inputs = planner.get(f"{url}/inputs.json")
    assert inputs.status_code == 200 and "Content-Encoding" not in inputs.headers
    doc = inputs.get_json()
    assert doc["seed"].startswith("GZ-520300") and "enterprise_ids" not in doc
    assert len(doc["pool"]) == draw.pool_size == 40
    zipped = planner.get(f"{url}/inputs.json", headers={"Accept-Encoding": "gzip, deflate"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert zipped.headers["Content-Disposition"].endswith(f'"draw-{draw.id}-inputs.json"')
    assert gzip.decompress(zipped.get_data()) == inputs.get_data()
    # A second step out of order is refused with the reason, nothing changes.
    again = planner.post(f"{url}/execute")
    assert again.status_code == 409 and "此操作要求状态为 prepared" in again.text
    cancelled = planner.post(f"{url}/cancel", {})
    assert cancelled.status_code == 422
    assert "cancel-reason-error" in cancelled.text


def test_draw_lists_stay_secret_from_others_and_scopes_are_enforced(world, browser_as, session):
    planner, _ = browser_as(Role.INSPECTION_PLANNER, jurisdictions=("520300",))
    # A scope outside the planner's jurisdiction: refused beside the field, input kept.
    refused = _prepare(planner, expect=422, scope_code="520100")
    scope = _field(refused.text, "draw", "scope_code")
    assert "“520100”不在您的辖区内。" in scope
    assert 'value="遵义市2026年第三季度双随机抽查"' in refused.text
    assert session.scalars(select(InspectionDraw)).first() is None
    _prepare(planner)
    draw_id = session.scalars(select(InspectionDraw)).one().id
    assert planner.post(f"/inspections/draws/{draw_id}/execute").status_code == 302
    # An officer of another county: the draw is public, its list is not until dispatch.
    officer, _ = browser_as(Role.OFFICER, jurisdictions=("520102",))
    page = officer.get(f"/inspections/draws/{draw_id}")
    assert page.status_code == 200
    assert "检查名单在派发前保密" in page.text
    assert world["red"].name not in page.text
    assert officer.post(f"/inspections/draws/{draw_id}/dispatch").status_code == 403
    assert officer.get(f"/inspections/draws/{draw_id}/inputs.json").status_code == 404
    assert session.get(InspectionDraw, draw_id).status is DrawStatus.DRAWN


def _switch(browser, session, user):
    """Log ``browser`` in as ``user`` (one test client: the app context, and with it the
    logged-in user Flask-Login keeps in ``g``, outlives each request in a test)."""
    session.commit()
    assert login(browser.client, user.username).status_code == 302
    return browser


def _drawn(browser, session, *, dispatch=False):
    """Prepare and draw (and dispatch) the 遵义 draw through the pages; the stored draw."""
    _prepare(browser)
    draw = session.scalars(select(InspectionDraw)).one()
    assert browser.post(f"/inspections/draws/{draw.id}/execute").status_code == 302
    if dispatch:
        assert browser.post(f"/inspections/draws/{draw.id}/dispatch").status_code == 302
    session.expire_all()
    return session.get(InspectionDraw, draw.id)


def test_each_target_has_its_own_outcome_form_and_a_refusal_reopens_that_one(
    app, world, browser_as, session
):
    planner, _ = browser_as(Role.INSPECTION_PLANNER, jurisdictions=("520300",))
    draw = _drawn(planner, session, dispatch=True)
    url = f"/inspections/draws/{draw.id}"
    targets = session.scalars(
        select(DrawTarget).where(DrawTarget.draw_id == draw.id).order_by(DrawTarget.rank)
    ).all()
    first, second = targets[0], targets[1]
    page = planner.get(url).text
    # One form per row, each posting to its own target with its own field ids and labels.
    for t in targets:
        assert f'action="/inspections/draw-targets/{t.id}/outcome"' in page
        assert f'<label for="outcome-{t.id}-outcome">' in page
        assert f'id="outcome-{t.id}-finding"' in page
    assert "__TARGET__" not in page
    assert page.count("<summary>登记检查结果</summary>") == len(targets)
    # Refused (no outcome chosen): 422, that row's form open with the error and the finding
    # kept; the other rows untouched.
    refused = planner.post(
        f"/inspections/draw-targets/{second.id}/outcome",
        {"inspected_on": "2026-07-20", "finding": "废水排放口未设标识"},
    )
    assert refused.status_code == 422
    form = _field(refused.text, f"outcome-{second.id}", "outcome")
    assert "此字段为必填项。" in form and 'aria-invalid="true"' in form
    assert "废水排放口未设标识</textarea>" in refused.text
    assert refused.text.count("<details open>\n  <summary>登记检查结果") == 1
    assert f'id="outcome-{first.id}-outcome"' in refused.text
    recorded = planner.post(
        f"/inspections/draw-targets/{first.id}/outcome",
        {"outcome": "no_problem", "inspected_on": "2026-07-20", "finding": "现场检查正常"},
    )
    assert recorded.status_code == 302, recorded.text
    page = planner.get(url).text
    assert "未发现问题 · 2026-07-20" in page and "现场检查正常" in page
    # An inspector of the draw sees only their own inspections and forms.
    officer = session.get(User, targets[0].inspectors[0])
    mine = {t.id for t in targets if officer.id in t.inspectors}
    own = _switch(planner, session, officer).get(url).text
    assert {int(i) for i in re.findall(r"/inspections/draw-targets/(\d+)/outcome", own)} == mine


def test_a_verification_that_does_not_give_the_stored_result_says_so(
    app, world, browser_as, session
):
    planner, _ = browser_as(Role.INSPECTION_PLANNER, jurisdictions=("520300",))
    draw = _drawn(planner, session)
    stored = draw.result_digest
    draw.result_digest = "0" * 64  # as if the stored result had been altered
    session.commit()
    url = f"/inspections/draws/{draw.id}"
    assert planner.post(f"{url}/verification").status_code == 302
    assert tasks.run_next(session, app.config).status is TaskStatus.DONE
    page = planner.get(url).text
    assert "不一致：重新运行的结果与存档结果不同。" in page and "验证通过" not in page
    check = planner.get(f"{url}/verification").text
    assert "0" * 64 in check and stored in check  # the stored and the recomputed digests
    # In English too.
    english = planner.get(f"{url}?lang=en").text
    assert "Latest verification" in english and "Mismatch" in english


def test_a_draw_not_yet_drawn_cannot_be_verified_and_anyone_may_verify_a_drawn_one(
    app, auth, world, browser_as, session
):
    planner, planner_user = browser_as(Role.INSPECTION_PLANNER, jurisdictions=("520300",))
    _prepare(planner)
    draw = session.scalars(select(InspectionDraw)).one()
    url = f"/inspections/draws/{draw.id}"
    refused = planner.post(f"{url}/verification")
    assert refused.status_code == 302 and refused.headers["Location"].endswith(url)
    assert "尚未抽取：没有可供验证的结果" in planner.get(url).text
    assert session.scalars(select(Task)).first() is None
    assert planner.post("/inspections/draws/999999/verification").status_code == 404
    # Drawn: an officer of another county (who does not see the list) may verify it; the
    # planner sees the outcome, but not a link to the officer's task.
    assert planner.post(f"{url}/execute").status_code == 302
    officer = _switch(planner, session, auth.user(Role.OFFICER, jurisdictions=("520102",)))
    assert "检查名单在派发前保密" in officer.get(url).text
    queued = officer.post(f"{url}/verification")
    assert queued.status_code == 302
    task_id = int(queued.headers["Location"].rsplit("/", 1)[1])
    tasks.run_next(session, app.config)
    assert "验证通过" in officer.get(f"{url}/verification").text
    planner = _switch(officer, session, planner_user)
    check = planner.get(f"{url}/verification").text
    assert "验证通过" in check and f'href="/tasks/{task_id}"' not in check


def test_inputs_frozen_before_the_split_are_still_read_and_downloaded(
    app, world, browser_as, session
):
    """A draw stored as one gzip member with the enterprise ids as the document's last key
    (before the ids got a member of their own) downloads and verifies as before."""
    planner, _ = browser_as(Role.INSPECTION_PLANNER, jurisdictions=("520300",))
    _prepare(planner)
    draw = session.scalars(select(InspectionDraw)).one()
    url = f"/inspections/draws/{draw.id}"
    new = planner.get(f"{url}/inputs.json")
    doc = new.get_json()
    row = session.get(DrawInputs, draw.id)
    ids = json.loads(zlib.decompressobj(wbits=31).decompress(row.document))
    old = dict(doc, enterprise_ids=ids)
    row.document = gzip.compress(
        json.dumps(old, ensure_ascii=False, separators=(",", ":")).encode()
    )
    session.commit()
    assert planner.get(f"{url}/inputs.json").get_data() == new.get_data()
    plain = planner.get(f"{url}/inputs.json", headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in plain.headers  # nothing stored to send compressed
    assert plain.get_data() == new.get_data()
    # Drawing reads the ids back from the old form.
    assert planner.post(f"{url}/execute").status_code == 302
    assert planner.post(f"{url}/verification").status_code == 302
    tasks.run_next(session, app.config)
    assert "验证通过" in planner.get(url).text


def test_the_overview_lists_the_current_round_and_the_draws(plan, planner):
    rnd, _ = plan
    page = planner.get("/inspections")
    assert page.status_code == 200
    assert f'href="/inspections/rounds/{rnd.id}"' in page.text
    assert "2026年度省级生态环境保护督察" in page.text and "进行中" in page.text
    assert 'id="draw-scope_code"' in page.text  # planners may prepare a draw


def test_the_pages_speak_english_on_request(plan, planner):
    rnd, by_unit = plan
    overview = planner.get("/inspections?lang=en").text
    assert "Inspection rounds" in overview and "Random draws" in overview
    assert "督察轮次" not in overview
    calendar = planner.get(f"/inspections/rounds/{rnd.id}?month=2026-01&lang=en").text
    assert "Calendar" in calendar and "Mon" in calendar and "Preparation" in calendar
    unit = planner.get(f"/inspections/units/{by_unit['520100'].id}?lang=en").text
    assert "Arrive on site" in unit and "Problems found" in unit
