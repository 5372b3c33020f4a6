"""Building blocks for constructed student histories (the course content is read from the database, so the
tests follow the real course whatever labs and quizzes it has)."""
from __future__ import annotations

from contextlib import contextmanager
from datetime import date, datetime, timedelta

from sqlalchemy import event, select

from app.core.db import utcnow
from app.course.models import ChecklistItem, Week
from app.labs.models import Lab
from app.quizzes.models import Quiz


def week_id(number: int) -> str:
    return f"week{number:02d}"


def items_of(db, number: int) -> list[str]:
    return list(db.scalars(select(ChecklistItem.id).where(ChecklistItem.week_id == week_id(number),
                                                          ChecklistItem.active.is_(True))
                           .order_by(ChecklistItem.position)))


def labs_of(db, number: int) -> list[Lab]:
    return list(db.scalars(select(Lab).where(Lab.week_id == week_id(number), Lab.gradeable.is_(True))
                           .order_by(Lab.position)))


def quiz_of(db, number: int) -> Quiz | None:
    return db.scalar(select(Quiz).where(Quiz.week_id == week_id(number), Quiz.active.is_(True)))


def first_week_with_lab(db) -> int:
    return db.scalar(select(Week.number).join(Lab, Lab.week_id == Week.id).where(Lab.gradeable.is_(True))
                     .order_by(Week.number).limit(1))


def set_created(db, submission, when: datetime) -> None:
    submission.created_at = when
    db.flush()


def complete_week(factory, student, number: int, when: datetime | None = None, skip_labs: tuple = ()) -> None:
    """Every checklist item ticked, every gradeable lab at full marks (but `skip_labs`), the quiz passed."""
    db = factory.db
    when = when or utcnow()
    for item_id in items_of(db, number):
        factory.tick(student, item_id, when)
    for lab in labs_of(db, number):
        if lab.id in skip_labs:
            continue
        sub = factory.submission(student, lab.id, score=lab.max_score, max_score=lab.max_score,
                                 result={"tests": [{"name": "all", "passed": True}]})
        set_created(db, sub, when)
    quiz = quiz_of(db, number)
    if quiz is not None:
        factory.quiz_attempt(student, quiz, 10.0, 10.0, passed=True, submitted_at=when)


def cohort_started(factory, instructor, days_ago: int, name: str = "Cohort"):
    return factory.cohort(name=name, creator=instructor, start_date=date.today() - timedelta(days=days_ago))


def students_in(factory, cohort, n: int, prefix: str = "Student") -> list:
    out = []
    for i in range(n):
        student = factory.user(enrolled=False, name=f"{prefix} {i:03d}")
        enrollment = factory.enroll(student, cohort)
        enrollment.created_at = utcnow() - timedelta(days=60)
        out.append(student)
    factory.db.flush()
    return out


@contextmanager
def count_queries(engine):
    """Counts the SQL statements run inside the block: `with count_queries(engine) as n: ...; n[0]`."""
    counter = [0]

    def before(*_args):
        counter[0] += 1

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield counter
    finally:
        event.remove(engine, "before_cursor_execute", before)
