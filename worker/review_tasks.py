"""Celery tasks of the grader workflow: one regrade item per task (claimed with a conditional update, so a
redelivered message is harmless)."""
from __future__ import annotations

import logging
import os
import socket

from celery.exceptions import SoftTimeLimitExceeded

from app.review import regrade
from app.review.dispatch import REGRADE_ITEM_TASK
from worker.celery_app import celery_app

log = logging.getLogger(__name__)


@celery_app.task(name=REGRADE_ITEM_TASK, acks_late=True, soft_time_limit=900, time_limit=960)
def regrade_item(item_id: int) -> str:
    worker = f"{socket.gethostname()}:{os.getpid()}"
    try:
        return regrade.run_item(item_id, worker)
    except SoftTimeLimitExceeded:
        log.warning("regrade item %s hit the task soft time limit; resume the run to retry it", item_id)
        return "soft-timeout"
