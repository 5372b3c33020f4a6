"""The quiz code-answer task. Idempotent: a job is claimed with a conditional update, so redelivery is harmless."""
from __future__ import annotations

import logging
import os
import socket

from celery.exceptions import SoftTimeLimitExceeded

import app.models  # noqa: F401 - every table, so relationships resolve
from app.core.tasks import GRADE_QUIZ_ANSWER
from worker import quiz_jobs
from worker.celery_app import celery_app

log = logging.getLogger(__name__)


@celery_app.task(name=GRADE_QUIZ_ANSWER, acks_late=True, soft_time_limit=120, time_limit=150)
def grade_quiz_answer(job_id: int) -> str:
    worker = f"{socket.gethostname()}:{os.getpid()}"
    try:
        return quiz_jobs.run_quiz_job(job_id, worker)
    except SoftTimeLimitExceeded:
        log.warning("quiz job %s hit the task soft time limit; the sweep will retry it", job_id)
        return "soft-timeout"
