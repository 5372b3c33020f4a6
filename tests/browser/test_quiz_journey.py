"""A student takes the week 1 quiz in Chromium: start (HTMX), answer, autosave, reload (answers kept),
submit, wait while the worker grades the code answer, read the feedback and explanations, and sees the
quiz counted as passed on the week page."""
from __future__ import annotations

import re
from contextlib import contextmanager

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.db import make_engine
from app.quizzes import service, variants
from app.quizzes.models import QuizAttempt
from tests.app.quizzes.helpers import right_answer

pytestmark = pytest.mark.browser


def invite_code(browser, base_url: str) -> str:
    teacher = browser.new_context().new_page()
    teacher.goto(base_url + "/login")
    teacher.fill("#email", "teacher@example.com")
    teacher.fill("#password", "password123")
    teacher.click("main button[type=submit]")
    teacher.goto(base_url + "/cohorts")
    teacher.fill("#cohort-name", "Quiz cohort")
    teacher.click("text=Create cohort")
    code = teacher.locator("#cohort-table code").first
    code.wait_for()
    text = code.inner_text()
    teacher.context.close()
    return text


@contextmanager
def open_attempt(data_dir, email: str):
    """(session, the user's open attempt) on the live server's database."""
    from app.users.models import User

    engine = make_engine(f"sqlite:///{data_dir / 'llmcourse.db'}")
    try:
        with Session(engine) as db:
            user = db.scalar(select(User).where(User.email == email))
            yield db, db.scalar(select(QuizAttempt).where(QuizAttempt.user_id == user.id, QuizAttempt.state == "open"))
    finally:
        engine.dispose()


def right_answers(data_dir, email: str) -> tuple[int, list[tuple[str, str, object]]]:
    """(attempt id, [(question id, type, right answer)]) read from the live server's database."""
    with open_attempt(data_dir, email) as (db, attempt):
        return attempt.id, [(row.id, model.type, right_answer(model, variants.params_for(model, entry, attempt.seed)))
                            for entry, row, model in service.attempt_questions(db, attempt)]


def draw_a_code_question(data_dir, email: str) -> None:
    """The quiz draws 8 of its 10 questions, so one attempt in five has no code question: give the open attempt
    the first seed whose draw has one (as if the start had drawn it), so the journey always types code."""
    with open_attempt(data_dir, email) as (db, attempt):
        quiz = service.get_quiz(db, attempt.quiz_id)
        questions = [service.question_model(row) for row in service.quiz_questions(db, quiz)]
        by_id = {q.id: q for q in questions}
        seed = attempt.seed
        layout = variants.build_layout(questions, quiz.draw, seed)
        while not any(by_id[e["question_id"]].type == "code" for e in layout):
            seed += 1
            layout = variants.build_layout(questions, quiz.draw, seed)
        attempt.seed, attempt.layout = seed, layout
        attempt.max_score = sum(float(by_id[e["question_id"]].points) for e in layout)
        db.commit()


def answer(page, question_id: str, kind: str, value) -> None:
    if kind == "single":
        page.check(f"input[name='q-{question_id}'][value='{value}']")
    elif kind == "multiple":
        for choice in value:
            page.check(f"input[name='q-{question_id}'][value='{choice}']")
    elif kind == "code":  # the code editor (static/editor.js) saves like any answer, a moment after typing
        page.click(f"#q-{question_id} .cm-content")
        page.keyboard.press("Control+a")
        with page.expect_response(lambda response: f"/answers/{question_id}" in response.url):
            page.keyboard.insert_text(value)
        assert page.locator(f"#a-{question_id}").input_value() == value
    else:
        page.fill(f"#a-{question_id}", value)
        page.locator(f"#a-{question_id}").blur()  # fires `change`: the HTMX autosave


def test_take_a_quiz_end_to_end(browser, live_server):
    base = live_server.base_url
    code = invite_code(browser, base)
    page = browser.new_context().new_page()
    page.set_default_timeout(20000)
    page.goto(f"{base}/signup?invite={code}")
    page.fill("#name", "Quinn Quiz")
    page.fill("#email", "quinn@example.com")
    page.fill("#password", "correct horse battery")
    page.click("main button[type=submit]")
    page.wait_for_url(base + "/")

    page.goto(base + "/weeks/1")
    page.click("a[href='/quizzes/quiz-week01']")
    page.wait_for_url(base + "/quizzes/quiz-week01")
    assert "not attempted" in page.content()
    page.click("text=Start attempt 1 of 3")
    page.locator("#quiz-form").wait_for()  # swapped in by HTMX, no page load
    assert re.search(r"/quizzes/attempts/\d+$", page.url)  # HX-Push-Url
    assert page.locator("fieldset.quiz-question").count() == 8
    draw_a_code_question(live_server.data_dir, "quinn@example.com")
    page.reload()
    assert page.locator("fieldset.quiz-question").count() == 8
    code_boxes = page.locator("fieldset[data-type=code] textarea").count()
    assert code_boxes and page.locator("fieldset[data-type=code] .cm-editor").count() == code_boxes  # editor mounted

    attempt_id, answers = right_answers(live_server.data_dir, "quinn@example.com")
    typed = [a for a in answers if a[1] in ("numeric", "text")]
    first_typed = typed[0]
    answer(page, *first_typed)
    page.locator(f"#saved-{first_typed[0]}", has_text="Saved.").wait_for()
    page.reload()  # the autosaved answer survives a reload
    assert page.locator(f"#a-{first_typed[0]}").input_value() == first_typed[2]

    for question_id, kind, value in answers:
        answer(page, question_id, kind, value)
    page.click("#quiz-submit")
    page.locator("#quiz-grading, #quiz-result").first.wait_for()  # the code answer runs on the worker
    page.locator("#quiz-result").wait_for(timeout=90_000)  # swapped in by the HTMX status poll
    result = page.locator("#quiz-result").inner_text()
    assert re.search(r"Result: (\d+) / \1 points \(100%\)", result), result
    assert "passed" in result
    assert page.locator(".quiz-explanation").count() == 8
    assert page.locator(".quiz-feedback.result-correct").count() == 8
    assert page.url.endswith(f"/quizzes/attempts/{attempt_id}")

    page.goto(base + "/weeks/1")
    badge = page.locator("a[href='/quizzes/quiz-week01'] + .badge")
    assert badge.inner_text() == "passed"
    page.goto(base + "/quizzes/quiz-week01")
    assert page.locator(f"a[href='/quizzes/attempts/{attempt_id}']").inner_text().startswith("Review")
