"""Submit-to-graded through a live `llmcourse run` (web + worker + scheduler), as students see it.

    .venv/bin/python benchmarks/bench_grading_live.py [--broker redis://127.0.0.1:6379/15]
        [--lab lab15 --idle 10 --burst 40] [--trivial lab02 --jobs 200] [--concurrency N]
    .venv/bin/python benchmarks/bench_grading_live.py --first-start [--lab lab15]

Starts the platform on a fresh data dir (embedded defaults unless --broker names a Redis), creates a class
of students with API tokens, grades one submission of each lab first (references, artifacts, the zygote),
then prints:
  - idle: one student's submissions one after another (p50, p95 submit-to-graded) and the lab's own compute;
  - burst: N students submitting at once (p50, p95), every one graded with full marks;
  - throughput: M trivial submissions from the class (at most 5 each: the per-student quotas hold) sent as
    fast as possible, jobs per second from the first submit until the last is graded.
With --first-start it prints only how long after /healthz the first submission of --lab is graded when the
platform starts as a new user starts it (fresh data dir, every lab prepared in the background on start).
"""
from __future__ import annotations

import argparse
import os
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.livestack import free_port  # noqa: E402

POLL_SECONDS = 0.02
PER_STUDENT = 5  # the default max_active_submissions
CLASS_SCRIPT = """
import datetime, sys
from app.cohorts import service as cohorts
from app.core.db import session_scope
from app.users import service
with session_scope() as db:
    teacher = service.get_by_email(db, sys.argv[2])
    cohort = cohorts.create_cohort(db, teacher, "Benchmark class", datetime.date.today())
    for number in range(int(sys.argv[1])):
        user = service.create_user(db, f"student{number}@example.com", "bench-password-123456")
        cohorts.join_cohort(db, user, cohort.invite_code)
        print(service.create_token(db, user, "bench")[1])
"""
WATCH_SECONDS = 0.1  # between rounds of watching many submissions


class Platform:
    def __init__(self, data_dir: Path, broker: str | None, concurrency: int, prepare_on_start: bool = False) -> None:
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("LLMCOURSE_")}
        self.env.update({"LLMCOURSE_DATA_DIR": str(data_dir),
                         "LLMCOURSE_PREPARE_LABS_ON_START": str(prepare_on_start).lower()})
        if broker:  # outside the embedded mode the platform refuses to start without a real secret
            self.env.update({"LLMCOURSE_BROKER_URL": broker, "LLMCOURSE_SECRET_KEY": secrets.token_urlsafe(48)})
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = data_dir / "platform.log"
        self.log = open(self.log_path, "w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "worker.cli", "run", "--port", str(self.port),
             *(["--worker-concurrency", str(concurrency)] if concurrency else [])], env=self.env, cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT,
            start_new_session=True)
        self._wait_healthy()
        self.healthy_at = time.perf_counter()
        self.email = email = "bench@example.com"
        self.cli("users", "create", "--email", email, "--password", "bench-password-123456", "--role", "instructor")
        token = self.cli("users", "token", "--email", email).split()[-1]
        self.client = self._client(token)
        self.students: list[httpx.Client] = []

    def _client(self, token: str) -> httpx.Client:
        return httpx.Client(base_url=self.url, headers={"Authorization": f"Bearer {token}"}, timeout=30)

    def enrol_class(self, size: int) -> None:
        done = subprocess.run([sys.executable, "-c", CLASS_SCRIPT, str(size), self.email], env=self.env, cwd=ROOT,
                              capture_output=True, text=True, timeout=300, check=True)
        self.students = [self._client(token) for token in done.stdout.split()]

    def cli(self, *args: str) -> str:
        done = subprocess.run([sys.executable, "-m", "worker.cli", *args], env=self.env, cwd=ROOT,
                              capture_output=True, text=True, timeout=120, check=True)
        return done.stdout.strip()

    def _wait_healthy(self) -> None:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                if httpx.get(self.url + "/healthz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError("llmcourse run did not become healthy:\n" + self.log_path.read_text()[-3000:])

    def submit(self, lab: str, code: str, client: httpx.Client | None = None) -> int:
        response = (client or self.client).post(f"/api/v1/labs/{lab}/submissions", json={"code": code})
        response.raise_for_status()
        return response.json()["id"]

    def wait(self, submission: int, timeout: float = 600) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            result = self.client.get(f"/api/v1/submissions/{submission}").json()
            if result["status"] not in ("queued", "running"):
                return result
            time.sleep(POLL_SECONDS)
        raise TimeoutError(f"submission {submission} not graded in {timeout} s")

    def wait_all(self, sent: dict[int, float], timeout: float = 900) -> dict[int, tuple[float, dict]]:
        """Watch the outstanding submissions oldest first, as a class waiting at their pages would see them
        finish: each round polls until it meets one still pending (the queue is first in, first out, so the
        ones behind it are pending too), then sleeps WATCH_SECONDS. The watching thus costs the web a few
        requests per round, not one per outstanding submission, and the figure is the platform's, not the
        benchmark's. Returns submit-to-graded seconds (as first seen) and the result per id."""
        done: dict[int, tuple[float, dict]] = {}
        order = sorted(sent)
        deadline = time.monotonic() + timeout
        while len(done) < len(sent) and time.monotonic() < deadline:
            for submission in order:
                if submission in done:
                    continue
                result = self.client.get(f"/api/v1/submissions/{submission}").json()
                if result["status"] in ("queued", "running"):
                    break
                done[submission] = (time.perf_counter() - sent[submission], result)
            time.sleep(WATCH_SECONDS)
        if len(done) < len(sent):
            raise TimeoutError(f"{len(sent) - len(done)} submissions not graded in {timeout} s")
        return done

    def send_all(self, lab: str, code: str, count: int) -> dict[int, float]:
        """`count` submissions from the class, each student in turn."""
        sent: dict[int, float] = {}

        def one(number):
            started = time.perf_counter()
            sent[self.submit(lab, code, self.students[number % len(self.students)])] = started

        with ThreadPoolExecutor(max_workers=8) as pool:
            list(pool.map(one, range(count)))
        return sent

    def graded(self, lab: str, code: str) -> tuple[float, dict]:
        started = time.perf_counter()
        result = self.wait(self.submit(lab, code))
        return time.perf_counter() - started, result

    def stop(self) -> None:
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=30)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(self.process.pid, signal.SIGKILL)


