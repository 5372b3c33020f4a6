"""Dashboard and gradebook speed at scale.

    python benchmarks/dashboard_bench.py [--students 2000] [--runs 40] [--keep]

Creates a temporary data dir (embedded SQLite), migrates, loads the course, runs `demo seed` for N students,
then measures in-process (the FastAPI app through Starlette's TestClient, so the figures are server time
plus a negligible in-memory transport):

* the dashboard page (/instructor?cohort=ID, heatmap page of 50) at p50/p95 over --runs requests;
* two baselines measured in the same run: the same page for an empty cohort (the fixed cost of the page)
  and a naive dashboard that computes each shown student's progress with the student's own progress
  query (app.course.service.course_progress, what a first version would do);
* the number of SQL statements per dashboard request (the same for 20 and for N students);
* the CSV export of the whole cohort, streamed by GET /api/v1/gradebook.csv and written by the background
  task's body (app.dashboard.gradebook.run_export).

Targets from the issue: dashboard p95 <= 300 ms, CSV export < 5 s. Exit status 1 when a target is missed."""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


CPU_MS: dict[int, list[float]] = {}


def timed(fn, runs: int, warmup: int = 3) -> list[float]:
    """Wall-clock milliseconds per call; the process CPU milliseconds go to CPU_MS[id(list)] (the work done,
    whatever else runs on the machine)."""
    for _ in range(warmup):
        fn()
    out, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        out.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    CPU_MS[id(out)] = cpu
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--keep", action="store_true", help="keep the temporary data dir")
    parser.add_argument("--gc-freeze", action="store_true",
                        help="call gc.freeze() once the app has started, as a production server can: the objects "
                             "of startup are then never scanned again, which removes the slow tail of full "
                             "garbage collections (about 30 ms each here)")
    args = parser.parse_args()

    data_dir = Path(tempfile.mkdtemp(prefix="llmcourse-bench-"))
    os.environ["LLMCOURSE_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("LLMCOURSE_SECRET_KEY", "bench-secret")
    try:
        return run(args, data_dir)
    finally:
        if args.keep:
            print(f"data dir kept: {data_dir}")
        else:
            shutil.rmtree(data_dir, ignore_errors=True)


def run(args, data_dir: Path) -> int:
    from fastapi.testclient import TestClient
    from sqlalchemy import event

    import app.models  # noqa: F401
    from app.cohorts.models import Cohort
    from app.config import get_settings
    from app.content import sync_content
    from app.core.db import get_engine, session_scope
    from app.core.migrate import upgrade
    from app.course.service import course_progress
    from app.dashboard import gradebook
    from app.dashboard.models import GradebookExport
    from app.demo.seed import seed
    from app.main import create_app
    from app.users.models import User
    from app.users.service import create_user

    settings = get_settings()
    print(f"data dir {data_dir} ({get_engine().dialect.name}), {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.1f}")
    upgrade(settings.sqlalchemy_url)
    with session_scope() as db:
        _, errors = sync_content(db, settings)
        if errors:
            print("content errors:", *errors.messages[:5], sep="\n  ")
            return 2
    started = time.perf_counter()
    with session_scope() as db:
        report = seed(db, args.students, rng_seed=42)
        cohort_id = report.cohort.id
        small_id = seed(db, 20, rng_seed=43, cohort_name="Small cohort").cohort.id
        create_user(db, "bench-instructor@example.com", "bench-password", "Bench", "instructor")
        bench = db.query(User).filter_by(email="bench-instructor@example.com").one()
        db.get(Cohort, cohort_id).created_by_id = bench.id
        db.get(Cohort, small_id).created_by_id = bench.id
        empty = Cohort(name="Empty cohort", start_date=report.cohort.start_date, invite_code="BENCHEMPTY",
                       created_by_id=bench.id)
        db.add(empty)
        db.flush()
        empty_id = empty.id
    print(f"seeded {report.students} students ({report.ticks} ticks, {report.submissions} submissions, "
          f"{report.quiz_attempts} quiz attempts) in {time.perf_counter() - started:.1f} s")

    statements = {"n": 0}

    @event.listens_for(get_engine(), "before_cursor_execute")
    def count(*_):
        statements["n"] += 1

    client = TestClient(create_app())
    if args.gc_freeze:
        import gc

        gc.collect()
        gc.freeze()
        print("gc.freeze() after startup")
    page = client.get("/login")
    import re

    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    assert client.post("/login", data={"email": "bench-instructor@example.com", "password": "bench-password",
                                       "csrf_token": csrf}, follow_redirects=False).status_code == 303

    def get(url: str):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code, response.text[:300])
        return response

    def queries(url: str) -> int:
        get(url)
        statements["n"] = 0
        get(url)
        return statements["n"]

    full_url, empty_url = f"/instructor?cohort={cohort_id}", f"/instructor?cohort={empty_id}"
    q_full, q_empty, q_small = queries(full_url), queries(empty_url), queries(f"/instructor?cohort={small_id}")
    full = timed(lambda: get(full_url), args.runs)
    base = timed(lambda: get(empty_url), args.runs)
    htmx = timed(lambda: client.get(full_url + "&sort=-activity&status=at_risk", headers={"HX-Request": "true"}),
                 args.runs)

    with session_scope() as db:
        shown = [u for (u,) in db.execute(
            __import__("sqlalchemy").text("SELECT user_id FROM enrollments WHERE cohort_id = :c ORDER BY user_id "
                                          "LIMIT 50"), {"c": cohort_id})]

    def naive():
        with session_scope() as db:
            for user_id in shown:
                course_progress(db, db.get(User, user_id))

    naive_ms = timed(naive, max(5, args.runs // 4), warmup=1)

    csv_start = time.perf_counter()
    response = get(f"/api/v1/gradebook.csv?cohort={cohort_id}")
    csv_api = time.perf_counter() - csv_start
    lines = response.text.count("\n")
    with session_scope() as db:
        export = GradebookExport(cohort_id=cohort_id, requested_by_id=bench.id, status="queued", token="bench")
        db.add(export)
        db.flush()
        export_id = export.id
    task_start = time.perf_counter()
    outcome = gradebook.run_export(export_id)
    csv_task = time.perf_counter() - task_start
    csv_empty_start = time.perf_counter()
    get(f"/api/v1/gradebook.csv?cohort={empty_id}")
    csv_empty = time.perf_counter() - csv_empty_start

    p95, p50 = percentile(full, 0.95), statistics.median(full)
    b95, b50 = percentile(base, 0.95), statistics.median(base)
    print()
    cpu = CPU_MS[id(full)]
    print(f"dashboard, {report.students} students (page of 50 x 33 weeks): p50 {p50:.0f} ms  p95 {p95:.0f} ms  "
          f"[target p95 <= 300 ms]  {q_full} SQL statements ({q_small} for 20 students)")
    print(f"  CPU time per request: p50 {statistics.median(cpu):.0f} ms  p95 {percentile(cpu, 0.95):.0f} ms "
          f"(wall time above CPU time is waiting for a core: load average now {os.getloadavg()[0]:.1f})")
    print(f"  baseline, empty cohort:                     p50 {b50:.0f} ms  p95 {b95:.0f} ms  "
          f"{q_empty} SQL statements  -> full/empty p95 x{p95 / b95:.1f}")
    print(f"  HTMX fragment (at-risk filter, by activity): p50 {statistics.median(htmx):.0f} ms  "
          f"p95 {percentile(htmx, 0.95):.0f} ms")
    print(f"  baseline, naive per-student progress for the 50 shown: p50 {statistics.median(naive_ms):.0f} ms "
          f"-> naive/dashboard p50 x{statistics.median(naive_ms) / p50:.1f} (for one page; the naive way cannot "
          f"sort or count the whole cohort at all)")
    print(f"CSV export of {lines - 1} students: API stream {csv_api:.2f} s, background task {csv_task:.2f} s "
          f"({outcome})  [target < 5 s]  baseline empty cohort {csv_empty * 1000:.0f} ms "
          f"-> x{csv_api / max(csv_empty, 1e-6):.0f}")
    ok = p95 <= 300 and csv_api < 5 and csv_task < 5 and q_full == q_small
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
