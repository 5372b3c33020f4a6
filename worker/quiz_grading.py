"""Quiz code questions, run by the workers through the same bubblewrap sandbox as labs (the web never runs a
sandbox: it queues a job per code answer, worker/quiz_jobs.py). The harness (quiz_harness.py) only produces
return values; expected values come from running the question's `solution` the same way (built once per
question version and cached under the references dir) and the comparison happens here, outside. The score
itself is app/quizzes/scoring.py's score_code, from the feedback built here."""
from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from app.config import Settings
from app.course.content import ContentErrors
from app.quizzes.content import ParsedQuiz
from app.quizzes.schemas import CodeQuestion
from labkit.checks import allclose, describe, exact
from worker.grading import decode_payload
from worker.sandbox import Bind, SandboxLimits, SandboxUnavailable, run_sandboxed

log = logging.getLogger(__name__)
HERE = Path(__file__).resolve().parent
HARNESS = HERE / "quiz_harness.py"
LABKIT_DIR = HERE.parent / "labkit"
INSIDE_LIB = "/sandbox/lib"
INSIDE_WORK = "/sandbox/work"
INSIDE_CASES = "/sandbox/quiz/cases.json"
SUBMIT_FILE = "answer.py"
CASE_SECONDS = 2
WALL_SECONDS = 10  # the whole run, so a looping answer cannot hold a worker for long
STATUS_MESSAGES = {
    "timeout": "Your code ran past the {wall} s time limit and was stopped. Look for an infinite loop.",
    "cpu_limit": "Your code used too much CPU time and was stopped. Look for an infinite loop.",
    "memory_limit": "Your code used more than {memory} MB of memory and was stopped.",
    "output_limit": "Your code printed too much and was stopped. Remove large or looping prints.",
    "result_limit": "Your function returned more data than the grader accepts.",
}


class QuestionBroken(RuntimeError):
    """The question's own solution failed: a content problem, not the student's."""


# A run stopped by one of these limits reads "timeout", as a lab submission would; others are the code's fault.
TIME_LIMITS = ("timeout", "cpu_limit")
TIMED_OUT_CALL = "CallTimeout"  # the harness's per-call (and import) alarm


def limits() -> SandboxLimits:
    return SandboxLimits(cpu_seconds=8, wall_seconds=WALL_SECONDS, memory_mb=1024,
                         processes=16, file_size_mb=4, workdir_mb=16, open_files=64,
                         output_bytes=1024 * 1024, tail_bytes=4 * 1024, result_bytes=4 * 1024 * 1024)


def run_code(question: CodeQuestion, code: str, settings: Settings):
    """Run `code` on the question's cases in the sandbox; returns (SandboxRun, decoded payload or None)."""
    with tempfile.TemporaryDirectory(prefix="llmcourse-quiz-") as inputs:
        answer = Path(inputs) / SUBMIT_FILE
        answer.write_text(code, encoding="utf-8")
        cases = Path(inputs) / "cases.json"
        cases.write_text(json.dumps(question.cases), encoding="utf-8")
        os.chmod(inputs, 0o755)
        answer.chmod(0o644)
        cases.chmod(0o644)
        binds = [Bind(LABKIT_DIR, f"{INSIDE_LIB}/labkit"), Bind(HARNESS, f"{INSIDE_LIB}/quiz_harness.py"),
                 Bind(cases, INSIDE_CASES), Bind(answer, f"{INSIDE_WORK}/{SUBMIT_FILE}")]
        env = {"HOME": INSIDE_WORK, "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "PYTHONHASHSEED": "0",
               "PYTHONDONTWRITEBYTECODE": "1", "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
               "MKL_NUM_THREADS": "1", "QUIZ_SUBMISSION": f"{INSIDE_WORK}/{SUBMIT_FILE}",
               "QUIZ_FUNCTION": question.function, "QUIZ_CASES": INSIDE_CASES, "QUIZ_CASE_SECONDS": str(CASE_SECONDS)}
        run = run_sandboxed([sys.executable, "-I", "-B", f"{INSIDE_LIB}/quiz_harness.py"], binds=binds, env=env,
                            limits=limits(), workdir=INSIDE_WORK,
                            insecure=settings.insecure_sandbox, uid=settings.sandbox_uid)
    return run, decode_payload(run.result)


def version_key(question: CodeQuestion) -> str:
    material = json.dumps({"function": question.function, "solution": question.solution, "cases": question.cases,
                           "harness": HARNESS.read_text(encoding="utf-8")}, sort_keys=True)
    return hashlib.sha256(material.encode()).hexdigest()[:32]


