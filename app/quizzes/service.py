"""Quizzes and attempts. Services flush, never commit: the request owns the single commit point.

An attempt moves open -> submitted exactly once, by a conditional UPDATE (two tabs submitting the same attempt
count once). Other answers are scored at once; each code answer stays "pending" and gets a grading job that a
worker runs in the sandbox (app/quizzes/jobs.py, worker/quiz_jobs.py). The attempt's score and pass are set
when its last code answer is graded (finalize_attempt): until then its score is NULL."""
from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from app.cohorts.service import is_enrolled
from app.core.db import utcnow
from app.core.errors import AppError, not_found
from app.quizzes import jobs, variants
from app.quizzes.models import Quiz, QuizAnswer, QuizAttempt, QuizQuestion
from app.quizzes.schemas import (QUESTION_ADAPTER, CodeQuestion, MultipleQuestion, NumericQuestion,
                                 SingleQuestion, TextQuestion)
from app.quizzes.scoring import (AnswerError, display_answer, grade_answer, normalize_answer, score_code,
                                 tolerance_text)
from app.users.models import User

log = logging.getLogger(__name__)
TYPE_LABELS = {"single": "Single choice", "multiple": "Multiple choice (select all that apply)",
               "numeric": "Numeric answer", "text": "Short answer", "code": "Code"}


def question_model(row: QuizQuestion):
    return QUESTION_ADAPTER.validate_python(row.spec)


@contextmanager
def write_conflicts(message: str, on_duplicate: str = "conflict") -> Iterator[None]:
    """A write that lost a race becomes a 409 (never a 500). Code "busy" marks the ones worth retrying: a
    SQLite write whose snapshot another connection changed, or a duplicate row when `on_duplicate="busy"`."""
    try:
        yield
    except IntegrityError:
        raise AppError(409, message, on_duplicate) from None
    except OperationalError as exc:
        text = str(getattr(exc, "orig", exc)).lower()
        code = getattr(getattr(exc, "orig", None), "sqlstate", None)
        if "locked" in text or "busy" in text or code in ("40001", "40P01", "55P03"):
            raise AppError(409, message, "busy") from None
        raise


def with_retry(db: Session, operation, *args, tries: int = 3, **kwargs):
    """Run a service operation; if it lost a write race ("busy"), roll back and run it again on fresh data
    (it then sees what the other request did, e.g. "already submitted"). Called by routes, which own the
    transaction."""
    for attempt in range(tries):
        try:
            return operation(db, *args, **kwargs)
        except AppError as exc:
            if exc.code != "busy" or attempt == tries - 1:
                raise
            db.rollback()
            time.sleep(0.05 * (attempt + 1))
    raise AssertionError("unreachable")


# ---------------------------------------------------------------- quizzes

def get_quiz(db: Session, quiz_id: str) -> Quiz:
    quiz = db.get(Quiz, quiz_id)
    if quiz is None or not quiz.active:
        raise not_found(f"Quiz {quiz_id!r}")
    return quiz


def quiz_questions(db: Session, quiz: Quiz) -> list[QuizQuestion]:
    return list(db.scalars(select(QuizQuestion).where(QuizQuestion.quiz_id == quiz.id, QuizQuestion.active.is_(True))
                           .order_by(QuizQuestion.position)))


def week_number(quiz: Quiz) -> int:
    return int(quiz.week_id.removeprefix("week"))


def user_attempts(db: Session, user_id: int, quiz_id: str | None = None) -> list[QuizAttempt]:
    query = select(QuizAttempt).where(QuizAttempt.user_id == user_id)
    if quiz_id is not None:
        query = query.where(QuizAttempt.quiz_id == quiz_id)
    return list(db.scalars(query.order_by(QuizAttempt.quiz_id, QuizAttempt.number.desc())))


