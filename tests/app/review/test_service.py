import pytest
from sqlalchemy import func, select

from app.core.errors import AppError
from app.labs.models import Lab
from app.labs.service import result_json
from app.notifications.models import Notification
from app.review import service
from app.review.models import RegradeRequest, ReviewItem, ScoreChange


def changes(db, submission):
    return list(db.scalars(select(ScoreChange).where(ScoreChange.submission_id == submission.id)
                           .order_by(ScoreChange.id)))


def notifications(db, user, kind=None):
    query = select(Notification).where(Notification.user_id == user.id)
    if kind:
        query = query.where(Notification.kind == kind)
    return list(db.scalars(query))


def mark_manual(db, lab_id="lab02", manual_review=True, check_manual=False):
    lab = db.get(Lab, lab_id)
    manifest = dict(lab.manifest or {})
    manifest["manual_review"] = manual_review
    manifest["checks"] = [{**c, "manual": check_manual and i == 0} for i, c in enumerate(manifest.get("checks", []))]
    lab.manifest = manifest
    db.flush()
    return lab


def test_a_landing_grade_writes_an_automatic_audit_row(db, factory):
    student = factory.user()
    submission = factory.graded(student)
    [change] = changes(db, submission)
    assert (change.kind, change.old_score, change.new_score, change.actor_id) == ("auto", None, 2.0, None)
    assert "Automatic grade of attempt 1" in change.reason
    assert not service.is_held(db, submission.id)
    assert db.scalar(select(func.count()).select_from(ReviewItem)
                     .where(ReviewItem.submission_id == submission.id)) == 0


def test_override_records_who_when_old_new_and_why_and_notifies(db, factory):
    student, grader = factory.user(), factory.user("grader", name="Grace")
    submission = factory.graded(student)
    change = service.override(db, submission, grader, "4.5", "Hidden check failed on a tie the lab allows.")
    assert submission.score == 4.5 and submission.result["score"] == 4.5
    assert result_json(submission)["score"] == 4.5
    auto, manual = changes(db, submission)
    assert (manual.kind, manual.old_score, manual.new_score, manual.actor_id) == ("override", 2.0, 4.5, grader.id)
    assert manual.reason == "Hidden check failed on a tie the lab allows." and manual.created_at is not None
    [note] = notifications(db, student, "score_changed")
    assert "2 → 4.5" in note.body and note.link == f"/submissions/{submission.id}"


@pytest.mark.parametrize("score, reason, code", [
    ("4", "", "missing_text"), ("4", "   ", "missing_text"), ("eleven", "why", "bad_score"),
    ("-1", "why", "bad_score"), ("99", "why", "bad_score"), ("nan", "why", "bad_score"), ("inf", "why", "bad_score"),
])
def test_override_refuses_bad_input_and_writes_nothing(db, factory, score, reason, code):
    submission = factory.graded(factory.user())
    with pytest.raises(AppError) as error:
        service.override(db, submission, factory.user("grader"), score, reason)
    assert error.value.status_code == 400 and error.value.code == code
    assert submission.score == 2.0 and len(changes(db, submission)) == 1


def test_override_to_the_same_score_is_a_conflict(db, factory):
    submission = factory.graded(factory.user())
    with pytest.raises(AppError) as error:
        service.override(db, submission, factory.user("grader"), "2", "no change")
    assert error.value.status_code == 409 and len(changes(db, submission)) == 1


def test_manual_review_lab_is_queued_held_and_released_with_a_notification(db, factory):
    mark_manual(db)
    student, grader = factory.user(), factory.user("grader")
    submission = factory.graded(student)
    [item] = db.scalars(select(ReviewItem).where(ReviewItem.submission_id == submission.id))
    assert (item.reason, item.state) == ("manual_review", "open")
    assert service.is_held(db, submission.id)
    held = result_json(submission)
    assert held["status"] == "awaiting_review" and held["score"] is None and held["tests"] == []
    assert notifications(db, student) == []

    service.release(db, submission, grader)
    shown = result_json(submission)
    assert shown["status"] == "graded" and shown["score"] == 2.0 and len(shown["tests"]) == 2
    assert item.state == "resolved" and "released" in item.resolution.lower()
    [note] = notifications(db, student, "feedback_released")
    assert note.read_at is None and note.link == f"/submissions/{submission.id}"
    with pytest.raises(AppError) as error:
        service.release(db, submission, grader)
    assert error.value.status_code == 409


