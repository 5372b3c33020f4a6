"""Regrade-all is safe (issue 17, point 6): a dry run changes nothing, scope by cohort, an explicit confirmation
that names the counts, only changed scores notified, and one notification per grading session."""
from __future__ import annotations

from sqlalchemy import func, select

from app.notifications.models import Notification
from app.review import regrade, service
from app.review.models import RegradeItem, RegradeRun, ScoreChange
from tests.conftest import login

HX = {"HX-Request": "true"}


def result_with(factory, points: float) -> dict:
    tests = [{"name": "counts_visible", "points": 2.0, "max_points": 2.0, "passed": True, "visible": True,
              "description": "", "feedback": "Passed."},
             {"name": "counts_hidden", "points": points, "max_points": 3.0, "passed": points == 3.0,
              "visible": False, "description": "", "feedback": ""}]
    return factory.result(tests=tests)


def fake_workers(db, run, new_points: dict[int, float], factory) -> None:
    """The workers' side for each item (claim, finish) with a stand-in result per submission."""
    for item in db.scalars(select(RegradeItem).where(RegradeItem.run_id == run.id, RegradeItem.state == "queued")):
        token = regrade.claim_item(db, item.id, "test-worker")
        assert regrade.finish_item(db, item.id, token, result_with(factory, new_points[item.submission_id]))
    db.refresh(run)


def notifications(db, user, kind="score_changed") -> list[Notification]:
    return list(db.scalars(select(Notification).where(Notification.user_id == user.id, Notification.kind == kind)))


def test_a_cohort_scoped_dry_run_changes_nothing_then_apply_notifies_only_changed_scores(client, db, factory):
    instructor = factory.user("instructor")
    mine, other = factory.cohort("Autumn"), factory.cohort("Spring")
    up, down, same, elsewhere = (factory.user(enrolled=False, name=n) for n in ("Uma", "Dan", "Sid", "Eve"))
    for student in (up, down, same):
        factory.enroll(student, mine)
    factory.enroll(elsewhere, other)
    subs = {u.id: factory.graded(u, result=result_with(factory, 1.0)) for u in (up, down, same, elsewhere)}
    token = login(client, instructor.email)

    started = client.post("/review/labs/lab02/regrade", data={"csrf_token": token, "cohort": str(mine.id),
                                                              "reason": "hidden check fixed"}, follow_redirects=False)
    run = db.scalar(select(RegradeRun).where(RegradeRun.lab_id == "lab02"))
    assert started.status_code == 303 and run.dry_run and run.cohort_id == mine.id and run.total == 3
    assert subs[elsewhere.id].id not in {i.submission_id for i in db.scalars(select(RegradeItem))}

    fake_workers(db, run, {subs[up.id].id: 3.0, subs[down.id].id: 0.0, subs[same.id].id: 1.0}, factory)
    assert run.state == "done" and [s.score for s in subs.values()] == [3.0, 3.0, 3.0, 3.0]
    assert not any(notifications(db, u) for u in (up, down, same))
    summary = regrade.report(db, run)["summary"]
    assert (summary["up"], summary["down"], summary["same"]) == (1, 1, 1)
    page = client.get(f"/review/regrades/{run.id}")
    assert "Dry run #" in page.text and "Autumn" in page.text
    assert "Apply: 1 up, 1 down, 1 unchanged" in page.text and "notifies only those 2 student(s)" in page.text

    applied = client.post(f"/review/regrades/{run.id}/apply", data={"csrf_token": token, "confirm": "1",
                                                                    "up": "1", "down": "1"}, follow_redirects=False)
    assert applied.status_code == 303 and applied.headers["location"] == f"/review/regrades/{run.id}"
    assert (subs[up.id].score, subs[down.id].score, subs[same.id].score) == (5.0, 2.0, 3.0)
    assert len(notifications(db, up)) == 1 and len(notifications(db, down)) == 1
    assert notifications(db, same) == [] and notifications(db, elsewhere) == []
    assert "3 → 5" in notifications(db, up)[0].body
    items = {i.submission_id: i.applied for i in db.scalars(select(RegradeItem).where(RegradeItem.run_id == run.id))}
    assert sorted(items.values()) == ["changed", "changed", "unchanged"]


