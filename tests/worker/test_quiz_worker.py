"""Quiz code answers through a real Celery worker process: submit (the web runs no sandbox) -> commit ->
broker -> worker -> sandbox -> the answer's feedback and the attempt's final score."""
from __future__ import annotations

import json
import shutil
import sqlite3
import time
from pathlib import Path

import httpx
import pytest

from tests.livestack import LiveStack

pytestmark = [pytest.mark.worker]
FIXTURE_LABS = Path(__file__).resolve().parents[1] / "fixtures" / "labs"
QUIZ = "quiz-week01"


COURSE = Path(__file__).resolve().parents[2] / "course"


def course_drawing_every_question(tmp_path: Path) -> Path:
    """The real course, with week 1's quiz drawing all its questions (its code question always among them)."""
    course = tmp_path / "course"
    shutil.copytree(COURSE, course)
    quiz = course / "quizzes" / "week01.yaml"
    count = quiz.read_text().count("\n  - id: ")
    quiz.write_text(quiz.read_text().replace("draw: 8", f"draw: {count}", 1))
    return course


@pytest.fixture
def stack(tmp_path):
    course = course_drawing_every_question(tmp_path)
    live = LiveStack(tmp_path, labs_dir=FIXTURE_LABS, extra_env={"LLMCOURSE_COURSE_DIR": str(course)})
    live.prepare()
    live.cli("users", "create", "--email", "s@example.com", "--password", "password123", "--role", "admin")
    live.token = live.cli("users", "token", "--email", "s@example.com")
    live.start_web()
    yield live
    live.stop()


def api(live: LiveStack, method: str, path: str, **kwargs) -> httpx.Response:
    return httpx.request(method, f"{live.base_url}/api/v1/quizzes{path}",
                         headers={"Authorization": f"Bearer {live.token}"}, timeout=30, **kwargs)


def query(live: LiveStack, sql: str, *args) -> list[tuple]:
    with sqlite3.connect(live.data_dir / "llmcourse.db") as conn:
        return conn.execute(sql, args).fetchall()


def submit_code(live: LiveStack, code_for) -> tuple[int, dict]:
    """Start an attempt and submit only its code answer, `code_for(question spec)`."""
    started = api(live, "POST", f"/{QUIZ}/attempts")
    assert started.status_code == 201, started.text
    attempt = started.json()
    question = next(q for q in attempt["questions"] if q["type"] == "code")
    spec = json.loads(query(live, "SELECT spec FROM quiz_questions WHERE id = ?", question["id"])[0][0])
    submitted = api(live, "POST", f"/attempts/{attempt['id']}/submit",
                    json={"answers": {question["id"]: code_for(spec)}})
    assert submitted.status_code == 200, submitted.text
    return attempt["id"], submitted.json()


def wait_graded(live: LiveStack, attempt_id: int, timeout: float = 120) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        review = api(live, "GET", f"/attempts/{attempt_id}").json()
        if review["status"] == "graded":
            return review
        time.sleep(0.3)
    raise AssertionError(f"attempt {attempt_id} not graded in {timeout}s\n{live.logs()}")


def code_result(review: dict) -> dict:
    return next(q["result"] for q in review["questions"] if q["type"] == "code")


def test_quiz_code_is_graded_by_a_real_worker(stack):
    attempt_id, submitted = submit_code(stack, lambda spec: spec["solution"])
    assert (submitted["status"], submitted["score"], code_result(submitted)["status"]) == ("pending", None, "pending")
    time.sleep(1.0)
    [(state, attempts, sent)] = query(stack, "SELECT state, attempts, sent_at FROM quiz_grading_jobs "
                                             "WHERE attempt_id = ?", attempt_id)
    assert (state, attempts) == ("queued", 0) and sent is not None  # in the broker, waiting for a worker
    assert api(stack, "GET", f"/attempts/{attempt_id}").json()["status"] == "pending"

    stack.start_worker()
    review = wait_graded(stack, attempt_id)
    result = code_result(review)
    assert result["status"] == "correct" and result["points"] == result["max_points"] > 0
    assert result["feedback"]["passed"] == result["feedback"]["total"] > 0
    assert review["score"] == result["points"]  # the other answers were left blank
    assert query(stack, "SELECT state, attempts FROM quiz_grading_jobs WHERE attempt_id = ?",
                 attempt_id) == [("done", 1)]

    looping_id, _ = submit_code(stack, lambda spec: f"def {spec['function']}(*args):\n    while True:\n        pass\n")
    looping = code_result(wait_graded(stack, looping_id))
    assert looping["status"] == "timeout" and looping["points"] == 0.0
    assert looping["feedback"]["run_status"] == "timeout" and looping["feedback"]["passed"] == 0