def standing(quiz: Quiz, attempts: list[QuizAttempt]) -> dict:
    """The student's standing in one quiz under its score policy (best or latest submitted attempt)."""
    submitted = [a for a in attempts if a.state == "submitted"]
    best = max(submitted, key=lambda a: (a.fraction or 0.0, a.score or 0.0, -a.number), default=None)
    latest = max(submitted, key=lambda a: a.number, default=None)
    counted = best if quiz.score_policy == "best" else latest
    open_attempt = next((a for a in attempts if a.state == "open"), None)
    return {
        "quiz_id": quiz.id, "title": quiz.title, "passed": bool(counted and counted.passed),
        "best_score": best.score if best else None, "max_score": best.max_score if best else None,
        "score": counted.score if counted else None, "score_max": counted.max_score if counted else None,
        "attempts": len(submitted), "attempts_started": len(attempts), "max_attempts": quiz.max_attempts,
        "attempts_left": max(0, quiz.max_attempts - len(attempts)), "score_policy": quiz.score_policy,
        "open_attempt_id": open_attempt.id if open_attempt else None,
    }


def list_quizzes(db: Session, user: User) -> list[dict]:
    quizzes = list(db.scalars(select(Quiz).where(Quiz.active.is_(True)).order_by(Quiz.week_id)))
    counts = dict(db.execute(select(QuizQuestion.quiz_id, func.count()).where(QuizQuestion.active.is_(True))
                             .group_by(QuizQuestion.quiz_id)).all())
    by_quiz: dict[str, list[QuizAttempt]] = {}
    for attempt in user_attempts(db, user.id):
        by_quiz.setdefault(attempt.quiz_id, []).append(attempt)
    rows = []
    for quiz in quizzes:
        count = counts.get(quiz.id, 0)
        rows.append({"quiz": quiz, "week": week_number(quiz), "question_count": count,
                     "draw": min(quiz.draw or count, count), **standing(quiz, by_quiz.get(quiz.id, []))})
    return rows


def summary_json(row: dict) -> dict:
    quiz = row["quiz"]
    return {"id": quiz.id, "week": row["week"], "title": quiz.title, "pass_mark": quiz.pass_mark,
            "max_attempts": quiz.max_attempts, "score_policy": quiz.score_policy,
            "question_count": row["question_count"], "draw": row["draw"], "attempts_used": row["attempts_started"],
            "attempts_left": row["attempts_left"], "open_attempt_id": row["open_attempt_id"], "passed": row["passed"],
            "best_score": row["best_score"], "score": row["score"], "max_score": row["score_max"]}


def attempt_summary_json(attempt: QuizAttempt) -> dict:
    return {"id": attempt.id, "quiz_id": attempt.quiz_id, "number": attempt.number, "state": attempt.state,
            "status": grading_status(attempt), "score": attempt.score, "max_score": attempt.max_score,
            "passed": attempt.passed, "started_at": attempt.started_at.isoformat() if attempt.started_at else None,
            "submitted_at": attempt.submitted_at.isoformat() if attempt.submitted_at else None}


# ---------------------------------------------------------------- attempts

def _ensure_may_take(db: Session, user: User) -> None:
    if not user.is_staff and not is_enrolled(db, user):
        raise AppError(403, "Join a cohort with an invite code to take quizzes.", "not_enrolled")


def start_attempt(db: Session, user: User, quiz_id: str) -> tuple[QuizAttempt, bool]:
    """The open attempt if there is one (resume), else a new one. Returns (attempt, created)."""
    quiz = get_quiz(db, quiz_id)
    _ensure_may_take(db, user)
    attempts = user_attempts(db, user.id, quiz.id)
    current = next((a for a in attempts if a.state == "open"), None)
    if current is not None:
        return current, False
    if len(attempts) >= quiz.max_attempts:
        raise AppError(409, f"You have used all {quiz.max_attempts} attempts of this quiz.", "no_attempts_left")
    questions = [question_model(row) for row in quiz_questions(db, quiz)]
    if not questions:
        raise AppError(409, "This quiz has no questions yet.", "empty_quiz")
    seed = secrets.randbelow(2**31 - 2) + 1
    layout = variants.build_layout(questions, quiz.draw, seed)
    by_id = {q.id: q for q in questions}
    now = utcnow()
    attempt = QuizAttempt(user_id=user.id, quiz_id=quiz.id, number=max((a.number for a in attempts), default=0) + 1,
                          seed=seed, state="open", layout=layout, started_at=now, updated_at=now,
                          max_score=sum(float(by_id[e["question_id"]].points) for e in layout))
    with write_conflicts("An attempt was just started in another tab or window. Reload the page.", "busy"):
        db.add(attempt)
        db.flush()
    user.last_active_at = now
    return attempt, True


