"""A worker's Prometheus metrics and its /healthz, served on LLMCOURSE_WORKER_METRICS_PORT (the worker image
sets 9808). Series (docs/operations.md):

  llmcourse_queue_depth{queue,kind}, llmcourse_jobs_running{queue,kind}   from the job tables (as the web)
  llmcourse_job_phase_seconds{phase,queue}     queued / sandbox / grade time of each graded job
  llmcourse_jobs_finished_total{status,queue}  graded | error | timeout | rejected (released: killed from outside)
  llmcourse_sandbox_runs_total{status,start}   every sandbox run by outcome (ok, timeout, memory_limit, ...) and
                                               start (warm: forked from a zygote; cold: started for the job)
  llmcourse_sandbox_seconds{start}             wall time of those runs
  llmcourse_worker_ready                       1 when the start-up self-check passed and the worker consumes

Hooks: worker/jobs.py calls `job_finished`; worker/sandbox.py's `classify` (where every run, cold or
forked from a zygote, gets its status) calls `record_run`."""
from __future__ import annotations

import json
import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest

log = logging.getLogger(__name__)

REGISTRY = CollectorRegistry()
PHASE_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 900)
JOB_PHASE_SECONDS = Histogram("llmcourse_job_phase_seconds", "Time a graded job spent in each phase",
                              ["phase", "queue"], buckets=PHASE_BUCKETS, registry=REGISTRY)
JOBS_FINISHED = Counter("llmcourse_jobs_finished", "Grading jobs this worker finished, by result status",
                        ["status", "queue"], registry=REGISTRY)
SANDBOX_RUNS = Counter("llmcourse_sandbox_runs", "Sandbox runs by outcome and by warm or cold start",
                       ["status", "start"], registry=REGISTRY)
SANDBOX_SECONDS = Histogram("llmcourse_sandbox_seconds", "Wall time of sandbox runs", ["start"],
                            buckets=PHASE_BUCKETS, registry=REGISTRY)
WORKER_READY = Gauge("llmcourse_worker_ready", "1 when the start-up self-check passed and the worker consumes jobs",
                     registry=REGISTRY)
PHASES = ("queued_s", "sandbox_s", "grade_s")


class Health:
    """What the worker's /healthz answers: ready once the self-check passed, else the reasons it refuses."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.ready = False
        self.problems: list[str] = ["starting: the sandbox self-check has not finished"]
        self.queues: list[str] = []

    def set(self, ready: bool, problems: list[str], queues: list[str] | None = None) -> None:
        with self.lock:
            self.ready, self.problems = ready, list(problems)
            if queues is not None:
                self.queues = list(queues)
        WORKER_READY.set(1 if ready else 0)

    def body(self, connections: bool = False) -> tuple[int, dict]:
        """`connections`: also ask the database and the broker now (the HTTP /healthz does; a worker whose
        broker or database is down is unhealthy even though its sandbox works)."""
        with self.lock:
            ready, problems, queues = self.ready, list(self.problems), list(self.queues)
        if not ready:
            return 503, {"status": "refusing jobs", "queues": queues, "problems": problems}
        if connections:
            down = connection_problems()
            if down:
                return 503, {"status": "degraded", "queues": queues, "problems": down}
        return 200, {"status": "ok", "queues": queues}


def connection_problems() -> list[str]:
    from app.config import get_settings
    from app.core.health import check_broker, check_database

    problems = []
    database, broker = check_database(), check_broker(get_settings())
    if not database["ok"]:
        problems.append(f"the database ({database['kind']}) does not answer: {database.get('error')}")
    if not broker["ok"]:
        problems.append(f"the broker ({broker['kind']}) does not answer: {broker.get('error')}")
    return problems


HEALTH = Health()


def job_finished(result: dict, queue: str) -> None:
    """Record one finished grading job (worker/jobs.py)."""
    JOBS_FINISHED.labels(result.get("status", "error"), queue).inc()
    timings = result.get("timings") or {}
    for phase in PHASES:
        value = timings.get(phase)
        if isinstance(value, (int, float)) and value >= 0:
            JOB_PHASE_SECONDS.labels(phase[:-2], queue).observe(value)


def sandbox_finished(status: str, warm: bool, seconds: float) -> None:
    start = "warm" if warm else "cold"
    SANDBOX_RUNS.labels(status, start).inc()
    SANDBOX_SECONDS.labels(start).observe(max(0.0, seconds))


def record_run(run) -> None:
    """Count one collected sandbox run (never raises: metrics never break a run)."""
    try:
        sandbox_finished(run.status, "warm" in (run.notes or []), run.wall_seconds)
    except Exception:  # noqa: BLE001
        log.debug("sandbox metric not recorded", exc_info=True)




def render() -> bytes:
    from app.core.metrics import JobTableCollector

    registry = CollectorRegistry()
    registry.register(JobTableCollector())
    return generate_latest(REGISTRY) + generate_latest(registry)


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        path = self.path.split("?", 1)[0]
        if path == "/metrics":
            status, body, content_type = 200, render(), CONTENT_TYPE_LATEST
        elif path == "/healthz":
            status, payload = HEALTH.body(connections=True)
            body, content_type = json.dumps(payload).encode(), "application/json"
        else:
            status, body, content_type = 404, b'{"detail": "not found"}', "application/json"
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args) -> None:  # scrapes every few seconds would flood the worker's log
        return


def serve(port: int, host: str = "0.0.0.0") -> ThreadingHTTPServer:
    """Start the /metrics + /healthz server in a daemon thread; returns it (tests shut it down)."""
    server = ThreadingHTTPServer((host, port), _Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name="metrics-http", daemon=True).start()
    log.info("worker metrics and health on http://%s:%s/metrics and /healthz", host, server.server_address[1])
    return server
