"""A real platform in subprocesses (migrated SQLite DB, web server, Celery worker) for end-to-end tests."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LiveStack:
    def __init__(self, data_dir: Path, *, labs_dir: Path | None = None, broker_url: str | None = None,
                 extra_env: dict[str, str] | None = None) -> None:
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("LLMCOURSE_")}
        self.env.update({"LLMCOURSE_DATA_DIR": str(data_dir),
                         "LLMCOURSE_SECRET_KEY": "live-stack-key-8d2f6b1c9e4a7d3f0b5c8e2a6d1f9b4c",
                         "LLMCOURSE_SWEEP_INTERVAL_SECONDS": "1", "LLMCOURSE_JOB_DEADLINE_MARGIN_SECONDS": "2",
                         "LLMCOURSE_PREPARE_LABS_ON_START": "false",
                         "PYTHONUNBUFFERED": "1"})
        if labs_dir:
            self.env["LLMCOURSE_LABS_DIR"] = str(labs_dir)
        if broker_url:
            self.env["LLMCOURSE_BROKER_URL"] = broker_url
        self.env.update(extra_env or {})
        self.data_dir = data_dir
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.web: subprocess.Popen | None = None
        self.workers: list[subprocess.Popen] = []

    def cli(self, *args: str) -> str:
        done = subprocess.run([sys.executable, "-m", "worker.cli", *args], env=self.env, cwd=ROOT,
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr + done.stdout
        return done.stdout.strip()

    def prepare(self) -> None:
        self.cli("db", "upgrade")
        self.cli("content", "sync")

    def start_web(self, ready: tuple[int, ...] = (200,)) -> None:
        """Start uvicorn and wait until /healthz answers one of `ready` (503: up, with its broker down)."""
        log = open(self.data_dir / "web.log", "w")
        self.web = subprocess.Popen([sys.executable, "-m", "uvicorn", "app.main:create_app", "--factory",
                                     "--host", "127.0.0.1", "--port", str(self.port)],
                                    env=self.env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.base_url + "/healthz", timeout=3).status_code in ready:
                    return
            except httpx.HTTPError:
                time.sleep(0.2)
        self.web.kill()  # never leave a server behind when the test cannot use it
        self.web.wait()
        raise RuntimeError("web server did not start: " + (self.data_dir / "web.log").read_text())

    def start_worker(self, beat: bool = True) -> subprocess.Popen:
        log = open(self.data_dir / f"worker{len(self.workers)}.log", "w")
        argv = [sys.executable, "-m", "celery", "-A", "worker.celery_app", "worker", "-Q", "cpu,gpu",
                "--concurrency", "1", "--loglevel", "INFO", "--without-gossip", "--without-mingle",
                "--hostname", f"w{len(self.workers)}@%h"]
        if beat:
            argv.append("-B")
        worker = subprocess.Popen(argv, env=self.env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                                  start_new_session=True)
        self.workers.append(worker)
        return worker

    def kill_worker(self, worker: subprocess.Popen) -> None:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()

    def stop(self) -> None:
        for process in [self.web, *self.workers]:
            if process is not None and process.poll() is None:
                try:
                    os.killpg(process.pid, signal.SIGTERM) if process in self.workers else process.terminate()
                    process.wait(timeout=10)
                except (subprocess.TimeoutExpired, ProcessLookupError):
                    process.kill()

    def logs(self) -> str:
        return "\n".join(p.read_text()[-3000:] for p in sorted(self.data_dir.glob("*.log")))
