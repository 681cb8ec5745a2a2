"""Credit through the HTTP stack: explained scores, objections and repairs with their periods."""

from __future__ import annotations

from datetime import datetime, timedelta

from casemgr.models import CaseTransition
from casemgr.policy import Role
from casemgr.services.localtime import LOCAL, local_today
from tests.integration.test_credit import families  # noqa: F401 - fixture


def _penalty_record(client, login, enterprise_id):
    body = client.get(f"/api/v1/enterprises/{enterprise_id}/credit", headers=login.headers)
    assert body.status_code == 200, body.get_json()
    line = next(c for c in body.get_json()["contributions"] if c["rule"] == "penalties")
    return line["records"][0]


def test_a_score_is_explained_to_any_reader_contribution_by_contribution(
    client,
    auth,
    families,  # noqa: F811
):
    judge = auth.login(Role.JUDGE)
    resp = client.get(f"/api/v1/enterprises/{families['fined']}/credit", headers=judge.headers)
    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    assert (body["points"], body["tier"], body["tier_name"], body["sublevel"]) == (
        83.8,
        "blue",
        "环保良好企业",
        3,
    )
    assert body["consequence"]["inspection_class"] == "general"
    penalties = next(c for c in body["contributions"] if c["rule"] == "penalties")
    assert penalties["points"] == 6.0 and penalties["records"][0].startswith("transition:")
    assert penalties["scheme"] == "guizhou-2019@1"
    red = client.get(f"/api/v1/enterprises/{families['convicted']}/credit", headers=judge.headers)
    veto = next(c for c in red.get_json()["contributions"] if c["kind"] == "veto")
    assert veto["rule"] == "environmental_crime" and red.get_json()["tier"] == "red"
    history = client.get(
        f"/api/v1/enterprises/{families['fined']}/credit/history", headers=judge.headers
    )
    assert history.status_code == 200 and history.get_json()[-1]["tier"] == "blue"
    denied = client.post("/api/v1/credit/rescore", json={}, headers=judge.headers)
    assert denied.status_code == 403


def test_an_upheld_objection_takes_the_record_out_and_rescores_at_once(
    client,
    auth,
    families,  # noqa: F811
):
    clerk, reviewer = auth.login(Role.CREDIT_REGULATOR), auth.login(Role.CREDIT_REGULATOR)
    record = _penalty_record(client, clerk, families["fined"])
    url = f"/api/v1/enterprises/{families['fined']}/credit/objections"
    filed = client.post(url, json={"record": record, "reason": "处罚决定已被复议撤销"},
                        headers=clerk.headers)  # fmt: skip
    assert filed.status_code == 201, filed.get_json()
    again = client.post(url, json={"record": record, "reason": "重复"}, headers=clerk.headers)
    assert again.status_code == 409
    decision = f"/api/v1/credit/objections/{filed.get_json()['id']}/decision"
    own = client.post(decision, json={"accept": True},
                      headers={**clerk.headers, "If-Match": '"v1"'})  # fmt: skip
    assert own.status_code == 409  # who recorded it does not decide it
    upheld = client.post(decision, json={"accept": True, "note": "核实属实"},
                         headers={**reviewer.headers, "If-Match": '"v1"'})  # fmt: skip
    assert upheld.status_code == 200, upheld.get_json()
    assert upheld.get_json()["state"] == "accepted"
    score = client.get(
        f"/api/v1/enterprises/{families['fined']}/credit", headers=reviewer.headers
    ).get_json()
    # Without the penalty only the inspection finding costs points: 100 - 6 = 94 → blue, 1.
    assert (score["points"], score["tier"], score["sublevel"]) == (94.0, "blue", 1)
    history = client.get(
        f"/api/v1/enterprises/{families['fined']}/credit/history", headers=reviewer.headers
    ).get_json()
    assert (history[-1]["reason"], history[-1]["points"]) == ("repair", 94.0)
    yesterday = client.get(
        f"/api/v1/enterprises/{families['fined']}/credit",
        query_string={"as_of": (local_today() - timedelta(days=1)).isoformat()},
        headers=reviewer.headers,
    ).get_json()
    assert yesterday["points"] == 100.0  # nothing of this was recorded yet


def test_an_objection_after_its_window_is_409_naming_the_last_day(
    client,
    auth,
    session,
    families,  # noqa: F811
):
    clerk = auth.login(Role.CREDIT_REGULATOR)
    record = _penalty_record(client, clerk, families["fined"])
    step = session.get(CaseTransition, int(record.split(":")[1]))
    published = local_today() - timedelta(days=30)
    step.at = datetime.combine(published, datetime.min.time(), tzinfo=LOCAL)
    session.commit()
    resp = client.post(
        f"/api/v1/enterprises/{families['fined']}/credit/objections",
        json={"record": record, "reason": "迟到的异议"},
        headers={**clerk.headers, "Accept-Language": "en"},
    )
    assert resp.status_code == 409
    last = (published + timedelta(days=15)).isoformat()
    assert "15 days" in resp.get_json()["message"] and last in resp.get_json()["message"]


