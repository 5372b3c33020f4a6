"""A worker proves at start that it can grade (a sandbox with cgroup memory and pids limits; its GPU where
it takes gpu jobs) and otherwise refuses jobs with a clear log line and an unhealthy /healthz."""
from __future__ import annotations

import logging
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

import worker.cgroups
import worker.sandbox
from app.config import Settings
from tests.livestack import LiveStack, ROOT, free_port
from worker import metrics, selfcheck

PRODUCTION = {"database_url": "postgresql+psycopg://llmcourse@db/llmcourse", "secret_key": "k" * 8 + "x" * 40}
EMBEDDED = {"database_url": None, "broker_url": None}  # whatever the test run's environment configures


class FakeQueues(dict):
    def __init__(self, names):
        super().__init__({name: object() for name in names})
        self.consume_from = dict(self)

    def deselect(self, names):
        for name in names:
            self.consume_from.pop(name, None)


class FakeWorker:
    def __init__(self, *queues):
        self.app = type("App", (), {})()
        self.app.amqp = type("Amqp", (), {})()
        self.app.amqp.queues = FakeQueues(queues)


def test_this_machine_can_run_a_limited_sandbox():
    assert selfcheck.sandbox_problems(Settings(**PRODUCTION)) == []


def test_without_a_writable_cgroup_the_check_names_the_missing_limits(tmp_path, monkeypatch):
    monkeypatch.setattr(worker.cgroups, "ROOT", tmp_path)  # nothing can be created there: no cgroup
    problems = selfcheck.sandbox_problems(Settings(**PRODUCTION))
    # Without a cgroup the test sandbox falls back to RLIMIT_NPROC, which counts every process of the
    # sandbox user on the machine: with other sandboxes running it may also fail to start, a second problem.
    [missing] = [p for p in problems if p.startswith("no writable cgroup for sandbox memory and pids limits")]
    assert "systempaths=unconfined" in missing
    assert all(p == missing or p.startswith("a test sandbox did not run") for p in problems)


def test_without_bubblewrap_the_check_says_so(monkeypatch):
    monkeypatch.setattr(worker.sandbox, "bubblewrap_path", lambda: None)
    assert selfcheck.sandbox_problems(Settings(**PRODUCTION)) == [
        "bubblewrap (bwrap) is not installed: student code cannot run safely (install the 'bubblewrap' "
        "package; the worker image has it)."]


def test_the_embedded_mode_only_warns_and_strict_mode_enforces(monkeypatch):
    monkeypatch.setattr(worker.sandbox, "bubblewrap_path", lambda: None)
    laptop = selfcheck.check(Settings(**EMBEDDED), {"cpu", "gpu"})
    assert laptop.problems == [] and any(n.startswith("(embedded mode, not enforced) bubblewrap") for n in laptop.notes)
    strict = selfcheck.check(Settings(sandbox_selfcheck="strict", **EMBEDDED), {"cpu"})
    assert strict.problems and strict.problems[0].startswith("bubblewrap (bwrap) is not installed")
    assert selfcheck.check(Settings(sandbox_selfcheck="off", **PRODUCTION), {"cpu"}).problems == []


def test_a_gpu_only_worker_without_a_gpu_refuses_gpu_jobs():
    problems, _ = selfcheck.gpu_problems(Settings(gpu_devices=""), {"gpu"})
    assert problems == ["this worker consumes the gpu queue but has no GPU (LLMCOURSE_GPU_DEVICES is empty); it "
                        "refuses gpu jobs instead of running them on the CPU. Give its container one GPU "
                        "(docker-compose.yml: device_ids) and LLMCOURSE_GPU_DEVICES=auto, or list the device nodes."]
    missing, _ = selfcheck.gpu_problems(Settings(gpu_devices="/dev/nvidia9"), {"gpu"})
    assert missing == ["LLMCOURSE_GPU_DEVICES names /dev/nvidia9, which this worker cannot see; it refuses gpu jobs "
                       "instead of running them on the CPU."]


def test_a_laptop_worker_taking_both_queues_runs_gpu_labs_cpu_sized():
    problems, notes = selfcheck.gpu_problems(Settings(gpu_devices=""), {"cpu", "gpu"})
    assert problems == [] and notes == ["no GPU (LLMCOURSE_GPU_DEVICES is empty): gpu labs run their CPU-sized "
                                        "configuration on this worker"]
    assert selfcheck.gpu_problems(Settings(gpu_devices=""), {"cpu"}) == ([], [])


