"""The pre-computed summaries follow every change of progress: ticks, lab submissions, quiz attempts."""
from datetime import timedelta

from sqlalchemy import select

from app.core.db import utcnow
from app.core.tasks import DASHBOARD_REFRESH
from app.course.service import course_progress
from app.dashboard import summary
from app.dashboard.models import LabCheckFailure, LabProgress, StudentProgress, WeekProgress
from tests.app.dashboard.helpers import (
    cohort_started, complete_week, first_week_with_lab, items_of, labs_of, quiz_of, students_in,
)
from tests.conftest import login


def _result(**checks):
    return {"tests": [{"name": name, "passed": passed} for name, passed in checks.items()]}


def test_ticking_through_the_page_updates_the_summary_in_the_same_commit(client, factory, db):
    student = factory.user()
    token = login(client, student.email)
    item = items_of(db, 3)[0]
    response = client.post(f"/weeks/3/items/{item}", data={"done": "1", "csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303
    week = db.get(WeekProgress, (student.id, 3))
    assert week.items_done == 1 and week.items_total == len(items_of(db, 3))
    assert db.get(StudentProgress, student.id).items_done == 1
    client.post(f"/weeks/3/items/{item}", data={"done": "0", "csrf_token": token})
    db.expire_all()
    assert db.get(WeekProgress, (student.id, 3)).items_done == 0


def test_week_fractions_match_the_students_own_progress(db, factory):
    student = factory.user()
    number = first_week_with_lab(db)
    lab = labs_of(db, number)[0]
    for item_id in items_of(db, number)[:3]:
        factory.tick(student, item_id)
    factory.submission(student, lab.id, score=lab.max_score / 2, max_score=lab.max_score)
    quiz = quiz_of(db, number)
    factory.quiz_attempt(student, quiz, 8.0, 10.0, passed=True)
    factory.tick(student, items_of(db, 5)[0])
    summary.refresh_pending(db)
    rows = {w.week_number: w for w in db.scalars(select(WeekProgress).where(WeekProgress.user_id == student.id))}
    progress = course_progress(db, student)
    assert len(rows) == len(progress)
    for week in progress:
        assert rows[week.week.number].fraction == round(week.fraction, 6), week.week.number
    mine = rows[number]
    assert (mine.quiz_score, mine.quiz_max, mine.quiz_passed, mine.quiz_attempts) == (8.0, 10.0, True, 1)
    assert mine.lab_score == lab.max_score / 2
    overall = db.get(StudentProgress, student.id).overall
    assert abs(overall - sum(w.fraction for w in progress) / len(progress)) < 1e-6


def test_lab_progress_attempts_best_pass_and_stuck_check(db, factory):
    student = factory.user()
    lab = labs_of(db, first_week_with_lab(db))[0]
    top = lab.max_score
    start = utcnow() - timedelta(hours=5)
    history = [(2.0, _result(visible=True, hidden=False)), (3.0, _result(visible=True, hidden=False)),
               (1.0, _result(visible=False, hidden=False))]
    for i, (score, result) in enumerate(history):
        factory.submission(student, lab.id, score=score, max_score=top, result=result).created_at = \
            start + timedelta(hours=i)
    db.flush()
    summary.refresh_pending(db)
    row = db.get(LabProgress, (student.id, lab.id))
    assert (row.attempts, row.best_score, row.passed, row.stuck_check, row.stuck_count) == (3, 3.0, False, "hidden", 3)
    failures = dict(db.execute(select(LabCheckFailure.check_name, LabCheckFailure.failures)
                               .where(LabCheckFailure.user_id == student.id)).all())
    assert failures == {"hidden": 3, "visible": 1}
    me = db.get(StudentProgress, student.id)
    assert (me.stuck_lab, me.stuck_check, me.stuck_count, me.lab_attempts) == (lab.id, "hidden", 3, 3)
    factory.submission(student, lab.id, score=top, max_score=top,
                       result=_result(visible=True, hidden=True)).created_at = start + timedelta(hours=4)
    db.flush()
    summary.refresh_pending(db)
    db.expire_all()
    row = db.get(LabProgress, (student.id, lab.id))
    assert (row.passed, row.attempts_to_pass, row.stuck_check, row.stuck_count) == (True, 4, None, 0)
    assert row.seconds_to_pass == 4 * 3600
    assert db.get(StudentProgress, student.id).stuck_lab is None


def test_queued_and_errored_submissions_count_as_attempts_only(db, factory):
    student = factory.user()
    lab = labs_of(db, first_week_with_lab(db))[0]
    factory.submission(student, lab.id, status="queued", score=None)
    factory.submission(student, lab.id, status="error", score=0.0)
    summary.refresh_pending(db)
    row = db.get(LabProgress, (student.id, lab.id))
    assert (row.attempts, row.best_score, row.passed) == (2, None, False)


def test_quiz_failures_are_counted_until_passed(db, factory):
    student = factory.user()
    quiz = quiz_of(db, 2)
    factory.quiz_attempt(student, quiz, 3.0, 10.0, passed=False)
    factory.quiz_attempt(student, quiz, 5.0, 10.0, passed=False)
    factory.quiz_attempt(student, quiz, 0.0, 10.0, state="open")
    summary.refresh_pending(db)
    me = db.get(StudentProgress, student.id)
    assert (me.quiz_fail_week, me.quiz_fail_count, me.quiz_attempts) == (2, 2, 2)
    factory.quiz_attempt(student, quiz, 9.0, 10.0, passed=True)
    summary.refresh_pending(db)
    db.expire_all()
    me = db.get(StudentProgress, student.id)
    assert (me.quiz_fail_week, me.quiz_fail_count) == (None, 0)
    assert db.get(WeekProgress, (student.id, 2)).quiz_score == 9.0


def test_done_weeks_get_a_done_date_that_is_kept(db, factory):
    student = factory.user()
    when = utcnow() - timedelta(days=3)
    complete_week(factory, student, 1, when)
    summary.refresh_pending(db)
    week = db.get(WeekProgress, (student.id, 1))
    assert week.fraction == 1.0 and week.done_on == when.date()
    me = db.get(StudentProgress, student.id)
    assert me.weeks_done == 1 and me.done_dates == [when.date().isoformat()]
    summary.refresh_user(db, student.id)  # recomputing keeps the day it was first done
    db.expire_all()
    assert db.get(WeekProgress, (student.id, 1)).done_on == when.date()


def test_a_rolled_back_tick_leaves_the_summary_at_the_truth(db, factory):
    student = factory.user()
    nested = db.begin_nested()
    factory.tick(student, items_of(db, 1)[0])
    nested.rollback()
    summary.refresh_pending(db)  # the student was noted; the refresh reads what is really there
    assert db.get(WeekProgress, (student.id, 1)).items_done == 0
    assert db.get(StudentProgress, student.id).items_done == 0


def test_summaries_of_another_course_shape_are_recomputed(db, factory):
    from app.dashboard import service

    cohort = cohort_started(factory, factory.user("instructor"), 14)
    (student,) = students_in(factory, cohort, 1)
    factory.tick(student, items_of(db, 1)[0])
    summary.refresh_pending(db)
    row = db.get(StudentProgress, student.id)
    shape = summary.course_shape(db)
    assert row.shape_key == shape.key
    row.shape_key, row.items_done = "before-a-change", 99  # as if computed before a lab became gradeable
    db.flush()
    assert service.stale_students(db, cohort, shape) == [student.id]
    assert service.ensure_summaries(db, cohort, shape) == 0
    db.expire_all()
    assert db.get(StudentProgress, student.id).items_done == 1
    assert service.stale_students(db, cohort, shape) == []


def test_many_stale_summaries_go_to_the_background(db, factory, monkeypatch):
    from contextlib import contextmanager

    from app.dashboard import service

    sent = []
    monkeypatch.setattr("app.core.tasks.deliver",
                        lambda name, args, queue, on_sent=None: sent.append(args[0]) if name == DASHBOARD_REFRESH else None)
    monkeypatch.setattr(service, "_refresh_sent", {})
    cohort = cohort_started(factory, factory.user("instructor"), 14)
    students = students_in(factory, cohort, 3)
    assert service.ensure_summaries(db, cohort, inline_max=2) == 3
    assert db.get(StudentProgress, students[0].id) is None
    db.commit()  # the task is sent once the request commits
    assert sent == [cohort.id]
    assert service.ensure_summaries(db, cohort, inline_max=2) == 3 and sent == [cohort.id]  # not sent twice

    @contextmanager
    def same_session():
        yield db
        db.flush()

    monkeypatch.setattr(service, "session_scope", same_session)
    assert service.refresh_cohort(cohort.id, chunk=2) == 3
    assert all(db.get(StudentProgress, s.id) is not None for s in students)
    assert service.refresh_cohort(cohort.id) == 0


def test_a_failing_summary_refresh_never_loses_the_tick(client, factory, db, monkeypatch):
    student = factory.user()
    token = login(client, student.email)

    def broken(*_args, **_kwargs):
        raise RuntimeError("summary bug")

    monkeypatch.setattr(summary, "refresh", broken)
    item = items_of(db, 2)[0]
    response = client.post(f"/weeks/2/items/{item}", data={"done": "1", "csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303
    from app.course.models import ChecklistProgress

    assert db.get(ChecklistProgress, (student.id, item)).done is True
    assert db.get(WeekProgress, (student.id, 2)) is None


def test_a_busy_database_defers_the_refresh_to_the_background(db, factory, monkeypatch):
    from sqlalchemy.exc import OperationalError

    from app.dashboard import service

    sent = []
    monkeypatch.setattr("app.core.tasks.deliver",
                        lambda name, args, queue, on_sent=None: sent.append(args[0]) if name == DASHBOARD_REFRESH else None)
    monkeypatch.setattr(service, "_refresh_sent", {})
    cohort = cohort_started(factory, factory.user("instructor"), 14)
    students_in(factory, cohort, 2)

    def busy(*_args, **_kwargs):
        raise OperationalError("UPDATE", {}, Exception("database is locked"))

    monkeypatch.setattr(summary, "refresh", busy)
    board = service.dashboard(db, cohort, service.Query())
    assert board.recomputing == 2 and board.numbers["students"] == 2  # the page still renders
    db.commit()
    assert sent == [cohort.id]
