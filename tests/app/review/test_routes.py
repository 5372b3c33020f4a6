from sqlalchemy import func, select

from app.cohorts.models import Cohort
from app.labs.models import Lab
from app.notifications.models import Notification
from app.review import service
from app.review.models import LabReviewSetting, RegradeRequest, ReviewItem, RubricItem, ScoreChange
from tests.app.review.test_service import mark_manual
from tests.conftest import login

HX = {"HX-Request": "true"}


def hx(token):
    return {**HX, "X-CSRF-Token": token}


def count(db, model, *where):
    return db.scalar(select(func.count()).select_from(model).where(*where))


# ---------------------------------------------------------------- role checks

def test_a_student_cannot_see_the_queue_or_anyone_elses_code(client, db, factory):
    student, other = factory.user(), factory.user()
    theirs = factory.graded(other, code="SECRET = 'other student code'\n")
    login(client, student.email)
    for path in ("/review", f"/review/submissions/{theirs.id}", "/review/labs/lab02"):
        page = client.get(path)
        assert page.status_code == 403 and "SECRET" not in page.text
        fragment = client.get(path, headers=HX)
        assert fragment.status_code == 403 and fragment.headers["HX-Retarget"] == "#toasts"
    assert client.get(f"/submissions/{theirs.id}").status_code == 404
    assert client.get(f"/api/v1/submissions/{theirs.id}/audit").status_code == 404
    assert client.get("/api/v1/review/queue").status_code == 403
    assert "/review\"" not in client.get("/").text  # no Review link in the nav


def test_a_grader_cannot_change_course_content_or_start_a_regrade_of_a_lab(client, db, factory):
    grader = factory.user("grader")
    factory.graded(factory.user())
    token = login(client, grader.email)
    cohorts_before = count(db, Cohort)
    assert client.post("/cohorts", data={"name": "Mine", "start_date": "2026-09-01", "csrf_token": token},
                       follow_redirects=False).status_code == 403
    assert client.post("/review/labs/lab02/hold", data={"hold": "1", "csrf_token": token}).status_code == 403
    assert client.post("/review/labs/lab02/regrade", data={"csrf_token": token}, headers=hx(token)).status_code == 403
    assert client.post("/api/v1/labs/lab02/regrade", json={}, headers={"X-CSRF-Token": token}).status_code == 403
    assert count(db, Cohort) == cohorts_before and db.get(LabReviewSetting, "lab02") is None
    from app.review.models import RegradeRun
    assert count(db, RegradeRun) == 0
    # ...but reviews: the queue and the lab's review page are open to graders
    assert client.get("/review").status_code == 200
    assert client.get("/review/labs/lab02").status_code == 200


# ---------------------------------------------------------------- the queue

def test_queue_page_and_htmx_filter_fragment(client, db, factory):
    mark_manual(db)
    grader = factory.user("grader")
    a = factory.graded(factory.user(name="Ada Student"))
    login(client, grader.email)
    page = client.get("/review")
    assert page.status_code == 200 and "<h1>Review queue</h1>" in page.text and "Ada Student" in page.text
    fragment = client.get("/review?lab=lab02&status=open&assignee=unassigned", headers=HX)
    assert fragment.status_code == 200 and fragment.text.lstrip().startswith('<div id="review-queue">')
    assert f"/review/submissions/{a.id}" in fragment.text and "<html" not in fragment.text
    empty = client.get("/review?lab=lab09", headers=HX)
    assert "Nothing in the queue matches" in empty.text
    bad = client.get("/review?status=nope")
    assert bad.status_code == 400 and "status must be" in bad.text


