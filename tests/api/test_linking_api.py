"""The review queue through the HTTP stack: decide with If-Match, undo, and who may."""

from __future__ import annotations

import io

from casemgr.models import Decision
from casemgr.policy import SYSTEM_ACTOR, Role
from casemgr.services import linking
from tests.factories import EnterpriseFactory
from tests.integration.test_linking import records  # noqa: F401 - fixture


def test_a_regulator_accepts_a_pair_and_undoes_it(client, auth, session, records):  # noqa: F811
    ent = EnterpriseFactory()
    session.commit()
    candidate = linking.propose(
        session,
        record_id=records[0].id,
        enterprise_id=ent.id,
        rule="model",
        score=6.2,
        decision=Decision.REVIEW,
        evidence={"name": {"level": "same_core", "weight": 8.1}},
        actor=SYSTEM_ACTOR,
    )
    session.commit()
    regulator = auth.login(Role.CREDIT_REGULATOR)
    queue = client.get("/api/v1/link-candidates/review", headers=regulator.headers).get_json()
    assert [(c["id"], c["state"]) for c in queue["items"]] == [(candidate.id, "pending")]
    assert queue["items"][0]["evidence"]["name"]["level"] == "same_core"
    url = f"/api/v1/link-candidates/{candidate.id}/acceptance"
    assert client.post(url, json={}, headers=regulator.headers).status_code == 428
    judge = auth.login(Role.JUDGE)
    denied = client.post(url, json={}, headers={**judge.headers, "If-Match": '"v1"'})
    assert denied.status_code == 403
    resp = client.post(
        url, json={"note": "同一企业"}, headers={**regulator.headers, "If-Match": '"v1"'}
    )
    assert resp.status_code == 201, resp.get_json()
    merge = resp.get_json()
    assert [c["target"] for c in merge["changes"]] == [
        "source_records.enterprise_id",
        "source_records.link_score",
    ]
    undo = client.post(f"/api/v1/merges/{merge['id']}/undo", headers=regulator.headers)
    assert undo.status_code == 200 and undo.get_json()["undone_at"]
    again = client.post(f"/api/v1/merges/{merge['id']}/undo", headers=regulator.headers)
    assert again.status_code == 409


def test_a_link_run_over_http_links_an_uploaded_enforcement_file(client, auth, session):
    ent = EnterpriseFactory(name="仁怀市茅台镇鑫源酒业有限公司", legal_representative="张三")
    session.commit()
    regulator = auth.login(Role.CREDIT_REGULATOR)
    body = (
        "记录编号,企业名称,统一社会信用代码,法定代表人,住所,联系电话\n"
        f"E-1,仁怀鑫源酒业有限责任公司,{ent.uscc},张三,,\n"
        "E-2,某某无关企业,,,,\n"
    ).encode()
    upload = client.post(
        "/api/v1/imports",
        data={"source": "env", "file": (io.BytesIO(body), "env.csv")},
        headers=regulator.headers,
        content_type="multipart/form-data",
    )
    assert upload.status_code == 201, upload.get_json()
    batch_id = upload.get_json()["id"]

    resp = client.post("/api/v1/link-runs", json={"batch_id": batch_id}, headers=regulator.headers)
    assert resp.status_code == 201, resp.get_json()
    run = resp.get_json()
    assert (run["batch_id"], run["records"], run["matched"], run["rules"]) == (
        batch_id,
        2,
        1,
        {"uscc": 1},
    )
    assert run["matched"] + run["review"] + run["non_match"] + run["no_candidate"] == 2

    bad = client.post(
        "/api/v1/link-runs",
        json={"batch_id": "第一批"},
        headers={**regulator.headers, "Accept-Language": "zh-CN"},
    )
    assert bad.status_code == 422 and bad.get_json()["errors"]["batch_id"]
    missing = client.post("/api/v1/link-runs", json={"batch_id": 99999}, headers=regulator.headers)
    assert missing.status_code == 404
    county = auth.login(Role.OFFICER, jurisdictions=("520382",))
    denied = client.post("/api/v1/link-runs", json={}, headers=county.headers)
    assert denied.status_code == 403
