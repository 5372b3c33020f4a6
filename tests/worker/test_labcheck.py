"""The lab author's check: mistakes written as overrides of the reference are graded as the reference
with the mistake's definitions replacing it; a broken mistake (one that passes its checks) is reported."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from worker.grading import Lab, grade
from worker.labcheck import check_lab, mistake_cases, submission_code

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "labs" / "lab03-probe"
OVERRIDE = '"""Common mistake: answer forgets the +1."""\n# overrides solution.py\n\n\ndef answer(x):\n    return x * 2\n'


@pytest.fixture
def lab_dir(tmp_path) -> Path:
    folder = tmp_path / "lab03-probe"
    shutil.copytree(FIXTURE, folder)
    (folder / "mistakes").mkdir()
    (folder / "mistakes" / "no_plus_one.py").write_text(OVERRIDE)
    (folder / "README.md").write_text("# Probe\n\n" + "Instructions that teach the probe lab. " * 50)
    return folder


def with_mistake(lab_dir: Path, fails: list[str]) -> None:
    manifest = lab_dir / "lab.yaml"
    manifest.write_text(manifest.read_text() + f"mistakes:\n  - file: mistakes/no_plus_one.py\n    fails: {fails}\n")


def test_an_override_mistake_is_the_reference_with_its_definitions_replaced(lab_dir):
    code = submission_code(Lab.load(lab_dir), lab_dir / "mistakes" / "no_plus_one.py")
    namespace: dict = {}
    exec(compile(code, "mistake.py", "exec"), namespace)
    assert namespace["answer"](5) == 10  # the mistake's version
    assert namespace["probe"]() == "nothing"  # the reference's, kept


def test_a_complete_mistake_file_is_graded_as_it_is(lab_dir):
    plain = lab_dir / "mistakes" / "whole.py"
    plain.write_text("def answer(x):\n    return 0\n")
    assert submission_code(Lab.load(lab_dir), plain) == plain.read_text()


@pytest.mark.labs
def test_check_lab_accepts_a_mistake_that_fails_its_named_checks(lab_dir, tmp_path):
    with_mistake(lab_dir, ["answer_visible", "answer_hidden"])
    assert check_lab(lab_dir, tmp_path / "references").problems == []


@pytest.mark.labs
def test_check_lab_reports_a_mistake_that_passes_a_check_it_should_fail(lab_dir, tmp_path):
    with_mistake(lab_dir, ["probe_runs"])
    problems = check_lab(lab_dir, tmp_path / "references").problems
    assert len(problems) == 1 and "no_plus_one.py:1: expected to fail ['probe_runs']" in problems[0]


def test_a_mistake_is_run_only_on_the_cases_of_the_checks_it_must_fail(lab_dir):
    lab = Lab.load(lab_dir)
    assert mistake_cases(lab, ["answer_visible", "answer_hidden"]) == ("answer",)
    assert mistake_cases(lab, ["probe_runs", "answer_hidden"]) == ("answer", "probe")


def test_every_case_runs_where_the_labs_checks_read_other_cases_outputs(lab_dir):
    checks = lab_dir / "checks.py"
    checks.write_text(checks.read_text() + "\n\ndef uses_answer(got, expected, ctx):\n"
                      "    return got == expected and 'answer' in ctx.outputs\n")
    assert mistake_cases(Lab.load(lab_dir), ["answer_visible"]) is None


@pytest.mark.labs
def test_a_run_restricted_to_some_cases_leaves_the_other_checks_without_output(lab_dir, tmp_path):
    lab = Lab.load(lab_dir)
    result = grade(lab, (lab_dir / "solution.py").read_text(), references_dir=tmp_path / "references",
                   hidden_seeds=[1], cases=("answer",))
    by_name = {t["name"]: t for t in result["tests"]}
    assert by_name["answer_visible"]["passed"] and by_name["answer_hidden"]["passed"]
    assert not by_name["probe_runs"]["passed"] and "No output" in by_name["probe_runs"]["feedback"]
