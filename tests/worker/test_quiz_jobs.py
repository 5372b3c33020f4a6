"""The quiz job runner's recovery, on the test's session: the sweep re-sends a quiz task that never reached
the broker, re-queues a job whose worker went silent, and gives up (an "error" answer, a final attempt)
after MAX_ATTEMPTS; the whole run_quiz_job path through the real sandbox, redelivery included."""
from __future__ import annotations

from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.core.db import utcnow
from app.core.tasks import GRADE_QUIZ_ANSWER
from app.quizzes import service
from app.quizzes.models import QuizAnswer, QuizAttempt, QuizGradingJob
from tests.app.quizzes.helpers import CODE, SINGLE, answers_for
from tests.conftest import SENT
from worker import quiz_jobs, runner


@pytest.fixture
def on_test_session(db, monkeypatch):
    @contextmanager
    def same_session(write: bool = True):
        yield db
        db.flush()

    monkeypatch.setattr(runner, "session_scope", same_session)
    return db


def submitted_job(db, factory) -> QuizGradingJob:
    user = factory.user()
    quiz = factory.quiz([CODE, SINGLE], week_number=2)
    attempt, _ = service.start_attempt(db, user, quiz.id)
    service.submit_attempt(db, user, attempt.id, answers_for(db, attempt))
    db.commit()
    SENT.clear()
    return db.scalar(select(QuizGradingJob).where(QuizGradingJob.attempt_id == attempt.id))


def test_the_sweep_resends_a_quiz_task_that_never_reached_the_broker(db, factory, on_test_session):
    job = submitted_job(db, factory)
    assert job.sent_at is None  # the suite's broker stand-in does not confirm sends
    assert quiz_jobs.sweep(now=utcnow()) == 0  # within the outbox grace period: left alone
    later = utcnow() + timedelta(minutes=5)
    assert quiz_jobs.sweep(now=later) == 1
    db.commit()
    assert SENT == [(GRADE_QUIZ_ANSWER, [job.id], "cpu")]


def test_a_silent_worker_is_replaced_then_given_up_on(db, factory, on_test_session):
    job = submitted_job(db, factory)
    for attempt in range(1, quiz_jobs.MAX_ATTEMPTS + 1):
        assert quiz_jobs.claim(db, job.id, f"worker-{attempt}") is not None
        db.execute(QuizGradingJob.__table__.update().where(QuizGradingJob.id == job.id)
                   .values(heartbeat_at=utcnow() - timedelta(minutes=10)))
        assert quiz_jobs.sweep(now=utcnow()) == (1 if attempt < quiz_jobs.MAX_ATTEMPTS else 0)
        db.expire_all()
    job = db.get(QuizGradingJob, job.id)
    assert (job.state, job.attempts, job.last_error) == ("done", 3, "gave up after 3 attempts")
    answer = db.get(QuizAnswer, (job.attempt_id, job.question_id))
    assert (answer.status, answer.points, answer.feedback["run_status"]) == ("error", 0.0, "error")
    attempt = db.get(QuizAttempt, job.attempt_id)
    assert (attempt.score, attempt.passed) == (1.0, False)  # final: the single-choice point only


def test_run_quiz_job_grades_once_and_a_redelivery_is_skipped(db, factory, on_test_session):
    job = submitted_job(db, factory)
    assert quiz_jobs.run_quiz_job(job.id, "worker-a") == "graded"
    assert quiz_jobs.run_quiz_job(job.id, "worker-b") == "skipped"
    db.expire_all()
    attempt = db.get(QuizAttempt, job.attempt_id)
    assert (attempt.score, attempt.passed) == (3.0, True)
    assert db.get(QuizAnswer, (job.attempt_id, job.question_id)).status == "correct"
    assert db.get(QuizGradingJob, job.id).attempts == 1
