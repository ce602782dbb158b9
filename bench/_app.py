"""The throw-away application a benchmark runs on: a new temporary folder as its instance path, a SQLite
database in it (or BENCH_DATABASE_URL's, emptied first, where a benchmark offers PostgreSQL), the tables
created, jobs run at once. Each benchmark passes the settings it needs besides."""

from __future__ import annotations

import tempfile
from pathlib import Path

BENCH_SECRET_KEY = "bench-secret-key-0123456789-0123456789"


def throwaway_app(prefix: str, database_url: str | None = None, **config):
    """The app on a fresh database with every table; `config` overrides the defaults."""
    from core import create_app
    from core.extensions import db

    tmp = Path(tempfile.mkdtemp(prefix=prefix))
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url or f"sqlite:///{tmp / 'bench.db'}",
            "SQLALCHEMY_DATABASE_URI": None,
            "SECRET_KEY": BENCH_SECRET_KEY,
            "JOBS_IMMEDIATE": True,
            **config,
        },
        instance_path=str(tmp),
    )
    with app.app_context():
        db.drop_all()  # a PostgreSQL benchmark database may hold the last run's tables
        db.create_all()
    return app


def submitted_score_row(assignment_id: int, round_id: int, entry_id: int, judge_id: int, values: dict) -> dict:
    """One submitted score as a row for a bulk insert into judging_scores (values: criterion id -> str)."""
    from decimal import Decimal

    return {
        "assignment_id": assignment_id,
        "round_id": round_id,
        "entry_id": entry_id,
        "judge_id": judge_id,
        "values": values,
        "total": sum(Decimal(v) for v in values.values()),
        "submitted": True,
        "version": 1,
    }
