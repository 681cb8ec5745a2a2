"""One violation through all four channels, and the case family that joins them (issue 4).

The referral is refused, supervised and filed; the procuratorate indicts and files an
incidental civil claim; the claimant's compensation agreement is judicially confirmed after the
30-day notice and the restoration evaluated. Every deadline on the way is checked, and the
family shows the whole story to those entitled to it.
"""

from __future__ import annotations

import pytest

from casemgr.models import AuditEntry
from casemgr.policy import Role
from tests.api.test_channels_api import (
    ATTACHMENTS,
    COURT,
    PROCURATORATE,
    ChannelCase,
    _admin_investigating,
    open_channel,
)

MID_COURT = "C520300"  # 遵义市中级人民法院


@pytest.fixture
def people(auth, world):
    return {
        **world,
        "prosecutor": auth.login(
            Role.PROSECUTOR, jurisdictions=("520300",), organ_code=PROCURATORATE
        ),
        "judge": auth.login(Role.JUDGE, jurisdictions=("520300",), organ_code=COURT),
        "mid_judge": auth.login(Role.JUDGE, jurisdictions=("520300",), organ_code=MID_COURT),
        "claimant": auth.login(Role.COMPENSATION_OFFICER, jurisdictions=("520000",)),
        "regulator": auth.login(Role.CREDIT_REGULATOR, jurisdictions=("520000",)),
    }


def _criminal_to_indictment(client, p, admin):
    officer, head, prosecutor = p["officer"], p["head"], p["prosecutor"]
    crim = open_channel(
        client,
        officer,
        violation_id=p["violation"]["id"],
        track="criminal",
        source_case_id=admin.body["id"],
        on="2026-03-10",
        report_officer_ids=[officer.user_id, p["colleague"].id],
        parties=[
            {"name": "贵州某某酒业有限公司", "is_organisation": True, "role": "suspect"},
            {
                "name": "张某",
                "role": "suspect",
                "id_number": "520382198001011234",
                "phone": "13812345678",
                "address": "贵州省仁怀市茅台镇某某村12号",
            },
        ],
    )
    crim.step(head, "approve_transfer", on="2026-03-11")
    crim.step(officer, "hand_over", on="2026-03-12", attachments=ATTACHMENTS)
    crim.step(officer, "acknowledge_receipt", on="2026-03-12", filing_limit="leads_to_check")
    assert crim.deadline("criminal.filing_decision.leads")["due_on"] == "2026-03-19"
    crim.step(officer, "refuse_to_file", on="2026-03-18", reason="尚需核查")
    crim.step(officer, "request_supervision", on="2026-03-19", reason="请求立案监督")
    crim.step(prosecutor, "order_filing", on="2026-03-23")
    crim.step(officer, "file_case", on="2026-03-30")
    crim.step(officer, "hand_over_seized_items", on="2026-03-31")
    crim.step(prosecutor, "refer_for_prosecution", on="2026-06-01")
    return crim


