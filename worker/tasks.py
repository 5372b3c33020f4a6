"""Celery tasks. Idempotent: a job is claimed with a conditional update, so redelivery is harmless."""
from __future__ import annotations

import logging
import os
import socket

from celery.exceptions import SoftTimeLimitExceeded
from celery.signals import worker_ready

import app.models  # noqa: F401 - every table, so relationships resolve
from app.core.tasks import GRADE_SUBMISSION, PREPARE_LABS, SWEEP_STUCK_JOBS
from worker import jobs
from worker.celery_app import celery_app

log = logging.getLogger(__name__)


@celery_app.task(name=GRADE_SUBMISSION, acks_late=True, soft_time_limit=900, time_limit=960)
def grade_submission(job_id: int) -> str:
    worker = f"{socket.gethostname()}:{os.getpid()}"
    try:
        return jobs.run_job(job_id, worker)
    except SoftTimeLimitExceeded:
        log.warning("job %s hit the task soft time limit; the sweep will retry it", job_id)
        return "soft-timeout"


@celery_app.task(name=SWEEP_STUCK_JOBS)
def sweep_stuck_jobs() -> int:
    return jobs.sweep()


@celery_app.task(name=PREPARE_LABS)
def prepare_labs() -> int:
    """Build every lab's cached artifacts and visible reference outputs (an operator may send it by hand)."""
    from worker.preparation import prepare_all

    return prepare_all()


@worker_ready.connect
def _prepare_on_start(sender=None, **_) -> None:
    from app.config import get_settings
    from worker.relay import Relay

    Relay(celery_app).start()
    if get_settings().prepare_labs_on_start:
        from worker.preparation import start_background_preparation

        start_background_preparation()
