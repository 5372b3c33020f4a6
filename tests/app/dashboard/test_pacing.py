"""Pacing: due dates from the start and pace, edited dates, extensions, late marking; the pacing pages."""
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from app.core.errors import AppError
from app.dashboard import pacing, service
from app.dashboard.models import CohortDueDate, CohortPacing, Extension, WeekProgress
from app.dashboard.summary import refresh_pending
from tests.app.dashboard.helpers import first_week_with_lab, labs_of, students_in
from tests.conftest import login

WEEKS = list(range(1, 34))


def test_default_due_dates_follow_start_and_pace(db, factory):
    cohort = factory.cohort(start_date=date(2026, 9, 1))
    sched = pacing.schedule(db, cohort, WEEKS)
    assert sched.due[1] == date(2026, 9, 8)
    assert sched.due[33] == date(2026, 9, 1) + timedelta(weeks=33)
    assert sched.deadlines[1] == datetime(2026, 9, 9, tzinfo=timezone.utc)  # the end of the due date
    pacing.update_pacing(db, cohort, {"days_per_week": "14"})
    assert pacing.schedule(db, cohort, WEEKS).due[2] == date(2026, 9, 29)


def test_expected_weeks_and_current_week(db, factory):
    cohort = factory.cohort(start_date=date(2026, 9, 1))
    sched = pacing.schedule(db, cohort, WEEKS)
    assert sched.expected_weeks(now=datetime(2026, 9, 8, 23, 59, tzinfo=timezone.utc)) == 0
    assert sched.expected_weeks(now=datetime(2026, 9, 9, 0, 0, tzinfo=timezone.utc)) == 1
    assert sched.current_week(date(2026, 8, 30)) == 0
    assert sched.current_week(date(2026, 9, 8)) == 1
    assert sched.current_week(date(2026, 9, 9)) == 2


def test_edited_due_dates_are_kept_and_reset(db, factory):
    cohort = factory.cohort(start_date=date(2026, 9, 1))
    edited = pacing.set_due_dates(db, cohort, {2: "2026-09-20", 3: "2026-09-23", 4: ""}, WEEKS)
    assert edited == 2
    sched = pacing.schedule(db, cohort, WEEKS)
    assert (sched.due[2], sched.due[3], sched.due[4]) == (date(2026, 9, 20), date(2026, 9, 23), date(2026, 9, 29))
    assert sched.edited == {2, 3}
    pacing.set_due_dates(db, cohort, {2: "2026-09-15"}, WEEKS)  # back to the default: no row kept
    assert pacing.schedule(db, cohort, WEEKS).edited == {3}
    pacing.reset_due_dates(db, cohort)
    assert pacing.schedule(db, cohort, WEEKS).edited == set()


@pytest.mark.parametrize("dates,message", [
    ({2: "2026-02-30"}, "week 2 must look like"),
    ({2: "2026-08-01"}, "cannot be due before the cohort starts"),
    ({99: "2026-10-01"}, "There is no week 99"),
])
def test_bad_due_dates_write_nothing(db, factory, dates, message):
    cohort = factory.cohort(start_date=date(2026, 9, 1))
    pacing.set_due_dates(db, cohort, {5: "2026-10-20"}, WEEKS)
    with pytest.raises(AppError) as exc:
        pacing.set_due_dates(db, cohort, {5: "", **dates}, WEEKS)
    assert exc.value.status_code == 400 and message in exc.value.message
    assert db.get(CohortDueDate, (cohort.id, 5)).due_date == date(2026, 10, 20)


def test_bad_pacing_values_write_nothing(db, factory):
    cohort = factory.cohort(start_date=date(2026, 9, 1))
    for values in ({"days_per_week": "0"}, {"days_per_week": "7", "inactive_days": "x"}, {"behind_weeks": "99"}):
        with pytest.raises(AppError):
            pacing.update_pacing(db, cohort, values)
    with pytest.raises(AppError):
        pacing.update_pacing(db, cohort, {"days_per_week": "10"}, start_date="soon")
    assert db.get(CohortPacing, cohort.id) is None
    assert cohort.start_date == date(2026, 9, 1)


def test_extension_changes_the_students_due_date_only(db, factory):
    instructor = factory.user("instructor")
    cohort = factory.cohort(start_date=date(2026, 9, 1), creator=instructor)
    alice, bob = students_in(factory, cohort, 2)
    pacing.grant_extension(db, cohort, instructor, alice.email.upper(), "1", "2026-09-12", "ill", WEEKS)
    sched = pacing.schedule(db, cohort, WEEKS)
    assert sched.due_for(alice.id, 1) == date(2026, 9, 12)
    assert sched.due_for(bob.id, 1) == date(2026, 9, 8)
    late_for_bob = datetime(2026, 9, 10, 12, tzinfo=timezone.utc)
    assert sched.late(alice.id, 1, late_for_bob) is False
    assert sched.late(bob.id, 1, late_for_bob) is True
    assert sched.expected_weeks(alice.id, datetime(2026, 9, 10, tzinfo=timezone.utc)) == 0
    assert sched.expected_weeks(bob.id, datetime(2026, 9, 10, tzinfo=timezone.utc)) == 1
    again = pacing.grant_extension(db, cohort, instructor, alice.email, 1, "2026-09-14", "longer", WEEKS)
    assert db.scalar(select(func.count()).select_from(Extension)) == 1 and again.reason == "longer"


