"""Hostile submissions through the real bubblewrap sandbox, on the cold path and forked from a zygote
(warm): each ends with a clear status, the score stays honest, and the next (good) submission is graded
normally."""
from __future__ import annotations

import os
import subprocess
import textwrap
import time
from pathlib import Path

import pytest

from tests.worker.warm_paths import MODES, graded_in, harness_in
from worker.grading import Lab
from worker.zygote import ZYGOTES

pytestmark = pytest.mark.labs
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "labs"
GOOD = "def answer(x):\n    return x * 2 + 1\n\ndef probe():\n    return 'ok'\n"


@pytest.fixture(scope="module", params=MODES, autouse=True)
def mode(request):
    yield request.param
    ZYGOTES.clear()


@pytest.fixture(scope="module")
def probe_lab() -> Lab:
    return Lab.load(FIXTURES / "lab03-probe")


@pytest.fixture(scope="module")
def refs(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("refs")


def graded(lab, code, refs, mode):
    return graded_in(mode, lab, code, refs)


def probe_value(lab, body: str, mode: str) -> str:
    code = "def answer(x):\n    return 0\n\ndef probe():\n" + textwrap.indent(textwrap.dedent(body), "    ")
    run, payload = harness_in(mode, lab, code, [0])
    assert run.status == "ok", run
    record = payload["runs"]["0"]["probe"]
    assert record["ok"], record
    return record["value"]


def processes_named(name: str) -> list[int]:
    """Live processes whose name (/proc/PID/comm, inherited across fork) is `name`: a hostile submission
    names itself first, so whatever it leaves behind is surely this run's."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == name:
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def survivors(name: str, grace: float = 3.0) -> dict[int, str]:
    """Processes named `name` still there after `grace` seconds (a killed process may stay a zombie for a
    moment until its reaper collects it), with their state line."""
    deadline = time.monotonic() + grace
    while (left := processes_named(name)) and time.monotonic() < deadline:
        time.sleep(0.05)
    states = {}
    for pid in left:
        try:
            states[pid] = Path(f"/proc/{pid}/stat").read_text()[:100]
        except OSError:
            continue
    return states


NAME_ITSELF = "import ctypes\nctypes.CDLL(None).prctl(15, b'{name}', 0, 0, 0)\n"


def assert_still_healthy(lab, refs, mode):
    result = graded(lab, GOOD, refs, mode)
    assert result["status"] == "graded"
    assert result["score"] == result["max_score"] == 3.0


def test_infinite_loop_times_out(probe_lab, refs, mode):
    result = graded(probe_lab, "while True:\n    pass\n", refs, mode)
    assert result["status"] == "timeout"
    assert result["score"] == 0
    assert "CPU time" in result["tests"][0]["feedback"] or "wall-time" in result["tests"][0]["feedback"]
    assert_still_healthy(probe_lab, refs, mode)


def test_sleeping_code_hits_wall_limit(probe_lab, refs, mode):
    result = graded(probe_lab, "import time\ntime.sleep(60)\n", refs, mode)
    assert result["status"] == "timeout"
    assert "wall-time limit" in result["tests"][0]["feedback"]


def test_memory_bomb_is_stopped(probe_lab, refs, mode):
    code = "blocks = []\nwhile True:\n    blocks.append(bytearray(50 * 1024 * 1024))\n"
    result = graded(probe_lab, code, refs, mode)
    assert result["status"] == "error"
    assert result["score"] == 0
    assert "memory" in result["tests"][0]["feedback"].lower()
    assert_still_healthy(probe_lab, refs, mode)


@pytest.fixture
def host_sleepers():
    """Unrelated host processes started by the test, which no sandbox may take down."""
    sleepers = [subprocess.Popen(["sleep", "300"]) for _ in range(5)]
    yield sleepers
    for sleeper in sleepers:
        sleeper.kill()
        sleeper.wait()


@pytest.mark.parametrize("body", [
    "while True:\n    try:\n        os.fork()\n    except OSError:\n        pass\n",
    # short-lived process churn: PIDs come and go quickly, the case where killing PIDs read from a list
    # a moment earlier could hit a reused PID
    "while True:\n    try:\n        if os.fork() == 0:\n            os._exit(0)\n    except OSError:\n        pass\n"
    "    try:\n        os.waitpid(-1, os.WNOHANG)\n    except ChildProcessError:\n        pass\n",
], ids=["fork-bomb", "process-churn"])
def test_fork_bomb_and_churn_are_contained_and_cleaned_up(probe_lab, refs, mode, body, host_sleepers):
    name = f"llmc-bomb-{mode}"
    code = NAME_ITSELF.format(name=name) + "import os\n" + body
    result = graded(probe_lab, code, refs, mode)
    assert result["status"] in ("timeout", "error")
    assert result["score"] == 0
    assert survivors(name) == {}, "sandbox processes survived the run"
    assert all(sleeper.poll() is None for sleeper in host_sleepers), "a host process was killed"
    assert_still_healthy(probe_lab, refs, mode)


def test_no_network_even_to_local_redis(probe_lab, mode):
    value = probe_value(probe_lab, """
        import socket
        s = socket.socket()
        s.settimeout(2)
        try:
            s.connect(("127.0.0.1", 6379))
            return "connected"
        except OSError as exc:
            return "blocked: " + type(exc).__name__
    """, mode)
    assert value.startswith("blocked"), value


def test_files_outside_the_work_dir_are_invisible(probe_lab, tmp_path, mode):
    home_secret = Path.home() / ".llmcourse-probe-secret"
    home_secret.write_text("secret")
    secret_paths = [str(probe_lab.dir / "solution.py"), str(probe_lab.dir / "checks.py"), "/etc/passwd",
                    os.environ["LLMCOURSE_DATA_DIR"], str(home_secret), str(tmp_path), "/work/main/app"]
    value = probe_value(probe_lab, f"""
        import os
        seen = []
        for path in {secret_paths!r}:
            if os.path.exists(path):
                seen.append(path)
        return ",".join(seen) or "none"
    """, mode)
    home_secret.unlink()
    assert value == "none"


def test_environment_is_cleared(probe_lab, mode):
    os.environ["LLMCOURSE_SECRET_PROBE"] = "do-not-leak"
    try:
        value = probe_value(probe_lab, """
            import os
            return ",".join(sorted(k for k in os.environ if "LLMCOURSE" in k or "BROKER" in k or "SECRET" in k)) or "clean"
        """, mode)
    finally:
        del os.environ["LLMCOURSE_SECRET_PROBE"]
    assert value == "clean"


def test_system_is_read_only(probe_lab, mode):
    value = probe_value(probe_lab, """
        results = []
        for path in ("/usr/evil", "/sandbox/lab/harness.py", "/evil"):
            try:
                open(path, "w").write("x")
                results.append("wrote " + path)
            except OSError:
                pass
        return ";".join(results) or "read-only"
    """, mode)
    assert value == "read-only"


def test_fake_result_written_to_the_result_pipe_scores_nothing(probe_lab, refs, mode):
    code = textwrap.dedent("""
        import json, os
        fake = {"format": 1, "import_error": None, "shown": {},
                "runs": {s: {"answer": {"ok": True, "value": "PASSED"}, "probe": {"ok": True, "value": "x"}}
                         for s in os.environ["LABKIT_SEEDS"].split(",")},
                "score": 3, "status": "graded", "tests": [{"name": "answer_visible", "passed": True}]}
        os.write(int(os.environ["LABKIT_RESULT_FD"]), json.dumps(fake).encode())
        os._exit(0)
    """)
    result = graded(probe_lab, code, refs, mode)
    assert result["status"] == "graded"
    passed = {t["name"]: t["passed"] for t in result["tests"]}
    assert passed["answer_visible"] is False and passed["answer_hidden"] is False
    assert result["score"] == 1.0  # only the string-typed probe check, which the fake honestly satisfies


def test_fake_result_file_in_work_dir_is_ignored(probe_lab, refs, mode):
    code = "open('result.json', 'w').write('{\"score\": 3}')\n" + \
           "def answer(x):\n    return -1\n\ndef probe():\n    return 'x'\n"
    result = graded(probe_lab, code, refs, mode)
    assert result["score"] == 1.0
    assert not any(t["passed"] for t in result["tests"] if t["name"].startswith("answer"))


def test_printed_fake_verdict_is_not_believed(probe_lab, refs, mode):
    code = ("print('{\"status\": \"graded\", \"score\": 3.0, \"max_score\": 3.0}')\nprint('ALL TESTS PASSED 3/3')\n"
            "def answer(x):\n    return None\n\ndef probe():\n    return 1\n")
    result = graded(probe_lab, code, refs, mode)
    assert result["score"] == 0
    assert "ALL TESTS PASSED" in result["stdout_tail"]


def test_flood_of_stdout_is_cut_off(probe_lab, refs, mode):
    code = "import sys\nchunk = 'x' * 1024 * 1024\nfor _ in range(50):\n    sys.stdout.write(chunk)\nsys.stdout.flush()\n"
    result = graded(probe_lab, code, refs, mode)
    assert result["status"] == "error"
    assert "printed more than" in result["tests"][0]["feedback"]
    assert len(result["stdout_tail"]) < 64 * 1024
    assert_still_healthy(probe_lab, refs, mode)


def test_closing_the_result_pipe_gives_a_clear_error(probe_lab, refs, mode):
    code = "import os\nos.close(int(os.environ['LABKIT_RESULT_FD']))\ndef answer(x):\n    return x\n"
    result = graded(probe_lab, code, refs, mode)
    assert result["status"] == "error"
    assert "before any result was written" in result["tests"][0]["feedback"]


def test_file_size_limit(probe_lab, mode):
    value = probe_value(probe_lab, """
        try:
            with open("big.bin", "wb") as f:
                f.write(b"0" * (6 * 1024 * 1024))
            return "wrote"
        except OSError as exc:
            return "refused: " + type(exc).__name__
    """, mode)
    assert value.startswith("refused"), value
