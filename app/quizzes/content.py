"""Quiz files (course/quizzes/weekNN.yaml): parsed with pydantic, then checked for what a schema cannot say
(answers parse, tolerances are sensible, single choice has exactly one correct choice...). Every problem is
reported as `file:line: message`. The worker proves code questions through the sandbox
(worker/quiz_grading.py check_code_questions)."""
from __future__ import annotations

import ast
import hashlib
import itertools
import json
import math
import re
from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import ValidationError

from app.course.content import WEEK_COUNT, ContentErrors
from app.quizzes.expr import FUNCTIONS, ExpressionError, evaluate, names_in
from app.quizzes.schemas import (CodeQuestion, MultipleQuestion, NumericQuestion, QuizFile, SingleQuestion,
                                 TextQuestion)
from app.quizzes.scoring import normalize_text
from app.quizzes.variants import PLACEHOLDER

MIN_QUESTIONS = 8
MAX_REL_TOLERANCE = 0.1
MAX_PARAM_COMBINATIONS = 5000


@dataclass
class ParsedQuiz:
    path: Path
    quiz: QuizFile
    content_hash: str
    lines: dict[tuple, int]

    def line(self, *path) -> int:
        """The line of the deepest known node along `path` (keys and list indexes)."""
        best, current = 1, ()
        for part in path:
            current = current + (part,)
            if current in self.lines:
                best = self.lines[current]
            else:
                break
        return best

    def question_line(self, index: int, *path) -> int:
        return self.line("questions", index, *path)


def yaml_lines(text: str) -> dict[tuple, int]:
    """Line numbers (1-based) of every mapping key and list item, by path."""
    lines: dict[tuple, int] = {(): 1}

    def walk(node, path: tuple) -> None:
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                child = path + (key.value,)
                lines[child] = key.start_mark.line + 1
                walk(value, child)
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                lines[path + (index,)] = item.start_mark.line + 1
                walk(item, path + (index,))

    root = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    if root is not None:
        walk(root, ())
    return lines


def _loc_path(loc: tuple, lines: dict[tuple, int]) -> tuple:
    """A pydantic error location mapped onto the YAML paths (dropping union tags such as 'single')."""
    path: tuple = ()
    for part in loc:
        if path + (part,) in lines:
            path = path + (part,)
    return path


def _validation_errors(errors: ContentErrors, path: Path, data: object, lines: dict[tuple, int],
                       exc: ValidationError) -> None:
    for err in exc.errors():
        loc = tuple(err["loc"])
        yaml_path = _loc_path(loc, lines)
        where = ".".join(str(p) for p in loc if p not in ("single", "multiple", "numeric", "text", "code"))
        prefix = ""
        if len(loc) >= 2 and loc[0] == "questions" and isinstance(loc[1], int):
            try:
                prefix = f"{data['questions'][loc[1]]['id']}: "  # type: ignore[index]
            except (KeyError, IndexError, TypeError):
                prefix = f"question {loc[1] + 1}: "
        errors.add(path, lines.get(yaml_path, 1), f"{prefix}{where}: {err['msg']}")


