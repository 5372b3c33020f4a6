import pytest

from app.quizzes.schemas import QUESTION_ADAPTER
from app.quizzes.scoring import (AnswerError, grade_answer, grade_multiple, grade_numeric, grade_single,
                                 grade_text, normalize_answer, normalize_text, score_code)
from tests.app.quizzes.helpers import MULTIPLE, NUMERIC, SINGLE, TEXT


def make(spec: dict, **changes):
    return QUESTION_ADAPTER.validate_python({"id": "w01-x", "points": 1, "explanation": "Why.", **spec, **changes})


def test_single_choice_all_or_nothing():
    q = make(SINGLE, points=2)
    assert grade_single(q, "b").points == 2.0 and grade_single(q, "b").status == "correct"
    wrong = grade_single(q, "a")
    assert (wrong.points, wrong.status, wrong.feedback) == (0.0, "incorrect", {"picked": ["a"], "correct": ["b"]})
    assert grade_single(q, None).status == "unanswered"


@pytest.mark.parametrize("picked, points, status", [
    (["a", "b"], 1.0, "correct"),          # both correct picks
    (["a"], 0.5, "partial"),               # one of two correct: half
    (["a", "c"], 0.0, "incorrect"),        # +0.5 - 0.5
    (["a", "b", "c"], 0.5, "partial"),     # +1.0 - 0.5
    (["c", "d"], 0.0, "incorrect"),        # -1.0 floored at 0
    (["a", "b", "c", "d"], 0.0, "incorrect"),  # ticking everything does not pay
])
def test_multiple_choice_partial_credit_and_penalties(picked, points, status):
    graded = grade_multiple(make(MULTIPLE), picked)
    assert graded.points == pytest.approx(points)
    assert graded.status == status
    assert graded.max_points == 1.0


def test_multiple_choice_scales_with_points():
    assert grade_multiple(make(MULTIPLE, points=3), ["b"]).points == pytest.approx(1.5)
    assert grade_multiple(make(MULTIPLE), None).status == "unanswered"


@pytest.mark.parametrize("tolerance, given, ok", [
    ({"abs": 0.005}, 0.75, True),
    ({"abs": 0.005}, 0.755, True),        # exactly on the edge counts
    ({"abs": 0.005}, 0.745, True),
    ({"abs": 0.005}, 0.7551, False),      # just outside
    ({"abs": 0.005}, 0.7449, False),
    ({"rel": 0.01}, 0.7575, True),        # 1% of 0.75 = 0.0075, edge
    ({"rel": 0.01}, 0.7425, True),
    ({"rel": 0.01}, 0.7576, False),
    ({"rel": 0.01}, -0.75, False),        # sign matters
    ({"abs": 0.001, "rel": 0.01}, 0.757, True),   # either tolerance accepts
])
def test_numeric_tolerance_edges(tolerance, given, ok):
    q = make({"type": "numeric", "prompt": "p", "answer": 0.75, "tolerance": tolerance})
    graded = grade_numeric(q, {}, {"raw": str(given), "value": given})
    assert (graded.status == "correct") is ok
    assert graded.feedback["expected"] == "0.75"


def test_numeric_answer_is_computed_from_the_attempts_params():
    q = make(NUMERIC)
    assert grade_numeric(q, {"d": 7}, {"raw": "49", "value": 49.0}).status == "correct"
    assert grade_numeric(q, {"d": 6}, {"raw": "49", "value": 49.0}).status == "incorrect"
    assert grade_numeric(q, {"d": 6}, None).status == "unanswered"


def test_numeric_relative_tolerance_on_large_answers():
    q = make({"type": "numeric", "prompt": "{V}", "params": {"V": [50257]}, "answer": "V * 768",
              "tolerance": {"rel": 0.01}})
    expected = 50257 * 768
    assert grade_numeric(q, {"V": 50257}, None).feedback["expected"] == "38,597,376"
    assert grade_numeric(q, {"V": 50257}, {"raw": "x", "value": expected * 1.0099}).status == "correct"
    assert grade_numeric(q, {"V": 50257}, {"raw": "x", "value": expected * 1.0101}).status == "incorrect"


