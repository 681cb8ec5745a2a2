"""The criminal referral and criminal channel, the threshold alerts and the 以罚代刑 risk list,
through the HTTP stack on a real database."""

from __future__ import annotations

import pytest

from casemgr.policy import Role
from tests.api.test_cases_api import _open as _open_admin
from tests.api.test_penalties_api import FINE, _served

COUNTY = "520382"  # 仁怀市
POLICE, PROCURATORATE, COURT = f"G{COUNTY}", f"P{COUNTY}", f"C{COUNTY}"
ATTACHMENTS = [
    "transfer_letter",
    "investigation_report",
    "seized_items_list",
    "inspection_or_appraisal_report",
]


class ChannelCase:
    """Drives one criminal, civil or compensation case through the API, tracking its ETag."""

    def __init__(self, client, body):
        self.client = client
        self.body = body

    @property
    def id(self):
        return self.body["id"]

    @property
    def url(self):
        return f"/api/v1/cases/{self.id}"

    def _if_match(self, login):
        return {**login.headers, "If-Match": f'"v{self.body["version"]}"'}

    def step(self, login, event, expect=200, **data):
        resp = self.client.post(
            f"{self.url}/steps", json={"event": event, **data}, headers=self._if_match(login)
        )
        assert resp.status_code == expect, resp.get_json()
        if resp.status_code == 200:
            self.body = resp.get_json()
        return resp.get_json()

    def post(self, login, path, payload, expect=201):
        resp = self.client.post(f"{self.url}/{path}", json=payload, headers=self._if_match(login))
        assert resp.status_code == expect, resp.get_json()
        return resp.get_json()

    def reload(self, login):
        resp = self.client.get(self.url, headers=login.headers)
        assert resp.status_code == 200, resp.get_json()
        self.body = resp.get_json()
        return self.body

    def deadline(self, rule_code):
        return next(d for d in self.body["deadlines"] if d["rule_code"] == rule_code)


def open_channel(client, login, expect=201, **payload):
    resp = client.post("/api/v1/channel-cases", json=payload, headers=login.headers)
    assert resp.status_code == expect, resp.get_json()
    return ChannelCase(client, resp.get_json()) if expect == 201 else resp.get_json()


def _violation(client, login, enterprise, **extra):
    resp = client.post(
        "/api/v1/violations",
        headers=login.headers,
        json={
            "found_at": "2026-03-01T09:00:00+08:00",
            "occurred_from": "2026-02-20T00:00:00+08:00",
            "county_code": COUNTY,
            "enterprise_ids": [enterprise.id],
            "summary": "非法倾倒危险废物",
            "origin": "inspection",
            **extra,
        },
    )
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()


@pytest.fixture
def people(auth, world):
    return {
        **world,
        "prosecutor": auth.login(
            Role.PROSECUTOR, jurisdictions=("520300",), organ_code=PROCURATORATE
        ),
        "judge": auth.login(Role.JUDGE, jurisdictions=("520300",), organ_code=COURT),
        "other_judge": auth.login(Role.JUDGE, jurisdictions=("520100",), organ_code="C520102"),
    }


# ------------------------------------------------------------------------------------------------
# Threshold alerts and the 以罚代刑 risk list
# ------------------------------------------------------------------------------------------------


def test_hazardous_waste_over_three_tonnes_raises_a_referral_review_alert(client, world):
    officer = world["officer"]
    v = _violation(client, officer, world["enterprise"], hazardous_waste_tonnes="3.500")
    alerts = client.get(f"/api/v1/violations/{v['id']}/alerts", headers=officer.headers)
    body = alerts.get_json()
    assert [(a["predicate"], a["tier"], a["state"]) for a in body] == [
        ("hazardous_waste", 1, "open")
    ]
    # Title and basis in the reader's language (zh-CN by default), from the predicate's data.
    assert body[0]["title"] == "非法排放、倾倒、处置危险废物三吨以上"
    assert "（法释〔2023〕7号）第1条（第2项）；《刑法》第338条" in body[0]["article"]
    english = client.get(
        f"/api/v1/violations/{v['id']}/alerts?lang=en", headers=officer.headers
    ).get_json()
    assert english[0]["title"].startswith("Illegal discharge, dumping or disposal of 3 t")
    assert "Pollution Crimes (2023) art. 1 (item 2); Criminal Law art. 338" in english[0]["article"]
    assert "3.5" in body[0]["reason"] and "3" in body[0]["reason"]
    # 2.999 t after a correction: the alert no longer stands, and says why.
    etag = client.get(f"/api/v1/violations/{v['id']}", headers=officer.headers).headers["ETag"]
    resp = client.patch(
        f"/api/v1/violations/{v['id']}",
        json={"hazardous_waste_tonnes": "2.999"},
        headers={**officer.headers, "If-Match": etag},
    )
    assert resp.status_code == 200, resp.get_json()
    body = client.get(f"/api/v1/violations/{v['id']}/alerts", headers=officer.headers).get_json()
    assert [(a["predicate"], a["state"]) for a in body] == [("hazardous_waste", "dismissed")]