def test_a_manual_check_queues_without_holding_and_a_newer_attempt_supersedes(db, factory):
    mark_manual(db, manual_review=False, check_manual=True)
    student = factory.user()
    first = factory.graded(student)
    second = factory.graded(student)
    assert not service.is_held(db, second.id)
    items = {i.submission_id: i for i in db.scalars(select(ReviewItem).where(
        ReviewItem.submission_id.in_([first.id, second.id])))}
    assert items[first.id].state == "resolved" and "Superseded by attempt 2" in items[first.id].resolution
    assert items[second.id].state == "open" and "Checks marked manual" in items[second.id].detail


def test_a_platform_error_is_queued_for_staff_and_not_shown_to_the_student(db, factory):
    result = factory.result(status="error", tests=[], platform_error="reference run failed: boom")
    submission = factory.graded(factory.user(), result=result)
    [item] = db.scalars(select(ReviewItem).where(ReviewItem.submission_id == submission.id))
    assert item.reason == "platform_error" and "boom" in item.detail
    assert "platform_error" not in result_json(submission)


def test_lab_hold_policy_holds_new_feedback_until_released_for_the_whole_lab(db, factory):
    instructor, grader = factory.user("instructor"), factory.user("grader")
    lab = db.get(Lab, "lab02")
    service.set_lab_hold(db, lab, instructor, True)
    a, b = factory.graded(factory.user()), factory.graded(factory.user())
    assert service.is_held(db, a.id) and service.is_held(db, b.id)
    assert service.held_count(db, "lab02") == 2
    assert service.release_lab(db, lab, grader) == 2
    assert service.held_count(db, "lab02") == 0
    service.set_lab_hold(db, lab, instructor, False)
    assert not service.is_held(db, factory.graded(factory.user()).id)


def test_rubric_sets_score_from_automatic_score_plus_items_clamped(db, factory):
    lab = db.get(Lab, "lab02")
    grader = factory.user("grader")
    student = factory.user()
    submission = factory.graded(student)  # automatic 2 of 5
    bonus = service.add_rubric_item(db, lab, grader, "Clear names", "2", "Nicely named.")
    big = service.add_rubric_item(db, lab, grader, "Explains the idea", "3")
    penalty = service.add_rubric_item(db, lab, grader, "No docstrings", "-1")
    change = service.apply_rubric(db, submission, grader, {bonus.id: "Good names", penalty.id: ""},
                                  save_comments=True)
    assert submission.score == 3.0 and change.kind == "rubric" and change.actor_id == grader.id
    assert "Clear names (+2)" in change.reason and "No docstrings (-1)" in change.reason
    assert [m.rubric_item_id for m, _ in service.rubric_marks(db, submission.id)] == [bonus.id, penalty.id]
    assert [c.text for c in service.saved_comments(db, "lab02")] == ["Good names"]
    service.apply_rubric(db, submission, grader, {bonus.id: "", big.id: ""})
    assert submission.score == 5.0  # 2 + 2 + 3 clamped to the maximum
    service.apply_rubric(db, submission, grader, {})
    assert submission.score == 2.0 and service.rubric_marks(db, submission.id) == []
    assert [c.kind for c in changes(db, submission)] == ["auto", "rubric", "rubric", "rubric"]


def test_rubric_refuses_items_of_another_lab_and_bad_points(db, factory):
    grader = factory.user("grader")
    submission = factory.graded(factory.user())
    other = service.add_rubric_item(db, db.get(Lab, "lab09"), grader, "Other lab", "1")
    with pytest.raises(AppError) as error:
        service.apply_rubric(db, submission, grader, {other.id: ""})
    assert error.value.status_code == 400 and submission.score == 2.0
    assert service.rubric_marks(db, submission.id) == []
    for points in ("", "abc", "0", "1e9", "nan"):
        with pytest.raises(AppError):
            service.add_rubric_item(db, db.get(Lab, "lab02"), grader, "Title", points)
    assert len(service.rubric_items(db, "lab02")) == 0


