"""Quiz pages: the list, a quiz's overview with past attempts, and the one-page attempt (a plain form that
HTMX enhances: autosave per question, submit swaps in the feedback)."""
from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from sqlalchemy import select

from app.cohorts.service import is_enrolled
from app.core.deps import CsrfChecked, CurrentUser, Db
from app.core.errors import AppError
from app.core.forms import PostedForm
from app.core.params import RowId
from app.course.models import Module, Week
from app.quizzes import service
from app.quizzes.models import Quiz
from app.web.templating import is_htmx, render

router = APIRouter(dependencies=[CsrfChecked])


def _error(request: Request, db, exc: AppError):
    """Render an AppError here, after rolling back, while the session (and the signed-in user the page header
    shows) is still usable; nothing of the failed request is written."""
    from app.main import error_response

    db.rollback()
    return error_response(request, exc.status_code, exc.message, exc.code)


@router.get("/quizzes")
def quizzes_page(request: Request, db: Db, user: CurrentUser):
    rows = service.list_quizzes(db, user)
    modules = {w.id: m for w, m in db.execute(select(Week, Module).join(Module, Module.id == Week.module_id))}
    groups: list[tuple] = []
    for row in rows:
        module = modules.get(row["quiz"].week_id)
        if not groups or groups[-1][0] is not module:
            groups.append((module, []))
        groups[-1][1].append(row)
    return render(request, "pages/quizzes.html", {"groups": groups})


def _quiz_context(db, user, quiz: Quiz) -> dict:
    attempts = service.user_attempts(db, user.id, quiz.id)
    count = len(service.quiz_questions(db, quiz))
    return {"quiz": quiz, "week": service.week_number(quiz), "attempts": attempts,
            "standing": service.standing(quiz, attempts), "question_count": count,
            "draw": min(quiz.draw or count, count), "enrolled": user.is_staff or is_enrolled(db, user)}


@router.get("/quizzes/{quiz_id}")
def quiz_page(request: Request, db: Db, user: CurrentUser, quiz_id: str):
    try:
        quiz = service.get_quiz(db, quiz_id)
    except AppError as exc:
        return _error(request, db, exc)
    return render(request, "pages/quiz.html", _quiz_context(db, user, quiz))


def _attempt_context(db, user, attempt, **extra) -> dict:
    view = service.attempt_view(db, attempt, draft=extra.pop("draft", None))
    quiz = db.get(Quiz, attempt.quiz_id)
    standing = None
    if attempt.user_id == user.id and quiz is not None and quiz.active:
        standing = service.standing(quiz, service.user_attempts(db, user.id, quiz.id))
    return {"view": view, "standing": standing, "own": attempt.user_id == user.id, "errors": {}, **extra}


@router.post("/quizzes/{quiz_id}/attempts")
def start_attempt(request: Request, db: Db, user: CurrentUser, quiz_id: str):
    try:
        attempt, created = service.with_retry(db, service.start_attempt, user, quiz_id)
    except AppError as exc:
        return _error(request, db, exc)
    if is_htmx(request):
        return render(request, "partials/quiz_attempt_body.html", _attempt_context(db, user, attempt),
                      status_code=201 if created else 200,
                      headers={"HX-Push-Url": f"/quizzes/attempts/{attempt.id}"})
    return RedirectResponse(f"/quizzes/attempts/{attempt.id}", status_code=303)


@router.get("/quizzes/attempts/{attempt_id}")
def attempt_page(request: Request, db: Db, user: CurrentUser, attempt_id: RowId, saved: int = 0):
    try:
        attempt = service.get_attempt(db, user, attempt_id)
    except AppError as exc:
        return _error(request, db, exc)
    context = _attempt_context(db, user, attempt, saved=bool(saved))
    if is_htmx(request):
        return render(request, "partials/quiz_attempt_body.html", context)
    return render(request, "pages/quiz_attempt.html", context)


@router.get("/quizzes/attempts/{attempt_id}/status")
def attempt_status(request: Request, db: Db, user: CurrentUser, attempt_id: RowId):
    """What the "grading…" view polls (HTMX): the attempt's body, with its results once its code answers are
    graded. Without HTMX, the attempt page."""
    try:
        attempt = service.get_attempt(db, user, attempt_id)
    except AppError as exc:
        return _error(request, db, exc)
    if not is_htmx(request):
        return RedirectResponse(f"/quizzes/attempts/{attempt.id}", status_code=303)
    return render(request, "partials/quiz_attempt_body.html", _attempt_context(db, user, attempt))


