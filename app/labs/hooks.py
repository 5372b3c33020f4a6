"""Things that happen when a submission is graded (e.g. review flags, summaries). Kept in one place so
other domains can add to it without touching the job runner."""
from __future__ import annotations

from sqlalchemy.orm import Session

from app.labs.models import Submission


def after_submitted(db: Session, submission: Submission) -> None:
    from app.review.service import on_submitted

    on_submitted(db, submission)  # a lab graded by hand (the capstone) is queued for a grader at once


def after_graded(db: Session, submission: Submission) -> None:
    from app.review.service import on_graded

    on_graded(db, submission)  # audit row, review-queue entries, feedback hold
    if not feedback_held(submission):
        from app.labs.service import tick_lab_item

        tick_lab_item(db, submission)  # full marks tick the lab's own checklist item


def feedback_held(submission: Submission) -> bool:
    """True while a grader holds this submission's feedback: the student sees it as awaiting review."""
    from app.review.service import submission_held

    return submission_held(submission)
