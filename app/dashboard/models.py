"""Pacing (due dates, extensions), gradebook settings and exports, and the pre-computed progress summaries
that the dashboard reads (kept current by app.dashboard.summary whenever progress changes)."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, utcnow


class CohortPacing(Base):
    """A cohort's pace and at-risk thresholds. No row means the defaults below."""
    __tablename__ = "cohort_pacing"

    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"), primary_key=True)
    days_per_week: Mapped[int] = mapped_column(Integer, default=7)
    inactive_days: Mapped[int] = mapped_column(Integer, default=7)
    behind_weeks: Mapped[int] = mapped_column(Integer, default=2)
    check_failures: Mapped[int] = mapped_column(Integer, default=3)
    quiz_failures: Mapped[int] = mapped_column(Integer, default=2)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class CohortDueDate(Base):
    """An edited due date for one week of one cohort (otherwise start + N x pace)."""
    __tablename__ = "cohort_due_dates"

    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"), primary_key=True)
    week_number: Mapped[int] = mapped_column(Integer, primary_key=True)
    due_date: Mapped[date] = mapped_column(Date)


class Extension(Base):
    """A later due date for one student and one week, given by an instructor."""
    __tablename__ = "extensions"
    __table_args__ = (UniqueConstraint("cohort_id", "user_id", "week_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    week_number: Mapped[int] = mapped_column(Integer)
    due_date: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(300), default="")
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class GradebookSettings(Base):
    """Category weights for the course total (one row, id 1). Capstone labs are listed by id."""
    __tablename__ = "gradebook_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    weight_checklist: Mapped[float] = mapped_column(Float, default=10.0)
    weight_quizzes: Mapped[float] = mapped_column(Float, default=30.0)
    weight_labs: Mapped[float] = mapped_column(Float, default=40.0)
    weight_capstone: Mapped[float] = mapped_column(Float, default=20.0)
    capstone_labs: Mapped[list] = mapped_column(JSON, default=list)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), default=None)


class GradebookExport(Base):
    """A CSV export generated in the background; the file lives in the data dir."""
    __tablename__ = "gradebook_exports"

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"), index=True)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    status: Mapped[str] = mapped_column(String(12), default="queued")  # queued|running|done|error
    token: Mapped[str] = mapped_column(String(40))
    rows: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)


class LabProgress(Base):
    """One student's history on one lab, summarised."""
    __tablename__ = "lab_progress"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    lab_id: Mapped[str] = mapped_column(ForeignKey("labs.id", ondelete="CASCADE"), primary_key=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    best_score: Mapped[float | None] = mapped_column(Float, default=None)
    max_score: Mapped[float] = mapped_column(Float, default=0.0)
    passed: Mapped[bool] = mapped_column(Boolean, default=False)
    attempts_to_pass: Mapped[int | None] = mapped_column(Integer, default=None)
    first_at: Mapped[datetime | None] = mapped_column(default=None)
    last_at: Mapped[datetime | None] = mapped_column(default=None)
    first_pass_at: Mapped[datetime | None] = mapped_column(default=None)
    seconds_to_pass: Mapped[float | None] = mapped_column(Float, default=None)  # first submission -> first pass
    stuck_check: Mapped[str | None] = mapped_column(String(120), default=None)
    stuck_count: Mapped[int] = mapped_column(Integer, default=0)


class LabCheckFailure(Base):
    """How many graded submissions of one student failed one check of one lab."""
    __tablename__ = "lab_check_failures"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    lab_id: Mapped[str] = mapped_column(ForeignKey("labs.id", ondelete="CASCADE"), primary_key=True)
    check_name: Mapped[str] = mapped_column(String(120), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)


class WeekProgress(Base):
    """One student's progress on one week: the heatmap cell and its parts."""
    __tablename__ = "week_progress"
    __table_args__ = (Index("ix_week_progress_user_done", "user_id", "done_on"),)  # covers the progress chart

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    week_number: Mapped[int] = mapped_column(Integer, primary_key=True)
    items_done: Mapped[int] = mapped_column(Integer, default=0)
    items_total: Mapped[int] = mapped_column(Integer, default=0)
    lab_score: Mapped[float] = mapped_column(Float, default=0.0)
    lab_max: Mapped[float] = mapped_column(Float, default=0.0)
    labs_done: Mapped[float] = mapped_column(Float, default=0.0)  # sum of per-lab best/max fractions
    labs_total: Mapped[int] = mapped_column(Integer, default=0)
    quiz_score: Mapped[float | None] = mapped_column(Float, default=None)
    quiz_max: Mapped[float] = mapped_column(Float, default=0.0)
    quiz_passed: Mapped[bool] = mapped_column(Boolean, default=False)
    quiz_attempts: Mapped[int] = mapped_column(Integer, default=0)
    has_quiz: Mapped[bool] = mapped_column(Boolean, default=False)
    fraction: Mapped[float] = mapped_column(Float, default=0.0)
    last_work_at: Mapped[datetime | None] = mapped_column(default=None)
    done_on: Mapped[date | None] = mapped_column(Date, default=None)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class StudentProgress(Base):
    """One student's whole-course summary: what the dashboard sorts, filters and counts on."""
    __tablename__ = "student_progress"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    overall: Mapped[float] = mapped_column(Float, default=0.0)
    weeks_done: Mapped[int] = mapped_column(Integer, default=0)
    items_done: Mapped[int] = mapped_column(Integer, default=0)
    lab_attempts: Mapped[int] = mapped_column(Integer, default=0)
    quiz_attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_activity_at: Mapped[datetime | None] = mapped_column(default=None)
    stuck_lab: Mapped[str | None] = mapped_column(String(10), default=None)
    stuck_check: Mapped[str | None] = mapped_column(String(120), default=None)
    stuck_count: Mapped[int] = mapped_column(Integer, default=0)
    quiz_fail_week: Mapped[int | None] = mapped_column(Integer, default=None)
    quiz_fail_count: Mapped[int] = mapped_column(Integer, default=0)
    done_dates: Mapped[list] = mapped_column(JSON, default=list)  # ISO dates the done weeks were done, sorted
    shape_key: Mapped[str] = mapped_column(String(16), default="")  # the course shape it was computed for
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


from app.dashboard import summary as _summary  # noqa: E402,F401 - registers the listeners that keep summaries current