def test_a_violation_closed_with_only_a_fine_over_the_threshold_is_a_risk(client, world):
    officer, head = world["officer"], world["head"]
    risk = "/api/v1/alerts/penalty-instead-of-referral"
    etag = client.get(
        f"/api/v1/violations/{world['violation']['id']}", headers=officer.headers
    ).headers["ETag"]
    resp = client.patch(
        f"/api/v1/violations/{world['violation']['id']}",
        json={"hazardous_waste_tonnes": "3.500"},
        headers={**officer.headers, "If-Match": etag},
    )
    assert resp.status_code == 200, resp.get_json()
    case = _served(client, world)
    case.post(
        officer,
        "payments",
        {"kind": "fine", "amount_cents": FINE, "paid_on": "2026-05-06", "reference": "R-1"},
    )
    assert client.get(risk, headers=head.headers).get_json()["items"] == []  # not closed yet
    case.step(officer, "record_performance", on="2026-05-06")
    assert case.body["status"] == "closed"
    items = client.get(risk, headers=head.headers).get_json()["items"]
    assert [(i["violation_id"], i["predicate"]) for i in items] == [
        (world["violation"]["id"], "hazardous_waste")
    ]
    family = client.get(
        f"/api/v1/violations/{world['violation']['id']}/family", headers=officer.headers
    ).get_json()
    codes = {c["code"] for c in family["consistency"]}
    assert codes == {"threshold_not_referred", "penalty_instead_of_referral"}
    # The referral is opened: the alert is acted on and the risk is gone.
    crim = open_channel(
        client,
        officer,
        violation_id=world["violation"]["id"],
        track="criminal",
        source_case_id=case.body["id"],
        on="2026-06-01",
        report_officer_ids=[officer.user_id, world["colleague"].id],
    )
    assert crim.body["status"] == "reported"
    assert client.get(risk, headers=head.headers).get_json()["items"] == []
    family = client.get(
        f"/api/v1/violations/{world['violation']['id']}/family", headers=officer.headers
    ).get_json()
    assert family["consistency"] == []
    assert [a["state"] for a in family["alerts"]] == ["referred"]


def test_a_bureau_head_dismisses_an_alert_with_reasons_and_an_officer_cannot(client, world):
    officer, head = world["officer"], world["head"]
    v = _violation(client, officer, world["enterprise"], loss_cents=30_000_000)
    alert = client.get(f"/api/v1/violations/{v['id']}/alerts", headers=officer.headers).get_json()
    assert [a["predicate"] for a in alert] == ["loss_or_gain"]
    url = f"/api/v1/alerts/{alert[0]['id']}/dismissal"
    payload = {"resolution": "经核实损失评估报告有误，实际损失不足三十万元。"}
    assert client.post(url, json=payload, headers=officer.headers).status_code == 403
    short = client.post(url, json={"resolution": "无"}, headers=head.headers)
    assert short.status_code == 422 and "resolution" in short.get_json()["errors"]
    done = client.post(url, json=payload, headers=head.headers)
    assert done.status_code == 200 and done.get_json()["state"] == "dismissed"
    assert client.post(url, json=payload, headers=head.headers).status_code == 409


# ------------------------------------------------------------------------------------------------
# The referral and the criminal channel
# ------------------------------------------------------------------------------------------------


def _admin_investigating(client, world):
    case = _open_admin(client, world)
    case.step(world["head"], "file", on="2026-03-04")
    case.step(world["officer"], "start_investigation", on="2026-03-04")
    return case


def test_a_referral_without_its_attachments_is_refused_and_nothing_is_recorded(client, people):
    officer, head = people["officer"], people["head"]
    crim = open_channel(
        client,
        officer,
        violation_id=people["violation"]["id"],
        track="criminal",
        on="2026-03-10",
        report_officer_ids=[officer.user_id, people["colleague"].id],
    )
    crim.step(head, "approve_transfer", on="2026-03-11")
    version = crim.body["version"]
    body = crim.step(
        officer, "hand_over", expect=409, on="2026-03-12", attachments=["transfer_letter"]
    )
    assert body["errors"]["rule"] == ["required_attachments"]
    assert "《行政执法机关移送涉嫌犯罪案件的规定》（2020）第6条" in body["errors"]["basis"][0]
    # The missing attachments by name in the reader's language, and by code for clients.
    assert body["errors"]["missing"] == [
        "investigation_report",
        "seized_items_list",
        "inspection_or_appraisal_report",
    ]
    assert body["errors"]["reason"][0] == (
        "移送材料缺少必备附件：涉嫌犯罪案件情况的调查报告、涉案物品清单、有关检验报告或者鉴定结论。"
    )
    english = client.post(
        f"{crim.url}/steps?lang=en",
        json={"event": "hand_over", "on": "2026-03-12", "attachments": ["transfer_letter"]},
        headers={**officer.headers, "If-Match": f'"v{version}"'},
    ).get_json()
    assert english["errors"]["reason"][0] == (
        "The transfer lacks required attachments: Investigation report on the suspected "
        "criminal case, List of seized items, Related inspection reports or appraisal "
        "conclusions."
    )
    assert english["errors"]["reason"][0] in english["message"]
    assert "{missing}" not in body["message"]
    crim.reload(officer)
    assert (crim.body["status"], crim.body["version"]) == ("approved", version)
    assert "attachments" not in crim.body["details"]


