"""Per-student submission limits: how many may wait or run at once, and how many may come per window.

Counted from the submissions table inside the submitting request's transaction, so the answer is the same
on every web process and needs no broker; the student's row is locked first (PostgreSQL; SQLite serialises
writers anyway), so two simultaneous requests cannot both take the last place. Staff are exempt: they
submit reference solutions and regrades, not floods."""
from __future__ import annotations

from datetime import timedelta

from limits import parse_many
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.config import get_settings
from app.core.db import utcnow
from app.core.errors import AppError
from app.labs.models import Submission
from app.users.models import User

ACTIVE_STATUSES = ("queued", "running")


def enforce_submission_limits(db: Session, user: User) -> None:
    """429 with the reason when the student may not submit now; writes nothing."""
    if user.is_staff:
        return
    settings = get_settings()
    db.execute(select(User.id).where(User.id == user.id).with_for_update())
    _refuse_when_queue_full(db, user, settings.max_active_submissions)
    _refuse_when_too_fast(db, user, settings.submission_rate_limit)


def _refuse_when_queue_full(db: Session, user: User, limit: int) -> None:
    active = db.scalar(select(func.count()).select_from(Submission)
                       .where(Submission.user_id == user.id, Submission.status.in_(ACTIVE_STATUSES))) or 0
    if active >= limit:
        raise AppError(429, f"You already have {active} submission{'s' if active != 1 else ''} waiting to be "
                            f"graded (at most {limit} at once). Submit again when one of them has finished.",
                       "queue_quota")


def _refuse_when_too_fast(db: Session, user: User, rule: str) -> None:
    for item in parse_many(rule):
        window = timedelta(seconds=item.get_expiry())
        recent = db.scalar(select(func.count()).select_from(Submission)
                           .where(Submission.user_id == user.id, Submission.created_at > utcnow() - window)) or 0
        if recent >= item.amount:
            raise AppError(429, f"You have submitted {recent} times in the last {_window_words(item)} (at most "
                                f"{item.amount}). Please wait a little before submitting again.",
                           "submission_rate")


def _window_words(item) -> str:
    unit = item.GRANULARITY.name
    return unit if item.multiples == 1 else f"{item.multiples} {unit}s"
