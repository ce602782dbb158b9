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
set, and an immediate in-memory queue in tests (JOBS_IMMEDIATE). The queue is built on first use
(``job_queue``): importing Huey imports its Redis and PostgreSQL clients (~0.25 s), which a process that
never queues anything (a CLI command, a test) need not pay. Areas name their tasks with ``register_task``.

Jobs survive their worker's death: a running job carries its worker (host:pid:process token) and a heartbeat
that a thread refreshes every HEARTBEAT_SECONDS. ``reap_dead_jobs`` — run when a worker starts and then every
REAP_SECONDS (``start_reaper``) — finds running jobs whose worker process is gone (same host) or whose
heartbeat is older than STALE_AFTER (any host), removes the files they claimed (``Progress.claim_file``) and
marks them failed with a clear message, or queues them again when their handler is idempotent.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
import traceback
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from blinker import Namespace
from flask import Flask, current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from core.db import utcnow
from core.extensions import db
from core.models import Job, JobStatus

log = logging.getLogger(__name__)

HANDLERS: dict[str, Callable[..., Any]] = {}
IDEMPOTENT: set[str] = set()
# Sent (with job=) once a job is done or failed and committed; notifications tells the job's owner.
job_finished = Namespace().signal("job-finished")
_PENDING_KEY = "kechuang_jobs_to_send"

HEARTBEAT_SECONDS = 15
STALE_AFTER = timedelta(seconds=60)
REAP_SECONDS = 30
#: This process, as running jobs name it: a restarted process reusing a pid (pid 1 in a container) differs.
WORKER_TAG = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"
_RUNNING_HERE: set[str] = set()


def job_handler(kind: str, *, idempotent: bool = False):
    """Register a handler. ``idempotent``: running it again from the start is harmless (it only reads and
    writes a new file), so a job whose worker died is queued again instead of failed."""

    def register(fn):
        HANDLERS[kind] = fn
        if idempotent:
            IDEMPOTENT.add(kind)
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
        job.heartbeat_at = utcnow()
        db.session.commit()

    def claim_file(self, path: Path | str) -> None:
        """Name a file (under the instance folder) before writing it: if the worker dies, the reaper removes
        it, so a half-written file never stays behind."""
        job = db.session.get(Job, self.job_id)
        rel = str(Path(path).resolve().relative_to(Path(current_app.instance_path).resolve()))
        job.params = {**job.params, "_files": [*job.params.get("_files", []), rel]}
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
        app = current_app._get_current_object()  # noqa: SLF001
        for job_id in pending:
            if jobs_immediate(app):
                # Tests: run after this commit has fully finished, in a fresh app context and session.
                app.extensions.setdefault("jobs_immediate_backlog", []).append(job_id)
            else:
                queue_task(app, RUN_JOB)(job_id)


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
        job.worker, job.heartbeat_at = WORKER_TAG, utcnow()
        db.session.commit()
        params = {k: v for k, v in job.params.items() if not k.startswith("_")}
        _RUNNING_HERE.add(job_id)
        beating = _Heartbeat(db.engine, job_id)
        try:
            result = HANDLERS[job.kind](Progress(job_id), **params)
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
        finally:
            beating.stop()
            _RUNNING_HERE.discard(job_id)
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