def solution(lab: str) -> str:
    return next((ROOT / "labs").glob(f"{lab}-*/solution.py")).read_text()


def full_marks(result: dict) -> bool:
    return result["status"] == "graded" and result["score"] == result["max_score"] > 0


def phases(results: list[dict]) -> str:
    """Median seconds per server-side phase: waiting for a worker, claim to sandbox start, the sandbox run,
    the checks."""
    from datetime import datetime

    def at(result, name):
        return datetime.fromisoformat(result["timings"][name])

    spans = {"queued->claimed": ("queued_at", "claimed_at"), "claimed->sandbox": ("claimed_at", "sandbox_started_at"),
             "sandbox": ("sandbox_started_at", "sandbox_ended_at"), "checks": ("sandbox_ended_at", "checks_ended_at")}
    medians = {name: statistics.median((at(r, b) - at(r, a)).total_seconds() for r in results)
               for name, (a, b) in spans.items()}
    return ", ".join(f"{name} {value:.3f} s" for name, value in medians.items())


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--broker", default=None)
    parser.add_argument("--lab", default="lab15")
    parser.add_argument("--idle", type=int, default=10)
    parser.add_argument("--burst", type=int, default=40)
    parser.add_argument("--trivial", default="lab02")
    parser.add_argument("--jobs", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=0, help="0: llmcourse run's default")
    parser.add_argument("--first-start", action="store_true",
                        help="only: the first --lab submission on a fresh data dir, preparation on")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as data:
        platform = Platform(Path(data), args.broker, args.concurrency, prepare_on_start=args.first_start)
        try:
            (first_start if args.first_start else run)(platform, args)
        finally:
            platform.stop()


def first_start(platform: Platform, args) -> None:
    """A new user's first submission while the worker prepares every lab in the background."""
    seconds, result = platform.graded(args.lab, solution(args.lab))
    since_healthy = time.perf_counter() - platform.healthy_at
    print(f"first start ({'Redis' if args.broker else 'embedded'} broker, labs prepared on start): the first "
          f"{args.lab} submission graded {result['score']}/{result['max_score']} {since_healthy:.1f} s after /healthz "
          f"answered ({seconds:.1f} s after it was sent)")
    print(f"  phases: {phases([result])}")


def run(platform: Platform, args) -> None:
    broker = "Redis" if args.broker else "embedded"
    print(f"llmcourse run ({broker} broker, worker concurrency {args.concurrency or 'default: two per core'})")
    lab_code, trivial_code = solution(args.lab), solution(args.trivial)
    platform.enrol_class(max(args.burst, -(-args.jobs // PER_STUDENT), 1))
    for lab, code in ((args.lab, lab_code), (args.trivial, trivial_code)):
        for _ in range(3):  # references, artifacts, then a zygote that mounts the lab
            assert full_marks(platform.graded(lab, code)[1])
        time.sleep(3)
    if args.idle:
        report_idle(platform, args, lab_code)
    if args.burst:
        report_burst(platform, args, lab_code)
    if args.jobs:
        report_throughput(platform, args, trivial_code)


def report_idle(platform: Platform, args, lab_code: str) -> None:
    idle = [platform.graded(args.lab, lab_code) for _ in range(args.idle)]
    assert all(full_marks(r) for _, r in idle)
    compute = statistics.median(r["timings"]["sandbox_s"] for _, r in idle)
    seconds = [s for s, _ in idle]
    print(f"{args.lab} idle, one after another ({args.idle}): p50 {statistics.median(seconds):.3f} s, "
          f"p95 {percentile(seconds, 0.95):.3f} s; the lab's sandbox run itself: median {compute:.3f} s")
    print(f"  phases (median): {phases([r for _, r in idle])}")
    for slow in [r for s, r in idle if s > 1.0]:
        print(f"  slow one ({slow['submission_id']}): {phases([slow])}")


def report_burst(platform: Platform, args, lab_code: str) -> None:
    burst = list(platform.wait_all(platform.send_all(args.lab, lab_code, args.burst)).values())
    seconds = [s for s, _ in burst]
    print(f"{args.lab} burst of {args.burst} at once: p50 {statistics.median(seconds):.3f} s, "
          f"p95 {percentile(seconds, 0.95):.3f} s, all full marks: {all(full_marks(r) for _, r in burst)}")
    print(f"  phases (median): {phases([r for _, r in burst])}")


def report_throughput(platform: Platform, args, trivial_code: str) -> None:
    started = time.perf_counter()
    results = [r for _, r in platform.wait_all(platform.send_all(args.trivial, trivial_code, args.jobs)).values()]
    elapsed = time.perf_counter() - started
    print(f"{args.trivial} x {args.jobs} sent at once by {len(platform.students)} students: all graded in {elapsed:.1f} s = {args.jobs / elapsed:.1f} jobs/s, "
          f"all full marks: {all(full_marks(r) for r in results)}")
    print(f"  phases (median): {phases(results)}")


if __name__ == "__main__":
    main()
