"""Grader workflow tables: the score audit trail, the review queue, feedback holds, rubrics, regrade
requests and regrade-all runs."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, utcnow

SCORE_CHANGE_KINDS = ("auto", "regrade", "override", "rubric")
QUEUE_REASONS = ("manual_review", "regrade_request", "similarity", "platform_error")


class ScoreChange(Base):
    """Every change of a submission's score: who, when, old, new and why. Written only by
    app.review.service.record_auto_grade / change_score."""

    __tablename__ = "score_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # auto|regrade|override|rubric
    old_score: Mapped[float | None] = mapped_column(Float, default=None)
    new_score: Mapped[float | None] = mapped_column(Float, default=None)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), default=None)
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReviewItem(Base):
    """One entry of the review queue: a submission that needs a human, and why."""

    __tablename__ = "review_queue"
    __table_args__ = (Index("ix_review_queue_state_created", "state", "created_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"), index=True)
    lab_id: Mapped[str] = mapped_column(ForeignKey("labs.id"), index=True)
    reason: Mapped[str] = mapped_column(String(20))  # manual_review|regrade_request|similarity|platform_error
    state: Mapped[str] = mapped_column(String(12), default="open")  # open|resolved
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), default=None,
                                                    index=True)
    regrade_request_id: Mapped[int | None] = mapped_column(
        ForeignKey("regrade_requests.id", ondelete="CASCADE"), default=None)
    similarity_pair_id: Mapped[int | None] = mapped_column(
        ForeignKey("similarity_pairs.id", ondelete="CASCADE"), default=None)
    detail: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    assigned_at: Mapped[datetime | None] = mapped_column(default=None)
    resolved_at: Mapped[datetime | None] = mapped_column(default=None)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), default=None)
    resolution: Mapped[str] = mapped_column(Text, default="")


class SubmissionReview(Base):
    """Per-submission review state: whether feedback is held, and the grader's overall comment."""

    __tablename__ = "submission_reviews"

    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"), primary_key=True)
    held: Mapped[bool] = mapped_column(Boolean, default=False)
    held_at: Mapped[datetime | None] = mapped_column(default=None)
    released_at: Mapped[datetime | None] = mapped_column(default=None)
    released_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), default=None)
    comment: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), default=None)


class LabReviewSetting(Base):
    """Per-lab feedback policy; without a row, labs with `manual_review` in their manifest hold feedback."""

    __tablename__ = "lab_review_settings"

    lab_id: Mapped[str] = mapped_column(ForeignKey("labs.id"), primary_key=True)
    hold_feedback: Mapped[bool] = mapped_column(Boolean, default=False)
    # Anonymous grading: graders see a pseudonym instead of the student's name until the feedback is released.
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), default=None)


class RubricItem(Base):
    """A reusable rubric line of a lab: a signed point adjustment and a default comment."""

    __tablename__ = "rubric_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    lab_id: Mapped[str] = mapped_column(ForeignKey("labs.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(String(200))
    points: Mapped[float] = mapped_column(Float, default=0.0)
    comment: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), default=None)


class RubricMark(Base):
    """A rubric item applied to a submission, with the grader's comment."""

    __tablename__ = "rubric_marks"

    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"), primary_key=True)
    rubric_item_id: Mapped[int] = mapped_column(ForeignKey("rubric_items.id", ondelete="CASCADE"), primary_key=True)
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), default=None)


class SavedComment(Base):
    """A reusable comment of a lab's comment bank."""

    __tablename__ = "saved_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    lab_id: Mapped[str] = mapped_column(ForeignKey("labs.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), default=None)


class RegradeRequest(Base):
    __tablename__ = "regrade_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"), index=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    state: Mapped[str] = mapped_column(String(12), default="open")  # open|resolved
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(default=None)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), default=None)


class RegradeMessage(Base):
    __tablename__ = "regrade_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("regrade_requests.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), default=None)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class RegradeRun(Base):
    """Re-running grading for every latest submission of a lab (scope "lab", optionally one cohort's) or for
    one submission."""

    __tablename__ = "regrade_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    lab_id: Mapped[str] = mapped_column(ForeignKey("labs.id"), index=True)
    scope: Mapped[str] = mapped_column(String(12), default="lab")  # lab|submission
    state: Mapped[str] = mapped_column(String(12), default="running")  # running|done
    reason: Mapped[str] = mapped_column(Text, default="")
    lab_hash: Mapped[str] = mapped_column(String(64), default="")
    total: Mapped[int] = mapped_column(Integer, default=0)
    # A lab regrade is a dry run first: workers grade, scores stay; an instructor then applies the results
    # (applied_at), which changes only the scores that moved and notifies only those students.
    dry_run: Mapped[bool] = mapped_column(Boolean, default=False)
    cohort_id: Mapped[int | None] = mapped_column(ForeignKey("cohorts.id", ondelete="SET NULL"), default=None)
    applied_at: Mapped[datetime | None] = mapped_column(default=None)
    applied_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), default=None)
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)


class RegradeItem(Base):
    """One submission of a regrade run, claimed by a worker with a conditional update."""

    __tablename__ = "regrade_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("regrade_runs.id", ondelete="CASCADE"), index=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"), index=True)
    state: Mapped[str] = mapped_column(String(12), default="queued")  # queued|running|done|error|skipped
    claim_token: Mapped[str | None] = mapped_column(String(40), default=None)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    deadline_at: Mapped[datetime | None] = mapped_column(default=None)
    old_score: Mapped[float | None] = mapped_column(Float, default=None)
    old_status: Mapped[str | None] = mapped_column(String(16), default=None)
    new_score: Mapped[float | None] = mapped_column(Float, default=None)  # the new automatic score
    new_status: Mapped[str | None] = mapped_column(String(16), default=None)
    # the score after the run: differs from new_score when a grader's override or rubric score stands
    final_score: Mapped[float | None] = mapped_column(Float, default=None)
    kept_override: Mapped[bool] = mapped_column(Boolean, default=False)
    changed_checks: Mapped[list] = mapped_column(JSON, default=list)
    result: Mapped[dict | None] = mapped_column(JSON, default=None)  # a dry run's new result, kept to apply
    applied: Mapped[str] = mapped_column(String(12), default="")  # ""|changed|unchanged|superseded|kept
    error: Mapped[str] = mapped_column(Text, default="")
    finished_at: Mapped[datetime | None] = mapped_column(default=None)