def get_attempt(db: Session, user: User, attempt_id: int, *, own: bool = False) -> QuizAttempt:
    """An attempt the user may see: their own, or any for staff (unless `own`, e.g. to answer or submit)."""
    attempt = db.get(QuizAttempt, attempt_id)
    if attempt is None or (attempt.user_id != user.id and (own or not user.is_staff)):
        raise not_found(f"Quiz attempt {attempt_id}")
    return attempt


def attempt_questions(db: Session, attempt: QuizAttempt) -> list[tuple[dict, QuizQuestion, Any]]:
    """(layout entry, row, question model) for each question of the attempt, in the attempt's order."""
    ids = [entry["question_id"] for entry in attempt.layout]
    rows = {row.id: row for row in db.scalars(select(QuizQuestion).where(QuizQuestion.id.in_(ids)))}
    return [(entry, rows[entry["question_id"]], question_model(rows[entry["question_id"]]))
            for entry in attempt.layout if entry["question_id"] in rows]


def _open_for_writing(db: Session, user: User, attempt_id: int) -> tuple[QuizAttempt, Quiz]:
    attempt = get_attempt(db, user, attempt_id, own=True)
    quiz = db.get(Quiz, attempt.quiz_id)
    if attempt.state != "open":
        raise AppError(409, "This attempt was already submitted; its answers can no longer change. "
                            "Start a new attempt if you have attempts left.", "attempt_closed")
    if quiz is None or not quiz.active:
        raise AppError(410, "This quiz is no longer part of the course.", "quiz_removed")
    if attempt.number > quiz.max_attempts:
        raise AppError(409, f"This quiz now allows only {quiz.max_attempts} attempts, so this attempt can no "
                            "longer be answered or submitted.", "no_attempts_left")
    return attempt, quiz


def normalize_answers(questions: dict[str, Any], raw_answers: dict[str, Any],
                      numbers: dict[str, int] | None = None) -> tuple[dict[str, Any], dict[str, str]]:
    """Each raw answer normalised; problems by question id (an id not in the attempt is a problem too)."""
    clean: dict[str, Any] = {}
    problems: dict[str, str] = {}
    for question_id, raw in raw_answers.items():
        question = questions.get(question_id)
        if question is None:
            problems[question_id] = f"Question {str(question_id)[:60]!r} is not part of this attempt."
            continue
        try:
            clean[question_id] = normalize_answer(question, raw)
        except AnswerError as exc:
            label = f"Question {numbers[question_id]}" if numbers and question_id in numbers else question_id
            problems[question_id] = f"{label}: {exc}."
    return clean, problems


def _raise_problems(problems: dict[str, str]) -> None:
    if problems:
        raise AppError(422, " ".join(problems.values()), "bad_answer")


def save_answers(db: Session, user: User, attempt_id: int, raw_answers: dict[str, Any]) -> dict[str, Any]:
    """Save answers of an open attempt (all or nothing). Returns the normalised answers."""
    attempt, _ = _open_for_writing(db, user, attempt_id)
    items = attempt_questions(db, attempt)
    questions = {row.id: model for _, row, model in items}
    numbers = {row.id: i for i, (_, row, _) in enumerate(items, start=1)}
    clean, problems = normalize_answers(questions, raw_answers, numbers)
    _raise_problems(problems)
    now = utcnow()
    with write_conflicts("This attempt changed in another tab or window. Reload the page and try again."):
        touched = db.execute(update(QuizAttempt).where(QuizAttempt.id == attempt.id, QuizAttempt.state == "open")
                             .values(updated_at=now).execution_options(synchronize_session=False)).rowcount
        if touched != 1:
            raise AppError(409, "This attempt was submitted in the meantime; your answer was not saved.",
                           "attempt_closed")
        for question_id, response in clean.items():
            _store(db, attempt.id, question_id, response, float(questions[question_id].points), now)
        db.flush()
    user.last_active_at = now
    return clean


def _store(db: Session, attempt_id: int, question_id: str, response: Any, max_points: float, now) -> QuizAnswer:
    row = db.get(QuizAnswer, (attempt_id, question_id))
    if row is None:
        row = QuizAnswer(attempt_id=attempt_id, question_id=question_id, max_points=max_points)
        db.add(row)
    row.response, row.updated_at = response, now
    return row


