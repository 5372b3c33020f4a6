"""The week-33 capstone: a .zip of a project, validated on upload (nothing unpacked on the host), smoke-tested
in the sandbox by the worker, queued for manual review, scored by the grader's rubric from its manifest."""
from __future__ import annotations

import base64
import io
import zipfile
from pathlib import Path

from sqlalchemy import func, select

from app.labs.models import GradingJob, Lab, Submission
from app.review.models import ReviewItem, RubricItem
from labkit.bundle import read_bundle, zip_folder
from labkit.manifest import load_manifest
from tests.conftest import login
from worker import jobs

CAPSTONE = Path(__file__).resolve().parents[3] / "labs" / "capstone-project"
HX = {"HX-Request": "true"}


def project_zip(folder: str = "solution") -> bytes:
    return zip_folder(CAPSTONE / folder)


def count(db, model, *where) -> int:
    return db.scalar(select(func.count()).select_from(model).where(*where))


def upload(client, token, raw: bytes, name: str = "project.zip", headers=None):
    return client.post("/api/v1/labs/capstone/submissions", files={"file": (name, raw, "application/zip")},
                       headers={"X-CSRF-Token": token, **(headers or {})})


def test_capstone_is_synced_for_week_33_with_the_manifest_rubric(db):
    lab = db.get(Lab, "capstone")
    manifest = load_manifest(CAPSTONE)
    assert lab.gradeable and lab.week_id == "week33" and lab.submit_file == "project.zip"
    assert lab.max_score == 100.0 == sum(r.points for r in manifest.rubric)
    items = list(db.scalars(select(RubricItem).where(RubricItem.lab_id == "capstone", RubricItem.active.is_(True))
                            .order_by(RubricItem.position)))
    assert [(i.title, i.points) for i in items] == [(r.title, r.points) for r in manifest.rubric]
    assert all(c.points == 0 for c in manifest.checks) and manifest.manual_review


def test_the_lab_page_offers_a_zip_upload_instead_of_the_editor(client, db, factory):
    login(client, factory.user().email)
    page = client.get("/labs/capstone")
    assert page.status_code == 200
    assert 'id="bundle-form"' in page.text and 'accept=".zip,application/zip"' in page.text
    assert 'data-editor="python"' not in page.text


def test_api_accepts_a_valid_zip_and_stores_it_unchanged(client, db, factory):
    student = factory.user()
    token = login(client, student.email)
    raw = project_zip()
    response = upload(client, token, raw)
    assert response.status_code == 202, response.text
    submission = db.get(Submission, response.json()["id"])
    assert base64.b64decode(submission.code) == raw and submission.filename == "project.zip"
    assert set(read_bundle(raw)) >= {"README.md", "MODEL_CARD.md", "app.py", "tests/test_app.py"}


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_bad_uploads_get_a_clear_4xx_and_store_nothing(client, db, factory):
    token = login(client, factory.user().email)
    before = count(db, Submission)
    cases = [
        (_zip({"../escape.py": b"x = 1\n"}), "project.zip", 400, "'..'"),
        (_zip({"app.py": b"x = 1\n", "w.bin": b"\x00\x01"}), "project.zip", 400, "only text files"),
        (_zip({f"f{i}.py": b"x = 1\n" for i in range(41)}), "project.zip", 400, "more than 40 files"),
        (b"PK" + bytes(449 * 1024), "project.zip", 413, "the limit is 448 KB"),
        (b"def predict(x): return x\n", "app.py", 400, "takes a .zip"),
        (b"not a zip at all", "project.zip", 400, "not a readable .zip"),
    ]
    for raw, name, status, message in cases:
        response = upload(client, token, raw, name)
        assert response.status_code == status and message in response.json()["detail"], (name, response.text)
    as_json = client.post("/api/v1/labs/capstone/submissions", json={"code": "print(1)"},
                          headers={"X-CSRF-Token": token})
    assert as_json.status_code == 415 and "takes a .zip" in as_json.json()["detail"]
    assert count(db, Submission) == before


def test_page_route_with_and_without_htmx(client, db, factory):
    token = login(client, factory.user().email)
    files = {"file": ("project.zip", project_zip(), "application/zip")}
    plain = client.post("/labs/capstone/submissions", data={"csrf_token": token}, files=files, follow_redirects=False)
    assert plain.status_code == 303 and plain.headers["location"].startswith("/submissions/")
    fragment = client.post("/labs/capstone/submissions", files=files, headers={**HX, "X-CSRF-Token": token})
    assert fragment.status_code == 202 and "<html" not in fragment.text
    bad = {"file": ("project.zip", _zip({"/etc/passwd": b"x"}), "application/zip")}
    toast = client.post("/labs/capstone/submissions", files=bad, headers={**HX, "X-CSRF-Token": token})
    assert toast.status_code == 400 and "absolute paths" in toast.text
    page = client.post("/labs/capstone/submissions", data={"csrf_token": token}, files=bad)
    assert page.status_code == 400 and "absolute paths" in page.text
    empty = client.post("/labs/capstone/submissions", data={"csrf_token": token, "code": "print(1)"},
                        headers={**HX, "X-CSRF-Token": token})
    assert empty.status_code == 422 and "takes a .zip" in empty.text


def run_worker(db, submission: Submission) -> None:
    """What the Celery worker does with the job: claim it, grade in the sandbox, record (worker.jobs)."""
    job = db.scalar(select(GradingJob).where(GradingJob.submission_id == submission.id))
    token = jobs.claim(db, job.id, "test-worker")
    lab = db.get(Lab, submission.lab_id)
    result = jobs.grade_code(lab.folder, submission.code, submission.id, submission.hidden_seeds)
    assert "platform_error" not in result, result
    assert jobs.finish(db, job.id, token, result)


