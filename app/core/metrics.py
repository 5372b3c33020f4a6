"""Prometheus metrics the web process serves at /metrics (docs/operations.md lists every series).

What the web can say truthfully whatever process answers the scrape (uvicorn runs several): the queue
depth per queue and the running jobs, read from the job tables (the outbox is the truth, not the broker's
lists). Durations by phase, sandbox outcomes and warm/cold starts come from the workers' /metrics
(worker/metrics.py)."""
from __future__ import annotations

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from sqlalchemy import func, select

from app.core.tasks import QUEUES


def job_counts(db) -> dict[tuple[str, str, str], int]:
    """(kind, queue, state) -> jobs not yet done; kind: lab | quiz (quiz code answers run on the cpu queue)."""
    from app.labs.models import GradingJob
    from app.quizzes.models import QuizGradingJob

    counts: dict[tuple[str, str, str], int] = {}
    for queue, state, count in db.execute(select(GradingJob.queue, GradingJob.state, func.count())
                                          .where(GradingJob.state != "done")
                                          .group_by(GradingJob.queue, GradingJob.state)):
        counts[("lab", queue, state)] = count
    for state, count in db.execute(select(QuizGradingJob.state, func.count()).where(QuizGradingJob.state != "done")
                                   .group_by(QuizGradingJob.state)):
        counts[("quiz", "cpu", state)] = count
    return counts


class JobTableCollector:
    """Queue depth and running jobs per queue, counted at scrape time (with `db`, or a session of its own)."""

    def __init__(self, db=None) -> None:
        self.db = db

    def _counts(self) -> dict[tuple[str, str, str], int]:
        if self.db is not None:
            return job_counts(self.db)
        from app.core.db import session_scope

        with session_scope() as db:
            return job_counts(db)

    def collect(self):
        depth = GaugeMetricFamily("llmcourse_queue_depth", "Jobs waiting for a worker, per queue and kind",
                                  labels=["queue", "kind"])
        running = GaugeMetricFamily("llmcourse_jobs_running", "Jobs a worker has claimed and not finished",
                                    labels=["queue", "kind"])
        up = GaugeMetricFamily("llmcourse_database_up", "1 when the job tables could be read for this scrape")
        try:
            counts = self._counts()
        except Exception:  # noqa: BLE001 - a scrape reports the outage instead of failing
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        for queue in QUEUES:
            for kind in ("lab", "quiz"):
                if kind == "quiz" and queue != "cpu":
                    continue
                depth.add_metric([queue, kind], counts.get((kind, queue, "queued"), 0))
                running.add_metric([queue, kind], counts.get((kind, queue, "running"), 0))
        yield from (up, depth, running)


def render_web(db) -> tuple[bytes, str]:
    """The web's /metrics body for this request's session."""
    registry = CollectorRegistry()
    registry.register(JobTableCollector(db))
    return generate_latest(registry), CONTENT_TYPE_LATEST
