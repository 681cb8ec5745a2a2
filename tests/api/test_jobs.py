"""The scheduler's jobs, run as the scheduler runs them (their own app context and session),
against the real database: reminders with their e-mail, the quarterly draws, milestones and
publication expiry."""

from __future__ import annotations

from datetime import date
from email.header import decode_header, make_header

import pytest
from sqlalchemy import select

from casemgr import jobs, scheduling
from casemgr.models import DrawStatus, InspectionDraw, Notification, User
from casemgr.policy import Role
from casemgr.services.localtime import local_today
from tests.api.test_cases_api import _open
from tests.factories import SourceFactory


@pytest.fixture
def bound(app, monkeypatch):
    scheduling.bind(app)
    yield app
    scheduling.bind(None)  # type: ignore[arg-type]


def _kinds(session, user_id):
    session.rollback()  # the job committed in its own session
    return [
        n.kind
        for n in session.scalars(
            select(Notification).where(Notification.user_id == user_id).order_by(Notification.id)
        )
    ]


def test_the_reminder_job_writes_reminders_and_the_mail_job_sends_them_once(
    bound, client, session, world, monkeypatch, smtp_server
):
    officer = session.get(User, world["officer"].user_id)
    officer.email = "officer@example.gov.cn"
    session.commit()
    # A lead received long ago: its filing decision is overdue today.
    _open(client, world, received=date(2026, 3, 2))
    assert jobs.deliver_email() == "SMTP not configured"
    result = jobs.send_reminders()
    assert "escalated 1" in result
    assert _kinds(session, world["officer"].user_id) == ["deadline_escalated"]
    assert _kinds(session, world["head"].user_id) == ["deadline_escalated"]
    assert "escalated 0" in jobs.send_reminders()  # never twice

    smtp_server.start()
    monkeypatch.setitem(bound.config, "SMTP_HOST", "127.0.0.1")
    monkeypatch.setitem(bound.config, "SMTP_PORT", smtp_server.port)
    assert jobs.deliver_email() == "sent 1, failed 0"  # the head has no address
    assert jobs.deliver_email() == "sent 0, failed 0"
    received = smtp_server.received
    assert len(received) == 1
    subject = str(make_header(decode_header(received[0]["Subject"])))
    assert subject.startswith("督办")  # the system's language, zh-CN
    assert "/cases/" in received[0].get_payload(decode=True).decode("utf-8")


def test_the_quarterly_draw_job_draws_once_or_tells_the_planners_why_not(
    bound, client, session, world, auth, monkeypatch
):
    planner = auth.user(Role.INSPECTION_PLANNER, jurisdictions=("520300",))
    monkeypatch.setitem(bound.config, "DRAW_SCOPES", ["520300"])
    label = f"{local_today().year}Q{(local_today().month - 1) // 3 + 1}"

    refused = jobs.quarterly_draws()
    assert refused.startswith("520300: refused")
    assert _kinds(session, planner.id) == ["draw_refused"]
    note = session.scalar(select(Notification).where(Notification.user_id == planner.id))
    assert note.params["size"] == 0 and note.params["label"] == label

    SourceFactory(enterprise=world["enterprise"])
    for _ in range(2):
        auth.user(Role.OFFICER, jurisdictions=("520302",), certificate_valid_until=date(2030, 1, 1))
    session.commit()
    drawn = jobs.quarterly_draws()
    assert drawn.startswith("520300: draw ")
    draw = session.scalar(select(InspectionDraw).where(InspectionDraw.period_label == label))
    assert draw.status is DrawStatus.DRAWN  # waits for a planner to dispatch it
    assert _kinds(session, planner.id) == ["draw_refused", "draw_ready"]
    assert jobs.quarterly_draws() == "520300: exists"


def test_the_daily_inspection_and_credit_jobs_run_on_an_empty_system(bound):
    assert jobs.round_milestones() == "starts 0, stay_ends 0, plan_due 0, problem_due 0"
    assert jobs.expire_publications() == "0 expired publications rescored, 0 notifications"


def test_the_dashboard_job_reports_the_rollups_and_the_past_day_tier_rows(bound):
    import re

    report = jobs.refresh_dashboards()
    assert re.fullmatch(
        r"\d+ case, \d+ money, \d+ deadline and \d+ past-day tier rows in \d+\.\d{3} s", report
    ), report


def test_the_task_job_runs_what_is_queued(bound, session, auth):
    from casemgr.models import Task, TaskStatus
    from casemgr.services import tasks

    regulator = auth.login(Role.CREDIT_REGULATOR).actor
    task = tasks.submit(session, regulator, "credit_rescore", {})
    assert jobs.run_tasks() == "1 tasks run, 0 requeued"
    session.expire_all()
    assert session.get(Task, task.id).status is TaskStatus.DONE
    assert jobs.run_tasks() == "0 tasks run, 0 requeued"
