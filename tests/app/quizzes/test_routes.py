"""Quiz pages: every HTMX route with and without HX-Request (plain form posts work without JavaScript)."""
import re

from sqlalchemy import func, select

from app.quizzes import service
from app.quizzes.models import QuizAnswer, QuizAttempt
from app.core.tasks import GRADE_QUIZ_ANSWER
from app.quizzes.models import QuizGradingJob
from tests.app.quizzes.helpers import (ALL_BUT_CODE, CODE, NUMERIC, SINGLE, answers_for, form_for,
                                       grade_code_answers)
from tests.conftest import SENT, login


def htmx(token: str) -> dict:
    return {"HX-Request": "true", "X-CSRF-Token": token}


def count_attempts(db, user) -> int:
    return db.scalar(select(func.count()).select_from(QuizAttempt).where(QuizAttempt.user_id == user.id))


def answer_rows(db, attempt_id) -> list:
    return list(db.scalars(select(QuizAnswer).where(QuizAnswer.attempt_id == attempt_id)))


def test_quiz_list_and_overview(client, factory):
    user = factory.user()
    login(client, user.email)
    page = client.get("/quizzes")
    assert page.status_code == 200
    assert len(re.findall(r'id="quiz-row-quiz-week\d\d"', page.text)) == 33
    assert "Module 1:" in page.text
    quiz = client.get("/quizzes/quiz-week01")
    assert quiz.status_code == 200
    assert "8 questions per attempt, drawn from a bank of 10" in quiz.text
    assert "Start attempt 1 of 3" in quiz.text


def test_pages_need_sign_in_and_unknown_quiz_is_404(client, factory):
    assert client.get("/quizzes", follow_redirects=False).status_code == 303
    login(client, factory.user().email)
    missing = client.get("/quizzes/quiz-week99")
    assert missing.status_code == 404 and "Quiz &#39;quiz-week99&#39; was not found" in missing.text


