"""Quiz progress per week for the course pages and /api/v1/me/progress."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.quizzes.models import Quiz, QuizAttempt


def quiz_progress(db: Session, user_id: int) -> dict[str, dict]:
    """{week_id: {"quiz_id", "title", "passed", "best_score", "max_score", "attempts", ...}} for weeks with a
    quiz. `passed` follows the quiz's score policy (best or latest attempt); two queries whatever the size."""
    from app.quizzes.service import standing

    quizzes = list(db.scalars(select(Quiz).where(Quiz.active.is_(True))))
    attempts: dict[str, list[QuizAttempt]] = {}
    for attempt in db.scalars(select(QuizAttempt).where(QuizAttempt.user_id == user_id)):
        attempts.setdefault(attempt.quiz_id, []).append(attempt)
    return {quiz.week_id: standing(quiz, attempts.get(quiz.id, [])) for quiz in quizzes}
