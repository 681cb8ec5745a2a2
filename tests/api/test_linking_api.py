"""The review queue through the HTTP stack: decide with If-Match, undo, and who may."""

from __future__ import annotations

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
