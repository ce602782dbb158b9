"""Background jobs: Huey for the queue, a `jobs` table for progress that pages show as a live bar.

Areas register handlers:

    @job_handler("certificates.render")
    def render(progress: Progress, *, contest_id: int) -> dict:
        progress.update(0, total)        # commits, so the owner's page sees it
        ...
        return {"file": "relative/path.pdf"}   # stored as job.result

and start them from a service: `job = enqueue("certificates.render", owner=user, title=..., contest_id=1)`.
The Huey message is sent after the surrounding transaction commits, so the worker always finds the row.
Queue backend: SqliteHuey in instance/jobs.db (queued jobs survive restarts), RedisHuey when REDIS_URL is
set, and an immediate in-memory queue in tests (JOBS_IMMEDIATE).
"""
from __future__ import annotations

import logging
import traceback
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from blinker import Namespace
from flask import Flask, current_app
from huey import MemoryHuey, RedisHuey, SqliteHuey
from sqlalchemy import event
from sqlalchemy.orm import Session

from core.db import utcnow
from core.extensions import db
from core.models import Job, JobStatus

log = logging.getLogger(__name__)

HANDLERS: dict[str, Callable[..., Any]] = {}
# Sent (with job=) once a job is done or failed and committed; notifications tells the job's owner.
job_finished = Namespace().signal("job-finished")
_PENDING_KEY = "kechuang_jobs_to_send"


def job_handler(kind: str):
    def register(fn):
        HANDLERS[kind] = fn
        return fn

    return register


class Progress:
    """Handed to a job handler; update() commits the job row so progress is visible while the job runs."""

    def __init__(self, job_id: str):
        self.job_id = job_id

    def update(self, done: int, total: int | None = None, message: str | None = None) -> None:
        job = db.session.get(Job, self.job_id)
        job.done = done
        if total is not None:
            job.total = total
        if message is not None:
            job.message = message[:500]
        db.session.commit()


def enqueue(kind: str, *, owner=None, title: str = "", **params) -> Job:
    """Create the job row (flushed) and send it to the queue once the transaction commits."""
    if kind not in HANDLERS:
        raise KeyError(f"no job handler registered for {kind!r}")
    job = Job(id=uuid.uuid4().hex, kind=kind, title=str(title), owner_id=getattr(owner, "id", None), params=params)
    db.session.add(job)
    db.session.flush()
    db.session.info.setdefault(_PENDING_KEY, []).append(job.id)
    return job


@event.listens_for(Session, "after_commit")
def _send_after_commit(session: Session) -> None:
    pending = session.info.pop(_PENDING_KEY, None)
    if pending:
        queue = current_app.extensions["huey"]
        task = current_app.extensions["huey_run_job"]
        for job_id in pending:
            if queue.immediate:
                # Tests: run after this commit has fully finished, in a fresh app context and session.
                current_app.extensions.setdefault("jobs_immediate_backlog", []).append(job_id)
            else:
                task(job_id)


@event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session: Session) -> None:
    session.info.pop(_PENDING_KEY, None)


def run_immediate_backlog(app: Flask) -> None:
    """In immediate mode, run jobs queued by the request that just ended (called from teardown/commit)."""
    backlog = app.extensions.get("jobs_immediate_backlog")
    while backlog:
        execute_job(app, backlog.pop(0))


def execute_job(app: Flask, job_id: str) -> None:
    """Run one job inside its own app context; a failure is stored on the job, never lost."""
    with app.app_context():
        job = db.session.get(Job, job_id)
        if job is None or job.finished:
            return  # idempotent: a redelivered message for a finished job does nothing
        job.status, job.started_at, job.error = JobStatus.RUNNING, utcnow(), None
        db.session.commit()
        try:
            result = HANDLERS[job.kind](Progress(job_id), **job.params)
            db.session.commit()
        except Exception as exc:  # the job's owner sees the error; the log keeps the traceback
            db.session.rollback()
            log.exception("job %s (%s) failed", job_id, job.kind)
            job = db.session.get(Job, job_id)
            job.status, job.finished_at = JobStatus.FAILED, utcnow()
            from core.errors import DomainError

            # A broken rule reads as its own (localised) message; anything else names the exception.
            job.error = (str(exc) if isinstance(exc, DomainError) else f"{type(exc).__name__}: {exc}")[:2000]
            job.params = {**job.params, "_traceback": traceback.format_exc()[-4000:]}
            db.session.commit()
            _tell(app, job)
            return
        job = db.session.get(Job, job_id)
        job.status, job.finished_at = JobStatus.DONE, utcnow()
        job.done = max(job.done, job.total)
        job.result = result if isinstance(result, dict) else ({"value": result} if result is not None else None)
        db.session.commit()
        _tell(app, job)


def _tell(app: Flask, job: Job) -> None:
    """Announce a finished job; a listener's failure is logged, never turns a finished job into a failed one."""
    try:
        job_finished.send(app, job=job)
        db.session.commit()
    except Exception:
        db.session.rollback()
        log.exception("job %s: telling its owner failed", job.id)


def init_jobs(app: Flask) -> None:
    if app.config.get("JOBS_IMMEDIATE"):
        queue = MemoryHuey("kechuang", immediate=True)
    elif app.config.get("REDIS_URL"):
        queue = RedisHuey("kechuang", url=app.config["REDIS_URL"])
    else:
        path = Path(app.config.get("JOBS_DB") or Path(app.instance_path) / "jobs.db")
        queue = SqliteHuey("kechuang", filename=str(path))

    @queue.task(name="kechuang.run_job", retries=0)
    def run_job(job_id: str) -> None:
        execute_job(app, job_id)

    app.extensions["huey"] = queue
    app.extensions["huey_run_job"] = run_job

    if queue.immediate:
        @app.after_request
        def _run_backlog(response):
            run_immediate_backlog(app)
            return response


def start_consumer_threads(app: Flask, workers: int = 2):
    """The in-process consumer used by `python run.py` / `make run`: no second command to start.

    Starts Huey's worker and scheduler threads without its signal handlers, so Ctrl-C still stops the server."""
    queue = app.extensions["huey"]
    consumer = queue.create_consumer(workers=workers, worker_type="thread", periodic=False)
    consumer.scheduler.start()
    for _, worker in consumer.worker_threads:
        worker.start()
    return consumer
