from sqlalchemy import select

from app.labs.models import GradingJob, LabDraft, Submission
from tests.conftest import SENT_TASKS, login

GOOD_CODE = "def word_counts(text):\n    return {}\n"


def submissions(db, user):
    return db.scalars(select(Submission).where(Submission.user_id == user.id)).all()


def test_lab_page_shows_instructions_and_starter(client, factory):
    login(client, factory.user().email)
    page = client.get("/labs/lab09")
    assert page.status_code == 200
    assert "Submit for grading" in page.text and 'name="code"' in page.text
    assert "NotImplementedError" in page.text  # starter in the editor


def not_yet_gradeable(db, lab_id: str = "lab03") -> str:
    """A lab whose folder is not built yet (as labs of later weeks were), within this test's transaction."""
    from app.labs.models import Lab

    db.get(Lab, lab_id).gradeable = False
    db.flush()
    return lab_id


def test_ungradeable_lab_says_so(client, factory, db):
    login(client, factory.user().email)
    page = client.get(f"/labs/{not_yet_gradeable(db)}")
    assert page.status_code == 200 and "not gradeable yet" in page.text


def test_submit_with_htmx_returns_live_status_and_sends_task_after_commit(client, factory, db):
    user = factory.user()
    token = login(client, user.email)
    response = client.post("/labs/lab02/submissions", data={"code": GOOD_CODE},
                           headers={"HX-Request": "true", "X-CSRF-Token": token})
    assert response.status_code == 202
    assert 'hx-trigger="every 1s"' in response.text and 'data-status="queued"' in response.text
    [submission] = submissions(db, user)
    job = db.scalar(select(GradingJob).where(GradingJob.submission_id == submission.id))
    assert SENT_TASKS == [(job.id, "cpu")]
    assert db.get(LabDraft, (user.id, "lab02")).code == GOOD_CODE


def test_submit_without_js_redirects_to_the_submission(client, factory, db):
    user = factory.user()
    token = login(client, user.email)
    response = client.post("/labs/lab02/submissions", data={"code": GOOD_CODE, "csrf_token": token},
                           follow_redirects=False)
    [submission] = submissions(db, user)
    assert response.status_code == 303 and response.headers["location"] == f"/submissions/{submission.id}"
    page = client.get(f"/submissions/{submission.id}")
    assert "Waiting for a grader worker" in page.text


def test_upload_a_py_file(client, factory, db):
    user = factory.user()
    token = login(client, user.email)
    response = client.post("/labs/lab02/submissions", data={"csrf_token": token},
                           files={"file": ("mine.py", GOOD_CODE.encode(), "text/x-python")}, follow_redirects=False)
    assert response.status_code == 303
    assert submissions(db, user)[0].code == GOOD_CODE


def test_upload_a_notebook(client, factory, db):
    import nbformat

    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# notes"),
                                               nbformat.v4.new_code_cell("%matplotlib inline\nx = 1"),
                                               nbformat.v4.new_code_cell(GOOD_CODE)])
    user = factory.user()
    token = login(client, user.email)
    client.post("/labs/lab02/submissions", data={"csrf_token": token},
                files={"file": ("lab.ipynb", nbformat.writes(notebook).encode(), "application/json")})
    code = submissions(db, user)[0].code
    assert "# %matplotlib inline" in code and "def word_counts" in code and "# notes" not in code


def test_bad_uploads_are_refused_and_write_nothing(client, factory, db):
    user = factory.user()
    token = login(client, user.email)
    cases = [("empty.py", b"", 400, "empty"), ("bin.py", b"\x00\x01\x02", 400, "binary"),
             ("latin.py", b"caf\xe9 = 1", 400, "UTF-8"), ("big.py", b"x = 1\n" * 60000, 413, "limit"),
             ("notes.txt", b"hello", 400, ".py")]
    for name, raw, status, text in cases:
        response = client.post("/labs/lab02/submissions", files={"file": (name, raw, "text/plain")},
                               headers={"HX-Request": "true", "X-CSRF-Token": token})
        assert response.status_code == status, name
        assert text in response.text and response.headers["HX-Retarget"] == "#toasts"
    assert submissions(db, user) == [] and SENT_TASKS == []


def test_unknown_lab_is_404(client, factory):
    token = login(client, factory.user().email)
    response = client.post("/labs/lab99/submissions", data={"code": GOOD_CODE, "csrf_token": token})
    assert response.status_code == 404


def test_other_students_cannot_see_a_submission(client, factory):
    owner = factory.user()
    submission = factory.submission(owner)
    login(client, factory.user().email)
    assert client.get(f"/submissions/{submission.id}").status_code == 404
    assert client.get(f"/submissions/{submission.id}/status", headers={"HX-Request": "true"}).status_code == 404


def test_graded_status_fragment_shows_feedback_and_stops_polling(client, factory):
    user = factory.user()
    result = {"status": "graded", "score": 2.0, "max_score": 4.0, "tests": [
        {"name": "counts", "points": 2, "max_points": 2, "passed": True, "visible": True, "feedback": "Passed."},
        {"name": "hidden_counts", "points": 0, "max_points": 2, "passed": False, "visible": False,
         "feedback": "Failed on hidden inputs.\nHint: lowercase"}], "timings": {"sandbox_s": 0.2}}
    submission = factory.submission(user, score=2.0, max_score=4.0, result=result)
    login(client, user.email)
    fragment = client.get(f"/submissions/{submission.id}/status", headers={"HX-Request": "true"})
    assert "every 1s" not in fragment.text and "Hint: lowercase" in fragment.text
    plain = client.get(f"/submissions/{submission.id}/status", follow_redirects=False)
    assert plain.status_code == 303


def test_best_score_counts_in_week_progress(client, factory, db):
    user = factory.user()
    factory.submission(user, lab_id="lab02", score=20.0, max_score=20.0)
    login(client, user.email)
    week = next(w for w in client.get("/api/v1/me/progress").json()["weeks"] if w["week"] == 1)
    lab = next(lab for lab in week["labs"] if lab["id"] == "lab02")
    assert lab["best_score"] == 20.0 and week["progress"] > 0


def test_lab_page_names_the_stand_in_model_or_the_operators_real_one(client, factory, tmp_path, monkeypatch):
    from app.config import get_settings

    login(client, factory.user().email)
    page = client.get("/labs/lab20")
    assert "the tiny pre-trained <code>bert-tiny</code>" in page.text and "stands in for bert-base-uncased" in page.text
    (tmp_path / "bert-base-uncased").mkdir()
    (tmp_path / "bert-base-uncased" / "config.json").write_text("{}")
    monkeypatch.setattr(get_settings(), "models_dir", tmp_path)
    page = client.get("/labs/lab20")
    assert "<strong>bert-base-uncased</strong> (a real model" in page.text
    assert 'id="lab-models"' not in client.get("/labs/lab09").text
