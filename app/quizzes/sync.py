"""Loads parsed quiz files into the database idempotently. Quizzes and questions are matched by their stable
ids: an edited question keeps its id (and everyone's attempts); a removed one is deactivated, never deleted."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.course.sync import SyncReport, _upsert
from app.quizzes.models import Quiz, QuizQuestion


def sync_quizzes(db: Session, quizzes: list) -> SyncReport:
    report = SyncReport()
    seen_quizzes: set[str] = set()
    seen_questions: set[str] = set()
    for parsed in quizzes:
        quiz = parsed.quiz
        seen_quizzes.add(quiz.id)
        _upsert(db, Quiz, quiz.id, {
            "id": quiz.id, "week_id": f"week{quiz.week:02d}", "title": quiz.title, "pass_mark": quiz.pass_mark,
            "max_attempts": quiz.max_attempts, "score_policy": quiz.score_policy, "draw": quiz.draw,
            "content_hash": parsed.content_hash, "active": True,
        }, report, f"quiz {quiz.id}")
        db.flush()
        for position, question in enumerate(quiz.questions):
            seen_questions.add(question.id)
            _upsert(db, QuizQuestion, question.id, {
                "id": question.id, "quiz_id": quiz.id, "position": position, "type": question.type,
                "points": float(question.points), "spec": question.model_dump(mode="json"), "active": True,
            }, report, f"question {question.id}")
        db.flush()
    for row in db.scalars(select(QuizQuestion).where(QuizQuestion.active.is_(True))):
        if row.id not in seen_questions:
            row.active = False
            report.deactivated.append(f"question {row.id}")
    for row in db.scalars(select(Quiz).where(Quiz.active.is_(True))):
        if row.id not in seen_quizzes:
            row.active = False
            report.deactivated.append(f"quiz {row.id}")
    db.flush()
    return report
