"""`demo seed`: a cohort of synthetic students with a history the dashboard can show."""
from datetime import datetime, timezone

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from app.cli import cli
from app.cohorts.models import Enrollment
from app.core.errors import AppError
from app.dashboard import analytics, service
from app.dashboard.models import LabProgress, StudentProgress, WeekProgress
from app.demo.seed import seed
from app.labs.models import Submission
from app.quizzes.models import QuizAnswer, QuizAttempt
from app.users.models import User

NOW = datetime(2026, 11, 20, 12, tzinfo=timezone.utc)


def test_seed_fills_a_cohort_with_a_realistic_history(db):
    report = seed(db, 40, weeks=8, rng_seed=7, now=NOW)
    cohort = report.cohort
    students = list(db.scalars(select(Enrollment.user_id).where(Enrollment.cohort_id == cohort.id)))
    assert report.students == len(students) == 40
    assert db.scalar(select(User.role).where(User.email == report.instructor_email)) == "instructor"
    assert report.ticks > 40 and report.submissions > 0 and report.quiz_attempts > 0
    subs = db.scalars(select(Submission).where(Submission.user_id.in_(students))).all()
    assert all(s.status == "graded" and s.result["tests"] and s.created_at <= NOW for s in subs)
    assert all(0 <= s.score <= s.max_score for s in subs)
    answers = db.scalar(select(func.count()).select_from(QuizAnswer).join(QuizAttempt)
                        .where(QuizAttempt.user_id.in_(students)))
    assert answers >= report.quiz_attempts
    # summaries are computed for everyone
    assert db.scalar(select(func.count()).select_from(StudentProgress)
                     .where(StudentProgress.user_id.in_(students))) == 40
    assert db.scalar(select(func.count()).select_from(WeekProgress).where(WeekProgress.user_id.in_(students))) == 40 * 33
    assert db.scalar(select(func.count()).select_from(LabProgress).where(LabProgress.user_id.in_(students))) > 0
    board = service.dashboard(db, cohort, service.Query(), now=NOW)
    numbers = board.numbers
    assert numbers["students"] == 40
    assert numbers["on_pace"] + numbers["behind"] == 40
    assert 0 < numbers["at_risk"] < 40  # personas: some students struggle, most do not
    assert board.charts["progress"]["labels"][:2] == ["Week 1", "Week 2"]
    overall = db.scalars(select(StudentProgress.overall).where(StudentProgress.user_id.in_(students))).all()
    assert board.charts["distribution"]["counts"] == analytics.histogram(overall)  # SQL bins = Python bins


def test_same_seed_same_history(db):
    first = seed(db, 10, weeks=4, rng_seed=3, now=NOW)
    second = seed(db, 10, weeks=4, rng_seed=3, now=NOW)
    assert (first.ticks, first.submissions, first.quiz_attempts) == (second.ticks, second.submissions,
                                                                     second.quiz_attempts)
    assert first.instructor_password is not None and second.instructor_password is None  # reused account


@pytest.mark.parametrize("students,weeks", [(0, 5), (20_001, 5), (10, -1)])
def test_seed_refuses_bad_sizes(db, students, weeks):
    before = db.scalar(select(func.count()).select_from(User))
    with pytest.raises(AppError):
        seed(db, students, weeks=weeks)
    assert db.scalar(select(func.count()).select_from(User)) == before


def test_cli_rejects_a_bad_size_with_a_message(migrated_engine, synced_content):
    result = CliRunner().invoke(cli, ["demo", "seed", "--students", "0"])
    assert result.exit_code == 1
    assert "--students must be between 1 and 20000" in result.output
