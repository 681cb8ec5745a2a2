"""Administrative cases through the HTTP stack: the procedure, its guards and its clock."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from casemgr.policy import Role
from tests.factories import EnterpriseFactory

FILED = date(2026, 3, 4)  # a Wednesday; day 90 (2026-06-02) is a working day


@pytest.fixture
def world(client, auth, session):
    """A 仁怀 enterprise and violation, two certified officers, one whose certificate lapsed,
    and a 遵义 bureau head."""
    ent = EnterpriseFactory(county_code="520382")
    session.commit()
    valid = date(2030, 1, 1)
    officer = auth.login(Role.OFFICER, jurisdictions=("520382",), certificate_valid_until=valid)
    colleague = auth.user(Role.OFFICER, jurisdictions=("520382",), certificate_valid_until=valid)
    lapsed = auth.user(
        Role.OFFICER, jurisdictions=("520382",), certificate_valid_until=date(2025, 12, 31)
    )
    head = auth.login(Role.BUREAU_HEAD, jurisdictions=("520300",))
    v = client.post(
        "/api/v1/violations",
        headers=officer.headers,
        json={
            "found_at": "2026-03-01T09:00:00+08:00",
            "county_code": "520382",
            "enterprise_ids": [ent.id],
            "summary": "超标排放酿酒废水",
            "origin": "inspection",
        },
    ).get_json()
    return {
        "officer": officer,
        "colleague": colleague,
        "lapsed": lapsed,
        "head": head,
        "violation": v,
        "enterprise": ent,
    }


class Case:
    """Drives one case through the API, tracking its ETag."""

    def __init__(self, client, body):
        self.client = client
        self.body = body

    @property
    def url(self):
        return f"/api/v1/cases/{self.body['id']}"

    def step(self, login, event, expect=200, **data):
        resp = self.client.post(
            f"{self.url}/transitions",
            json={"event": event, **data},
            headers={**login.headers, "If-Match": f'"v{self.body["version"]}"'},
        )
        assert resp.status_code == expect, resp.get_json()
        if resp.status_code == 200:
            self.body = resp.get_json()
        return resp.get_json()

    def post(self, login, path, payload, expect=201):
        resp = self.client.post(
            f"{self.url}/{path}",
            json=payload,
            headers={**login.headers, "If-Match": f'"v{self.body["version"]}"'},
        )
        assert resp.status_code == expect, resp.get_json()
        self.reload(login)
        return resp.get_json()

    def reload(self, login):
        self.body = self.client.get(self.url, headers=login.headers).get_json()
        return self.body


def _open(client, world, received=date(2026, 3, 2)):
    resp = client.post(
        "/api/v1/cases",
        headers=world["officer"].headers,
        json={
            "violation_id": world["violation"]["id"],
            "lead_received_on": received.isoformat(),
        },
    )
    assert resp.status_code == 201, resp.get_json()
    return Case(client, resp.get_json())


def _to_review(client, world, filed=FILED):
    case = _open(client, world)
    case.step(world["head"], "file", on=filed.isoformat())
    case.step(world["officer"], "start_investigation", on=filed.isoformat())
    case.post(
        world["officer"],
        "records",
        {
            "kind": "inspection",
            "held_at": f"{filed.isoformat()}T10:00:00+08:00",
            "place": "排污口",
            "officer_ids": [world["officer"].user_id, world["colleague"].id],
        },
    )
    case.step(world["officer"], "conclude_investigation", on=filed.isoformat())
    return case


def _notified(client, world, on):
    case = _to_review(client, world)
    case.step(
        world["officer"],
        "notify",
        on=on.isoformat(),
        proposed_penalty_types=["fine"],
        proposed_fine_cents=10_000_000,
    )
    case.step(world["officer"], "end_reply_period", on=(on + timedelta(days=10)).isoformat())
    return case


DECISION = {
    "penalty_types": ["fine"],
    "fines": [{"act": "超标排放", "amount_cents": 8_000_000}],
    "correction_ordered_on": "2026-03-10",
}


def test_a_case_runs_the_whole_general_procedure(client, world):
    case = _open(client, world)
    assert case.body["status"] == "lead"
    assert [d["rule_code"] for d in case.body["deadlines"]] == ["admin.filing_decision"]
    assert case.body["deadlines"][0]["due_on"] == "2026-03-17"  # 15 days, not counting Mar 2
    assert "file" not in case.body["allowed_events"]  # officers do not approve filing
    case.step(world["head"], "file", on=FILED.isoformat())
    assert case.body["number"] == "遵环罚〔2026〕1号"
    decision = next(d for d in case.body["deadlines"] if d["rule_code"] == "admin.decision")
    assert (decision["due_on"], "《行政处罚法》（2021）第60条" in decision["basis"]) == (
        "2026-06-02",
        True,
    )
    case = _notified(client, world, date(2026, 4, 1))
    case.step(world["head"], "decide", on="2026-04-20", **DECISION)
    assert case.body["status"] == "decided" and case.body["final_fine_cents"] == 8_000_000
    case.step(world["officer"], "serve", on="2026-04-22")
    payment = next(d for d in case.body["deadlines"] if d["rule_code"] == "admin.fine_payment")
    assert payment["due_on"] == "2026-05-07"  # 15 days from 04-22
    case.step(world["officer"], "record_performance", on="2026-05-06")
    case.step(world["officer"], "archive")
    assert case.body["status"] == "archived"
    assert [t["event"] for t in case.body["transitions"]][-3:] == [
        "serve",
        "record_performance",
        "archive",
    ]
    assert {d["state"] for d in case.body["deadlines"]} == {"met"}


def test_an_illegal_step_is_409_naming_the_allowed_events(client, world):
    case = _open(client, world)
    body = case.step(world["head"], "decide", expect=409, **DECISION)
    assert body["reason"] == "illegal_transition"
    assert "file" in body["message"]


def test_an_officer_may_not_approve_filing(client, world):
    case = _open(client, world)
    case.step(world["officer"], "file", expect=403)


def test_investigation_needs_two_certified_officers(client, world, auth):
    case = _open(client, world)
    case.step(world["head"], "file", on=FILED.isoformat())
    case.step(world["officer"], "start_investigation", on=FILED.isoformat())
    expired = auth.user(
        Role.OFFICER, jurisdictions=("520382",), certificate_valid_until=date(2025, 12, 31)
    )
    case.post(
        world["officer"],
        "records",
        {
            "kind": "interview",
            "held_at": "2026-03-05T10:00:00+08:00",
            "officer_ids": [world["officer"].user_id, expired.id],
        },
    )
    body = case.step(world["officer"], "conclude_investigation", expect=409)
    assert body["reason"] == "guard_failed"
    assert body["errors"]["rule"] == ["two_officers"]
    assert body["errors"]["basis"] == ["《行政处罚法》（2021）第42、55条"]
    assert body["message"].startswith("两名以上持证执法人员（《行政处罚法》（2021）第42、55条）：")


@pytest.mark.parametrize(
    ("language", "title", "basis", "law_name"),
    [
        (
            "zh-CN",
            "两名以上持证执法人员",
            "《行政处罚法》（2021）第42、55条",
            "《行政处罚法》（2021）",
        ),
        (
            "en",
            "Two or more certified officers",
            "Administrative Penalty Law (2021) art. 42, 55",
            "Administrative Penalty Law (2021)",
        ),
    ],
)
def test_a_guard_refusal_names_its_rule_and_citations_in_the_readers_language(
    client, world, auth, language, title, basis, law_name
):
    case = _open(client, world)
    case.step(world["head"], "file", on=FILED.isoformat())
    case.step(world["officer"], "start_investigation", on=FILED.isoformat())
    resp = client.post(
        f"{case.url}/transitions",
        json={"event": "conclude_investigation"},
        headers={
            **world["officer"].headers,
            "If-Match": f'"v{case.body["version"]}"',
            "Accept-Language": language,
        },
    )
    assert resp.status_code == 409
    body = resp.get_json()
    assert body["message"].startswith(title) and basis in body["message"]
    assert body["errors"]["basis"] == [basis]
    assert body["errors"]["citations"] == [
        {
            "law": "admin_penalty_law",
            "law_name": law_name,
            "articles": "42, 55",
            "note": "",
            "recalled": False,
        }
    ]


def test_a_decision_on_day_91_is_refused_naming_the_90_day_rule(client, world):
    case = _notified(client, world, date(2026, 4, 1))
    body = case.step(world["head"], "decide", expect=409, on="2026-06-03", **DECISION)
    assert body["errors"]["rule"] == ["decision_time_limit"]
    assert "第60条" in body["errors"]["basis"][0]
    assert [c["law"] for c in body["errors"]["citations"]] == [
        "admin_penalty_law",
        "eco_penalty_measures",
    ]
    assert len(body["errors"]["ways_forward"]) >= 3


def test_an_extension_approved_before_the_limit_lets_the_decision_through(client, world):
    case = _notified(client, world, date(2026, 4, 1))
    case.post(
        world["head"],
        "extensions",
        {"days": 30, "approved_on": "2026-05-29", "reason": "案情复杂，需补充鉴定"},
    )
    decision = next(d for d in case.body["deadlines"] if d["rule_code"] == "admin.decision")
    assert decision["due_on"] == "2026-07-02"
    case.step(world["head"], "decide", on="2026-06-03", **DECISION)
    assert case.body["status"] == "decided"


def test_an_extension_after_the_limit_is_refused(client, world):
    case = _notified(client, world, date(2026, 4, 1))
    resp = case.post(
        world["head"],
        "extensions",
        {"days": 30, "approved_on": "2026-06-03", "reason": "迟到的延期"},
        expect=422,
    )
    assert "approved_on" in resp["errors"]


def test_a_clock_stop_pushes_the_decision_limit(client, world):
    case = _notified(client, world, date(2026, 4, 1))
    case.post(
        world["officer"],
        "clock-stops",
        {"reason": "appraisal", "start_on": "2026-04-10", "end_on": "2026-04-21"},
    )
    decision = next(d for d in case.body["deadlines"] if d["rule_code"] == "admin.decision")
    assert (decision["due_on"], decision["paused_days"]) == ("2026-06-15", 12)  # 06-14 is Sunday
    case.step(world["head"], "decide", on="2026-06-03", **DECISION)


def test_a_head_records_an_overdue_decision_and_the_breach_stays_visible(client, world):
    case = _notified(client, world, date(2026, 4, 1))
    case.step(
        world["head"], "decide", on="2026-06-10", overdue_reason="鉴定机构延迟出具报告", **DECISION
    )
    decision = next(d for d in case.body["deadlines"] if d["rule_code"] == "admin.decision")
    assert decision["state"] == "missed" and decision["breach_reason"] == "鉴定机构延迟出具报告"
    board = client.get(
        "/api/v1/deadlines?state=missed&county=520300", headers=world["head"].headers
    ).get_json()
    missed = {d["rule_code"]: d for d in board["items"]}
    assert missed["admin.decision"]["breach_reason"] == "鉴定机构延迟出具报告"
    assert "admin.statement_defence" not in missed  # the party's window closed lawfully


def test_an_officer_cannot_record_an_overdue_decision(client, world):
    case = _notified(client, world, date(2026, 4, 1))
    case.step(
        world["officer"],
        "decide",
        expect=403,
        on="2026-06-10",
        overdue_reason="来不及了",
        **DECISION,
    )


def test_the_final_fine_may_not_exceed_the_notified_one(client, world):
    case = _notified(client, world, date(2026, 4, 1))
    body = case.step(
        world["head"],
        "decide",
        expect=409,
        on="2026-04-20",
        **{**DECISION, "fines": [{"act": "超标排放", "amount_cents": 12_000_000}]},
    )
    assert body["errors"]["rule"] == ["no_increase_after_notice"]


def test_a_penalty_needs_a_correction_order(client, world):
    case = _notified(client, world, date(2026, 4, 1))
    body = case.step(
        world["head"],
        "decide",
        expect=409,
        on="2026-04-20",
        **{k: v for k, v in DECISION.items() if k != "correction_ordered_on"},
    )
    assert body["errors"]["rule"] == ["correction_order"]


def test_a_stale_step_is_412_and_changes_nothing(client, world):
    case = _open(client, world)
    stale = {**case.body}
    case.step(world["head"], "file", on=FILED.isoformat())
    old = Case(client, stale)
    old.step(world["head"], "decline_to_file", expect=412)
    assert case.reload(world["head"])["status"] == "filed"


def test_cases_of_another_county_do_not_exist(client, world, auth):
    case = _open(client, world)
    stranger = auth.login(Role.OFFICER, jurisdictions=("520102",))
    assert client.get(case.url, headers=stranger.headers).status_code == 404
    # A prosecutor sees what is before their own procuratorate, not what lies in its territory:
    # an administrative case becomes visible once the procuratorate is notified of it.
    prosecutor = auth.login(Role.PROSECUTOR, jurisdictions=("520300",), organ_code="P520382")
    assert client.get(case.url, headers=prosecutor.headers).status_code == 404
    resp = client.post(
        f"{case.url}/procuratorate-notice",
        json={"on": "2026-03-05"},
        headers={**world["officer"].headers, "If-Match": f'"v{case.body["version"]}"'},
    )
    assert resp.status_code == 200, resp.get_json()
    assert resp.get_json()["procuratorate_code"] == "P520382"
    assert client.get(case.url, headers=prosecutor.headers).status_code == 200
    elsewhere = auth.login(Role.PROSECUTOR, jurisdictions=("520100",), organ_code="P520102")
    assert client.get(case.url, headers=elsewhere.headers).status_code == 404


def test_a_withdrawn_case_owes_no_more_deadlines(client, world):
    case = _open(client, world)
    case.step(world["head"], "file", on=FILED.isoformat())
    case.step(world["head"], "withdraw", on="2026-03-20")
    states = {d["rule_code"]: d["state"] for d in case.body["deadlines"]}
    assert states == {"admin.filing_decision": "met", "admin.decision": "cancelled"}
    board = client.get(
        "/api/v1/deadlines?state=missed&state=open", headers=world["head"].headers
    ).get_json()
    assert board["total"] == 0


def test_a_partys_window_that_lapses_is_no_breach(client, world):
    case = _to_review(client, world)
    case.step(
        world["officer"],
        "notify",
        on="2026-04-01",
        proposed_penalty_types=["fine"],
        proposed_fine_cents=30_000_000,
    )  # 300,000 CNY: a hearing may be requested
    windows = {d["rule_code"]: d for d in case.body["deadlines"]}
    assert windows["admin.hearing_request"]["state"] == "met"  # lapsed long ago, unused
    assert windows["admin.statement_defence"]["state"] == "met"