def test_submitted_project_is_smoke_tested_queued_for_review_and_scored_by_the_rubric(client, db, factory):
    student, grader = factory.user(name="Cap Stone"), factory.user("grader")
    token = login(client, student.email)
    submission = db.get(Submission, upload(client, token, project_zip()).json()["id"])
    queued = db.scalar(select(ReviewItem).where(ReviewItem.submission_id == submission.id))
    assert queued is not None and queued.state == "open" and submission.status == "queued"  # queued on submit
    run_worker(db, submission)
    assert submission.status == "graded" and submission.max_score == 100.0 and submission.score == 0.0
    assert count(db, ReviewItem, ReviewItem.submission_id == submission.id) == 1  # the same entry
    tests = {t["name"]: t["passed"] for t in submission.result["tests"]}
    assert tests == {"structure": True, "predict_visible": True, "evaluation_report": True, "own_tests": True,
                     "predict_hidden": True, "edge_cases": True}
    item = db.scalar(select(ReviewItem).where(ReviewItem.submission_id == submission.id))
    assert item is not None and item.reason == "manual_review" and item.state == "open"
    # the student waits for the grader's score, but sees the 0-point smoke test at once
    mine = client.get(f"/api/v1/submissions/{submission.id}").json()
    assert mine["status"] == "awaiting_review" and mine["score"] is None
    assert [t["passed"] for t in mine["tests"]] == [True] * 6 and all(t["max_points"] == 0 for t in mine["tests"])
    own_page = client.get(f"/submissions/{submission.id}")
    assert "awaiting review" in own_page.text and "<strong>6 of 6</strong> passed" in own_page.text

    grader_token = login(client, grader.email)
    queue = client.get("/review?lab=capstone")
    assert queue.status_code == 200 and f"/review/submissions/{submission.id}" in queue.text
    page = client.get(f"/review/submissions/{submission.id}")
    assert page.status_code == 200
    for name in ("README.md", "MODEL_CARD.md", "app.py", "tests/test_app.py"):
        assert f">{name}</h3>" in page.text
    assert 'id="F3-1"' in page.text  # each file has its own line anchors
    items = list(db.scalars(select(RubricItem).where(RubricItem.lab_id == "capstone").order_by(RubricItem.position)))
    chosen = [i for i in items if i.title != "Robustness and safety"]
    response = client.post(f"/review/submissions/{submission.id}/rubric",
                           data={"item": [str(i.id) for i in chosen], "csrf_token": grader_token})
    assert response.status_code in (200, 303)
    db.refresh(submission)
    assert submission.score == sum(i.points for i in chosen) == 90.0
    client.post(f"/review/submissions/{submission.id}/release", data={"csrf_token": grader_token})
    login(client, student.email)
    released = client.get(f"/api/v1/submissions/{submission.id}").json()
    assert released["status"] == "graded" and released["score"] == 90.0


def test_a_new_upload_replaces_the_previous_one_in_the_queue(client, db, factory):
    token = login(client, factory.user().email)
    first = upload(client, token, project_zip()).json()["id"]
    second = upload(client, token, project_zip()).json()["id"]
    states = {i.submission_id: i.state for i in db.scalars(select(ReviewItem).where(
        ReviewItem.submission_id.in_([first, second])))}
    assert states == {first: "resolved", second: "open"}


def test_a_project_that_breaks_the_contract_gets_actionable_smoke_feedback(client, db, factory):
    token = login(client, factory.user().email)
    submission = db.get(Submission, upload(client, token, project_zip("starter")).json()["id"])
    run_worker(db, submission)
    tests = {t["name"]: t for t in client.get(f"/api/v1/submissions/{submission.id}").json()["tests"]}
    assert not tests["predict_visible"]["passed"] and "NotImplementedError" in tests["predict_visible"]["feedback"]
    assert "TODO" in tests["structure"]["feedback"]
    assert not tests["edge_cases"]["passed"] and "NotImplementedError" in tests["edge_cases"]["feedback"]


def test_similarity_check_is_refused_for_projects(client, db, factory):
    token = login(client, factory.user("instructor").email)
    response = client.post("/review/labs/capstone/similarity", data={"csrf_token": token}, headers={**HX, "X-CSRF-Token": token})
    assert response.status_code == 409 and "whole projects" in response.text


def test_a_held_result_of_a_lab_with_points_shows_no_checks(client, db, factory):
    """Only 0-point smoke checks are shown while held: an ordinary held lab still reveals nothing."""
    from app.review import service as review

    student = factory.user()
    submission = factory.graded(student)
    review.hold(db, submission, None)
    login(client, student.email)
    held = client.get(f"/api/v1/submissions/{submission.id}").json()
    assert held["status"] == "awaiting_review" and held["tests"] == []
    assert "smoke test" not in client.get(f"/submissions/{submission.id}").text


def test_the_starter_project_downloads_as_a_zip_and_the_solution_never_does(client, db, factory):
    login(client, factory.user().email)
    assert 'href="/api/v1/labs/capstone/starter.zip"' in client.get("/labs/capstone").text
    response = client.get("/api/v1/labs/capstone/starter.zip")
    assert response.status_code == 200 and response.headers["content-type"] == "application/zip"
    assert read_bundle(response.content) == read_bundle(project_zip("starter"))
    assert "NotImplementedError" in read_bundle(response.content)["app.py"]
    assert client.get("/api/v1/labs/lab02/starter.zip").status_code == 404
    assert client.get("/api/v1/labs/nope/starter.zip").status_code == 404
