"""A worker that is not root (the worker image's `llmcourse` user) builds its sandboxes with an unprivileged
user namespace: bubblewrap needs --unshare-user for --disable-userns, or every run fails."""
from __future__ import annotations

import shutil
import subprocess

import pytest

import worker.sandbox
from worker.sandbox import SandboxLimits, bubblewrap_argv

WORKER_UID = 10001  # the image's llmcourse user


@pytest.fixture
def as_unprivileged_worker(monkeypatch):
    if shutil.which("setpriv") is None:
        pytest.fail("setpriv (util-linux) is missing: scripts/bootstrap.sh installs it")
    monkeypatch.setattr(worker.sandbox, "python_roots", lambda: [])  # /bin/sh needs no interpreter binds

    def run(script: str) -> subprocess.CompletedProcess:
        argv = bubblewrap_argv(["/bin/sh", "-c", script], [], {"PATH": "/usr/bin:/bin"}, SandboxLimits(),
                               "/sandbox/work", 65534, [], account=None)
        return subprocess.run(["setpriv", f"--reuid={WORKER_UID}", f"--regid={WORKER_UID}", "--clear-groups",
                               *argv], capture_output=True, text=True, timeout=30)

    return run


def test_a_non_root_worker_runs_a_sandbox_as_the_mapped_unprivileged_user(as_unprivileged_worker):
    done = as_unprivileged_worker("echo uid=$(id -u) host=$(hostname); tail -n +3 /proc/net/dev | cut -d: -f1")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.split()
    assert lines[:2] == ["uid=65534", "host=sandbox"] and lines[2:] == ["lo"]  # an empty network namespace


def test_code_in_it_cannot_make_a_user_namespace_of_its_own(as_unprivileged_worker):
    done = as_unprivileged_worker("unshare --user true && echo made-one || echo refused")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "refused"
