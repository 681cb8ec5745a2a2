"""APScheduler jobs. Each job = an app context + one service call."""

from __future__ import annotations

import logging
import signal
import time

import click
from apscheduler.schedulers.background import BackgroundScheduler
from flask import Flask

from casemgr.extensions import db
from casemgr.services import audit
from casemgr.services import deadlines as deadline_service
from casemgr.services.localtime import local_today

log = logging.getLogger(__name__)


def seal_audit_trail(app: Flask) -> None:
    """Seal pending audit entries (every minute), so deletions become evident quickly."""
    with app.app_context():
        n = audit.seal_pending(db.session())
        if n:
            log.info("sealed %d audit entries", n)


def refresh_deadlines(app: Flask) -> None:
    """Mark deadlines whose last day has passed as missed (daily, shortly after midnight)."""
    with app.app_context():
        n = deadline_service.refresh_open_deadlines(db.session(), today=local_today())
        log.info("refreshed %d deadlines", n)


def build_scheduler(app: Flask) -> BackgroundScheduler:
    scheduler = BackgroundScheduler(timezone=app.config["BABEL_DEFAULT_TIMEZONE"])
    scheduler.add_job(
        seal_audit_trail,
        "interval",
        minutes=1,
        args=[app],
        id="seal_audit_trail",
        max_instances=1,
        coalesce=True,
    )
    scheduler.add_job(
        refresh_deadlines,
        "cron",
        hour=0,
        minute=5,
        args=[app],
        id="refresh_deadlines",
        max_instances=1,
        coalesce=True,
    )
    return scheduler


def register(app: Flask) -> None:
    @app.cli.command("scheduler")
    def run_scheduler() -> None:
        """Run the job scheduler in the foreground (the docker-compose 'scheduler' service)."""
        logging.basicConfig(level=logging.INFO)
        scheduler = build_scheduler(app)
        scheduler.start()
        click.echo("scheduler started: " + ", ".join(j.id for j in scheduler.get_jobs()))
        stop = {"now": False}

        def _stop(*_: object) -> None:
            stop["now"] = True

        signal.signal(signal.SIGTERM, _stop)
        signal.signal(signal.SIGINT, _stop)
        while not stop["now"]:
            time.sleep(1)
        scheduler.shutdown()
