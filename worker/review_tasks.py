"""Celery tasks of the grader workflow: one regrade item per task (claimed with a conditional update, so a
redelivered message is harmless)."""
from __future__ import annotations

import logging
import os
import socket

from celery.exceptions import SoftTimeLimitExceeded

from app.core.db import session_scope
from app.core.tasks import REGRADE_ITEM
from app.labs.models import Lab, Submission
from app.review import regrade
from app.review.models import RegradeItem
from worker.celery_app import celery_app
from worker.jobs import grade_code, platform_error

log = logging.getLogger(__name__)


@celery_app.task(name=REGRADE_ITEM, acks_late=True, soft_time_limit=900, time_limit=960)
def regrade_item(item_id: int) -> str:
    worker = f"{socket.gethostname()}:{os.getpid()}"
    try:
        return run_item(item_id, worker)
    except SoftTimeLimitExceeded:
        log.warning("regrade item %s hit the task soft time limit; resume the run to retry it", item_id)
        return "soft-timeout"


def run_item(item_id: int, worker: str) -> str:
    with session_scope() as db:
        token = regrade.claim_item(db, item_id, worker)
        if token is None:
            return "skipped"
        item = db.get(RegradeItem, item_id)
        submission = db.get(Submission, item.submission_id)
        lab = db.get(Lab, submission.lab_id)
        folder, code, submission_id = lab.folder, submission.code, submission.id
        seeds = submission.hidden_seeds or (submission.result or {}).get("hidden_seeds")
    result = grade_code(folder, code, submission_id, warm=True, hidden_seeds=seeds if isinstance(seeds, list) else None)
    if result is None:  # its sandbox was killed from outside: recorded as a platform error, resumable
        result = platform_error(submission_id, folder, "the sandbox was killed from outside")
    with session_scope() as db:
        return "regraded" if regrade.finish_item(db, item_id, token, result) else "stale"
