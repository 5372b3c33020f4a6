"""`content check` for quizzes: every real quiz file, and the file:line errors a broken file gets."""
from collections import Counter
from pathlib import Path

import pytest
import yaml

from app.config import get_settings
from app.course.content import ContentErrors
from app.quizzes.content import load_quizzes, parse_quiz_file
from app.quizzes.schemas import CodeQuestion
from worker.quiz_grading import check_code_questions

VALID = """\
id: quiz-week01
week: 1
title: "Week 1 quiz"
pass_mark: 0.7
max_attempts: 3
score_policy: best
draw: 6
questions:
  - id: w01-q01
    type: single
    prompt: "Pick b."
    choices:
      - {id: a, text: "A"}
      - {id: b, text: "B", correct: true}
    explanation: "B is right."
  - id: w01-q02
    type: multiple
    prompt: "Pick a and b."
    choices:
      - {id: a, text: "A", correct: true}
      - {id: b, text: "B", correct: true}
      - {id: c, text: "C"}
    explanation: "A and B."
  - id: w01-q03
    type: numeric
    prompt: "What is {d} times 4?"
    params:
      d: [2, 3]
    answer: "d * 4"
    tolerance: {abs: 0.5}
    explanation: "Multiply."
  - id: w01-q04
    type: text
    prompt: "Name it."
    accept: ["bpe"]
    explanation: "BPE."
  - id: w01-q05
    type: text
    prompt: "Name the phase."
    regex: "^pre ?fill$"
    explanation: "Prefill."
  - id: w01-q06
    type: numeric
    prompt: "Half of one?"
    answer: 0.5
    tolerance: {rel: 0.01}
    explanation: "One half."
  - id: w01-q07
    type: single
    prompt: "Pick a."
    choices:
      - {id: a, text: "A", correct: true}
      - {id: b, text: "B"}
    explanation: "A."
  - id: w01-q08
    type: code
    points: 2
    prompt: "Write double."
    function: double
    starter: |
      def double(x):
          raise NotImplementedError
    solution: |
      def double(x):
          return 2 * x
    cases:
      - [1]
      - [2.5]
    compare: allclose
    rtol: 1.0e-6
    atol: 1.0e-9
    explanation: "Multiply by two."
"""