@pytest.mark.parametrize("email,week,due,message", [
    ("nobody@example.com", "1", "2026-09-12", "No student with the email"),
    (None, "40", "2026-09-12", "There is no week 40"),
    (None, "1", "2026-09-08", "must be later than the week's due date"),
    (None, "1", "12/09/2026", "must look like"),
])
def test_bad_extensions_write_nothing(db, factory, email, week, due, message):
    instructor = factory.user("instructor")
    cohort = factory.cohort(start_date=date(2026, 9, 1), creator=instructor)
    (student,) = students_in(factory, cohort, 1)
    outsider = factory.user()  # enrolled in another cohort
    with pytest.raises(AppError) as exc:
        pacing.grant_extension(db, cohort, instructor, email or student.email, week, due, "", WEEKS)
    assert message in exc.value.message
    with pytest.raises(AppError):
        pacing.grant_extension(db, cohort, instructor, outsider.email, "1", "2026-09-12", "", WEEKS)
    assert db.scalar(select(func.count()).select_from(Extension)) == 0


def test_late_work_is_marked_in_summary_heatmap_and_drilldown(db, factory):
    instructor = factory.user("instructor")
    cohort = factory.cohort(start_date=date.today() - timedelta(days=70), creator=instructor)
    on_time, late, extended = students_in(factory, cohort, 3)
    number = first_week_with_lab(db)
    lab = labs_of(db, number)[0]
    due = pacing.schedule(db, cohort, WEEKS).due[number]
    before = datetime.combine(due, datetime.min.time(), tzinfo=timezone.utc) + timedelta(hours=23)
    after = before + timedelta(hours=2)
    for student, when in ((on_time, before), (late, after), (extended, after)):
        sub = factory.submission(student, lab.id, score=1, max_score=lab.max_score)
        sub.created_at = when
    pacing.grant_extension(db, cohort, instructor, extended.email, number, due + timedelta(days=3), "", WEEKS)
    db.flush()
    refresh_pending(db)
    assert db.get(WeekProgress, (late.id, number)).last_work_at == after
    board = service.dashboard(db, cohort, service.Query(sort="name"))
    cells = {s.user_id: s.cells[number] for s in board.students}
    assert (cells[on_time.id].late, cells[late.id].late, cells[extended.id].late) == (False, True, False)
    assert cells[extended.id].extended is True and "late work" in cells[late.id].tip
    assert "heat l1 late" in cells[late.id].cls and "Due " in cells[on_time.id].tip
    detail = service.student_detail(db, cohort, late)
    week = next(w for w in detail["weeks"] if w["week"].number == number)
    assert week["late"] is True
    assert [s["late"] for lab_ in week["labs"] for s in lab_["submissions"]] == [True]


# --- pages -------------------------------------------------------------------------------------------------

def _setup(client, factory):
    instructor = factory.user("instructor")
    cohort = factory.cohort(start_date=date(2026, 9, 1), creator=instructor)
    (student,) = students_in(factory, cohort, 1)
    token = login(client, instructor.email)
    return cohort, student, token


def test_pacing_page_lists_due_dates(client, factory):
    cohort, _, _ = _setup(client, factory)
    page = client.get(f"/instructor/cohorts/{cohort.id}/pacing")
    assert page.status_code == 200
    assert 'name="week_1" type="date" value="2026-09-08"' in page.text


def test_save_pacing_with_and_without_htmx(client, factory, db):
    cohort, _, token = _setup(client, factory)
    form = {"days_per_week": "14", "inactive_days": "5", "behind_weeks": "3", "check_failures": "4",
            "quiz_failures": "2", "start_date": "2026-09-02"}
    plain = client.post(f"/instructor/cohorts/{cohort.id}/pacing", data={**form, "csrf_token": token},
                        follow_redirects=False)
    assert plain.status_code == 303 and plain.headers["location"].endswith("/pacing?saved=settings")
    assert "Pace and thresholds saved." in client.get(plain.headers["location"]).text
    assert db.get(CohortPacing, cohort.id).days_per_week == 14 and cohort.start_date == date(2026, 9, 2)
    fragment = client.post(f"/instructor/cohorts/{cohort.id}/pacing", data={**form, "days_per_week": "7"},
                           headers={"HX-Request": "true", "X-CSRF-Token": token})
    assert fragment.status_code == 200
    assert fragment.text.lstrip().startswith('<section class="card" id="pacing-settings"')
    assert 'id="due-dates" aria-labelledby="due-h" hx-swap-oob="true"' in fragment.text
    assert 'value="2026-09-09"' in fragment.text  # week 1 moved with the new pace
    assert db.get(CohortPacing, cohort.id).days_per_week == 7