def test_assign_and_take_next_with_and_without_htmx(client, db, factory):
    mark_manual(db)
    grader, other = factory.user("grader"), factory.user("grader", name="Other Grader")
    first, second = factory.graded(factory.user()), factory.graded(factory.user())
    token = login(client, grader.email)
    [item1] = db.scalars(select(ReviewItem).where(ReviewItem.submission_id == first.id))
    [item2] = db.scalars(select(ReviewItem).where(ReviewItem.submission_id == second.id))
    response = client.post(f"/review/queue/{item1.id}/assign", data={"assignee": str(other.id)}, headers=hx(token))
    assert response.status_code == 200 and response.text.lstrip().startswith(f'<tr id="queue-{item1.id}"')
    assert item1.assignee_id == other.id
    response = client.post(f"/review/queue/{item1.id}/assign", data={"assignee": "", "csrf_token": token,
                                                                     "back": "/review?lab=lab02"},
                           follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/review?lab=lab02"
    assert item1.assignee_id is None
    student = factory.user()
    bad = client.post(f"/review/queue/{item1.id}/assign", data={"assignee": str(student.id)}, headers=hx(token))
    assert bad.status_code == 400 and item1.assignee_id is None
    taken = client.post("/review/queue/next", data={"lab": "lab02", "csrf_token": token}, follow_redirects=False)
    assert taken.status_code == 303 and taken.headers["location"] == f"/review/submissions/{first.id}"
    taken = client.post("/review/queue/next", data={"lab": "lab02"}, headers=hx(token))
    assert taken.status_code == 200 and taken.headers["HX-Redirect"] == f"/review/submissions/{second.id}"
    assert (item1.assignee_id, item2.assignee_id) == (grader.id, grader.id)
    none_left = client.post("/review/queue/next", data={"lab": "lab02"}, headers=hx(token))
    assert none_left.status_code == 404 and "No unassigned open entries" in none_left.text


def test_resolve_entry_with_and_without_htmx(client, db, factory):
    grader = factory.user("grader")
    sub = factory.graded(factory.user(), result=factory.result(status="error", tests=[], platform_error="boom"))
    [item] = db.scalars(select(ReviewItem).where(ReviewItem.submission_id == sub.id))
    token = login(client, grader.email)
    response = client.post(f"/review/queue/{item.id}/resolve", data={"resolution": "lab fixed"},
                           headers={**hx(token), "HX-Target": "review-queue-entries"})
    assert response.status_code == 200 and 'id="review-queue-entries"' in response.text
    assert item.state == "resolved" and item.resolution == "lab fixed" and item.resolved_by_id == grader.id
    again = client.post(f"/review/queue/{item.id}/resolve", data={"csrf_token": token}, follow_redirects=False)
    assert again.status_code == 409


# ---------------------------------------------------------------- the review page, override, rubric, release

def test_review_page_shows_code_checks_diff_and_audit(client, db, factory):
    grader, student = factory.user("grader"), factory.user(name="Bea")
    failing = [{"name": "counts_visible", "points": 0.0, "max_points": 2.0, "passed": False, "visible": True,
                "description": "", "feedback": "1 value(s) differ", "expected": "{'the': 2}", "got": "{'The': 1}",
                "input": {"text": "'The the'"}}]
    factory.graded(student, code="def word_counts(text):\n    return {}\n")
    second = factory.graded(student, result=factory.result(tests=failing, stdout_tail="debug print"),
                            code="def word_counts(text):\n    words = text.split()\n    return {}\n")
    login(client, grader.email)
    page = client.get(f"/review/submissions/{second.id}")
    assert page.status_code == 200
    text = page.text
    assert 'class="highlight"' in text and 'id="L-2"' in text  # Pygments with line anchors
    assert '<link rel="stylesheet" href="/review/highlight.css">' in text
    assert 'class="diff"' in text and '<tr class="add">' in text and "words = text.split()" in text
    assert "{&#39;the&#39;: 2}" in text and "{&#39;The&#39;: 1}" in text  # expected vs got
    assert "debug print" in text and "Automatic grade of attempt 2" in text
    css = client.get("/review/highlight.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css") and ".highlight" in css.text


def test_override_with_htmx_returns_the_grading_fragment(client, db, factory):
    grader, student = factory.user("grader", name="Gus"), factory.user()
    sub = factory.graded(student)
    token = login(client, grader.email)
    response = client.post(f"/review/submissions/{sub.id}/override", data={"score": "4", "reason": "fair"},
                           headers=hx(token))
    assert response.status_code == 200 and response.text.lstrip().startswith('<div id="review-grading">')
    assert "Gus" in response.text and "fair" in response.text and sub.score == 4.0


def test_override_without_htmx_redirects_and_bad_input_writes_nothing(client, db, factory):
    grader = factory.user("grader")
    sub = factory.graded(factory.user())
    token = login(client, grader.email)
    no_reason = client.post(f"/review/submissions/{sub.id}/override", data={"score": "4", "reason": "",
                                                                             "csrf_token": token})
    assert no_reason.status_code == 400 and "reason" in no_reason.text
    too_high = client.post(f"/review/submissions/{sub.id}/override", data={"score": "7", "reason": "x"},
                           headers=hx(token))
    assert too_high.status_code == 400 and too_high.headers["HX-Retarget"] == "#toasts"
    no_csrf = client.post(f"/review/submissions/{sub.id}/override", data={"score": "4", "reason": "x"})
    assert no_csrf.status_code == 403
    assert sub.score == 2.0 and count(db, ScoreChange, ScoreChange.submission_id == sub.id) == 1
    ok = client.post(f"/review/submissions/{sub.id}/override", data={"score": "4", "reason": "ok",
                                                                      "csrf_token": token}, follow_redirects=False)
    assert ok.status_code == 303 and ok.headers["location"] == f"/review/submissions/{sub.id}#grading"
    assert client.get("/api/v1/submissions/%d" % sub.id).json()["score"] == 4.0
    missing = client.post("/review/submissions/999999/override", data={"score": "1", "reason": "x"},
                          headers=hx(token))
    assert missing.status_code == 404


def test_override_through_the_api(client, db, factory):
    grader = factory.user("grader")
    sub = factory.graded(factory.user())
    headers = {"Authorization": f"Bearer {factory.token(grader)}"}
    response = client.post(f"/api/v1/submissions/{sub.id}/override", json={"score": 3, "reason": "partial"},
                           headers=headers)
    assert response.status_code == 200 and response.json()["old_score"] == 2.0 and response.json()["new_score"] == 3
    bad = client.post(f"/api/v1/submissions/{sub.id}/override", json={"score": 3}, headers=headers)
    assert bad.status_code == 422
    audit = client.get(f"/api/v1/submissions/{sub.id}/audit", headers=headers).json()
    assert [a["kind"] for a in audit] == ["auto", "override"] and audit[1]["actor"] == grader.name


def test_rubric_routes_with_and_without_htmx(client, db, factory):
    grader = factory.user("grader")
    sub = factory.graded(factory.user())
    token = login(client, grader.email)
    added = client.post("/review/labs/lab02/rubric", data={"title": "Readable", "points": "1.5",
                                                           "comment": "Easy to follow."}, headers=hx(token))
    assert added.status_code == 200 and added.text.lstrip().startswith('<div id="review-rubric">')
    plain = client.post("/review/labs/lab02/rubric", data={"title": "Slow", "points": "-1", "csrf_token": token},
                        follow_redirects=False)
    assert plain.status_code == 303 and plain.headers["location"] == "/review/labs/lab02#rubric"
    bad = client.post("/review/labs/lab02/rubric", data={"title": "", "points": "1"}, headers=hx(token))
    assert bad.status_code == 400
    items = service.rubric_items(db, "lab02")
    assert [i.title for i in items] == ["Readable", "Slow"]
    readable, slow = items
    applied = client.post(f"/review/submissions/{sub.id}/rubric",
                          data={"item": [str(readable.id), str(slow.id)], f"comment_{readable.id}": "Clear.",
                                f"comment_{slow.id}": "Loops twice."}, headers=hx(token))
    assert applied.status_code == 200 and "Clear." in applied.text and sub.score == 2.5
    bogus = client.post(f"/review/submissions/{sub.id}/rubric", data={"item": "abc"}, headers=hx(token))
    assert bogus.status_code == 400 and sub.score == 2.5
    removed = client.post(f"/review/labs/lab02/rubric/{slow.id}/delete", data={"csrf_token": token},
                          follow_redirects=False)
    assert removed.status_code == 303 and db.get(RubricItem, slow.id).active is False


def test_comment_bank_and_overall_comment(client, db, factory):
    grader, student = factory.user("grader"), factory.user()
    sub = factory.graded(student)
    token = login(client, grader.email)
    saved = client.post("/review/labs/lab02/comments", data={"text": "Check the hint."}, headers=hx(token))
    assert saved.status_code == 200 and "Check the hint." in saved.text
    duplicate = client.post("/review/labs/lab02/comments", data={"text": "Check the hint."}, headers=hx(token))
    assert duplicate.status_code == 409
    comment = client.post(f"/review/submissions/{sub.id}/comment", data={"comment": "Well done overall.",
                                                                          "csrf_token": token},
                          follow_redirects=False)
    assert comment.status_code == 303
    login(client, student.email)
    page = client.get(f"/submissions/{sub.id}")
    assert "Well done overall." in page.text and "Score history" in page.text


def test_release_and_notify_end_to_end(client, db, factory):
    mark_manual(db)
    grader, student = factory.user("grader"), factory.user()
    sub = factory.graded(student)
    login(client, student.email)
    api = client.get(f"/api/v1/submissions/{sub.id}").json()
    assert api["status"] == "awaiting_review" and api["score"] is None and api["tests"] == []
    page = client.get(f"/submissions/{sub.id}")
    assert "awaiting review" in page.text and 'class="score"' not in page.text
    assert "counts_hidden" not in page.text
    lab_page = client.get("/labs/lab02")
    assert "awaiting review" in lab_page.text and '<strong id="best-score">–</strong>' in lab_page.text
    assert client.get(f"/api/v1/submissions/{sub.id}/audit").json() == []
    assert 'id="nav-notifications-count"></span>' in page.text  # no badge yet

    token = login(client, grader.email)
    staff_view = client.get(f"/review/submissions/{sub.id}")
    assert "feedback held" in staff_view.text
    released = client.post(f"/review/submissions/{sub.id}/release", headers=hx(token))
    assert released.status_code == 200 and "visible to the student" in released.text
    assert client.post(f"/review/submissions/{sub.id}/release", data={"csrf_token": token}).status_code == 409

    login(client, student.email)
    api = client.get(f"/api/v1/submissions/{sub.id}").json()
    assert api["status"] == "graded" and api["score"] == 2.0
    page = client.get(f"/submissions/{sub.id}")
    assert '<span class="badge new">1 new</span>' in page.text and "counts_hidden" in page.text
    notes = client.get("/notifications")
    assert "New feedback on LAB02 attempt 1" in notes.text


def test_hold_a_single_submission_without_htmx(client, db, factory):
    grader, student = factory.user("grader"), factory.user()
    sub = factory.graded(student)
    token = login(client, grader.email)
    response = client.post(f"/review/submissions/{sub.id}/hold", data={"csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303 and service.is_held(db, sub.id)
    assert client.post(f"/review/submissions/{sub.id}/hold", headers=hx(token)).status_code == 409


def test_lab_page_hold_policy_and_release_all(client, db, factory):
    instructor = factory.user("instructor")
    token = login(client, instructor.email)
    page = client.get("/review/labs/lab02")
    assert page.status_code == 200 and "shown to students at once" in page.text
    held = client.post("/review/labs/lab02/hold", data={"hold": "1"}, headers=hx(token))
    assert held.status_code == 200 and "held until a grader releases it" in held.text
    bad = client.post("/review/labs/lab02/hold", data={"hold": "maybe", "csrf_token": token})
    assert bad.status_code == 400 and db.get(LabReviewSetting, "lab02").hold_feedback is True
    subs = [factory.graded(factory.user()) for _ in range(2)]
    assert all(service.is_held(db, s.id) for s in subs)
    released = client.post("/review/labs/lab02/release", data={"csrf_token": token}, follow_redirects=False)
    assert released.status_code == 303 and released.headers["location"] == "/review/labs/lab02#release"
    assert not any(service.is_held(db, s.id) for s in subs)
    assert count(db, Notification, Notification.kind == "feedback_released",
                 Notification.user_id.in_([s.user_id for s in subs])) == 2
    client.post("/review/labs/lab02/hold", data={"hold": "0", "csrf_token": token})
    assert db.get(LabReviewSetting, "lab02").hold_feedback is False


# ---------------------------------------------------------------- regrade requests over HTTP

def test_student_asks_for_a_regrade_and_grader_answers(client, db, factory):
    student, grader = factory.user(), factory.user("grader")
    sub = factory.graded(student)
    token = login(client, student.email)
    page = client.get(f"/submissions/{sub.id}")
    assert "Ask for a regrade" in page.text
    response = client.post(f"/submissions/{sub.id}/regrade-requests", data={"message": "mean_length is right"},
                           headers=hx(token))
    assert response.status_code == 200 and response.text.lstrip().startswith(f'<div id="regrade-threads-{sub.id}"')
    assert "mean_length is right" in response.text and "Ask for a regrade" not in response.text
    request = db.scalar(select(RegradeRequest).where(RegradeRequest.submission_id == sub.id))
    reply = client.post(f"/regrade-requests/{request.id}/messages", data={"body": "more", "csrf_token": token},
                        follow_redirects=False)
    assert reply.status_code == 303 and reply.headers["location"] == f"/submissions/{sub.id}#regrade-{request.id}"
    assert client.post(f"/regrade-requests/{request.id}/resolve", data={"body": "no"},
                       headers=hx(token)).status_code == 403

    token = login(client, grader.email)
    queue = client.get("/review?reason=regrade_request", headers=HX)
    assert f"/review/submissions/{sub.id}" in queue.text
    resolved = client.post(f"/regrade-requests/{request.id}/resolve", data={"body": "Agreed, fixed.",
                                                                            "csrf_token": token},
                           follow_redirects=False)
    assert resolved.status_code == 303 and resolved.headers["location"] == \
        f"/review/submissions/{sub.id}#regrade-{request.id}"
    assert request.state == "resolved"

    login(client, student.email)
    page = client.get(f"/submissions/{sub.id}")
    assert "Agreed, fixed." in page.text and "resolved" in page.text
    api = client.get(f"/api/v1/regrade-requests/{request.id}").json()
    assert [m["staff"] for m in api["messages"]] == [False, False, True]


def test_regrade_requests_of_others_are_refused(client, db, factory):
    owner, other = factory.user(), factory.user()
    sub = factory.graded(owner)
    token = login(client, other.email)
    response = client.post(f"/submissions/{sub.id}/regrade-requests", data={"message": "mine?"}, headers=hx(token))
    assert response.status_code == 404
    api = client.post(f"/api/v1/submissions/{sub.id}/regrade-requests", json={"message": "mine?"},
                      headers={"X-CSRF-Token": token})
    assert api.status_code == 404
    empty = client.post(f"/api/v1/submissions/{sub.id}/regrade-requests", json={"message": ""},
                        headers={"Authorization": f"Bearer {factory.token(owner)}"})
    assert empty.status_code == 422
    assert count(db, RegradeRequest, RegradeRequest.submission_id == sub.id) == 0


def test_api_queue_for_graders(client, db, factory):
    mark_manual(db)
    grader = factory.user("grader")
    sub = factory.graded(factory.user())
    rows = client.get("/api/v1/review/queue?lab=lab02", headers={"Authorization": f"Bearer {factory.token(grader)}"})
    assert rows.status_code == 200 and [r["submission_id"] for r in rows.json()] == [sub.id]
    assert rows.json()[0]["reason"] == "manual_review"
    assert db.get(Lab, "lab02").manifest["manual_review"] is True
