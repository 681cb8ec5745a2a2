"""Long operations queued for the worker side (后台任务): imports, linkage runs, full rescoring,
exports. A web request only submits one; a worker claims it (each exactly once), records its
progress and its result, so a page can show a progress bar that survives a reload or a restart.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from casemgr.db import Base, JSONType, UTCDateTime, utcnow
from casemgr.models.base import enum_type


class TaskStatus(enum.StrEnum):
    QUEUED = "queued"  # 排队中
    RUNNING = "running"  # 运行中
    DONE = "done"  # 已完成
    FAILED = "failed"  # 失败
    CANCELLED = "cancelled"  # 已取消 (before a worker claimed it)


class Task(Base):
    """A queued long operation: what to do (``kind`` and ``params``), who asked, its progress
    (0-1 and the step it is at) and its outcome."""

    __tablename__ = "tasks"
    __table_args__ = (Index("ix_tasks_status_id", "status", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    params: Mapped[dict[str, object]] = mapped_column(JSONType, default=dict)
    status: Mapped[TaskStatus] = mapped_column(
        enum_type(TaskStatus, "task_status"), default=TaskStatus.QUEUED
    )
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    step: Mapped[str] = mapped_column(String(200), default="")
    result: Mapped[dict[str, object] | None] = mapped_column(JSONType)
    error: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    runner: Mapped[str | None] = mapped_column(String(100))  # host:pid of the worker
    attempts: Mapped[int] = mapped_column(Integer, default=0)
