"""Sending the review domain's Celery tasks by name, after commit (the web never imports task code)."""
from __future__ import annotations

from sqlalchemy.orm import Session

from app.core.db import after_commit

REGRADE_ITEM_TASK = "llmcourse.regrade_item"
SIMILARITY_TASK = "llmcourse.similarity_run"


def send(name: str, args: list, queue: str = "cpu") -> None:
    from worker.celery_app import celery_app

    celery_app.send_task(name, args=args, queue=queue)


def send_after_commit(db: Session, name: str, args: list, queue: str = "cpu") -> None:
    after_commit(db, lambda: send(name, args, queue))
