"""Penalties and measures through the HTTP stack: the money ledger, payments, arrangements,
surcharge, remedy windows and the coercive measures with their legal periods.

The reference case: fine 10,000 CNY (1,000,000 cents), decided 2026-04-20 and served on
Wednesday 2026-04-22, so the fine is payable by Thursday 2026-05-07 (15 days, 行政处罚法 art. 67).
Expected amounts are worked out by hand in each test.
"""

from __future__ import annotations

from datetime import date

import pytest

from casemgr.models.cases import ClockStopRecord
from casemgr.policy import Role

FINE = 1_000_000  # cents: 10,000 CNY
SERVED = "2026-04-22"
DUE = "2026-05-07"
DECISION = {
    "penalty_types": ["fine"],
    "fines": [{"act": "超标排放", "amount_cents": FINE}],
    "correction_ordered_on": "2026-04-20",
}


class Case:
    """Drives one case through the API, following its ETag."""

    def __init__(self, client, body):
        self.client = client
        self.body = body
        self.version = body["version"]

    @property
    def url(self):
        return f"/api/v1/cases/{self.body['id']}"

    def _headers(self, login, version=None):
        return {**login.headers, "If-Match": f'"v{self.version if version is None else version}"'}

    def step(self, login, event, **data):
        resp = self.client.post(
            f"{self.url}/transitions", json={"event": event, **data}, headers=self._headers(login)
        )
        assert resp.status_code == 200, resp.get_json()
        self.body = resp.get_json()
        self.version = self.body["version"]

    def post(self, login, path, payload, expect=201, version=None):
        resp = self.client.post(
            f"{self.url}/{path}", json=payload, headers=self._headers(login, version)
        )
        assert resp.status_code == expect, resp.get_json()
        if resp.status_code < 300 and path == "records":  # the cases API sends no ETag here
            self.version = self.client.get(self.url, headers=login.headers).get_json()["version"]
        elif resp.status_code < 300:
            etag = resp.headers["ETag"]
            assert etag == f'"v{self.version + 1}"', etag  # the case's new version
            self.version += 1
        return resp.get_json()

    def ledger(self, login, as_of=None, expect=200):
        query = f"?as_of={as_of}" if as_of else ""
        resp = self.client.get(f"{self.url}/ledger{query}", headers=login.headers)
        assert resp.status_code == expect, resp.get_json()
        return resp.get_json()

    def deadline(self, login, rule_code):
        body = self.client.get(self.url, headers=login.headers).get_json()
        return next(d for d in body["deadlines"] if d["rule_code"] == rule_code)


def _open(client, world):
    resp = client.post(
        "/api/v1/cases",
        headers=world["officer"].headers,
        json={"violation_id": world["violation"]["id"], "lead_received_on": "2026-03-02"},
    )
    assert resp.status_code == 201, resp.get_json()
    return Case(client, resp.get_json())


def _reviewed(client, world):
    case = _open(client, world)
    case.step(world["head"], "file", on="2026-03-04")
    case.step(world["officer"], "start_investigation", on="2026-03-04")
    case.post(
        world["officer"],
        "records",
        {
            "kind": "inspection",
            "held_at": "2026-03-04T10:00:00+08:00",
            "officer_ids": [world["officer"].user_id, world["colleague"].id],
        },
    )
    case.step(world["officer"], "conclude_investigation", on="2026-03-04")
    return case


def _served(client, world):
    case = _reviewed(client, world)
    case.step(
        world["officer"],
        "notify",
        on="2026-04-01",
        proposed_penalty_types=["fine"],
        proposed_fine_cents=FINE,
    )
    case.step(world["officer"], "end_reply_period", on="2026-04-11")
    case.step(world["head"], "decide", on="2026-04-20", **DECISION)
    case.step(world["officer"], "serve", on=SERVED)
    return case


@pytest.fixture
def served(client, world):
    return _served(client, world)


def _pay(case, login, amount, on, ref, kind="fine", expect=201):
    payload = {"kind": kind, "amount_cents": amount, "paid_on": on, "reference": ref}
    return case.post(login, "payments", payload, expect=expect)


