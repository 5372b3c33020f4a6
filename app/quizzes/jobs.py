"""Quiz code answers are graded by the workers, like labs: submitting an attempt creates one job row per code
answer and sends its task after commit (the row is the outbox: `sent_at` records that the broker took it).
Claiming, running in the sandbox, recording and sweeping are the worker's business (worker/quiz_jobs.py)."""
from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.orm import Session

from app.core.db import session_scope, utcnow
from app.core.tasks import GRADE_QUIZ_ANSWER, enqueue
from app.quizzes.models import QuizGradingJob


def create_jobs(db: Session, attempt_id: int, question_ids: list[str]) -> list[QuizGradingJob]:
    """A queued job per code answer, each sent once `db` commits (nothing is sent if it rolls back)."""
    jobs = [QuizGradingJob(attempt_id=attempt_id, question_id=question_id, state="queued", attempts=0,
                           enqueued_at=utcnow()) for question_id in question_ids]
    db.add_all(jobs)
    db.flush()
    for job in jobs:
        enqueue_quiz_grading(db, job)
    return jobs


def enqueue_quiz_grading(db: Session, job: QuizGradingJob) -> None:
    job_id = job.id
    enqueue(db, GRADE_QUIZ_ANSWER, job_id, queue="cpu", on_sent=lambda: mark_sent(job_id))


def mark_sent(job_id: int) -> None:
    with session_scope() as db:
        db.execute(update(QuizGradingJob).where(QuizGradingJob.id == job_id, QuizGradingJob.state == "queued")
                   .values(sent_at=utcnow()))
