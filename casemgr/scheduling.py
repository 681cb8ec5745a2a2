"""The scheduler's machinery: the database job store, leader election, the run log, coalescing.

It knows no job: ``casemgr.jobs`` holds the jobs and their table and hands the table in.

- **Store.** Jobs live in ``scheduler_jobs`` (APScheduler's SQLAlchemy job store), each as a
  reference to its function, its trigger and its next run time, so a restart loses none. On
  becoming the leader, :func:`sync_jobs` makes the store match the table without touching the
  stored next run times.
- **One leader.** On PostgreSQL a session-level advisory lock held on a connection of its own;
  on SQLite an exclusive ``flock`` on ``<instance>/scheduler.lock``. The process that holds it
  runs the jobs; the others retry every SCHEDULER_STANDBY_SECONDS. The lock ends with its
  process, however it dies, and the leader checks it still holds it as often.
- **Missed runs.** A job whose time passed while no scheduler ran runs once on start
  (coalesce, no misfire grace time); the runner logs how many planned runs it stands for and
  records that count in the run's JobRun row.
- **Run log.** Every run writes a JobRun row: runner (host:pid), planned time, outcome,
  duration and, on failure, the exception. A failing job never stops the scheduler.

The next run time is advanced when a run starts, so a run cut short by a crash is not repeated
(at most once per planned time); the next leader marks it failed.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from traceback import format_exception
from typing import Any, Literal, Protocol

from apscheduler.events import EVENT_JOB_ERROR
from apscheduler.executors.base import run_job
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.job import Job
from apscheduler.jobstores.base import BaseJobStore
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from apscheduler.util import obj_to_ref
from flask import Flask
from flask.ctx import AppContext
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

from casemgr.extensions import db
from casemgr.models import scheduler_jobs
from casemgr.services import job_runs

log = logging.getLogger(__name__)

# The application the jobs run in. The store keeps each job as a reference to its function
# ("casemgr.jobs:seal_audit_trail"), which cannot carry the app: the runner binds it here.
_app: Flask | None = None


def bind(app: Flask) -> None:
    global _app
    _app = app


def app_context() -> AppContext:
    """A context of the bound application, for a job to run in."""
    if _app is None:
        raise RuntimeError("no application bound: jobs run under a SchedulerRunner")
    return _app.app_context()


# --- Job definitions and the store ----------------------------------------------------------

_TRIGGERS: dict[str, Callable[..., Any]] = {"cron": CronTrigger, "interval": IntervalTrigger}


@dataclass(frozen=True)
class JobDefinition:
    """A row of the job table: the job's id, its function (module-level, called without
    arguments, so that the store keeps it by reference) and its trigger, APScheduler's ``cron``
    or ``interval`` with its arguments (times in CASEMGR_TIMEZONE)."""

    id: str
    func: Callable[[], object]
    trigger: Literal["cron", "interval"]
    trigger_args: Mapping[str, Any]

    def build_trigger(self, timezone: Any) -> Any:
        return _TRIGGERS[self.trigger](timezone=timezone, **self.trigger_args)


# A run missed while no scheduler ran is run once on start, however late (no grace limit), and
# never twice at once.
JOB_DEFAULTS: dict[str, Any] = {"coalesce": True, "misfire_grace_time": None, "max_instances": 1}


class _MigratedJobStore(SQLAlchemyJobStore):  # type: ignore[misc]
    """The SQLAlchemy job store without its CREATE TABLE: the migrations own scheduler_jobs."""

    def start(self, scheduler: Any, alias: str) -> None:
        BaseJobStore.start(self, scheduler, alias)


def job_store(app: Flask) -> _MigratedJobStore:
    # An engine of its own: the store disposes of its engine when the scheduler shuts down.
    return _MigratedJobStore(
        url=app.config["SQLALCHEMY_DATABASE_URI"],
        tablename=scheduler_jobs.name,
        engine_options={"pool_pre_ping": True},
    )


def build_scheduler(app: Flask, *, executor: Any = None) -> BackgroundScheduler:
    """A scheduler on the database job store (not started)."""
    return BackgroundScheduler(
        jobstores={"default": job_store(app)},
        executors={"default": executor or ThreadPoolExecutor(max_workers=4)},
        job_defaults=JOB_DEFAULTS,
        timezone=app.config["BABEL_DEFAULT_TIMEZONE"],
    )


def shutdown_scheduler(scheduler: BackgroundScheduler) -> None:
    """Stop a started scheduler, waiting for running jobs, without touching the stored jobs.

    APScheduler 3 processes due jobs once more when it shuts down (even when paused): their
    submission fails, yet their next_run_time is advanced in the store, losing that run. So
    the store is detached first.
    """
    scheduler.pause()
    scheduler.remove_jobstore("default")
    scheduler.shutdown(wait=True)


def _fingerprint(trigger: Any) -> str:
    # Triggers have no equality; their text names the fields set (cron) or the interval.
    return f"{trigger} {getattr(trigger, 'timezone', '')}"


def missed_runs(job: Job, now: datetime) -> list[datetime]:
    """The planned run times of a stored job that are already past (as APScheduler counts them)."""
    out: list[datetime] = []
    planned = job.next_run_time
    while planned is not None and planned <= now:
        out.append(planned)
        planned = job.trigger.get_next_fire_time(planned, now)
    return out


def sync_jobs(scheduler: BackgroundScheduler, table: tuple[JobDefinition, ...]) -> dict[str, int]:
    """Make a started scheduler's store hold the table's jobs; returns, for each job whose time
    passed while no scheduler ran, how many planned runs its next run stands for."""
    now = datetime.now(scheduler.timezone)
    stored = {job.id: job for job in scheduler.get_jobs()}
    missed: dict[str, int] = {}
    for entry in table:
        trigger = entry.build_trigger(scheduler.timezone)
        job = stored.pop(entry.id, None)
        if job is None:
            scheduler.add_job(entry.func, trigger, id=entry.id, name=entry.id, **JOB_DEFAULTS)
            log.info("job %s added: %s", entry.id, trigger)
            continue
        if _fingerprint(job.trigger) != _fingerprint(trigger):
            scheduler.reschedule_job(entry.id, trigger=trigger)
            log.info("job %s: trigger changed from %s to %s", entry.id, job.trigger, trigger)
            continue
        changes = {k: v for k, v in JOB_DEFAULTS.items() if getattr(job, k) != v}
        if job.func_ref != obj_to_ref(entry.func):
            changes["func"] = entry.func
        if changes:
            scheduler.modify_job(entry.id, **changes)
        # The stored next_run_time is kept: a time that passed means one run now.
        past = missed_runs(job, now)
        if past:
            missed[entry.id] = len(past)
            log.warning(
                "job %s: %d planned run(s) from %s to %s passed while no scheduler ran; "
                "coalesced into one run now",
                entry.id,
                len(past),
                past[0].isoformat(timespec="seconds"),
                past[-1].isoformat(timespec="seconds"),
            )
    for job_id in stored:
        scheduler.remove_job(job_id)
        log.info("job %s removed: no longer in the job table", job_id)
    return missed


# --- Leader election ------------------------------------------------------------------------

# PostgreSQL advisory lock held by the leading scheduler for its life (audit sealing uses 0x5EA1,
# linking 0x11A4, graph builds 0x6A4F).
SCHEDULER_LOCK_ID = 0x5C4D


class _Lock(Protocol):
    def acquire(self) -> bool: ...
    def held(self) -> bool: ...
    def release(self) -> None: ...


class _AdvisoryLock:
    """PostgreSQL: a session-level advisory lock on a connection of its own. The server frees it
    when that connection ends, so a leader that dies (even by kill -9) hands over."""

    def __init__(self, url: str) -> None:
        # NullPool: closing the connection must end the session (freeing the lock), not park it
        # in a pool. TCP keepalives: a vanished peer is noticed in about a minute, not hours.
        self._engine = create_engine(
            url,
            poolclass=NullPool,
            connect_args={
                "connect_timeout": 10,
                "keepalives": 1,
                "keepalives_idle": 30,
                "keepalives_interval": 10,
                "keepalives_count": 3,
            },
        )
        self._conn: Connection | None = None
        self._unreachable = False

    def acquire(self) -> bool:
        try:
            if self._conn is None:
                conn = self._engine.connect().execution_options(isolation_level="AUTOCOMMIT")
                self._conn = conn
                # The server's side of the keepalives: it frees the lock of a leader whose host
                # vanished within a minute, instead of the system default of two hours.
                for setting in ("idle = 30", "interval = 10", "count = 3"):
                    conn.execute(text(f"SET tcp_keepalives_{setting}"))
            got = self._conn.scalar(
                text("SELECT pg_try_advisory_lock(:k)"), {"k": SCHEDULER_LOCK_ID}
            )
        except SQLAlchemyError as exc:
            if not self._unreachable:
                log.warning("scheduler lock: database unreachable: %s", exc.__class__.__name__)
            self._unreachable = True
            self.release()
            return False
        self._unreachable = False
        return bool(got)

    def held(self) -> bool:
        if self._conn is None:
            return False
        try:
            self._conn.execute(text("SELECT 1"))
        except SQLAlchemyError:
            self.release()
            return False
        return True

    def release(self) -> None:
        # Ending the session frees its advisory locks; the standby retries on a new one.
        if self._conn is not None:
            with contextlib.suppress(SQLAlchemyError):
                self._conn.close()
            self._conn = None


class _FileLock:
    """SQLite: an exclusive flock on <instance>/scheduler.lock. The kernel frees it when the
    process ends, however it ends."""

    def __init__(self, path: Path, owner: str) -> None:
        self._path = path
        self._owner = owner
        self._fd: int | None = None

    def acquire(self) -> bool:
        fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            return False
        self._fd = fd
        os.ftruncate(fd, 0)
        os.write(fd, f"{self._owner}\n".encode())  # for whoever looks: who leads
        return True

    def held(self) -> bool:
        # A deleted or replaced lock file would let a second process lock a new one.
        if self._fd is None:
            return False
        try:
            return os.fstat(self._fd).st_ino == os.stat(self._path).st_ino
        except OSError:
            return False

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # the only descriptor: closing it drops the lock
            self._fd = None


def _lock_for(app: Flask, owner: str) -> _Lock:
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if make_url(url).get_backend_name() == "postgresql":
        return _AdvisoryLock(url)
    return _FileLock(Path(app.instance_path) / "scheduler.lock", owner)


# --- The runner -----------------------------------------------------------------------------


class _RecordingExecutor(ThreadPoolExecutor):  # type: ignore[misc]
    """APScheduler's thread pool with a JobRun row written around each run. APScheduler hands
    the planned run time to the executor only, never to the job function: hence here."""

    def __init__(self, runner: SchedulerRunner) -> None:
        super().__init__(max_workers=4)
        self._runner = runner

    def _do_submit_job(self, job: Job, run_times: list[datetime]) -> None:
        # BasePoolExecutor._do_submit_job, the executors' extension point, with run_job wrapped.
        def done(future: Future[list[Any]]) -> None:
            exc = future.exception()
            if exc is not None:
                self._run_job_error(job.id, exc, exc.__traceback__)
            else:
                self._run_job_success(job.id, future.result())

        future = self._pool.submit(self._runner.run_recorded, job, run_times, self._logger.name)
        future.add_done_callback(done)


class SchedulerRunner:
    """Runs the jobs while this process holds the scheduler lock, else waits on standby and
    retries every SCHEDULER_STANDBY_SECONDS; ``run`` returns once ``stop`` is called."""

    def __init__(self, app: Flask, table: tuple[JobDefinition, ...]) -> None:
        self.app = app
        self.table = table
        self.name = f"{socket.gethostname()[:80]}:{os.getpid()}"
        self.standby_seconds = max(1, int(app.config["SCHEDULER_STANDBY_SECONDS"]))
        self._lock = _lock_for(app, self.name)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._missed: dict[str, int] = {}

    def run(self) -> None:
        bind(self.app)
        on_standby = False
        try:
            while not self._stop.is_set():
                if self._lock.acquire():
                    on_standby = False
                    log.info("scheduler %s is the leader: running the jobs", self.name)
                    try:
                        self._lead()
                    except Exception:
                        log.exception("scheduler %s stopped leading on an error", self.name)
                    finally:
                        self._lock.release()
                    if not self._stop.is_set():
                        log.warning("scheduler %s is on standby again", self.name)
                elif not on_standby:
                    on_standby = True
                    log.info(
                        "scheduler %s on standby: another process leads; retrying every %d s",
                        self.name,
                        self.standby_seconds,
                    )
                self._stop.wait(self.standby_seconds)
        finally:
            self._lock.release()

    def start(self) -> None:
        """Run in a background thread (the in-process scheduler of the web workers)."""
        self._thread = threading.Thread(target=self.run, name="casemgr-scheduler", daemon=True)
        self._thread.start()

    def stop(self, timeout: float | None = None) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _lead(self) -> None:
        self._record(job_runs.abandon_unfinished, runner=self.name)
        scheduler = build_scheduler(self.app, executor=_RecordingExecutor(self))
        # Paused until the store matches the table, so no job runs on a stale definition.
        scheduler.start(paused=True)
        try:
            self._missed = sync_jobs(scheduler, self.table)
            scheduler.resume()
            while not self._stop.wait(self.standby_seconds):
                if not self._lock.held():
                    log.error("scheduler %s lost its lock: stopping the jobs", self.name)
                    return
        finally:
            shutdown_scheduler(scheduler)

    def run_recorded(self, job: Job, run_times: list[datetime], logger_name: str) -> list[Any]:
        """Run a job as APScheduler would, between the start and the end of its JobRun row."""
        run_id = self._record(
            job_runs.start_run,
            job_id=job.id,
            runner=self.name,
            scheduled_for=run_times[-1],
            coalesced=self._missed.pop(job.id, 0),
        )
        started = time.monotonic()
        events: list[Any] = run_job(job, job._jobstore_alias, run_times, logger_name)
        took = f"{time.monotonic() - started:.3f} s"
        error = next((e for e in events if e.code == EVENT_JOB_ERROR), None)
        if error is None:
            retval = events[-1].retval if events else None
            outcome, detail = job_runs.Outcome.OK, took + (f"; {retval}" if retval else "")
            log.info("job %s ok: %s", job.id, detail)
        else:
            exc = error.exception
            outcome = job_runs.Outcome.FAILED
            # The whole chain: a domain error's message often hides its cause's.
            detail = f"{took}; {type(exc).__name__}: {exc}\n" + "".join(format_exception(exc))
        if run_id is not None:
            self._record(job_runs.finish_run, run_id, outcome=outcome, detail=detail)
        return events

    def _record(self, service: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        # The run log failing (database unreachable) must not stop the job nor the scheduler.
        try:
            with self.app.app_context():
                return service(db.session(), *args, **kwargs)
        except Exception:
            log.exception("scheduler %s could not write its run log", self.name)
            return None


def configure_logging() -> None:
    if not logging.getLogger().handlers:
        logging.basicConfig(
            level=logging.INFO,
            format="%(asctime)s %(levelname)s [%(process)d] %(name)s: %(message)s",
        )
    # Each run gets one line of ours (and its JobRun row); APScheduler's two would repeat it.
    logging.getLogger("apscheduler.executors").setLevel(logging.WARNING)