def test_a_referral_needs_two_certified_officers_on_the_report(client, people):
    officer, head = people["officer"], people["head"]
    crim = open_channel(
        client,
        officer,
        violation_id=people["violation"]["id"],
        track="criminal",
        on="2026-03-10",
        report_officer_ids=[officer.user_id, people["lapsed"].id],
    )
    body = crim.step(head, "approve_transfer", expect=409, on="2026-03-11")
    assert body["errors"]["rule"] == ["report_by_two_officers"]
    # An officer may not approve: that is the head's act.
    assert crim.step(officer, "approve_transfer", expect=403, on="2026-03-11")


def test_refused_then_supervised_filed_indicted_and_judged(client, people, session):
    officer, head = people["officer"], people["head"]
    prosecutor, judge = people["prosecutor"], people["judge"]
    admin = _admin_investigating(client, people)
    vid = people["violation"]["id"]
    crim = open_channel(
        client,
        officer,
        violation_id=vid,
        track="criminal",
        source_case_id=admin.body["id"],
        on="2026-03-10",
        report_officer_ids=[officer.user_id, people["colleague"].id],
    )
    assert crim.body["police_code"] == POLICE and crim.body["procuratorate_code"] == PROCURATORATE
    assert crim.deadline("criminal.transfer_approval")["due_on"] == "2026-03-13"
    crim.step(head, "approve_transfer", on="2026-03-11")
    assert crim.deadline("criminal.transfer_approval")["state"] == "met"
    # The administrative penalty clock stops while the referral is pending (衔接办法 art. 16).
    admin.reload(officer)
    assert admin.body["status"] == "transferred_criminal"
    assert [(s["reason"], s["end_on"]) for s in admin.body["clock_stops"]] == [
        ("criminal_transfer", None)
    ]
    crim.step(officer, "hand_over", on="2026-03-12", attachments=ATTACHMENTS)
    assert crim.deadline("criminal.handover")["state"] == "met"
    crim.step(officer, "acknowledge_receipt", on="2026-03-12", filing_limit="standard")
    assert crim.deadline("criminal.filing_decision")["due_on"] == "2026-03-16"  # 15th a Sunday
    crim.step(officer, "refuse_to_file", on="2026-03-14", reason="证据不足")
    assert crim.deadline("criminal.filing_decision")["state"] == "met"
    # 3 working days: Mon 16, Tue 17, Wed 18.
    assert crim.deadline("criminal.reconsideration_request")["due_on"] == "2026-03-18"
    crim.step(officer, "request_reconsideration", on="2026-03-16", reason="危废数量已鉴定")
    crim.step(officer, "uphold_refusal", on="2026-03-18", reason="维持")
    crim.step(officer, "request_supervision", on="2026-03-19", reason="请求立案监督")
    assert crim.body["status"] == "supervision"
    # The procuratorate's acts are the prosecutor's, not the officer's.
    crim.step(officer, "order_filing", expect=403, on="2026-03-20")
    crim.step(prosecutor, "require_explanation", on="2026-03-20")
    assert crim.deadline("criminal.police_explanation")["due_on"] == "2026-03-27"
    crim.step(officer, "explain_refusal", on="2026-03-25", reason="认为不构成犯罪")
    crim.step(prosecutor, "order_filing", on="2026-03-26")
    assert crim.deadline("criminal.filing_after_notice")["due_on"] == "2026-04-10"
    crim.step(officer, "file_case", on="2026-04-02", decided_on="2026-04-01")
    assert crim.body["status"] == "investigation"
    assert crim.deadline("criminal.filing_after_notice")["state"] == "met"
    assert crim.deadline("criminal.filing_notice")["state"] == "met"
    assert crim.deadline("criminal.seized_items")["due_on"] == "2026-04-07"  # 4-6 清明
    crim.step(officer, "hand_over_seized_items", on="2026-04-03")
    crim.step(prosecutor, "refer_for_prosecution", on="2026-06-01")
    assert crim.deadline("criminal.prosecution_review")["due_on"] == "2026-07-01"
    crim.step(prosecutor, "return_for_supplementary", on="2026-06-15", reason="补充鉴定")
    crim.step(prosecutor, "resubmit", on="2026-07-10")
    crim.step(prosecutor, "return_for_supplementary", on="2026-07-20", reason="补充证人")
    crim.step(prosecutor, "resubmit", on="2026-08-14")
    version = crim.body["version"]
    body = crim.step(
        prosecutor, "return_for_supplementary", expect=409, on="2026-08-20", reason="第三次"
    )
    assert body["errors"]["rule"] == ["supplementary_limit"]
    assert body["errors"]["basis"] == ["《刑事诉讼法》（2018）第175条"]
    crim.reload(officer)
    assert (crim.body["status"], crim.body["version"]) == ("prosecution_review", version)
    crim.step(prosecutor, "indict", on="2026-08-25")
    assert crim.body["court_code"] == COURT
    crim.step(judge, "accept_for_trial", on="2026-08-28")
    crim.step(
        judge,
        "judge_first_instance",
        on="2026-10-20",
        verdict="conviction",
        fine_cents=20_000_000,
    )
    assert crim.deadline("criminal.appeal")["due_on"] == "2026-10-30"
    crim.step(judge, "become_final", expect=409, on="2026-10-30")
    crim.step(judge, "become_final", on="2026-11-02")
    assert crim.body["status"] == "final"
    # The conviction disposes of the administrative case (衔接办法 arts. 16-17).
    admin.reload(officer)
    assert admin.body["status"] == "closed"
    assert admin.body["clock_stops"][0]["end_on"] == "2026-11-02"
    crim.step(judge, "start_execution", on="2026-11-03")
    crim.step(judge, "complete_execution", on="2026-11-20")
    assert crim.body["status"] == "closed"
    assert all(d["state"] in ("met", "cancelled") for d in crim.body["deadlines"]), [
        (d["rule_code"], d["state"]) for d in crim.body["deadlines"]
    ]


