"""Lab pages and submissions. `submit` commits nothing: the request commits, then the task is sent."""
from __future__ import annotations

import json

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.cohorts.service import is_enrolled
from app.config import get_settings
from app.core.db import utcnow
from app.core.errors import AppError, not_found
from app.labs.jobs import enqueue_grading
from app.labs.models import GradingJob, Lab, LabDraft, Submission
from app.labs.quota import enforce_submission_limits
from app.users.models import User


def list_labs(db: Session) -> list[Lab]:
    return list(db.scalars(select(Lab).order_by(Lab.id)))


def get_lab(db: Session, lab_id: str) -> Lab:
    lab = db.get(Lab, lab_id)
    if lab is None:
        raise not_found(f"Lab {lab_id!r}")
    return lab


def notebook_to_code(raw: bytes) -> bytes:
    """The code cells of a .ipynb, joined; magics and shell lines are commented out."""
    import nbformat

    try:
        notebook = nbformat.reads(raw.decode("utf-8"), as_version=4)
    except Exception:  # noqa: BLE001 - any parse failure is the same answer to the student
        raise AppError(400, "The notebook could not be read; export it as a .py file instead.", "bad_notebook") from None
    cells = notebook.get("cells")
    if not isinstance(cells, list):
        raise AppError(400, "The notebook has no list of cells; export it as a .py file instead.", "bad_notebook")
    code = []
    for position, cell in enumerate(cells, start=1):
        if isinstance(cell, dict) and cell.get("cell_type") == "code":
            lines = [("# " + line) if line.lstrip().startswith(("%", "!")) else line
                     for line in _cell_source(cell, position).splitlines()]
            code.append("\n".join(lines))
    return ("\n\n".join(code) + "\n").encode("utf-8")


def _cell_source(cell: dict, position: int) -> str:
    """A code cell's text; nbformat leaves a source that is neither text nor a list of lines as it was."""
    source = cell.get("source", "")
    if isinstance(source, list) and all(isinstance(line, str) for line in source):
        source = "".join(source)
    if not isinstance(source, str):
        raise AppError(400, f"Cell {position} of the notebook has a source that is not text; "
                            "export the notebook as a .py file instead.", "bad_notebook")
    return source


def decode_upload(raw: bytes, filename: str) -> str:
    from app.labs.validation import validate_code

    settings = get_settings()
    if len(raw) > settings.max_upload_bytes:
        raise AppError(413, f"The file is {len(raw) // 1024} KB; the limit is {settings.max_upload_bytes // 1024} KB.",
                       "too_large")
    if filename.endswith(".ipynb"):
        raw = notebook_to_code(raw)
    elif filename and not filename.endswith(".py"):
        raise AppError(400, "Upload a .py file or a .ipynb notebook.", "bad_extension")
    try:
        return validate_code(raw, settings.max_upload_bytes)
    except ValueError as exc:
        raise AppError(400, str(exc), "bad_file") from None


def submit(db: Session, user: User, lab_id: str, code: str, filename: str | None = None) -> Submission:
    lab = get_lab(db, lab_id)
    if not lab.gradeable:
        raise AppError(409, f"{lab.id} is not gradeable yet.", "not_gradeable")
    if not user.is_staff and not is_enrolled(db, user):
        raise AppError(403, "Join a cohort with an invite code before submitting labs.", "not_enrolled")
    # One submission of a student at a time past this point: the quota and the next attempt number are
    # read and written under the user's row lock (PostgreSQL; SQLite writers are serialised anyway).
    db.execute(select(User.id).where(User.id == user.id).with_for_update())
    enforce_submission_limits(db, user)
    attempt = (db.scalar(select(func.max(Submission.attempt)).where(Submission.user_id == user.id,
                                                                   Submission.lab_id == lab.id)) or 0) + 1
    submission = Submission(user_id=user.id, lab_id=lab.id, attempt=attempt, filename=lab.submit_file,
                            code=code, status="queued", max_score=lab.max_score)
    db.add(submission)
    db.flush()
    job = GradingJob(submission_id=submission.id, queue=lab.device)
    db.add(job)
    db.flush()
    if not (lab.submit_file or "").endswith(".zip"):  # a zip (the capstone) is no editor draft
        save_draft(db, user, lab.id, code)
    user.last_active_at = utcnow()
    enqueue_grading(db, job)
    from app.labs.hooks import after_submitted

    after_submitted(db, submission)
    return submission


def save_draft(db: Session, user: User, lab_id: str, code: str) -> None:
    draft = db.get(LabDraft, (user.id, lab_id))
    if draft is None:
        db.add(LabDraft(user_id=user.id, lab_id=lab_id, code=code, updated_at=utcnow()))
    else:
        draft.code, draft.updated_at = code, utcnow()


def models_in_use(lab: Lab) -> list[dict]:
    """For each stand-in model the lab names: the operator's real model if LLMCOURSE_MODELS_DIR holds it."""
    from labkit.manifest import real_model_path

    models_dir = get_settings().models_dir
    return [{"stand_in": slot, "name": name, "real": real_model_path(models_dir, name) is not None}
            for slot, name in (lab.manifest or {}).get("models", {}).items()]


