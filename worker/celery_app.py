"""The workers' Celery app: the task modules, the pool, time limits and the sweep schedule. The web never
imports it; it sends tasks by name through app.core.tasks."""
from __future__ import annotations

from celery import Celery
from celery.signals import beat_init, worker_init

from app.config import get_settings
from app.core.tasks import SWEEP_STUCK_JOBS, configure
from app.events import install_session_events

TASK_MODULES = ["worker.tasks", "worker.quiz_tasks", "worker.dashboard_tasks", "worker.review_tasks",
                "worker.similarity_tasks"]


def make_celery() -> Celery:
    settings = get_settings()
    install_session_events()
    app = Celery("llmcourse", broker=settings.celery_broker_url, include=TASK_MODULES)
    configure(app)
    app.conf.update(
        # Threads, with the sandbox as the process boundary: a prefork pool wedges for good when one of its
        # children is SIGKILLed (the replacement blocks on the pool's inqueue lock).
        worker_pool="threads",
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_soft_time_limit=900,
        task_time_limit=960,
        worker_hijack_root_logger=False,
        beat_schedule={"sweep-stuck-jobs": {"task": SWEEP_STUCK_JOBS, "schedule": settings.sweep_interval_seconds,
                                            "options": {"queue": "cpu"}}},
        beat_schedule_filename=str(settings.resolved_data_dir / "celerybeat-schedule"),
    )
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


@worker_init.connect
def _self_check(sender=None, **_) -> None:
    """Metrics/health server first, then the sandbox self-check (worker/selfcheck.py), which blocks this
    worker from consuming while it cannot grade."""
    from worker import metrics
    from worker.selfcheck import gate

    settings = get_settings()
    if settings.worker_metrics_port:
        metrics.serve(settings.worker_metrics_port)
    gate(sender, settings)