class _Heartbeat:
    """Refreshes a running job's heartbeat from its own connection while the handler works (a handler may
    go minutes without a progress update); it dies with the process, which is the point."""

    def __init__(self, engine, job_id: str):
        self.engine, self.job_id, self.stopped = engine, job_id, threading.Event()
        self.thread = threading.Thread(target=self._run, name=f"job-heartbeat-{job_id[:8]}", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self.stopped.wait(HEARTBEAT_SECONDS):
            try:
                with self.engine.begin() as connection:
                    connection.execute(
                        sa.update(Job)
                        .where(Job.id == self.job_id, Job.status == JobStatus.RUNNING)
                        .values(heartbeat_at=utcnow())
                    )
            except Exception:  # noqa: BLE001  (a busy database skips one beat; STALE_AFTER allows several)
                log.warning("heartbeat of job %s skipped", self.job_id, exc_info=True)

    def stop(self) -> None:
        self.stopped.set()


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _worker_died(job: Job, now: datetime) -> bool:
    """Whether the worker running ``job`` is gone. This process: the job is not running here. Another process
    on this host: its pid is not alive, or is this process's (a restart that reused it, as pid 1 in a
    container) — decided by the pid alone, so a live worker whose heartbeat a busy database delayed is never
    reaped. Another host: its heartbeat is older than STALE_AFTER."""
    if job.worker == WORKER_TAG:
        return job.id not in _RUNNING_HERE
    host, _, rest = job.worker.partition(":")
    pid = rest.partition(":")[0]
    if host == socket.gethostname() and pid.isdigit():
        return int(pid) == os.getpid() or not _pid_alive(int(pid))
    beat = job.heartbeat_at or job.started_at or job.created_at
    return beat < now - STALE_AFTER


def reap_dead_jobs(app: Flask, now: datetime | None = None) -> list[str]:
    """Fail (or, for idempotent handlers, queue again) every running job whose worker died; remove the files
    it claimed. Returns the ids reaped. Safe to run from several workers at once: each change is a
    conditional update on the job's status and worker."""
    from flask_babel import force_locale, gettext

    now = now or utcnow()
    reaped, requeue = [], []
    with app.app_context():
        running = db.session.execute(sa.select(Job).where(Job.status == JobStatus.RUNNING)).scalars().all()
        for job in running:
            if not _worker_died(job, now):
                continue
            again = job.kind in IDEMPOTENT
            with force_locale(app.config["BABEL_DEFAULT_LOCALE"]):
                message = gettext(
                    "The worker running this job stopped (a restart or a crash) before it finished; "
                    "nothing it started was kept. Start the job again."
                )
            values = (
                {"status": JobStatus.QUEUED, "started_at": None, "worker": "", "heartbeat_at": None, "done": 0}
                if again
                else {"status": JobStatus.FAILED, "finished_at": now, "error": message}
            )
            changed = db.session.execute(
                sa.update(Job)
                .where(Job.id == job.id, Job.status == JobStatus.RUNNING, Job.worker == job.worker)
                .values(**values)
            ).rowcount
            if not changed:
                continue
            _remove_claimed_files(app, job.params.get("_files", []))
            reaped.append(job.id)
            if again:
                requeue.append(job.id)
                log.warning("job %s (%s): worker %s died; queued again", job.id, job.kind, job.worker)
            else:
                log.warning("job %s (%s): worker %s died; marked failed", job.id, job.kind, job.worker)
        db.session.commit()
    for job_id in requeue:
        if jobs_immediate(app):
            app.extensions.setdefault("jobs_immediate_backlog", []).append(job_id)
        else:
            queue_task(app, RUN_JOB)(job_id)
    return reaped


def _remove_claimed_files(app: Flask, files: list[str]) -> None:
    base = Path(app.instance_path).resolve()
    for rel in files:
        path = (base / rel).resolve()
        if path.is_relative_to(base):  # never outside the instance folder, whatever the row says
            path.unlink(missing_ok=True)


def start_reaper(app: Flask, interval: float = REAP_SECONDS) -> threading.Thread:
    """Reap once now (a worker starting after a crash fails its predecessor's jobs at once), then every
    ``interval`` seconds, in a daemon thread."""

    def loop() -> None:
        while True:
            try:
                reap_dead_jobs(app)
            except Exception:  # noqa: BLE001  (the next round tries again)
                log.exception("reaping dead jobs failed")
            threading.Event().wait(interval)

    thread = threading.Thread(target=loop, name="job-reaper", daemon=True)
    thread.start()
    return thread


RUN_JOB = "kechuang.run_job"
_queue_lock = threading.Lock()


def jobs_immediate(app: Flask) -> bool:
    """Tests: jobs run in the process, after the request or commit that queued them."""
    return bool(app.config.get("JOBS_IMMEDIATE"))


def register_task(app: Flask, name: str, fn: Callable) -> None:
    """Name a function the queue runs (``queue_task(app, name)(...)`` sends it); registered on the queue when
    it is built, or at once if it already is."""
    app.extensions.setdefault("huey_task_functions", {})[name] = fn
    if "huey" in app.extensions:
        with _queue_lock:
            app.extensions["huey_tasks"][name] = app.extensions["huey"].task(name=name, retries=0)(fn)


def job_queue(app: Flask):
    """The app's Huey queue, built on first use with every registered task."""
    queue = app.extensions.get("huey")
    if queue is not None:
        return queue
    with _queue_lock:
        if "huey" not in app.extensions:
            from huey import MemoryHuey, RedisHuey, SqliteHuey

            if jobs_immediate(app):
                queue = MemoryHuey("kechuang", immediate=True)
            elif app.config.get("REDIS_URL"):
                queue = RedisHuey("kechuang", url=app.config["REDIS_URL"])
            else:
                path = Path(app.config.get("JOBS_DB") or Path(app.instance_path) / "jobs.db")
                queue = SqliteHuey("kechuang", filename=str(path))
            app.extensions["huey_tasks"] = {
                name: queue.task(name=name, retries=0)(fn)
                for name, fn in app.extensions.get("huey_task_functions", {}).items()
            }
            app.extensions["huey"] = queue
        return app.extensions["huey"]


def queue_task(app: Flask, name: str):
    """The queue's task of that name (Huey's task wrapper: call it to send, `.schedule(...)` to delay)."""
    job_queue(app)
    return app.extensions["huey_tasks"][name]


def init_jobs(app: Flask) -> None:
    def run_job(job_id: str) -> None:
        execute_job(app, job_id)

    register_task(app, RUN_JOB, run_job)

    if jobs_immediate(app):

        @app.after_request
        def _run_backlog(response):
            run_immediate_backlog(app)
            return response


def start_consumer_threads(app: Flask, workers: int = 2):
    """The in-process consumer used by `python run.py` / `make run`: no second command to start.

    Starts Huey's worker and scheduler threads without its signal handlers, so Ctrl-C still stops the server."""
    queue = job_queue(app)
    consumer = queue.create_consumer(workers=workers, worker_type="thread", periodic=False)
    start_reaper(app)
    consumer.scheduler.start()
    for _, worker in consumer.worker_threads:
        worker.start()
    return consumer