def test_claim_next_follows_a_stable_order_and_two_graders_never_collide(db, factory):
    mark_manual(db)
    subs = [factory.graded(factory.user()) for _ in range(3)]
    g1, g2 = factory.user("grader"), factory.user("grader")
    filters = service.QueueFilters.parse(lab="lab02")
    first = service.claim_next(db, g1, filters)
    second = service.claim_next(db, g2, filters)
    assert [first.submission_id, second.submission_id] == [subs[0].id, subs[1].id]
    assert (first.assignee_id, second.assignee_id) == (g1.id, g2.id)
    mine = service.list_queue(db, service.QueueFilters.parse(lab="lab02", assignee="me"), g1)
    assert [row[0].id for row in mine] == [first.id]
    unassigned = service.list_queue(db, service.QueueFilters.parse(lab="lab02", assignee="unassigned"), g1)
    assert [row[1].id for row in unassigned] == [subs[2].id]


def test_queue_filters_by_cohort(db, factory):
    mark_manual(db)
    cohort = factory.cohort()
    inside = factory.user(enrolled=False)
    factory.enroll(inside, cohort)
    outside = factory.user()
    a, _ = factory.graded(inside), factory.graded(outside)
    rows = service.list_queue(db, service.QueueFilters.parse(lab="lab02", cohort=str(cohort.id)), inside)
    assert [row[1].id for row in rows] == [a.id]
    with pytest.raises(AppError):
        service.QueueFilters.parse(status="weird")
    with pytest.raises(AppError):
        service.QueueFilters.parse(cohort="x")


def test_regrade_request_thread_from_student_to_grader_and_back(db, factory):
    student, grader = factory.user(), factory.user("grader")
    submission = factory.graded(student)
    request = service.open_regrade_request(db, student, submission.id, "counts_hidden should pass: I lowercase.")
    [item] = db.scalars(select(ReviewItem).where(ReviewItem.regrade_request_id == request.id))
    assert item.reason == "regrade_request" and item.state == "open"
    with pytest.raises(AppError) as duplicate:
        service.open_regrade_request(db, student, submission.id, "again")
    assert duplicate.value.status_code == 409
    service.assign(db, item.id, grader, "me")
    service.add_regrade_message(db, student, request.id, "Here is more detail.")
    assert [n.kind for n in notifications(db, grader)] == ["regrade_requested"]
    service.add_regrade_message(db, grader, request.id, "Looking at it.")
    service.override(db, submission, grader, "5", "Regrade request: the hidden check was too strict.")
    service.resolve_regrade_request(db, grader, request.id, "Fixed, full marks.")
    assert request.state == "resolved" and item.state == "resolved"
    [(req, messages)] = service.regrade_threads(db, submission.id)
    assert [m.body for m, _ in messages] == ["counts_hidden should pass: I lowercase.", "Here is more detail.",
                                             "Looking at it.", "Fixed, full marks."]
    kinds = [n.kind for n in notifications(db, student)]
    assert kinds.count("regrade_answered") == 2 and "score_changed" in kinds
    with pytest.raises(AppError) as closed:
        service.add_regrade_message(db, student, request.id, "one more thing")
    assert closed.value.status_code == 409


def test_regrade_requests_are_private_and_need_a_released_result(db, factory):
    mark_manual(db)
    student, other = factory.user(), factory.user()
    submission = factory.graded(student)
    with pytest.raises(AppError) as held:
        service.open_regrade_request(db, student, submission.id, "please")
    assert held.value.status_code == 409
    with pytest.raises(AppError) as foreign:
        service.open_regrade_request(db, other, submission.id, "please")
    assert foreign.value.status_code == 404
    with pytest.raises(AppError) as empty:
        service.open_regrade_request(db, student, submission.id, " ")
    assert empty.value.status_code in (400, 409)
    assert db.scalar(select(func.count()).select_from(RegradeRequest)) == 0