def test_repairs_wait_for_the_minimum_period_need_evidence_and_never_lift_a_veto(
    client,
    auth,
    session,
    families,  # noqa: F811
):
    clerk = auth.login(Role.CREDIT_REGULATOR)
    record = _penalty_record(client, clerk, families["fined"])
    step = session.get(CaseTransition, int(record.split(":")[1]))
    step.on = local_today() - timedelta(days=10)
    session.commit()
    url = f"/api/v1/enterprises/{families['fined']}/credit/repairs"
    early = client.post(url, json={"record": record, "evidence": ["整改验收报告"]},
                        headers={**clerk.headers, "Accept-Language": "en"})  # fmt: skip
    assert early.status_code == 409
    assert "minimum publication period is 3 months" in early.get_json()["message"]
    no_evidence = client.post(url, json={"record": record, "evidence": []}, headers=clerk.headers)
    assert no_evidence.status_code == 422 and "evidence" in no_evidence.get_json()["errors"]
    unknown = client.post(url, json={"record": "transition:999999", "evidence": ["x"]},
                          headers=clerk.headers)  # fmt: skip
    assert unknown.status_code == 422 and "record" in unknown.get_json()["errors"]

    red = client.get(
        f"/api/v1/enterprises/{families['convicted']}/credit", headers=clerk.headers
    ).get_json()
    conviction = next(c for c in red["contributions"] if c["kind"] == "veto")["records"][0]
    veto = client.post(
        f"/api/v1/enterprises/{families['convicted']}/credit/repairs",
        json={"record": conviction, "evidence": ["罚金已缴纳"]},
        headers=clerk.headers,
    )
    assert veto.status_code == 409


def test_a_repair_after_the_minimum_period_is_accepted_and_rescored(
    client,
    auth,
    families,  # noqa: F811
):
    clerk, reviewer = auth.login(Role.CREDIT_REGULATOR), auth.login(Role.CREDIT_REGULATOR)
    record = _penalty_record(client, clerk, families["fined"])  # decided about 4 months ago
    applied = client.post(
        f"/api/v1/enterprises/{families['fined']}/credit/repairs",
        json={"record": record, "evidence": ["整改验收意见", "罚款缴纳凭证"],
              "commitment": "信用承诺书"},
        headers=clerk.headers,
    )  # fmt: skip
    assert applied.status_code == 201, applied.get_json()
    pending = client.get("/api/v1/credit/repairs", headers=reviewer.headers).get_json()
    assert [r["id"] for r in pending["items"]] == [applied.get_json()["id"]]
    decided = client.post(
        f"/api/v1/credit/repairs/{applied.get_json()['id']}/decision",
        json={"accept": True},
        headers={**reviewer.headers, "If-Match": '"v1"'},
    )
    assert decided.status_code == 200, decided.get_json()
    score = client.get(
        f"/api/v1/enterprises/{families['fined']}/credit", headers=reviewer.headers
    ).get_json()
    assert score["points"] == 94.0


def test_an_export_downloads_with_its_manifest_and_regenerates_byte_for_byte(
    client,
    auth,
    session,
    families,  # noqa: F811
):
    import hashlib

    from casemgr.policy import SYSTEM_ACTOR
    from casemgr.services import credit

    credit.rescore(session, SYSTEM_ACTOR, credit.scheme_named("guizhou-2019"))
    regulator = auth.login(Role.CREDIT_REGULATOR)
    today = local_today().isoformat()
    resp = client.post(
        "/api/v1/credit/exports",
        json={"as_of": today, "format": "csv", "county": ["520382"], "recipients": ["省发改委"]},
        headers=regulator.headers,
    )
    assert resp.status_code == 201, resp.get_data(as_text=True)[:300]
    body = resp.get_data()
    assert body.startswith(b"\xef\xbb\xbf") and "统一社会信用代码" in body.decode("utf-8-sig")
    assert resp.headers["X-Content-SHA256"] == hashlib.sha256(body).hexdigest()
    manifest = client.get(resp.headers["Location"], headers=regulator.headers).get_json()
    assert manifest["rows"] == int(resp.headers["X-Export-Rows"]) and manifest["as_of"] == today
    assert manifest["filters"] == {"county": ["520382"]} and manifest["recipients"] == ["省发改委"]
    again = client.get(f"{resp.headers['Location']}/file", headers=regulator.headers)
    assert again.status_code == 200 and again.get_data() == body
    more = client.post(
        f"{resp.headers['Location']}/recipients",
        json={"recipients": ["贵州电网"]},
        headers=regulator.headers,
    )
    assert more.get_json()["recipients"] == ["省发改委", "贵州电网"]

    bad = client.post(
        "/api/v1/credit/exports",
        json={"as_of": today, "format": "pdf"},
        headers=regulator.headers,
    )
    assert bad.status_code == 422 and "format" in bad.get_json()["errors"]
    judge = auth.login(Role.JUDGE)
    denied = client.post(
        "/api/v1/credit/exports", json={"as_of": today, "format": "csv"}, headers=judge.headers
    )
    assert denied.status_code == 403
