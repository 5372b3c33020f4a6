"""Recovery in seconds: killed sandboxes during a burst, a web that could not send its task, a broker that
restarted without persistence, a worker killed mid-run. Nothing is lost, nothing is graded twice. The
broker here is a Redis server this test starts on a free port (never the machine's shared one)."""
from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import httpx
import pytest
import redis

from tests.livestack import LiveStack, free_port

pytestmark = [pytest.mark.worker, pytest.mark.labs]
FIXTURE_LABS = Path(__file__).resolve().parents[1] / "fixtures" / "labs"
GOOD = "def answer(x):\n    return x * 2 + 1\n\ndef probe():\n    return 'ok'\n"
SLOW_GOOD = "import time\ntime.sleep(1.5)\n" + GOOD
GENEROUS = {"LLMCOURSE_MAX_ACTIVE_SUBMISSIONS": "500", "LLMCOURSE_SUBMISSION_RATE_LIMIT": "1000/minute",
            "LLMCOURSE_JOB_DEADLINE_MARGIN_SECONDS": "120", "LLMCOURSE_SWEEP_INTERVAL_SECONDS": "300"}


class OwnRedis:
    """A throwaway Redis (no persistence) on a free port, restartable."""

    def __init__(self) -> None:
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen([shutil.which("redis-server") or "redis-server", "--port", str(self.port),
                                         "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                redis.Redis.from_url(self.url).ping()
                return
            except redis.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()


@pytest.fixture
def own_redis():
    server = OwnRedis()
    server.start()
    yield server
    server.stop()


def make_stack(tmp_path: Path, broker: str | None = None, **env: str) -> LiveStack:
    live = LiveStack(tmp_path, labs_dir=FIXTURE_LABS, broker_url=broker, extra_env={**GENEROUS, **env})
    live.prepare()
    live.cli("users", "create", "--email", "s@example.com", "--password", "password123", "--role", "admin")
    live.token = live.cli("users", "token", "--email", "s@example.com")
    return live


def submit(live: LiveStack, code: str) -> int:
    response = httpx.post(f"{live.base_url}/api/v1/labs/lab03/submissions", json={"code": code},
                          headers={"Authorization": f"Bearer {live.token}"}, timeout=30)
    assert response.status_code == 202, response.text
    return response.json()["id"]


def rows(live: LiveStack, sql: str, *args) -> list[tuple]:
    with sqlite3.connect(live.data_dir / "llmcourse.db") as conn:
        return conn.execute(sql, args).fetchall()


def wait_all_graded(live: LiveStack, ids: list[int], timeout: float) -> float:
    """Seconds until every submission left queued/running; fails with the logs after `timeout`."""
    started = time.monotonic()
    marks = ",".join("?" * len(ids))
    while time.monotonic() - started < timeout:
        pending = rows(live, f"SELECT count(*) FROM submissions WHERE id IN ({marks}) "
                             "AND status IN ('queued', 'running')", *ids)[0][0]
        if pending == 0:
            return time.monotonic() - started
        time.sleep(0.2)
    raise AssertionError(f"not all graded within {timeout}s\n{live.logs()}")


def assert_graded_once_with_full_marks(live: LiveStack, ids: list[int]) -> None:
    marks = ",".join("?" * len(ids))
    graded = rows(live, f"SELECT id, status, score FROM submissions WHERE id IN ({marks})", *ids)
    details = rows(live, f"SELECT id, result FROM submissions WHERE id IN ({marks}) AND status != 'graded'", *ids)
    assert sorted(graded) == [(i, "graded", 3.0) for i in sorted(ids)], details
    audits = dict(rows(live, f"SELECT submission_id, count(*) FROM score_changes WHERE kind = 'auto' "
                             f"AND submission_id IN ({marks}) GROUP BY submission_id", *ids))
    assert audits == {i: 1 for i in ids}  # each recorded exactly once
    assert rows(live, f"SELECT DISTINCT state FROM grading_jobs WHERE submission_id IN ({marks})", *ids) == [("done",)]


def sandbox_children(worker: subprocess.Popen) -> list[int]:
    """bubblewrap processes the worker started (cold runs and the zygotes that warm runs fork from)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == worker.pid and (entry / "comm").read_text().strip() == "bwrap":
                found.append(int(entry.name))
        except (OSError, IndexError, ValueError):
            continue
    return found


def test_killing_idle_and_busy_sandboxes_during_a_burst_loses_nothing(tmp_path):
    live = make_stack(tmp_path, LLMCOURSE_WARM_START="true")
    live.start_web()
    worker = live.start_worker()
    try:
        ids = [submit(live, SLOW_GOOD if i % 2 else GOOD) for i in range(14)]
        kills = 0
        deadline = time.monotonic() + 120
        while kills < 10 and time.monotonic() < deadline:
            children = sandbox_children(worker)
            if children:
                try:
                    os.kill(children[kills % len(children)], signal.SIGKILL)
                except ProcessLookupError:  # it finished meanwhile
                    continue
                kills += 1
                time.sleep(0.7)
            else:
                time.sleep(0.05)
        assert kills == 10, live.logs()
        wait_all_graded(live, ids, timeout=180)
        assert_graded_once_with_full_marks(live, ids)
        assert worker.poll() is None  # the worker itself lived through it
    finally:
        live.stop()


def test_a_task_the_web_could_not_send_is_relayed_in_seconds(tmp_path, own_redis):
    live = make_stack(tmp_path, own_redis.url)
    good_broker = live.env["LLMCOURSE_BROKER_URL"]
    live.env["LLMCOURSE_BROKER_URL"] = f"redis://127.0.0.1:{free_port()}/0"  # the web's sends all fail
    live.start_web(ready=(503,))  # /healthz tells the truth: the broker is down
    live.env["LLMCOURSE_BROKER_URL"] = good_broker
    ids = [submit(live, GOOD) for _ in range(3)]
    assert rows(live, "SELECT count(*) FROM grading_jobs WHERE sent_at IS NULL")[0][0] == 3
    live.start_worker(beat=False)  # no beat: the worker's own relay must do it
    try:
        seconds = wait_all_graded(live, ids, timeout=60)
        assert_graded_once_with_full_marks(live, ids)
        assert seconds < 30, seconds
    finally:
        live.stop()


def test_a_broker_restart_that_lost_every_message_is_recovered_in_seconds(tmp_path, own_redis):
    live = make_stack(tmp_path, own_redis.url)
    live.start_web()
    live.start_worker(beat=False)
    try:
        warm_up = submit(live, GOOD)
        wait_all_graded(live, [warm_up], timeout=60)
        ids = [submit(live, SLOW_GOOD) for _ in range(5)]
        time.sleep(1.0)
        own_redis.stop()
        own_redis.start()  # same port, empty: the queued messages are gone
        restarted = time.monotonic()
        wait_all_graded(live, ids, timeout=90)
        assert_graded_once_with_full_marks(live, ids)
        # 5 slow jobs run one after another (~2 s each); recovery itself must take seconds, not minutes
        assert time.monotonic() - restarted < 45
    finally:
        live.stop()


def test_a_job_of_a_killed_worker_is_queued_again_within_its_heartbeat_timeout(tmp_path):
    live = make_stack(tmp_path, LLMCOURSE_HEARTBEAT_TIMEOUT_SECONDS="10")
    live.start_web()
    first = live.start_worker(beat=False)
    try:
        submission_id = submit(live, "import time\ntime.sleep(4)\n" + GOOD)
        deadline = time.monotonic() + 60
        while rows(live, "SELECT state FROM grading_jobs WHERE submission_id = ?", submission_id)[0][0] != "running":
            assert time.monotonic() < deadline, live.logs()
            time.sleep(0.1)
        live.kill_worker(first)
        killed = time.monotonic()
        live.start_worker(beat=False)
        wait_all_graded(live, [submission_id], timeout=90)
        # deadline-based recovery would wait 2 x wall limit + 120 s; the heartbeat brings it back at ~10 s
        assert time.monotonic() - killed < 40
        assert_graded_once_with_full_marks(live, [submission_id])
        assert rows(live, "SELECT attempts FROM grading_jobs WHERE submission_id = ?", submission_id) == [(2,)]
    finally:
        live.stop()


def test_threads_pool_is_what_workers_run():
    from worker.celery_app import celery_app

    assert celery_app.conf.worker_pool == "threads"
