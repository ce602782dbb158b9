"""core.db.SharedConnections: a few autocommit psycopg connections that a process's threads share, opened through
the engine when first needed and kept out of its pool; at most `size` are held at once, a connection that broke
is replaced at the next use, one handed back inside a transaction is rolled back. PostgreSQL only (CI runs the
suite on PostgreSQL too, where these tests run)."""
import threading
from contextlib import ExitStack

import psycopg
import pytest
import sqlalchemy as sa
from psycopg.pq import TransactionStatus

from core.db import ConnectionsBusy, SharedConnections
from core.extensions import db


@pytest.fixture(autouse=True)
def _postgres_only(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SharedConnections holds psycopg connections; CI runs this suite on PostgreSQL")


@pytest.fixture
def connections():
    """One connection (the default); closed after the test, so that no session outlives it (the tables are emptied
    after each test)."""
    shared = SharedConnections(db.engine)
    yield shared
    shared.close()


@pytest.fixture
def two():
    shared = SharedConnections(db.engine, size=2)
    yield shared
    shared.close()


def backend_pid(connection) -> int:
    return connection.execute("SELECT pg_backend_pid()").fetchone()[0]


def test_uses_get_the_same_autocommit_connection_each_time(connections):
    with connections.connection() as first:
        assert first.autocommit is True
        pid = backend_pid(first)
        assert first.info.transaction_status == TransactionStatus.IDLE  # no transaction left open
        first_xact = first.execute("SELECT pg_current_xact_id()").fetchone()[0]
    with connections.connection() as second:
        assert second is first
        assert backend_pid(second) == pid
        # each statement is a transaction of its own, committed when it ends
        assert second.execute("SELECT pg_current_xact_id()").fetchone()[0] != first_xact
        assert second.info.transaction_status == TransactionStatus.IDLE


def test_threads_share_the_connection_one_at_a_time(connections):
    """With one connection, a second thread waits until the first hands it back, then gets the same one."""
    held, release = threading.Event(), threading.Event()
    seen = []

    def first():
        with connections.connection() as connection:
            seen.append(("first", backend_pid(connection)))
            held.set()
            release.wait(10)
            seen.append(("first done", None))

    def second():
        held.wait(10)
        with connections.connection() as connection:
            seen.append(("second", backend_pid(connection)))

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    held.wait(10)
    threads[1].join(timeout=0.3)
    assert threads[1].is_alive()  # waiting for the connection
    release.set()
    for thread in threads:
        thread.join(timeout=10)
        assert not thread.is_alive()
    assert [name for name, _pid in seen] == ["first", "first done", "second"]
    assert seen[0][1] == seen[2][1]


def test_up_to_size_threads_hold_connections_at_once(two):
    """Two slots: two threads hold two different backends at the same time; a use afterwards takes one of them
    (both stay open)."""
    barrier = threading.Barrier(2, timeout=10)
    pids = {}

    def hold(name):
        with two.connection() as connection:
            pids[name] = backend_pid(connection)
            barrier.wait()  # both are held here at once

    threads = [threading.Thread(target=hold, args=(name,)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
        assert not thread.is_alive()
    assert len(set(pids.values())) == 2
    with two.connection() as connection:
        assert backend_pid(connection) in set(pids.values())
    assert len(two.idle()) == 2  # opened once each, kept


def test_a_statement_is_committed_at_once_and_seen_by_other_sessions(connections):
    with connections.connection() as connection:
        connection.execute("CREATE TABLE shared_connections_probe (name text)")
        try:
            connection.execute("INSERT INTO shared_connections_probe VALUES (%(name)s)", {"name": "欧阳𠮷"})
            with db.engine.connect() as other:
                assert other.execute(sa.text("SELECT name FROM shared_connections_probe")).scalars().all() == ["欧阳𠮷"]
        finally:
            connection.execute("DROP TABLE shared_connections_probe")


def test_the_connection_is_kept_out_of_the_pool(connections):
    pool = db.engine.pool
    checked_out = pool.checkedout()
    with connections.connection() as connection:
        pid = backend_pid(connection)
        assert pool.checkedout() == checked_out
    assert pool.checkedout() == checked_out
    # all the connections the pool holds idle, and a new one, at once: the shared one is not among them
    with ExitStack() as stack:
        pooled = [stack.enter_context(db.engine.connect()) for _ in range(pool.checkedin() + 1)]
        assert pid not in {other.execute(sa.text("SELECT pg_backend_pid()")).scalar() for other in pooled}
    assert not connection.closed  # nor did the pool close it
    with connections.connection() as again:
        assert again is connection


def test_a_connection_that_broke_is_replaced_at_the_next_use(connections):
    with connections.connection() as connection:
        pid = backend_pid(connection)
    with pytest.raises(psycopg.OperationalError):
        with connections.connection() as same:
            assert same is connection
            with db.engine.connect() as other:  # waits up to 5 s for the backend to end
                assert other.execute(sa.text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": pid}).scalar()
            same.execute("SELECT 1")
    assert connection.closed
    assert connections.idle() == []
    with connections.connection() as replacement:
        assert replacement is not connection
        assert backend_pid(replacement) != pid
        assert replacement.execute("SELECT 1").fetchone() == (1,)
        assert replacement.autocommit is True


def test_an_sql_error_keeps_the_connection_which_still_works(connections):
    with connections.connection() as connection:
        pid = backend_pid(connection)
    with pytest.raises(psycopg.errors.DivisionByZero):
        with connections.connection() as same:
            same.execute("SELECT 1/0")
    assert not connection.closed and not connection.broken
    with connections.connection() as again:
        assert again is connection
        assert backend_pid(again) == pid
        assert again.info.transaction_status == TransactionStatus.IDLE  # not left in a failed transaction
        assert again.execute("SELECT 2").fetchone() == (2,)


def test_a_connection_handed_back_inside_a_transaction_is_rolled_back(connections):
    with pytest.raises(psycopg.errors.DivisionByZero):
        with connections.connection() as connection:
            connection.execute("BEGIN")
            connection.execute("CREATE TABLE shared_connections_rolled_back (id int)")
            connection.execute("SELECT 1/0")  # the transaction is failed and still open
    with connections.connection() as again:
        assert again is connection
        assert again.info.transaction_status == TransactionStatus.IDLE
        assert again.execute("SELECT to_regclass('shared_connections_rolled_back')").fetchone() == (None,)


def test_size_must_be_positive():
    with pytest.raises(ValueError):
        SharedConnections(db.engine, size=0)


def test_waiting_longer_than_the_timeout_raises_busy_and_leaves_the_slot_working(connections, held_elsewhere):
    with held_elsewhere(connections), pytest.raises(ConnectionsBusy):
        with connections.connection(timeout=0.1):
            raise AssertionError("got a connection another thread holds")
    with connections.connection(timeout=1) as connection:
        assert connection.execute("SELECT 1").fetchone() == (1,)


def test_close_leaves_a_connection_in_use_open_and_keeps_it(connections):
    """close() closes only what no thread holds: a connection in use stays open, and is kept when it comes back."""
    with connections.connection() as in_use:
        connections.close()
        assert not in_use.closed
        assert in_use.execute("SELECT 1").fetchone() == (1,)
    assert connections.idle() == [in_use]
    connections.close()
    assert in_use.closed and connections.idle() == []
    with connections.connection() as reopened:  # the slot opens a new one
        assert reopened is not in_use and reopened.execute("SELECT 2").fetchone() == (2,)