def test_bad_pacing_form_answers_4xx_and_writes_nothing(client, factory, db):
    cohort, _, token = _setup(client, factory)
    form = {"days_per_week": "-1", "start_date": "2026-09-02"}
    page = client.post(f"/instructor/cohorts/{cohort.id}/pacing", data={**form, "csrf_token": token})
    assert page.status_code == 400 and "between 1 and 60" in page.text and "<h1>Pacing" in page.text
    toast = client.post(f"/instructor/cohorts/{cohort.id}/pacing", data=form,
                        headers={"HX-Request": "true", "X-CSRF-Token": token})
    assert toast.status_code == 400 and toast.headers["HX-Retarget"] == "#toasts"
    assert db.get(CohortPacing, cohort.id) is None and cohort.start_date == date(2026, 9, 1)
    csrf = client.post(f"/instructor/cohorts/{cohort.id}/pacing", data={"days_per_week": "9"})
    assert csrf.status_code == 403 and db.get(CohortPacing, cohort.id) is None


def test_due_dates_form_with_and_without_htmx(client, factory, db):
    cohort, _, token = _setup(client, factory)
    plain = client.post(f"/instructor/cohorts/{cohort.id}/due-dates",
                        data={"week_3": "2026-09-25", "csrf_token": token}, follow_redirects=False)
    assert plain.status_code == 303
    assert db.get(CohortDueDate, (cohort.id, 3)).due_date == date(2026, 9, 25)
    fragment = client.post(f"/instructor/cohorts/{cohort.id}/due-dates", data={"week_4": "2026-10-01"},
                           headers={"HX-Request": "true", "X-CSRF-Token": token})
    assert fragment.status_code == 200 and "Due dates saved." in fragment.text
    assert fragment.text.lstrip().startswith('<section class="card" id="due-dates"')
    bad = client.post(f"/instructor/cohorts/{cohort.id}/due-dates", data={"week_5": "tomorrow", "week_6": "2026-10-30"},
                      headers={"HX-Request": "true", "X-CSRF-Token": token})
    assert bad.status_code == 400 and db.get(CohortDueDate, (cohort.id, 6)) is None
    bad_key = client.post(f"/instructor/cohorts/{cohort.id}/due-dates", data={"week_x": "2026-10-30",
                                                                              "csrf_token": token})
    assert bad_key.status_code == 400
    reset = client.post(f"/instructor/cohorts/{cohort.id}/due-dates", data={"reset": "1", "csrf_token": token},
                        follow_redirects=False)
    assert reset.status_code == 303
    assert db.scalar(select(func.count()).select_from(CohortDueDate)) == 0


def test_extensions_form_with_and_without_htmx(client, factory, db):
    cohort, student, token = _setup(client, factory)
    plain = client.post(f"/instructor/cohorts/{cohort.id}/extensions",
                        data={"email": student.email, "week": "2", "due_date": "2026-09-20", "reason": "travel",
                              "csrf_token": token}, follow_redirects=False)
    assert plain.status_code == 303
    ext = db.scalar(select(Extension))
    assert (ext.user_id, ext.week_number, ext.due_date, ext.reason) == (student.id, 2, date(2026, 9, 20), "travel")
    listing = client.get(f"/instructor/cohorts/{cohort.id}/pacing").text
    assert "travel" in listing and "(was 2026-09-15)" in listing
    removed = client.post(f"/instructor/cohorts/{cohort.id}/extensions/{ext.id}/delete",
                          headers={"HX-Request": "true", "X-CSRF-Token": token})
    assert removed.status_code == 200 and "No extensions." in removed.text
    assert db.scalar(select(func.count()).select_from(Extension)) == 0
    fragment = client.post(f"/instructor/cohorts/{cohort.id}/extensions",
                           data={"email": student.email, "week": "3", "due_date": "2026-09-30"},
                           headers={"HX-Request": "true", "X-CSRF-Token": token})
    assert fragment.status_code == 200 and fragment.text.lstrip().startswith('<section class="card" id="extensions"')
    bad = client.post(f"/instructor/cohorts/{cohort.id}/extensions",
                      data={"email": "ghost@example.com", "week": "3", "due_date": "2026-09-30", "csrf_token": token})
    assert bad.status_code == 400 and "No student with the email ghost@example.com" in bad.text
    assert db.scalar(select(func.count()).select_from(Extension)) == 1
    missing = client.post(f"/instructor/cohorts/{cohort.id}/extensions/999999/delete", data={"csrf_token": token})
    assert missing.status_code == 404


def test_pacing_pages_are_for_the_cohorts_instructor(client, factory, db):
    owner = factory.user("instructor")
    cohort = factory.cohort(start_date=date(2026, 9, 1), creator=owner)
    other = factory.user("instructor")
    token = login(client, other.email)
    assert client.get(f"/instructor/cohorts/{cohort.id}/pacing").status_code == 403
    response = client.post(f"/instructor/cohorts/{cohort.id}/pacing", data={"days_per_week": "3", "csrf_token": token})
    assert response.status_code == 403 and db.get(CohortPacing, cohort.id) is None