# ------------------------------------------------------------------------------------------------
# Payments and the ledger
# ------------------------------------------------------------------------------------------------


def test_paying_the_fine_in_full_on_time_meets_the_deadline_and_clears_the_ledger(served, world):
    officer = world["officer"]
    body = _pay(served, officer, FINE, "2026-05-06", "黔非税2026-0001")
    assert (body["kind"], body["amount_cents"], body["recorded_by_id"]) == (
        "fine",
        FINE,
        officer.user_id,
    )
    deadline = served.deadline(officer, "admin.fine_payment")
    assert (deadline["due_on"], deadline["state"], deadline["done_on"]) == (
        DUE,
        "met",
        "2026-05-06",
    )
    ledger = served.ledger(officer, as_of="2026-06-30")
    assert ledger["fine_cents"] == FINE and ledger["fine_paid_cents"] == FINE
    assert (ledger["days_late"], ledger["surcharge_cents"], ledger["total_outstanding_cents"]) == (
        0,
        0,
        0,
    )
    assert ledger["overdue"] is False
    assert [p["reference"] for p in ledger["payments"]] == ["黔非税2026-0001"]


def test_a_partial_payment_then_delay_accrues_3_percent_a_day_on_the_unpaid_part(served, world):
    officer = world["officer"]
    _pay(served, officer, 400_000, "2026-05-06", "R-1")  # 4,000 CNY in time; 6,000 unpaid
    # 10 days late (05-08 .. 05-17): 6,000 × 3 % × 10 = 1,800 CNY.
    ledger = served.ledger(officer, as_of="2026-05-17")
    assert (ledger["days_late"], ledger["surcharge_cents"]) == (10, 180_000)
    assert ledger["overdue"] is True and ledger["due_on"] == DUE
    assert ledger["total_outstanding_cents"] == 600_000 + 180_000
    # 40 days late: 6,000 × 120 % = 7,200 CNY, capped at the 6,000 CNY overdue (art. 72).
    ledger = served.ledger(officer, as_of="2026-06-16")
    assert (ledger["days_late"], ledger["surcharge_cents"]) == (40, 600_000)
    # The rest paid late: the fine deadline stays visible as missed; the surcharge is owed.
    _pay(served, officer, 600_000, "2026-06-20", "R-2")
    deadline = served.deadline(officer, "admin.fine_payment")
    assert (deadline["state"], deadline["done_on"]) == ("missed", "2026-06-20")
    ledger = served.ledger(officer)
    assert ledger["fine_outstanding_cents"] == 0
    assert ledger["surcharge_outstanding_cents"] == 600_000
    _pay(served, officer, 600_000, "2026-06-25", "R-3", kind="surcharge")
    assert served.ledger(officer)["total_outstanding_cents"] == 0


def test_an_unpaid_fine_40_days_late_carries_a_surcharge_equal_to_the_fine(served, world):
    # 10,000 CNY × 3 % × 40 days = 12,000 CNY, capped at the fine: 10,000 CNY.
    ledger = served.ledger(world["officer"], as_of="2026-06-16")
    assert (ledger["days_late"], ledger["surcharge_cents"]) == (40, FINE)
    assert ledger["total_outstanding_cents"] == 2 * FINE


def test_a_late_part_payment_lowers_the_surcharge_base_from_the_next_day(served, world):
    officer = world["officer"]
    _pay(served, officer, 500_000, "2026-05-17", "R-1")
    # 05-08 .. 05-17 on 10,000 CNY: 10 × 300 = 3,000; 05-18 .. 05-27 on 5,000: 10 × 150 = 1,500.
    ledger = served.ledger(officer, as_of="2026-05-27")
    assert (ledger["days_late"], ledger["surcharge_cents"]) == (20, 450_000)


def test_days_of_reconsideration_do_not_count_toward_the_surcharge(served, world, session):
    # The clock-stop API does not offer the reason yet; the row is what the ledger reads.
    session.add(
        ClockStopRecord(
            case_id=served.body["id"],
            reason="reconsideration",
            start_on=date(2026, 5, 10),
            end_on=date(2026, 5, 19),
        )
    )
    session.commit()
    # 05-08 .. 05-27 is 20 days, less the 10 days of 05-10 .. 05-19: 10 × 300 CNY.
    ledger = served.ledger(world["officer"], as_of="2026-05-27")
    assert (ledger["days_late"], ledger["surcharge_cents"]) == (10, 300_000)