def test_start_without_js_redirects_to_the_attempt(client, factory, db):
    user = factory.user()
    token = login(client, user.email)
    response = client.post("/quizzes/quiz-week01/attempts", data={"csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303
    attempt = db.scalar(select(QuizAttempt).where(QuizAttempt.user_id == user.id))
    assert response.headers["location"] == f"/quizzes/attempts/{attempt.id}"
    page = client.get(response.headers["location"])
    assert page.status_code == 200
    assert page.text.count('<fieldset class="card quiz-question') == 8
    assert f'action="/quizzes/attempts/{attempt.id}/submit"' in page.text
    assert "Explanation" not in page.text and "is-correct" not in page.text


def test_start_with_htmx_swaps_in_the_form_and_resumes(client, factory, db):
    user = factory.user()
    token = login(client, user.email)
    response = client.post("/quizzes/quiz-week01/attempts", headers=htmx(token))
    assert response.status_code == 201
    assert response.text.lstrip().startswith('<div id="attempt-body"')
    attempt = db.scalar(select(QuizAttempt).where(QuizAttempt.user_id == user.id))
    assert response.headers["HX-Push-Url"] == f"/quizzes/attempts/{attempt.id}"
    again = client.post("/quizzes/quiz-week01/attempts", headers=htmx(token))
    assert again.status_code == 200 and count_attempts(db, user) == 1


def test_start_needs_csrf_and_a_cohort(client, factory, db):
    user = factory.user()
    login(client, user.email)
    assert client.post("/quizzes/quiz-week01/attempts", follow_redirects=False).status_code == 403
    assert count_attempts(db, user) == 0
    loner = factory.user(enrolled=False)
    client.cookies.clear()
    token = login(client, loner.email)
    page = client.post("/quizzes/quiz-week01/attempts", data={"csrf_token": token})
    assert page.status_code == 403 and "Join a cohort" in page.text and "<html" in page.text
    toast = client.post("/quizzes/quiz-week01/attempts", headers=htmx(token))
    assert toast.status_code == 403 and toast.headers["HX-Retarget"] == "#toasts"
    assert count_attempts(db, loner) == 0


def test_autosave_one_answer_with_and_without_htmx(client, factory, db):
    user = factory.user()
    token = login(client, user.email)
    quiz = factory.quiz([SINGLE, NUMERIC], week_number=2)
    attempt, _ = service.start_attempt(db, user, quiz.id)
    single_id, numeric_id = [e["question_id"] for e in attempt.layout]
    saved = client.post(f"/quizzes/attempts/{attempt.id}/answers/{single_id}", data={f"q-{single_id}": "b"},
                        headers=htmx(token))
    assert saved.status_code == 200 and saved.text.strip() == \
        f'<span id="saved-{single_id}" class="muted small quiz-saved" aria-live="polite">Saved.</span>'
    assert db.get(QuizAnswer, (attempt.id, single_id)).response == "b"
    plain = client.post(f"/quizzes/attempts/{attempt.id}/answers/{numeric_id}",
                        data={f"q-{numeric_id}": "1,234", "csrf_token": token}, follow_redirects=False)
    assert plain.status_code == 303
    assert plain.headers["location"] == f"/quizzes/attempts/{attempt.id}?saved=1#q-{numeric_id}"
    assert db.get(QuizAnswer, (attempt.id, numeric_id)).response == {"raw": "1,234", "value": 1234.0}
    page = client.get(f"/quizzes/attempts/{attempt.id}?saved=1")
    assert 'value="1,234"' in page.text and "Your answers are saved" in page.text
    assert re.search(r'value="b" checked', page.text)


def test_autosave_refuses_bad_input_and_writes_nothing(client, factory, db):
    user = factory.user()
    token = login(client, user.email)
    quiz = factory.quiz([NUMERIC], week_number=2)
    attempt, _ = service.start_attempt(db, user, quiz.id)
    qid = attempt.layout[0]["question_id"]
    bad = client.post(f"/quizzes/attempts/{attempt.id}/answers/{qid}", data={f"q-{qid}": "1.2.3"}, headers=htmx(token))
    assert bad.status_code == 422 and "HX-Retarget" not in bad.headers  # next to the field, not a toast
    assert bad.text.startswith(f'<span id="saved-{qid}" class="small quiz-saved field-error" role="alert" '
                               f'data-invalid-field="a-{qid}">Question 1: &#39;1.2.3&#39; is not a number')
    page = client.get(f"/quizzes/attempts/{attempt.id}")
    assert re.search(rf'id="a-{qid}"[^>]*aria-describedby="prompt-{qid} saved-{qid}"', page.text)
    other = client.post(f"/quizzes/attempts/{attempt.id}/answers/w05-q01", data={"q-w05-q01": "a"}, headers=htmx(token))
    assert other.status_code == 422 and "not part of this attempt" in other.text
    plain = client.post(f"/quizzes/attempts/{attempt.id}/answers/{qid}", data={f"q-{qid}": "abc", "csrf_token": token})
    assert plain.status_code == 422 and "<html" in plain.text
    assert answer_rows(db, attempt.id) == []


def test_save_all_with_and_without_htmx(client, factory, db):
    user = factory.user()
    token = login(client, user.email)
    quiz = factory.quiz(ALL_BUT_CODE, week_number=2)
    attempt, _ = service.start_attempt(db, user, quiz.id)
    answers = answers_for(db, attempt)
    response = client.post(f"/quizzes/attempts/{attempt.id}/answers", data=form_for(answers), headers=htmx(token))
    assert response.status_code == 200 and response.text.strip() == "Saved (4 answered)."
    assert len(answer_rows(db, attempt.id)) == 4
    plain = client.post(f"/quizzes/attempts/{attempt.id}/answers", data=form_for(answers, token),
                        follow_redirects=False)
    assert plain.status_code == 303 and plain.headers["location"] == f"/quizzes/attempts/{attempt.id}?saved=1"


def test_malformed_number_without_js_shows_the_form_again_and_saves_nothing(client, factory, db):
    user = factory.user()
    token = login(client, user.email)
    quiz = factory.quiz([SINGLE, NUMERIC], week_number=2)
    attempt, _ = service.start_attempt(db, user, quiz.id)
    answers = answers_for(db, attempt)
    numeric_id = attempt.layout[1]["question_id"]
    answers[numeric_id] = "12..5"
    for action in ("answers", "submit"):
        page = client.post(f"/quizzes/attempts/{attempt.id}/{action}", data=form_for(answers, token))
        assert page.status_code == 422
        assert "Nothing was saved" in page.text and 'value="12..5"' in page.text and 'aria-invalid="true"' in page.text
        assert re.search(r'value="b" checked', page.text)  # the other answers are kept in the form
    assert answer_rows(db, attempt.id) == []
    db.refresh(attempt)
    assert attempt.state == "open"


def test_submit_without_js_then_review(client, factory, db):
    user = factory.user()
    token = login(client, user.email)
    quiz = factory.quiz(ALL_BUT_CODE, week_number=2)
    attempt, _ = service.start_attempt(db, user, quiz.id)
    response = client.post(f"/quizzes/attempts/{attempt.id}/submit", data=form_for(answers_for(db, attempt), token),
                           follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == f"/quizzes/attempts/{attempt.id}"
    review = client.get(response.headers["location"])
    assert "Result: 4 / 4 points (100%)" in review.text
    assert review.text.count("<h4>Explanation</h4>") == 4
    assert review.text.count("Because of the reason given here.") == 4
    overview = client.get(f"/quizzes/{quiz.id}")
    assert f'href="/quizzes/attempts/{attempt.id}">Review' in overview.text and "passed" in overview.text


def test_submit_with_htmx_returns_the_feedback(client, factory, db):
    user = factory.user()
    token = login(client, user.email)
    quiz = factory.quiz(ALL_BUT_CODE, week_number=2)
    attempt, _ = service.start_attempt(db, user, quiz.id)
    answers = answers_for(db, attempt, right=False)
    response = client.post(f"/quizzes/attempts/{attempt.id}/submit", data=form_for(answers), headers=htmx(token))
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="attempt-body" class="quiz-attempt" data-state="submitted" '
                                             'data-status="graded"')
    assert "Result: 0 / 4 points (0%)" in response.text and "not passed" in response.text
    assert "Start another attempt (2 left)" in response.text
    assert "correct answer: <strong>" in response.text  # numeric feedback names the expected value


def test_double_submit_is_a_clear_409_and_counts_once(client, factory, db):
    user = factory.user()
    token = login(client, user.email)
    quiz = factory.quiz([SINGLE], week_number=2)
    attempt, _ = service.start_attempt(db, user, quiz.id)
    right = form_for(answers_for(db, attempt))
    assert client.post(f"/quizzes/attempts/{attempt.id}/submit", data=right, headers=htmx(token)).status_code == 200
    wrong = form_for(answers_for(db, attempt, right=False))
    again = client.post(f"/quizzes/attempts/{attempt.id}/submit", data=wrong, headers=htmx(token))
    assert again.status_code == 409 and "already submitted" in again.text and again.headers["HX-Retarget"] == "#toasts"
    page = client.post(f"/quizzes/attempts/{attempt.id}/submit", data={**wrong, "csrf_token": token})
    assert page.status_code == 409 and "already submitted" in page.text and "<html" in page.text
    db.refresh(attempt)
    assert attempt.score == 1.0


def test_code_answers_show_grading_until_a_worker_graded_them(client, factory, db):
    user = factory.user()
    token = login(client, user.email)
    quiz = factory.quiz([CODE, SINGLE], week_number=2)
    attempt, _ = service.start_attempt(db, user, quiz.id)
    response = client.post(f"/quizzes/attempts/{attempt.id}/submit", data=form_for(answers_for(db, attempt)),
                           headers=htmx(token))
    assert response.status_code == 200 and 'data-status="pending"' in response.text
    poll = f'hx-get="/quizzes/attempts/{attempt.id}/status" hx-trigger="every 1s"'
    assert poll in response.text and "grading…" in response.text and "Explanation" not in response.text
    assert f'<a href="/quizzes/attempts/{attempt.id}">Refresh</a>' in response.text  # without JavaScript
    job = db.scalar(select(QuizGradingJob).where(QuizGradingJob.attempt_id == attempt.id))
    assert SENT == [(GRADE_QUIZ_ANSWER, [job.id], "cpu")]  # sent once the request committed
    still = client.get(f"/quizzes/attempts/{attempt.id}/status", headers={"HX-Request": "true"})
    assert still.status_code == 200 and poll in still.text and "<html" not in still.text
    assert "grading…" in client.get(f"/quizzes/{quiz.id}").text

    grade_code_answers(db)
    done = client.get(f"/quizzes/attempts/{attempt.id}/status", headers={"HX-Request": "true"})
    assert done.status_code == 200 and 'data-status="graded"' in done.text and "hx-trigger" not in done.text
    assert "Result: 3 / 3 points (100%)" in done.text and done.text.count("<h4>Explanation</h4>") == 2
    assert "3 of 3 cases passed." in done.text
    plain = client.get(f"/quizzes/attempts/{attempt.id}/status", follow_redirects=False)
    assert plain.status_code == 303 and plain.headers["location"] == f"/quizzes/attempts/{attempt.id}"
    page = client.get(f"/quizzes/attempts/{attempt.id}")
    assert "<html" in page.text and "Result: 3 / 3 points (100%)" in page.text


def test_the_status_route_is_for_the_attempts_owner_and_staff(client, factory, db):
    owner = factory.user()
    attempt, _ = service.start_attempt(db, owner, "quiz-week01")
    login(client, factory.user().email)
    assert client.get(f"/quizzes/attempts/{attempt.id}/status", headers={"HX-Request": "true"}).status_code == 404
    assert client.get(f"/quizzes/attempts/{attempt.id}/status", follow_redirects=False).status_code == 404


def test_a_looping_code_answer_reads_timed_out(client, factory, db):
    user = factory.user()
    login(client, user.email)
    quiz = factory.quiz([CODE], week_number=2)
    attempt, _ = service.start_attempt(db, user, quiz.id)
    looping = "def double(x):\n    while True:\n        pass\n"
    service.submit_attempt(db, user, attempt.id, {attempt.layout[0]["question_id"]: looping})
    grade_code_answers(db)
    page = client.get(f"/quizzes/attempts/{attempt.id}")
    assert "timed out" in page.text and 'data-run-status="timeout"' in page.text and "took longer than" in page.text
    assert db.get(QuizAttempt, attempt.id).score == 0.0


def test_others_attempts_are_hidden_and_staff_can_review(client, factory, db):
    owner = factory.user()
    attempt, _ = service.start_attempt(db, owner, "quiz-week01")
    service.submit_attempt(db, owner, attempt.id, {})
    token = login(client, factory.user().email)
    assert client.get(f"/quizzes/attempts/{attempt.id}").status_code == 404
    assert client.post(f"/quizzes/attempts/{attempt.id}/submit", data={"csrf_token": token}).status_code == 404
    client.cookies.clear()
    login(client, factory.user(role="grader").email)
    review = client.get(f"/quizzes/attempts/{attempt.id}")
    assert review.status_code == 200 and "<h4>Explanation</h4>" in review.text
    assert "Start another attempt" not in review.text
    partial = client.get(f"/quizzes/attempts/{attempt.id}", headers={"HX-Request": "true"})
    assert partial.status_code == 200 and "<html" not in partial.text


def test_week_page_links_the_quiz_and_home_counts_it(client, factory, db):
    user = factory.user()
    login(client, user.email)
    quiz = factory.quiz([SINGLE], week_number=2)
    attempt, _ = service.start_attempt(db, user, quiz.id)
    service.submit_attempt(db, user, attempt.id, answers_for(db, attempt))
    week = client.get("/weeks/2")
    assert f'href="/quizzes/{quiz.id}"' in week.text and '<span class="badge ok">passed</span>' in week.text
    assert "quiz passed" in client.get("/").text


def test_review_renders_rows_without_feedback(client, factory, db):
    """Attempts written by other tools (e.g. `llmcourse demo seed`) may carry points but no feedback."""
    user = factory.user()
    login(client, user.email)
    quiz = factory.quiz(ALL_BUT_CODE + [CODE], week_number=2)
    attempt, _ = service.start_attempt(db, user, quiz.id)
    service.submit_attempt(db, user, attempt.id, {})
    for row in answer_rows(db, attempt.id):
        row.feedback, row.response, row.status, row.points = None, None, "correct", row.max_points
    db.flush()
    page = client.get(f"/quizzes/attempts/{attempt.id}")
    assert page.status_code == 200 and page.text.count("<h4>Explanation</h4>") == 5