def test_a_judge_sees_only_families_before_their_court_and_records_only_court_acts(client, people):
    officer, head = people["officer"], people["head"]
    judge, other = people["judge"], people["other_judge"]
    vid = people["violation"]["id"]
    family_url = f"/api/v1/violations/{vid}/family"
    assert client.get(family_url, headers=judge.headers).status_code == 404  # nothing before it
    crim = open_channel(
        client,
        officer,
        violation_id=vid,
        track="criminal",
        on="2026-03-10",
        report_officer_ids=[officer.user_id, people["colleague"].id],
        court_code=COURT,
    )
    assert client.get(family_url, headers=judge.headers).status_code == 200
    assert client.get(family_url, headers=other.headers).status_code == 404
    # The judge's deadline board holds the cases before the court, the other judge's nothing.
    board = client.get("/api/v1/deadlines", headers=judge.headers).get_json()["items"]
    assert {(d["case_id"], d["rule_code"]) for d in board} == {
        (crim.id, "criminal.transfer_approval")
    }
    assert client.get("/api/v1/deadlines", headers=other.headers).get_json()["items"] == []
    # Every read by a judge is in the audit trail: the family, the board, the alerts.
    client.get(f"/api/v1/violations/{vid}/alerts", headers=judge.headers)
    reads = client.get(
        f"/api/v1/audit?action=read&actor_id={judge.user_id}&per_page=50",
        headers=people["head"].headers,
    ).get_json()["items"]
    assert {r["table_name"] for r in reads} >= {"violations", "deadlines", "alerts"}
    assert client.get(crim.url, headers=other.headers).status_code == 404
    # The judge may not take the head's or the officer's steps.
    crim.step(judge, "approve_transfer", expect=403, on="2026-03-11")
    crim.step(head, "approve_transfer", on="2026-03-11")
    crim.step(judge, "hand_over", expect=403, on="2026-03-12", attachments=ATTACHMENTS)
    # The judge's case search finds the criminal case and, filtered by track, only it.
    found = client.get("/api/v1/cases?track=criminal", headers=judge.headers).get_json()
    assert [c["id"] for c in found["items"]] == [crim.id]
    # Nor an administrative case's step.
    admin = client.post(
        "/api/v1/cases",
        json={"violation_id": vid, "lead_received_on": "2026-03-02"},
        headers=officer.headers,
    ).get_json()
    resp = client.post(
        f"/api/v1/cases/{admin['id']}/transitions",
        json={"event": "file"},
        headers={**judge.headers, "If-Match": f'"v{admin["version"]}"'},
    )
    assert resp.status_code == 403
