"""A real worker's /metrics after grading: job durations by phase, sandbox outcomes warm vs cold, queue depth;
its /healthz says it consumes."""
from __future__ import annotations

import time

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.livestack import LiveStack, free_port
from tests.worker.test_celery_worker import FIXTURE_LABS, GOOD, submit, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.labs]
WARM_OK = ("llmcourse_sandbox_runs_total", (("start", "warm"), ("status", "ok")))


def samples(text: str) -> dict[tuple[str, tuple], float]:
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def test_a_worker_counts_what_it_graded(tmp_path):
    port = free_port()
    live = LiveStack(tmp_path, labs_dir=FIXTURE_LABS, extra_env={"LLMCOURSE_WORKER_METRICS_PORT": str(port)})
    live.prepare()
    live.cli("users", "create", "--email", "s@example.com", "--password", "password123", "--role", "admin")
    live.token = live.cli("users", "token", "--email", "s@example.com")
    live.start_web()
    try:
        live.start_worker()
        graded = 0
        while graded < 6:  # the first run is cold; a later one starts warm once the warm path is ready
            result = wait_for(live, submit(live, GOOD))
            assert result["status"] == "graded", result
            graded += 1
            found = samples(httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text)
            if graded >= 2 and found.get(WARM_OK, 0) >= 1:
                break
            time.sleep(1)
        health = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5)
        assert health.status_code == 200 and health.json() == {"status": "ok", "queues": ["cpu", "gpu"]}
    finally:
        live.stop()
    assert found[("llmcourse_worker_ready", ())] == 1
    assert found[("llmcourse_jobs_finished_total", (("queue", "cpu"), ("status", "graded")))] == graded
    for phase in ("queued", "sandbox", "grade"):
        assert found[("llmcourse_job_phase_seconds_count", (("phase", phase), ("queue", "cpu")))] == graded
    warm = found.get(WARM_OK, 0)
    cold = found.get(("llmcourse_sandbox_runs_total", (("start", "cold"), ("status", "ok"))), 0)
    assert warm >= 1 and cold >= 1, {k: v for k, v in found.items() if k[0] == "llmcourse_sandbox_runs_total"}  # reference runs are cold too
    assert found[("llmcourse_queue_depth", (("kind", "lab"), ("queue", "cpu")))] == 0
