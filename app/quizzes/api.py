"""JSON API for quizzes (token or session auth): list, start an attempt, answer, submit, review."""
from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from app.core.deps import CsrfChecked, CurrentUser, Db
from app.core.params import RowId
from app.quizzes import service
from app.quizzes.schemas import AnswerIn, AnswerSaved, QuizSummary, SubmitIn

router = APIRouter(prefix="/api/v1/quizzes", tags=["quizzes"], dependencies=[CsrfChecked])


@router.get("", response_model=list[QuizSummary])
def list_quizzes(db: Db, user: CurrentUser):
    """Every quiz with your standing (attempts used, score under the quiz's policy, passed)."""
    return [service.summary_json(row) for row in service.list_quizzes(db, user)]


@router.get("/attempts/{attempt_id}")
def review_attempt(db: Db, user: CurrentUser, attempt_id: RowId) -> dict:
    """An attempt: its questions as drawn for it, your answers and, once submitted, per-question points,
    feedback, the correct answer and the explanation."""
    return service.attempt_view(db, service.get_attempt(db, user, attempt_id))


@router.post("/attempts/{attempt_id}/answers", response_model=AnswerSaved)
def save_answer(db: Db, user: CurrentUser, attempt_id: RowId, body: AnswerIn):
    """Save (or with `"answer": null` clear) one answer of an open attempt. single: a choice id; multiple: a
    list of choice ids; numeric: a number or a string such as "0.75"; text and code: a string."""
    clean = service.with_retry(db, service.save_answers, user, attempt_id, {body.question_id: body.answer})
    return AnswerSaved(attempt_id=attempt_id, question_id=body.question_id, answer=clean[body.question_id])


@router.post("/attempts/{attempt_id}/submit")
def submit_attempt(db: Db, user: CurrentUser, attempt_id: RowId, body: SubmitIn | None = None) -> dict:
    """Grade and close an open attempt, optionally saving `answers` ({question_id: answer}) first. A second
    submit of the same attempt gets 409 and counts nothing."""
    attempt = service.with_retry(db, service.submit_attempt, user, attempt_id, (body.answers if body else {}))
    return service.attempt_view(db, attempt)


@router.get("/{quiz_id}")
def quiz_detail(db: Db, user: CurrentUser, quiz_id: str) -> dict:
    """A quiz's settings, your standing and your attempts (newest first)."""
    quiz = service.get_quiz(db, quiz_id)
    row = next(r for r in service.list_quizzes(db, user) if r["quiz"].id == quiz.id)
    return {**service.summary_json(row),
            "attempts": [service.attempt_summary_json(a) for a in service.user_attempts(db, user.id, quiz.id)]}


@router.post("/{quiz_id}/attempts", responses={201: {"description": "A new attempt"},
                                                200: {"description": "Your open attempt, resumed"}})
def start_attempt(db: Db, user: CurrentUser, quiz_id: str):
    """Start an attempt (201), or get back the one already open (200); 409 once every attempt is used."""
    attempt, created = service.with_retry(db, service.start_attempt, user, quiz_id)
    return JSONResponse(service.attempt_view(db, attempt), status_code=201 if created else 200)
