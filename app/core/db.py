"""Engine and sessions. Services never commit: the request (or task) owns the single commit point."""
from __future__ import annotations

import fcntl
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path

from sqlalchemy import DateTime, create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

from app.config import get_settings

AFTER_COMMIT_KEY = "after_commit"


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes on SQLite and PostgreSQL alike."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc) if value is not None else None

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UTCDateTime}


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


SQLITE_BUSY_SECONDS = 30
HOLDS_WRITE_LOCK = "llmcourse_holds_write_lock"


class SqliteWriters:
    """Hands SQLite's write lock from one writer to the next as soon as it is free.

    SQLite makes a writer that finds the database locked sleep and retry (1, 2, 5 ... 100 ms), so under load
    writers queue behind sleeps, not behind each other: a burst of submissions graded at a few jobs a second
    while the machine stood idle. Every writer of the platform (web, worker, CLI) takes this lock before
    BEGIN IMMEDIATE instead: a lock between the threads of one process, then an flock on a file beside the
    database between processes (the kernel wakes the next waiter at once). The lock is held exactly as long
    as SQLite's own write lock would be, so nothing about isolation changes."""

    def __init__(self, database: Path | None) -> None:
        self._path = database.with_name(database.name + ".writer") if database else None
        self._start_in_this_process()

    def _start_in_this_process(self) -> None:
        # A forked child must not inherit the parent's lock state: a thread lock held at fork time stays
        # held in the child for ever, and a shared open file would let both hold the flock at once.
        self._pid = os.getpid()
        self._threads = threading.Lock()  # not an RLock: a request may commit on another thread than it began
        self._file: int | None = None

    def acquire(self) -> None:
        if self._pid != os.getpid():
            self._start_in_this_process()
        deadline = time.monotonic() + SQLITE_BUSY_SECONDS
        if not self._threads.acquire(timeout=SQLITE_BUSY_SECONDS):
            raise OperationalError("BEGIN IMMEDIATE", None, Exception("database is locked (writer lock)"))
        try:
            self._lock_file(deadline)
        except BaseException:
            self._threads.release()
            raise

    def release(self) -> None:
        if self._file is not None:
            fcntl.flock(self._file, fcntl.LOCK_UN)
        self._threads.release()

    def _lock_file(self, deadline: float) -> None:
        if self._path is None:
            return
        if self._file is None:
            self._file = os.open(self._path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        pause = 0.0002
        while True:
            try:
                fcntl.flock(self._file, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise OperationalError("BEGIN IMMEDIATE", None,
                                           Exception("database is locked (writer lock)")) from None
                time.sleep(pause)
                pause = min(pause * 2, 0.002)


def _sqlite_file(url: str) -> Path | None:
    database = make_url(url).database
    return Path(database).resolve() if database and database != ":memory:" else None


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        # A connection per thread that may use one (the web's thread pool holds 40): a writer waiting for the
        # write lock holds its connection, and readers must not queue behind those for the pool as well.
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_SECONDS},
                               pool_size=10, max_overflow=50)
        writers = SqliteWriters(_sqlite_file(url))

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):
            dbapi_connection.isolation_level = None  # let SQLAlchemy emit BEGIN (savepoints work)
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            # WAL with synchronous=NORMAL cannot corrupt the database; a power cut may lose the last commits,
            # which the job outbox and the relay re-send. FULL would fsync on every commit.
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_SECONDS * 1000}")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(connection):
            # Writers take the lock up front: a read-then-write transaction cannot be upgraded while
            # another process (the worker) writes, and SQLite would fail it at once instead of waiting.
            if connection.get_execution_options().get("sqlite_begin") != "immediate":
                connection.exec_driver_sql("BEGIN")
                return
            writers.acquire()
            try:
                connection.exec_driver_sql("BEGIN IMMEDIATE")
            except BaseException:
                writers.release()
                raise
            connection.info[HOLDS_WRITE_LOCK] = True

        def _end_of_write(info: dict) -> None:
            if info.pop(HOLDS_WRITE_LOCK, False):
                writers.release()

        @event.listens_for(engine, "commit")
        @event.listens_for(engine, "rollback")
        def _transaction_ended(connection):
            _end_of_write(connection.info)

        # a connection reset on return to the pool, closed or dropped mid-transaction ends its write too
        @event.listens_for(engine.pool, "reset")
        def _reset(_dbapi_connection, connection_record, _reset_state):
            _end_of_write(connection_record.info)

        @event.listens_for(engine.pool, "close")
        def _closed(_dbapi_connection, connection_record):
            _end_of_write(connection_record.info)

        @event.listens_for(engine.pool, "invalidate")
        def _invalidated(_dbapi_connection, connection_record, _exception):
            _end_of_write(connection_record.info)

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


@lru_cache
def get_engine() -> Engine:
    return make_engine(get_settings().sqlalchemy_url)


@lru_cache
def session_factory() -> sessionmaker[Session]:
    from app.events import install_session_events

    install_session_events()  # every session the app makes behaves the same, whoever made the factory
    return sessionmaker(bind=get_engine(), expire_on_commit=False)


def after_commit(db: Session, callback: Callable[[], None]) -> None:
    """Run `callback` once the current transaction has committed (e.g. send a Celery task)."""
    db.info.setdefault(AFTER_COMMIT_KEY, []).append(callback)


def _run_after_commit(session: Session) -> None:
    if session.get_nested_transaction() is not None:
        return  # a savepoint committed inside the request's transaction: the data is not visible yet
    callbacks = session.info.pop(AFTER_COMMIT_KEY, [])
    for callback in callbacks:
        try:
            callback()
        except Exception:  # noqa: BLE001 - the data is committed; the periodic sweep re-sends lost tasks
            logging.getLogger(__name__).exception("after-commit callback failed")


def _drop_after_commit(session: Session, previous_transaction) -> None:
    # "after_soft_rollback", not "after_rollback": the latter fires while the session still counts as in
    # its transaction, so the buffered tasks of a rolled-back attempt survived into the next commit
    if not session.in_transaction():
        session.info.pop(AFTER_COMMIT_KEY, None)


SESSION_EVENTS = (("after_commit", _run_after_commit), ("after_soft_rollback", _drop_after_commit))


def begin_write(db: Session) -> None:
    """Start the session's transaction as a writer (BEGIN IMMEDIATE on SQLite; a no-op elsewhere)."""
    if db.get_bind().dialect.name == "sqlite" and not db.in_transaction():
        db.connection(execution_options={"sqlite_begin": "immediate"})


@contextmanager
def session_scope(write: bool = True) -> Iterator[Session]:
    """A unit of work for CLI commands and tasks: one commit at the end, rollback on error."""
    db = session_factory()()
    if write:
        begin_write(db)
    try:
        yield db
        db.commit()
    except BaseException:
        db.rollback()
        raise
    finally:
        db.close()
