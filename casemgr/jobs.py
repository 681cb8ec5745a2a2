"""The system's clock: the scheduled jobs, their table and the `casemgr scheduler` commands.

Each job = an app context + one service call, a module-level function without arguments (the
job store keeps it by reference, ``casemgr.jobs:name``). ``casemgr.scheduling`` runs them: one
leader among the scheduler processes, every run logged as a JobRun row.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from flask_babel import force_locale

from casemgr.exceptions import DomainError
from casemgr.extensions import db
from casemgr.i18n import N_
from casemgr.models import Notification
from casemgr.policy import SYSTEM_ACTOR
from casemgr.scheduling import (
    JobDefinition,
    SchedulerRunner,
    app_context,
    configure_logging,
    job_store,
)
from casemgr.schemas.common import translated
from casemgr.services import (
    audit,
    credit,
    credit_publication,
    dashboard_rollups,
    draw_schedule,
    draws,
    job_runs,
    milestones,
    notifications,
    reminders,
    tasks,
)
from casemgr.services import deadlines as deadline_service
from casemgr.services.localtime import local_today

# --- The jobs -------------------------------------------------------------------------------


def seal_audit_trail() -> str:
    """Seal pending audit entries (every minute), so deletions become evident quickly."""
    with app_context():
        return f"sealed {audit.seal_pending(db.session())} audit entries"


def refresh_deadlines() -> str:
    """Mark deadlines whose last day has passed as missed (daily, shortly after midnight)."""
    with app_context():
        n = deadline_service.refresh_open_deadlines(db.session(), today=local_today())
        return f"refreshed {n} deadlines"


def rescore_credit() -> str:
    """Rescore every enterprise's credit as of today (nightly). The system actor is an
    administrator, which holds MANAGE_CREDIT, as for `casemgr credit rescore`."""
    with app_context():
        scheme = credit.scheme_named(current_app.config["CREDIT_SCHEME"])
        report = credit.rescore(
            db.session(),
            SYSTEM_ACTOR,
            scheme,
            workers=current_app.config["CREDIT_RESCORE_WORKERS"],
        )
        return (
            f"{report.scheme}: {report.enterprises} scored, {report.changed} changed "
            f"({report.workers} processes)"
        )


def send_reminders() -> str:
    """Write the deadline reminders due today: due soon, overdue, escalated (daily)."""
    with app_context():
        cfg = current_app.config
        settings = reminders.ReminderSettings(
            due_soon_days=cfg["REMINDER_DUE_SOON_DAYS"],
            escalate_after_days=cfg["REMINDER_ESCALATE_AFTER_DAYS"],
        )
        report = reminders.scan(db.session(), today=local_today(), settings=settings)
        counts = ", ".join(f"{k} {v}" for k, v in report.notified.items())
        return f"{report.scanned} deadlines read; reminded: {counts}"


def _render_email(note: Notification) -> tuple[str, str]:
    """Subject and body in the system's language (the reader's language is not known here)."""
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        subject = translated(note.subject, dict(note.params or {}))
        footer = translated(N_("Open the system to act on it: {link}"), {"link": note.link})
    return subject, f"{subject}\n\n{footer}\n"


def deliver_email() -> str:
    """E-mail the notifications due by mail (every five minutes, when SMTP is configured)."""
    with app_context():
        cfg = current_app.config
        if not cfg["SMTP_HOST"]:
            return "SMTP not configured"
        smtp = notifications.SmtpSettings(
            host=cfg["SMTP_HOST"],
            port=cfg["SMTP_PORT"],
            username=cfg["SMTP_USERNAME"],
            password=cfg["SMTP_PASSWORD"],
            starttls=cfg["SMTP_STARTTLS"],
            sender=cfg["SMTP_SENDER"],
        )
        sent, failed = notifications.deliver_emails(db.session(), smtp, _render_email)
        return f"sent {sent}, failed {failed}"


def round_milestones() -> str:
    """Tell planners and team leaders of stays about to start or end and of late plans (daily)."""
    with app_context():
        report = milestones.remind(db.session(), today=local_today())
        return ", ".join(f"{k} {v}" for k, v in report.written.items())


def quarterly_draws() -> str:
    """Prepare and draw the quarter's random inspections for each configured scope (first day
    of each quarter). They wait, drawn but not dispatched, for a planner; a scope that cannot
    be drawn (empty pool, short roster) is reported to the planners with the numbers."""
    with app_context():
        session = db.session()
        settings = draws.settings_from(current_app.config)
        today = local_today()
        label = f"{today.year}Q{(today.month - 1) // 3 + 1}"
        out = []
        for scope in current_app.config["DRAW_SCOPES"]:
            if draw_schedule.find_draw(session, scope, label) is not None:
                out.append(f"{scope}: exists")
                continue
            data = {
                "title": f"{scope} {label}",
                "scope_code": scope,
                "period": "quarter",
                "period_label": label,
                "draw_on": today,
            }
            try:
                draw = draws.prepare_draw(session, SYSTEM_ACTOR, data, settings)
                draws.execute_draw(session, SYSTEM_ACTOR, draw.id)
            except DomainError as exc:
                draw_schedule.tell_planners(session, scope, label, exc)
                out.append(f"{scope}: refused ({exc.message})")
                continue
            draw_schedule.tell_planners(session, scope, label, None, draw_id=draw.id)
            out.append(f"{scope}: draw {draw.id}")
        return "; ".join(out) or "no scopes configured"


def expire_publications() -> str:
    """Rescore adverse tiers published longer than the scheme's maximum period, and tell the
    credit regulators how each ended (daily)."""
    with app_context():
        session = db.session()
        scheme = credit.scheme_named(current_app.config["CREDIT_SCHEME"])
        today = local_today()
        before = credit_publication.expired(session, scheme, today=today)
        if before:
            credit.rescore(session, SYSTEM_ACTOR, scheme, as_of=today, enterprise_ids=before)
        n = credit_publication.notify_expiries(session, scheme, before, today=today)
        return f"{len(before)} expired publications rescored, {n} notifications"


def run_tasks() -> str:
    """Run the queued long operations (every ten seconds): tasks of workers that died are
    queued again first; then tasks run one after the other until the queue is empty."""
    with app_context():
        session = db.session()
        requeued = tasks.requeue_stale(session)
        done = 0
        while tasks.run_next(session, current_app.config) is not None:
            done += 1
        return f"{done} tasks run, {requeued} requeued"


def refresh_dashboards() -> str:
    """Rebuild the dashboard rollups per county and month and keep the daily tier snapshots
    (every five minutes): the province-wide charts read them instead of every case, deadline,
    payment and score."""
    with app_context():
        report = dashboard_rollups.refresh(db.session())
        return (
            f"{report.case_rows} case, {report.money_rows} money, "
            f"{report.overdue_rows} deadline and {report.tier_rows} past-day tier rows "
            f"in {report.seconds:.3f} s"
        )


def heartbeat() -> str:
    """Do nothing: its JobRun rows show which process runs the jobs (tests set its interval)."""
    return "alive"


# --- The job table --------------------------------------------------------------------------

# The one definition of what runs when (times in CASEMGR_TIMEZONE). When a scheduler becomes the
# leader it makes the store match: jobs added if missing, triggers updated if changed, jobs no
# longer listed removed. To add a job, write its function above and add its row here.
JOBS: tuple[JobDefinition, ...] = (
    JobDefinition("seal_audit_trail", seal_audit_trail, "interval", {"minutes": 1}),
    JobDefinition("refresh_deadlines", refresh_deadlines, "cron", {"hour": 0, "minute": 5}),
    JobDefinition("rescore_credit", rescore_credit, "cron", {"hour": 2, "minute": 30}),
    JobDefinition("expire_publications", expire_publications, "cron", {"hour": 3, "minute": 30}),
    JobDefinition("send_reminders", send_reminders, "cron", {"hour": 7, "minute": 30}),
    JobDefinition("round_milestones", round_milestones, "cron", {"hour": 7, "minute": 40}),
    JobDefinition("deliver_email", deliver_email, "interval", {"minutes": 5}),
    JobDefinition("run_tasks", run_tasks, "interval", {"seconds": 10}),
    JobDefinition("refresh_dashboards", refresh_dashboards, "interval", {"minutes": 5}),
    JobDefinition(
        "quarterly_draws", quarterly_draws, "cron", {"month": "1,4,7,10", "day": 1, "hour": 6}
    ),
)


def job_table(config: Mapping[str, Any]) -> tuple[JobDefinition, ...]:
    """The jobs to run under these settings: JOBS, and the heartbeat when it has an interval."""
    seconds = config.get("SCHEDULER_HEARTBEAT_SECONDS") or 0
    if seconds > 0:
        return (*JOBS, JobDefinition("heartbeat", heartbeat, "interval", {"seconds": seconds}))
    return JOBS


def start_in_background(app: Flask) -> SchedulerRunner:
    """Start the leader-electing runner in a thread of this process (gunicorn's workers)."""
    configure_logging()
    runner = SchedulerRunner(app, job_table(app.config))
    runner.start()
    return runner


# --- Commands -------------------------------------------------------------------------------


@click.group("scheduler", cls=AppGroup, invoke_without_command=True)
@click.pass_context
def scheduler_cli(ctx: click.Context) -> None:
    """The job scheduler (without a command: run it)."""
    if ctx.invoked_subcommand is None:
        ctx.invoke(run_scheduler)


@scheduler_cli.command("run")
def run_scheduler() -> None:
    """Run the scheduler in the foreground until SIGTERM or SIGINT (the docker-compose
    'scheduler' service); on standby while another process leads."""
    configure_logging()
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    runner = SchedulerRunner(app, job_table(app.config))
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: runner.stop())
    click.echo(f"scheduler {runner.name}: " + ", ".join(j.id for j in runner.table))
    runner.run()
    click.echo(f"scheduler {runner.name} stopped")