def _saved_answers(db: Session, attempt_id: int) -> dict[str, Any]:
    rows = db.scalars(select(QuizAnswer).where(QuizAnswer.attempt_id == attempt_id)
                      .execution_options(populate_existing=True))
    return {row.question_id: row.response for row in rows}


def submit_attempt(db: Session, user: User, attempt_id: int, raw_answers: dict[str, Any] | None = None) -> QuizAttempt:
    """Save the given answers, score every answer but code ones and close the attempt, exactly once. Code
    answers are queued for the workers (their tasks are sent after commit); without any, the attempt is final."""
    attempt, quiz = _open_for_writing(db, user, attempt_id)
    items = attempt_questions(db, attempt)
    questions = {row.id: model for _, row, model in items}
    numbers = {row.id: i for i, (_, row, _) in enumerate(items, start=1)}
    clean, problems = normalize_answers(questions, raw_answers or {}, numbers)
    _raise_problems(problems)
    now = utcnow()
    with write_conflicts("This attempt is being submitted in another tab or window; it is counted once. "
                         "Reload the page to see the result."):
        claimed = db.execute(update(QuizAttempt).where(QuizAttempt.id == attempt.id, QuizAttempt.state == "open")
                             .values(state="submitted", submitted_at=now, updated_at=now)
                             .execution_options(synchronize_session=False)).rowcount
        if claimed != 1:
            raise AppError(409, "This attempt was already submitted (perhaps in another tab); it was counted once.",
                           "already_submitted")
        responses = {**_saved_answers(db, attempt.id), **clean}  # answers saved in between are graded too
        pending: list[str] = []
        for entry, row, model in items:
            params = variants.params_for(model, entry, attempt.seed)
            graded = grade_answer(model, params, responses.get(row.id))
            answer = _store(db, attempt.id, row.id, responses.get(row.id), graded.max_points, now)
            answer.points, answer.max_points, answer.status, answer.feedback = (
                graded.points, graded.max_points, graded.status, graded.feedback)
            if graded.status == "pending":
                pending.append(row.id)
        attempt.state, attempt.submitted_at, attempt.updated_at = "submitted", now, now
        attempt.max_score = round(sum(float(model.points) for _, _, model in items), 4)
        attempt.score, attempt.passed = None, None
        db.flush()
        if pending:
            jobs.create_jobs(db, attempt.id, pending)
        else:
            finalize_attempt(db, attempt.id)
    user.last_active_at = now
    return attempt


def record_code_result(db: Session, attempt_id: int, question_id: str, feedback: dict) -> bool:
    """Store a worker's feedback on a pending code answer and finalize the attempt if it was the last one.
    False (nothing written) when the answer was already graded. The attempt row is locked first, so two
    workers finishing an attempt's last two answers at once cannot both miss (or both take) the final step."""
    db.execute(select(QuizAttempt.id).where(QuizAttempt.id == attempt_id).with_for_update())
    graded = score_code(question_model(db.get(QuizQuestion, question_id)), feedback)
    stored = db.execute(update(QuizAnswer).where(QuizAnswer.attempt_id == attempt_id,
                                                 QuizAnswer.question_id == question_id,
                                                 QuizAnswer.status == "pending")
                        .values(points=graded.points, status=graded.status, feedback=graded.feedback,
                                updated_at=utcnow())
                        .execution_options(synchronize_session=False)).rowcount
    if stored != 1:
        return False
    finalize_attempt(db, attempt_id)
    return True


def finalize_attempt(db: Session, attempt_id: int) -> bool:
    """Set a submitted attempt's score and pass once no answer is pending (a conditional update: done once)."""
    answers = list(db.scalars(select(QuizAnswer).where(QuizAnswer.attempt_id == attempt_id)
                              .execution_options(populate_existing=True)))
    if any(a.status == "pending" for a in answers):
        return False
    attempt = db.get(QuizAttempt, attempt_id)
    quiz = db.get(Quiz, attempt.quiz_id)
    score = round(sum(a.points or 0.0 for a in answers), 4)
    passed = attempt.max_score > 0 and score >= quiz.pass_mark * attempt.max_score - 1e-9
    done = db.execute(update(QuizAttempt).where(QuizAttempt.id == attempt_id, QuizAttempt.state == "submitted",
                                                QuizAttempt.score.is_(None))
                      .values(score=score, passed=passed, updated_at=utcnow())
                      .execution_options(synchronize_session=False)).rowcount
    db.refresh(attempt)
    return done == 1


