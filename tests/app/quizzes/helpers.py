"""Question specs for tests and the right (or wrong) answers to an attempt, derived from the questions."""
from __future__ import annotations

from app.quizzes import service, variants
from app.quizzes.expr import format_number
from app.quizzes.schemas import CodeQuestion, MultipleQuestion, NumericQuestion, SingleQuestion, TextQuestion
from app.quizzes.scoring import expected_value

SINGLE = {"type": "single", "prompt": "Which one?", "choices": [
    {"id": "a", "text": "Alpha"}, {"id": "b", "text": "Beta", "correct": True}, {"id": "c", "text": "Gamma"}]}
MULTIPLE = {"type": "multiple", "prompt": "Which ones?", "choices": [
    {"id": "a", "text": "One", "correct": True}, {"id": "b", "text": "Two", "correct": True},
    {"id": "c", "text": "Three"}, {"id": "d", "text": "Four"}]}
NUMERIC = {"type": "numeric", "prompt": "What is {d} squared?", "params": {"d": [2, 3, 4, 5, 6, 7]},
           "answer": "d * d", "tolerance": {"abs": 0.5}}
TEXT = {"type": "text", "prompt": "Name the tokenizer.", "accept": ["byte pair encoding", "bpe"]}
CODE = {"type": "code", "points": 2, "prompt": "Write `double(x)`.", "function": "double",
        "starter": "def double(x):\n    raise NotImplementedError\n",
        "solution": "def double(x):\n    return 2 * x\n", "cases": [[1], [2.5], [-3]], "compare": "allclose",
        "rtol": 1e-6, "atol": 1e-9}
ALL_BUT_CODE = [SINGLE, MULTIPLE, NUMERIC, TEXT]


def right_answer(model, params: dict):
    if isinstance(model, SingleQuestion):
        return next(c.id for c in model.choices if c.correct)
    if isinstance(model, MultipleQuestion):
        return [c.id for c in model.choices if c.correct]
    if isinstance(model, NumericQuestion):
        return format_number(expected_value(model, params))
    if isinstance(model, TextQuestion):
        return model.accept[0]
    if isinstance(model, CodeQuestion):
        return model.solution
    raise AssertionError(model)


def wrong_answer(model, params: dict):
    if isinstance(model, SingleQuestion):
        return next(c.id for c in model.choices if not c.correct)
    if isinstance(model, MultipleQuestion):
        return [c.id for c in model.choices if not c.correct][:1]
    if isinstance(model, NumericQuestion):
        return format_number(expected_value(model, params) * 3 + 10)
    if isinstance(model, TextQuestion):
        return "definitely not it"
    if isinstance(model, CodeQuestion):
        return model.starter + "\n# an attempt that changes nothing\n"
    raise AssertionError(model)


def answers_for(db, attempt, right: bool = True) -> dict:
    """{question_id: answer} for every question of the attempt (API shape: lists for multiple choice)."""
    pick = right_answer if right else wrong_answer
    return {row.id: pick(model, variants.params_for(model, entry, attempt.seed))
            for entry, row, model in service.attempt_questions(db, attempt)}


def form_for(answers: dict, csrf: str | None = None) -> dict:
    data = {f"q-{qid}": value for qid, value in answers.items()}
    if csrf:
        data["csrf_token"] = csrf
    return data


def grade_code_answers(db) -> list[str]:
    """Run every queued quiz code job the way a worker does (claim, the real sandbox, finish), inside the
    test's transaction; returns what each run reported."""
    from sqlalchemy import select

    from app.quizzes.models import QuizGradingJob
    from worker import quiz_jobs

    outcomes = []
    for job in list(db.scalars(select(QuizGradingJob).where(QuizGradingJob.state == "queued")
                               .order_by(QuizGradingJob.id))):
        token = quiz_jobs.claim(db, job.id, "test-worker")
        question, code = quiz_jobs.job_input(db, job)
        feedback = quiz_jobs.grade_safely(question, code)
        outcomes.append("graded" if quiz_jobs.finish(db, job.id, token, feedback) else "stale")
    db.expire_all()
    return outcomes
