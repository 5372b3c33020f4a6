"""Factories for test data (flush only; the test's transaction is rolled back)."""
from __future__ import annotations

import itertools
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.cohorts.models import Cohort, Enrollment
from app.cohorts.service import new_invite_code
from app.core.security import hash_password
from app.labs.models import GradingJob, Submission
from app.users.models import User
from app.users.service import create_token

_counter = itertools.count(1)
_PASSWORD_HASH = hash_password("password123")


class Factory:
    def __init__(self, db: Session) -> None:
        self.db = db

    def user(self, role: str = "student", email: str | None = None, name: str | None = None,
             enrolled: bool | None = None) -> User:
        n = next(_counter)
        user = User(email=email or f"user{n}@example.com", name=name or f"User {n}", password_hash=_PASSWORD_HASH,
                    role=role)
        self.db.add(user)
        self.db.flush()
        if enrolled if enrolled is not None else role == "student":
            self.enroll(user, self.cohort())
        return user

    def cohort(self, name: str = "Cohort", start_date: date | None = None, creator: User | None = None) -> Cohort:
        cohort = Cohort(name=f"{name} {next(_counter)}", start_date=start_date or date(2026, 9, 1),
                        invite_code=new_invite_code(), created_by_id=creator.id if creator else None)
        self.db.add(cohort)
        self.db.flush()
        return cohort

    def enroll(self, user: User, cohort: Cohort) -> Enrollment:
        enrollment = Enrollment(user_id=user.id, cohort_id=cohort.id)
        self.db.add(enrollment)
        self.db.flush()
        return enrollment

    def token(self, user: User) -> str:
        return create_token(self.db, user, "test")[1]

    def submission(self, user: User, lab_id: str = "lab02", status: str = "graded", score: float | None = 10.0,
                   max_score: float = 20.0, code: str = "print('hi')\n", result: dict | None = None) -> Submission:
        attempt = (self.db.scalar(select(func.max(Submission.attempt)).where(
            Submission.user_id == user.id, Submission.lab_id == lab_id)) or 0) + 1
        submission = Submission(user_id=user.id, lab_id=lab_id, attempt=attempt, filename="x.py", code=code,
                                status=status, score=score, max_score=max_score, result=result)
        self.db.add(submission)
        self.db.flush()
        self.db.add(GradingJob(submission_id=submission.id, state="done" if status != "queued" else "queued"))
        self.db.flush()
        return submission

    def quiz(self, questions: list[dict], *, week_number: int = 1, draw: int | None = None, max_attempts: int = 3,
             score_policy: str = "best", pass_mark: float = 0.7):
        """A quiz built from question specs (YAML-shaped dicts) that replaces the week's real quiz for the
        test. Question ids default to w<NN>-t<n>q<position>; points 1 and an explanation are filled in."""
        from sqlalchemy import select

        from app.quizzes.models import Quiz, QuizQuestion
        from app.quizzes.schemas import QUESTION_ADAPTER

        week_id = f"week{week_number:02d}"
        for other in self.db.scalars(select(Quiz).where(Quiz.week_id == week_id, Quiz.active.is_(True))):
            other.active = False
        n = next(_counter)
        quiz = Quiz(id=f"quiz-test{n}", week_id=week_id, title=f"Test quiz {n}", pass_mark=pass_mark,
                    max_attempts=max_attempts, score_policy=score_policy, draw=draw, content_hash="", active=True)
        self.db.add(quiz)
        self.db.flush()
        for position, spec in enumerate(questions):
            model = QUESTION_ADAPTER.validate_python({"id": f"w{week_number:02d}-t{n}q{position}", "points": 1,
                                                      "explanation": "Because of the reason given here.", **spec})
            self.db.add(QuizQuestion(id=model.id, quiz_id=quiz.id, position=position, type=model.type,
                                     points=float(model.points), spec=model.model_dump(mode="json"), active=True))
        self.db.flush()
        return quiz

    # --- dashboard (instructor dashboard, pacing, gradebook) ---

    def tick(self, user: User, item_id: str, when=None, done: bool = True):
        """A checklist tick stamped at `when` (default now)."""
        from app.core.db import utcnow
        from app.course.models import ChecklistProgress

        row = ChecklistProgress(user_id=user.id, item_id=item_id, done=done, updated_at=when or utcnow())
        self.db.add(row)
        self.db.flush()
        return row

    def quiz_attempt(self, user: User, quiz, score: float, max_score: float, *, passed: bool | None = None,
                     submitted_at=None, answers: dict[str, tuple[float, float]] | None = None, state: str = "submitted"):
        """A graded attempt with its answers {question_id: (points, max_points)} (no engine involved)."""
        from sqlalchemy import func, select

        from app.core.db import utcnow
        from app.quizzes.models import QuizAnswer, QuizAttempt

        number = (self.db.scalar(select(func.max(QuizAttempt.number)).where(
            QuizAttempt.user_id == user.id, QuizAttempt.quiz_id == quiz.id)) or 0) + 1
        when = submitted_at or utcnow()
        attempt = QuizAttempt(user_id=user.id, quiz_id=quiz.id, number=number, seed=number, state=state,
                              layout=[], score=score if state == "submitted" else None, max_score=max_score,
                              passed=(score >= quiz.pass_mark * max_score if passed is None else passed)
                              if state == "submitted" else None,
                              started_at=when, updated_at=when, submitted_at=when if state == "submitted" else None)
        self.db.add(attempt)
        self.db.flush()
        for question_id, (points, max_points) in (answers or {}).items():
            self.db.add(QuizAnswer(attempt_id=attempt.id, question_id=question_id, points=points,
                                   max_points=max_points, status="correct" if points >= max_points else "incorrect",
                                   updated_at=when))
        self.db.flush()
        return attempt

    def result(self, lab_id: str = "lab02", tests: list[dict] | None = None, status: str = "graded",
               **extra) -> dict:
        """A result JSON of DESIGN.md (the grader's output) with the given tests."""
        if tests is None:
            tests = [{"name": "counts_visible", "points": 2.0, "max_points": 2.0, "passed": True, "visible": True,
                      "description": "", "feedback": "Passed."},
                     {"name": "counts_hidden", "points": 0.0, "max_points": 3.0, "passed": False, "visible": False,
                      "description": "", "feedback": "Failed on hidden inputs.\nHint: lowercase words"}]
        return {"submission_id": None, "lab_id": lab_id, "status": status,
                "score": float(sum(t["points"] for t in tests)),
                "max_score": float(sum(t["max_points"] for t in tests)),
                "tests": tests, "stdout_tail": "", "stderr_tail": "",
                "timings": {"queued_s": 0.0, "sandbox_s": 0.1, "grade_s": 0.01}, **extra}

    def graded(self, user: User, lab_id: str = "lab02", result: dict | None = None,
               code: str = "def word_counts(text):\n    return {}\n") -> Submission:
        """A submission graded through the job runner's own path: claim, then finish (which calls
        app.labs.hooks.after_graded), with `result` standing in for the sandbox's output."""
        from sqlalchemy import func, select

        from worker import jobs

        result = result or self.result(lab_id)
        attempt = (self.db.scalar(select(func.max(Submission.attempt)).where(
            Submission.user_id == user.id, Submission.lab_id == lab_id)) or 0) + 1
        submission = Submission(user_id=user.id, lab_id=lab_id, attempt=attempt, filename="x.py", code=code,
                                status="queued", max_score=result["max_score"])
        self.db.add(submission)
        self.db.flush()
        job = GradingJob(submission_id=submission.id, state="queued")
        self.db.add(job)
        self.db.flush()
        token = jobs.claim(self.db, job.id, "test-worker")
        assert token and jobs.finish(self.db, job.id, token, result)
        self.db.refresh(submission)
        return submission
