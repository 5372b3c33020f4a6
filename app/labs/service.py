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
    from app.labs.hooks import feedback_held

    if submission.result and not (viewer is not None and viewer.is_staff) and feedback_held(submission):
        return {"submission_id": submission.id, "lab_id": submission.lab_id, "status": "awaiting_review",
                "score": None, "max_score": submission.max_score, "tests": [], "stdout_tail": "", "stderr_tail": "",
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
