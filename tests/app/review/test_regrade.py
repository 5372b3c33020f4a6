"""Regrade-all on a lab whose reference changed, graded for real through the sandbox (bubblewrap)."""
import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from app.config import get_settings
from worker.jobs import grade_code
from app.labs.models import Lab
from app.notifications.models import Notification
from app.core.tasks import REGRADE_ITEM
from app.review import regrade, service
from app.review.models import RegradeItem, RegradeRun, ScoreChange
from labkit.manifest import content_hash, load_manifest
from tests.conftest import login

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "labs" / "lab02-word-stats"
SOLUTION = (FIXTURE / "solution.py").read_text()
NO_LOWER = (FIXTURE / "mistakes" / "no_lower.py").read_text()


@pytest.fixture
def word_stats(db, tmp_path, monkeypatch):
    """The fixture lab copied into a temp labs dir, loaded as lab02 for this test only."""
    labs_dir = tmp_path / "labs"
    folder = labs_dir / FIXTURE.name
    shutil.copytree(FIXTURE, folder)
    monkeypatch.setattr(get_settings(), "labs_dir", labs_dir)
    manifest = load_manifest(folder)
    lab = db.get(Lab, "lab02")
    lab.folder, lab.gradeable, lab.device = folder.name, True, "cpu"
    lab.manifest, lab.max_score = manifest.model_dump(mode="json"), manifest.max_score
    lab.submit_file, lab.starter_code = manifest.submit_file, (folder / "starter.py").read_text()
    lab.content_hash = content_hash(folder)
    db.flush()
    return folder


def graded_for_real(factory, user, code, folder):
    result = grade_code(folder.name, code, None)
    assert "platform_error" not in result, result
    return factory.graded(user, result=result, code=code)


def work_through(db, run):
    """What the worker does for each sent task, on the test's session (see worker.review_tasks.run_item)."""
    for item in db.scalars(select(RegradeItem).where(RegradeItem.run_id == run.id, RegradeItem.state == "queued")):
        token = regrade.claim_item(db, item.id, "test-worker")
        assert token and regrade.claim_item(db, item.id, "second-delivery") is None
        submission = db.get(service.Submission, item.submission_id)
        result = grade_code(db.get(Lab, submission.lab_id).folder, submission.code, submission.id)
        assert regrade.finish_item(db, item.id, token, result)
        assert not regrade.finish_item(db, item.id, token, result)  # a stale finish records nothing


