"""Answers: what a student may send for each question type (normalised, or refused with a reason), and how
each type is scored. Pure functions; a code answer is run by a worker (worker/quiz_grading.py) and scored
here from what that run reports (score_code)."""
from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from app.quizzes.expr import ExpressionError, evaluate, format_number, parse_number
from app.quizzes.schemas import (CodeQuestion, MultipleQuestion, NumericQuestion, SingleQuestion, TextQuestion)

MAX_TEXT_ANSWER = 500
MAX_CODE_ANSWER = 20_000
# Float noise must not fail an answer that sits exactly on the tolerance edge (0.755 vs 0.75 +- 0.005).
EDGE_SLACK = 1e-9


class AnswerError(ValueError):
    """An answer that cannot be accepted; the message is shown to the student."""


@dataclass
class Graded:
    points: float
    max_points: float
    status: str  # correct | partial | incorrect | unanswered
    feedback: dict = field(default_factory=dict)


# ---------------------------------------------------------------- normalising what students send

def normalize_answer(question, raw: Any) -> Any:
    """The stored form of an answer, or None for "no answer". Raises AnswerError for malformed input."""
    if raw is None or raw == "" or raw == []:
        return None
    if isinstance(question, SingleQuestion):
        picks = _choice_ids(question, raw)
        if len(picks) > 1:
            raise AnswerError("pick exactly one choice")
        return picks[0] if picks else None
    if isinstance(question, MultipleQuestion):
        picks = _choice_ids(question, raw)
        order = [c.id for c in question.choices]
        return sorted(set(picks), key=order.index) or None
    if isinstance(question, NumericQuestion):
        if isinstance(raw, bool) or not isinstance(raw, (str, int, float)):
            raise AnswerError("send the answer as a number")
        if isinstance(raw, (int, float)):
            if not math.isfinite(raw):
                raise AnswerError("the answer is not a finite number")
            return {"raw": format_number(float(raw)) if isinstance(raw, int) else repr(raw), "value": float(raw)}
        if not raw.strip():
            return None
        try:
            value = parse_number(raw)
        except ExpressionError as exc:
            raise AnswerError(f"{raw.strip()[:40]!r} is not a number: {exc}") from None
        return {"raw": raw.strip(), "value": value}
    if isinstance(question, TextQuestion):
        if not isinstance(raw, str):
            raise AnswerError("send the answer as text")
        text = raw.strip()
        if len(text) > MAX_TEXT_ANSWER:
            raise AnswerError(f"keep the answer under {MAX_TEXT_ANSWER} characters")
        return text or None
    if isinstance(question, CodeQuestion):
        if not isinstance(raw, str):
            raise AnswerError("send the code as text")
        if len(raw.encode("utf-8")) > MAX_CODE_ANSWER:
            raise AnswerError(f"the code is larger than {MAX_CODE_ANSWER // 1000} KB")
        if "\x00" in raw:
            raise AnswerError("the code contains NUL bytes")
        code = raw.replace("\r\n", "\n").lstrip("\ufeff")
        # An empty box, or the starter left as it was, is no answer (and no sandbox run).
        return code if code.strip() and code.strip() != question.starter.strip() else None
    raise AnswerError("unknown question type")


def _choice_ids(question: SingleQuestion | MultipleQuestion, raw: Any) -> list[str]:
    picks = [raw] if isinstance(raw, str) else raw
    if not isinstance(picks, list) or not all(isinstance(p, str) for p in picks):
        raise AnswerError("send choice ids (a string, or a list of strings)")
    known = {c.id for c in question.choices}
    unknown = [p for p in picks if p not in known]
    if unknown:
        raise AnswerError(f"{unknown[0][:20]!r} is not one of this question's choices "
                          f"({', '.join(sorted(known))})")
    return picks


def display_answer(question, response: Any) -> str:
    if response is None:
        return ""
    if isinstance(question, NumericQuestion):
        return str(response.get("raw", ""))
    if isinstance(question, MultipleQuestion):
        return ", ".join(response)
    return str(response)


# ---------------------------------------------------------------- scoring

def grade_answer(question, params: dict, response: Any) -> Graded:
    """A code answer is not scored here: it is "pending" until a worker ran it (score_code scores that)."""
    points = float(question.points)
    if isinstance(question, SingleQuestion):
        return grade_single(question, response)
    if isinstance(question, MultipleQuestion):
        return grade_multiple(question, response)
    if isinstance(question, NumericQuestion):
        return grade_numeric(question, params, response)
    if isinstance(question, TextQuestion):
        return grade_text(question, response)
    if isinstance(question, CodeQuestion):
        empty = {"cases": [], "passed": 0, "total": len(question.cases)}
        return Graded(0.0, points, "unanswered" if response is None else "pending", empty)
    raise ValueError(f"unknown question type {type(question).__name__}")