def test_one_violation_through_all_four_channels(client, people, session):
    p = people
    officer, prosecutor, judge = p["officer"], p["prosecutor"], p["judge"]
    mid_judge, claimant = p["mid_judge"], p["claimant"]
    vid = p["violation"]["id"]
    admin = _admin_investigating(client, p)
    crim = _criminal_to_indictment(client, p, admin)

    # The procuratorate announces an incidental civil claim (30 days [R]) and files it with
    # the indictment (检察公益诉讼解释 art. 20).
    civil = open_channel(
        client,
        prosecutor,
        violation_id=vid,
        track="civil_pil",
        kind="incidental",
        source_case_id=crim.id,
        on="2026-06-20",
    )
    civil.step(prosecutor, "announce", on="2026-06-20")
    assert civil.deadline("civil.announcement")["due_on"] == "2026-07-20"
    early = civil.step(prosecutor, "file_with_indictment", expect=409, on="2026-06-25")
    assert early["errors"]["rule"][0] in ("incidental_with_indictment", "incidental_announcement")
    crim.step(prosecutor, "indict", on="2026-07-28")
    assert crim.deadline("criminal.prosecution_review")["state"] in ("met", "missed")
    civil.step(prosecutor, "file_with_indictment", on="2026-07-28")
    assert civil.body["court_code"] == COURT

    # The court tries both.
    crim.step(judge, "accept_for_trial", on="2026-07-30")
    assert crim.deadline("criminal.first_instance")["due_on"] == "2026-09-30"
    civil.step(judge, "accept", on="2026-07-30")
    civil.step(judge, "start_trial", on="2026-08-10")
    crim.step(
        judge, "judge_first_instance", on="2026-09-20", verdict="conviction", fine_cents=8_000_000
    )
    assert crim.deadline("criminal.first_instance")["state"] == "met"
    civil.step(judge, "judge", on="2026-09-20")
    civil.step(judge, "serve_judgment", on="2026-09-21")
    crim.step(judge, "become_final", on="2026-10-08")
    assert civil.deadline("civil.appeal_incidental")["due_on"] == "2026-10-08"  # 国庆 rolls
    civil.step(judge, "become_final", on="2026-10-09")
    assert civil.body["status"] == "final"

    # The claimant's compensation claim, with the procuratorate notified.
    comp = open_channel(client, claimant, violation_id=vid, track="compensation", on="2026-03-05")
    assert comp.deadline("compensation.start_decision")["due_on"] == "2026-04-07"  # 04-04..06 off
    comp.step(claimant, "start_screening", on="2026-03-06")
    comp.step(claimant, "start_claim", on="2026-03-10")
    assert comp.deadline("compensation.start_decision")["state"] == "met"
    family = client.get(f"/api/v1/violations/{vid}/family", headers=officer.headers).get_json()
    assert "procuratorate_not_notified" in {c["code"] for c in family["consistency"]}
    comp.post(claimant, "procuratorate-notice", {"on": "2026-03-10"}, expect=200)
    comp.reload(claimant)
    comp.step(claimant, "start_assessment", on="2026-03-20", assessment_method="full")
    comp.step(claimant, "serve_consultation_notice", on="2026-04-20", notice_served_on="2026-04-20")
    assert comp.deadline("compensation.consultation")["due_on"] == "2026-07-20"  # 07-19 Sunday
    comp.step(claimant, "record_round", on="2026-05-10", round_summary="第一轮磋商")
    comp.step(
        claimant,
        "reach_agreement",
        on="2026-05-25",
        agreed_cents=50_000_000,
        restoration=True,
        performance_due_on="2026-10-31",
    )
    assert comp.deadline("compensation.consultation")["state"] == "met"
    comp.step(claimant, "apply_confirmation", on="2026-06-01")
    assert comp.body["court_code"] == MID_COURT
    comp.step(judge, "publish_confirmation_notice", expect=403, on="2026-06-02")
    comp.step(mid_judge, "publish_confirmation_notice", on="2026-06-02")
    assert comp.deadline("compensation.confirmation_notice")["due_on"] == "2026-07-02"
    version = comp.body["version"]
    early = comp.step(mid_judge, "confirm_agreement", expect=409, on="2026-06-20")
    assert early["errors"]["rule"] == ["confirmation_notice_run"]
    assert "若干规定（试行）》（2019，2020修正）第20条" in early["errors"]["basis"][0]
    comp.reload(claimant)
    assert (comp.body["status"], comp.body["version"]) == ("judicial_confirmation", version)
    comp.step(mid_judge, "confirm_agreement", on="2026-07-03")
    assert comp.deadline("compensation.confirmation_notice")["state"] == "met"
    assert comp.body["status"] == "performance"

    # Restoration with milestones, the compensation paid, the effect evaluated.
    project = comp.post(
        claimant,
        "restoration-projects",
        {
            "title": "赤水河支流河道底泥清理与植被恢复",
            "budget_cents": 30_000_000,
            "start_on": "2026-07-10",
            "due_on": "2026-10-31",
            "milestones": [
                {"title": "底泥清理", "due_on": "2026-08-31"},
                {"title": "植被恢复", "due_on": "2026-10-15"},
            ],
        },
    )
    comp.reload(claimant)
    url = f"/api/v1/restoration-projects/{project['id']}"
    etag = f'"v{project["version"]}"'
    milestones = [m["id"] for m in project["milestones"]]
    resp = client.patch(
        url,
        json={
            "milestones_done": [
                {"id": milestones[0], "done_on": "2026-08-28"},
                {"id": milestones[1], "done_on": "2026-10-10"},
            ],
            "completed_on": "2026-10-12",
        },
        headers={**claimant.headers, "If-Match": etag},
    )
    assert resp.status_code == 200, resp.get_json()
    etag = resp.headers["ETag"]
    resp = client.patch(
        url,
        json={"evaluation_passed": True, "evaluated_on": "2026-10-20", "evaluation_note": "达标"},
        headers={**claimant.headers, "If-Match": etag},
    )
    assert resp.status_code == 200 and resp.get_json()["status"] == "evaluated"
    comp.post(
        claimant,
        "compensation-payments",
        {
            "kind": "compensation",
            "amount_cents": 20_000_000,
            "paid_on": "2026-08-01",
            "reference": "黔非税赔2026-001",
        },
    )
    comp.reload(claimant)
    too_much = comp.post(
        claimant,
        "compensation-payments",
        {
            "kind": "compensation",
            "amount_cents": 40_000_000,
            "paid_on": "2026-08-02",
            "reference": "X",
        },
        expect=422,
    )
    assert "amount_cents" in too_much["errors"]
    comp.step(claimant, "start_evaluation", on="2026-10-15")
    comp.step(claimant, "record_evaluation", on="2026-10-20", evaluation_passed=True)
    comp.step(claimant, "close", on="2026-10-25")
    assert comp.body["status"] == "closed"

    # The family, as the judge of the criminal court sees it.
    resp = client.get(f"/api/v1/violations/{vid}/family", headers=judge.headers)
    assert resp.status_code == 200, resp.get_json()
    family = resp.get_json()
    tracks = sorted(c["track"] for c in family["cases"])
    assert tracks == ["administrative", "civil_pil", "compensation", "criminal"]
    links = {(lk["kind"], lk["from_case_id"], lk["to_case_id"]) for lk in family["links"]}
    assert ("criminal_referral", admin.body["id"], crim.id) in links
    assert ("incidental_civil", crim.id, civil.id) in links
    # The conviction disposed of the administrative case.
    statuses = {c["track"]: c["status"] for c in family["cases"]}
    assert statuses["administrative"] == "closed"
    ledger = family["ledger"]
    assert ledger["criminal_fine_cents"] == 8_000_000 and ledger["offset_cents"] == 0
    assert ledger["compensation_agreed_cents"] == 50_000_000
    assert ledger["compensation_paid_cents"] == 20_000_000
    assert ledger["compensation_outstanding_cents"] == 30_000_000
    assert [r["status"] for r in ledger["restoration"]] == ["evaluated"]
    # Personal data: the judge sees the individual's ID number, not the phone number.
    person = next(x for x in family["parties"] if x["name"] == "张某")
    assert person["id_number"] == "520382198001011234"
    assert person["phone"] == "138****5678" and person["masked"] == ["phone"]
    # One merged timeline, in legal-date order, across the channels.
    days = [e["on"] for e in family["timeline"]]
    assert days == sorted(days)
    assert {e["channel"] for e in family["timeline"] if e["kind"] == "transition"} == {
        "administrative",
        "criminal",
        "civil",
        "compensation",
    }
    assert family["consistency"] == []
    # The judge's read is audited.
    reads = session.query(AuditEntry).filter_by(
        action="read", table_name="violations", actor_id=judge.user_id
    )
    assert reads.count() >= 1
    # A regulator sees the family with the individual's ID number masked.
    family = client.get(f"/api/v1/violations/{vid}/family", headers=p["regulator"].headers)
    person = next(x for x in family.get_json()["parties"] if x["name"] == "张某")
    assert person["id_number"] == "5203************34"
    assert person["address"].endswith("***")


