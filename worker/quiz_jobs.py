"""The quiz code-answer job runner, the same life as a lab job (worker/jobs.py): claim (conditional update),
run in the sandbox with a heartbeat, record the feedback only while still holding the claim, and sweep jobs
whose worker died or whose task never reached the broker. Recording goes through app.quizzes.service
(record_code_result), which finalizes the attempt when its last code answer is graded."""
from __future__ import annotations

import logging
import uuid
from datetime import timedelta

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session

from app.config import get_settings
from app.core.db import session_scope, utcnow
from app.labs.jobs import PLATFORM_ERROR
from app.quizzes import service
from app.quizzes.jobs import enqueue_quiz_grading
from app.quizzes.models import QuizAnswer, QuizGradingJob, QuizQuestion
from app.quizzes.schemas import CodeQuestion
from worker.jobs import MAX_ATTEMPTS, Heartbeat
from worker.quiz_grading import WALL_SECONDS, QuestionBroken, grade_code
from worker.sandbox import SandboxKilled, SandboxUnavailable

log = logging.getLogger(__name__)


def claim(db: Session, job_id: int, worker: str) -> str | None:
    """Move a queued job to running; None when another delivery already has it."""
    # the solution's reference run (first use of a question version) and the answer's run
    deadline = utcnow() + timedelta(seconds=WALL_SECONDS * 2 * 2 + get_settings().job_deadline_margin_seconds)
    token = uuid.uuid4().hex
    claimed = db.execute(update(QuizGradingJob).where(QuizGradingJob.id == job_id, QuizGradingJob.state == "queued")
                         .values(state="running", claim_token=token, worker=worker, claimed_at=utcnow(),
                                 heartbeat_at=utcnow(), deadline_at=deadline,
                                 attempts=QuizGradingJob.attempts + 1)).rowcount
    return token if claimed == 1 else None


def job_input(db: Session, job: QuizGradingJob) -> tuple[CodeQuestion, str]:
    question = service.question_model(db.get(QuizQuestion, job.question_id))
    answer = db.get(QuizAnswer, (job.attempt_id, job.question_id))
    return question, answer.response


def finish(db: Session, job_id: int, token: str, feedback: dict) -> bool:
    """Record the feedback only if this worker still holds the claim (a swept job is not graded twice)."""
    done = db.execute(update(QuizGradingJob).where(QuizGradingJob.id == job_id, QuizGradingJob.claim_token == token,
                                                   QuizGradingJob.state == "running")
                      .values(state="done", finished_at=utcnow(),
                              last_error=feedback.get("platform_error"))).rowcount
    if done != 1:
        return False
    job = db.get(QuizGradingJob, job_id)
    return service.record_code_result(db, job.attempt_id, job.question_id, feedback)


def grade_safely(question: CodeQuestion, code: str) -> dict | None:
    """The answer's feedback; a platform failure becomes an "error" feedback (never a lost answer); None when
    the sandbox was killed from outside (the job is queued again)."""
    try:
        return grade_code(question, code, get_settings())
    except SandboxKilled:
        return None
    except SandboxUnavailable as exc:
        return platform_error(question, str(exc))
    except QuestionBroken as exc:
        log.error("quiz question %s is broken: %s", question.id, exc)
        return platform_error(question, f"question problem: {exc}")


def platform_error(question: CodeQuestion, detail: str) -> dict:
    return {"passed": 0, "total": len(question.cases), "cases": [], "stdout": "", "seconds": 0.0,
            "message": PLATFORM_ERROR, "run_status": "error", "platform_error": detail[:4000]}


def run_quiz_job(job_id: int, worker: str) -> str:
    with session_scope() as db:
        token = claim(db, job_id, worker)
        if token is None:
            return "skipped"
        question, code = job_input(db, db.get(QuizGradingJob, job_id))
    with QuizHeartbeat(job_id, token):
        feedback = grade_safely(question, code)
    if feedback is None:
        log.warning("quiz job %s: its sandbox was killed from outside; queued again", job_id)
        release(job_id, token)
        return "released"
    with session_scope() as db:
        return "graded" if finish(db, job_id, token, feedback) else "stale"


