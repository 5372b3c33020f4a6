"""Celery tasks of the dashboard (loaded by the worker through the `include` list of worker.celery_app)."""
from __future__ import annotations

from app.dashboard import gradebook, service
from worker.celery_app import celery_app


@celery_app.task(name=gradebook.EXPORT_TASK, acks_late=True)
def export_gradebook(export_id: int) -> str:
    return gradebook.run_export(export_id)


@celery_app.task(name=service.REFRESH_TASK, acks_late=True)
def refresh_cohort_summaries(cohort_id: int) -> int:
    return service.refresh_cohort(cohort_id)
