"""The whole grading path with a real Celery worker process: web -> commit -> broker -> worker ->
sandbox -> database, on the embedded broker and on Redis; a worker killed mid-run loses nothing."""
from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import httpx
import pytest
import redis

from tests.livestack import LiveStack

pytestmark = [pytest.mark.worker, pytest.mark.labs, pytest.mark.xdist_group("redis-db-15")]
FIXTURE_LABS = Path(__file__).resolve().parents[1] / "fixtures" / "labs"
GOOD = "def answer(x):\n    return x * 2 + 1\n\ndef probe():\n    return 'ok'\n"
SLOW_GOOD = "import time\ntime.sleep(3)\n" + GOOD


def redis_url() -> str:
    url = "redis://127.0.0.1:6379/15"
    redis.Redis.from_url(url).flushdb()
    return url


@pytest.fixture(params=["embedded", "redis"])
def stack(request, tmp_path):
    broker = redis_url() if request.param == "redis" else None
    live = LiveStack(tmp_path, labs_dir=FIXTURE_LABS, broker_url=broker)
    live.prepare()
    live.cli("users", "create", "--email", "s@example.com", "--password", "password123", "--role", "admin")
    live.token = live.cli("users", "token", "--email", "s@example.com")
    live.start_web()
    yield live
    live.stop()


def submit(live: LiveStack, code: str) -> int:
    response = httpx.post(f"{live.base_url}/api/v1/labs/lab03/submissions", json={"code": code},
                          headers={"Authorization": f"Bearer {live.token}"})
    assert response.status_code == 202, response.text
    assert response.json()["status"] == "queued"
    return response.json()["id"]


def wait_for(live: LiveStack, submission_id: int, timeout: float = 90) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        response = httpx.get(f"{live.base_url}/api/v1/submissions/{submission_id}",
                             headers={"Authorization": f"Bearer {live.token}"})
        assert response.status_code == 200, response.text
        result = response.json()
        if result["status"] not in ("queued", "running"):
            return result
        time.sleep(0.3)
    raise AssertionError(f"submission {submission_id} not graded in {timeout}s\n{live.logs()}")


def job_row(live: LiveStack, submission_id: int) -> tuple:
    with sqlite3.connect(live.data_dir / "llmcourse.db") as conn:
        return conn.execute("SELECT state, attempts FROM grading_jobs WHERE submission_id = ?",
                            (submission_id,)).fetchone()


def test_submission_is_graded_by_a_real_worker(stack):
    stack.start_worker()
    result = wait_for(stack, submit(stack, GOOD))
    assert result["status"] == "graded"
    assert result["score"] == result["max_score"] == 3.0
    assert result["timings"]["sandbox_s"] > 0 and result["timings"]["queued_s"] >= 0
    assert job_row(stack, result["submission_id"]) == ("done", 1)


def test_submission_waits_in_the_queue_until_a_worker_starts(stack):
    submission_id = submit(stack, GOOD)
    time.sleep(1.0)
    assert job_row(stack, submission_id) == ("queued", 0)
    stack.start_worker()
    assert wait_for(stack, submission_id)["score"] == 3.0


def test_worker_killed_mid_run_loses_nothing_and_grades_once(stack):
    first = stack.start_worker()
    submission_id = submit(stack, SLOW_GOOD)
    deadline = time.monotonic() + 60
    while job_row(stack, submission_id)[0] != "running":
        assert time.monotonic() < deadline, stack.logs()
        time.sleep(0.1)
    stack.kill_worker(first)
    assert job_row(stack, submission_id)[0] == "running"
    stack.start_worker()
    result = wait_for(stack, submission_id, timeout=120)
    assert result["status"] == "graded" and result["score"] == 3.0
    state, attempts = job_row(stack, submission_id)
    assert state == "done" and attempts == 2


TRAINING = """import time
for step in range(1, 13):
    print(f"step {step} loss {3.0 / step:.3f}", flush=True)
    time.sleep(0.25)
""" + GOOD


def test_running_submission_streams_its_log_and_metrics(stack):
    stack.start_worker()
    submission_id = submit(stack, TRAINING)
    seen_live = None
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        result = httpx.get(f"{stack.base_url}/api/v1/submissions/{submission_id}",
                           headers={"Authorization": f"Bearer {stack.token}"}).json()
        if result["status"] == "running" and result.get("live", {}).get("metrics"):
            seen_live = result["live"]
        if result["status"] not in ("queued", "running"):
            break
        time.sleep(0.2)
    assert seen_live is not None, stack.logs()
    # one labelled series per case (app/labs/live.py): the visible case's run is "visible 1"
    assert seen_live["metrics"][0] == {"step": 1.0, "loss": 3.0, "series": "visible 1"}
    assert "step 1 loss" in seen_live["tail"]
    assert result["status"] == "graded" and result["score"] == 3.0 and not result["live"]  # empty once graded


def test_a_starting_worker_prepares_references(tmp_path):
    live = LiveStack(tmp_path, labs_dir=FIXTURE_LABS, extra_env={"LLMCOURSE_PREPARE_LABS_ON_START": "true"})
    live.prepare()
    live.start_worker()
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            built = {p.parent.parent.name for p in (tmp_path / "references").glob("*/*/*.json")}
            if built == {"lab02", "lab03"}:
                break
            time.sleep(0.5)
        assert built == {"lab02", "lab03"}, live.logs()
    finally:
        live.stop()
