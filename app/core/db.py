"""Engine and sessions. Services never commit: the request (or task) owns the single commit point."""
from __future__ import annotations

import logging

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from functools import lru_cache

from sqlalchemy import DateTime, create_engine, event
from sqlalchemy.engine import Engine
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


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):
            dbapi_connection.isolation_level = None  # let SQLAlchemy emit BEGIN (savepoints work)
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            # WAL with synchronous=NORMAL cannot corrupt the database; a power cut may lose the last commits,
            # which the job outbox and the relay re-send. FULL would fsync on every commit.
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(connection):
            # Writers take the lock up front: a read-then-write transaction cannot be upgraded while
            # another process (the worker) writes, and SQLite would fail it at once instead of waiting.
            immediate = connection.get_execution_options().get("sqlite_begin") == "immediate"
            connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

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
