"""A student's attempts at a lab are numbered 1, 2, 3... and the database refuses a repeated number."""
from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.labs.models import Submission
from app.labs.service import submit

CODE = "def word_counts(text):\n    return {}\n"


def test_attempts_count_up_per_student_and_lab(factory, db):
    student, other = factory.user(), factory.user()
    numbers = [submit(db, student, "lab02", CODE).attempt for _ in range(3)]
    assert numbers == [1, 2, 3]
    assert submit(db, other, "lab02", CODE).attempt == 1


def test_a_repeated_attempt_number_is_refused_by_the_database(factory, db):
    student = factory.user()
    first = submit(db, student, "lab02", CODE)
    with pytest.raises(IntegrityError):
        with db.begin_nested():
            db.add(Submission(user_id=student.id, lab_id="lab02", attempt=first.attempt, filename="text_stats.py",
                              code=CODE, status="queued", max_score=1.0))
            db.flush()
    assert db.scalars(select(Submission.attempt).where(Submission.user_id == student.id)).all() == [1]