@scheduler_cli.command("jobs")
def list_jobs() -> None:
    """List the stored jobs with their next run and their last run."""
    store = job_store(current_app._get_current_object())  # type: ignore[attr-defined]
    try:
        stored = {job.id: job for job in store.get_all_jobs()}
    finally:
        store.shutdown()
    last = job_runs.last_runs(db.session())
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    listed = [d.id for d in job_table(current_app.config)]

    def when(moment: datetime | None) -> str:
        return "-" if moment is None else f"{moment.astimezone(zone):%Y-%m-%d %H:%M:%S}"

    for job_id in dict.fromkeys([*listed, *stored]):
        job = stored.get(job_id)
        if job is None:
            state = "not stored yet (added when a scheduler starts)"
        else:
            state = f"{job.trigger}, next {when(job.next_run_time)}"
            if job_id not in listed:
                state += " (no longer in the job table: removed when a scheduler starts)"
        run = last.get(job_id)
        done = "never run" if run is None else (
            f"last {when(run.scheduled_for)} {run.outcome}"
            f" (started {when(run.started_at)} by {run.runner})"
        )  # fmt: skip
        click.echo(f"{job_id:<20} {state}; {done}")


@click.group("worker", cls=AppGroup)
def worker_cli() -> None:
    """Workers for the queued long operations, beside the scheduler."""


@worker_cli.command("run")
@click.option("--once", is_flag=True, help="Run what is queued, then exit.")
@click.option(
    "--idle-seconds", default=2.0, show_default=True, help="Wait when the queue is empty."
)
def run_worker(once: bool, idle_seconds: float) -> None:
    """Run queued tasks until SIGTERM or SIGINT; several workers never run the same task
    (PostgreSQL: FOR UPDATE SKIP LOCKED)."""
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    session = db.session()
    ran = 0
    while not stop.is_set():
        task = tasks.run_next(session, current_app.config)
        if task is not None:
            ran += 1
            click.echo(f"task {task.id} ({task.kind}): {task.status.value}")
            continue
        if once:
            break
        stop.wait(idle_seconds)
    click.echo(f"worker stopped after {ran} tasks")


def register(app: Flask) -> None:
    app.cli.add_command(scheduler_cli)
    app.cli.add_command(worker_cli)