def grading_status(attempt: QuizAttempt) -> str | None:
    """None while open; "pending" while code answers wait for a worker; then "graded"."""
    if attempt.state != "submitted":
        return None
    return "pending" if attempt.score is None else "graded"


# ---------------------------------------------------------------- what a page or the API shows

def correct_answer(model, params: dict) -> Any:
    if isinstance(model, SingleQuestion):
        return next(c.id for c in model.choices if c.correct)
    if isinstance(model, MultipleQuestion):
        return [c.id for c in model.choices if c.correct]
    if isinstance(model, NumericQuestion):
        from app.quizzes.scoring import expected_value

        return expected_value(model, params)
    if isinstance(model, TextQuestion):
        return model.accept[0] if model.accept else None
    return None


def attempt_view(db: Session, attempt: QuizAttempt, *, draft: dict[str, Any] | None = None) -> dict:
    """Everything a page or the API shows about an attempt. Correct answers, feedback and explanations only
    once it is submitted. `draft` overrides saved answers (a form shown again with an error)."""
    quiz = db.get(Quiz, attempt.quiz_id)
    answers = {row.question_id: row for row in db.scalars(select(QuizAnswer)
                                                          .where(QuizAnswer.attempt_id == attempt.id))}
    reveal = attempt.state == "submitted"
    questions = []
    for number, (entry, row, model) in enumerate(attempt_questions(db, attempt), start=1):
        params = variants.params_for(model, entry, attempt.seed)
        saved = answers.get(row.id)
        response = draft[row.id] if draft is not None and row.id in draft else (saved.response if saved else None)
        item: dict[str, Any] = {
            "id": row.id, "number": number, "type": model.type, "type_label": TYPE_LABELS[model.type],
            "points": float(model.points), "prompt": variants.render_prompt(model, params), "answer": response,
            "answer_text": display_answer(model, response),
        }
        if isinstance(model, (SingleQuestion, MultipleQuestion)):
            picked = set([response] if isinstance(response, str) else response or [])
            item["choices"] = [{"id": c.id, "text": c.text, "picked": c.id in picked,
                                **({"correct": c.correct} if reveal else {})}
                               for c in variants.ordered_choices(model, entry)]
        if isinstance(model, NumericQuestion):
            item["tolerance"] = tolerance_text(model) if reveal else None
        if isinstance(model, CodeQuestion):
            item["function"] = model.function
            item["starter"] = model.starter
        if reveal:
            item["result"] = {
                "points": saved.points if saved else 0.0, "max_points": saved.max_points if saved else model.points,
                "status": saved.status if saved else "unanswered", "feedback": (saved.feedback if saved else None) or {},
                "explanation": model.explanation, "correct_answer": correct_answer(model, params),
            }
        questions.append(item)
    return {
        "id": attempt.id, "quiz_id": attempt.quiz_id, "quiz_title": quiz.title if quiz else attempt.quiz_id,
        "week": week_number(quiz) if quiz else None, "number": attempt.number, "state": attempt.state,
        "status": grading_status(attempt), "user_id": attempt.user_id, "score": attempt.score,
        "max_score": attempt.max_score, "passed": attempt.passed,
        "pass_mark": quiz.pass_mark if quiz else None,
        "started_at": attempt.started_at.isoformat() if attempt.started_at else None,
        "submitted_at": attempt.submitted_at.isoformat() if attempt.submitted_at else None,
        "answered": sum(1 for q in questions if q["answer"] not in (None, [], "")),
        "pending": sum(1 for row in answers.values() if row.status == "pending"),
        "questions": questions,
    }


def form_answers(view_questions: list[dict], form) -> dict[str, Any]:
    """Raw answers from a posted quiz form: field `q-<question id>` (checkboxes repeat it)."""
    raw: dict[str, Any] = {}
    for question in view_questions:
        name = f"q-{question['id']}"
        if question["type"] == "multiple":
            raw[question["id"]] = [v for v in form.getlist(name) if isinstance(v, str)]
        else:
            value = form.get(name)
            raw[question["id"]] = value if isinstance(value, str) else None
    return raw
