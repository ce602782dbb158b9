"""Background jobs: progress, failure, and queued jobs surviving a restart (real SqliteHuey file)."""

import sqlalchemy as sa
from huey import SqliteHuey

from core import create_app
from core.extensions import db
from core.jobs import Progress, enqueue, execute_job, job_handler, job_queue
from core.models import Job, JobStatus
from tests import factories


@job_handler("tests.count")
def count_job(progress: Progress, *, n: int) -> dict:
    for i in range(n):
        progress.update(i + 1, n, f"{i + 1}/{n}")
    return {"counted": n}


@job_handler("tests.fail")
def failing_job(progress: Progress) -> None:
    progress.update(1, 3, "about to fail")
    raise ValueError("模板缺少背景图片")


def test_job_runs_after_the_request_commits_and_reports_progress(app, client, login):
    user = factories.user()
    factories.commit()
    login(user)
    job = enqueue("tests.count", owner=user, title="计数", n=5)
    db.session.commit()
    from core.jobs import run_immediate_backlog

    run_immediate_backlog(app)
    db.session.expire_all()
    job = db.session.get(Job, job.id)
    assert job.status == JobStatus.DONE and job.done == 5 and job.result == {"counted": 5}
    body = client.get(f"/api/v1/jobs/{job.id}").get_json()
    assert body["percent"] == 100 and body["status"] == "done"
    page = client.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert "已完成" in page and 'id="job-bar"' in page


def test_failed_job_shows_its_error(app, client, login):
    user = factories.user()
    factories.commit()
    login(user)
    job = enqueue("tests.fail", owner=user, title="失败")
    db.session.commit()
    execute_job(app, job.id)
    db.session.expire_all()
    body = client.get(f"/api/v1/jobs/{job.id}").get_json()
    assert body["status"] == "failed" and "模板缺少背景图片" in body["error"]
    assert "模板缺少背景图片" in client.get(f"/jobs/{job.id}").get_data(as_text=True)


def test_only_the_owner_sees_a_job(client, login):
    owner, other = factories.user(), factories.user()
    job = enqueue("tests.count", owner=owner, n=1)
    factories.commit()
    login(other)
    assert client.get(f"/jobs/{job.id}").status_code == 403
    assert client.get(f"/api/v1/jobs/{job.id}").status_code == 403


def test_a_job_enqueued_in_a_rolled_back_transaction_is_never_sent(app):
    backlog = app.extensions.setdefault("jobs_immediate_backlog", [])
    enqueue("tests.count", n=1)
    db.session.rollback()
    db.session.commit()
    assert backlog == []


def test_queued_jobs_survive_a_restart(app, tmp_path):
    """Enqueue with the queue stored in a SQLite file, 'restart' (a new app and queue on the same file), run."""
    queue_file = tmp_path / "jobs.db"
    config = {
        "TESTING": True,
        "DATABASE_URL": app.config["DATABASE_URL"],
        "SECRET_KEY": "x" * 40,
        "JOBS_IMMEDIATE": False,
        "JOBS_DB": str(queue_file),
    }
    first = create_app(config, instance_path=str(tmp_path))
    with first.app_context():
        job = enqueue("tests.count", n=3)
        db.session.commit()
        job_id = job.id
        assert job_queue(first).pending_count() == 1
        db.session.remove()
    second = create_app(config, instance_path=str(tmp_path))  # the restart
    queue = job_queue(second)
    assert isinstance(queue, SqliteHuey) and queue.pending_count() == 1
    task = queue.dequeue()
    queue.execute(task)
    with second.app_context():
        status = db.session.execute(sa.select(Job.status).where(Job.id == job_id)).scalar_one()
        db.session.remove()
    assert status == JobStatus.DONE
    assert queue.pending_count() == 0


# --- jobs whose worker died (issue 19, hole 8) ------------------------------------------------------------


@job_handler("tests.idempotent", idempotent=True)
def idempotent_job(progress: Progress, *, n: int) -> dict:
    progress.update(n, n)
    return {"n": n}


def _dead_pid() -> int:
    import subprocess
    import sys

    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def _running(kind: str, worker: str, *, beat_seconds_ago: int = 0, files=(), **params) -> Job:
    from datetime import timedelta

    from core.db import utcnow

    owner = factories.user()
    job = enqueue(kind, owner=owner, title="导出", **params)
    job.status, job.worker = JobStatus.RUNNING, worker
    job.started_at = job.heartbeat_at = utcnow() - timedelta(seconds=beat_seconds_ago)
    job.params = {**job.params, "_files": list(files)}
    db.session.commit()
    return job


