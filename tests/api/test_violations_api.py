"""Violations through the HTTP stack."""

from __future__ import annotations

import pytest

from casemgr.policy import Role
from tests.factories import EnterpriseFactory, SourceFactory


@pytest.fixture
def enterprise(session):
    ent = EnterpriseFactory(county_code="520382")
    SourceFactory(enterprise=ent, basin_code="chishui")
    session.commit()
    return ent


def _payload(enterprise, **extra):
    return {
        "found_at": "2026-03-02T10:30:00+08:00",
        "county_code": "520382",
        "basin_code": "chishui",
        "place": "仁怀市茅台镇赤水河左岸排口",
        "enterprise_ids": [enterprise.id],
        "source_id": enterprise.sources[0].id,
        "summary": "通过溶洞排放未经处理的酿酒废水",
        "origin": "complaint_12369",
        "origin_reference": "12369-2026-000123",
        "evasive_methods": ["karst_cave", "hidden_pipe"],
        "hazardous_waste_tonnes": "0.5",
        "measurements": [
            {
                "pollutant": "COD",
                "measured_value": "1250",
                "standard_value": "100",
                "unit": "mg/L",
                "standard_reference": "GB 27631-2011",
            },
            {
                "pollutant": "总镉",
                "metal_group": "a",
                "measured_value": "0.032",
                "standard_value": "0.01",
                "unit": "mg/L",
            },
        ],
        **extra,
    }


def test_an_officer_logs_a_violation_with_its_measurements(client, auth, enterprise):
    officer = auth.login(Role.OFFICER, jurisdictions=("520382",))
    resp = client.post("/api/v1/violations", json=_payload(enterprise), headers=officer.headers)
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert body["enterprise_ids"] == [enterprise.id]
    assert body["evasive_methods"] == ["hidden_pipe", "karst_cave"]
    assert [m["exceedance_ratio"] for m in body["measurements"]] == ["12.500", "3.200"]
    assert body["found_at"].startswith("2026-03-02T02:30:00")  # stored in UTC


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"county_code": "520300"}, "county_code"),
        ({"basin_code": "nile"}, "basin_code"),
        ({"enterprise_ids": [999999]}, "enterprise_ids"),
        ({"enterprise_ids": []}, "enterprise_ids"),
        ({"evasive_methods": ["teleport"]}, "evasive_methods"),
        ({"found_at": "2026-03-02T10:30:00"}, "found_at"),  # naive time: which zone?
        ({"loss_cents": -1}, "loss_cents"),
        (
            {
                "measurements": [
                    {
                        "pollutant": "COD",
                        "measured_value": "1",
                        "standard_value": "0",
                        "unit": "mg/L",
                    }
                ]
            },
            "measurements",
        ),
        (
            {
                "occurred_from": "2026-03-02T00:00:00+08:00",
                "occurred_to": "2026-03-01T00:00:00+08:00",
            },
            "occurred_to",
        ),
    ],
)
def test_bad_input_is_422_naming_the_field(client, auth, enterprise, change, field):
    officer = auth.login(Role.OFFICER, jurisdictions=("520382",))
    resp = client.post(
        "/api/v1/violations", json=_payload(enterprise, **change), headers=officer.headers
    )
    assert resp.status_code == 422, resp.get_json()
    assert field in resp.get_json()["errors"]


def test_a_source_of_another_enterprise_is_refused(client, auth, enterprise, session):
    other = SourceFactory()
    session.commit()
    officer = auth.login(Role.OFFICER, jurisdictions=("520382",))
    resp = client.post(
        "/api/v1/violations", json=_payload(enterprise, source_id=other.id), headers=officer.headers
    )
    assert resp.status_code == 422 and "source_id" in resp.get_json()["errors"]


def test_violations_of_another_county_do_not_exist_for_an_officer(client, auth, enterprise):
    officer = auth.login(Role.OFFICER, jurisdictions=("520382",))
    vid = client.post(
        "/api/v1/violations", json=_payload(enterprise), headers=officer.headers
    ).get_json()["id"]
    stranger = auth.login(Role.OFFICER, jurisdictions=("520102",))
    assert client.get(f"/api/v1/violations/{vid}", headers=stranger.headers).status_code == 404
    listing = client.get("/api/v1/violations", headers=stranger.headers).get_json()
    assert listing["total"] == 0
    resp = client.post("/api/v1/violations", json=_payload(enterprise), headers=stranger.headers)
    assert resp.status_code == 403


def test_a_judges_read_is_audited_and_a_stale_edit_loses_nothing(client, auth, enterprise):
    officer = auth.login(Role.OFFICER, jurisdictions=("520382",))
    vid = client.post(
        "/api/v1/violations", json=_payload(enterprise), headers=officer.headers
    ).get_json()["id"]
    url = f"/api/v1/violations/{vid}"
    ok = client.patch(url, json={"summary": "改"}, headers={**officer.headers, "If-Match": '"v1"'})
    assert ok.status_code == 200
    stale = client.patch(
        url, json={"summary": "lost"}, headers={**officer.headers, "If-Match": '"v1"'}
    )
    assert stale.status_code == 412
    judge = auth.login(Role.JUDGE, jurisdictions=("520300",))
    assert client.get(url, headers=judge.headers).get_json()["summary"] == "改"
    admin = auth.login(Role.ADMIN)
    reads = client.get(
        "/api/v1/audit?action=read&table_name=violations", headers=admin.headers
    ).get_json()
    assert [e["actor_id"] for e in reads["items"]] == [judge.user_id]