def draft_saved_at(db: Session, user: User, lab: Lab):
    draft = db.get(LabDraft, (user.id, lab.id))
    return draft.updated_at if draft else None


def lab_numbers(db: Session, user: User, lab: Lab) -> dict:
    """Every number the lab page shows that a submission can move: attempts, best score, the week's progress."""
    from app.course.service import course_progress
    from app.labs.hooks import feedback_held

    attempts = history(db, user, lab.id)
    graded = [s.score for s in attempts if s.status == "graded" and s.score is not None and not feedback_held(s)]
    week_progress = next((p for p in course_progress(db, user) if p.week.id == lab.week_id), None)
    return {"lab": lab, "attempts": attempts, "best": max(graded) if graded else None,
            "week_progress": week_progress}


def tick_lab_item(db: Session, submission: Submission) -> bool:
    """A lab passed in full ticks its own checklist item ("w01-lab02") for the student. Never unticks."""
    from app.course.models import ChecklistItem, ChecklistProgress

    lab = db.get(Lab, submission.lab_id)
    if (lab is None or submission.status != "graded" or submission.score is None or not lab.max_score
            or submission.score < lab.max_score):
        return False
    item = db.scalar(select(ChecklistItem).where(ChecklistItem.week_id == lab.week_id,
                                                 ChecklistItem.id.like(f"%-{lab.id}"),
                                                 ChecklistItem.active.is_(True)).limit(1))
    if item is None:
        return False
    row = db.get(ChecklistProgress, (submission.user_id, item.id))
    if row is None:
        db.add(ChecklistProgress(user_id=submission.user_id, item_id=item.id, done=True, updated_at=utcnow()))
    elif not row.done:
        row.done, row.updated_at = True, utcnow()
    else:
        return False
    db.flush()
    return True


def editor_code(db: Session, user: User, lab: Lab) -> str:
    draft = db.get(LabDraft, (user.id, lab.id))
    return draft.code if draft else lab.starter_code


def get_submission(db: Session, user: User, submission_id: int) -> Submission:
    submission = db.get(Submission, submission_id)
    if submission is None or (submission.user_id != user.id and not user.is_staff):
        raise not_found(f"Submission {submission_id}")
    return submission


def history(db: Session, user: User, lab_id: str) -> list[Submission]:
    return list(db.scalars(select(Submission).where(Submission.user_id == user.id, Submission.lab_id == lab_id)
                           .order_by(Submission.id.desc()).limit(50)))


def result_model(submission: Submission, viewer: User | None = None) -> "GradeResult":
    from app.labs.schemas import GradeResult

    return GradeResult.model_validate(result_json(submission, viewer))


def result_json(submission: Submission, viewer: User | None = None) -> dict:
    """The result JSON of DESIGN.md, also while the submission is still queued or running. Students see a
    held result as awaiting review; staff see it whole."""
    from app.labs.bundles import smoke_tests
    from app.labs.hooks import feedback_held

    if submission.result and not (viewer is not None and viewer.is_staff) and feedback_held(submission):
        return {"submission_id": submission.id, "lab_id": submission.lab_id, "status": "awaiting_review",
                "score": None, "max_score": submission.max_score, "tests": smoke_tests(submission.result),
                "stdout_tail": "", "stderr_tail": "",
                "feedback": "Your submission was graded and is awaiting review; the score and feedback appear "
                            "here once a grader releases them.", "timings": {}}
    if submission.result:
        result = {"submission_id": submission.id, "lab_id": submission.lab_id, **submission.result}
        result.pop("platform_error", None)
        result.pop("hidden_seeds", None)
        return result
    pending = {"submission_id": submission.id, "lab_id": submission.lab_id, "status": submission.status,
               "score": None, "max_score": submission.max_score, "tests": [], "stdout_tail": "", "stderr_tail": "",
               "timings": {}}
    if submission.status == "running" and submission.live:
        pending["live"] = submission.live
    return pending


def parse_json_code(body: bytes) -> str:
    try:
        data = json.loads(body)
    except RecursionError:
        raise AppError(400, "The JSON is nested too deeply; send {\"code\": \"...\"}.", "bad_json") from None
    except ValueError:  # not JSON, not UTF-8, or a number too long to convert
        raise AppError(400, "The body is not valid JSON; send {\"code\": \"...\"}.", "bad_json") from None
    if not isinstance(data, dict) or not isinstance(data.get("code"), str):
        raise AppError(422, "Send a JSON object with a string field \"code\".", "bad_json")
    from app.labs.validation import validate_code

    try:
        return validate_code(data["code"].encode("utf-8"), get_settings().max_upload_bytes)
    except ValueError as exc:
        status = 413 if "limit" in str(exc) else 400
        raise AppError(status, str(exc), "bad_file") from None


def reset_draft(db: Session, user: User, lab: Lab) -> str:
    """Back to the starter file: the saved draft goes (earlier attempts stay)."""
    draft = db.get(LabDraft, (user.id, lab.id))
    if draft is not None:
        db.delete(draft)
        db.flush()
    return lab.starter_code


