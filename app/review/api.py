"""JSON API of the grader workflow (token or session auth)."""
from __future__ import annotations

from fastapi import APIRouter

from app.core.deps import CsrfChecked, CurrentUser, Db, require_role
from app.core.errors import not_found
from app.core.params import RowId
from app.labs.models import Submission
from app.review import regrade, service
from app.review.schemas import (
    MessageIn, OverrideIn, QueueEntryOut, RegradeApplyIn, RegradeIn, ScoreChangeOut, ThreadOut,
)
from app.users.models import Role

router = APIRouter(prefix="/api/v1", tags=["review"], dependencies=[CsrfChecked])
Grader = require_role(Role.grader)
Instructor = require_role(Role.instructor)


def _person(user) -> dict | None:
    return {"id": user.id, "name": user.name, "email": user.email} if user else None


@router.get("/review/queue", response_model=list[QueueEntryOut], dependencies=[Grader])
def queue(db: Db, user: CurrentUser, lab: str = "", cohort: str = "", status: str = "open", assignee: str = "any",
          reason: str = ""):
    filters = service.QueueFilters.parse(lab, cohort, status, assignee, reason)
    return [QueueEntryOut(id=item.id, submission_id=sub.id, lab_id=item.lab_id, reason=item.reason, state=item.state,
                          detail=item.detail, student=_person(student), assignee=_person(assignee), score=sub.score,
                          max_score=sub.max_score, created_at=item.created_at)
            for item, sub, student, assignee in service.list_queue(db, filters, user)]


def _own_or_staff(db, user, submission_id: int) -> Submission:
    submission = db.get(Submission, submission_id)
    if submission is None or (submission.user_id != user.id and not user.is_staff):
        raise not_found(f"Submission {submission_id}")
    return submission


@router.get("/submissions/{submission_id}/audit", response_model=list[ScoreChangeOut])
def audit(db: Db, user: CurrentUser, submission_id: RowId):
    """Every score change of the submission (hidden from the student while its feedback is held)."""
    submission = _own_or_staff(db, user, submission_id)
    if not user.is_staff and service.is_held(db, submission.id):
        return []
    return [ScoreChangeOut(kind=c.kind, old_score=c.old_score, new_score=c.new_score,
                           actor=actor.name if actor else None, reason=c.reason, created_at=c.created_at)
            for c, actor in service.audit_trail(db, submission.id)]


@router.post("/submissions/{submission_id}/override", response_model=ScoreChangeOut, dependencies=[Grader])
def override(db: Db, user: CurrentUser, submission_id: RowId, body: OverrideIn):
    submission = service.get_submission(db, submission_id)
    change = service.override(db, submission, user, body.score, body.reason)
    return ScoreChangeOut(kind=change.kind, old_score=change.old_score, new_score=change.new_score, actor=user.name,
                          reason=change.reason, created_at=change.created_at)


@router.post("/submissions/{submission_id}/release", dependencies=[Grader])
def release(db: Db, user: CurrentUser, submission_id: RowId) -> dict:
    submission = service.get_submission(db, submission_id)
    service.release(db, submission, user)
    return {"submission_id": submission.id, "held": False}


def _thread(db, request) -> ThreadOut:
    threads = dict(service.regrade_threads(db, request.submission_id))
    messages = threads.get(request, [])
    return ThreadOut(id=request.id, submission_id=request.submission_id, state=request.state,
                     created_at=request.created_at, resolved_at=request.resolved_at,
                     messages=[{"author": author.name if author else None,
                                "staff": m.author_id != request.student_id, "body": m.body,
                                "created_at": m.created_at.isoformat()} for m, author in messages])


@router.post("/submissions/{submission_id}/regrade-requests", status_code=201, response_model=ThreadOut)
def request_regrade(db: Db, user: CurrentUser, submission_id: RowId, body: MessageIn):
    request = service.open_regrade_request(db, user, submission_id, body.message)
    return _thread(db, request)


@router.get("/regrade-requests/{request_id}", response_model=ThreadOut)
def get_regrade_request(db: Db, user: CurrentUser, request_id: RowId):
    return _thread(db, service.get_regrade_request(db, user, request_id))


@router.post("/regrade-requests/{request_id}/messages", status_code=201, response_model=ThreadOut)
def add_message(db: Db, user: CurrentUser, request_id: RowId, body: MessageIn):
    message = service.add_regrade_message(db, user, request_id, body.message)
    return _thread(db, service.get_regrade_request(db, user, message.request_id))


@router.post("/labs/{lab_id}/regrade", status_code=202, dependencies=[Instructor])
def start_regrade(db: Db, user: CurrentUser, lab_id: str, body: RegradeIn | None = None) -> dict:
    """A dry run: the report (GET /regrade-runs/{id}) shows each student's before/after; no score changes
    until POST /regrade-runs/{id}/apply."""
    run = regrade.start_lab_regrade(db, service.get_lab(db, lab_id), user, body.reason if body else "",
                                    body.cohort_id if body else None)
    return {"id": run.id, "state": run.state, "total": run.total, "dry_run": run.dry_run}


@router.post("/regrade-runs/{run_id}/apply", dependencies=[Instructor])
def apply_regrade(db: Db, user: CurrentUser, run_id: RowId, body: RegradeApplyIn) -> dict:
    """Apply a finished dry run; `up` and `down` must be the counts of its report."""
    run = regrade.get_run(db, run_id)
    applied = regrade.apply_run(db, run, user, body.up, body.down)
    return {"id": run.id, "applied": applied}


@router.get("/regrade-runs/{run_id}", dependencies=[Grader])
def regrade_run(db: Db, user: CurrentUser, run_id: RowId) -> dict:
    return regrade.report_json(db, regrade.get_run(db, run_id))
