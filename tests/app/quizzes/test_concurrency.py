"""Two tabs at once, on real separate connections with committed data (SQLite here, PostgreSQL in CI):
a double submit is counted once, and a double start opens one attempt."""
import threading
from datetime import date

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from app.cohorts.models import Cohort, Enrollment
from app.core.db import utcnow
from app.core.errors import AppError
from app.quizzes import service
from app.quizzes.models import QuizAnswer, QuizAttempt
from app.users.models import User
from tests.app.quizzes.helpers import answers_for


@pytest.fixture
def committed_student(migrated_engine, synced_content):
    with Session(migrated_engine) as db:
        user = User(email="race@example.com", name="Racer", password_hash="x", role="student")
        cohort = Cohort(name="Race cohort", start_date=date(2026, 9, 1), invite_code="RACE0001")
        db.add_all([user, cohort])
        db.flush()
        db.add(Enrollment(user_id=user.id, cohort_id=cohort.id))
        db.commit()
        user_id, cohort_id = user.id, cohort.id
    yield user_id
    with Session(migrated_engine) as db:
        attempt_ids = select(QuizAttempt.id).where(QuizAttempt.user_id == user_id)
        db.execute(delete(QuizAnswer).where(QuizAnswer.attempt_id.in_(attempt_ids)))
        db.execute(delete(QuizAttempt).where(QuizAttempt.user_id == user_id))
        db.execute(delete(Enrollment).where(Enrollment.user_id == user_id))
        db.execute(delete(Cohort).where(Cohort.id == cohort_id))
        db.execute(delete(User).where(User.id == user_id))
        db.commit()


def race(engine, monkeypatch, operation):
    """Run `operation(db, user)` in two threads that both read before either writes (a barrier in utcnow,
    which both operations call right before their first write); each thread commits its own session."""
    barrier = threading.Barrier(2)
    waited = threading.local()

    def synced_now():
        if not getattr(waited, "done", False):
            waited.done = True
            barrier.wait(timeout=10)
        return utcnow()

    monkeypatch.setattr(service, "utcnow", synced_now)
    results: list = [None, None]

    def run(index: int) -> None:
        with Session(engine, expire_on_commit=False) as db:
            try:
                results[index] = service.with_retry(db, operation)
                db.commit()
            except AppError as exc:
                db.rollback()
                results[index] = exc
            except BaseException as exc:  # noqa: BLE001 - reported by the test
                db.rollback()
                results[index] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_two_submits_of_one_attempt_count_once(migrated_engine, committed_student, monkeypatch):
    with Session(migrated_engine, expire_on_commit=False) as db:
        user = db.get(User, committed_student)
        attempt, _ = service.start_attempt(db, user, "quiz-week02")
        answers = answers_for(db, attempt)
        answers = {qid: a for qid, a in answers.items() if not str(a).startswith("def ")}  # keep the race quick
        db.commit()
        attempt_id = attempt.id

    def submit(db):
        return service.submit_attempt(db, db.get(User, committed_student), attempt_id, answers)

    results = race(migrated_engine, monkeypatch, submit)
    errors = [r for r in results if isinstance(r, BaseException)]
    assert len(errors) == 1, results
    assert isinstance(errors[0], AppError) and errors[0].status_code == 409, errors[0]
    assert errors[0].code in ("attempt_closed", "already_submitted") and "already submitted" in errors[0].message
    with Session(migrated_engine) as db:
        attempt = db.get(QuizAttempt, attempt_id)
        assert attempt.state == "submitted" and attempt.score is not None and attempt.score > 0
        rows = db.scalar(select(func.count()).select_from(QuizAnswer).where(QuizAnswer.attempt_id == attempt_id))
        assert rows == len(attempt.layout)
        submitted = db.scalar(select(func.count()).select_from(QuizAttempt).where(
            QuizAttempt.user_id == committed_student, QuizAttempt.state == "submitted"))
        assert submitted == 1


def test_two_starts_open_one_attempt(migrated_engine, committed_student, monkeypatch):
    def start(db):
        attempt, created = service.start_attempt(db, db.get(User, committed_student), "quiz-week02")
        return attempt.id, created

    results = race(migrated_engine, monkeypatch, start)
    assert not any(isinstance(r, BaseException) for r in results), results
    assert results[0][0] == results[1][0]
    assert sorted(created for _, created in results) == [False, True]
    with Session(migrated_engine) as db:
        assert db.scalar(select(func.count()).select_from(QuizAttempt)
                         .where(QuizAttempt.user_id == committed_student)) == 1
