"""The one way the web sends work to the workers: `enqueue(db, TASK, *args, queue=...)` buffers a task on
the session; it is sent, by name, once the session's transaction commits, and dropped if it rolls back.
The web never imports worker code (docs/architecture.md): the tasks themselves live in worker/."""
from __future__ import annotations

import logging
from collections.abc import Callable
from functools import lru_cache, partial

from sqlalchemy.orm import Session

from app.config import get_settings
from app.core.db import after_commit

log = logging.getLogger(__name__)

# Task names: the contract between app/ (senders) and worker/ (where each task is defined).
GRADE_SUBMISSION = "llmcourse.grade_submission"
GRADE_QUIZ_ANSWER = "llmcourse.grade_quiz_answer"
SWEEP_STUCK_JOBS = "llmcourse.sweep_stuck_jobs"
PREPARE_LABS = "llmcourse.prepare_labs"
REGRADE_ITEM = "llmcourse.regrade_item"
SIMILARITY_RUN = "llmcourse.similarity_run"
GRADEBOOK_EXPORT = "llmcourse.gradebook_export"
DASHBOARD_REFRESH = "llmcourse.dashboard_refresh"
QUEUES = ("cpu", "gpu")


EMBEDDED_POLLING_SECONDS = 0.05


def configure(celery) -> None:
    """Settings shared by the sender (below) and the worker's Celery app (worker/celery_app.py)."""
    from kombu import Queue

    settings = get_settings()
    celery.conf.update(task_default_queue="cpu", task_queues=[Queue(name) for name in QUEUES],
                       task_ignore_result=True, broker_connection_retry_on_startup=True)
    if settings.celery_broker_url.startswith("redis"):
        celery.conf.broker_transport_options = {"visibility_timeout": 3600}
    elif settings.celery_broker_url.startswith("sqla+sqlite:///"):
        # The embedded broker is polled, and kombu's default interval (1 s) would cap a worker at one job a
        # second. Its SQLAlchemy transport hands every transport option to create_engine, so the interval
        # is set on the transport class instead, and the option is how its connections are made.
        from kombu.transport import sqlalchemy as embedded_broker

        embedded_broker.Transport.polling_interval = EMBEDDED_POLLING_SECONDS
        database = settings.celery_broker_url.removeprefix("sqla+sqlite:///")
        celery.conf.broker_transport_options = {"creator": partial(embedded_broker_connection, database)}


def embedded_broker_connection(database: str):
    """A connection to the embedded broker's SQLite file in WAL mode without an fsync per commit: with
    SQLite's defaults every message sent or taken cost an fsync (14 ms here) under the broker's write lock,
    which capped grading at a few jobs a second. A power cut may lose the last messages; the job rows are
    the outbox, and the relay sends unsent jobs again."""
    import sqlite3

    connection = sqlite3.connect(database, timeout=30, check_same_thread=False)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    return connection


DELIVERED_KEPT_SECONDS = 3600


def prune_embedded_broker() -> int:
    """Delete the embedded broker's messages that a worker took more than an hour ago. Kombu's SQLAlchemy
    transport marks a taken message invisible and never deletes it, so its file would keep every task ever
    sent; a taken message is never read again (a worker that dies holding one is covered by the job sweep)."""
    import sqlite3
    from datetime import datetime, timedelta

    url = get_settings().celery_broker_url
    if not url.startswith("sqla+sqlite:///"):
        return 0
    connection = embedded_broker_connection(url.removeprefix("sqla+sqlite:///"))
    try:
        with connection:
            # kombu stamps a message with the local time when a worker takes it
            taken_before = (datetime.now() - timedelta(seconds=DELIVERED_KEPT_SECONDS)).isoformat(sep=" ")
            return connection.execute("DELETE FROM kombu_message WHERE visible = 0 AND timestamp < ?",
                                      (taken_before,)).rowcount
    except sqlite3.OperationalError:  # no message table yet (nothing was ever sent)
        return 0
    finally:
        connection.close()


@lru_cache
def broker_client():
    """A Celery instance that only sends (no task code, no torch): what the web process needs."""
    from celery import Celery

    client = Celery("llmcourse", broker=get_settings().celery_broker_url)
    configure(client)
    return client


def deliver(task_name: str, args: list, queue: str, on_sent: Callable[[], None] | None = None) -> None:
    """Hand the task to the broker now, then run `on_sent`."""
    broker_client().send_task(task_name, args=args, queue=queue)
    if on_sent is not None:
        on_sent()


def enqueue(db: Session, task_name: str, *args, queue: str = "cpu",
            on_sent: Callable[[], None] | None = None) -> None:
    """Send `task_name(*args)` to `queue` after `db` commits. `on_sent` runs once the broker took it (the
    grading outbox marks its row sent); if sending fails, it is logged and the outbox relay retries."""
    if queue not in QUEUES:
        raise ValueError(f"unknown queue {queue!r}")
    values = list(args)

    def send() -> None:
        # looked up at send time, so a test can stand in for the broker
        import app.core.tasks as tasks

        tasks.deliver(task_name, values, queue, on_sent)

    after_commit(db, send)
