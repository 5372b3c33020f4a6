"""The quiz engine's data as the dashboard needs it: the one module of this domain that knows the quiz tables
(app.quizzes.models). Only submitted attempts count."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from app.course.models import Week
from app.quizzes.models import Quiz, QuizAnswer, QuizAttempt, QuizQuestion

SUBMITTED = "submitted"


@dataclass
class QuizStat:
    quiz_id: str
    title: str
    score: float | None     # of the attempt that counts under the quiz's policy (best or latest)
    max_score: float
    passed: bool            # that attempt passed
    attempts: int           # submitted attempts
    failed: int             # submitted attempts below the pass mark
    last_at: datetime | None


def tracked_classes() -> tuple[type, ...]:
    """ORM classes whose rows changing means a student's quiz progress changed."""
    return (QuizAttempt,)


def _best_key(attempt) -> tuple:
    """The same order as app.quizzes.service.standing: share of points, then points, then the earlier."""
    share = (attempt.score or 0.0) / attempt.max_score if attempt.max_score else 0.0
    return share, attempt.score or 0.0, -attempt.number


def student_quiz_stats(db: Session, user_ids: list[int]) -> dict[int, dict[str, QuizStat]]:
    """{user_id: {week_id: QuizStat}} for the weeks where the student submitted an attempt (one query)."""
    rows = db.execute(select(QuizAttempt.user_id, Quiz.week_id, Quiz.id, Quiz.title, Quiz.score_policy,
                             QuizAttempt.number, QuizAttempt.score, QuizAttempt.max_score, QuizAttempt.passed,
                             QuizAttempt.submitted_at)
                      .join(Quiz, Quiz.id == QuizAttempt.quiz_id)
                      .where(QuizAttempt.user_id.in_(user_ids), QuizAttempt.state == SUBMITTED)
                      .order_by(QuizAttempt.user_id, QuizAttempt.quiz_id, QuizAttempt.number))
    grouped: dict[tuple[int, str], list] = {}
    for row in rows:
        grouped.setdefault((row.user_id, row.week_id), []).append(row)
    out: dict[int, dict[str, QuizStat]] = {}
    for (user_id, week_id), attempts in grouped.items():
        first = attempts[0]
        counted = attempts[-1] if first.score_policy == "latest" else max(attempts, key=_best_key)
        out.setdefault(user_id, {})[week_id] = QuizStat(
            first.id, first.title, counted.score, counted.max_score or 0.0, bool(counted.passed), len(attempts),
            sum(1 for a in attempts if a.passed is False),
            max((a.submitted_at for a in attempts if a.submitted_at), default=None))
    return out


def quizzes_by_week(db: Session) -> dict[str, tuple[str, str]]:
    """{week_id: (quiz_id, title)} of the active quizzes."""
    return {week_id: (quiz_id, title) for quiz_id, week_id, title in
            db.execute(select(Quiz.id, Quiz.week_id, Quiz.title).where(Quiz.active.is_(True)))}


def attempts_of(db: Session, user_id: int) -> list[dict]:
    """A student's attempts (open ones too), for the drill-down."""
    rows = db.execute(select(QuizAttempt, Quiz.week_id, Quiz.title, Quiz.pass_mark)
                      .join(Quiz, Quiz.id == QuizAttempt.quiz_id)
                      .where(QuizAttempt.user_id == user_id).order_by(QuizAttempt.quiz_id, QuizAttempt.number))
    return [{"id": a.id, "quiz_id": a.quiz_id, "week_id": week_id, "title": title, "number": a.number,
             "state": a.state, "score": a.score, "max_score": a.max_score, "passed": a.passed,
             "pass_mark": pass_mark, "started_at": a.started_at, "submitted_at": a.submitted_at}
            for a, week_id, title, pass_mark in rows]


def quiz_overview(db: Session, students: Select) -> list[dict]:
    """Per quiz: students who submitted, submitted attempts, mean score share, students who passed."""
    students = students.subquery()
    stats = {row.quiz_id: row for row in db.execute(
        select(QuizAttempt.quiz_id, func.count(func.distinct(QuizAttempt.user_id)).label("students"),
               func.count().label("attempts"),
               func.avg(QuizAttempt.score / func.nullif(QuizAttempt.max_score, 0)).label("mean"))
        .where(QuizAttempt.state == SUBMITTED, QuizAttempt.user_id.in_(select(students.c.user_id)))
        .group_by(QuizAttempt.quiz_id))}
    passed = dict(db.execute(
        select(QuizAttempt.quiz_id, func.count(func.distinct(QuizAttempt.user_id)))
        .where(QuizAttempt.state == SUBMITTED, QuizAttempt.passed.is_(True),
               QuizAttempt.user_id.in_(select(students.c.user_id)))
        .group_by(QuizAttempt.quiz_id)).all())
    out = []
    for quiz_id, title, number in db.execute(select(Quiz.id, Quiz.title, Week.number)
                                             .join(Week, Week.id == Quiz.week_id)
                                             .where(Quiz.active.is_(True)).order_by(Week.number, Quiz.id)):
        s = stats.get(quiz_id)
        n = s.students if s else 0
        out.append({"id": quiz_id, "title": title, "week": number, "students": n,
                    "attempts": s.attempts if s else 0, "mean": float(s.mean) if s and s.mean is not None else None,
                    "passed": passed.get(quiz_id, 0), "pass_rate": passed.get(quiz_id, 0) / n if n else None})
    return out


def quiz_info(db: Session, quiz_id: str) -> dict | None:
    row = db.execute(select(Quiz, Week.number).join(Week, Week.id == Quiz.week_id)
                     .where(Quiz.id == quiz_id)).first()
    if row is None:
        return None
    quiz, number = row
    questions = {q.id: {"id": q.id, "type": q.type, "points": q.points, "position": q.position,
                        "prompt": str((q.spec or {}).get("prompt", "")).strip(), "active": q.active}
                 for q in db.scalars(select(QuizQuestion).where(QuizQuestion.quiz_id == quiz_id)
                                     .order_by(QuizQuestion.position))}
    return {"id": quiz.id, "title": quiz.title, "week": number, "pass_mark": quiz.pass_mark,
            "questions": questions}


def first_attempts(db: Session, quiz_id: str, students: Select) -> list[dict]:
    """Each student's first submitted attempt with its graded answers, for item analysis (one query)."""
    students = students.subquery()
    first = (select(QuizAttempt.user_id, func.min(QuizAttempt.number).label("number"))
             .where(QuizAttempt.quiz_id == quiz_id, QuizAttempt.state == SUBMITTED,
                    QuizAttempt.user_id.in_(select(students.c.user_id)))
             .group_by(QuizAttempt.user_id).subquery())
    rows = db.execute(select(QuizAttempt.id, QuizAttempt.score, QuizAttempt.max_score, QuizAnswer.question_id,
                             QuizAnswer.points, QuizAnswer.max_points)
                      .join(first, (first.c.user_id == QuizAttempt.user_id) & (first.c.number == QuizAttempt.number))
                      .join(QuizAnswer, QuizAnswer.attempt_id == QuizAttempt.id)
                      .where(QuizAttempt.quiz_id == quiz_id)
                      .order_by(QuizAttempt.id))
    attempts: dict[int, dict] = {}
    for attempt_id, score, max_score, question_id, points, max_points in rows:
        attempt = attempts.setdefault(attempt_id, {
            "id": attempt_id, "score": (score or 0.0) / max_score if max_score else 0.0, "answers": {}})
        attempt["answers"][question_id] = (points or 0.0, max_points or 0.0)
    return list(attempts.values())
