"""Deadline reminders into the inbox and by e-mail, and the calendar feeds, through HTTP."""

from __future__ import annotations

from datetime import timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import func, select

from casemgr.models import Deadline, Notification
from casemgr.policy import Role
from casemgr.services import notifications, reminders
from casemgr.services.localtime import local_today
from casemgr.services.notifications import NewNotification, SmtpSettings
from tests.api.test_cases_api import _open

DAY = timedelta(days=1)


def _open_now(client, world):
    """A case whose lead came in today: its filing decision (15 days) is still open."""
    return _open(client, world, received=local_today())


def _inbox(client, login, **query):
    resp = client.get("/api/v1/notifications", headers=login.headers, query_string=query)
    assert resp.status_code == 200, resp.get_json()
    return resp.get_json()


def _filing_deadline(session, case):
    return session.scalar(
        select(Deadline).where(
            Deadline.case_id == case.body["id"], Deadline.rule_code == "admin.filing_decision"
        )
    )


def test_reminders_rise_from_due_soon_to_escalation_and_are_never_repeated(client, session, world):
    case = _open_now(client, world)
    due = _filing_deadline(session, case).due_on
    officer, head = world["officer"], world["head"]

    assert reminders.scan(session, today=due - 4 * DAY).notified["due_soon"] == 0
    report = reminders.scan(session, today=due - 3 * DAY)
    assert report.notified == {"due_soon": 1, "overdue": 0, "escalated": 0}
    assert reminders.scan(session, today=due - 2 * DAY).notified["due_soon"] == 0

    page = _inbox(client, officer)
    assert page["total"] == 1
    note = page["items"][0]
    assert note["kind"] == "deadline_due_soon"
    assert due.isoformat() in note["subject"] and "期限" in note["subject"]
    assert note["link"] == f"/cases/{case.body['id']}"

    # Past its last day, not done: overdue (to the officer), then escalated (to the head).
    assert reminders.scan(session, today=due + DAY).notified["overdue"] == 1
    assert _inbox(client, head)["total"] == 0
    assert reminders.scan(session, today=due + 3 * DAY).notified["escalated"] == 1
    for again in (due + 3 * DAY, due + 10 * DAY):
        assert sum(reminders.scan(session, today=again).notified.values()) == 0
    kinds = [n["kind"] for n in _inbox(client, officer)["items"]]
    assert kinds == ["deadline_escalated", "deadline_overdue", "deadline_due_soon"]
    assert [n["kind"] for n in _inbox(client, head)["items"]] == ["deadline_escalated"]


def test_a_moved_due_date_is_reminded_again_but_a_lost_mark_never_doubles_a_reminder(
    client, session, world
):
    case = _open_now(client, world)
    d = _filing_deadline(session, case)
    due = d.due_on
    reminders.scan(session, today=due - DAY)
    # As if the process died after writing the notifications but the mark were lost: the
    # unique (user, key) pair still keeps the inbox single.
    d.reminded = None
    session.commit()
    reminders.scan(session, today=due - DAY)
    assert session.scalar(select(func.count()).select_from(Notification)) == 1
    d.due_on = due + 3 * DAY  # an extension moved the last day
    session.commit()
    assert reminders.scan(session, today=due + DAY).notified["due_soon"] == 1
    assert _inbox(client, world["officer"])["total"] == 2


def test_a_met_deadline_is_not_reminded(client, session, world):
    case = _open_now(client, world)
    due = _filing_deadline(session, case).due_on
    case.step(world["head"], "file", on=local_today().isoformat())
    assert sum(reminders.scan(session, today=due - DAY).notified.values()) == 0


def test_inbox_counts_unread_and_marks_read_only_ones_own(client, session, world, auth):
    officer = world["officer"]
    other = auth.login(Role.OFFICER, jurisdictions=("520382",))
    notifications.add(
        session,
        [
            NewNotification(
                officer.user_id,
                "test",
                f"k{i}",
                "Deadline: {title} (case {case_id})",
                {"title": f"t{i}", "case_id": i},
            )
            for i in range(3)
        ]
        + [NewNotification(other.user_id, "test", "k0", "x")],
    )
    session.commit()
    count = client.get("/api/v1/notifications/unread-count", headers=officer.headers)
    assert count.get_json() == {"unread": 3}
    mine = [n["id"] for n in _inbox(client, officer)["items"]]
    theirs = _inbox(client, other)["items"][0]["id"]

    bad = client.post(
        "/api/v1/notifications/read", headers=officer.headers, json={"ids": [mine[0], theirs]}
    )
    assert bad.status_code == 422
    assert str(theirs) in str(bad.get_json()["errors"]["ids"])
    assert (
        client.get("/api/v1/notifications/unread-count", headers=officer.headers).get_json()[
            "unread"
        ]
        == 3
    )  # nothing half-done

    neither = client.post("/api/v1/notifications/read", headers=officer.headers, json={})
    assert neither.status_code == 422 and "ids" in neither.get_json()["errors"]
    ok = client.post("/api/v1/notifications/read", headers=officer.headers, json={"ids": mine[:1]})
    assert ok.get_json() == {"marked": 1}
    assert _inbox(client, officer, unread="true")["total"] == 2
    assert client.post(
        "/api/v1/notifications/read", headers=officer.headers, json={"all": True}
    ).get_json() == {"marked": 2}
    assert _inbox(client, other, unread="true")["total"] == 1