def test_an_overpayment_is_refused_naming_the_amount(served, world):
    body = _pay(served, world["officer"], FINE + 1, "2026-05-06", "R-1", expect=422)
    assert list(body["errors"]) == ["amount_cents"]
    _pay(served, world["officer"], 300_000, "2026-05-06", "R-2")
    body = _pay(served, world["officer"], 700_001, "2026-05-07", "R-3", expect=422)
    assert "7,000.00" in body["errors"]["amount_cents"][0]  # what is outstanding, in CNY
    body = _pay(served, world["officer"], 1, "2026-05-07", "R-4", kind="surcharge", expect=422)
    assert list(body["errors"]) == ["amount_cents"]  # nothing is late yet


def test_no_payment_before_the_decision_is_served(client, world):
    case = _reviewed(client, world)
    body = _pay(case, world["officer"], 100, "2026-03-05", "R-1", expect=409)
    assert body["reason"] == "conflict"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"amount_cents": 0}, "amount_cents"),
        ({"amount_cents": "100"}, "amount_cents"),  # strict integers
        ({"kind": "bribe"}, "kind"),
        ({"paid_on": "2026-02-30"}, "paid_on"),
        ({"reference": ""}, "reference"),
        ({"currency": "USD"}, "currency"),  # unknown fields are refused
        ({"paid_on": "2099-01-01"}, "paid_on"),  # future: the service names it
        ({"paid_on": "2026-04-21"}, "paid_on"),  # before service
    ],
)
def test_bad_payment_input_is_422_naming_the_field(served, world, payload, field):
    good = {"kind": "fine", "amount_cents": 100, "paid_on": "2026-05-06", "reference": "R-1"}
    body = served.post(world["officer"], "payments", {**good, **payload}, expect=422)
    assert field in body["errors"], body


def test_a_receipt_is_recorded_once_per_kind(served, world):
    _pay(served, world["officer"], 100, "2026-05-06", "R-1")
    body = _pay(served, world["officer"], 100, "2026-05-06", "R-1", expect=422)
    assert list(body["errors"]) == ["reference"]


def test_a_stale_if_match_is_412_and_records_nothing(served, world):
    stale = served.version
    _pay(served, world["officer"], 100, "2026-05-06", "R-1")
    resp = served.client.post(
        f"{served.url}/payments",
        json={"kind": "fine", "amount_cents": 100, "paid_on": "2026-05-06", "reference": "R-2"},
        headers={**world["officer"].headers, "If-Match": f'"v{stale}"'},
    )
    assert resp.status_code == 412
    assert served.ledger(world["officer"])["fine_paid_cents"] == 100
    resp = served.client.post(
        f"{served.url}/payments",
        json={"kind": "fine", "amount_cents": 100, "reference": "R-2"},
        headers=world["officer"].headers,
    )
    assert resp.status_code == 428


def test_another_countys_officer_finds_no_ledger_and_cannot_pay(served, world, auth, client):
    stranger = auth.login(Role.OFFICER, jurisdictions=("520102",))
    assert client.get(f"{served.url}/ledger", headers=stranger.headers).status_code == 404
    assert client.get(f"{served.url}/measures", headers=stranger.headers).status_code == 404
    resp = client.post(
        f"{served.url}/payments",
        json={"kind": "fine", "amount_cents": 100, "reference": "R-1"},
        headers={**stranger.headers, "If-Match": f'"v{served.version}"'},
    )
    assert resp.status_code == 404
    assert client.get("/api/v1/cases/2147483647/ledger", headers=stranger.headers).status_code == (
        404
    )


