"""Grading jobs: claim (conditional update), run through the sandbox, record; sweep stuck jobs.
Used by the Celery worker; the web only creates jobs (see service.submit)."""
from __future__ import annotations

import logging
import uuid
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.config import get_settings
from app.core.db import after_commit, session_scope, utcnow
from app.labs.models import GradingJob, Lab, Submission

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 3
PLATFORM_ERROR = ("The grader had a problem of its own and could not grade this submission. It has been "
                  "flagged for staff; you do not need to resubmit.")


def enqueue_after_commit(db: Session, job: GradingJob) -> None:
    from worker.celery_app import send_grade

    job_id, queue = job.id, job.queue
    after_commit(db, lambda: send_grade(job_id, queue))


def claim(db: Session, job_id: int, worker: str) -> str | None:
    """Move a queued job to running; None when another delivery already has it."""
    job = db.get(GradingJob, job_id)
    if job is None:
        return None
    lab_limits = (db.get(Lab, db.get(Submission, job.submission_id).lab_id).manifest or {}).get("limits", {})
    deadline = utcnow() + timedelta(seconds=int(lab_limits.get("wall_seconds", 60)) * 2
                                    + get_settings().job_deadline_margin_seconds)
    token = uuid.uuid4().hex
    claimed = db.execute(update(GradingJob).where(GradingJob.id == job_id, GradingJob.state == "queued")
                         .values(state="running", claim_token=token, worker=worker, claimed_at=utcnow(),
                                 deadline_at=deadline, attempts=GradingJob.attempts + 1)).rowcount
    if claimed != 1:
        return None
    db.execute(update(Submission).where(Submission.id == job.submission_id).values(status="running"))
    return token


def finish(db: Session, job_id: int, token: str, result: dict) -> bool:
    """Record the result only if this worker still holds the claim (a swept job is not graded twice)."""
    done = db.execute(update(GradingJob).where(GradingJob.id == job_id, GradingJob.claim_token == token,
                                               GradingJob.state == "running")
                      .values(state="done", finished_at=utcnow(), last_error=result.get("platform_error"))).rowcount
    if done != 1:
        return False
    job = db.get(GradingJob, job_id)
    submission = db.get(Submission, job.submission_id)
    result = {**result, "submission_id": submission.id}
    submission.status = result["status"]
    submission.score = result["score"]
    submission.max_score = result["max_score"]
    submission.result = result
    submission.live = None
    submission.graded_at = utcnow()
    db.flush()
    from app.labs import hooks

    hooks.after_graded(db, submission)
    return True


def run_job(job_id: int, worker: str) -> str:
    with session_scope() as db:
        token = claim(db, job_id, worker)
        if token is None:
            return "skipped"
        job = db.get(GradingJob, job_id)
        submission = db.get(Submission, job.submission_id)
        lab = db.get(Lab, submission.lab_id)
        code, folder, sub_id, queued_s = submission.code, lab.folder, submission.id, \
            (utcnow() - submission.created_at).total_seconds()
    from app.labs.live import LiveLog

    live = LiveLog(sub_id)
    result = grade_code(folder, code, sub_id, on_output=live)
    result["timings"]["queued_s"] = round(queued_s, 3)
    with session_scope() as db:
        return "graded" if finish(db, job_id, token, result) else "stale"


def grade_code(folder: str | None, code: str, submission_id: int | None,
               hidden_seeds: list[int] | None = None, on_output=None) -> dict:
    """Grade in the sandbox; platform failures become an 'error' result, never a lost job.
    `hidden_seeds` re-uses a previous run's seeds (regrades compare like with like) when the lab's
    seed bank still holds them."""
    from worker.grading import Lab as LabBundle, LabBroken, grade
    from worker.sandbox import SandboxUnavailable

    settings = get_settings()
    try:
        bundle = LabBundle.load(settings.labs_dir / folder)
        if hidden_seeds and not set(hidden_seeds) <= set(bundle.manifest.hidden_seeds()):
            hidden_seeds = None
        return grade(bundle, code, references_dir=settings.references_dir, submission_id=submission_id,
                     hidden_seeds=hidden_seeds or None, on_output=on_output, **sandbox_options())
    except SandboxUnavailable as exc:
        return platform_error(submission_id, folder, str(exc))
    except LabBroken as exc:
        log.exception("lab broken")
        return platform_error(submission_id, folder, f"lab problem: {exc}")


WARM_START = False  # switched on by the Celery worker (worker/tasks.py); one-shot CLI runs stay cold


def sandbox_options() -> dict:
    settings = get_settings()
    devices = [d for d in settings.gpu_devices.split(",") if d]
    return {"insecure": settings.insecure_sandbox, "uid": settings.sandbox_uid, "devices": devices,
            "warm": WARM_START and settings.warm_start, "models_dir": settings.models_dir}


def platform_error(submission_id: int | None, folder: str | None, detail: str) -> dict:
    return {"submission_id": submission_id, "lab_id": (folder or "").split("-")[0], "status": "error",
            "score": 0.0, "max_score": 0.0, "tests": [], "stdout_tail": "", "stderr_tail": "",
            "feedback": PLATFORM_ERROR, "platform_error": detail[:4000],
            "timings": {"queued_s": 0.0, "sandbox_s": 0.0, "grade_s": 0.0}}


def give_up(db: Session, job: GradingJob) -> None:
    """A job that failed MAX_ATTEMPTS times is recorded as a platform error (flagged for staff), not retried."""
    job.state, job.finished_at = "done", utcnow()
    job.last_error = f"gave up after {job.attempts} attempts"
    submission = db.get(Submission, job.submission_id)
    result = platform_error(submission.id, None, job.last_error)
    result["lab_id"] = submission.lab_id
    submission.status, submission.score, submission.result = "error", 0.0, result
    submission.graded_at = utcnow()
    log.error("job %s for submission %s gave up after %s attempts", job.id, submission.id, job.attempts)


def sweep(now=None) -> int:
    """Re-queue jobs whose worker died (deadline passed) and re-send queued jobs whose message may be lost."""
    now = now or utcnow()
    settings = get_settings()
    with session_scope() as db:
        stuck = list(db.scalars(select(GradingJob).where(GradingJob.state == "running",
                                                         GradingJob.deadline_at < now)))
        for job in [j for j in stuck if j.attempts >= MAX_ATTEMPTS]:
            give_up(db, job)
        stuck = [j for j in stuck if j.attempts < MAX_ATTEMPTS]
        for job in stuck:
            job.state, job.claim_token, job.enqueued_at = "queued", None, now
            db.execute(update(Submission).where(Submission.id == job.submission_id).values(status="queued"))
        stale_before = now - timedelta(seconds=settings.job_deadline_margin_seconds * 5)
        lost = list(db.scalars(select(GradingJob).where(GradingJob.state == "queued",
                                                        GradingJob.enqueued_at < stale_before)))
        for job in lost:
            job.enqueued_at = now
        for job in {j.id: j for j in stuck + lost}.values():
            enqueue_after_commit(db, job)
        count = len(stuck) + len(lost)
    if count:
        log.info("sweep re-queued %s job(s)", count)
    return count
