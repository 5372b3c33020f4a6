"""Grading jobs, the web's side: a job row is committed with its submission and the task is sent after
commit (the row is the outbox: `sent_at` records that the broker took it). Claiming, running, recording
and sweeping jobs is the worker's business (worker/jobs.py)."""
from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.orm import Session

from app.core.db import session_scope, utcnow
from app.core.tasks import GRADE_SUBMISSION, enqueue
from app.labs.models import GradingJob
from app.labs.statuses import JobState

PLATFORM_ERROR = ("The grader had a problem of its own and could not grade this submission. It has been "
                  "flagged for staff; you do not need to resubmit.")


def enqueue_grading(db: Session, job: GradingJob) -> None:
    """Send the job's task once `db` commits; its row is marked sent when the broker took it."""
    job_id = job.id
    enqueue(db, GRADE_SUBMISSION, job_id, queue=job.queue, on_sent=lambda: mark_sent(job_id))


def mark_sent(job_id: int) -> None:
    with session_scope() as db:
        db.execute(update(GradingJob).where(GradingJob.id == job_id, GradingJob.state == JobState.QUEUED)
                   .values(sent_at=utcnow()))
