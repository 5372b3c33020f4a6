"""JSON API under /api/v1/quizzes (bearer token; the session cookie needs the CSRF header)."""
from sqlalchemy import func, select

from app.quizzes.models import QuizAnswer, QuizAttempt
from tests.app.quizzes.helpers import ALL_BUT_CODE, CODE, NUMERIC, SINGLE, answers_for, grade_code_answers
from tests.conftest import login


def bearer(factory, user) -> dict:
    return {"Authorization": f"Bearer {factory.token(user)}"}


def test_list_and_detail(client, factory):
    user = factory.user()
    headers = bearer(factory, user)
    quizzes = client.get("/api/v1/quizzes", headers=headers).json()
    assert len(quizzes) == 33
    first = quizzes[0]
    assert first["id"] == "quiz-week01" and first["week"] == 1
    assert (first["draw"], first["question_count"], first["attempts_left"], first["passed"]) == (8, 10, 3, False)
    detail = client.get("/api/v1/quizzes/quiz-week01", headers=headers).json()
    assert detail["attempts"] == [] and detail["score_policy"] == "best"
    assert client.get("/api/v1/quizzes/nope", headers=headers).status_code == 404


def test_anonymous_gets_401_json(client):
    response = client.get("/api/v1/quizzes")
    assert response.status_code == 401 and response.json()["code"] == "unauthenticated"


def test_start_answer_submit_review(client, factory, db):
    user = factory.user()
    headers = bearer(factory, user)
    quiz = factory.quiz(ALL_BUT_CODE, week_number=2)
    started = client.post(f"/api/v1/quizzes/{quiz.id}/attempts", headers=headers)
    assert started.status_code == 201
    body = started.json()
    assert body["state"] == "open" and len(body["questions"]) == 4
    assert all("result" not in q for q in body["questions"])
    assert all("correct" not in c for q in body["questions"] for c in q.get("choices", []))
    resumed = client.post(f"/api/v1/quizzes/{quiz.id}/attempts", headers=headers)
    assert resumed.status_code == 200 and resumed.json()["id"] == body["id"]

    attempt = db.get(QuizAttempt, body["id"])
    answers = answers_for(db, attempt)
    for question_id, answer in answers.items():
        saved = client.post(f"/api/v1/quizzes/attempts/{attempt.id}/answers", headers=headers,
                            json={"question_id": question_id, "answer": answer})
        assert saved.status_code == 200, saved.text
        assert saved.json()["question_id"] == question_id
    submitted = client.post(f"/api/v1/quizzes/attempts/{attempt.id}/submit", headers=headers)
    assert submitted.status_code == 200
    result = submitted.json()
    assert (result["state"], result["score"], result["max_score"], result["passed"]) == ("submitted", 4.0, 4.0, True)
    assert result["status"] == "graded" and body["status"] is None
    assert {q["result"]["status"] for q in result["questions"]} == {"correct"}
    assert all(q["result"]["explanation"] for q in result["questions"])
    review = client.get(f"/api/v1/quizzes/attempts/{attempt.id}", headers=headers).json()
    assert review == result
    progress = client.get("/api/v1/me/progress", headers=headers).json()
    week2 = next(w for w in progress["weeks"] if w["id"] == "week02")
    assert week2["quiz"]["passed"] is True and week2["quiz"]["quiz_id"] == quiz.id and week2["quiz"]["attempts"] == 1
    listed = next(q for q in client.get("/api/v1/quizzes", headers=headers).json() if q["id"] == quiz.id)
    assert listed["passed"] is True and listed["best_score"] == 4.0


def test_submit_with_answers_in_the_body(client, factory, db):
    user = factory.user()
    headers = bearer(factory, user)
    quiz = factory.quiz([SINGLE, NUMERIC], week_number=2)
    attempt_id = client.post(f"/api/v1/quizzes/{quiz.id}/attempts", headers=headers).json()["id"]
    answers = answers_for(db, db.get(QuizAttempt, attempt_id))
    result = client.post(f"/api/v1/quizzes/attempts/{attempt_id}/submit", headers=headers,
                         json={"answers": answers}).json()
    assert result["score"] == 2.0
    again = client.post(f"/api/v1/quizzes/attempts/{attempt_id}/submit", headers=headers, json={"answers": {}})
    assert again.status_code == 409 and again.json()["code"] == "attempt_closed"


