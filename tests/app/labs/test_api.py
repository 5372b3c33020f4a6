from sqlalchemy import func, select

from app.labs.models import Submission
from tests.conftest import SENT_TASKS

CODE = "def word_counts(text):\n    return {}\n"


def auth(token):
    return {"Authorization": f"Bearer {token}"}


def test_list_labs_matches_contract(client, factory):
    token = factory.token(factory.user())
    labs = client.get("/api/v1/labs", headers=auth(token)).json()
    by_id = {lab["id"]: lab for lab in labs}
    assert {"lab02", "lab09", "lab15"} <= set(by_id)
    assert set(by_id["lab09"]) == {"id", "title", "week", "device", "max_score"}
    assert by_id["lab09"]["week"] == 4 and by_id["lab15"]["week"] == 7


def test_submit_json_and_get_result(client, factory, db):
    user = factory.user()
    token = factory.token(user)
    response = client.post("/api/v1/labs/lab02/submissions", json={"code": CODE}, headers=auth(token))
    assert response.status_code == 202
    body = response.json()
    assert body["status"] == "queued" and len(SENT_TASKS) == 1
    result = client.get(f"/api/v1/submissions/{body['id']}", headers=auth(token)).json()
    assert result["submission_id"] == body["id"] and result["lab_id"] == "lab02" and result["status"] == "queued"


def test_submit_multipart(client, factory):
    token = factory.token(factory.user())
    response = client.post("/api/v1/labs/lab02/submissions", files={"file": ("a.py", CODE.encode())},
                           headers=auth(token))
    assert response.status_code == 202


def test_bad_api_inputs(client, factory, db):
    token = factory.token(factory.user())
    before = db.scalar(select(func.count()).select_from(Submission))
    cases = [
        (dict(json={"code": ""}), 400), (dict(json={"nope": 1}), 422), (dict(json=[1, 2]), 422),
        (dict(content=b"{not json", headers={"content-type": "application/json"}), 400),
        (dict(content=b"code", headers={"content-type": "text/plain"}), 415),
        (dict(files={"other": ("a.py", b"x=1")}), 422),
        (dict(json={"code": "x = 1\n" * 50000}), 413),
    ]
    for kwargs, status in cases:
        headers = {**auth(token), **kwargs.pop("headers", {})}
        response = client.post("/api/v1/labs/lab02/submissions", headers=headers, **kwargs)
        assert response.status_code == status, (kwargs, response.text)
        assert response.json()["detail"]
    assert client.post("/api/v1/labs/lab99/submissions", json={"code": CODE}, headers=auth(token)).status_code == 404
    from tests.app.labs.test_routes import not_yet_gradeable

    ungradeable = not_yet_gradeable(db)
    assert client.post(f"/api/v1/labs/{ungradeable}/submissions", json={"code": CODE}, headers=auth(token)).status_code == 409
    assert db.scalar(select(func.count()).select_from(Submission)) == before
    assert SENT_TASKS == []


def test_students_see_only_their_own_and_staff_see_all(client, factory):
    owner = factory.user()
    submission = factory.submission(owner)
    other = factory.token(factory.user())
    assert client.get(f"/api/v1/submissions/{submission.id}", headers=auth(other)).status_code == 404
    grader = factory.token(factory.user(role="grader"))
    assert client.get(f"/api/v1/submissions/{submission.id}", headers=auth(grader)).status_code == 200


def test_student_outside_any_cohort_cannot_submit(client, factory):
    token = factory.token(factory.user(enrolled=False))
    response = client.post("/api/v1/labs/lab02/submissions", json={"code": CODE}, headers=auth(token))
    assert response.status_code == 403 and "cohort" in response.json()["detail"]


def test_held_feedback_is_hidden_from_the_student_but_not_from_staff(client, factory, db):
    from app.course.service import best_scores
    from app.review.service import hold

    student = factory.user()
    result = {"status": "graded", "score": 20.0, "max_score": 20.0, "tests": [], "timings": {}}
    submission = factory.submission(student, score=20.0, max_score=20.0, result=result)
    grader = factory.user(role="grader")
    hold(db, submission, grader)
    db.flush()
    mine = client.get(f"/api/v1/submissions/{submission.id}", headers=auth(factory.token(student))).json()
    assert mine["status"] == "awaiting_review" and mine["score"] is None
    assert "lab02" not in best_scores(db, student.id)
    staff = client.get(f"/api/v1/submissions/{submission.id}", headers=auth(factory.token(grader))).json()
    assert staff["status"] == "graded" and staff["score"] == 20.0
