"""Celery tasks of the dashboard: background gradebook exports and summary refreshes."""
from __future__ import annotations

from app.core.tasks import DASHBOARD_REFRESH, GRADEBOOK_EXPORT
from app.dashboard import gradebook, service
from worker.celery_app import celery_app


@celery_app.task(name=GRADEBOOK_EXPORT, acks_late=True)
def export_gradebook(export_id: int) -> str:
    return gradebook.run_export(export_id)


@celery_app.task(name=DASHBOARD_REFRESH, acks_late=True)
def refresh_cohort_summaries(cohort_id: int) -> int:
    return service.refresh_cohort(cohort_id)
