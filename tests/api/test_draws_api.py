"""Random inspection draws through HTTP: frozen inputs and a published seed, the same list on a
re-run, conflicts and home counties respected, secrecy until dispatch, refusals with numbers."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from casemgr.models import DrawTarget, EnterpriseStatus, PermitClass
from casemgr.policy import Role
from tests.factories import EnterpriseFactory, SourceFactory

ZUNYI = ("520302", "520303", "520381", "520382")  # 红花岗, 汇川, 赤水, 仁怀
VALID = date(2030, 12, 31)
SEED = "GZ-520300-2026Q3-双色球2026081"


@pytest.fixture
def world(client, auth, session):
    """遵义: 40 key and 160 general enterprises over four counties, eight certified officers (two
    per county), one whose certificate lapsed, a closed enterprise, a planner."""
    ents = []
    for i in range(200):
        county = ZUNYI[i % 4]
        ent = EnterpriseFactory(county_code=county)
        SourceFactory(
            enterprise=ent,
            permit_class=PermitClass.KEY if i < 40 else PermitClass.REGISTRATION,
            key_pollutant_unit=i < 40,
        )
        ents.append(ent)
    closed = EnterpriseFactory(county_code="520302", status=EnterpriseStatus.DEREGISTERED)
    SourceFactory(enterprise=closed)
    session.commit()
    officers = [
        auth.login(Role.OFFICER, jurisdictions=(county,), certificate_valid_until=VALID)
        for county in ZUNYI
        for _ in range(2)
    ]
    lapsed = auth.user(
        Role.OFFICER, jurisdictions=("520302",), certificate_valid_until=date(2025, 1, 1)
    )
    planner = auth.login(Role.INSPECTION_PLANNER, jurisdictions=("520300",))
    return {"ents": ents, "officers": officers, "lapsed": lapsed, "planner": planner}


def _prepare(client, planner, expect=201, **extra):
    body = {
        "title": "遵义市2026年第三季度双随机抽查",
        "scope_code": "520300",
        "period": "quarter",
        "period_label": "2026Q3",
        "draw_on": "2026-07-01",
        "seed": SEED,
        **extra,
    }
    resp = client.post("/api/v1/draws", headers=planner.headers, json=body)
    assert resp.status_code == expect, resp.get_json()
    return resp.get_json()


def _post(client, login, path, expect=200, **json):
    resp = client.post(f"/api/v1/{path}", headers=login.headers, json=json or None)
    assert resp.status_code == expect, resp.get_json()
    return resp.get_json()


def _targets(client, login, draw_id):
    resp = client.get(
        f"/api/v1/draws/{draw_id}/targets", headers=login.headers, query_string={"per_page": 200}
    )
    assert resp.status_code == 200, resp.get_json()
    return resp.get_json()


def test_a_draw_reruns_to_the_same_list_and_never_pairs_a_conflict(client, world, session):
    planner, officers = world["planner"], world["officers"]
    ents = {e.id: e for e in world["ents"]}
    conflicted = world["ents"][0]  # a key unit of 红花岗: special/key units are always drawn
    by_county = {o.user_id: o.actor.scope_codes[0] for o in officers}
    outsider = next(o for o in officers if by_county[o.user_id] != conflicted.county_code)
    _post(
        client,
        outsider,
        "inspector-conflicts",
        expect=201,
        enterprise_id=conflicted.id,
        reason="配偶在该企业任职",
        declared_on="2026-06-01",
    )
    draw = _prepare(client, planner)
    assert draw["status"] == "prepared" and draw["seed"] == SEED
    assert draw["pool_size"] == 200  # the deregistered enterprise is not in the pool
    assert draw["roster_size"] == 9 and len(draw["pool_digest"]) == 64
    drawn = _post(client, planner, f"draws/{draw['id']}/execute")
    assert drawn["status"] == "drawn" and drawn["result_digest"]

    page = _targets(client, planner, draw["id"])
    # key 5 % of 40 → 2; general 5 % of 160 → 8 (the packaged prefecture quarter rates)
    assert page["total"] == 10
    classes = [t["inspection_class"] for t in page["items"]]
    assert classes == ["key"] * 2 + ["general"] * 8
    for t in page["items"]:
        assert len(set(t["inspectors"])) == len(t["inspectors"]) >= 2
        assert world["lapsed"].id not in t["inspectors"]
        for uid in t["inspectors"]:
            assert by_county[uid] != ents[t["enterprise_id"]].county_code
        if t["enterprise_id"] == conflicted.id:
            assert outsider.user_id not in t["inspectors"]

    check = client.get(f"/api/v1/draws/{draw['id']}/verification", headers=planner.headers)
    assert check.get_json()["matches"] is True

    # The same seed, pool snapshot and configuration: the identical list and teams.
    _post(client, planner, f"draws/{draw['id']}/cancel", reason="复核：重新抽取以验证可重复性")
    again = _prepare(client, planner)
    assert again["pool_digest"] == draw["pool_digest"]
    assert again["exclusions_digest"] == draw["exclusions_digest"]
    redrawn = _post(client, planner, f"draws/{again['id']}/execute")
    assert redrawn["result_digest"] == drawn["result_digest"]
    strip = [(t["rank"], t["enterprise_id"], t["inspectors"]) for t in page["items"]]
    assert [
        (t["rank"], t["enterprise_id"], t["inspectors"])
        for t in _targets(client, planner, again["id"])["items"]
    ] == strip
    other_seed = _prepare(client, planner, seed="another-public-seed")
    _post(client, planner, f"draws/{other_seed['id']}/execute")
    assert [t["enterprise_id"] for t in _targets(client, planner, other_seed["id"])["items"]] != [
        s[1] for s in strip
    ]


def test_lists_stay_hidden_until_dispatch_then_each_sees_their_own(client, world):
    planner, officers = world["planner"], world["officers"]
    draw = _prepare(client, planner)
    _post(client, planner, f"draws/{draw['id']}/execute")
    officer = officers[0]
    assert _targets(client, officer, draw["id"])["total"] == 0
    public = client.get(f"/api/v1/draws/{draw['id']}", headers=officer.headers).get_json()
    assert public["seed"] == SEED  # the seed and digests are public from the start

    _post(client, planner, f"draws/{draw['id']}/dispatch")
    everyone = _targets(client, planner, draw["id"])["items"]
    for o in officers:
        mine = _targets(client, o, draw["id"])["items"]
        assert {t["id"] for t in mine} == {
            t["id"] for t in everyone if o.user_id in t["inspectors"]
        }
    assigned = next(o for o in officers if _targets(client, o, draw["id"])["total"])
    inbox = client.get("/api/v1/notifications", headers=assigned.headers).get_json()
    assert inbox["items"][0]["kind"] == "draw_dispatched"

    target = _targets(client, assigned, draw["id"])["items"][0]
    stranger = next(o for o in officers if o.user_id not in target["inspectors"])
    _post(
        client,
        stranger,
        f"draw-targets/{target['id']}/outcome",
        expect=404,
        outcome="no_problem",
        inspected_on="2026-07-10",
    )
    done = _post(
        client,
        assigned,
        f"draw-targets/{target['id']}/outcome",
        outcome="no_problem",
        inspected_on="2026-07-10",
        finding="现场检查未发现问题",
    )
    assert done["outcome"] == "no_problem"
    _post(client, planner, f"draws/{draw['id']}/publish")
    assert _targets(client, stranger, draw["id"])["total"] == len(everyone)


def test_a_dispatched_draws_inspectors_are_not_drawn_again_for_the_same_enterprise(client, world):
    planner = world["planner"]
    first = _prepare(client, planner)
    _post(client, planner, f"draws/{first['id']}/execute")
    _post(client, planner, f"draws/{first['id']}/dispatch")
    before = {
        t["enterprise_id"]: set(t["inspectors"])
        for t in _targets(client, planner, first["id"])["items"]
    }
    second = _prepare(client, planner, period_label="2026Q4", draw_on="2026-10-01")
    assert second["exclusions_digest"] != first["exclusions_digest"]
    _post(client, planner, f"draws/{second['id']}/execute")
    for t in _targets(client, planner, second["id"])["items"]:
        assert not set(t["inspectors"]) & before.get(t["enterprise_id"], set())


def test_an_empty_pool_or_a_short_roster_is_refused_naming_the_numbers(client, world, auth):
    planner = world["planner"]
    # 桐梓 (520322) has no enterprise with a pollution source.
    none = _prepare(client, planner, expect=422, scope_code="520322", roster_scope_code="520300")
    assert "0" in none["errors"]["scope_code"][0]
    # Its roster: one officer, certified; a team needs two.
    auth.user(Role.OFFICER, jurisdictions=("520322",), certificate_valid_until=VALID)
    short = _prepare(client, planner, expect=422, roster_scope_code="520322")
    message = short["errors"]["roster_scope_code"][0]
    assert "2" in message and "1" in message and "2026-07-01" in message


def test_a_roster_that_cannot_staff_every_inspection_is_refused_and_nothing_is_stored(
    client, world, session
):
    planner = world["planner"]
    # 仁怀's draw with 仁怀's own officers only: nobody may inspect their home county.
    draw = _prepare(client, planner, scope_code="520382")
    refused = _post(client, planner, f"draws/{draw['id']}/execute", expect=422)
    message = refused["errors"]["roster"][0]
    assert "520382" in message and "0" in message
    assert session.scalar(select(func.count()).select_from(DrawTarget)) == 0
    still = client.get(f"/api/v1/draws/{draw['id']}", headers=planner.headers).get_json()
    assert still["status"] == "prepared"
    # Drawing 仁怀's inspectors from the whole prefecture staffs it.
    ok = _prepare(client, planner, scope_code="520382", roster_scope_code="520300")
    assert _post(client, planner, f"draws/{ok['id']}/execute")["status"] == "drawn"


def test_only_planners_draw_and_only_within_their_jurisdiction(client, world, auth):
    officer = world["officers"][0]
    _prepare(client, officer, expect=403)
    guiyang = auth.login(Role.INSPECTION_PLANNER, jurisdictions=("520100",))
    outside = _prepare(client, guiyang, expect=422)
    assert "scope_code" in outside["errors"]


def test_anyone_reruns_a_published_draw_from_its_inputs_to_the_same_list(
    client, world, runner, tmp_path
):
    planner, officer = world["planner"], world["officers"][0]
    draw = _prepare(client, planner)
    drawn = _post(client, planner, f"draws/{draw['id']}/execute")
    url = f"/api/v1/draws/{draw['id']}/inputs"
    assert client.get(url, headers=officer.headers).status_code == 404  # secret until published
    _post(client, planner, f"draws/{draw['id']}/dispatch")
    _post(client, planner, f"draws/{draw['id']}/publish")
    inputs = client.get(url, headers=officer.headers)
    assert inputs.status_code == 200
    doc = inputs.get_json()
    assert doc["seed"] == SEED and len(doc["pool"]) == 200
    path = tmp_path / "inputs.json"
    path.write_text(inputs.get_data(as_text=True), encoding="utf-8")
    result = runner.invoke(args=["draw", "rerun", str(path)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[-1] == f"result_digest {drawn['result_digest']}"
    assert f"pool_digest {draw['pool_digest']}" in lines
    listed = [t for t in _targets(client, officer, draw["id"])["items"]]
    assert len([line for line in lines if "|" in line]) == len(listed)

    doc["seed"] = "tampered"
    path.write_text(json.dumps(doc), encoding="utf-8")
    tampered = runner.invoke(args=["draw", "rerun", str(path)])
    assert tampered.output.splitlines()[-1] != lines[-1]
    path.write_text('{"format": "something else"}', encoding="utf-8")
    bad = runner.invoke(args=["draw", "rerun", str(path)])
    assert bad.exit_code == 1 and "format" in bad.output


def test_a_full_coverage_draw_stores_every_target_and_team(
    client, world, app, monkeypatch, tmp_path
):
    """Rates of 1.0 (every enterprise, e.g. a special campaign): hundreds of targets, stored in
    bulk (COPY on PostgreSQL) with their defaults, and the same list on verification."""
    config = json.loads(
        (Path(app.root_path) / "refdata" / "sampling" / "default.json").read_text("utf-8")
    )
    for levels in config["rates"].values():
        for periods in levels.values():
            for period in periods:
                periods[period] = 1.0
    path = tmp_path / "everyone.json"
    path.write_text(json.dumps(config), encoding="utf-8")
    monkeypatch.setitem(app.config, "SAMPLING_CONFIG", str(path))
    planner = world["planner"]
    draw = _prepare(client, planner)
    _post(client, planner, f"draws/{draw['id']}/execute")
    page = _targets(client, planner, draw["id"])
    assert page["total"] == 200
    assert {t["outcome"] for t in page["items"]} == {"pending"}
    assert all(len(t["inspectors"]) == 2 for t in page["items"])
    check = client.get(f"/api/v1/draws/{draw['id']}/verification", headers=planner.headers)
    assert check.get_json()["matches"] is True
    _post(client, planner, f"draws/{draw['id']}/dispatch")
    officer = world["officers"][0]
    mine = _targets(client, officer, draw["id"])["total"]
    assert 0 < mine < 200
