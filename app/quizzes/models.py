from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, utcnow


class Quiz(Base):
    """One week's quiz, loaded from course/quizzes/weekNN.yaml. Never deleted (attempts refer to it)."""

    __tablename__ = "quizzes"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    week_id: Mapped[str] = mapped_column(ForeignKey("weeks.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    pass_mark: Mapped[float] = mapped_column(Float)
    max_attempts: Mapped[int] = mapped_column(Integer)
    score_policy: Mapped[str] = mapped_column(String(8), default="best")  # best | latest
    draw: Mapped[int | None] = mapped_column(Integer, default=None)
    content_hash: Mapped[str] = mapped_column(String(64), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class QuizQuestion(Base):
    """A question by its stable id; `spec` is the question as written in the file (solution included: it is
    never sent to students)."""

    __tablename__ = "quiz_questions"

    id: Mapped[str] = mapped_column(String(60), primary_key=True)
    quiz_id: Mapped[str] = mapped_column(ForeignKey("quizzes.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    type: Mapped[str] = mapped_column(String(10))
    points: Mapped[float] = mapped_column(Float)
    spec: Mapped[dict] = mapped_column(JSON)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class QuizAttempt(Base):
    """One attempt: the questions drawn, choice orders and parameter values (reproducible from `seed`), and
    once submitted its score. `state` moves open -> submitted with a conditional update, exactly once."""

    __tablename__ = "quiz_attempts"
    __table_args__ = (UniqueConstraint("user_id", "quiz_id", "number", name="uq_quiz_attempts_user_quiz_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    quiz_id: Mapped[str] = mapped_column(ForeignKey("quizzes.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    seed: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(12), default="open", index=True)  # open | submitted
    layout: Mapped[list] = mapped_column(JSON)
    score: Mapped[float | None] = mapped_column(Float, default=None)
    max_score: Mapped[float] = mapped_column(Float, default=0.0)
    passed: Mapped[bool | None] = mapped_column(Boolean, default=None)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(default=None)

    @property
    def fraction(self) -> float | None:
        if self.score is None:
            return None
        return self.score / self.max_score if self.max_score else 0.0


class QuizAnswer(Base):
    """A student's answer to one question of an attempt; graded fields are set on submit, except a code
    answer's: it stays "pending" until its grading job (QuizGradingJob) ran in a worker."""

    __tablename__ = "quiz_answers"

    attempt_id: Mapped[int] = mapped_column(ForeignKey("quiz_attempts.id", ondelete="CASCADE"), primary_key=True)
    question_id: Mapped[str] = mapped_column(ForeignKey("quiz_questions.id"), primary_key=True)
    response: Mapped[dict | list | str | None] = mapped_column(JSON, default=None)
    points: Mapped[float | None] = mapped_column(Float, default=None)
    max_points: Mapped[float] = mapped_column(Float, default=0.0)
    # correct | partial | incorrect | unanswered, or for code: pending (queued) | timeout | error (the grader's)
    status: Mapped[str | None] = mapped_column(String(12), default=None)
    feedback: Mapped[dict | None] = mapped_column(JSON, default=None)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class QuizGradingJob(Base):
    """A code answer's grading job, run by a worker like a lab's GradingJob: claimed with a conditional
    update, kept alive by a heartbeat, swept when its worker dies. The row is the outbox: `sent_at` stays
    NULL until the broker took the task (the relay sends it otherwise)."""

    __tablename__ = "quiz_grading_jobs"
    __table_args__ = (UniqueConstraint("attempt_id", "question_id", name="uq_quiz_grading_jobs_answer"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("quiz_attempts.id", ondelete="CASCADE"), index=True)
    question_id: Mapped[str] = mapped_column(ForeignKey("quiz_questions.id"))
    state: Mapped[str] = mapped_column(String(12), default="queued", index=True)  # queued|running|done
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claim_token: Mapped[str | None] = mapped_column(String(40), default=None)
    worker: Mapped[str | None] = mapped_column(String(200), default=None)
    enqueued_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(default=None, index=True)
    heartbeat_at: Mapped[datetime | None] = mapped_column(default=None)
    claimed_at: Mapped[datetime | None] = mapped_column(default=None)
    deadline_at: Mapped[datetime | None] = mapped_column(default=None)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