def _posted_answers(form, db, user, attempt_id: int, only: str | None = None) -> tuple:
    attempt = service.get_attempt(db, user, attempt_id, own=True)
    questions = [q for q in service.attempt_view(db, attempt)["questions"]]
    if only is not None:
        questions = [q for q in questions if q["id"] == only]
        if not questions:
            raise AppError(422, f"Question {only[:60]!r} is not part of this attempt.", "not_in_attempt")
    return attempt, service.form_answers(questions, form)


def _form_error(request: Request, db, user, attempt, raw: dict, exc: AppError):
    """A form posted without JavaScript with a malformed answer: the page again, with the typed values and the
    problem next to each question (nothing was saved)."""
    db.rollback()
    view = service.attempt_view(db, attempt)
    numbers = {q["id"]: q["number"] for q in view["questions"]}
    models = {row.id: model for _, row, model in service.attempt_questions(db, attempt)}
    clean, problems = service.normalize_answers(models, raw, numbers)
    draft = {**clean, **{qid: ({"raw": raw[qid]} if models[qid].type == "numeric" else raw[qid])
                         for qid in problems if qid in models and isinstance(raw.get(qid), str)}}
    context = _attempt_context(db, user, attempt, draft=draft, errors=problems)
    return render(request, "pages/quiz_attempt.html", context, status_code=exc.status_code)


@router.post("/quizzes/attempts/{attempt_id}/answers")
def save_answers(request: Request, db: Db, user: CurrentUser, attempt_id: RowId, form: PostedForm):
    """Save every answer of the form ("Save and continue later")."""
    try:
        attempt, raw = _posted_answers(form, db, user, attempt_id)
        clean = service.with_retry(db, service.save_answers, user, attempt_id, raw)
    except AppError as exc:
        if exc.code != "bad_answer" or is_htmx(request):
            return _error(request, db, exc)
        return _form_error(request, db, user, attempt, raw, exc)
    if is_htmx(request):
        answered = sum(1 for v in clean.values() if v is not None)
        return render(request, "partials/quiz_saved.html", {"message": f"Saved ({answered} answered)."})
    return RedirectResponse(f"/quizzes/attempts/{attempt_id}?saved=1", status_code=303)


@router.post("/quizzes/attempts/{attempt_id}/answers/{question_id}")
def save_answer(request: Request, db: Db, user: CurrentUser, attempt_id: RowId, question_id: str, form: PostedForm):
    """Save one question's answer (HTMX autosave on change; a plain post redirects back to the question)."""
    try:
        _, raw = _posted_answers(form, db, user, attempt_id, only=question_id)
        clean = service.with_retry(db, service.save_answers, user, attempt_id, raw)
    except AppError as exc:
        if exc.code == "bad_answer" and is_htmx(request):  # next to the field (aria-describedby), not a toast
            db.rollback()
            return render(request, "partials/quiz_saved.html", {"question_id": question_id, "message": exc.message,
                                                                 "error": True}, status_code=exc.status_code)
        return _error(request, db, exc)
    if is_htmx(request):
        return render(request, "partials/quiz_saved.html", {"question_id": question_id,
                                                             "message": "Saved." if clean[question_id] is not None
                                                             else "Cleared."})
    return RedirectResponse(f"/quizzes/attempts/{attempt_id}?saved=1#q-{question_id}", status_code=303)


@router.post("/quizzes/attempts/{attempt_id}/submit")
def submit_attempt(request: Request, db: Db, user: CurrentUser, attempt_id: RowId, form: PostedForm):
    try:
        attempt, raw = _posted_answers(form, db, user, attempt_id)
        attempt = service.with_retry(db, service.submit_attempt, user, attempt_id, raw)
    except AppError as exc:
        if exc.code != "bad_answer" or is_htmx(request):
            return _error(request, db, exc)
        return _form_error(request, db, user, attempt, raw, exc)
    if is_htmx(request):
        return render(request, "partials/quiz_attempt_body.html", _attempt_context(db, user, attempt))
    return RedirectResponse(f"/quizzes/attempts/{attempt_id}", status_code=303)
