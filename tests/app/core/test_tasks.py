"""The embedded broker (SQLite through kombu): polled often enough for a job every few tens of ms, and its
file in WAL mode without an fsync per message (app/core/tasks.py)."""
from __future__ import annotations

import sqlite3

from celery import Celery

from app.config import Settings
from app.core import tasks


def test_the_embedded_broker_keeps_its_messages_in_wal_mode(tmp_path, monkeypatch):
    settings = Settings(data_dir=tmp_path, broker_url=None, database_url=None)  # embedded, whatever the environment says
    monkeypatch.setattr(tasks, "get_settings", lambda: settings)
    sender = Celery("sender", broker=settings.celery_broker_url)
    tasks.configure(sender)
    sender.send_task(tasks.GRADE_SUBMISSION, args=[7], queue="cpu")
    with sqlite3.connect(tmp_path / "broker.db") as broker:
        assert broker.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert broker.execute("SELECT count(*) FROM kombu_message WHERE visible = 1").fetchone()[0] == 1
    from kombu.transport import sqlalchemy as embedded_broker

    assert embedded_broker.Transport.polling_interval == tasks.EMBEDDED_POLLING_SECONDS <= 0.05


def test_messages_a_worker_took_long_ago_are_pruned(tmp_path, monkeypatch):
    settings = Settings(data_dir=tmp_path, broker_url=None, database_url=None)  # embedded, whatever the environment says
    monkeypatch.setattr(tasks, "get_settings", lambda: settings)
    assert tasks.prune_embedded_broker() == 0  # no broker file yet
    sender = Celery("sender", broker=settings.celery_broker_url)
    tasks.configure(sender)
    for job in range(3):
        sender.send_task(tasks.GRADE_SUBMISSION, args=[job], queue="cpu")
    with sqlite3.connect(tmp_path / "broker.db") as broker:  # one taken two hours ago, one just now
        ids = [row[0] for row in broker.execute("SELECT id FROM kombu_message ORDER BY id")]
        broker.execute("UPDATE kombu_message SET visible = 0, timestamp = datetime('now', 'localtime', '-2 hours') "
                       "WHERE id = ?", (ids[0],))
        broker.execute("UPDATE kombu_message SET visible = 0, timestamp = datetime('now', 'localtime') "
                       "WHERE id = ?", (ids[1],))
    assert tasks.prune_embedded_broker() == 1
    with sqlite3.connect(tmp_path / "broker.db") as broker:
        left = [row[0] for row in broker.execute("SELECT id FROM kombu_message ORDER BY id")]
    assert left == ids[1:]  # the one just taken and the one still waiting stay


def test_a_redis_broker_is_never_pruned(tmp_path, monkeypatch):
    monkeypatch.setattr(tasks, "get_settings", lambda: Settings(data_dir=tmp_path, broker_url="redis://127.0.0.1:1/0"))
    assert tasks.prune_embedded_broker() == 0