def expected_outputs(question: CodeQuestion, settings: Settings) -> list[Any]:
    """The solution's return value for each case, built once per question version (file lock against a
    concurrent build) and cached as the harness's JSON."""
    folder = settings.references_dir / "quizzes"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{question.id}-{version_key(question)}.json"
    if not path.exists():
        with open(folder / ".lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not path.exists():
                run, payload = run_code(question, question.solution, settings)
                _ensure_solution_ok(question, run, payload)
                tmp = path.with_suffix(".tmp")
                tmp.write_bytes(run.result)
                os.replace(tmp, path)
    payload = decode_payload(path.read_bytes())
    if payload is None:
        raise QuestionBroken(f"{question.id}: unreadable reference file {path}")
    records = payload["runs"]["0"]
    return [records[f"case{i}"]["value"] for i in range(len(question.cases))]


def _ensure_solution_ok(question: CodeQuestion, run, payload: dict | None) -> None:
    if run.status != "ok" or payload is None or payload.get("import_error"):
        detail = (payload or {}).get("import_error") or run.stderr_tail[-1500:] or run.status
        if isinstance(detail, dict):
            detail = detail.get("message", "")
        raise QuestionBroken(f"the solution did not run ({run.status}): {detail}")
    for index in range(len(question.cases)):
        record = payload["runs"]["0"].get(f"case{index}")
        if record is None or not record["ok"]:
            message = record["error"]["message"] if record else "no output"
            raise QuestionBroken(f"the solution fails on case {index + 1}: {message}")


def call_text(question: CodeQuestion, args: list) -> str:
    text = f"{question.function}({', '.join(repr(a) for a in args)})"
    return text if len(text) <= 300 else text[:297] + "..."


def compare(question: CodeQuestion, got: Any, expected: Any):
    if question.compare == "allclose":
        return allclose(got, expected, question.rtol, question.atol)
    return exact(got, expected)


def grade_code(question: CodeQuestion, code: str, settings: Settings) -> dict:
    """Feedback for a code answer: {"passed", "total", "cases": [...], "message", "stdout", "seconds",
    "run_status"} where run_status is "ok", "timeout" (stopped for time) or "crashed" (any other way the
    run ended early). Raises SandboxUnavailable (no bubblewrap), SandboxKilled (killed from outside) or
    QuestionBroken (the question's own solution fails)."""
    expected = expected_outputs(question, settings)
    started = time.monotonic()
    run, payload = run_code(question, code, settings)
    seconds = round(time.monotonic() - started, 3)
    total = len(question.cases)
    base = {"passed": 0, "total": total, "stdout": run.stdout_tail[-2000:], "seconds": seconds, "message": None,
            "run_status": "crashed"}
    if run.status != "ok":
        message = STATUS_MESSAGES.get(run.status, "Your code stopped unexpectedly.").format(memory=1024, wall=WALL_SECONDS)
        return {**base, "message": message, "cases": _all_failed(question, expected, message),
                "run_status": "timeout" if run.status in TIME_LIMITS else "crashed"}
    if payload is None:
        message = ("Your code ended the run before any result was written (a crash, sys.exit or os._exit).\n"
                   + run.stderr_tail[-1500:])
        return {**base, "message": message, "cases": _all_failed(question, expected, message)}
    if payload.get("import_error"):
        error = payload["import_error"] if isinstance(payload["import_error"], dict) else {}
        message = "Your code could not be loaded, so no case ran.\n" + str(error.get("traceback", ""))[:3000]
        return {**base, "message": message, "cases": _all_failed(question, expected, message),
                "run_status": "timeout" if error.get("type") == TIMED_OUT_CALL else "crashed"}
    cases = []
    for index, args in enumerate(question.cases):
        record = payload["runs"].get("0", {}).get(f"case{index}")
        entry = {"call": call_text(question, args), "expected": describe(expected[index], 300), "got": None,
                 "passed": False, "message": ""}
        if record is None:
            entry["message"] = "No output was produced for this case."
        elif not record["ok"]:
            entry["message"] = record["error"]["traceback"] or record["error"]["message"]
        else:
            try:
                verdict = compare(question, record["value"], expected[index])
            except Exception as exc:  # noqa: BLE001 - an odd student value must not crash the grader
                verdict = None
                entry["message"] = f"Your return value could not be compared: {type(exc).__name__}: {exc}"
            entry["got"] = describe(record["value"], 300)
            if verdict is not None:
                entry["passed"] = verdict.passed
                entry["message"] = "" if verdict.passed else verdict.feedback
        entry["timed_out"] = bool(record and not record["ok"] and record["error"]["type"] == TIMED_OUT_CALL)
        cases.append(entry)
    passed = sum(1 for c in cases if c["passed"])
    # nothing passed and the time limit is why: the answer reads "timeout" (no partial credit is lost)
    stopped = passed == 0 and any(c["timed_out"] for c in cases)
    return {**base, "passed": passed, "cases": cases, "run_status": "timeout" if stopped else "ok"}


def _all_failed(question: CodeQuestion, expected: list, message: str) -> list[dict]:
    return [{"call": call_text(question, args), "expected": describe(expected[i], 300), "got": None,
             "passed": False, "message": message if i == 0 else ""} for i, args in enumerate(question.cases)]


def check_code_questions(quizzes: list[ParsedQuiz], errors: ContentErrors, settings) -> None:
    """Through the sandbox: each code question's solution runs on every case and then scores full marks
    against its own outputs (so it is deterministic and comparable), and its starter does not."""
    for parsed in quizzes:
        for index, question in enumerate(parsed.quiz.questions):
            if not isinstance(question, CodeQuestion):
                continue
            try:
                solution = grade_code(question, question.solution, settings)
                starter = grade_code(question, question.starter, settings)
            except SandboxUnavailable as exc:
                errors.add(parsed.path, parsed.question_line(index), f"{question.id}: cannot run code: {exc}")
                return
            except QuestionBroken as exc:
                errors.add(parsed.path, parsed.question_line(index, "solution"), f"{question.id}: {exc}")
                continue
            if solution["passed"] != solution["total"]:
                failing = next((c for c in solution["cases"] if not c["passed"]), {})
                detail = solution["message"] or f"{failing.get('call')}: {failing.get('message')}"
                errors.add(parsed.path, parsed.question_line(index, "solution"),
                           f"{question.id}: the solution does not pass its own cases "
                           f"({solution['passed']}/{solution['total']}): {detail[:300]}")
            if starter["passed"] == starter["total"]:
                errors.add(parsed.path, parsed.question_line(index, "starter"),
                           f"{question.id}: the starter passes every case")