def test_a_device_that_is_not_a_gpu_fails_the_cuda_probe_inside_the_sandbox():
    problems, _ = selfcheck.gpu_problems(Settings(gpu_devices="/dev/null"), {"gpu"})
    assert len(problems) == 1
    assert problems[0].startswith("CUDA is not available inside a sandbox with /dev/null bound (cuda-missing 0)")


def test_the_gate_drops_only_the_gpu_queue_when_cpu_jobs_can_still_be_graded():
    fake = FakeWorker("cpu", "gpu")
    report = selfcheck.gate(fake, Settings(gpu_devices="/dev/nvidia9", **PRODUCTION), max_checks=1)
    assert report.gpu_problems and set(fake.app.amqp.queues.consume_from) == {"cpu"}
    assert metrics.HEALTH.body() == (200, {"status": "ok", "queues": ["cpu"]})


def test_the_gate_blocks_with_a_clear_log_line_and_an_unhealthy_health_check(caplog):
    fake = FakeWorker("gpu")
    with caplog.at_level(logging.ERROR, logger="llmcourse.selfcheck"):
        selfcheck.gate(fake, Settings(gpu_devices="", **PRODUCTION), sleep=lambda s: None, max_checks=2)
    refusals = [r.getMessage() for r in caplog.records if r.getMessage().startswith("REFUSING JOBS:")]
    assert len(refusals) == 2 and "has no GPU" in refusals[0]
    status, body = metrics.HEALTH.body()
    assert status == 503 and body["status"] == "refusing jobs" and "has no GPU" in body["problems"][0]


@pytest.mark.worker
def test_a_real_gpu_only_worker_without_a_gpu_never_consumes_and_reports_unhealthy(tmp_path):
    live = LiveStack(tmp_path)
    live.cli("db", "upgrade")
    port = free_port()
    env = {**live.env, "LLMCOURSE_WORKER_METRICS_PORT": str(port), "LLMCOURSE_SANDBOX_SELFCHECK": "strict",
           "LLMCOURSE_GPU_DEVICES": ""}
    log = tmp_path / "gpu-worker.log"
    process = subprocess.Popen([sys.executable, "-m", "celery", "-A", "worker.celery_app", "worker", "-Q", "gpu",
                                "--concurrency", "1", "--loglevel", "INFO", "--without-gossip", "--without-mingle"],
                               env=env, cwd=ROOT, stdout=log.open("w"), stderr=subprocess.STDOUT)
    try:
        deadline, answer = time.monotonic() + 60, None
        while time.monotonic() < deadline:
            try:
                answer = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
                if answer.status_code == 503 and "REFUSING JOBS" in log.read_text():
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        assert answer is not None and answer.status_code == 503, log.read_text()
        assert "has no GPU" in answer.json()["problems"][0]
        assert "llmcourse_worker_ready 0.0" in httpx.get(f"http://127.0.0.1:{port}/metrics").text
        assert "ready." not in log.read_text()  # Celery's "celery@host ready." never came: nothing consumed
    finally:
        process.terminate()
        process.wait(timeout=20)


def wait_for_health(port: int, log: Path, status: int, state: str, timeout: float = 60) -> httpx.Response:
    deadline, answer = time.monotonic() + timeout, None
    while time.monotonic() < deadline:
        try:
            answer = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=3)
            if answer.status_code == status and answer.json()["status"] == state:
                return answer
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise AssertionError(f"/healthz never answered {status} (last: {answer and answer.text})\n{log.read_text()}")


@pytest.mark.worker
def test_a_worker_whose_redis_is_unreachable_at_start_is_unhealthy_and_says_why(tmp_path):
    live = LiveStack(tmp_path, broker_url=f"redis://127.0.0.1:{free_port()}/0")
    port = free_port()
    env = {**live.env, "LLMCOURSE_WORKER_METRICS_PORT": str(port)}
    log = tmp_path / "worker.log"
    process = subprocess.Popen([sys.executable, "-m", "celery", "-A", "worker.celery_app", "worker", "-Q", "cpu",
                                "--concurrency", "1", "--loglevel", "INFO", "--without-gossip", "--without-mingle"],
                               env=env, cwd=ROOT, stdout=log.open("w"), stderr=subprocess.STDOUT)
    try:
        answer = wait_for_health(port, log, 503, "degraded")
        assert answer.json() == {"status": "degraded", "queues": ["cpu"],
                                 "problems": ["the broker (redis) does not answer: ConnectionError"]}
    finally:
        process.terminate()
        process.wait(timeout=20)
