"""The queue of long operations (后台任务): submitted by a request, run by a worker, exactly once.

A worker claims the oldest queued task in one statement: on PostgreSQL ``FOR UPDATE SKIP
LOCKED``, so several workers never take the same task and never wait on each other; on SQLite an
``UPDATE ... WHERE status = 'queued'`` that only one writer can win. The task then runs as the
user who submitted it (their permissions, their jurisdiction), writing its progress in short
commits of its own; its outcome (a result or the error) ends it. A task whose worker died (no
heartbeat for a while) is queued again, up to a number of attempts, then failed.
"""

from __future__ import annotations

import os
import socket
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import select, text, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from casemgr.db import transaction, utcnow
from casemgr.exceptions import Conflict, DomainError, InvalidInput, NotFound
from casemgr.i18n import N_
from casemgr.models import Task, TaskStatus, User
from casemgr.policy import Actor, Permission
from casemgr.repositories.common import Page, paginate
from casemgr.services.access import actor_for, require

Progress = Callable[[float, str], None]
"""Report progress: a fraction in [0, 1] and the step (an ``N_`` msgid or plain text)."""

RUNNER = f"{socket.gethostname()}:{os.getpid()}"
MAX_ATTEMPTS = 3


@dataclass(frozen=True)
class TaskKind:
    """A kind of long operation: who may submit it, how its parameters are checked when it is
    submitted (``check`` raises InvalidInput), and what runs it (given the app settings)."""

    name: str
    permission: Permission
    run: Callable[[Session, Actor, Mapping[str, Any], Progress, Mapping[str, Any]], dict[str, Any]]
    # Returns the parameters to store: only what it checked.
    check: Callable[[Session, Actor, Mapping[str, Any]], Mapping[str, Any]] | None = None


KINDS: dict[str, TaskKind] = {}


def register(kind: TaskKind) -> TaskKind:
    KINDS[kind.name] = kind
    return kind


def kinds() -> Mapping[str, TaskKind]:
    """Every registered kind: the system's own (``task_kinds``) and any a test registers."""
    from casemgr.services import task_kinds  # noqa: F401 - registers them; imports this module

    return KINDS


def submit(session: Session, actor: Actor, kind: str, params: Mapping[str, Any]) -> Task:
    """Queue a task. Raises InvalidInput (unknown kind, bad parameters), PermissionDenied."""
    spec = kinds().get(kind)
    if spec is None:
        raise InvalidInput.field(
            "kind", N_("Unknown task kind '{kind}'; one of: {kinds}."), kind=kind,
            kinds=", ".join(sorted(kinds())),
        )  # fmt: skip
    require(actor, spec.permission)
    stored = dict(params) if spec.check is None else dict(spec.check(session, actor, params))
    with transaction(session, actor=actor):
        task = Task(kind=kind, params=stored, created_by_id=actor.user_id)
        session.add(task)
    return task


def get_task(session: Session, actor: Actor, task_id: int) -> Task:
    """Raises NotFound, also for someone else's task (administrators see every task)."""
    task = session.get(Task, task_id)
    if task is None or not (
        task.created_by_id == actor.user_id or actor.can(Permission.MANAGE_USERS)
    ):
        raise NotFound(kind=N_("Task"), key=task_id)
    return task


def list_tasks(
    session: Session, actor: Actor, *, page: int = 1, per_page: int = 20, everyone: bool = False
) -> Page[Task]:
    """The actor's tasks, newest first; ``everyone``: every user's (administrators, who may
    open any task). Raises PermissionDenied (``everyone`` for anyone else)."""
    stmt = select(Task).order_by(Task.id.desc())
    if everyone:
        require(actor, Permission.MANAGE_USERS)
    else:
        stmt = stmt.where(Task.created_by_id == actor.user_id)
    return paginate(session, stmt, page=page, per_page=per_page)


def submitter_names(session: Session, tasks: Iterable[Task]) -> dict[int, str]:
    """The display name (or user name) of each task's submitter, in one query."""
    ids = {t.created_by_id for t in tasks}
    if not ids:
        return {}
    rows = session.execute(
        select(User.id, User.display_name, User.username).where(User.id.in_(ids))
    )
    return {uid: display or username for uid, display, username in rows}


def _failure(exc: DomainError) -> dict[str, Any]:
    """A domain refusal as data (msgid template, parameters, field errors), so a page can show
    it in the reader's language; the ``error`` text keeps the English message."""

    def plain(value: Any) -> Any:
        if value is None or isinstance(value, str | int | float | bool):
            return value
        return str(value)

    errors = {
        str(name): [str(m) for m in (msgs if isinstance(msgs, list | tuple) else [msgs])]
        for name, msgs in (exc.errors or {}).items()
    }
    return {
        "message": exc.message_template,
        "params": {str(k): plain(v) for k, v in exc.params.items()},
        "errors": errors,
    }


def cancel(session: Session, actor: Actor, task_id: int) -> Task:
    """Cancel a task no worker has claimed yet. Raises NotFound, Conflict (already running)."""
    with transaction(session, actor=actor):
        task = get_task(session, actor, task_id)
        if task.status is not TaskStatus.QUEUED:
            raise Conflict(
                N_("Task {id} is {status}: only a queued task can be cancelled."),
                id=task.id,
                status=task.status.value,
            )
        task.status = TaskStatus.CANCELLED
        task.finished_at = utcnow()
    return task