def score_code(question: CodeQuestion, feedback: dict) -> Graded:
    """A code answer's score from the worker's feedback: the share of cases passed. A run stopped for time
    reads "timeout" and a grader failure "error" (flagged for staff), as a lab submission would."""
    points = float(question.points)
    if feedback.get("run_status") in ("timeout", "error"):
        return Graded(0.0, points, feedback["run_status"], feedback)
    return from_fraction(points, feedback["passed"] / feedback["total"] if feedback["total"] else 0.0, feedback)


def from_fraction(points: float, fraction: float, feedback: dict) -> Graded:
    earned = round(points * max(0.0, min(1.0, fraction)), 4)
    status = "correct" if fraction >= 1.0 else "partial" if earned > 0 else "incorrect"
    return Graded(earned, points, status, feedback)


def grade_single(question: SingleQuestion, response: str | None) -> Graded:
    correct = next(c.id for c in question.choices if c.correct)
    feedback = {"picked": [response] if response else [], "correct": [correct]}
    if response is None:
        return Graded(0.0, question.points, "unanswered", feedback)
    return from_fraction(question.points, 1.0 if response == correct else 0.0, feedback)


def grade_multiple(question: MultipleQuestion, response: list[str] | None) -> Graded:
    """Each correct pick earns points/#correct, each wrong pick costs the same; the total is floored at 0."""
    correct = [c.id for c in question.choices if c.correct]
    picked = response or []
    feedback = {"picked": picked, "correct": correct}
    if not picked:
        return Graded(0.0, question.points, "unanswered", feedback)
    right = sum(1 for p in picked if p in correct)
    wrong = len(picked) - right
    fraction = (right - wrong) / len(correct)
    return from_fraction(question.points, fraction, feedback)


def expected_value(question: NumericQuestion, params: dict) -> float:
    return evaluate(question.answer, params)


def within_tolerance(given: float, expected: float, abs_tol: float | None, rel_tol: float | None) -> bool:
    diff = abs(given - expected)
    if abs_tol is not None and diff <= abs_tol * (1 + EDGE_SLACK) + 1e-15:
        return True
    return rel_tol is not None and diff <= rel_tol * abs(expected) * (1 + EDGE_SLACK) + 1e-15


def tolerance_text(question: NumericQuestion) -> str:
    parts = []
    if question.tolerance.abs is not None:
        parts.append(f"± {format_number(question.tolerance.abs)}")
    if question.tolerance.rel is not None:
        parts.append(f"± {question.tolerance.rel * 100:g}%")
    return " or ".join(parts)


def grade_numeric(question: NumericQuestion, params: dict, response: dict | None) -> Graded:
    expected = expected_value(question, params)
    shown = f"{int(expected):,}" if float(expected).is_integer() and abs(expected) >= 10_000 else format_number(expected)
    feedback = {"expected": shown, "tolerance": tolerance_text(question),
                "given": response.get("raw") if response else None}
    if response is None:
        return Graded(0.0, question.points, "unanswered", feedback)
    ok = within_tolerance(float(response["value"]), expected, question.tolerance.abs, question.tolerance.rel)
    return from_fraction(question.points, 1.0 if ok else 0.0, feedback)


def normalize_text(text: str) -> str:
    """Case, width and accents folded (NFKC + casefold), punctuation and symbols dropped, whitespace collapsed."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    kept = "".join(ch for ch in folded if not unicodedata.category(ch).startswith(("P", "S")))
    return " ".join(kept.split())


def _light(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split()).rstrip(".")


def text_matches(question: TextQuestion, answer: str) -> bool:
    normalized = normalize_text(answer)
    if question.regex is not None:
        pattern = re.compile(question.regex, re.IGNORECASE)
        return any(pattern.fullmatch(form) for form in (normalized, _light(answer)))
    accepted = {normalize_text(a) for a in question.accept or []}
    squashed = {a.replace(" ", "") for a in accepted}
    return normalized in accepted or normalized.replace(" ", "") in squashed


def grade_text(question: TextQuestion, response: str | None) -> Graded:
    feedback = {"accepted": question.accept[0] if question.accept else None, "given": response}
    if response is None:
        return Graded(0.0, question.points, "unanswered", feedback)
    return from_fraction(question.points, 1.0 if text_matches(question, response) else 0.0, feedback)