def test_apply_leaves_alone_what_was_graded_again_since_the_dry_run(client, db, factory):
    instructor, student = factory.user("instructor"), factory.user()
    first = factory.graded(student, result=result_with(factory, 1.0))
    run = regrade.start_lab_regrade(db, service.get_lab(db, "lab02"), instructor, "fix")
    fake_workers(db, run, {first.id: 0.0}, factory)
    factory.graded(student, result=result_with(factory, 3.0))  # a newer attempt after the dry run
    applied = regrade.apply_run(db, run, instructor, 0, 1)
    assert applied == {"changed": 0, "unchanged": 0, "superseded": 1, "kept": 0} and first.score == 3.0
    assert db.scalar(select(func.count()).select_from(ScoreChange).where(ScoreChange.kind == "regrade")) == 0


def test_apply_is_refused_while_running_with_stale_counts_or_twice(client, db, factory):
    instructor, student = factory.user("instructor"), factory.user()
    sub = factory.graded(student, result=result_with(factory, 1.0))
    token = login(client, instructor.email)
    response = client.post("/api/v1/labs/lab02/regrade", json={"reason": "x"}, headers={"X-CSRF-Token": token})
    assert response.status_code == 202 and response.json()["dry_run"] is True
    run = db.get(RegradeRun, response.json()["id"])
    running = client.post(f"/review/regrades/{run.id}/apply", data={"confirm": "1", "up": "0", "down": "0"},
                          headers={**HX, "X-CSRF-Token": token})
    assert running.status_code == 409 and "still grading" in running.text
    fake_workers(db, run, {sub.id: 3.0}, factory)
    stale = client.post(f"/api/v1/regrade-runs/{run.id}/apply", json={"up": 0, "down": 0},
                        headers={"X-CSRF-Token": token})
    assert stale.status_code == 409 and "1 up and 0 down" in stale.json()["detail"] and sub.score == 3.0
    ok = client.post(f"/api/v1/regrade-runs/{run.id}/apply", json={"up": 1, "down": 0}, headers={"X-CSRF-Token": token})
    assert ok.status_code == 200 and ok.json()["applied"]["changed"] == 1 and sub.score == 5.0
    twice = client.post(f"/review/regrades/{run.id}/apply", data={"confirm": "1", "up": "1", "down": "0"},
                        headers={**HX, "X-CSRF-Token": token})
    assert twice.status_code == 409 and "already applied" in twice.text
    bad_cohort = client.post("/review/labs/lab02/regrade", data={"cohort": "abc"}, headers={**HX, "X-CSRF-Token": token})
    assert bad_cohort.status_code == 400


def test_one_notification_per_grading_session_with_the_final_score(client, db, factory):
    grader, student = factory.user("grader"), factory.user()
    sub = factory.graded(student, result=result_with(factory, 1.0))  # 3 of 5
    lab = service.get_lab(db, "lab02")
    bonus = service.add_rubric_item(db, lab, grader, "Clear names", 1, "Readable.")
    token = login(client, grader.email)
    rubric = client.post(f"/review/submissions/{sub.id}/rubric", data={"item": str(bonus.id)},
                         headers={**HX, "X-CSRF-Token": token})
    assert rubric.status_code == 200 and sub.score == 4.0
    override = client.post(f"/review/submissions/{sub.id}/override", data={"score": "4.5", "reason": "Good tests"},
                           headers={**HX, "X-CSRF-Token": token})
    assert override.status_code == 200 and sub.score == 4.5
    [note] = notifications(db, student)
    assert "3 → 4.5" in note.body and "rubric, override" in note.body
    # a session that ends where it started leaves nothing to read
    client.post(f"/review/submissions/{sub.id}/override", data={"score": "3", "reason": "Back to the checks"},
                headers={**HX, "X-CSRF-Token": token})
    assert sub.score == 3.0 and notifications(db, student) == []
