"""Code questions through the real sandbox (bubblewrap): outputs come out, the verdict is made outside."""
import json

import pytest

from app.config import get_settings
from app.quizzes.schemas import QUESTION_ADAPTER
from app.quizzes.scoring import score_code
from worker.quiz_grading import QuestionBroken, expected_outputs, grade_code, version_key

SPEC = {"id": "w01-code", "type": "code", "prompt": "p", "explanation": "e", "function": "stats",
        "starter": "def stats(xs):\n    raise NotImplementedError\n",
        "solution": "def stats(xs):\n    return {'n': len(xs), 'mean': sum(xs) / len(xs) if xs else 0.0}\n",
        "cases": [[[1, 2, 3]], [[0.1, 0.2]], [[]]], "compare": "exact"}


def question(**changes):
    return QUESTION_ADAPTER.validate_python({**SPEC, **changes})


def test_the_solution_passes_every_case():
    feedback = grade_code(question(), SPEC["solution"], get_settings())
    assert (feedback["passed"], feedback["total"]) == (3, 3)
    assert feedback["cases"][0]["call"] == "stats([1, 2, 3])"
    assert feedback["cases"][0]["expected"] == feedback["cases"][0]["got"] == "{'n': 3, 'mean': 2.0}"


def test_exact_compare_fails_float_noise_and_allclose_accepts_it():
    noisy = "def stats(xs):\n    return {'n': len(xs), 'mean': (sum(xs) + 1e-12) / len(xs) if xs else 0.0}\n"
    exact = grade_code(question(), noisy, get_settings())
    assert exact["passed"] == 1 and "differ" in exact["cases"][0]["message"]
    close = grade_code(question(compare="allclose", rtol=1e-6, atol=1e-9, cases=[[[1, 2, 3]], [[0.1, 0.2]]],
                                solution="def stats(xs):\n    return [len(xs), sum(xs) / len(xs)]\n"),
                       "def stats(xs):\n    return [len(xs), (sum(xs) + 1e-12) / len(xs)]\n", get_settings())
    assert close["passed"] == 2


def test_wrong_answers_get_per_case_feedback():
    feedback = grade_code(question(), "def stats(xs):\n    return {'n': len(xs), 'mean': sum(xs) / len(xs)}\n",
                          get_settings())
    assert feedback["passed"] == 2
    failing = feedback["cases"][2]
    assert failing["call"] == "stats([])" and not failing["passed"]
    assert "ZeroDivisionError" in failing["message"] and 'File "answer.py", line 2' in failing["message"]


def test_starter_and_import_errors():
    starter = grade_code(question(), SPEC["starter"], get_settings())
    assert starter["passed"] == 0 and "NotImplementedError" in starter["cases"][0]["message"]
    syntax = grade_code(question(), "def stats(xs)\n    return 1\n", get_settings())
    assert syntax["passed"] == 0 and "could not be loaded" in syntax["message"] and "SyntaxError" in syntax["message"]
    missing = grade_code(question(), "def other(xs):\n    return 1\n", get_settings())
    assert "does not define a function named 'stats'" in missing["message"]


def test_a_looping_call_is_stopped_and_others_still_run():
    code = "def stats(xs):\n    while not xs:\n        pass\n    return {'n': len(xs), 'mean': sum(xs) / len(xs)}\n"
    feedback = grade_code(question(), code, get_settings())
    assert feedback["passed"] == 2 and feedback["run_status"] == "ok"  # partial credit stays
    assert "took longer than" in feedback["cases"][2]["message"] and feedback["cases"][2]["timed_out"]


def test_code_stopped_for_time_reads_timeout_and_a_crash_reads_crashed():
    stuck = grade_code(question(), "while True:\n    pass\n", get_settings())  # never finishes loading
    assert stuck["run_status"] == "timeout" and "took longer than" in stuck["message"] and stuck["passed"] == 0
    assert score_code(question(), stuck).status == "timeout"
    crashed = grade_code(question(), "import os\nos._exit(3)\n", get_settings())
    assert crashed["run_status"] == "crashed" and "before any result was written" in crashed["message"]
    assert score_code(question(), crashed).status == "incorrect"


def test_the_sandbox_has_no_network_and_cannot_see_expected_values():
    code = ("import os, socket\n"
            "def stats(xs):\n"
            "    try:\n"
            "        socket.create_connection(('1.1.1.1', 53), timeout=1)\n"
            "        net = 'open'\n"
            "    except OSError:\n"
            "        net = 'none'\n"
            "    return {'net': net, 'files': sorted(os.listdir('/sandbox/quiz')), 'work': sorted(os.listdir('.'))}\n")
    feedback = grade_code(question(cases=[[[1]]]), code, get_settings())
    got = feedback["cases"][0]["got"]
    assert "'net': 'none'" in got
    assert "'files': ['cases.json']" in got and "'work': ['answer.py']" in got


def test_output_that_cannot_cross_the_boundary_is_a_case_failure():
    feedback = grade_code(question(cases=[[[1]]]), "def stats(xs):\n    return object()\n", get_settings())
    assert feedback["passed"] == 0 and "cannot return a value of type object" in feedback["cases"][0]["message"]


def test_expected_outputs_are_cached_per_question_version(tmp_path, monkeypatch):
    settings = get_settings().model_copy(update={"data_dir": tmp_path})
    q = question()
    assert expected_outputs(q, settings) == [{"n": 3, "mean": 2.0}, {"n": 2, "mean": pytest.approx(0.15)},
                                             {"n": 0, "mean": 0.0}]
    cached = list((tmp_path / "references" / "quizzes").glob("w01-code-*.json"))
    assert [p.name for p in cached] == [f"w01-code-{version_key(q)}.json"]
    json.loads(cached[0].read_text())  # JSON, never pickle
    monkeypatch.setattr("worker.quiz_grading.run_code", lambda *a, **k: pytest.fail("rebuilt a cached reference"))
    expected_outputs(q, settings)
    assert version_key(question(cases=[[[5]]])) != version_key(q)


def test_a_broken_solution_is_a_platform_problem(tmp_path):
    settings = get_settings().model_copy(update={"data_dir": tmp_path})
    with pytest.raises(QuestionBroken, match="case 3"):
        expected_outputs(question(solution="def stats(xs):\n    return sum(xs) / len(xs)\n"), settings)