def test_a_prosecutor_reads_the_ledger_and_the_read_is_audited(served, world, auth, client):
    prosecutor = auth.login(Role.PROSECUTOR, jurisdictions=("520300",), organ_code="P520382")
    served.ledger(prosecutor, expect=404)  # not before the procuratorate yet
    served.post(world["officer"], "procuratorate-notice", {"on": "2026-05-01"}, expect=200)
    assert served.ledger(prosecutor)["fine_cents"] == FINE
    _pay(served, prosecutor, 100, "2026-05-06", "R-1", expect=403)
    audit = client.get(
        f"/api/v1/audit?table_name=cases&record_key={served.body['id']}&action=read"
        f"&actor_id={prosecutor.user_id}",
        headers=world["head"].headers,
    )
    assert audit.status_code == 200, audit.get_json()
    assert audit.get_json()["total"] == 1


# ------------------------------------------------------------------------------------------------
# Remedy windows
# ------------------------------------------------------------------------------------------------


def test_the_ledger_computes_the_remedy_windows_from_service(served, world):
    remedies = served.ledger(world["officer"])["remedies"]
    assert remedies == {
        # 04-22 + 60 days = Sunday 06-21 (also 端午, Jun 19-21 off): the next working day.
        "reconsideration_until": "2026-06-22",
        # 6 months: Thursday 10-22 (行政诉讼法 art. 46).
        "direct_suit_until": "2026-10-22",
        # The court application is lawful after the suit period, for 3 months.
        "court_enforcement_opens": "2026-10-23",
        "court_enforcement_closes": "2027-01-22",  # a Friday; 2027's holidays are not loaded
        "provisional": True,
    }


def test_an_unserved_case_has_no_remedy_windows_and_no_due_date(client, world):
    ledger = _reviewed(client, world).ledger(world["officer"])
    assert (ledger["remedies"], ledger["due_on"], ledger["fine_cents"]) == (None, None, 0)


# ------------------------------------------------------------------------------------------------
# Deferral and instalments (行政处罚法 art. 66)
# ------------------------------------------------------------------------------------------------


def _instalments(*items):
    return [{"due_on": d, "amount_cents": a} for d, a in items]


def test_instalments_that_do_not_add_up_to_the_fine_are_refused(served, world):
    body = served.post(
        world["head"],
        "arrangements",
        {
            "kind": "instalments",
            "applied_on": "2026-04-28",
            "approved_on": "2026-05-05",
            "instalments": _instalments(("2026-05-20", 500_000), ("2026-06-20", 400_000)),
        },
        expect=422,
    )
    assert list(body["errors"]) == ["instalments"]
    assert "9,000.00" in body["errors"]["instalments"][0]


def test_instalments_move_the_payment_limit_and_no_surcharge_runs_while_in_force(served, world):
    head, officer = world["head"], world["officer"]
    body = served.post(
        head,
        "arrangements",
        {
            "kind": "instalments",
            "applied_on": "2026-04-28",
            "approved_on": "2026-05-05",
            "instalments": _instalments(("2026-05-20", 500_000), ("2026-06-20", 500_000)),
            "reason": "企业经营困难",
        },
    )
    assert (body["kind"], body["ends_on"], body["approved_by_id"]) == (
        "instalments",
        "2026-06-20",
        head.user_id,
    )
    # 06-20 is a Saturday in the 端午 holiday: the limit ends on Monday 06-22.
    assert served.deadline(officer, "admin.fine_payment")["due_on"] == "2026-06-22"
    _pay(served, officer, 500_000, "2026-05-20", "R-1")
    assert served.ledger(officer, as_of="2026-06-22")["surcharge_cents"] == 0
    # The second half unpaid after the plan: 06-23 .. 06-30, 8 days × 3 % × 5,000 = 1,200 CNY.
    ledger = served.ledger(officer, as_of="2026-06-30")
    assert (ledger["days_late"], ledger["surcharge_cents"]) == (8, 120_000)
    assert ledger["arrangement"]["kind"] == "instalments"
    # One arrangement per case.
    body = served.post(
        head,
        "arrangements",
        {"kind": "deferral", "applied_on": "2026-05-01", "deferred_until": "2026-07-01"},
        expect=409,
    )