def test_a_paid_fine_is_offset_against_the_criminal_fine(client, people):
    from tests.api.test_penalties_api import FINE, _served

    p = people
    officer, head, prosecutor, judge = p["officer"], p["head"], p["prosecutor"], p["judge"]
    admin = _served(client, p)
    admin.post(
        officer,
        "payments",
        {"kind": "fine", "amount_cents": FINE, "paid_on": "2026-05-06", "reference": "R-1"},
    )
    crim = open_channel(
        client,
        officer,
        violation_id=p["violation"]["id"],
        track="criminal",
        source_case_id=admin.body["id"],
        on="2026-05-10",
        report_officer_ids=[officer.user_id, p["colleague"].id],
    )
    crim.step(head, "approve_transfer", on="2026-05-11")
    # A decided penalty goes with the referral (衔接办法 2017 art. 6).
    body = crim.step(officer, "hand_over", expect=409, on="2026-05-12", attachments=ATTACHMENTS)
    assert body["errors"]["missing"] == ["penalty_decision"]
    assert body["errors"]["reason"][0] == "移送材料缺少必备附件：行政处罚决定书。"
    crim.step(officer, "hand_over", on="2026-05-12", attachments=[*ATTACHMENTS, "penalty_decision"])
    crim.step(officer, "acknowledge_receipt", on="2026-05-12", filing_limit="standard")
    crim.step(officer, "file_case", on="2026-05-14")
    crim.step(officer, "hand_over_seized_items", on="2026-05-15")
    crim.step(prosecutor, "refer_for_prosecution", on="2026-06-15")
    crim.step(prosecutor, "indict", on="2026-07-10")
    crim.step(judge, "accept_for_trial", on="2026-07-13")
    crim.step(
        judge, "judge_first_instance", on="2026-09-01", verdict="conviction", fine_cents=5_000_000
    )
    family = client.get(
        f"/api/v1/violations/{p['violation']['id']}/family", headers=judge.headers
    ).get_json()
    ledger = family["ledger"]
    assert (ledger["fines_paid_cents"], ledger["criminal_fine_cents"]) == (FINE, 5_000_000)
    assert (ledger["offset_cents"], ledger["criminal_fine_due_cents"]) == (FINE, 5_000_000 - FINE)


