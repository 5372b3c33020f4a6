"""Celery tasks. Idempotent: a job is claimed with a conditional update, so redelivery is harmless."""
from __future__ import annotations

import logging
import os
import socket

from celery.exceptions import SoftTimeLimitExceeded
from celery.signals import worker_ready

import app.models  # noqa: F401 - every table, so relationships resolve
from app.labs import jobs
from worker.celery_app import GRADE_TASK, PREPARE_TASK, SWEEP_TASK, celery_app

log = logging.getLogger(__name__)
jobs.WARM_START = True


@celery_app.task(name=GRADE_TASK, acks_late=True, soft_time_limit=900, time_limit=960)
def grade_submission(job_id: int) -> str:
    worker = f"{socket.gethostname()}:{os.getpid()}"
    try:
        return jobs.run_job(job_id, worker)
    except SoftTimeLimitExceeded:
        log.warning("job %s hit the task soft time limit; the sweep will retry it", job_id)
        return "soft-timeout"


@celery_app.task(name=SWEEP_TASK)
def sweep_stuck_jobs() -> int:
    return jobs.sweep()


@celery_app.task(name=PREPARE_TASK)
def prepare_labs() -> int:
    """Build every lab's cached artifacts and reference outputs ahead of the first submission."""
    from app.config import get_settings
    from app.labs.catalog import lab_folders
    from worker.grading import Lab, LabBroken, lab_artifacts, reference_outputs

    settings = get_settings()
    prepared = 0
    for path in lab_folders(settings.labs_dir):
        try:
            lab = Lab.load(path)
            artifacts = lab_artifacts(lab, settings.references_dir.parent / "artifacts", settings.models_dir)
            reference_outputs(lab, settings.references_dir, artifacts=artifacts,
                              insecure=settings.insecure_sandbox, uid=settings.sandbox_uid)
            prepared += 1
        except LabBroken:
            log.exception("could not prepare %s", path.name)
    return prepared


@worker_ready.connect
def _prepare_on_start(sender=None, **_) -> None:
    from app.config import get_settings
    from worker.relay import Relay

    Relay(celery_app).start()
    if get_settings().prepare_labs_on_start:
        celery_app.send_task(PREPARE_TASK, queue="cpu")