def test_a_deferral_must_be_approved_before_the_payment_limit(served, world):
    body = served.post(
        world["head"],
        "arrangements",
        {
            "kind": "deferral",
            "applied_on": "2026-05-06",
            "approved_on": "2026-05-08",
            "deferred_until": "2026-08-31",
        },
        expect=422,
    )
    assert list(body["errors"]) == ["approved_on"]
    assert DUE in body["errors"]["approved_on"][0]


def test_a_deferral_needs_its_date_and_only_the_head_approves_it(served, world):
    payload = {"kind": "deferral", "applied_on": "2026-05-01", "approved_on": "2026-05-05"}
    body = served.post(world["head"], "arrangements", payload, expect=422)
    assert list(body["errors"]) == ["deferred_until"]
    payload["deferred_until"] = "2026-08-31"
    served.post(world["officer"], "arrangements", payload, expect=403)
    served.post(world["head"], "arrangements", payload)
    ledger = served.ledger(world["officer"], as_of="2026-08-31")
    assert (ledger["due_on"], ledger["surcharge_cents"], ledger["overdue"]) == (
        "2026-08-31",
        0,
        False,
    )


# ------------------------------------------------------------------------------------------------
# Seizure (查封、扣押)
# ------------------------------------------------------------------------------------------------


def _seizure(world, officers, start="2026-05-04"):
    return {
        "kind": "seizure",
        "decided_on": start,
        "start_on": start,
        "officer_ids": officers,
        "items": "废水排放泵 2 台；暗管阀门 1 个",
    }


def test_a_seizure_runs_30_days_and_is_extended_once_before_its_end(served, world):
    head, officer = world["head"], world["officer"]
    two = [officer.user_id, world["colleague"].id]
    seizure = served.post(head, "measures", _seizure(world, two))
    # 05-04 + 30 days = Wednesday 06-03 (行政强制法 art. 25; MEP Order 29 art. 15).
    assert (seizure["status"], seizure["end_on"], len(seizure["officers"])) == (
        "in_force",
        "2026-06-03",
        2,
    )
    assert served.deadline(officer, "seizure.duration")["due_on"] == "2026-06-03"
    # A second seizure while one is in force.
    body = served.post(head, "measures", _seizure(world, two, "2026-05-05"), expect=409)
    assert body["reason"] == "conflict"
    url = f"measures/{seizure['id']}"
    extended = served.post(
        head, f"{url}/extensions", {"approved_on": "2026-05-30", "reason": "需检测鉴定"}
    )
    # + 30 days from 06-03 = Friday 07-03.
    assert (extended["extended"], extended["end_on"]) == (True, "2026-07-03")
    assert served.deadline(officer, "seizure.extension")["due_on"] == "2026-07-03"
    assert served.deadline(officer, "seizure.duration")["state"] == "met"
    body = served.post(
        head, f"{url}/extensions", {"approved_on": "2026-06-10", "reason": "再次延期"}, expect=409
    )
    assert body["reason"] == "conflict"
    released = served.post(head, f"{url}/release", {"released_on": "2026-06-20"}, expect=200)
    assert (released["status"], released["released_on"]) == ("released", "2026-06-20")
    assert served.deadline(officer, "seizure.extension")["state"] == "met"
    # A third seizure with one certified officer (the other's certificate lapsed) is refused.
    body = served.post(
        head,
        "measures",
        _seizure(world, [officer.user_id, world["lapsed"].id], "2026-07-06"),
        expect=409,
    )
    assert (body["reason"], body["errors"]["rule"]) == ("guard_failed", ["two_officers"])
    assert "《行政强制法》第18条（第2项）" in body["errors"]["basis"][0]
    listed = served.client.get(f"{served.url}/measures", headers=officer.headers).get_json()
    assert [(m["kind"], m["status"]) for m in listed] == [("seizure", "released")]


def test_a_seizure_extension_after_its_end_is_refused(served, world):
    two = [world["officer"].user_id, world["colleague"].id]
    seizure = served.post(world["head"], "measures", _seizure(world, two))
    body = served.post(
        world["head"],
        f"measures/{seizure['id']}/extensions",
        {"approved_on": "2026-06-04", "reason": "迟到的延期"},
        expect=422,
    )
    assert list(body["errors"]) == ["approved_on"]


