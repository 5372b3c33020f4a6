import shutil

from sqlalchemy import func, select

from app.config import get_settings
from app.course.content import ContentErrors
from app.quizzes import service
from app.quizzes.content import load_quizzes
from app.quizzes.models import Quiz, QuizAttempt, QuizQuestion
from app.quizzes.sync import sync_quizzes


def load(course_dir):
    errors = ContentErrors()
    quizzes = load_quizzes(course_dir, errors)
    assert errors.messages == []
    return quizzes


def test_synced_content_has_every_quiz(db):
    assert db.scalar(select(func.count()).select_from(Quiz).where(Quiz.active.is_(True))) == 33
    assert db.scalar(select(func.count()).select_from(QuizQuestion).where(QuizQuestion.active.is_(True))) >= 264
    spec = db.get(QuizQuestion, "w01-q10").spec
    assert spec["type"] == "code" and spec["function"] == "top_words"


def test_sync_is_idempotent(db):
    report = sync_quizzes(db, load(get_settings().course_dir))
    assert not report.changed


def test_edits_keep_ids_and_attempts_and_removals_deactivate(db, factory, tmp_path):
    user = factory.user()
    attempt, _ = service.start_attempt(db, user, "quiz-week04")
    course = tmp_path / "course"
    shutil.copytree(get_settings().course_dir, course)
    path = course / "quizzes" / "week04.yaml"
    text = path.read_text()
    first_id = "w04-q01"
    assert f"id: {first_id}" in text
    text = text.replace("explanation: |", "explanation: |\n      (Edited.)", 1)
    blocks = text.split("\n  - id: ")
    removed = blocks[-1].split("\n", 1)[0]
    text = "\n  - id: ".join(blocks[:-1]) + "\n"
    path.write_text(text)
    report = sync_quizzes(db, load(course))
    assert report.updated == ["quiz quiz-week04", f"question {first_id}"]
    assert report.deactivated == [f"question {removed}"]
    assert "(Edited.)" in db.get(QuizQuestion, first_id).spec["explanation"]
    assert db.get(QuizQuestion, removed).active is False
    assert db.get(QuizAttempt, attempt.id).quiz_id == "quiz-week04"
    view = service.attempt_view(db, attempt)  # an open attempt still shows every question it drew
    assert len(view["questions"]) == len(attempt.layout)
    assert not sync_quizzes(db, load(course)).changed
