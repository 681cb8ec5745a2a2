"""The scheduler: jobs kept in the database, one leader among several processes, missed runs
coalesced, failures recorded, the store following the job table.

The process tests start real `casemgr scheduler run` processes on the test run's database
(SQLite or PostgreSQL), with a heartbeat job every second and a one-second standby retry.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from casemgr.extensions import db
from casemgr.jobs import JOBS, job_table
from casemgr.models import JobRun, scheduler_jobs
from casemgr.scheduling import SchedulerRunner, build_scheduler, shutdown_scheduler, sync_jobs
from casemgr.services import job_runs

CASEMGR = Path(sys.executable).parent / "casemgr"
TABLE_WITH_HEARTBEAT = job_table({"SCHEDULER_HEARTBEAT_SECONDS": 1})


@dataclass
class Process:
    proc: subprocess.Popen[bytes]
    log: Path

    @property
    def runner(self) -> str:
        return f"{socket.gethostname()[:80]}:{self.proc.pid}"

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> int:
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=30)


@pytest.fixture
def start_scheduler(database_url: str, tmp_path: Path) -> Iterator[Callable[..., Process]]:
    started: list[Process] = []
    env = {
        **os.environ,
        "CASEMGR_DATABASE_URL": database_url,
        # Shared by every process of a test: the SQLite lock file lives there.
        "CASEMGR_INSTANCE_PATH": str(tmp_path / "instance"),
        "CASEMGR_SECRET_KEY": "test-secret-key",
        "CASEMGR_SCHEDULER_HEARTBEAT_SECONDS": "1",
        "CASEMGR_SCHEDULER_STANDBY_SECONDS": "1",
    }

    def start(**extra: str) -> Process:
        log = tmp_path / f"scheduler-{len(started)}.log"
        with log.open("wb") as out:
            proc = subprocess.Popen(
                [str(CASEMGR), "scheduler", "run"],
                stdout=out,
                stderr=subprocess.STDOUT,
                env={**env, **extra},
                cwd=tmp_path,
            )
        started.append(Process(proc, log))
        return started[-1]

    yield start
    for process in started:  # before the database is cleaned for the next test
        if process.proc.poll() is None:
            process.proc.kill()
        process.proc.wait(timeout=30)


def wait_for(condition: Callable[[], Any], what: str, timeout: float = 30) -> Any:
    deadline = time.monotonic() + timeout
    while not (value := condition()):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.1)
    return value


def runs(job_id: str) -> list[JobRun]:
    # A session per look: an open read would hold SQLite's lock against the schedulers' writes.
    with Session(db.engine) as session:
        return list(
            session.scalars(select(JobRun).where(JobRun.job_id == job_id).order_by(JobRun.id))
        )


def finished(job_id: str) -> list[JobRun]:
    return [r for r in runs(job_id) if r.outcome == job_runs.Outcome.OK]


@contextmanager
def paused_scheduler(app: Flask) -> Iterator[BackgroundScheduler]:
    """The database job store, seen through a scheduler that runs nothing."""
    scheduler = build_scheduler(app)
    scheduler.start(paused=True)
    try:
        yield scheduler
    finally:
        shutdown_scheduler(scheduler)


def test_of_two_schedulers_one_runs_the_jobs_and_the_other_takes_over_when_it_dies(
    app, start_scheduler
):
    first, second = start_scheduler(), start_scheduler()
    wait_for(lambda: len(finished("heartbeat")) >= 3, "three heartbeats")
    wait_for(lambda: "on standby" in first.output() + second.output(), "a standby")

    runners = {r.runner for r in runs("heartbeat")}
    assert len(runners) == 1
    leader, standby = (first, second) if runners == {first.runner} else (second, first)
    assert runners == {leader.runner}
    assert "is the leader" in leader.output()
    assert "on standby" in standby.output() and "is the leader" not in standby.output()

    leader.proc.kill()  # no clean-up: the lock goes with the process (its connection or file)
    leader.proc.wait(timeout=10)
    wait_for(
        lambda: any(r.runner == standby.runner for r in finished("heartbeat")),
        "the standby to run the heartbeat",
    )
    assert "is the leader" in standby.output()
    by_runner = [r.runner for r in runs("heartbeat")]
    took_over = by_runner.index(standby.runner)
    assert set(by_runner[:took_over]) == {leader.runner}
    assert set(by_runner[took_over:]) == {standby.runner}


def test_jobs_survive_a_restart_and_runs_missed_meanwhile_run_once(app, start_scheduler):
    first = start_scheduler()
    wait_for(lambda: finished("heartbeat"), "a heartbeat")
    assert first.stop() == 0
    assert "stopped" in first.output()

    with db.engine.connect() as conn:
        query = select(scheduler_jobs.c.id, scheduler_jobs.c.next_run_time)
        stored = dict(conn.execute(query).all())
    assert stored.keys() == {d.id for d in TABLE_WITH_HEARTBEAT}
    assert all(next_run is not None for next_run in stored.values())

    # As if no scheduler had run for five and a half minutes: six runs of the minute job passed.
    last_missed = datetime.now(UTC).replace(microsecond=0) - timedelta(seconds=30)
    with paused_scheduler(app) as scheduler:
        scheduler.modify_job("seal_audit_trail", next_run_time=last_missed - timedelta(minutes=5))

    second = start_scheduler()
    wait_for(lambda: [r for r in runs("seal_audit_trail") if r.finished_at], "the missed run")
    first_beat = max(r.id for r in runs("heartbeat"))
    wait_for(lambda: len([r for r in finished("heartbeat") if r.id > first_beat]) >= 2, "beats")

    (seal,) = runs("seal_audit_trail")  # once, not six times
    assert seal.outcome == job_runs.Outcome.OK
    assert seal.runner == second.runner
    assert seal.coalesced >= 5
    assert seal.scheduled_for == last_missed  # the latest planned time, as APScheduler plans it
    logged = re.search(r"job seal_audit_trail: (\d+) planned run\(s\).*coalesced", second.output())
    assert logged and int(logged.group(1)) == seal.coalesced
    with paused_scheduler(app) as scheduler:
        assert scheduler.get_job("seal_audit_trail").next_run_time > datetime.now(UTC)


def test_a_failing_job_is_recorded_as_failed_and_the_scheduler_keeps_going(
    app, monkeypatch, tmp_path
):
    monkeypatch.setitem(app.config, "CREDIT_SCHEME", str(tmp_path / "no-such-scheme.json"))
    table = tuple(d for d in TABLE_WITH_HEARTBEAT if d.id in {"rescore_credit", "heartbeat"})
    with paused_scheduler(app) as scheduler:
        sync_jobs(scheduler, table)
        scheduler.modify_job(
            "rescore_credit", next_run_time=datetime.now(UTC) - timedelta(minutes=1)
        )

    runner = SchedulerRunner(app, table)  # in this process: the job reads this app's settings
    runner.start()
    try:
        (failed,) = wait_for(
            lambda: [r for r in runs("rescore_credit") if r.finished_at], "the failed run"
        )
        wait_for(
            lambda: [r for r in finished("heartbeat") if r.started_at > failed.finished_at],
            "a heartbeat after the failure",
        )
    finally:
        runner.stop(timeout=30)
    assert failed.outcome == job_runs.Outcome.FAILED
    assert "no-such-scheme.json" in failed.detail
    assert failed.coalesced >= 1
    assert re.match(r"\d+\.\d{3} s; ", failed.detail)


def test_the_store_follows_the_job_table(app):
    later = datetime(2030, 1, 1, tzinfo=UTC)
    with paused_scheduler(app) as scheduler:
        assert sync_jobs(scheduler, JOBS) == {}
        assert {j.id for j in scheduler.get_jobs()} == {d.id for d in JOBS}
        scheduler.modify_job("seal_audit_trail", next_run_time=later)

        changed = tuple(
            replace(d, trigger_args={"hour": 1, "minute": 5}) if d.id == "refresh_deadlines" else d
            for d in JOBS
            if d.id != "rescore_credit"
        )
        assert sync_jobs(scheduler, changed) == {}
    with paused_scheduler(app) as scheduler:  # read back from the database
        jobs = {j.id: j for j in scheduler.get_jobs()}
    assert jobs.keys() == {d.id for d in JOBS} - {"rescore_credit"}
    assert str(jobs["refresh_deadlines"].trigger) == "cron[hour='1', minute='5']"
    assert jobs["refresh_deadlines"].next_run_time.hour == 1
    assert jobs["seal_audit_trail"].next_run_time == later  # an unchanged job keeps its time


def test_scheduler_jobs_lists_next_and_last_runs(app, runner, session):
    with paused_scheduler(app) as scheduler:
        sync_jobs(scheduler, JOBS)
    run_id = job_runs.start_run(
        session, job_id="refresh_deadlines", runner="host:1", scheduled_for=datetime.now(UTC)
    )
    job_runs.finish_run(session, run_id, outcome=job_runs.Outcome.OK, detail="0.010 s")

    result = runner.invoke(args=["scheduler", "jobs"])
    assert result.exit_code == 0, result.output
    lines = {line.split()[0]: line for line in result.output.splitlines()}
    assert lines.keys() == {d.id for d in JOBS}
    assert "ok (started" in lines["refresh_deadlines"] and "by host:1" in lines["refresh_deadlines"]
    assert "never run" in lines["seal_audit_trail"]
    assert "cron[hour='2', minute='30'], next " in lines["rescore_credit"]