def test_a_compensation_suit_suspends_the_public_interest_suit_on_the_same_act(client, people):
    p = people
    claimant, mid_judge, prosecutor = p["claimant"], p["mid_judge"], p["prosecutor"]
    vid = p["violation"]["id"]
    pil = open_channel(
        client,
        prosecutor,
        violation_id=vid,
        track="civil_pil",
        kind="procuratorate",
        on="2026-03-02",
    )
    pil.step(prosecutor, "announce", on="2026-03-02")
    pil.step(prosecutor, "prosecute_suit", on="2026-04-03", court_code=MID_COURT)
    pil.step(mid_judge, "accept", on="2026-04-07")
    comp = open_channel(client, claimant, violation_id=vid, track="compensation", on="2026-03-05")
    comp.step(claimant, "start_screening", on="2026-03-06")
    comp.step(claimant, "start_claim", on="2026-03-10")
    comp.step(claimant, "start_assessment", on="2026-03-20", assessment_method="full")
    comp.step(claimant, "serve_consultation_notice", on="2026-04-20", notice_served_on="2026-04-20")
    comp.step(claimant, "fail_consultation", on="2026-05-20", failure_ground="refused")
    comp.step(claimant, "file_suit", on="2026-05-25", incident_level="major")
    pil.reload(prosecutor)
    assert pil.body["status"] == "suspended"
    assert pil.body["transitions"][-1]["event"] == "suspend"
    comp.step(
        mid_judge,
        "render_judgment",
        on="2026-08-10",
        awarded_cents=10_000_000,
        restoration=False,
        performance_due_on="2026-09-30",
    )
    comp.step(mid_judge, "record_finality", on="2026-08-27")
    pil.reload(prosecutor)
    assert pil.body["status"] == "trial"


def test_a_prosecutor_records_only_the_procuratorates_acts(client, people):
    p = people
    prosecutor = p["prosecutor"]
    crim = ChannelCase(
        client,
        open_channel(
            client,
            p["officer"],
            violation_id=p["violation"]["id"],
            track="criminal",
            on="2026-03-10",
            report_officer_ids=[p["officer"].user_id, p["colleague"].id],
        ).body,
    )
    crim.step(prosecutor, "approve_transfer", expect=403, on="2026-03-11")
    assert crim.reload(prosecutor)["status"] == "reported"
    assert crim.body["allowed_events"] == []
