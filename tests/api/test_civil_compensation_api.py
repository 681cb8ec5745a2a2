"""Civil public-interest suits (NGO and administrative) and damage-compensation screening
through the HTTP stack: standing, announcements, reply periods, recorded reasons."""

from __future__ import annotations

import pytest

from casemgr.policy import Role
from tests.api.test_channels_api import COUNTY, PROCURATORATE, open_channel

MID_COURT = "C520300"


@pytest.fixture
def people(auth, world):
    return {
        **world,
        "prosecutor": auth.login(
            Role.PROSECUTOR, jurisdictions=("520300",), organ_code=PROCURATORATE
        ),
        "judge": auth.login(Role.JUDGE, jurisdictions=("520300",), organ_code=f"C{COUNTY}"),
        "mid_judge": auth.login(Role.JUDGE, jurisdictions=("520300",), organ_code=MID_COURT),
        "claimant": auth.login(Role.COMPENSATION_OFFICER, jurisdictions=("520000",)),
    }


STANDING = {"registered_level": "prefecture", "years_active": 6, "violation_record_5y": False}


def test_an_ngo_suit_needs_standing_and_others_may_join_within_30_days(client, people):
    court = people["mid_judge"]
    vid = people["violation"]["id"]
    suit = open_channel(
        client, court, violation_id=vid, track="civil_pil", kind="ngo", on="2026-04-01"
    )
    assert suit.body["court_code"] == MID_COURT
    missing = suit.step(court, "file_suit", expect=422, on="2026-04-01")
    assert "registered_level" in missing["errors"]
    body = suit.step(
        court,
        "file_suit",
        expect=409,
        on="2026-04-01",
        **{**STANDING, "registered_level": "county"},
    )
    assert body["errors"]["rule"] == ["ngo_standing"]
    assert "《环境保护法》第58条" in body["errors"]["basis"][0]
    body = suit.step(
        court, "file_suit", expect=409, on="2026-04-01", **{**STANDING, "years_active": 4}
    )
    assert body["errors"]["rule"] == ["ngo_standing"]
    suit.step(court, "file_suit", on="2026-04-01", **STANDING)
    suit.step(court, "accept", on="2026-04-08")
    assert suit.deadline("civil.first_instance")["due_on"] == "2026-10-08"
    suit.step(court, "publish_acceptance", on="2026-04-09")
    # 30 days end on Saturday 05-09, a make-up working day (劳动节调休): no roll.
    assert suit.deadline("civil.joining_window")["due_on"] == "2026-05-09"
    suit.step(court, "join_plaintiff", on="2026-04-20", plaintiff_name="贵州省某环保联合会")
    late = suit.step(court, "join_plaintiff", expect=409, on="2026-05-11", plaintiff_name="某协会")
    assert late["errors"]["rule"] == ["joining_window"]
    # Another court's judge does not even see it.
    suit.step(people["judge"], "start_trial", expect=404, on="2026-05-12")
    suit.step(court, "start_trial", on="2026-05-12")
    assert suit.body["status"] == "trial"


def test_an_administrative_public_interest_case_reply_period_and_suit(client, people):
    prosecutor, officer, judge = people["prosecutor"], people["officer"], people["judge"]
    vid = people["violation"]["id"]
    case = open_channel(
        client, prosecutor, violation_id=vid, track="administrative_pil", on="2026-04-01"
    )
    case.step(prosecutor, "file", on="2026-04-01")
    case.step(prosecutor, "start_investigation", on="2026-04-02")
    case.step(prosecutor, "issue_recommendation", on="2026-04-10", urgent=True)
    # Urgent: 15 days, not 2 months (检察公益诉讼解释 2018 art. 21).
    assert case.deadline("admin_pil.reply_urgent")["due_on"] == "2026-04-27"  # 04-25 Saturday
    early = case.step(prosecutor, "start_follow_up", expect=409, on="2026-04-20")
    assert early["errors"]["rule"] == ["reply_or_period_run"]
    # The agency records its own written reply, not the procuratorate's acts.
    case.step(officer, "issue_recommendation", expect=403, on="2026-04-20")
    case.step(officer, "receive_reply", on="2026-04-24", reply_summary="已责令停产整治")
    case.step(prosecutor, "start_follow_up", on="2026-05-10")
    case.step(prosecutor, "record_follow_up", on="2026-05-20", agency_performed=False)
    case.step(prosecutor, "file_suit", on="2026-05-25")
    assert case.body["court_code"] == f"C{COUNTY}"
    case.step(judge, "judge", on="2026-08-01", judgment_kind="order_performance")
    case.step(judge, "serve_judgment", on="2026-08-03")
    case.step(judge, "become_final", expect=409, on="2026-08-10")
    case.step(judge, "become_final", on="2026-08-19")
    case.step(judge, "close", on="2026-08-20")
    assert case.body["status"] == "closed"


def test_not_starting_a_claim_needs_a_listed_reason(client, people):
    claimant, officer = people["claimant"], people["officer"]
    vid = people["violation"]["id"]
    etag = client.get(f"/api/v1/violations/{vid}", headers=officer.headers).headers["ETag"]
    resp = client.patch(
        f"/api/v1/violations/{vid}",
        json={"ecological_damage": True},
        headers={**officer.headers, "If-Match": etag},
    )
    assert resp.status_code == 200, resp.get_json()
    family = client.get(f"/api/v1/violations/{vid}/family", headers=officer.headers).get_json()
    assert [c["code"] for c in family["consistency"]] == ["damage_no_claim"]
    comp = open_channel(client, claimant, violation_id=vid, track="compensation", on="2026-04-01")
    family = client.get(f"/api/v1/violations/{vid}/family", headers=officer.headers).get_json()
    assert family["consistency"] == []
    comp.step(claimant, "start_screening", on="2026-04-02")
    body = comp.step(claimant, "decide_not_to_start", expect=422, on="2026-04-10")
    assert "reason" in body["errors"]
    body = comp.step(claimant, "decide_not_to_start", expect=409, on="2026-04-10", reason="嫌麻烦")
    assert body["errors"]["rule"] == ["not_started_reason"]
    comp.step(claimant, "decide_not_to_start", on="2026-04-10", reason="insignificant")
    assert comp.body["status"] == "not_started"
    assert comp.deadline("compensation.start_decision")["state"] == "met"
    assert comp.body["details"]["reason"] == "insignificant"
    # An officer cannot act for the claimant.
    other = open_channel(
        client, officer, expect=403, violation_id=vid, track="compensation", on="2026-04-01"
    )
    assert other["code"] == 403


def test_unknown_steps_and_tracks_are_named(client, people):
    claimant = people["claimant"]
    vid = people["violation"]["id"]
    body = open_channel(client, claimant, expect=422, violation_id=vid, track="nonsense")
    assert "track" in body["errors"]
    comp = open_channel(client, claimant, violation_id=vid, track="compensation", on="2026-04-01")
    body = comp.step(claimant, "fly_to_the_moon", expect=422)
    assert "event" in body["errors"]
    body = comp.step(claimant, "start_claim", expect=409)
    assert "start_screening" in str(body)