def test_a_release_after_the_limit_stays_visible_as_missed(served, world):
    two = [world["officer"].user_id, world["colleague"].id]
    seizure = served.post(world["head"], "measures", _seizure(world, two))
    served.post(
        world["head"], f"measures/{seizure['id']}/release", {"released_on": "2026-06-05"}, 200
    )
    assert served.deadline(world["officer"], "seizure.duration")["state"] == "missed"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"officer_ids": None}, "officer_ids"),
        ({"items": ""}, "items"),
        ({"officer_ids": [2147483647, 1]}, "officer_ids"),
        ({"start_on": "2026-05-01"}, "start_on"),  # more than a day before the approval
        ({"decided_on": "2099-01-01"}, "decided_on"),
        ({"officers": [1]}, "officers"),  # unknown field
    ],
)
def test_bad_seizure_input_is_422_naming_the_field(served, world, change, field):
    payload = {**_seizure(world, [world["officer"].user_id, world["colleague"].id]), **change}
    payload = {k: v for k, v in payload.items() if v is not None}
    body = served.post(world["head"], "measures", payload, expect=422)
    assert field in body["errors"], body


def test_officers_record_but_do_not_decide_measures(served, world):
    two = [world["officer"].user_id, world["colleague"].id]
    served.post(world["officer"], "measures", _seizure(world, two), expect=403)


# ------------------------------------------------------------------------------------------------
# Daily continuous penalty (按日连续处罚)
# ------------------------------------------------------------------------------------------------


def _daily(served_on="2026-05-06"):
    return {
        "kind": "daily_penalty",
        "decided_on": served_on,
        "correction_order_served_on": served_on,
    }


def test_a_recheck_on_day_20_imposes_20_times_the_original_fine(served, world):
    head, officer = world["head"], world["officer"]
    measure = served.post(head, "measures", _daily())
    assert (measure["status"], measure["end_on"], measure["original_fine_cents"]) == (
        "awaiting_recheck",
        "2026-06-05",  # re-check within 30 days of service (MEP Order 28 art. 10)
        FINE,
    )
    # Days run from the day after service (05-07) to the re-check (05-26), both included: 20
    # (MEP Order 28 art. 17; legalclock.daily_penalty_total = fine × (re-check − service)).
    body = served.post(
        officer,
        f"measures/{measure['id']}/recheck",
        {"recheck_on": "2026-05-26", "found_violation": True},
        expect=200,
    )
    assert (body["status"], body["total_cents"]) == ("imposed", 20 * FINE)
    assert served.deadline(officer, "daily_penalty.recheck")["state"] == "met"
    ledger = served.ledger(officer)
    assert (ledger["daily_penalty_cents"], ledger["daily_penalty_outstanding_cents"]) == (
        20 * FINE,
        20 * FINE,
    )
    _pay(served, officer, 5 * FINE, "2026-06-10", "R-D1", kind="daily_penalty")
    assert served.ledger(officer)["daily_penalty_outstanding_cents"] == 15 * FINE
    _pay(served, officer, 15 * FINE + 1, "2026-06-10", "R-D2", kind="daily_penalty", expect=422)
    # A recorded re-check is not recorded again.
    served.post(
        officer,
        f"measures/{measure['id']}/recheck",
        {"recheck_on": "2026-05-27", "found_violation": True},
        expect=409,
    )


def test_a_recheck_after_30_days_is_refused(served, world):
    measure = served.post(world["head"], "measures", _daily("2026-07-01"))
    assert measure["end_on"] == "2026-07-31"  # 07-01 + 30 days, a Friday
    body = served.post(
        world["officer"],
        f"measures/{measure['id']}/recheck",
        {"recheck_on": "2026-08-03", "found_violation": True},
        expect=422,
    )
    assert list(body["errors"]) == ["recheck_on"]
    assert "2026-07-31" in body["errors"]["recheck_on"][0]