def test_code_answers_are_pending_in_the_api_until_graded(client, factory, db):
    user = factory.user()
    headers = bearer(factory, user)
    quiz = factory.quiz([CODE, SINGLE], week_number=2)
    attempt_id = client.post(f"/api/v1/quizzes/{quiz.id}/attempts", headers=headers).json()["id"]
    answers = answers_for(db, db.get(QuizAttempt, attempt_id))
    submitted = client.post(f"/api/v1/quizzes/attempts/{attempt_id}/submit", headers=headers,
                            json={"answers": answers}).json()
    assert (submitted["status"], submitted["score"], submitted["passed"], submitted["pending"]) == ("pending", None,
                                                                                                    None, 1)
    by_type = {q["type"]: q["result"] for q in submitted["questions"]}
    assert by_type["code"]["status"] == "pending" and by_type["single"]["status"] == "correct"
    detail = client.get(f"/api/v1/quizzes/{quiz.id}", headers=headers).json()
    assert detail["attempts"][0]["status"] == "pending"

    grade_code_answers(db)
    review = client.get(f"/api/v1/quizzes/attempts/{attempt_id}", headers=headers).json()
    assert (review["status"], review["score"], review["passed"], review["pending"]) == ("graded", 3.0, True, 0)
    code = next(q["result"] for q in review["questions"] if q["type"] == "code")
    assert code["status"] == "correct" and code["feedback"]["passed"] == 3 and code["feedback"]["run_status"] == "ok"


def test_bad_input_is_4xx_and_writes_nothing(client, factory, db):
    user = factory.user()
    headers = bearer(factory, user)
    quiz = factory.quiz([NUMERIC], week_number=2)
    attempt_id = client.post(f"/api/v1/quizzes/{quiz.id}/attempts", headers=headers).json()["id"]
    qid = db.get(QuizAttempt, attempt_id).layout[0]["question_id"]
    url = f"/api/v1/quizzes/attempts/{attempt_id}"
    cases = [
        (f"{url}/answers", {"question_id": qid, "answer": "1.2.3"}, 422, "is not a number"),
        (f"{url}/answers", {"question_id": qid, "answer": [1]}, 422, "as a number"),
        (f"{url}/answers", {"question_id": "w05-q01", "answer": "a"}, 422, "not part of this attempt"),
        (f"{url}/answers", {"answer": "1"}, 422, "question_id"),
        (f"{url}/answers", {"question_id": qid, "answer": "1", "extra": 1}, 422, "extra"),
        (f"{url}/submit", {"answers": {qid: "seven"}}, 422, "letters"),
        (f"{url}/submit", {"answers": {"w05-q01": 1}}, 422, "not part of this attempt"),
        (f"{url}/submit", {"answers": ["not", "a", "map"]}, 422, "answers"),
        ("/api/v1/quizzes/attempts/999999/answers", {"question_id": qid, "answer": "1"}, 404, "not found"),
    ]
    for path, body, status, text in cases:
        response = client.post(path, headers=headers, json=body)
        assert response.status_code == status, (body, response.text)
        assert text in response.json()["detail"], (body, response.json())
    broken = client.post(f"{url}/answers", headers={**headers, "Content-Type": "application/json"}, content=b"{nope")
    assert broken.status_code == 422
    assert db.scalar(select(func.count()).select_from(QuizAnswer).where(QuizAnswer.attempt_id == attempt_id)) == 0
    assert db.get(QuizAttempt, attempt_id).state == "open"


def test_attempt_limit_and_other_users(client, factory, db):
    user, other = factory.user(), factory.user()
    headers = bearer(factory, user)
    quiz = factory.quiz([SINGLE], week_number=2, max_attempts=1)
    attempt_id = client.post(f"/api/v1/quizzes/{quiz.id}/attempts", headers=headers).json()["id"]
    other_headers = bearer(factory, other)
    assert client.get(f"/api/v1/quizzes/attempts/{attempt_id}", headers=other_headers).status_code == 404
    assert client.post(f"/api/v1/quizzes/attempts/{attempt_id}/submit", headers=other_headers).status_code == 404
    assert client.post(f"/api/v1/quizzes/attempts/{attempt_id}/submit", headers=headers).status_code == 200
    again = client.post(f"/api/v1/quizzes/{quiz.id}/attempts", headers=headers)
    assert again.status_code == 409 and "all 1 attempts" in again.json()["detail"]
    assert db.scalar(select(func.count()).select_from(QuizAttempt).where(QuizAttempt.user_id == user.id)) == 1
    instructor = bearer(factory, factory.user(role="instructor"))
    assert client.get(f"/api/v1/quizzes/attempts/{attempt_id}", headers=instructor).json()["user_id"] == user.id


def test_session_cookie_api_calls_need_the_csrf_header(client, factory, db):
    user = factory.user()
    token = login(client, user.email)
    assert client.post("/api/v1/quizzes/quiz-week01/attempts").status_code == 403
    assert db.scalar(select(func.count()).select_from(QuizAttempt).where(QuizAttempt.user_id == user.id)) == 0
    assert client.post("/api/v1/quizzes/quiz-week01/attempts", headers={"X-CSRF-Token": token}).status_code == 201
