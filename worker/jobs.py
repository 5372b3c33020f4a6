"""The job runner: claim a grading job (conditional update), run it through the sandbox with a heartbeat,
record the result, and sweep jobs whose worker died or whose task never reached the broker. The web only
creates jobs and sends their tasks (app/labs/jobs.py)."""
from __future__ import annotations

import logging
import threading
import uuid
from datetime import timedelta

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session

from app.config import get_settings
from app.core.db import session_scope, utcnow
from app.labs.jobs import PLATFORM_ERROR, enqueue_grading
from app.labs.models import GradingJob, Lab, Submission

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 3


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
                                 heartbeat_at=utcnow(), deadline_at=deadline,
                                 attempts=GradingJob.attempts + 1)).rowcount
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
    db.refresh(job)  # the claim was a bulk UPDATE
    submission = db.get(Submission, job.submission_id)
    timings = {**result.get("timings", {}), "queued_at": _iso(submission.created_at), "claimed_at": _iso(job.claimed_at)}
    stored = stored_result({**result, "submission_id": submission.id, "timings": timings})
    submission.status = stored["status"]
    submission.score = stored["score"]
    submission.max_score = stored["max_score"]
    submission.result = stored
    submission.hidden_seeds = result.get("hidden_seeds")
    submission.live = None
    submission.graded_at = utcnow()
    db.flush()
    from app.labs import hooks

    hooks.after_graded(db, submission)
    return True


def _iso(moment) -> str | None:
    return moment.isoformat() if moment is not None else None


def stored_result(result: dict) -> dict:
    """The one place a run's result takes its stored form: validated as GradeResult (what the API, the CLI
    and the pages show), plus the staff-only platform error; hidden seeds are kept apart."""
    from app.labs.schemas import GradeResult

    stored = GradeResult.model_validate(result).model_dump(mode="json")
    if result.get("platform_error"):
        stored["platform_error"] = result["platform_error"]
    return stored


def run_job(job_id: int, worker: str) -> str:
    with session_scope() as db:
        token = claim(db, job_id, worker)
        if token is None:
            return "skipped"
        job = db.get(GradingJob, job_id)
        submission = db.get(Submission, job.submission_id)
        lab = db.get(Lab, submission.lab_id)
        code, folder, sub_id, queued_s, queue = submission.code, lab.folder, submission.id, \
            (utcnow() - submission.created_at).total_seconds(), job.queue
    from app.labs.live import LiveLog, RunCancelled

    live = LiveLog(sub_id)
    try:
        with Heartbeat(job_id, token):
            result = grade_code(folder, code, sub_id, on_output=live, warm=True)
    except RunCancelled:
        log.info("job %s: cancelled while running; its sandbox was stopped", job_id)
        return "cancelled"
    if result is None:
        log.warning("job %s: its sandbox was killed from outside; queued again", job_id)
        release(job_id, token)
        return "released"
    result["timings"]["queued_s"] = round(queued_s, 3)
    with session_scope() as db:
        recorded = finish(db, job_id, token, result)
    if recorded:
        from worker.metrics import job_finished

        job_finished(result, queue)
    return "graded" if recorded else "stale"


class Heartbeat:
    """While a job runs, its row says so every few seconds; a job whose heartbeat stops (its worker died)
    is queued again by the sweep within `heartbeat_timeout_seconds`, not after its whole deadline."""

    def __init__(self, job_id: int, token: str) -> None:
        self.job_id, self.token = job_id, token
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._beat, name=f"heartbeat-{job_id}", daemon=True)

    def __enter__(self) -> "Heartbeat":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stopped.set()
        self.thread.join()

    def _beat(self) -> None:
        interval = get_settings().heartbeat_seconds
        while not self.stopped.wait(interval):
            try:
                with session_scope() as db:
                    db.execute(update(GradingJob).where(GradingJob.id == self.job_id,
                                                        GradingJob.claim_token == self.token)
                               .values(heartbeat_at=utcnow()))
            except Exception:  # noqa: BLE001 - a missed beat is retried; the sweep tolerates a few
                log.warning("job %s: heartbeat not recorded", self.job_id, exc_info=True)