def test_a_job_whose_worker_was_killed_is_failed_and_its_partial_file_removed(app, client, login):
    import socket
    from pathlib import Path

    from core.jobs import reap_dead_jobs

    partial = Path(app.instance_path) / "exports" / "certificates" / "half-written.pdf"
    partial.parent.mkdir(parents=True, exist_ok=True)
    partial.write_bytes(b"")  # what a killed render leaves behind: 0 bytes
    job = _running(
        "tests.count",
        f"{socket.gethostname()}:{_dead_pid()}:abcd",
        n=3,
        files=["exports/certificates/half-written.pdf", "../../etc/passwd"],
    )
    assert reap_dead_jobs(app) == [job.id]
    db.session.expire_all()
    job = db.session.get(Job, job.id)
    assert job.status == JobStatus.FAILED and "重新" in job.error and job.finished_at is not None
    assert not partial.exists()
    from accounts.models import User

    login(db.session.get(User, job.owner_id))
    assert "重新" in client.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert reap_dead_jobs(app) == []  # once


def test_a_job_of_a_live_worker_elsewhere_is_reaped_only_when_its_heartbeat_stops(app):
    from core.jobs import STALE_AFTER, reap_dead_jobs

    alive = _running("tests.count", "other-host:4242:beef", beat_seconds_ago=5, n=1)
    silent = _running("tests.count", "other-host:4243:beef", beat_seconds_ago=int(STALE_AFTER.total_seconds()) + 5, n=1)
    assert reap_dead_jobs(app) == [silent.id]
    db.session.expire_all()
    assert db.session.get(Job, alive.id).status == JobStatus.RUNNING
    assert db.session.get(Job, silent.id).status == JobStatus.FAILED


def test_a_process_reusing_the_dead_workers_pid_still_reaps_it(app):
    """In a container the restarted worker often has the same pid (1): the process token tells them apart."""
    import os
    import socket

    from core.jobs import reap_dead_jobs

    job = _running("tests.count", f"{socket.gethostname()}:{os.getpid()}:0000", n=1)
    assert reap_dead_jobs(app) == [job.id]


def test_an_idempotent_job_whose_worker_died_runs_again(app):
    import socket

    from core.jobs import reap_dead_jobs, run_immediate_backlog

    job = _running("tests.idempotent", f"{socket.gethostname()}:{_dead_pid()}:abcd", n=4)
    assert reap_dead_jobs(app) == [job.id]
    run_immediate_backlog(app)
    db.session.expire_all()
    job = db.session.get(Job, job.id)
    assert job.status == JobStatus.DONE and job.result == {"n": 4} and job.worker != ""


def test_a_live_worker_on_this_host_is_never_reaped_and_is_once_killed(app):
    """A busy database may delay a live worker's heartbeat: on its own host the pid decides. Kill it
    (SIGKILL, as the OOM killer would) and the next reaping fails its job."""
    import signal
    import socket
    import subprocess
    import sys

    from core.jobs import STALE_AFTER, reap_dead_jobs

    worker = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        job = _running(
            "tests.count",
            f"{socket.gethostname()}:{worker.pid}:cafe",
            beat_seconds_ago=int(STALE_AFTER.total_seconds()) * 3,
            n=1,
        )
        assert reap_dead_jobs(app) == []
        worker.send_signal(signal.SIGKILL)
        worker.wait()
        assert reap_dead_jobs(app) == [job.id]
    finally:
        worker.kill()
        worker.wait()


def test_the_queue_is_built_when_first_used(app, tmp_path):
    """Huey (and the Redis and PostgreSQL clients it imports) is not paid for by a process that never queues."""
    config = {
        "TESTING": True,
        "DATABASE_URL": app.config["DATABASE_URL"],
        "SECRET_KEY": "x" * 40,
        "JOBS_IMMEDIATE": False,
        "JOBS_DB": str(tmp_path / "jobs.db"),
    }
    fresh = create_app(config, instance_path=str(tmp_path))
    assert "huey" not in fresh.extensions
    queue = job_queue(fresh)
    assert job_queue(fresh) is queue and {"kechuang.run_job", "kechuang.notifications.send"} <= set(
        fresh.extensions["huey_tasks"]
    )