def test_reminders_go_out_by_email_once_and_a_failure_is_kept_for_a_retry(
    client, session, world, smtp_server
):
    officer = session.get(type(world["colleague"]), world["officer"].user_id)
    officer.email = "officer@example.gov.cn"
    session.commit()
    due = _filing_deadline(session, _open_now(client, world)).due_on
    reminders.scan(session, today=due - DAY)

    def render(note):
        return note.subject.format(**note.params), "body"

    down = SmtpSettings(host="127.0.0.1", port=smtp_server.port, timeout=2)
    assert notifications.deliver_emails(session, down, render) == (0, 1)
    note = session.scalar(select(Notification))
    assert note.emailed_at is None and note.email_error.startswith("connect")

    smtp_server.start()
    assert notifications.deliver_emails(session, down, render) == (1, 0)
    assert notifications.deliver_emails(session, down, render) == (0, 0)
    received = smtp_server.received
    assert len(received) == 1
    assert received[0]["To"] == "officer@example.gov.cn"
    assert due.isoformat() in received[0]["Subject"]
    session.refresh(note)
    assert note.emailed_at is not None and note.email_error is None


@pytest.fixture
def feed_token(client, world):
    resp = client.post(
        "/api/v1/calendar-tokens", headers=world["officer"].headers, json={"label": "Outlook"}
    )
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()


def test_a_user_subscribes_to_their_own_feed_and_not_to_anyone_elses(
    client, session, world, feed_token, auth
):
    case = _open_now(client, world)
    due = _filing_deadline(session, case).due_on
    officer = world["officer"]
    assert feed_token["feed_url"].endswith(
        f"/api/v1/calendar/users/{officer.user_id}.ics?token={feed_token['token']}"
    )
    resp = client.get(
        f"/api/v1/calendar/users/{officer.user_id}.ics", query_string={"token": feed_token["token"]}
    )
    assert resp.status_code == 200
    assert resp.mimetype == "text/calendar"
    cal = Calendar.from_ical(resp.data)
    events = [c for c in cal.walk("VEVENT")]
    assert len(events) == 1
    ev = events[0]
    assert ev.decoded("dtstart") == due
    assert ev.decoded("dtend") == due + DAY  # exclusive end of an all-day event
    assert str(ev["uid"]).startswith("deadline-")
    assert str(case.body["id"]) in str(ev["summary"])
    assert cal["version"] == "2.0" and "casemgr" in str(cal["prodid"])

    other = auth.user(Role.OFFICER, jurisdictions=("520382",))
    forbidden = client.get(
        f"/api/v1/calendar/users/{other.id}.ics", query_string={"token": feed_token["token"]}
    )
    assert forbidden.status_code == 403
    assert (
        client.get(
            f"/api/v1/calendar/users/{officer.user_id}.ics",
            query_string={"token": "cal_wrong-token"},
        ).status_code
        == 401
    )
    missing = client.get(f"/api/v1/calendar/users/{officer.user_id}.ics")
    assert missing.status_code == 422 and "token" in missing.get_json()["errors"]


def test_a_revoked_feed_token_stops_working(client, world, feed_token, auth):
    officer = world["officer"]
    url = f"/api/v1/calendar/users/{officer.user_id}.ics"
    assert client.get(url, query_string={"token": feed_token["token"]}).status_code == 200
    listed = client.get("/api/v1/calendar-tokens", headers=officer.headers).get_json()
    assert [t["label"] for t in listed] == ["Outlook"] and "token" not in listed[0]
    stranger = auth.login(Role.OFFICER, jurisdictions=("520382",))
    assert (
        client.delete(
            f"/api/v1/calendar-tokens/{feed_token['id']}", headers=stranger.headers
        ).status_code
        == 404
    )
    revoked = client.delete(f"/api/v1/calendar-tokens/{feed_token['id']}", headers=officer.headers)
    assert revoked.status_code == 200 and revoked.get_json()["revoked_at"]
    assert client.get(url, query_string={"token": feed_token["token"]}).status_code == 401


def test_reminders_and_the_feed_name_the_deadline_in_the_readers_language(
    client, session, world, feed_token
):
    case = _open_now(client, world)
    due = _filing_deadline(session, case).due_on
    reminders.scan(session, today=due - 3 * DAY)
    officer = world["officer"]
    chinese = _inbox(client, officer)["items"][0]["subject"]
    assert "立案审查期限" in chinese
    english = client.get(
        "/api/v1/notifications", headers={**officer.headers, "Accept-Language": "en"}
    ).get_json()["items"][0]["subject"]
    assert "Time limit for the filing review" in english and "立案审查期限" not in english
    url = f"/api/v1/calendar/users/{officer.user_id}.ics"
    for language, title, basis in (
        ("zh-CN", "立案审查期限", "《生态环境行政处罚办法》（2023）第18条"),
        (
            "en",
            "Time limit for the filing review",
            "Measures for Eco-environmental Administrative Penalties (2023) art. 18",
        ),
    ):
        resp = client.get(
            url, query_string={"token": feed_token["token"]}, headers={"Accept-Language": language}
        )
        (event,) = Calendar.from_ical(resp.data).walk("VEVENT")
        assert title in str(event["summary"]) and str(event["description"]).startswith(basis)