def test_a_corrected_violation_imposes_no_daily_penalty(served, world):
    measure = served.post(world["head"], "measures", _daily())
    body = served.post(
        world["officer"],
        f"measures/{measure['id']}/recheck",
        {"recheck_on": "2026-05-20", "found_violation": False},
        expect=200,
    )
    assert (body["status"], body["total_cents"]) == ("not_imposed", 0)
    assert served.ledger(world["officer"])["daily_penalty_cents"] == 0


def test_a_daily_penalty_needs_an_original_fine_decision(client, world):
    case = _reviewed(client, world)
    body = case.post(world["head"], "measures", _daily("2026-03-10"), expect=409)
    assert body["errors"]["rule"] == ["original_decision"]
    assert "环境保护部令第28号" in body["errors"]["basis"][0]


def test_a_recheck_is_only_for_a_daily_penalty(served, world):
    two = [world["officer"].user_id, world["colleague"].id]
    seizure = served.post(world["head"], "measures", _seizure(world, two))
    served.post(
        world["officer"],
        f"measures/{seizure['id']}/recheck",
        {"recheck_on": "2026-05-20", "found_violation": True},
        expect=409,
    )
    served.post(
        world["officer"],
        "measures/2147483647/recheck",
        {"recheck_on": "2026-05-20", "found_violation": True},
        expect=404,
    )


# ------------------------------------------------------------------------------------------------
# Production limit, suspension, detention transfer
# ------------------------------------------------------------------------------------------------


def test_a_production_limit_runs_its_periods_to_the_follow_up(served, world):
    head, officer = world["head"], world["officer"]
    limit = served.post(
        head,
        "measures",
        {"kind": "production_limit", "decided_on": "2026-05-04", "served_on": "2026-05-06"},
    )
    assert limit["end_on"] == "2026-08-06"  # 3 months from service (MEP Order 30 art. 15)
    assert served.deadline(officer, "production_limit.decision_service")["state"] == "met"
    assert served.deadline(officer, "production_limit.rectification_plan")["due_on"] == (
        "2026-05-26"  # 15 working days after 05-06
    )
    url = f"measures/{limit['id']}"
    served.post(
        officer, f"{url}/steps", {"step": "rectification_plan_filed", "on": "2026-05-20"}, 200
    )
    extended = served.post(
        head, f"{url}/extensions", {"approved_on": "2026-07-01", "reason": "整改工程未完成"}
    )
    assert extended["end_on"] == "2026-11-06"  # + 3 months
    served.post(officer, f"{url}/steps", {"step": "follow_up_inspected"}, expect=409)
    served.post(officer, f"{url}/release", {"released_on": "2026-08-20"}, expect=200)
    # 08-20 + 30 days = Saturday 09-19; Sunday 09-20 is a make-up working day (国庆 2026).
    assert served.deadline(officer, "production_limit.follow_up")["due_on"] == "2026-09-20"
    body = served.post(
        officer, f"{url}/steps", {"step": "follow_up_inspected", "on": "2026-09-10"}, 200
    )
    assert body["follow_up_on"] == "2026-09-10"
    assert served.deadline(officer, "production_limit.follow_up")["state"] == "met"
    suspension = served.post(
        head,
        "measures",
        {"kind": "suspension", "decided_on": "2026-09-01", "served_on": "2026-09-02"},
    )
    assert (suspension["status"], suspension["end_on"]) == ("in_force", None)  # until released
    served.post(head, f"measures/{suspension['id']}/extensions", {"reason": "延期"}, expect=409)


def test_a_detention_transfer_sent_late_stays_visible(served, world):
    measure = served.post(
        world["head"],
        "measures",
        {"kind": "detention_transfer", "decided_on": "2026-05-06", "served_on": "2026-05-11"},
    )
    assert measure["status"] == "transferred"
    # 3 working days from Wed 05-06: Thu, Fri and Saturday 05-09, a make-up working day.
    deadline = served.deadline(world["officer"], "detention.transfer")
    assert (deadline["due_on"], deadline["state"]) == ("2026-05-09", "missed")
    served.post(
        world["head"],
        "measures",
        {"kind": "detention_transfer", "decided_on": "2026-05-12", "served_on": "2026-05-12"},
        expect=409,
    )