def check_draft(code: str) -> str:
    """A draft is kept as typed (it need not parse), within the upload limit."""
    limit = get_settings().max_upload_bytes
    size = len(code.encode("utf-8"))
    if size > limit:
        raise AppError(413, f"Your code is {size // 1024} KB; the limit is {limit // 1024} KB.", "too_large")
    if "\x00" in code:
        raise AppError(400, "Your code contains a NUL character.", "bad_file")
    return code


def draft_diff(current: str, earlier: Submission) -> list[tuple[str, str]]:
    """Unified diff of an earlier attempt (old) against the current draft (new), as (kind, line) pairs with
    kind in hunk | add | del | same. Empty when they are the same."""
    import difflib

    lines = difflib.unified_diff(earlier.code.splitlines(), current.splitlines(),
                                 f"attempt {earlier.attempt}", "your draft", lineterm="", n=3)
    out: list[tuple[str, str]] = []
    for line in lines:
        if line.startswith(("---", "+++")) and not out:
            continue  # the two file headers
        if line.startswith("@@"):
            kind = "hunk"
        elif line.startswith("+"):
            kind = "add"
        elif line.startswith("-"):
            kind = "del"
        else:
            kind = "same"
        out.append((kind, line))
    return out


def lab_prepared(lab: Lab) -> bool:
    """True once the lab's reference outputs for its current version exist (worker/grading.py builds them in
    references_dir/<lab>/<content hash>...). A web process that cannot see the workers' data dir says True."""
    from labkit.manifest import VISIBLE_SEED

    folder = get_settings().references_dir
    if not folder.is_dir():
        return True
    return any((version / f"{VISIBLE_SEED}.json").exists()
               for version in (folder / lab.id).glob(f"{lab.content_hash}*") if version.is_dir())


def queue_info(db: Session, submission: Submission) -> dict:
    """Where a waiting submission stands: its place in its queue, the jobs running now, an estimate from the
    last finished jobs of that queue, and whether the lab is still being prepared."""
    from statistics import median

    lab = db.get(Lab, submission.lab_id)
    info: dict = {"preparing": lab is not None and lab.gradeable and not lab_prepared(lab)}
    job = db.scalar(select(GradingJob).where(GradingJob.submission_id == submission.id))
    if job is None or job.state != "queued":
        return info
    in_queue = (GradingJob.queue == job.queue)
    ahead = db.scalar(select(func.count()).where(in_queue, GradingJob.state == "queued", GradingJob.id < job.id)) or 0
    running = db.scalar(select(func.count()).where(in_queue, GradingJob.state == "running")) or 0
    recent = db.execute(select(GradingJob.claimed_at, GradingJob.finished_at).where(
        in_queue, GradingJob.state == "done", GradingJob.claimed_at.is_not(None), GradingJob.finished_at.is_not(None))
        .order_by(GradingJob.id.desc()).limit(30)).all()
    durations = [(end - start).total_seconds() for start, end in recent if end >= start]
    info.update(position=ahead + 1, running=running, queue=job.queue)
    if durations:
        typical = max(1.0, median(durations))
        slots = max(1, running)
        # the jobs ahead and those running share the busy slots; then this one runs
        info["estimate_s"] = round(typical * (ahead + (1 if running else 0)) / slots + typical)
    return info


CANCELLED_FEEDBACK = "You cancelled this run before it finished; it was not graded and does not count toward your score."


def cancel(db: Session, user: User, submission_id: int) -> Submission:
    """Stop a queued or running submission. The job loses its claim, so a worker that is running it stops the
    sandbox (app/labs/live.py: `LiveLog` sees the run is no longer wanted) and can never record a grade."""
    from sqlalchemy import update

    submission = get_submission(db, user, submission_id)
    if submission.status not in ("queued", "running"):
        raise AppError(409, f"This run has already finished ({submission.status}); there is nothing to cancel.",
                       "already_finished")
    now = utcnow()
    stopped = db.execute(update(GradingJob).where(GradingJob.submission_id == submission.id,
                                                  GradingJob.state.in_(("queued", "running")))
                         .values(state="done", claim_token=None, finished_at=now,
                                 last_error=f"cancelled by user {user.id}")).rowcount
    if stopped != 1:
        raise AppError(409, "This run finished just now; there is nothing to cancel.", "already_finished")
    from app.labs.schemas import GradeResult

    tail = (submission.live or {}).get("tail", "") if submission.status == "running" else ""
    submission.result = GradeResult.model_validate({
        "submission_id": submission.id, "lab_id": submission.lab_id, "status": "error", "score": 0.0,
        "max_score": submission.max_score, "tests": [], "stdout_tail": tail, "stderr_tail": "",
        "feedback": CANCELLED_FEEDBACK, "timings": {"queued_at": submission.created_at}}).model_dump(mode="json")
    submission.result["cancelled"] = True
    submission.status, submission.score, submission.live, submission.graded_at = "error", 0.0, None, now
    db.flush()
    return submission
