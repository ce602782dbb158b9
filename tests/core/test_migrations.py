"""The Alembic revisions build exactly the schema the models describe, on SQLite and PostgreSQL."""

import os
import uuid

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade

from core import create_app
from core.extensions import db


@pytest.fixture
def empty_database_url(tmp_path):
    base = os.environ.get("TEST_DATABASE_URL")
    if not base or not base.startswith("postgresql"):
        yield f"sqlite:///{tmp_path / 'migrations.db'}"
        return
    name = f"kc_migr_{uuid.uuid4().hex[:8]}"
    server = sa.create_engine(base.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.rsplit("/", 1)[0] + "/" + name
    finally:
        with server.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()


def test_upgrade_matches_the_models(empty_database_url, tmp_path):
    app = create_app(
        {"TESTING": True, "DATABASE_URL": empty_database_url, "SECRET_KEY": "x" * 40, "JOBS_IMMEDIATE": True},
        instance_path=str(tmp_path),
    )
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True, "render_as_batch": True})
            diff = compare_metadata(context, db.metadata)
            heads = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalars().all()
            functions = _functions(conn)
        db.session.remove()
        db.engine.dispose()
    assert len(heads) == 1, f"one head expected, found {heads}"
    assert diff == [], "models and migrations differ; write a revision:\n" + "\n".join(map(str, diff))
    assert functions == [], f"the models create no database functions, the migrations left: {functions}"


def _functions(conn) -> list[str]:
    """PostgreSQL: the functions in the public schema that no extension brought (the check-in rule lives in
    Python only: none)."""
    if conn.dialect.name != "postgresql":
        return []
    return (
        conn.execute(
            sa.text(
                "SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public' "
                "AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')"
            )
        )
        .scalars()
        .all()
    )
