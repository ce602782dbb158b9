"""Tables that belong to the platform itself: the audit log, background jobs and named locks."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from core.db import UTCDateTime, utcnow
from core.extensions import db


class AuditLog(db.Model):
    """Append-only: rows are written through core.audit.record() and never updated or deleted."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False, index=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    actor_label: Mapped[str] = mapped_column(sa.String(200), default="", nullable=False)
    organisation_id: Mapped[int | None] = mapped_column(sa.Integer, index=True)
    object_type: Mapped[str] = mapped_column(sa.String(60), nullable=False)
    object_id: Mapped[str] = mapped_column(sa.String(60), nullable=False)
    action: Mapped[str] = mapped_column(sa.String(60), nullable=False)
    before: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    ip: Mapped[str | None] = mapped_column(sa.String(64))

    __table_args__ = (sa.Index("ix_audit_log_object", "object_type", "object_id"),)


class JobStatus:
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class Job(db.Model):
    """A background job's state and progress, shown to its owner as a live progress bar."""

    __tablename__ = "jobs"

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(80), nullable=False)
    title: Mapped[str] = mapped_column(sa.String(200), default="", nullable=False)
    owner_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    params: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict, nullable=False)
    status: Mapped[str] = mapped_column(sa.String(16), default=JobStatus.QUEUED, nullable=False)
    done: Mapped[int] = mapped_column(default=0, nullable=False)
    total: Mapped[int] = mapped_column(default=0, nullable=False)
    message: Mapped[str] = mapped_column(sa.String(500), default="", nullable=False)
    error: Mapped[str | None] = mapped_column(sa.Text)
    result: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Who runs it (host:pid:process token) and when it last said so: core.jobs reaps a job whose worker died.
    worker: Mapped[str] = mapped_column(sa.String(120), default="", nullable=False)
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @property
    def percent(self) -> int:
        if self.status == JobStatus.DONE:
            return 100
        return int(100 * self.done / self.total) if self.total else 0

    @property
    def finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED)


class NamedLock(db.Model):
    """One row per named critical section; SQLite serialises on a write to it (see core.locks)."""

    __tablename__ = "named_locks"

    name: Mapped[str] = mapped_column(sa.String(120), primary_key=True)
    counter: Mapped[int] = mapped_column(default=0, nullable=False)