@pytest.mark.parametrize("answer, ok", [
    ("BPE", True), ("  byte-pair   encoding. ", True), ("Byte Pair Encoding!", True), ("bytepair encoding", True),
    ("ＢＰＥ", True),  # full-width letters fold to ASCII
    ("byte pair", False), ("wordpiece", False), ("bpe tokenizer", False),
])
def test_text_accept_list_is_normalised(answer, ok):
    assert (grade_text(make(TEXT), answer).status == "correct") is ok


@pytest.mark.parametrize("answer, ok", [
    ("prefill", True), ("Pre-fill phase", True), ("the prefilling stage", True), ("prompt processing", True),
    ("decode", False), ("prefill and decode", False),
])
def test_text_regex_matches_the_whole_normalised_answer(answer, ok):
    q = make({"type": "text", "prompt": "p", "regex": r"^(the )?(pre[- ]?fill(ing)?|prompt processing)( phase| stage)?$"})
    assert (grade_text(q, answer).status == "correct") is ok


def test_normalize_text():
    assert normalize_text("  Next-Token   Prediction! ") == "nexttoken prediction"
    assert normalize_text("y = x") == "y x"


def test_normalize_answer_per_type():
    single, multiple, numeric = make(SINGLE), make(MULTIPLE), make(NUMERIC)
    assert normalize_answer(single, "b") == "b"
    assert normalize_answer(single, ["b"]) == "b"
    assert normalize_answer(multiple, ["b", "a", "b"]) == ["a", "b"]
    assert normalize_answer(multiple, []) is None
    assert normalize_answer(numeric, "1,234") == {"raw": "1,234", "value": 1234.0}
    assert normalize_answer(numeric, 3) == {"raw": "3", "value": 3.0}
    assert normalize_answer(numeric, "  ") is None
    assert normalize_answer(make(TEXT), "  BPE ") == "BPE"


@pytest.mark.parametrize("spec, raw, reason", [
    (SINGLE, "z", "not one of this question's choices"),
    (SINGLE, ["a", "b"], "exactly one"),
    (SINGLE, 3, "choice ids"),
    (MULTIPLE, ["a", 1], "choice ids"),
    (NUMERIC, "1.2.3", "is not a number"),
    (NUMERIC, "twelve", "letters"),
    (NUMERIC, True, "as a number"),
    (NUMERIC, float("nan"), "finite"),
    (TEXT, ["bpe"], "as text"),
    (TEXT, "x" * 501, "under 500"),
])
def test_malformed_answers_are_refused_with_a_reason(spec, raw, reason):
    with pytest.raises(AnswerError, match=reason):
        normalize_answer(make(spec), raw)


def test_code_answers_wait_for_a_worker_and_score_by_share_of_cases():
    q = make({"type": "code", "prompt": "p", "function": "f", "starter": "def f(x):\n    pass\n",
              "solution": "def f(x):\n    return x\n", "cases": [[1], [2], [3], [4]]}, points=2)
    assert grade_answer(q, {}, None).status == "unanswered"
    assert (grade_answer(q, {}, "code").points, grade_answer(q, {}, "code").status) == (0.0, "pending")
    graded = score_code(q, {"passed": 3, "total": 4, "cases": [], "run_status": "ok"})
    assert (graded.points, graded.status) == (1.5, "partial")
    assert score_code(q, {"passed": 4, "total": 4, "cases": [], "run_status": "ok"}).status == "correct"
    stopped = score_code(q, {"passed": 0, "total": 4, "cases": [], "run_status": "timeout"})
    assert (stopped.points, stopped.status) == (0.0, "timeout")
    assert score_code(q, {"passed": 0, "total": 4, "cases": [], "run_status": "error"}).status == "error"
    assert score_code(q, {"passed": 0, "total": 4, "cases": [], "run_status": "crashed"}).status == "incorrect"
    with pytest.raises(AnswerError, match="KB"):
        normalize_answer(q, "x" * 20_001)
    assert normalize_answer(q, "   \n") is None
    assert normalize_answer(q, "def f(x):\r\n    pass\r\n") is None  # the untouched starter
