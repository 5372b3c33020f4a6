"""Privilege attacks from inside the sandbox, over every way student code runs (cold lab run, warm lab
run, quiz code question): the code is never host root, nothing of the host is writable, and the seccomp
filter refuses the syscalls that reach outside (docs/security.md)."""
from __future__ import annotations

from pathlib import Path

import pytest

from app.config import get_settings
from worker.quiz_grading import run_code
from app.quizzes.schemas import CodeQuestion
from worker.grading import Lab, run_harness
from tests.worker.warm_paths import harness_in
from worker.zygote import ZYGOTES

pytestmark = pytest.mark.labs
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "labs"
PATHS = ("cold", "warm", "quiz")

PROBE = '''
import ctypes, os, platform

def _host_uid():
    uid = os.getuid()
    for line in open("/proc/self/uid_map"):
        inside, outside, count = map(int, line.split())
        if inside <= uid < inside + count:
            return outside + uid - inside
    return -1

def _writable_mounts():
    allowed = {"/tmp", "/dev/shm", "/sandbox/work", "/dev", "/proc"}
    found = []
    for line in open("/proc/self/mountinfo"):
        fields = line.split()
        point, options = fields[4], fields[5].split(",")
        if "rw" in options and point not in allowed and not point.startswith("/dev/"):
            found.append(point)
    return found

def _writable_files(root):
    found = []
    for folder, _, files in os.walk(root):
        for name in files:
            path = os.path.join(folder, name)
            if os.access(path, os.W_OK):
                found.append(path)
    return found

def _writes(paths):
    done = []
    for path in paths:
        try:
            with open(path, "a") as handle:
                handle.write("")
            done.append(path)
        except OSError:
            pass
    return done

NUMBERS = {"x86_64": {"ptrace": 101, "mount": 165, "keyctl": 250, "bpf": 321, "perf_event_open": 298,
                      "userfaultfd": 323, "unshare": 272, "kexec_load": 246},
           "aarch64": {"ptrace": 117, "mount": 40, "keyctl": 219, "bpf": 280, "perf_event_open": 241,
                       "userfaultfd": 282, "unshare": 97, "kexec_load": 104}}
CALLS = {"ptrace": (16, 1, 0, 0), "mount": (b"none", b"/tmp", b"tmpfs", 0, 0), "keyctl": (0, 0, 0, 0),
         "bpf": (0, 0, 0), "perf_event_open": (0, 0, -1, -1, 0), "userfaultfd": (0,),
         "unshare": (0x10000000,), "kexec_load": (0, 0, 0, 0)}

def _refused_syscalls():
    libc = ctypes.CDLL(None, use_errno=True)
    numbers = NUMBERS[platform.machine()]
    answers = {}
    for name, args in CALLS.items():
        ctypes.set_errno(0)
        result = libc.syscall(numbers[name], *args)
        answers[name] = "EPERM" if result == -1 and ctypes.get_errno() == 1 else f"result {result} errno {ctypes.get_errno()}"
    return answers

def probe():
    status = open("/proc/self/status").read()
    return {"host_uid": _host_uid(),
            "cap_eff": [l.split()[1] for l in status.splitlines() if l.startswith("CapEff")][0],
            "no_new_privs": [l.split()[1] for l in status.splitlines() if l.startswith("NoNewPrivs")][0],
            "seccomp": [l.split()[1] for l in status.splitlines() if l.startswith("Seccomp:")][0],
            "writable_mounts": _writable_mounts(),
            "writable_proc_sys": _writable_files("/proc/sys")[:5],
            "writable_sys": _writable_files("/sys")[:5] if os.path.isdir("/sys") else [],
            "host_writes": _writes(["/proc/sys/kernel/core_pattern", "/proc/sys/vm/overcommit_memory",
                                    "/proc/sys/fs/file-max", "/usr/llmcourse-probe", "/etc/llmcourse-probe",
                                    "/llmcourse-probe", "/sandbox/lab/llmcourse-probe"]),
            "syscalls": _refused_syscalls()}

def answer(x):
    return 0
'''


def _probe_lab() -> Lab:
    return Lab.load(FIXTURES / "lab03-probe")


def probe_from(path: str) -> dict:
    if path == "quiz":
        question = CodeQuestion(id="w01-probe", type="code", prompt="probe", explanation="probe",
                                function="probe", starter="def probe(): ...", solution=PROBE, cases=[[]])
        run, payload = run_code(question, PROBE, get_settings())
        assert run.status == "ok", run
        record = payload["runs"]["0"]["case0"]
    else:
        run, payload = harness_in(path, _probe_lab(), PROBE, [0])
        assert run.status == "ok", run
        record = payload["runs"]["0"]["probe"]
    assert record["ok"], record
    return record["value"]


@pytest.fixture(scope="module", params=PATHS)
def findings(request):
    yield probe_from(request.param)
    ZYGOTES.clear()


def test_sandboxed_code_is_never_host_root(findings):
    assert findings["host_uid"] not in (0, -1)
    assert int(findings["cap_eff"], 16) == 0


def test_no_host_file_or_kernel_setting_is_writable(findings):
    assert findings["writable_mounts"] == []
    assert findings["writable_proc_sys"] == []
    assert findings["writable_sys"] == []
    assert findings["host_writes"] == []


def test_seccomp_refuses_syscalls_that_reach_outside_the_sandbox(findings):
    assert findings["no_new_privs"] == "1" and findings["seccomp"] == "2"  # 2: a filter is loaded
    assert findings["syscalls"] == {name: "EPERM" for name in findings["syscalls"]}
    assert set(findings["syscalls"]) >= {"ptrace", "mount", "keyctl", "bpf", "perf_event_open", "userfaultfd",
                                         "unshare", "kexec_load"}


def test_without_libseccomp_no_student_code_runs(monkeypatch):
    from worker import sandbox
    from worker.seccomp import SeccompUnavailable

    def missing():
        raise SeccompUnavailable("libseccomp is not installed")

    monkeypatch.setattr(sandbox, "program_fd", missing)
    with pytest.raises(sandbox.SandboxUnavailable, match="libseccomp"):
        run_harness(_probe_lab(), PROBE, [0])


def test_a_root_worker_drops_to_the_dedicated_sandbox_user():
    from worker.sandbox import sandbox_account

    import os
    import pwd

    account = sandbox_account()
    if os.geteuid() != 0:  # an unprivileged worker runs sandboxes under its own (non-zero) uid
        assert account is None
        return
    assert pwd.getpwuid(account.uid).pw_name == "llmcourse-sandbox"
    assert account.uid != 0 and account.gid != 0
