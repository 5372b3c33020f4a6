"""Quiz code answers as jobs of the one runner (worker/runner.py), like lab submissions: what a quiz job
reads, how it is graded, and where its feedback goes. Recording goes through app.quizzes.service
(record_code_result), which finalizes the attempt when its last code answer is graded."""
from __future__ import annotations

import logging

from sqlalchemy.orm import Session

from app.config import get_settings
from app.labs.jobs import PLATFORM_ERROR
from app.quizzes import service
from app.quizzes.jobs import enqueue_quiz_grading
from app.quizzes.models import QuizAnswer, QuizGradingJob, QuizQuestion
from app.quizzes.schemas import CodeQuestion
from worker import runner
from worker.quiz_grading import WALL_SECONDS, QuestionBroken, grade_code
from worker.sandbox import SandboxKilled, SandboxUnavailable

log = logging.getLogger(__name__)
MAX_ATTEMPTS = runner.MAX_ATTEMPTS


class QuizJobs(runner.JobKind):
    model = QuizGradingJob
    label = "quiz job"

    def run_seconds(self, db: Session, job: QuizGradingJob) -> float:
        return WALL_SECONDS * 2 * 2  # the solution's reference run (first use of a question version) and the answer's

    def inputs(self, db: Session, job: QuizGradingJob) -> tuple[CodeQuestion, str]:
        return job_input(db, job)

    def grade(self, inputs: tuple[CodeQuestion, str]) -> dict | None:
        return grade_safely(*inputs)

    def record(self, db: Session, job: QuizGradingJob, feedback: dict) -> bool:
        return service.record_code_result(db, job.attempt_id, job.question_id, feedback)

    def record_failure(self, db: Session, job: QuizGradingJob) -> None:
        """Its answer reads "error" (flagged for staff); the attempt is final."""
        question = service.question_model(db.get(QuizQuestion, job.question_id))
        service.record_code_result(db, job.attempt_id, job.question_id, platform_error(question, job.last_error))

    def enqueue(self, db: Session, job: QuizGradingJob) -> None:
        enqueue_quiz_grading(db, job)


QUIZ_JOBS = QuizJobs()
claim, finish, run_quiz_job, sweep = QUIZ_JOBS.claim, QUIZ_JOBS.finish, QUIZ_JOBS.run, QUIZ_JOBS.sweep
forget_sent_messages = QUIZ_JOBS.forget_sent_messages


def job_input(db: Session, job: QuizGradingJob) -> tuple[CodeQuestion, str]:
    question = service.question_model(db.get(QuizQuestion, job.question_id))
    answer = db.get(QuizAnswer, (job.attempt_id, job.question_id))
    return question, answer.response


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
