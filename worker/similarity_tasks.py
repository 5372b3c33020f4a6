"""Celery task of the similarity check: fingerprints every latest submission of a lab and flags pairs."""
from __future__ import annotations

from app.core.tasks import SIMILARITY_RUN
from app.similarity import service
from worker.celery_app import celery_app


@celery_app.task(name=SIMILARITY_RUN, acks_late=True, soft_time_limit=900, time_limit=960)
def similarity_run(run_id: int) -> str:
    return service.run_check(run_id)
