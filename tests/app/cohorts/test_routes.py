from datetime import timedelta

from sqlalchemy import select

from app.cohorts.models import Cohort, Enrollment
from app.core.db import utcnow
from tests.conftest import login


def test_instructor_creates_cohort_with_htmx(client, factory, db):
    teacher = factory.user(role="instructor")
    token = login(client, teacher.email)
    response = client.post("/cohorts", data={"name": "Spring", "start_date": "2027-02-01"},
                           headers={"HX-Request": "true", "X-CSRF-Token": token})
    assert response.status_code == 200 and response.text.startswith('<div id="cohort-table">')
    cohort = db.scalar(select(Cohort).where(Cohort.name == "Spring"))
    assert cohort.invite_code in response.text and cohort.created_by_id == teacher.id


def test_instructor_creates_cohort_without_htmx(client, factory, db):
    teacher = factory.user(role="instructor")
    token = login(client, teacher.email)
    response = client.post("/cohorts", data={"name": "Summer", "start_date": "2027-06-01", "csrf_token": token},
                           follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/cohorts"


def test_bad_start_date_is_400_and_writes_nothing(client, factory, db):
    teacher = factory.user(role="instructor")
    token = login(client, teacher.email)
    response = client.post("/cohorts", data={"name": "Bad", "start_date": "soon", "csrf_token": token})
    assert response.status_code == 400 and "2026-09-01" in response.text
    assert db.scalar(select(Cohort).where(Cohort.name == "Bad")) is None


def test_students_cannot_manage_cohorts(client, factory):
    token = login(client, factory.user().email)
    assert client.get("/cohorts").status_code == 403
    response = client.post("/cohorts", data={"name": "X", "start_date": "2027-01-01", "csrf_token": token})
    assert response.status_code == 403


def test_join_with_code_htmx_and_plain(client, factory, db):
    student = factory.user(enrolled=False)
    cohort = factory.cohort()
    token = login(client, student.email)
    response = client.post("/join", data={"code": cohort.invite_code}, headers={"HX-Request": "true",
                                                                              "X-CSRF-Token": token})
    assert response.status_code == 200 and response.headers["HX-Redirect"] == "/"
    again = client.post("/join", data={"code": cohort.invite_code, "csrf_token": token}, follow_redirects=False)
    assert again.status_code == 303
    enrollments = db.scalars(select(Enrollment).where(Enrollment.user_id == student.id)).all()
    assert len(enrollments) == 1


def test_wrong_code_and_expired_code(client, factory, db):
    student = factory.user(enrolled=False)
    token = login(client, student.email)
    wrong = client.post("/join", data={"code": "ZZZZ9999", "csrf_token": token})
    assert wrong.status_code == 400 and "not valid" in wrong.text
    cohort = factory.cohort()
    cohort.invite_expires_at = utcnow() - timedelta(days=1)
    db.flush()
    expired = client.post("/join", data={"code": cohort.invite_code}, headers={"HX-Request": "true",
                                                                             "X-CSRF-Token": token})
    assert expired.status_code == 410 and expired.headers["HX-Retarget"] == "#toasts"
    assert "expired" in expired.text
    assert db.scalar(select(Enrollment).where(Enrollment.user_id == student.id)) is None
