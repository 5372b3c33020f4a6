"""The terminal client against a live server and worker: login stores a 0600 token, submit --wait prints
the per-check table, status shows a submission; clear messages when something is wrong."""
from __future__ import annotations

import io
import json
import stat
import subprocess
import sys

import pytest

from app import client as terminal
from tests.livestack import ROOT, LiveStack
from tests.worker.test_celery_worker import FIXTURE_LABS, GOOD

pytestmark = [pytest.mark.worker, pytest.mark.labs]
WRONG = "def answer(x):\n    return x * 2\n\ndef probe():\n    return 'ok'\n"


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    data = tmp_path_factory.mktemp("client-live")
    stack = LiveStack(data, labs_dir=FIXTURE_LABS)
    stack.prepare()
    stack.cli("users", "create", "--email", "s@example.com", "--password", "password123", "--role", "grader")
    stack.start_web()
    stack.start_worker()
    yield stack
    stack.stop()


def llmcourse(config, *args, stdin: str = "") -> subprocess.CompletedProcess:
    env = {k: v for k, v in __import__("os").environ.items() if not k.startswith("LLMCOURSE_")}
    env["XDG_CONFIG_HOME"] = str(config)
    return subprocess.run([sys.executable, "-m", "worker.cli", *args], input=stdin, env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=180)


def test_login_submit_wait_and_status_against_a_live_server(live, tmp_path):
    config = tmp_path / "config"
    done = llmcourse(config, "login", "--url", live.base_url + "/", "--email", "s@example.com", "--password-stdin",
                     stdin="password123\n")
    assert done.returncode == 0, done.stderr
    saved = config / "llmcourse" / "credentials.json"
    assert f"Signed in to {live.base_url} as s@example.com; token saved in {saved}" in done.stdout
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600 and stat.S_IMODE(saved.parent.stat().st_mode) == 0o700
    assert json.loads(saved.read_text())["url"] == live.base_url

    solution = tmp_path / "solution.py"
    solution.write_text(GOOD)
    done = llmcourse(config, "submit", "lab03", str(solution), "--wait")
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("Submitted solution.py to lab03: submission ")
    submission_id = int(lines[0].split("submission ")[1].split()[0])
    assert f"lab03 submission {submission_id}: graded" in done.stdout
    header = next(line for line in lines if line.startswith("Check"))
    assert header.split() == ["Check", "Points", "Result", "Feedback"]
    assert "queued..." in done.stderr or "running..." in done.stderr  # no terminal: one line per state
    table_rows = lines[lines.index(header) + 2:]
    assert table_rows and all(" pass " in row for row in table_rows)

    wrong = tmp_path / "wrong.py"
    wrong.write_text(WRONG)
    done = llmcourse(config, "submit", "lab03", str(wrong), "--wait")
    assert done.returncode == 0, done.stdout + done.stderr  # graded (with a failed check) is a clean exit
    assert "FAIL" in done.stdout and ", 3/3 points" not in done.stdout

    status = llmcourse(config, "status", str(submission_id))
    assert status.returncode == 0 and f"lab03 submission {submission_id}: graded" in status.stdout


def test_wrong_password_unknown_lab_and_no_login_get_clear_messages(live, tmp_path):
    config = tmp_path / "config"
    done = llmcourse(config, "submit", "lab03", __file__)
    assert done.returncode == 1 and "Not signed in. Run: llmcourse login --url" in done.stderr
    done = llmcourse(config, "login", "--url", live.base_url, "--email", "s@example.com", "--password-stdin",
                     stdin="wrong-password\n")
    assert done.returncode == 1 and "Wrong email or password. (HTTP 401)" in done.stderr
    assert not (config / "llmcourse" / "credentials.json").exists()
    done = llmcourse(config, "login", "--url", "course.example.org")
    assert done.returncode == 1 and "is not a web address" in done.stderr
    assert llmcourse(config, "login", "--url", live.base_url, "--email", "s@example.com", "--password-stdin",
                     stdin="password123\n").returncode == 0
    done = llmcourse(config, "submit", "lab99", __file__)
    assert done.returncode == 1 and "(HTTP 404)" in done.stderr
    done = llmcourse(config, "status", "999999")
    assert done.returncode == 1 and "(HTTP 404)" in done.stderr


class FakeApi:
    def __init__(self, states):
        self.states = iter(states)

    def request(self, method, path):
        state = next(self.states)
        return {"submission_id": 7, "lab_id": "lab02", "status": state, "score": 3.0, "max_score": 4.0,
                "tests": [{"name": "counts", "points": 3, "max_points": 3, "passed": True, "feedback": "ok"},
                          {"name": "hidden_case", "points": 0, "max_points": 1, "passed": False,
                           "feedback": "Failed on hidden inputs.\nHint: ties"}]}


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_a_spinner_turns_while_queued_and_running_on_a_terminal():
    screen = Terminal()
    result = terminal.wait_for_result(FakeApi(["queued", "queued", "running", "graded"]), 7, stream=screen, poll=0)
    frames = screen.getvalue().split("\r")
    assert [f.split()[0] for f in frames if f.strip() and f.split()[0] in "|/-\\"] == ["|", "/", "-"]
    assert "queued" in screen.getvalue() and "running" in screen.getvalue()
    text = terminal.table(result)
    assert text.splitlines()[0] == "lab02 submission 7: graded, 3/4 points"
    assert "hidden_case  0/1     FAIL    Failed on hidden inputs. Hint: ties" in text
