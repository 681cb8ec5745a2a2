"""The scheduler's log of job runs: one JobRun row per run of a scheduled job."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from casemgr.db import transaction, utcnow
from casemgr.models import JobRun


class Outcome(enum.StrEnum):
    """How a run ended."""

    RUNNING = "running"  # started, not finished (or its process died: see abandon_unfinished)
    OK = "ok"  # the job returned
    FAILED = "failed"  # the job raised; the exception is in the run's detail


def start_run(
    session: Session, *, job_id: str, runner: str, scheduled_for: datetime, coalesced: int = 0
) -> int:
    """Record that a run began; returns its id."""
    with transaction(session):
        run = JobRun(
            job_id=job_id,
            runner=runner,
            scheduled_for=scheduled_for,
            coalesced=coalesced,
            outcome=Outcome.RUNNING,
        )
        session.add(run)
        session.flush()
        run_id = run.id
    return run_id


def finish_run(session: Session, run_id: int, *, outcome: Outcome, detail: str) -> None:
    """Record how a run ended."""
    with transaction(session):
        session.execute(
            update(JobRun)
            .where(JobRun.id == run_id)
            .values(outcome=outcome, detail=detail, finished_at=utcnow())
        )


def abandon_unfinished(session: Session, *, runner: str) -> int:
    """Mark as failed the runs other processes left running (called by a new leader: only the
    leader runs jobs, so another runner's unfinished run can only be one whose process died)."""
    with transaction(session):
        result = session.execute(
            update(JobRun)
            .where(JobRun.outcome == Outcome.RUNNING, JobRun.runner != runner)
            .values(
                outcome=Outcome.FAILED,
                finished_at=utcnow(),
                detail="the scheduler process stopped before the run finished",
            )
        )
    return int(getattr(result, "rowcount", 0) or 0)


def last_runs(session: Session) -> dict[str, JobRun]:
    """Each job's latest run, by job id."""
    latest = select(func.max(JobRun.id)).group_by(JobRun.job_id)
    return {r.job_id: r for r in session.scalars(select(JobRun).where(JobRun.id.in_(latest)))}
