"""The `llmcourse` CLI contract (run in subprocesses against their own data dir)."""
from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from tests.livestack import LiveStack

FIXTURE_LABS = Path(__file__).resolve().parent / "fixtures" / "labs"
PROBE = FIXTURE_LABS / "lab03-probe"


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    live = LiveStack(tmp_path_factory.mktemp("cli"), labs_dir=FIXTURE_LABS)
    live.prepare()
    yield live
    live.stop()


def test_sync_twice_changes_nothing(stack):
    assert stack.cli("content", "sync") == "content is up to date (nothing changed)"


def test_users_create_and_token(stack):
    out = stack.cli("users", "create", "--email", "Cli@Example.com", "--password", "password123",
                    "--role", "grader", "--name", "Cli")
    assert out == "created grader cli@example.com (id 1)" or out.startswith("created grader cli@example.com")
    token = stack.cli("users", "token", "--email", "cli@example.com")
    assert token.startswith("llmc_") and len(token) > 30


@pytest.mark.labs
def test_labs_grade_json_prints_the_result_contract(stack):
    out = stack.cli("labs", "grade", "lab03", str(PROBE / "solution.py"), "--json")
    result = json.loads(out)
    assert result["status"] == "graded" and result["score"] == result["max_score"] == 3.0
    assert set(result) >= {"submission_id", "lab_id", "status", "score", "max_score", "tests", "stdout_tail",
                           "stderr_tail", "timings"}
    assert set(result["tests"][0]) >= {"name", "points", "max_points", "passed", "visible", "feedback"}


@pytest.mark.labs
def test_labs_grade_rejects_bad_input(stack, tmp_path):
    empty = tmp_path / "empty.py"
    empty.write_text("")
    import subprocess
    import sys

    for args, needle in [(["lab03", str(empty)], "empty"), (["lab77", str(empty)], "Unknown lab"),
                         (["lab03", str(tmp_path / "missing.py")], "No such file")]:
        done = subprocess.run([sys.executable, "-m", "worker.cli", "labs", "grade", *args, "--json"],
                              env=stack.env, capture_output=True, text=True)
        assert done.returncode == 2
        result = json.loads(done.stdout)
        assert result["status"] == "rejected" and needle in result["feedback"]


def test_labs_list_json_matches_the_api(stack):
    listed = json.loads(stack.cli("labs", "list", "--json"))
    assert [lab["id"] for lab in listed] == ["lab02", "lab03"]
    stack.cli("users", "create", "--email", "api@example.com", "--password", "password123")
    token = stack.cli("users", "token", "--email", "api@example.com")
    stack.start_web()
    api = httpx.get(stack.base_url + "/api/v1/labs", headers={"Authorization": f"Bearer {token}"}).json()
    assert api == listed


def test_content_check_reports_file_line_and_exits_1(stack, tmp_path):
    import shutil
    import subprocess
    import sys

    course = tmp_path / "course"
    shutil.copytree(Path(__file__).resolve().parent.parent / "course", course)
    week = course / "weeks" / "week02.md"
    week.write_text(week.read_text().replace("module: m01", "module: m42", 1))
    env = {**stack.env, "LLMCOURSE_COURSE_DIR": str(course)}
    done = subprocess.run([sys.executable, "-m", "worker.cli", "content", "check", "--no-grade"], env=env,
                          capture_output=True, text=True)
    assert done.returncode == 1
    assert f"{week}:" in done.stdout and "unknown module 'm42'" in done.stdout