def claim(session: Session, *, runner: str = RUNNER) -> int | None:
    """Take the oldest queued task for this worker; None when there is none."""
    now = utcnow()
    with transaction(session):
        if session.get_bind().dialect.name == "postgresql":
            task_id = session.scalar(
                text(
                    "SELECT id FROM tasks WHERE status = 'queued' ORDER BY id "
                    "FOR UPDATE SKIP LOCKED LIMIT 1"
                )
            )
            if task_id is None:
                return None
            session.execute(
                update(Task)
                .where(Task.id == task_id)
                .values(
                    status=TaskStatus.RUNNING,
                    runner=runner,
                    started_at=now,
                    heartbeat_at=now,
                    attempts=Task.attempts + 1,
                )
            )
            return int(task_id)
        oldest = select(Task.id).where(Task.status == TaskStatus.QUEUED).order_by(Task.id).limit(1)
        claimed = session.scalar(
            update(Task)
            .where(Task.id == oldest.scalar_subquery(), Task.status == TaskStatus.QUEUED)
            .values(
                status=TaskStatus.RUNNING,
                runner=runner,
                started_at=now,
                heartbeat_at=now,
                attempts=Task.attempts + 1,
            )
            .returning(Task.id)
        )
        return None if claimed is None else int(claimed)


def _set(session: Session, task_id: int, **values: Any) -> None:
    with transaction(session):
        session.execute(update(Task).where(Task.id == task_id).values(**values))


HEARTBEAT_SECONDS = 30.0


def _engine(session: Session) -> Engine:
    bind = session.get_bind()
    return bind if isinstance(bind, Engine) else bind.engine


def _write(engine: Engine, task_id: int, values: Mapping[str, Any]) -> None:
    """Best effort, on a connection of its own: on SQLite a long task transaction holds the
    database, and a report that cannot be written within 200 ms is skipped."""
    try:
        with engine.connect() as conn:
            if conn.dialect.name == "sqlite":
                conn.exec_driver_sql("PRAGMA busy_timeout = 200")
            conn.execute(update(Task).where(Task.id == task_id).values(**values))
            conn.commit()
    except SQLAlchemyError:
        pass


def _heartbeat(engine: Engine, task_id: int, stop: threading.Event) -> None:
    """Tell the other workers this task's worker is alive (requeue_stale), however long it runs
    without reporting progress."""
    while not stop.wait(HEARTBEAT_SECONDS):
        _write(engine, task_id, {"heartbeat_at": utcnow()})


def _progress_writer(session: Session, task_id: int) -> Progress:
    """Progress is written on a connection of its own, at most once a second, so that a task
    holding one long transaction (a linkage run) still shows it."""
    engine = _engine(session)
    last = [0.0]

    def progress(fraction: float, step: str) -> None:
        now = time.monotonic()
        if now - last[0] < 1.0 and fraction < 1.0:
            return
        last[0] = now
        values = {
            "progress": max(0.0, min(1.0, fraction)),
            "step": step[:200],
            "heartbeat_at": utcnow(),
        }
        _write(engine, task_id, values)

    return progress


def run_claimed(session: Session, task_id: int, settings: Mapping[str, Any]) -> Task:
    """Run a claimed task as its submitter, recording progress and the outcome."""
    task = session.get(Task, task_id)
    if task is None:
        raise NotFound(kind=N_("Task"), key=task_id)
    kind, params, user_id = task.kind, dict(task.params), task.created_by_id
    session.commit()

    progress = _progress_writer(session, task_id)
    stop = threading.Event()
    beat = threading.Thread(
        target=_heartbeat,
        args=(_engine(session), task_id, stop),
        name=f"task-{task_id}",
        daemon=True,
    )
    beat.start()
    try:
        spec = kinds()[kind]
        user = session.get(User, user_id)
        if user is None or not user.active:
            raise NotFound(kind=N_("User"), key=user_id)
        result = spec.run(session, actor_for(session, user), params, progress, settings)
    except Exception as exc:  # a task's failure is its outcome, never the worker's end
        session.rollback()
        message = exc.message if isinstance(exc, DomainError) else repr(exc)
        detail = "".join(traceback.format_exception(exc))[-4000:]
        _set(
            session,
            task_id,
            status=TaskStatus.FAILED,
            error=f"{message}\n\n{detail}",
            result={"failure": _failure(exc)} if isinstance(exc, DomainError) else None,
            finished_at=utcnow(),
        )
    else:
        _set(
            session,
            task_id,
            status=TaskStatus.DONE,
            progress=1.0,
            result=result,
            finished_at=utcnow(),
        )
    finally:
        stop.set()
        beat.join()
    session.expire_all()
    done = session.get(Task, task_id)
    assert done is not None
    return done


def run_next(session: Session, settings: Mapping[str, Any], *, runner: str = RUNNER) -> Task | None:
    """Claim and run the oldest queued task; None when the queue is empty."""
    task_id = claim(session, runner=runner)
    return None if task_id is None else run_claimed(session, task_id, settings)


def requeue_stale(session: Session, *, stale_after: timedelta = timedelta(minutes=5)) -> int:
    """Queue again the tasks whose worker stopped reporting (died); fail those that were
    tried too often."""
    cutoff = utcnow() - stale_after
    with transaction(session):
        stale = list(
            session.scalars(
                select(Task).where(Task.status == TaskStatus.RUNNING, Task.heartbeat_at < cutoff)
            )
        )
        for task in stale:
            if task.attempts >= MAX_ATTEMPTS:
                task.status = TaskStatus.FAILED
                task.error = f"the worker stopped reporting {task.attempts} times"
                task.finished_at = utcnow()
            else:
                task.status = TaskStatus.QUEUED
                task.runner = None
    return len(stale)
