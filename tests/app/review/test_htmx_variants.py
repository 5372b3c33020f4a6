"""The remaining HTMX routes, each with and without HX-Request."""
from sqlalchemy import select

from app.core.tasks import REGRADE_ITEM
from app.review import regrade, service
from app.review.models import RegradeItem, RegradeRequest, RegradeRun, ReviewItem, SavedComment
from tests.conftest import login

HX = {"HX-Request": "true"}


def hx(token):
    return {**HX, "X-CSRF-Token": token}


def test_resolve_entry_without_htmx_goes_back(client, db, factory):
    grader = factory.user("grader")
    sub = factory.graded(factory.user(), result=factory.result(status="error", tests=[], platform_error="boom"))
    [item] = db.scalars(select(ReviewItem).where(ReviewItem.submission_id == sub.id))
    token = login(client, grader.email)
    response = client.post(f"/review/queue/{item.id}/resolve", data={"csrf_token": token,
                                                                     "back": f"/review/submissions/{sub.id}"},
                           follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == f"/review/submissions/{sub.id}"
    assert item.state == "resolved" and item.resolution == "Resolved."


def test_resolve_entry_with_htmx_from_the_queue_returns_the_row(client, db, factory):
    grader = factory.user("grader")
    sub = factory.graded(factory.user(), result=factory.result(status="error", tests=[], platform_error="boom"))
    [item] = db.scalars(select(ReviewItem).where(ReviewItem.submission_id == sub.id))
    token = login(client, grader.email)
    response = client.post(f"/review/queue/{item.id}/resolve", data={}, headers=hx(token))
    assert response.status_code == 200 and response.text.lstrip().startswith(f'<tr id="queue-{item.id}"')


def test_grading_forms_with_and_without_htmx(client, db, factory):
    grader = factory.user("grader")
    sub = factory.graded(factory.user())
    token = login(client, grader.email)
    item = service.add_rubric_item(db, db.get(service.Lab, "lab02"), grader, "Tidy", "1")
    plain = client.post(f"/review/submissions/{sub.id}/rubric", data={"item": str(item.id), "csrf_token": token},
                        follow_redirects=False)
    assert plain.status_code == 303 and sub.score == 3.0
    comment = client.post(f"/review/submissions/{sub.id}/comment", data={"comment": "Nice"}, headers=hx(token))
    assert comment.status_code == 200 and comment.text.lstrip().startswith('<div id="review-grading">')
    assert ">Nice</textarea>" in comment.text
    held = client.post(f"/review/submissions/{sub.id}/hold", headers=hx(token))
    assert held.status_code == 200 and "feedback held" in held.text
    released = client.post(f"/review/submissions/{sub.id}/release", data={"csrf_token": token},
                           follow_redirects=False)
    assert released.status_code == 303 and not service.is_held(db, sub.id)


def test_grade_one_submission_again_with_htmx(client, db, factory, sent):
    grader = factory.user("grader")
    sub = factory.graded(factory.user())
    token = login(client, grader.email)
    response = client.post(f"/review/submissions/{sub.id}/regrade", data={"reason": "retry"}, headers=hx(token))
    run = db.scalar(select(RegradeRun).where(RegradeRun.scope == "submission"))
    assert response.status_code == 200 and response.headers["HX-Redirect"] == f"/review/regrades/{run.id}"
    [item] = db.scalars(select(RegradeItem).where(RegradeItem.run_id == run.id))
    assert sent == [(REGRADE_ITEM, [item.id], db.get(service.Lab, "lab02").device)]
    busy = client.post(f"/review/submissions/{sub.id}/regrade", data={"csrf_token": token})
    assert busy.status_code == 409


def test_resume_a_run_with_and_without_htmx(client, db, factory, sent):
    instructor = factory.user("instructor")
    factory.graded(factory.user())
    lab = db.get(service.Lab, "lab02")
    run = regrade.start_lab_regrade(db, lab, instructor, "test")
    token = login(client, instructor.email)
    sent.clear()
    response = client.post(f"/review/regrades/{run.id}/resume", headers=hx(token))
    assert response.status_code == 200 and response.text.lstrip().startswith('<div id="regrade-progress"')
    assert len(sent) == 1
    plain = client.post(f"/review/regrades/{run.id}/resume", data={"csrf_token": token}, follow_redirects=False)
    assert plain.status_code == 303 and plain.headers["location"] == f"/review/regrades/{run.id}"
    grader = factory.user("grader")
    token = login(client, grader.email)
    assert client.post(f"/review/regrades/{run.id}/resume", headers=hx(token)).status_code == 403


def test_lab_page_forms_with_and_without_htmx(client, db, factory):
    grader = factory.user("grader")
    token = login(client, grader.email)
    lab = db.get(service.Lab, "lab02")
    item = service.add_rubric_item(db, lab, grader, "Tidy", "1")
    removed = client.post(f"/review/labs/lab02/rubric/{item.id}/delete", headers=hx(token))
    assert removed.status_code == 200 and "No rubric items yet." in removed.text
    assert client.post(f"/review/labs/lab02/rubric/{item.id}/delete", headers=hx(token)).status_code == 404
    saved = client.post("/review/labs/lab02/comments", data={"text": "Mind the edge case.", "csrf_token": token},
                        follow_redirects=False)
    assert saved.status_code == 303 and saved.headers["location"] == "/review/labs/lab02#comments"
    comment = db.scalar(select(SavedComment).where(SavedComment.lab_id == "lab02"))
    gone = client.post(f"/review/labs/lab02/comments/{comment.id}/delete", data={"csrf_token": token},
                       follow_redirects=False)
    assert gone.status_code == 303 and db.get(SavedComment, comment.id) is None
    factory.graded(factory.user())
    service.set_lab_hold(db, lab, factory.user("instructor"), True)
    held = factory.graded(factory.user())
    released = client.post("/review/labs/lab02/release", headers=hx(token))
    assert released.status_code == 200 and "Released feedback on 1 submission(s)" in released.text
    assert not service.is_held(db, held.id)


def test_regrade_thread_forms_with_and_without_htmx(client, db, factory):
    student, grader = factory.user(), factory.user("grader")
    sub = factory.graded(student)
    token = login(client, student.email)
    opened = client.post(f"/submissions/{sub.id}/regrade-requests", data={"message": "please look",
                                                                          "csrf_token": token},
                         follow_redirects=False)
    request = db.scalar(select(RegradeRequest).where(RegradeRequest.submission_id == sub.id))
    assert opened.status_code == 303 and opened.headers["location"] == f"/submissions/{sub.id}#regrade-{request.id}"
    reply = client.post(f"/regrade-requests/{request.id}/messages", data={"body": "detail"}, headers=hx(token))
    assert reply.status_code == 200 and reply.text.lstrip().startswith(f'<div id="regrade-threads-{sub.id}"')
    empty = client.post(f"/regrade-requests/{request.id}/messages", data={"body": "  "}, headers=hx(token))
    assert empty.status_code == 400
    token = login(client, grader.email)
    resolved = client.post(f"/regrade-requests/{request.id}/resolve", data={"body": "done"}, headers=hx(token))
    assert resolved.status_code == 200 and "resolved" in resolved.text and "Resolve request" not in resolved.text
    assert request.state == "resolved"
