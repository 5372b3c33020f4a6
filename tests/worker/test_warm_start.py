"""Warm start as a fork server: every submission forks a fresh sandbox from the zygote of its lab's
environment, with the cold path's isolation and result, and nothing of one submission reaches the next,
the zygote or a sibling (docs/security.md, "Warm start")."""
from __future__ import annotations

import logging
import shutil
import textwrap
import threading
from pathlib import Path

import pytest

from tests.worker.warm_paths import ensure_warm, graded_in, harness_in
from worker import zygote as zygote_module
from worker.grading import Lab, grade, run_harness
from worker.zygote import ZYGOTES, environment_for, preimports

pytestmark = pytest.mark.labs
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "labs"
GOOD = "def answer(x):\n    return x * 2 + 1\n\ndef probe():\n    return 'ok'\n"


@pytest.fixture
def lab():
    ZYGOTES.clear()
    yield Lab.load(FIXTURES / "lab03-probe")
    ZYGOTES.clear()


def probe(lab, body: str):
    code = "def answer(x):\n    return 2 * x + 1\n\ndef probe():\n" + textwrap.indent(textwrap.dedent(body), "    ")
    run, payload = harness_in("warm", lab, code, [0])
    record = payload["runs"]["0"]["probe"]
    assert record["ok"], record
    return record["value"]


def test_warm_result_equals_cold(lab, tmp_path):
    seeds = {"hidden_seeds": [lab.manifest.hidden_seeds()[0]]}
    cold = graded_in("cold", lab, GOOD, tmp_path, **seeds)
    warm = graded_in("warm", lab, GOOD, tmp_path, **seeds)
    assert warm["tests"] == cold["tests"] and warm["score"] == cold["score"] == 3.0


