"""The Celery app. Imported by the web process to send tasks by name, so it must stay light
(no torch, no lab code): tasks live in worker.tasks, loaded by the worker only."""
from __future__ import annotations

from celery import Celery
from celery.signals import beat_init, worker_init
from kombu import Queue

from app.config import get_settings

GRADE_TASK = "llmcourse.grade_submission"
SWEEP_TASK = "llmcourse.sweep_stuck_jobs"
PREPARE_TASK = "llmcourse.prepare_labs"


def make_celery() -> Celery:
    settings = get_settings()
    app = Celery("llmcourse", broker=settings.celery_broker_url,
                 include=["worker.tasks", "app.dashboard.tasks", "worker.review_tasks", "worker.similarity_tasks"])
    app.conf.update(
        # Threads, with the sandbox as the process boundary: a prefork pool wedges for good when one of its
        # children is SIGKILLed (the replacement blocks on the pool's inqueue lock).
        worker_pool="threads",
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_default_queue="cpu",
        task_queues=[Queue("cpu"), Queue("gpu")],
        task_ignore_result=True,
        task_soft_time_limit=900,
        task_time_limit=960,
        broker_connection_retry_on_startup=True,
        worker_hijack_root_logger=False,
        beat_schedule={"sweep-stuck-jobs": {"task": SWEEP_TASK, "schedule": settings.sweep_interval_seconds,
                                            "options": {"queue": "cpu"}}},
        beat_schedule_filename=str(settings.resolved_data_dir / "celerybeat-schedule"),
    )
    if settings.celery_broker_url.startswith("redis"):
        app.conf.broker_transport_options = {"visibility_timeout": 3600}
    return app


celery_app = make_celery()


@worker_init.connect
@beat_init.connect
def _refuse_insecure_defaults(**_) -> None:
    """A worker or scheduler started directly with `celery` refuses a known default secret too
    (SystemExit, because Celery logs and ignores ordinary exceptions raised by signal handlers)."""
    from app.core.secret_policy import InsecureConfigurationError, refuse_insecure_defaults

    try:
        refuse_insecure_defaults(get_settings())
    except InsecureConfigurationError as exc:
        raise SystemExit(str(exc)) from None


def send_grade(job_id: int, queue: str) -> None:
    celery_app.send_task(GRADE_TASK, args=[job_id], queue=queue)
