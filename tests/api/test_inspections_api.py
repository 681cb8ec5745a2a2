"""Provincial inspection rounds through HTTP: planning, edits refused with their reason, special
inspections, stages, problems handed over as violations, summons and notices, the round feed."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from icalendar import Calendar

from casemgr.planning.rounds import LUNAR_NEW_YEAR
from casemgr.policy import Role

UNITS = 12  # 9 prefectures, 贵安新区, 仁怀, 威宁 (the reference data's inspection units)


@pytest.fixture
def planner(auth):
    return auth.login(Role.INSPECTION_PLANNER, jurisdictions=("520000",))


@pytest.fixture
def teams(client, planner):
    out = []
    for code, name in (("T1", "第一督察组"), ("T2", "第二督察组"), ("T3", "第三督察组")):
        resp = client.post(
            "/api/v1/inspection-teams", headers=planner.headers, json={"code": code, "name": name}
        )
        assert resp.status_code == 201, resp.get_json()
        out.append(resp.get_json())
    return out


@pytest.fixture
def plan(client, planner, teams):
    resp = client.post(
        "/api/v1/inspection-rounds",
        headers=planner.headers,
        json={
            "name": "2026-2027 省级生态环境保护督察",
            "cycle_start": "2026-01-01",
            "cycle_end": "2027-12-31",
            "team_ids": [t["id"] for t in teams],
        },
    )
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()


def _days(v):
    start, end = date.fromisoformat(v["start_on"]), date.fromisoformat(v["end_on"])
    return {start + timedelta(days=i) for i in range((end - start).days + 1)}


def test_a_generated_plan_inspects_each_unit_once_without_clashes_or_blackouts(
    client, planner, plan
):
    visits = plan["visits"]
    assert sorted(v["unit_code"] for v in visits) == sorted({v["unit_code"] for v in visits})
    assert len(visits) == UNITS
    festival = set()
    for year in (2026, 2027):
        new_year = LUNAR_NEW_YEAR[year]
        festival |= {new_year + timedelta(days=d) for d in range(-7, 11)}
    for v in visits:
        assert not _days(v) & festival, v
        assert "2026-01-01" <= v["start_on"] <= v["end_on"] <= "2027-12-31"
    for a in visits:
        for b in visits:
            if a["id"] < b["id"] and a["team"]["id"] == b["team"]["id"]:
                assert not _days(a) & _days(b)
    assert plan["settings"]["blackouts"][0]["name"]
    breaches = client.get(
        f"/api/v1/inspection-rounds/{plan['id']}/breaches", headers=planner.headers
    )
    assert breaches.status_code == 200 and breaches.get_json() == []


def test_a_plan_beyond_the_teams_capacity_is_refused_naming_the_numbers(client, planner, teams):
    resp = client.post(
        "/api/v1/inspection-rounds",
        headers=planner.headers,
        json={
            "name": "一年一组",
            "cycle_start": "2026-03-01",
            "cycle_end": "2026-12-31",
            "team_ids": [teams[0]["id"]],
        },
    )
    assert resp.status_code == 422
    message = resp.get_json()["errors"]["teams"][0]
    assert "12" in message and "1" in message


def test_a_planners_edit_that_breaks_a_rule_is_refused_with_the_reason(client, planner, plan):
    first, second = plan["visits"][0], plan["visits"][1]
    url = f"/api/v1/unit-inspections/{first['id']}"
    festival = LUNAR_NEW_YEAR[2027]
    into_blackout = client.patch(
        url,
        headers={**planner.headers, "If-Match": f'"v{first["version"]}"'},
        json={"start_on": (festival - timedelta(days=2)).isoformat()},
    )
    assert into_blackout.status_code == 422, into_blackout.get_json()
    reason = " ".join(into_blackout.get_json()["errors"]["start_on"])
    assert "春节" in reason or "Spring" in reason

    # Onto another team's unit at the same time: two teams in one unit.
    onto = client.patch(
        url,
        headers={**planner.headers, "If-Match": f'"v{first["version"]}"'},
        json={
            "start_on": second["start_on"],
            "end_on": second["end_on"],
            "team_id": second["team"]["id"] if second["team"]["id"] != first["team"]["id"] else 0,
        },
    )
    assert onto.status_code == 422
    # Nothing half-written: the visit is where it was.
    again = client.get(url, headers=planner.headers).get_json()
    assert (again["start_on"], again["version"]) == (first["start_on"], first["version"])

    fine = client.patch(
        url,
        headers={**planner.headers, "If-Match": f'"v{first["version"]}"'},
        json={"start_on": (date.fromisoformat(first["start_on"]) + timedelta(days=1)).isoformat()},
    )
    assert fine.status_code in (200, 422)  # a day later may meet a rest rule; both are reasoned
    if fine.status_code == 200:
        assert fine.get_json()["version"] == first["version"] + 1


def test_a_special_inspection_cannot_put_two_teams_in_one_unit(client, planner, plan, teams):
    v = plan["visits"][0]
    other = next(t for t in teams if t["id"] != v["team"]["id"])
    clash = client.post(
        f"/api/v1/inspection-rounds/{plan['id']}/special-inspections",
        headers=planner.headers,
        json={
            "unit_code": v["unit_code"],
            "team_id": other["id"],
            "topic": "赤水河流域专项督察",
            "start_on": v["start_on"],
            "end_on": v["start_on"],
        },
    )
    assert clash.status_code == 422, clash.get_json()
    assert v["unit_code"] in str(clash.get_json()["errors"])


def _step(client, planner, visit, event, on, expect=200, **extra):
    resp = client.post(
        f"/api/v1/unit-inspections/{visit['id']}/transitions",
        headers={**planner.headers, "If-Match": f'"v{visit["version"]}"'},
        json={"event": event, "on": on, **extra},
    )
    assert resp.status_code == expect, resp.get_json()
    return resp.get_json() if expect == 200 else visit


def test_a_unit_inspection_walks_its_stages_and_hands_problems_over_as_violations(
    client, planner, plan, session
):
    v = next(x for x in plan["visits"] if x["unit_code"] == "520300")
    start, end = v["start_on"], v["end_on"]
    v = _step(client, planner, v, "report", end, expect=409)  # not on site yet
    v = _step(client, planner, v, "arrive", start)
    assert v["stage"] == "on_site"
    early = client.post(
        f"/api/v1/unit-inspections/{v['id']}/transitions",
        headers={**planner.headers, "If-Match": f'"v{v["version"]}"'},
        json={"event": "report", "on": start},
    )
    assert early.status_code == 409
    problem = client.post(
        f"/api/v1/unit-inspections/{v['id']}/problems",
        headers=planner.headers,
        json={"description": "赤水河支流污水直排", "county_code": "520382"},
    )
    assert problem.status_code == 201, problem.get_json()
    outside = client.post(
        f"/api/v1/unit-inspections/{v['id']}/problems",
        headers=planner.headers,
        json={"description": "不在本单元", "county_code": "520102"},
    )
    assert outside.status_code == 422 and "county_code" in outside.get_json()["errors"]
    v = _step(client, planner, v, "report", end)
    v = _step(client, planner, v, "give_feedback", end)
    v = _step(client, planner, v, "hand_over", end)
    blocked = client.post(
        f"/api/v1/unit-inspections/{v['id']}/transitions",
        headers={**planner.headers, "If-Match": f'"v{v["version"]}"'},
        json={"event": "start_rectification", "on": end, "rectification_plan_on": end},
    )
    assert blocked.status_code == 409  # a problem is not handed over yet

    p = problem.get_json()
    handed = client.post(
        f"/api/v1/inspection-problems/{p['id']}/hand-over",
        headers={**planner.headers, "If-Match": f'"v{p["version"]}"'},
        json={"on": end},
    )
    assert handed.status_code == 200, handed.get_json()
    violation_id = handed.get_json()["violation_id"]
    assert violation_id
    from casemgr.models import Violation

    violation = session.get(Violation, violation_id)
    assert violation.county_code == "520382" and violation.origin.value == "central_inspection"
    v = client.get(f"/api/v1/unit-inspections/{v['id']}", headers=planner.headers).get_json()
    v = _step(client, planner, v, "start_rectification", end, rectification_plan_on=end)
    p = handed.get_json()
    refused = client.post(
        f"/api/v1/inspection-problems/{p['id']}/acceptance",
        headers={**planner.headers, "If-Match": f'"v{p["version"]}"'},
        json={"on": end},
    )
    assert refused.status_code == 409
    for percent in (40, 100):
        assert (
            client.post(
                f"/api/v1/inspection-problems/{p['id']}/progress",
                headers=planner.headers,
                json={"reported_on": end, "percent_done": percent, "progress": "截污管网建设"},
            ).status_code
            == 201
        )
    p = client.get(f"/api/v1/unit-inspections/{v['id']}", headers=planner.headers).get_json()[
        "problems"
    ][0]
    accepted = client.post(
        f"/api/v1/inspection-problems/{p['id']}/acceptance",
        headers={**planner.headers, "If-Match": f'"v{p["version"]}"'},
        json={"on": end},
    )
    assert accepted.status_code == 200 and accepted.get_json()["status"] == "accepted"
    v = client.get(f"/api/v1/unit-inspections/{v['id']}", headers=planner.headers).get_json()
    v = _step(client, planner, v, "request_acceptance", end)
    v = _step(client, planner, v, "close", end)
    assert v["stage"] == "closed" and v["allowed_events"] == []
    assert [s["to_stage"] for s in v["stages"]][-1] == "closed"


def test_summons_and_notices_are_recorded_against_a_unit(client, planner, auth):
    url = "/api/v1/inspection-units/520300/actions"
    body = {"kind": "summons", "on": "2026-05-10", "subject": "约谈遵义市人民政府"}
    ok = client.post(
        url, headers=planner.headers, json={**body, "document_number": "黔环督〔2026〕1号"}
    )
    assert ok.status_code == 201, ok.get_json()
    dup = client.post(
        url, headers=planner.headers, json={**body, "document_number": "黔环督〔2026〕1号"}
    )
    assert dup.status_code == 409
    assert (
        client.post(
            "/api/v1/inspection-units/XX0000/actions", headers=planner.headers, json=body
        ).status_code
        == 422
    )
    officer = auth.login(Role.OFFICER, jurisdictions=("520300",))
    assert client.post(url, headers=officer.headers, json=body).status_code == 403
    listed = client.get(url, headers=officer.headers).get_json()
    assert [a["subject"] for a in listed] == ["约谈遵义市人民政府"]


def test_the_round_feed_lists_every_stay_and_plan_due(client, planner, plan, session):
    from casemgr.models import UnitInspection

    first = session.get(UnitInspection, plan["visits"][0]["id"])
    first.rectification_plan_due = date(2026, 3, 31)
    session.commit()
    token = client.post("/api/v1/calendar-tokens", headers=planner.headers, json={}).get_json()
    resp = client.get(
        f"/api/v1/calendar/rounds/{plan['id']}.ics", query_string={"token": token["token"]}
    )
    assert resp.status_code == 200
    events = list(Calendar.from_ical(resp.data).walk("VEVENT"))
    stays = [e for e in events if "-plan-due" not in str(e["uid"])]
    assert len(stays) == UNITS
    starts = sorted(e.decoded("dtstart").isoformat() for e in stays)
    assert starts == sorted(v["start_on"] for v in plan["visits"])
    (due,) = [e for e in events if "-plan-due" in str(e["uid"])]
    assert due.decoded("dtstart") == date(2026, 3, 31) and "整改方案" in str(due["summary"])
    assert (
        client.get(
            "/api/v1/calendar/rounds/999999.ics", query_string={"token": token["token"]}
        ).status_code
        == 404
    )


def test_only_planners_plan(client, auth, teams):
    officer = auth.login(Role.OFFICER, jurisdictions=("520300",))
    resp = client.post(
        "/api/v1/inspection-rounds",
        headers=officer.headers,
        json={
            "name": "x",
            "cycle_start": "2026-01-01",
            "cycle_end": "2027-12-31",
            "team_ids": [teams[0]["id"]],
        },
    )
    assert resp.status_code == 403