def test_regrade_all_reports_who_went_up_or_down_after_the_reference_changed(client, db, factory, word_stats, sent):
    instructor = factory.user("instructor", name="Ines")
    correct, sloppy, kept = factory.user(name="Cora"), factory.user(name="Sam"), factory.user(name="Kai")
    a = graded_for_real(factory, correct, SOLUTION, word_stats)
    b = graded_for_real(factory, sloppy, NO_LOWER, word_stats)
    factory.graded(kept, result=factory.result(), code="old attempt\n")
    c = graded_for_real(factory, kept, SOLUTION, word_stats)
    grader = factory.user("grader")
    service.override(db, c, grader, "5", "Late penalty agreed with the student.")
    assert (a.score, b.score, c.score) == (6.0, 1.0, 5.0)

    # The lab's reference changes: counts are now case-sensitive, so the "mistake" becomes right.
    (word_stats / "solution.py").write_text(NO_LOWER)

    token = login(client, instructor.email)
    response = client.post("/review/labs/lab02/regrade", data={"reason": "counts are case-sensitive now"},
                           headers={"HX-Request": "true", "X-CSRF-Token": token})
    run = db.scalar(select(RegradeRun).where(RegradeRun.lab_id == "lab02"))
    assert response.status_code == 200 and response.headers["HX-Redirect"] == f"/review/regrades/{run.id}"
    assert run.total == 3 and run.lab_hash == content_hash(word_stats)
    assert sorted(args[0] for name, args, queue in sent if name == REGRADE_ITEM) == sorted(
        i.id for i in db.scalars(select(RegradeItem).where(RegradeItem.run_id == run.id)))
    again = client.post("/review/labs/lab02/regrade", data={"csrf_token": token}, follow_redirects=False)
    assert again.status_code == 409  # one run per lab at a time

    progress = client.get(f"/review/regrades/{run.id}", headers={"HX-Request": "true"})
    assert progress.text.lstrip().startswith('<div id="regrade-progress" hx-get=')  # still polling
    assert "0 of 3 done" in progress.text

    work_through(db, run)

    db.refresh(run)
    assert run.state == "done" and run.finished_at is not None and run.dry_run and run.applied_at is None
    # the dry run changed nothing and told no student anything
    assert (a.score, b.score, c.score) == (6.0, 1.0, 5.0)
    assert db.scalar(select(ScoreChange).where(ScoreChange.kind == "regrade")) is None
    assert db.scalar(select(Notification).where(Notification.kind == "score_changed",
                                                Notification.user_id.in_([correct.id, sloppy.id]))) is None
    data = regrade.report_json(db, run)
    by_student = {i["student"]["name"]: i for i in data["items"]}
    assert by_student["Cora"]["direction"] == "down" and by_student["Cora"]["delta"] == -5.0
    assert by_student["Sam"]["direction"] == "up" and by_student["Sam"]["delta"] == 5.0
    assert by_student["Kai"]["kept_override"] and by_student["Kai"]["final_score"] == 5.0
    assert by_student["Kai"]["new_score"] == 1.0 and by_student["Kai"]["direction"] == "down"
    assert ["counts_hidden", 3.0, 0.0] in by_student["Cora"]["changed_checks"]
    assert data["summary"] == {"up": 1, "down": 2, "same": 0, "error": 0, "skipped": 0, "pending": 0,
                               "kept_override": 1}
    dry = client.get(f"/review/regrades/{run.id}")
    assert "Apply: 1 up, 2 down, 0 unchanged" in dry.text and "no score has changed yet" in dry.text

    # a confirmation that names other counts (a stale page), or none, applies nothing
    stale = client.post(f"/review/regrades/{run.id}/apply", data={"up": "1", "down": "1", "confirm": "1"},
                        headers={"HX-Request": "true", "X-CSRF-Token": token})
    assert stale.status_code == 409 and "reload the page" in stale.text
    unticked = client.post(f"/review/regrades/{run.id}/apply", data={"up": "1", "down": "2", "csrf_token": token})
    assert unticked.status_code == 400 and a.score == 6.0
    applied = client.post(f"/review/regrades/{run.id}/apply", data={"up": "1", "down": "2", "confirm": "1"},
                          headers={"HX-Request": "true", "X-CSRF-Token": token})
    assert applied.status_code == 200 and "2 score(s) changed" in applied.text
    db.refresh(run)
    assert run.applied_at is not None and run.applied_by_id == instructor.id
    assert (a.score, b.score, c.score) == (1.0, 6.0, 5.0)  # the override stands
    again_apply = client.post(f"/api/v1/regrade-runs/{run.id}/apply", json={"up": 1, "down": 2},
                              headers={"X-CSRF-Token": token})
    assert again_apply.status_code == 409 and "already applied" in again_apply.json()["detail"]

    [change] = db.scalars(select(ScoreChange).where(ScoreChange.submission_id == a.id,
                                                    ScoreChange.kind == "regrade"))
    assert (change.old_score, change.new_score, change.actor_id) == (6.0, 1.0, instructor.id)
    assert "counts are case-sensitive now" in change.reason
    assert db.scalar(select(ScoreChange).where(ScoreChange.submission_id == c.id,
                                               ScoreChange.kind == "regrade")) is None
    assert db.scalar(select(Notification).where(Notification.user_id == instructor.id,
                                                Notification.kind == "regrade_done")) is not None
    assert db.scalar(select(Notification).where(Notification.user_id == correct.id,
                                                Notification.kind == "score_changed")) is not None

    page = client.get(f"/review/regrades/{run.id}")
    assert page.status_code == 200 and "▼ down -5" in page.text and "▲ up +5" in page.text
    assert "grader's score kept; automatic 1" in page.text
    final = client.get(f"/review/regrades/{run.id}", headers={"HX-Request": "true"})
    assert final.text.lstrip().startswith('<div id="regrade-progress"') and 'hx-trigger="every 1s"' not in final.text
    assert client.get(f"/api/v1/regrade-runs/{run.id}", headers={"X-CSRF-Token": token}).json()["state"] == "done"


def test_a_broken_reference_is_a_platform_error_and_changes_no_score(client, db, factory, word_stats):
    grader = factory.user("grader")
    sub = graded_for_real(factory, factory.user(), SOLUTION, word_stats)
    (word_stats / "solution.py").write_text("def word_counts(text):\n    raise RuntimeError('broken')\n")
    token = login(client, grader.email)
    response = client.post(f"/review/submissions/{sub.id}/regrade", data={"reason": "check", "csrf_token": token},
                           follow_redirects=False)
    run = db.scalar(select(RegradeRun).where(RegradeRun.lab_id == "lab02"))
    assert response.status_code == 303 and response.headers["location"] == f"/review/regrades/{run.id}"
    work_through(db, run)
    [item] = db.scalars(select(RegradeItem).where(RegradeItem.run_id == run.id))
    assert item.state == "error" and "reference" in item.error
    assert sub.score == 6.0 and sub.status == "graded"
    assert [c.kind for c in db.scalars(select(ScoreChange).where(ScoreChange.submission_id == sub.id))] == ["auto"]
    db.refresh(run)
    assert run.state == "done"


def test_regrade_refusals(client, db, factory, word_stats):
    instructor = factory.user("instructor")
    token = login(client, instructor.email)
    nothing = client.post("/review/labs/lab02/regrade", data={"csrf_token": token}, follow_redirects=False)
    assert nothing.status_code == 409 and "nothing to regrade" in nothing.text
    not_gradeable = client.post("/api/v1/labs/lab03/regrade", json={}, headers={"X-CSRF-Token": token})
    assert not_gradeable.status_code in (404, 409)
    assert db.scalar(select(RegradeRun)) is None
