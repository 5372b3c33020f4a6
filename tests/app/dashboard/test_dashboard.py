"""The dashboard: at-risk reasons on constructed histories, cohort numbers, filters, role checks, HTMX
fragments, bounded queries, the drill-down and the statistics pages."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.core.db import utcnow
from app.dashboard import service
from app.labs.models import Submission
from tests.app.dashboard.helpers import (
    complete_week, cohort_started, count_queries, first_week_with_lab, labs_of, quiz_of, students_in,
)
from tests.conftest import login


def _constructed_cohort(factory):
    """Started 35 days ago: weeks 1-4 are due (expected 4)."""
    db = factory.db
    instructor = factory.user("instructor")
    cohort = cohort_started(factory, instructor, 35, "Constructed")
    healthy, inactive, never, behind, stuck, quizzer = students_in(factory, cohort, 6)
    names = ["Healthy", "Inactive", "Never", "Behind", "Stuck", "Quizzer"]
    for student, name in zip((healthy, inactive, never, behind, stuck, quizzer), names):
        student.name = name
    now = utcnow()
    lab = labs_of(db, first_week_with_lab(db))[0]
    for week in range(1, 5):
        complete_week(factory, healthy, week, now - timedelta(hours=2))
        complete_week(factory, inactive, week, now - timedelta(days=10))
        complete_week(factory, stuck, week, now - timedelta(hours=3), skip_labs=(lab.id,))
        complete_week(factory, quizzer, week, now - timedelta(hours=4))
    complete_week(factory, behind, 1, now - timedelta(hours=1))
    for i in range(3):
        factory.submission(stuck, lab.id, score=0.0, max_score=lab.max_score,
                           result={"tests": [{"name": "shape_check", "passed": False}]}).created_at = \
            now - timedelta(hours=3 - i)
    quiz = quiz_of(db, 5)
    factory.quiz_attempt(quizzer, quiz, 2.0, 10.0, passed=False, submitted_at=now - timedelta(hours=1))
    factory.quiz_attempt(quizzer, quiz, 4.0, 10.0, passed=False, submitted_at=now - timedelta(minutes=30))
    db.flush()
    return instructor, cohort, {"healthy": healthy, "inactive": inactive, "never": never, "behind": behind,
                                "stuck": stuck, "quiz": quizzer}, lab


def test_at_risk_reasons_on_constructed_histories(db, factory):
    _, cohort, people, lab = _constructed_cohort(factory)
    board = service.dashboard(db, cohort, service.Query(sort="name", per_page=25))
    by_id = {s.user_id: s for s in board.students}
    reasons = {key: [r.code for r in by_id[p.id].reasons] for key, p in people.items()}
    assert reasons == {"healthy": [], "inactive": ["inactive"], "never": ["inactive", "behind"],
                       "behind": ["behind"], "stuck": ["stuck"], "quiz": ["quiz"]}
    assert by_id[people["stuck"].id].weeks_done == 4  # the precondition: only the lab check is wrong
    texts = {key: [r.text for r in by_id[p.id].reasons] for key, p in people.items()}
    assert texts["inactive"] == ["Inactive for 10 days"]
    assert texts["behind"] == ["Behind the cohort's pace by 3 weeks (1 of 4 due weeks done)"]
    assert texts["stuck"] == [f"Failed the check shape_check of {lab.id} 3 times in a row"]
    assert texts["quiz"] == ["Below the pass mark on the week 5 quiz 2 times"]
    assert texts["never"][0] == "No activity in the 35 days since joining"
    # the SQL that counts and lists agrees with the wording, most urgent first
    assert board.numbers["at_risk"] == 5
    assert [s.name for s in board.at_risk][0] == "Never"
    assert {s.user_id for s in board.at_risk} == {p.id for k, p in people.items() if k != "healthy"}
    assert board.numbers | {"average": 0} == {"students": 6, "active": 4, "on_pace": 4, "behind": 2, "finished": 0,
                                              "at_risk": 5, "average": 0}
    assert sum(board.charts["distribution"]["counts"]) == 6


def test_thresholds_come_from_the_cohorts_pacing(db, factory):
    from app.dashboard import pacing

    _, cohort, people, _ = _constructed_cohort(factory)
    pacing.update_pacing(db, cohort, {"inactive_days": "11", "behind_weeks": "4", "check_failures": "4",
                                      "quiz_failures": "3"})
    board = service.dashboard(db, cohort, service.Query(sort="name"))
    flagged = {s.name: [r.code for r in s.reasons] for s in board.students if s.reasons}
    assert flagged == {"Never": ["inactive", "behind"]}  # 4 weeks behind, 35 days idle
    assert board.numbers["at_risk"] == 1


def test_filters_search_sort_and_pages(db, factory):
    _, cohort, people, _ = _constructed_cohort(factory)

    def names(**kw):
        return [s.name for s in service.dashboard(db, cohort, service.Query(**kw)).students]

    assert names(status="at_risk", sort="name") == ["Behind", "Inactive", "Never", "Quizzer", "Stuck"]
    assert names(status="behind", sort="name") == ["Behind", "Never"]
    assert names(status="inactive", sort="name") == ["Inactive", "Never"]
    assert names(q="QUIZ") == ["Quizzer"]
    assert names(q=people["stuck"].email) == ["Stuck"]
    assert names(sort="-progress")[:2] == ["Never", "Behind"]
    assert names(sort="activity")[-1] == "Never"  # never active: last
    assert names(sort="behind")[0] == "Never"
    board = service.dashboard(db, cohort, service.Query(sort="name", per_page=25, page=2))
    assert board.students == [] and board.total == 6 and board.pages == 1


@pytest.mark.parametrize("params,message", [
    ("sort=bogus", "Sort by one of"), ("status=lost", "Filter by one of"), ("page=0", "Pages start at 1"),
    ("per_page=7", "students per page"), ("page=x", "whole numbers"), ("cohort=abc", "by its number"),
])
def test_bad_dashboard_parameters_are_400(client, factory, params, message):
    instructor = factory.user("instructor")
    cohort = cohort_started(factory, instructor, 10)
    login(client, instructor.email)
    page = client.get(f"/instructor?cohort={cohort.id}&{params}" if "cohort" not in params else f"/instructor?{params}")
    assert page.status_code == 400 and message in page.text
    toast = client.get(f"/instructor?cohort={cohort.id}&{params}" if "cohort" not in params else f"/instructor?{params}",
                       headers={"HX-Request": "true"})
    assert toast.status_code == 400 and toast.headers["HX-Retarget"] == "#toasts"


def test_dashboard_page_and_htmx_fragment(client, factory):
    instructor, cohort, people, _ = _constructed_cohort(factory)
    login(client, instructor.email)
    page = client.get(f"/instructor?cohort={cohort.id}")
    assert page.status_code == 200
    assert "<h1>Constructed" in page.text and 'id="chart-progress-data"' in page.text
    assert "/static/vendor/chart-4.4.7.umd.min.js" in page.text
    assert f'href="/instructor/cohorts/{cohort.id}/students/{people["never"].id}"' in page.text
    assert "No activity in the 35 days since joining" in page.text
    assert page.text.count('<td class="heat') == 6 * 33
    fragment = client.get(f"/instructor?cohort={cohort.id}&status=behind&sort=name",
                          headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert fragment.text.lstrip().startswith('<div id="students"') and "<html" not in fragment.text
    assert fragment.text.count('<th scope="row"') == 2 and ">Behind</a>" in fragment.text
    restore = client.get(f"/instructor?cohort={cohort.id}&status=behind",
                         headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert "<html" in restore.text  # back button after a history cache miss: the whole page


def test_instructor_without_cohorts_sees_how_to_start(client, factory):
    login(client, factory.user("instructor").email)
    page = client.get("/instructor")
    assert page.status_code == 200 and "You have no cohorts yet" in page.text


def test_dashboard_defaults_to_the_latest_own_cohort(client, factory):
    instructor = factory.user("instructor")
    cohort_started(factory, instructor, 100, "Old one")
    cohort_started(factory, instructor, 5, "New one")
    cohort_started(factory, factory.user("instructor"), 1, "Not mine")
    login(client, instructor.email)
    page = client.get("/instructor")
    assert "<h1>New one" in page.text and "Not mine" not in page.text


@pytest.mark.parametrize("role,status", [("student", 403), ("grader", 403), ("other_instructor", 403),
                                         ("instructor", 200), ("admin", 200)])
def test_who_may_see_a_cohorts_pages(client, factory, role, status):
    owner = factory.user("instructor")
    cohort = cohort_started(factory, owner, 20)
    (student,) = students_in(factory, cohort, 1)
    viewer = {"instructor": owner, "other_instructor": factory.user("instructor")}.get(role) or factory.user(role)
    login(client, viewer.email)
    for url in (f"/instructor?cohort={cohort.id}", f"/instructor/cohorts/{cohort.id}/students/{student.id}",
                f"/instructor/cohorts/{cohort.id}/labs", f"/instructor/cohorts/{cohort.id}/quizzes",
                f"/instructor/cohorts/{cohort.id}/gradebook", f"/instructor/cohorts/{cohort.id}/pacing",
                f"/api/v1/cohorts/{cohort.id}/dashboard", f"/api/v1/gradebook.csv?cohort={cohort.id}"):
        assert client.get(url).status_code == status, url


def test_anonymous_is_sent_to_sign_in(client, factory):
    cohort = cohort_started(factory, factory.user("instructor"), 3)
    page = client.get(f"/instructor?cohort={cohort.id}", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"].startswith("/login")
    assert client.get(f"/api/v1/cohorts/{cohort.id}/dashboard").status_code == 401
    unknown = client.get("/instructor?cohort=999999", follow_redirects=False)
    assert unknown.status_code == 303  # sign in first; whether the cohort exists is not told


def test_unknown_cohort_is_404(client, factory):
    login(client, factory.user("admin").email)
    assert client.get("/instructor?cohort=999999").status_code == 404
    assert client.get("/instructor/cohorts/999999/labs").status_code == 404


def _history(factory, cohort, n, start=0):
    students = students_in(factory, cohort, n, prefix=f"S{start}")
    db = factory.db
    lab = labs_of(db, first_week_with_lab(db))[0]
    for i, student in enumerate(students):
        complete_week(factory, student, 1, utcnow() - timedelta(days=i % 9))
        factory.submission(student, lab.id, score=1.0, max_score=lab.max_score,
                           result={"tests": [{"name": "c", "passed": False}]})
    return students


@pytest.mark.parametrize("path", ["/instructor?cohort={id}", "/instructor/cohorts/{id}/gradebook",
                                  "/instructor/cohorts/{id}/labs", "/instructor/cohorts/{id}/quizzes",
                                  "/api/v1/gradebook.csv?cohort={id}", "/api/v1/cohorts/{id}/dashboard"])
def test_query_count_does_not_grow_with_the_cohort(client, factory, migrated_engine, path):
    instructor = factory.user("instructor")
    cohort = cohort_started(factory, instructor, 21)
    _history(factory, cohort, 5)
    login(client, instructor.email)
    url = path.format(id=cohort.id)
    assert client.get(url).status_code == 200  # computes the new students' summaries
    with count_queries(migrated_engine) as few:
        assert client.get(url).status_code == 200
    _history(factory, cohort, 45, start=5)
    assert client.get(url).status_code == 200
    with count_queries(migrated_engine) as many:
        assert client.get(url).status_code == 200
    assert few[0] == many[0]
    assert few[0] <= 25


def test_student_drilldown_lists_every_week_with_links(client, factory, db):
    instructor, cohort, people, lab = _constructed_cohort(factory)
    login(client, instructor.email)
    stuck = people["stuck"]
    page = client.get(f"/instructor/cohorts/{cohort.id}/students/{stuck.id}")
    assert page.status_code == 200
    assert page.text.count('class="card week-detail"') == 33
    sub_ids = list(db.scalars(select(Submission.id).where(Submission.user_id == stuck.id)))
    assert len(sub_ids) >= 3
    for sub_id in sub_ids:
        assert f'href="/submissions/{sub_id}"' in page.text
    assert "below pass mark" not in page.text
    quizzer = client.get(f"/instructor/cohorts/{cohort.id}/students/{people['quiz'].id}")
    assert quizzer.text.count("below pass mark") == 2
    stranger = factory.user()
    assert client.get(f"/instructor/cohorts/{cohort.id}/students/{stranger.id}").status_code == 404


def test_lab_statistics_page(client, factory):
    instructor, cohort, people, lab = _constructed_cohort(factory)
    login(client, instructor.email)
    page = client.get(f"/instructor/cohorts/{cohort.id}/labs")
    assert page.status_code == 200
    stats = {s.lab_id: s for s in service.lab_stats(factory.db, cohort)}
    mine = stats[lab.id]
    # healthy, inactive, behind and quizzer passed at the first attempt; stuck failed 3 times
    assert (mine.students, mine.passed, mine.attempts) == (5, 4, 7)
    assert (mine.pass_rate, mine.median_attempts, mine.median_attempts_to_pass) == (0.8, 1, 1)
    assert mine.failed_checks == [("shape_check", 3, 1)]
    assert "shape_check" in page.text and 'id="chart-labs-data"' in page.text


def test_lab_statistics_hand_computed(db, factory):
    from app.dashboard.models import LabCheckFailure, LabProgress

    cohort = cohort_started(factory, factory.user("instructor"), 30)
    a, b, c, d, e = students_in(factory, cohort, 5)
    outsider = factory.user()  # another cohort: never counted
    lab = labs_of(db, first_week_with_lab(db))[0]
    # (student, attempts, passed, attempts to pass, seconds to pass, best)
    rows = [(a, 1, True, 1, 600.0, lab.max_score), (b, 3, True, 3, 7200.0, lab.max_score),
            (c, 4, False, None, None, 2.0), (d, 2, True, 2, 3600.0, lab.max_score),
            (outsider, 9, False, None, None, 0.0)]
    for student, attempts, passed, to_pass, seconds, best in rows:
        db.add(LabProgress(user_id=student.id, lab_id=lab.id, attempts=attempts, passed=passed,
                           attempts_to_pass=to_pass, seconds_to_pass=seconds, best_score=best, max_score=lab.max_score))
    for student, check, n in ((a, "tokenize_hidden", 1), (b, "tokenize_hidden", 2), (c, "tokenize_hidden", 4),
                              (c, "top_k", 2), (outsider, "top_k", 9)):
        db.add(LabCheckFailure(user_id=student.id, lab_id=lab.id, check_name=check, failures=n))
    db.flush()
    stats = {s.lab_id: s for s in service.lab_stats(db, cohort)}
    s = stats[lab.id]
    assert (s.students, s.attempts, s.passed, s.pass_rate) == (4, 10, 3, 0.75)
    assert s.median_attempts == 2.5          # 1, 2, 3, 4
    assert s.median_attempts_to_pass == 2    # 1, 2, 3
    assert s.median_time_to_pass == 3600     # 600, 3600, 7200
    assert s.mean_best == pytest.approx((3 * lab.max_score + 2.0) / 4)
    assert s.failed_checks == [("tokenize_hidden", 7, 3), ("top_k", 2, 1)]
    untouched = [x for x in stats.values() if x.lab_id != lab.id]
    assert all(x.students == 0 and x.pass_rate is None and x.median_attempts is None for x in untouched)
    assert e.id not in {r[0] for r in rows}  # a student without submissions does not count


def test_quiz_statistics_and_item_analysis_pages(client, factory, db):
    instructor = factory.user("instructor")
    cohort = cohort_started(factory, instructor, 30)
    quiz = factory.quiz([{"type": "single", "prompt": "Pick a", "choices": [
        {"id": "a", "text": "A", "correct": True}, {"id": "b", "text": "B"}]}] * 2, week_number=6)
    q1, q2 = f"w06-t{quiz.id[9:]}q0", f"w06-t{quiz.id[9:]}q1"  # the factory's question ids
    students = students_in(factory, cohort, 10)
    for i, student in enumerate(students):
        score = (10 - i) / 10
        factory.quiz_attempt(student, quiz, score * 2, 2.0, answers={q1: (1.0 if i < 5 else 0.0, 1.0),
                                                                      q2: (1.0, 1.0)})
    factory.quiz_attempt(students[9], quiz, 2.0, 2.0, answers={q1: (1.0, 1.0), q2: (1.0, 1.0)})  # not the first
    login(client, instructor.email)
    overview = client.get(f"/instructor/cohorts/{cohort.id}/quizzes")
    assert overview.status_code == 200 and quiz.title in overview.text
    row = next(q for q in service.quiz_overview(db, cohort) if q["id"] == quiz.id)
    assert (row["students"], row["attempts"]) == (10, 11)
    page = client.get(f"/instructor/cohorts/{cohort.id}/quizzes/{quiz.id}")
    assert page.status_code == 200 and "Pick a" in page.text
    info, items = service.quiz_items(db, cohort, quiz.id)
    by_id = {i.question_id: i for i in items}
    assert info["attempts"] == 10
    assert (by_id[q1].difficulty, by_id[q1].discrimination) == (0.5, 1.0)
    assert by_id[q2].difficulty == 1.0 and "too easy" in by_id[q2].flags
    assert client.get(f"/instructor/cohorts/{cohort.id}/quizzes/no-such-quiz").status_code == 404


def test_dashboard_json_api(client, factory):
    instructor, cohort, people, _ = _constructed_cohort(factory)
    token = factory.token(instructor)
    response = client.get(f"/api/v1/cohorts/{cohort.id}/dashboard", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    data = response.json()
    assert data["numbers"]["at_risk"] == 5 and data["numbers"]["students"] == 6
    assert data["due_dates"]["1"] == (cohort.start_date + timedelta(days=7)).isoformat()
    never = next(s for s in data["at_risk"] if s["user_id"] == people["never"].id)
    assert [r["code"] for r in never["reasons"]] == ["inactive", "behind"]