def test_a_burst_forks_every_submission_from_the_zygote(lab, tmp_path):
    ensure_warm(lab)
    grade(lab, GOOD, references_dir=tmp_path, hidden_seeds=[lab.manifest.hidden_seeds()[0]])
    before = dict(ZYGOTES.starts)
    results = []

    def submit():
        results.append(grade(lab, GOOD, references_dir=tmp_path, hidden_seeds=[lab.manifest.hidden_seeds()[0]],
                             warm=True))

    threads = [threading.Thread(target=submit) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [r["score"] for r in results] == [3.0] * 8
    assert ZYGOTES.starts["warm"] - before["warm"] == 8 and ZYGOTES.starts["cold"] == before["cold"]


def test_a_child_sees_only_its_own_processes_and_cannot_reach_the_zygote(lab):
    value = probe(lab, """
        import os, signal
        pids = sorted(int(p) for p in os.listdir("/proc") if p.isdigit())
        try:
            open("/proc/1/mem", "rb").close()  # itself: PID 1 of its own namespace
            own = "own memory readable"
        except OSError as exc:
            own = type(exc).__name__
        try:
            os.kill(-1, signal.SIGKILL)  # everything it may signal: nothing but itself, so nothing
            signalled = "something"
        except ProcessLookupError:
            signalled = "nothing"
        return {"pids": pids, "me": os.getpid(), "parent": os.getppid(), "signalled": signalled}
    """)
    assert value == {"pids": [1], "me": 1, "parent": 0, "signalled": "nothing"}
    assert ZYGOTES.wait_ready() and probe(lab, "return 'zygote alive'") == "zygote alive"


def descendants(pid: int) -> list[int]:
    found = [pid]
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            found += descendants(int(child))
    return found


def test_the_zygotes_memory_is_out_of_reach(lab):
    ensure_warm(lab)
    [zygote] = ZYGOTES._current.values()
    host_pids = descendants(zygote.process.pid)  # bubblewrap and the zygote, as the host numbers them
    assert len(host_pids) >= 2
    value = probe(lab, f"""
        import os
        reached = []
        for pid in {host_pids!r} + [2, 3]:
            for path in (f"/proc/{{pid}}/mem", f"/proc/{{pid}}/environ"):
                try:
                    open(path, "rb").read(1)
                    reached.append(path)
                except OSError:
                    pass
            try:
                os.kill(pid, 0)
                reached.append(f"signal {{pid}}")
            except OSError:
                pass
        return reached
    """)
    assert value == []


def test_no_descriptor_is_inherited_but_the_jobs_own(lab):
    value = probe(lab, """
        import os
        found = {}
        for name in os.listdir("/proc/self/fd"):
            try:
                found[int(name)] = os.readlink(f"/proc/self/fd/{name}")
            except OSError:
                pass
        return sorted(target.split(":")[0] for fd, target in found.items() if fd > 2 and "fd" not in target)
    """)
    assert value == ["pipe"]  # the result pipe; no control socket, no zygote file, no sibling's pipe


def test_a_daemon_left_behind_dies_with_its_job(lab):
    name = "llmc-daemon"
    probe(lab, f"""
        import ctypes, os, time
        if os.fork() == 0:
            os.setsid()
            if os.fork() == 0:
                ctypes.CDLL(None).prctl(15, b"{name}", 0, 0, 0)
                while True:
                    with open("/tmp/daemon.txt", "a") as handle:
                        handle.write("still here\\n")
                    time.sleep(0.05)
            os._exit(0)
        time.sleep(0.3)
        return "left a daemon"
    """)
    from tests.worker.test_sandbox_hostile import survivors

    assert survivors(name) == {}
    assert probe(lab, "import os\nreturn sorted(os.listdir('/tmp'))") == []


def test_shared_memory_and_files_do_not_carry_over(lab):
    probe(lab, """
        for i in range(10):  # 40 MB of the 64 MB /dev/shm, in files under the lab's file-size limit
            with open(f"/dev/shm/filler{i}", "wb") as handle:
                handle.write(b"x" * 4 * 1024 * 1024)
        open("note.txt", "w").write("secret")
        return "filled"
    """)
    value = probe(lab, """
        import os
        for i in range(10):
            with open(f"/dev/shm/mine{i}", "wb") as handle:
                handle.write(b"y" * 4 * 1024 * 1024)
        return {"shm": len(os.listdir("/dev/shm")), "work": sorted(os.listdir("."))}
    """)
    assert value == {"shm": 10, "work": ["probe.py"]}


def test_modules_environment_and_cwd_do_not_carry_over(lab):
    tamper = textwrap.dedent("""
        import json, os, sys
        for path in ("/sandbox/lib/labkit/harness.py", "/sandbox/lib/labkit/__pycache__/encoding.cpython.pyc"):
            try:
                open(path, "a").write("raise SystemExit('tampered')")
            except OSError:
                pass
        json.dumps = lambda *args, **kwargs: "HACKED"
        sys.modules["labkit.encoding"] = None
        os.environ["LEAKED"] = "1"
        os.chdir("/tmp")
    """)
    harness_in("warm", lab, tamper + GOOD, [0])  # its own result is garbage; the next one must not be
    value = probe(lab, """
        import json, os
        return {"json": json.dumps([1]), "env": "LEAKED" in os.environ, "cwd": os.getcwd()}
    """)
    assert value == {"json": "[1]", "env": False, "cwd": "/sandbox/work"}


def test_limits_still_apply_in_a_forked_sandbox(lab, tmp_path):
    result = graded_in("warm", lab, "while True:\n    pass\n", tmp_path)
    assert result["status"] == "timeout"
    code = "blocks = []\nwhile True:\n    blocks.append(bytearray(50 * 1024 * 1024))\n"
    result = graded_in("warm", lab, code, tmp_path)
    assert result["status"] == "error" and "memory" in result["tests"][0]["feedback"].lower()


def test_a_zygote_that_cannot_start_means_cold_sandboxes_and_one_log_line(lab, tmp_path, monkeypatch, caplog):
    real_argv = zygote_module.zygote_argv
    monkeypatch.setattr(zygote_module, "zygote_argv",
                        lambda *a, **k: [real_argv(*a, **k)[0], "--no-such-option"] + real_argv(*a, **k)[1:])
    before = dict(ZYGOTES.starts)
    with caplog.at_level(logging.INFO, logger="worker.zygote"):
        results = [grade(lab, GOOD, references_dir=tmp_path, warm=True) for _ in range(3)]
        ZYGOTES.wait_ready(timeout=5)
        results.append(grade(lab, GOOD, references_dir=tmp_path, warm=True))
    assert [r["score"] for r in results] == [3.0] * 4
    assert ZYGOTES.starts["warm"] == before["warm"]
    failures = [r.getMessage() for r in caplog.records if "could not start" in r.getMessage()]
    assert len(failures) == 1 and "cold sandboxes" in failures[0]


def test_a_changed_lab_gets_a_new_zygote(lab, tmp_path):
    copy = tmp_path / "lab03-changing"
    shutil.copytree(FIXTURES / "lab03-probe", copy)
    first = Lab.load(copy)
    ensure_warm(first)
    [old] = ZYGOTES._current.values()
    (copy / "harness.py").write_text((copy / "harness.py").read_text() + "\n# changed\n")
    changed = Lab.load(copy)
    run, _ = run_harness(changed, GOOD, [0], warm=True)
    assert "warm" not in run.notes  # the old zygote does not mount this version: cold while the new one starts
    ensure_warm(changed)
    [new] = ZYGOTES._current.values()
    assert new is not old and not old.alive()


def test_a_torch_zygote_never_initialises_cuda_and_forks_with_one_thread(tmp_path):
    copy = tmp_path / "lab03-torch"
    shutil.copytree(FIXTURES / "lab03-probe", copy)
    (copy / "harness.py").write_text("import torch  # noqa: F401\n" + (copy / "harness.py").read_text())
    torch_lab = Lab.load(copy)
    assert environment_for(preimports(torch_lab)) == "torch"
    value = probe(torch_lab, """
        import sys, torch
        threads = [l for l in open("/proc/self/status") if l.startswith("Threads:")][0].split()[1]
        return {"cuda_initialised": torch.cuda.is_initialized(), "torch_preloaded": "torch" in sys.modules,
                "threads": threads}
    """)
    assert value == {"cuda_initialised": False, "torch_preloaded": True, "threads": "1"}


def test_environments_follow_the_labs_imports():
    labs = Path(__file__).resolve().parents[2] / "labs"
    lab15 = Lab.load(next(labs.glob("lab15-*")))
    assert "torch" in preimports(lab15) and environment_for(preimports(lab15)) == "torch"
    lab19 = Lab.load(next(labs.glob("lab19-*")))
    assert environment_for(preimports(lab19)) == "transformers"
    assert preimports(Lab.load(FIXTURES / "lab03-probe")) == []
    assert environment_for([]) == "numpy"  # the harness itself seeds numpy


NON_ROOT_PROBE = '''
import json, sys
sys.path.insert(0, sys.argv[1])
from pathlib import Path
from worker.grading import Lab, run_harness
from worker.zygote import ZYGOTES

lab = Lab.load(Path(sys.argv[2]))
code = "def answer(x):\\n    return 2 * x + 1\\ndef probe():\\n    status = open('/proc/self/status').read()\\n" \\
       "    return [l.split()[1] for l in status.splitlines() if l.startswith(('Uid', 'CapEff', 'NoNewPrivs', 'Seccomp:'))]\\n"
run_harness(lab, code, [0], warm=True)
ready = ZYGOTES.wait_ready()
run, payload = run_harness(lab, code, [0], warm=True)
print(json.dumps({"ready": ready, "notes": run.notes, "value": payload["runs"]["0"]["probe"]["value"]}))
ZYGOTES.clear()
'''


def test_a_non_root_worker_forks_warm_sandboxes_too():
    """The worker drops to the sandbox user (as a non-root container's worker runs) before it grades; the
    interpreter may sit below a directory others cannot enter (/root), so that one is opened in a private
    mount namespace for this test only."""
    from worker.sandbox import sandbox_account

    import tempfile

    account = sandbox_account()
    assert account is not None, "this test drops from root to the sandbox user"
    with tempfile.TemporaryDirectory(prefix="llmcourse-nonroot-") as folder:
        run_as_sandbox_user(Path(folder), account)


def run_as_sandbox_user(tmp_path: Path, account) -> None:
    import json
    import os
    import subprocess
    import sys

    script = tmp_path / "probe.py"
    script.write_text(NON_ROOT_PROBE)
    data = tmp_path / "data"
    data.mkdir()
    for path in (tmp_path, script, data):
        os.chown(path, account.uid, account.gid)
    opened = []
    for root in {Path(sys.base_prefix).resolve(), Path(sys.prefix).resolve(), Path(__file__).resolve().parents[2]}:
        closed = next((p for p in reversed(root.parents) if p != Path("/") and not p.stat().st_mode & 0o001), None)
        if closed is not None:
            opened += ["--tmpfs", str(closed), "--perms", "0755", "--dir", str(root), "--ro-bind", str(root),
                       str(root), "--chmod", "0755", str(closed)]
    argv = ["bwrap", "--dev-bind", "/", "/", *opened, "--", "setpriv", f"--reuid={account.uid}",
            f"--regid={account.gid}", "--clear-groups", "--", "env", f"HOME={tmp_path}",
            f"LLMCOURSE_DATA_DIR={data}", sys.executable, str(script), str(Path(__file__).resolve().parents[2]),
            str(FIXTURES / "lab03-probe")]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found["ready"] and found["notes"] == ["warm"]
    uid, cap_eff, no_new_privs, seccomp = found["value"]
    assert uid == "65534" and int(cap_eff, 16) == 0 and no_new_privs == "1" and seccomp == "2"