def parse_quiz_file(path: Path, errors: ContentErrors) -> ParsedQuiz | None:
    text = path.read_text(encoding="utf-8")
    try:
        data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506 - safe loader
        lines = yaml_lines(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        errors.add(path, mark.line + 1 if mark else 1, f"invalid YAML: {exc}".replace("\n", " "))
        return None
    if not isinstance(data, dict):
        errors.add(path, 1, "a quiz file must be a mapping with id, week, title, questions...")
        return None
    try:
        quiz = QuizFile.model_validate(data)
    except ValidationError as exc:
        _validation_errors(errors, path, data, lines, exc)
        return None
    parsed = ParsedQuiz(path, quiz, hashlib.sha256(text.encode()).hexdigest(), lines)
    before = len(errors.messages)
    validate_quiz(parsed, errors)
    return parsed if len(errors.messages) == before else None


def validate_quiz(parsed: ParsedQuiz, errors: ContentErrors) -> None:
    quiz, path = parsed.quiz, parsed.path
    expected_id = f"quiz-week{quiz.week:02d}"
    if quiz.id != expected_id or path.stem != f"week{quiz.week:02d}":
        errors.add(path, parsed.line("id"), f"id {quiz.id!r}, week {quiz.week} and the file name must agree "
                                            f"(week{quiz.week:02d}.yaml with id {expected_id})")
    if len(quiz.questions) < MIN_QUESTIONS:
        errors.add(path, parsed.line("questions"),
                   f"a weekly quiz needs at least {MIN_QUESTIONS} questions (has {len(quiz.questions)})")
    if quiz.draw is not None and quiz.draw > len(quiz.questions):
        errors.add(path, parsed.line("draw"), f"draw is {quiz.draw} but the quiz has only "
                                              f"{len(quiz.questions)} questions")
    seen: set[str] = set()
    for index, question in enumerate(quiz.questions):
        line = parsed.question_line(index)
        if question.id in seen:
            errors.add(path, line, f"duplicate question id {question.id!r}")
        seen.add(question.id)
        if not question.id.startswith(f"w{quiz.week:02d}-"):
            errors.add(path, line, f"question id {question.id!r} must start with w{quiz.week:02d}-")
        for key in ("prompt", "explanation"):
            if not getattr(question, key).strip():
                errors.add(path, parsed.question_line(index, key), f"{question.id}: {key} is empty")
        checker = CHECKS.get(type(question))
        if checker:
            for key, message in checker(question):
                errors.add(path, parsed.question_line(index, *key), f"{question.id}: {message}")


def _check_choices(question: SingleQuestion | MultipleQuestion):
    ids = [c.id for c in question.choices]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        yield ("choices",), f"duplicate choice id {duplicates[0]!r}"
    texts = [c.text.strip() for c in question.choices]
    if len(set(texts)) != len(texts):
        yield ("choices",), "two choices have the same text"
    correct = sum(1 for c in question.choices if c.correct)
    if isinstance(question, SingleQuestion) and correct != 1:
        yield ("choices",), f"a single-choice question needs exactly one correct choice (found {correct})"
    if isinstance(question, MultipleQuestion) and correct < 1:
        yield ("choices",), "a multiple-choice question needs at least one correct choice"


def param_combinations(question: NumericQuestion):
    names = sorted(question.params)
    for values in itertools.product(*(question.params[n] for n in names)):
        yield dict(zip(names, values))


def _check_numeric(question: NumericQuestion):
    for name in question.params:
        if name in FUNCTIONS:
            yield ("params", name), f"parameter {name!r} has the name of a function"
        if f"{{{name}}}" not in question.prompt:
            yield ("params", name), f"parameter {name!r} is never shown: put {{{name}}} in the prompt"
    for name in sorted({m[1] for m in PLACEHOLDER.finditer(question.prompt)} - set(question.params)):
        if question.params:
            yield ("prompt",), f"the prompt uses {{{name}}} but there is no parameter {name!r}"
    try:
        used = names_in(str(question.answer)) if isinstance(question.answer, str) else set()
    except ExpressionError as exc:
        yield ("answer",), f"the answer {question.answer!r} does not parse: {exc}"
        return
    unknown = sorted(used - set(question.params))
    if unknown:
        yield ("answer",), f"the answer uses {unknown[0]!r}, which is not a parameter"
        return
    count = math.prod(len(v) for v in question.params.values()) if question.params else 1
    if count > MAX_PARAM_COMBINATIONS:
        yield ("params",), f"{count} parameter combinations; keep it under {MAX_PARAM_COMBINATIONS}"
        return
    tolerance = question.tolerance
    if tolerance.rel is not None and not 1e-6 <= tolerance.rel <= MAX_REL_TOLERANCE:
        yield ("tolerance",), (f"relative tolerance {tolerance.rel:g} is not sensible: use a value between "
                               f"1e-6 and {MAX_REL_TOLERANCE:g} (0.01 = 1%)")
    for combination in param_combinations(question):
        try:
            value = evaluate(question.answer, combination)
        except ExpressionError as exc:
            shown = f" with {combination}" if combination else ""
            yield ("answer",), f"the answer cannot be evaluated{shown}: {exc}"
            return
        if tolerance.abs is not None and value != 0 and tolerance.abs >= abs(value) / 2:
            shown = f" (with {combination})" if combination else ""
            yield ("tolerance",), (f"absolute tolerance {tolerance.abs:g} is too loose for an answer of "
                                   f"{value:.6g}{shown}: it would accept half the answer or less")
            return
        if tolerance.abs is not None and tolerance.rel is None and tolerance.abs < abs(value) * 1e-12:
            yield ("tolerance",), f"absolute tolerance {tolerance.abs:g} is below float precision for {value:.6g}"
            return


def _check_text(question: TextQuestion):
    if (question.accept is None) == (question.regex is None):
        yield (), "a text question needs exactly one of `accept` (a list) or `regex`"
        return
    if question.accept is not None:
        for index, answer in enumerate(question.accept):
            if not normalize_text(answer):
                yield ("accept", index), f"accepted answer {answer!r} is empty after normalising"
    else:
        try:
            pattern = re.compile(question.regex, re.IGNORECASE)
        except re.error as exc:
            yield ("regex",), f"the regex does not compile: {exc}"
            return
        if pattern.fullmatch(""):
            yield ("regex",), "the regex matches an empty answer"


def _defines(code: str, function: str) -> str | None:
    """None when `code` parses and defines `function` at top level, else the problem."""
    try:
        tree = ast.parse(code)
    except SyntaxError as exc:
        return f"syntax error on line {exc.lineno}: {exc.msg}"
    names = {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
    return None if function in names else f"does not define a top-level function {function!r}"


def _check_code(question: CodeQuestion):
    for key in ("solution", "starter"):
        problem = _defines(getattr(question, key), question.function)
        if problem:
            yield (key,), f"the {key} {problem}"
    if question.starter.strip() == question.solution.strip():
        yield ("starter",), "the starter is the solution"
    try:
        json.dumps(question.cases, allow_nan=False)
    except (TypeError, ValueError):
        yield ("cases",), "cases must be JSON values (numbers, strings, lists, mappings, null, true/false)"
    if question.compare == "exact" and (question.rtol is not None or question.atol is not None):
        yield ("compare",), "rtol/atol only apply with compare: allclose"
    if question.rtol is not None and question.rtol > MAX_REL_TOLERANCE:
        yield ("rtol",), f"rtol {question.rtol:g} is too loose (at most {MAX_REL_TOLERANCE:g})"


CHECKS = {SingleQuestion: _check_choices, MultipleQuestion: _check_choices, NumericQuestion: _check_numeric,
          TextQuestion: _check_text, CodeQuestion: _check_code}


def load_quizzes(course_dir: Path, errors: ContentErrors) -> list[ParsedQuiz]:
    """Every quiz file, validated; cross-checks ids across the course, weeks and modules."""
    folder = course_dir / "quizzes"
    paths = sorted(folder.glob("*.yaml")) if folder.is_dir() else []
    quizzes = [q for q in (parse_quiz_file(p, errors) for p in paths) if q]
    question_ids: dict[str, Path] = {}
    weeks: dict[int, Path] = {}
    for parsed in quizzes:
        if parsed.quiz.week in weeks:
            errors.add(parsed.path, parsed.line("week"), f"week {parsed.quiz.week} already has a quiz "
                                                         f"({weeks[parsed.quiz.week].name})")
        weeks[parsed.quiz.week] = parsed.path
        for index, question in enumerate(parsed.quiz.questions):
            other = question_ids.get(question.id)
            if other is not None and other != parsed.path:
                errors.add(parsed.path, parsed.question_line(index),
                           f"question id {question.id!r} is also used in {other.name}")
            question_ids[question.id] = parsed.path
    week_files = sorted((course_dir / "weeks").glob("week*.md"))
    present = {p.stem for p in paths}
    for week_file in week_files:
        number = int(re.sub(r"\D", "", week_file.stem) or 0)
        if 1 <= number <= WEEK_COUNT and number not in weeks and f"week{number:02d}" not in present:
            errors.add(folder / f"week{number:02d}.yaml", 1, f"week {number} has no quiz")
    _check_modules(course_dir, quizzes, errors)
    return sorted(quizzes, key=lambda q: q.quiz.week)


def _check_modules(course_dir: Path, quizzes: list[ParsedQuiz], errors: ContentErrors) -> None:
    """Every module has at least one code question (a quiz-level promise of the course)."""
    try:
        course = yaml.safe_load((course_dir / "course.yaml").read_text(encoding="utf-8"))
        modules = [(m["id"], list(m["weeks"])) for m in course["modules"]]
    except (OSError, yaml.YAMLError, KeyError, TypeError):
        return  # course.yaml problems are reported by the course parser
    by_week = {q.quiz.week: q for q in quizzes}
    for module_id, module_weeks in modules:
        present = [by_week[w] for w in module_weeks if w in by_week]
        if present and not any(isinstance(q, CodeQuestion) for p in present for q in p.quiz.questions):
            errors.add(present[0].path, 1, f"module {module_id} (weeks {module_weeks}) has no code question")