class QuizHeartbeat(Heartbeat):
    """A lab job's heartbeat (worker/jobs.py), on the quiz job's row."""

    def _beat(self) -> None:
        interval = get_settings().heartbeat_seconds
        while not self.stopped.wait(interval):
            try:
                with session_scope() as db:
                    db.execute(update(QuizGradingJob).where(QuizGradingJob.id == self.job_id,
                                                            QuizGradingJob.claim_token == self.token)
                               .values(heartbeat_at=utcnow()))
            except Exception:  # noqa: BLE001 - a missed beat is retried; the sweep tolerates a few
                log.warning("quiz job %s: heartbeat not recorded", self.job_id, exc_info=True)


def release(job_id: int, token: str) -> None:
    with session_scope() as db:
        job = db.get(QuizGradingJob, job_id)
        if job is None or job.claim_token != token or job.state != "running":
            return
        if job.attempts >= MAX_ATTEMPTS:
            give_up(db, job)
            return
        requeue(job, utcnow())
        enqueue_quiz_grading(db, job)


def requeue(job: QuizGradingJob, now) -> None:
    job.state, job.claim_token, job.enqueued_at, job.sent_at = "queued", None, now, None


def give_up(db: Session, job: QuizGradingJob) -> None:
    """A job that failed MAX_ATTEMPTS times: its answer reads "error" (flagged for staff), the attempt is final."""
    job.state, job.finished_at = "done", utcnow()
    job.last_error = f"gave up after {job.attempts} attempts"
    question = service.question_model(db.get(QuizQuestion, job.question_id))
    db.flush()
    service.record_code_result(db, job.attempt_id, job.question_id, platform_error(question, job.last_error))
    log.error("quiz job %s (attempt %s, %s) gave up after %s attempts", job.id, job.attempt_id, job.question_id,
              job.attempts)


def sweep(now=None) -> int:
    """Queue again the jobs whose worker died (heartbeat stopped, or deadline passed) and send the queued
    jobs whose task never reached the broker or whose message may be lost."""
    now = now or utcnow()
    settings = get_settings()
    silent_since = now - timedelta(seconds=settings.heartbeat_timeout_seconds)
    unsent_before = now - timedelta(seconds=settings.outbox_grace_seconds)
    lost_before = now - timedelta(seconds=settings.job_deadline_margin_seconds * 5)
    with session_scope() as db:
        stuck = list(db.scalars(select(QuizGradingJob).where(
            QuizGradingJob.state == "running",
            or_(QuizGradingJob.deadline_at < now,
                func.coalesce(QuizGradingJob.heartbeat_at, QuizGradingJob.claimed_at) < silent_since))))
        for job in [j for j in stuck if j.attempts >= MAX_ATTEMPTS]:
            give_up(db, job)
        stuck = [j for j in stuck if j.attempts < MAX_ATTEMPTS]
        for job in stuck:
            requeue(job, now)
        lost = list(db.scalars(select(QuizGradingJob).where(
            QuizGradingJob.state == "queued",
            or_(and_(QuizGradingJob.sent_at.is_(None), QuizGradingJob.enqueued_at < unsent_before),
                QuizGradingJob.enqueued_at < lost_before))))
        for job in lost:
            job.enqueued_at = now
        for job in {j.id: j for j in stuck + lost}.values():
            enqueue_quiz_grading(db, job)
        count = len(stuck) + len(lost)
    if count:
        log.info("sweep re-queued %s quiz job(s)", count)
    return count


def forget_sent_messages() -> int:
    """The broker lost its messages: every queued quiz job is unsent again."""
    with session_scope() as db:
        return db.execute(update(QuizGradingJob).where(QuizGradingJob.state == "queued")
                          .values(sent_at=None)).rowcount
