"""Lab submissions as jobs of the one runner (worker/runner.py): what a lab job reads, how it is graded and
where its result goes. The web only creates jobs and sends their tasks (app/labs/jobs.py)."""
from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import update
from sqlalchemy.orm import Session

from app.config import get_settings
from app.core.db import utcnow
from app.labs.jobs import PLATFORM_ERROR, enqueue_grading
from app.labs.models import GradingJob, Lab, Submission
from app.labs.statuses import SubmissionStatus
from worker import runner

log = logging.getLogger(__name__)
MAX_ATTEMPTS = runner.MAX_ATTEMPTS


@dataclass(frozen=True)
class LabJobInputs:
    submission_id: int
    folder: str
    code: str
    queued_s: float
    queue: str


class LabJobs(runner.JobKind):
    model = GradingJob
    label = "job"

    @property
    def cancelled(self):
        from app.labs.live import RunCancelled

        return (RunCancelled,)

    def run_seconds(self, db: Session, job: GradingJob) -> float:
        limits = (db.get(Lab, db.get(Submission, job.submission_id).lab_id).manifest or {}).get("limits", {})
        return int(limits.get("wall_seconds", 60)) * 2

    def claimed(self, db: Session, job: GradingJob) -> None:
        db.execute(update(Submission).where(Submission.id == job.submission_id)
                   .values(status=SubmissionStatus.RUNNING))

    def requeued(self, db: Session, job: GradingJob) -> None:
        db.execute(update(Submission).where(Submission.id == job.submission_id)
                   .values(status=SubmissionStatus.QUEUED))

    def inputs(self, db: Session, job: GradingJob) -> LabJobInputs:
        submission = db.get(Submission, job.submission_id)
        return LabJobInputs(submission_id=submission.id, folder=db.get(Lab, submission.lab_id).folder,
                            code=submission.code, queued_s=(utcnow() - submission.created_at).total_seconds(),
                            queue=job.queue)

    def grade(self, inputs: LabJobInputs) -> dict | None:
        from app.labs.live import LiveLog

        result = grade_code(inputs.folder, inputs.code, inputs.submission_id, on_output=LiveLog(inputs.submission_id),
                            warm=True)
        if result is not None:
            result["timings"]["queued_s"] = round(inputs.queued_s, 3)
        return result

    def record(self, db: Session, job: GradingJob, result: dict) -> bool:
        submission = db.get(Submission, job.submission_id)
        timings = {**result.get("timings", {}), "queued_at": _iso(submission.created_at),
                   "claimed_at": _iso(job.claimed_at)}
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

    def record_failure(self, db: Session, job: GradingJob) -> None:
        submission = db.get(Submission, job.submission_id)
        result = platform_error(submission.id, None, job.last_error)
        result["lab_id"] = submission.lab_id
        submission.status, submission.score, submission.result = SubmissionStatus.ERROR, 0.0, result
        submission.graded_at = utcnow()

    def enqueue(self, db: Session, job: GradingJob) -> None:
        enqueue_grading(db, job)

    def finished(self, inputs: LabJobInputs, result: dict) -> None:
        from worker.metrics import job_finished

        job_finished(result, inputs.queue)


LAB_JOBS = LabJobs()
claim, finish, run_job, sweep = LAB_JOBS.claim, LAB_JOBS.finish, LAB_JOBS.run, LAB_JOBS.sweep
forget_sent_messages = LAB_JOBS.forget_sent_messages


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