def parse(tmp_path: Path, text: str, name: str = "week01.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    errors = ContentErrors()
    return parse_quiz_file(path, errors), errors.messages, path


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    hits = [n for n, line in enumerate(text.splitlines(), start=1) if needle in line]
    return hits[occurrence - 1]


def test_valid_file_parses(tmp_path):
    parsed, messages, _ = parse(tmp_path, VALID)
    assert messages == []
    assert [q.type for q in parsed.quiz.questions].count("code") == 1


@pytest.mark.parametrize("old, new, needle, message", [
    ('      - {id: b, text: "B", correct: true}\n    explanation: "B is right."',
     '      - {id: b, text: "B"}\n    explanation: "B is right."', ("choices:", 1),
     "exactly one correct choice (found 0)"),
    ('      - {id: a, text: "A", correct: true}\n      - {id: b, text: "B"}\n    explanation: "A."',
     '      - {id: a, text: "A", correct: true}\n      - {id: b, text: "B", correct: true}\n    explanation: "A."',
     ("choices:", 3), "exactly one correct choice (found 2)"),
    ('      - {id: a, text: "A", correct: true}\n      - {id: b, text: "B", correct: true}\n      - {id: c, text: "C"}',
     '      - {id: a, text: "A"}\n      - {id: b, text: "B"}\n      - {id: c, text: "C"}', ("choices:", 2),
     "at least one correct choice"),
    ('answer: "d * 4"', 'answer: "d * (4"', 'answer: "d * (4"', "does not parse"),
    ('answer: "d * 4"', 'answer: "d * k"', 'answer: "d * k"', "'k', which is not a parameter"),
    ('answer: "d * 4"', 'answer: "4 / (d - 2)"', 'answer: "4 / (d - 2)"', "division by zero"),
    ('answer: "d * 4"', 'answer: "__import__(\'os\')"', "answer: \"__import__", "only the functions"),
    ("tolerance: {abs: 0.5}", "tolerance: {abs: 5}", "tolerance: {abs: 5}", "too loose"),
    ("tolerance: {rel: 0.01}", "tolerance: {rel: 0.5}", "tolerance: {rel: 0.5}", "not sensible"),
    ("tolerance: {rel: 0.01}", "tolerance: {}", "tolerance: {}", "absolute tolerance"),
    ('    explanation: "Multiply."\n', '    explanation: "   "\n', 'explanation: "   "', "explanation is empty"),
    ('    explanation: "BPE."\n', "", "- id: w01-q04", "explanation: Field required"),
    ('prompt: "What is {d} times 4?"', 'prompt: "What is 3 times 4?"', "d: [2, 3]", "never shown"),
    ('regex: "^pre ?fill$"', 'regex: "^(pre"', 'regex: "^(pre"', "does not compile"),
    ('regex: "^pre ?fill$"', 'regex: "(prefill)?"', 'regex: "(prefill)?"', "matches an empty answer"),
    ('    accept: ["bpe"]\n', '    accept: ["bpe"]\n    regex: "bpe"\n', "- id: w01-q04", "exactly one of"),
    ("          return 2 * x", "          return 2 *", "    solution: |", "the solution syntax error"),
    ("    function: double", "    function: triple", "    starter: |", "does not define a top-level function 'triple'"),
    ("    rtol: 1.0e-6\n    atol: 1.0e-9\n", "", "compare: allclose", None),
    ("    compare: allclose", "    compare: exact", "    compare: exact", "only apply with compare: allclose"),
    ("  - id: w01-q07", "  - id: w01-q06", ("  - id: w01-q06", 2), "duplicate question id"),
    ("  - id: w01-q07", "  - id: w02-q07", "  - id: w02-q07", "must start with w01-"),
    ("    type: text\n    prompt: \"Name it.\"", "    type: essay\n    prompt: \"Name it.\"", "- id: w01-q04",
     "does not match any of the expected tags"),
    ("draw: 6", "draw: 9", "draw: 9", "only 8 questions"),
    ("pass_mark: 0.7", "pass_mark: 70", "pass_mark: 70", "pass_mark: Input should be less than or equal to 1"),
    ("id: quiz-week01", "id: quiz-week02", "id: quiz-week02", "must agree"),
    ('    prompt: "Pick a."\n', '    prompt: "Pick a."\n    hint: "extra"\n', 'hint: "extra"', "Extra inputs"),
])
def test_broken_files_report_file_and_line(tmp_path, old, new, needle, message):
    assert old in VALID
    text = VALID.replace(old, new, 1)
    parsed, messages, path = parse(tmp_path, text)
    if message is None:  # a valid variation
        assert messages == [] and parsed is not None
        return
    assert parsed is None
    expected = f"{path}:{line_of(text, *needle) if isinstance(needle, tuple) else line_of(text, needle)}:"
    assert any(m.startswith(expected) and message in m for m in messages), (expected, message, messages)


def test_too_few_questions(tmp_path):
    text = VALID.split("  - id: w01-q07")[0].replace("draw: 6", "draw: 2")
    _, messages, path = parse(tmp_path, text)
    assert any(m.startswith(f"{path}:{line_of(text, 'questions:')}:") and "at least 8 questions" in m
               for m in messages)


def test_invalid_yaml_reports_its_line(tmp_path):
    text = VALID.replace('title: "Week 1 quiz"', 'title: "Week 1 quiz')
    _, messages, path = parse(tmp_path, text)
    assert len(messages) == 1 and messages[0].startswith(f"{path}:") and "invalid YAML" in messages[0]


def _course_copy(tmp_path: Path, settings) -> Path:
    import shutil

    course = tmp_path / "course"
    shutil.copytree(settings.course_dir, course)
    return course


def test_course_wide_cross_checks(tmp_path):
    course = _course_copy(tmp_path, get_settings())
    (course / "quizzes" / "week05.yaml").unlink()
    week7 = course / "quizzes" / "week07.yaml"
    week7.write_text(week7.read_text().replace("w07-q02", "w06-q01").replace("id: w07-", "id: w07-"))
    errors = ContentErrors()
    load_quizzes(course, errors)
    text = "\n".join(errors.messages)
    assert "week05.yaml:1: week 5 has no quiz" in text
    assert "must start with w07-" in text


def test_module_without_code_question_is_reported(tmp_path):
    course = _course_copy(tmp_path, get_settings())
    weeks = yaml.safe_load((course / "course.yaml").read_text())["modules"][1]["weeks"]  # module m02
    for week in weeks:
        path = course / "quizzes" / f"week{week:02d}.yaml"
        data = yaml.safe_load(path.read_text())
        data["questions"] = [q for q in data["questions"] if q["type"] != "code"]
        data["draw"] = min(data["draw"], len(data["questions"]))
        path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    errors = ContentErrors()
    load_quizzes(course, errors)
    assert any("module m02" in m and "has no code question" in m for m in errors.messages), errors.messages


# ---------------------------------------------------------------- the real course

@pytest.fixture(scope="module")
def real_quizzes():
    errors = ContentErrors()
    quizzes = load_quizzes(get_settings().course_dir, errors)
    return quizzes, errors


def test_all_33_quizzes_are_valid(real_quizzes):
    quizzes, errors = real_quizzes
    assert errors.messages == []
    assert [q.quiz.week for q in quizzes] == list(range(1, 34))
    counts = [len(q.quiz.questions) for q in quizzes]
    assert min(counts) >= 8 and sum(counts) >= 264
    types = Counter(question.type for q in quizzes for question in q.quiz.questions)
    assert set(types) == {"single", "multiple", "numeric", "text", "code"}
    ids = [question.id for q in quizzes for question in q.quiz.questions]
    assert len(ids) == len(set(ids))
    assert all(question.explanation.strip() for q in quizzes for question in q.quiz.questions)


def test_every_module_has_a_code_question(real_quizzes):
    quizzes, _ = real_quizzes
    modules = yaml.safe_load((get_settings().course_dir / "course.yaml").read_text())["modules"]
    by_week = {q.quiz.week: q for q in quizzes}
    for module in modules:
        assert any(isinstance(question, CodeQuestion) for w in module["weeks"]
                   for question in by_week[w].quiz.questions), module["id"]


def test_code_questions_pass_with_their_solution_and_fail_with_their_starter(real_quizzes):
    """The sandbox part of `content check`: every code question of the course, through bubblewrap."""
    quizzes, _ = real_quizzes
    errors = ContentErrors()
    check_code_questions(quizzes, errors, get_settings())
    assert errors.messages == []


def test_code_check_reports_a_broken_solution_and_a_passing_starter(tmp_path):
    text = VALID.replace("          return 2 * x", "          return 2 * x / (x - 1)")
    text = text.replace("      def double(x):\n          raise NotImplementedError",
                        "      def double(x):\n          return x + x")
    parsed, messages, path = parse(tmp_path, text)
    assert messages == []
    errors = ContentErrors()
    check_code_questions([parsed], errors, get_settings())
    assert len(errors.messages) == 1
    assert errors.messages[0].startswith(f"{path}:{line_of(text, 'solution: |')}: w01-q08: the solution fails on "
                                         "case 1: ZeroDivisionError")
    text = VALID.replace("          raise NotImplementedError", "          return x * 2.0")
    parsed, _, path = parse(tmp_path, text)
    errors = ContentErrors()
    check_code_questions([parsed], errors, get_settings())
    assert errors.messages == [f"{path}:{line_of(text, 'starter: |')}: w01-q08: the starter passes every case"]


def test_content_check_command_includes_quizzes(tmp_path, monkeypatch):
    """`llmcourse content check --no-grade` validates quiz files too (a broken copy fails with file:line)."""
    from typer.testing import CliRunner

    from worker.cli import cli

    course = _course_copy(tmp_path, get_settings())
    path = course / "quizzes" / "week03.yaml"
    path.write_text(path.read_text().replace("tolerance: {", "tolerance: {_x: 1, ", 1))
    monkeypatch.setenv("LLMCOURSE_COURSE_DIR", str(course))
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(cli, ["content", "check", "--no-grade"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 1
    assert f"{path}:" in result.output and "_x" in result.output
