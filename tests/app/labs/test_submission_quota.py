"""A student cannot flood the grading queue (issue 12, point 7): at most N submissions queued or running at
once and M per minute, refused with a 429 that says why (JSON, HTMX toast, page), writing nothing."""
from __future__ import annotations

from sqlalchemy import func, select

from app.config import get_settings
from app.labs.models import GradingJob, LabDraft, Submission
from tests.conftest import SENT_TASKS, login

CODE = "def word_counts(text):\n    return {}\n"
API = "/api/v1/labs/lab02/submissions"
QUEUE_QUOTA = 5  # max_active_submissions
PER_MINUTE = 10  # submission_rate_limit "10/minute"


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def rows(db, user) -> tuple[int, int]:
    submissions = db.scalar(select(func.count()).select_from(Submission).where(Submission.user_id == user.id))
    jobs = db.scalar(select(func.count()).select_from(GradingJob).join(Submission)
                     .where(Submission.user_id == user.id))
    return submissions, jobs


def test_student_cannot_flood_the_queue(client, factory, db):
    student = factory.user()
    token = factory.token(student)
    codes = [client.post(API, json={"code": CODE}, headers=auth(token)).status_code for _ in range(QUEUE_QUOTA + 3)]
    assert codes == [202] * QUEUE_QUOTA + [429] * 3
    refused = client.post(API, json={"code": CODE + "# changed\n"}, headers=auth(token))
    assert refused.status_code == 429 and refused.json()["code"] == "queue_quota"
    assert f"{QUEUE_QUOTA} submissions waiting to be graded" in refused.json()["detail"]
    assert rows(db, student) == (QUEUE_QUOTA, QUEUE_QUOTA) and len(SENT_TASKS) == QUEUE_QUOTA
    assert db.get(LabDraft, (student.id, "lab02")).code == CODE, "a refused submission does not touch the draft"


def test_queue_quota_answers_pages_with_a_toast_or_an_error_page(client, factory, db):
    student = factory.user()
    for _ in range(QUEUE_QUOTA):
        factory.submission(student, status="queued")
    csrf = login(client, student.email)
    toast = client.post("/labs/lab02/submissions", data={"code": CODE},
                        headers={"HX-Request": "true", "X-CSRF-Token": csrf})
    assert toast.status_code == 429 and toast.headers["HX-Retarget"] == "#toasts"
    assert "waiting to be graded" in toast.text and "<html" not in toast.text
    page = client.post("/labs/lab02/submissions", data={"code": CODE, "csrf_token": csrf}, follow_redirects=False)
    assert page.status_code == 429 and "waiting to be graded" in page.text and "<html" in page.text
    upload = client.post("/labs/lab02/submissions", data={"csrf_token": csrf},
                         files={"file": ("mine.py", CODE.encode(), "text/x-python")}, follow_redirects=False)
    assert upload.status_code == 429
    assert rows(db, student) == (QUEUE_QUOTA, QUEUE_QUOTA) and SENT_TASKS == []
    assert db.get(LabDraft, (student.id, "lab02")) is None


def test_finished_submissions_free_the_queue(client, factory, db):
    student = factory.user()
    waiting = [factory.submission(student, status="queued") for _ in range(QUEUE_QUOTA)]
    token = factory.token(student)
    assert client.post(API, json={"code": CODE}, headers=auth(token)).status_code == 429
    waiting[0].status = "graded"
    assert client.post(API, json={"code": CODE}, headers=auth(token)).status_code == 202


def test_student_cannot_submit_faster_than_the_rate_limit(client, factory, db, monkeypatch):
    """Quick, cheap submissions that finish at once still cannot come faster than the per-minute limit."""
    monkeypatch.setattr(get_settings(), "max_active_submissions", 1000)
    student = factory.user()
    token = factory.token(student)
    codes = [client.post(API, json={"code": CODE}, headers=auth(token)).status_code for _ in range(PER_MINUTE + 2)]
    assert codes == [202] * PER_MINUTE + [429] * 2
    refused = client.post(API, json={"code": CODE}, headers=auth(token)).json()
    assert refused["code"] == "submission_rate" and f"{PER_MINUTE} times in the last minute" in refused["detail"]
    assert rows(db, student) == (PER_MINUTE, PER_MINUTE)


def test_older_submissions_do_not_count_against_the_rate(client, factory, db):
    from datetime import timedelta

    from app.core.db import utcnow

    student = factory.user()
    for _ in range(PER_MINUTE):
        factory.submission(student, status="graded").created_at = utcnow() - timedelta(minutes=2)
    token = factory.token(student)
    assert client.post(API, json={"code": CODE}, headers=auth(token)).status_code == 202


def test_staff_are_exempt_from_the_submission_limits(client, factory, db):
    instructor = factory.user(role="instructor")
    for _ in range(QUEUE_QUOTA + PER_MINUTE):
        factory.submission(instructor, status="queued")
    token = factory.token(instructor)
    assert client.post(API, json={"code": CODE}, headers=auth(token)).status_code == 202
