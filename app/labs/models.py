from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, utcnow


class Lab(Base):
    __tablename__ = "labs"

    id: Mapped[str] = mapped_column(String(10), primary_key=True)
    week_id: Mapped[str] = mapped_column(ForeignKey("weeks.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(String(300))
    device: Mapped[str] = mapped_column(String(8), default="cpu")
    gradeable: Mapped[bool] = mapped_column(Boolean, default=False)
    max_score: Mapped[float] = mapped_column(Float, default=0.0)
    submit_file: Mapped[str | None] = mapped_column(String(80), default=None)
    folder: Mapped[str | None] = mapped_column(String(120), default=None)
    instructions_md: Mapped[str] = mapped_column(Text, default="")
    starter_code: Mapped[str] = mapped_column(Text, default="")
    manifest: Mapped[dict] = mapped_column(JSON, default=dict)
    content_hash: Mapped[str] = mapped_column(String(64), default="")


class Submission(Base):
    __tablename__ = "submissions"
    __table_args__ = (Index("ix_submissions_user_lab", "user_id", "lab_id"),
                      UniqueConstraint("user_id", "lab_id", "attempt", name="uq_submissions_user_lab_attempt"))

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    lab_id: Mapped[str] = mapped_column(ForeignKey("labs.id"), index=True)
    attempt: Mapped[int] = mapped_column(Integer, default=1)
    filename: Mapped[str] = mapped_column(String(120))
    code: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="queued", index=True)
    score: Mapped[float | None] = mapped_column(Float, default=None)
    max_score: Mapped[float] = mapped_column(Float, default=0.0)
    result: Mapped[dict | None] = mapped_column(JSON, default=None)
    live: Mapped[dict | None] = mapped_column(JSON, default=None)  # output tail + metrics while running
    # The hidden seeds the last run drew (regrades reuse them); never part of the student-facing result.
    hidden_seeds: Mapped[list | None] = mapped_column(JSON, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    graded_at: Mapped[datetime | None] = mapped_column(default=None)


class GradingJob(Base):
    __tablename__ = "grading_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"), unique=True)
    queue: Mapped[str] = mapped_column(String(8), default="cpu")
    state: Mapped[str] = mapped_column(String(12), default="queued", index=True)  # queued|running|done
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claim_token: Mapped[str | None] = mapped_column(String(40), default=None)
    worker: Mapped[str | None] = mapped_column(String(200), default=None)
    enqueued_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The job row is the outbox: NULL until the task reached the broker (the relay sends it otherwise).
    sent_at: Mapped[datetime | None] = mapped_column(default=None, index=True)
    heartbeat_at: Mapped[datetime | None] = mapped_column(default=None)  # a running worker's sign of life
    claimed_at: Mapped[datetime | None] = mapped_column(default=None)
    deadline_at: Mapped[datetime | None] = mapped_column(default=None, index=True)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)


class LabDraft(Base):
    __tablename__ = "lab_drafts"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    lab_id: Mapped[str] = mapped_column(ForeignKey("labs.id"), primary_key=True)
    code: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
