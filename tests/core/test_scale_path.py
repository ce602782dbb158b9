"""The scale path: with REDIS_URL set the job queue and the rate limiter use a real Redis server."""

import os

import pytest
import redis
from huey import RedisHuey

from core import create_app
from core.extensions import db
from core.jobs import enqueue, job_queue

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _redis_available() -> bool:
    try:
        return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return False


@pytest.fixture
def redis_app(app, tmp_path):
    if not _redis_available():
        if os.environ.get("CI"):
            pytest.fail(f"Redis is required in CI at {REDIS_URL}")
        pytest.skip(f"no Redis at {REDIS_URL}")
    redis_app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": app.config["DATABASE_URL"],
            "SECRET_KEY": "x" * 40,
            "REDIS_URL": REDIS_URL,
            "JOBS_IMMEDIATE": False,
        },
        instance_path=str(tmp_path),
    )
    yield redis_app
    job_queue(redis_app).flush()  # database 15 is the tests' own


def test_redis_queue_carries_jobs_between_processes(redis_app):
    queue = job_queue(redis_app)
    assert isinstance(queue, RedisHuey)
    import tests.core.test_jobs  # noqa: F401  (registers the tests.count handler)

    with redis_app.app_context():
        job = enqueue("tests.count", n=2)
        db.session.commit()
        assert queue.pending_count() == 1
        queue.execute(queue.dequeue())
        db.session.expire_all()
        assert db.session.get(type(job), job.id).status == "done"
        db.session.remove()


def test_rate_limits_are_stored_in_redis(redis_app):
    assert redis_app.config["RATELIMIT_STORAGE_URI"] == REDIS_URL