def release(job_id: int, token: str) -> None:
    """Put a claimed job back in the queue (its sandbox died of something that is not the student's
    doing) and send it again at once."""
    with session_scope() as db:
        job = db.get(GradingJob, job_id)
        if job is None or job.claim_token != token or job.state != "running":
            return
        if job.attempts >= MAX_ATTEMPTS:
            give_up(db, job)
            return
        requeue(db, job, utcnow())
        enqueue_grading(db, job)


def requeue(db: Session, job: GradingJob, now) -> None:
    job.state, job.claim_token, job.enqueued_at, job.sent_at = "queued", None, now, None
    db.execute(update(Submission).where(Submission.id == job.submission_id).values(status="queued"))


def grade_code(folder: str | None, code: str, submission_id: int | None,
               hidden_seeds: list[int] | None = None, on_output=None, warm: bool = False) -> dict | None:
    """Grade in the sandbox; platform failures become an 'error' result, never a lost job.
    `hidden_seeds` re-uses a previous run's seeds (regrades compare like with like) when the lab's
    seed bank still holds them."""
    from worker.gpu import devices_for_lab
    from worker.grading import Lab as LabBundle, LabBroken, grade
    from worker.sandbox import SandboxKilled, SandboxUnavailable

    settings = get_settings()
    try:
        bundle = LabBundle.load(settings.labs_dir / folder)
        if hidden_seeds and not set(hidden_seeds) <= set(bundle.manifest.hidden_seeds()):
            hidden_seeds = None
        options = sandbox_options(warm)
        options["devices"] = devices_for_lab(bundle.manifest.device, options["devices"])
        return grade(bundle, code, references_dir=settings.references_dir, submission_id=submission_id,
                     hidden_seeds=hidden_seeds or None, on_output=on_output, **options)
    except SandboxKilled:
        return None
    except SandboxUnavailable as exc:
        return platform_error(submission_id, folder, str(exc))
    except LabBroken as exc:
        log.exception("lab broken")
        return platform_error(submission_id, folder, f"lab problem: {exc}")


def sandbox_options(warm: bool = False) -> dict:
    """How this process runs sandboxes: a Celery worker passes warm=True (sandboxes fork from a zygote
    that holds the lab's libraries, worker/zygote.py); one-shot CLI runs stay cold."""
    from worker.gpu import device_nodes

    settings = get_settings()
    devices = device_nodes(settings.gpu_devices)
    return {"insecure": settings.insecure_sandbox, "uid": settings.sandbox_uid, "devices": devices,
            "warm": warm and settings.warm_start, "models_dir": settings.models_dir}


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
    """Queue again the jobs whose worker died (heartbeat stopped, or deadline passed) and send the queued
    jobs whose task never reached the broker (the job row is the outbox) or whose message may be lost."""
    now = now or utcnow()
    settings = get_settings()
    silent_since = now - timedelta(seconds=settings.heartbeat_timeout_seconds)
    unsent_before = now - timedelta(seconds=settings.outbox_grace_seconds)
    lost_before = now - timedelta(seconds=settings.job_deadline_margin_seconds * 5)
    with session_scope() as db:
        stuck = list(db.scalars(select(GradingJob).where(
            GradingJob.state == "running",
            or_(GradingJob.deadline_at < now, func.coalesce(GradingJob.heartbeat_at, GradingJob.claimed_at) < silent_since))))
        for job in [j for j in stuck if j.attempts >= MAX_ATTEMPTS]:
            give_up(db, job)
        stuck = [j for j in stuck if j.attempts < MAX_ATTEMPTS]
        for job in stuck:
            requeue(db, job, now)
        lost = list(db.scalars(select(GradingJob).where(
            GradingJob.state == "queued",
            or_(and_(GradingJob.sent_at.is_(None), GradingJob.enqueued_at < unsent_before),
                GradingJob.enqueued_at < lost_before))))
        for job in lost:
            job.enqueued_at = now
        for job in {j.id: j for j in stuck + lost}.values():
            enqueue_grading(db, job)
        count = len(stuck) + len(lost)
    if count:
        log.info("sweep re-queued %s job(s)", count)
    return count


def forget_sent_messages() -> int:
    """The broker lost its messages (restarted without persistence): every queued job is unsent again."""
    with session_scope() as db:
        return db.execute(update(GradingJob).where(GradingJob.state == "queued").values(sent_at=None)).rowcount
