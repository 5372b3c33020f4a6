"""Warm start as a fork server: one zygote per environment (numpy, sklearn, torch, transformers)
holds the heavy libraries, imported once, and forks a fresh sandbox per submission in milliseconds
(labkit/zygote.py does the forking; docs/security.md, "Warm start", lists what each child gets).

Any doubt falls back to the cold path with one log line: no zygote yet (it starts in the background and
the submission runs cold), a zygote that died, one whose lab files or artifacts are older than the job's,
a worker that is not root (the zygote needs to uncover /proc before it drops to the sandbox user)."""
from __future__ import annotations

import array
import itertools
import json
import logging
import os
import re
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path

from worker.cgroups import RunCgroup
from worker.sandbox import (
    WORLD_WRITABLE, Bind, SandboxLimits, SandboxRun, _parent_dirs, _rlimits, _system_binds, bubblewrap_path,
    classify, drain, sandbox_account,
)
from worker.seccomp import SeccompUnavailable, program, program_fd

log = logging.getLogger(__name__)

# What a zygote imports, from the heaviest library a lab imports. The lightest holds numpy: the harness seeds
# numpy's global generator before every case (labkit.harness.Context.seed_everything), so every run imports it.
ENVIRONMENTS = {
    "transformers": ("numpy", "numpy.random", "torch", "transformers", "tokenizers"),
    "torch": ("numpy", "numpy.random", "torch"),
    "sklearn": ("numpy", "numpy.random", "sklearn"),
    "numpy": ("numpy", "numpy.random"),
}
INSIDE_LIB = "/sandbox/lib/labkit"
ALL_LABS, ALL_ARTIFACTS = "/sandbox/labs", "/sandbox/artifacts-all"
READY_TIMEOUT = 120.0
EXIT_REPORT_TIMEOUT = 10.0
ZYGOTE_MEMORY_MB = 4096
RETRY_AFTER = 60  # seconds of cold sandboxes after a zygote failed to start


HEAVY_MODULES = ("numpy", "torch", "transformers", "tokenizers", "sklearn")


def preimports(lab) -> list[str]:
    """Libraries the lab's harness and reference import (what the student's code will almost surely need)."""
    text = "\n".join((lab.dir / name).read_text(encoding="utf-8") for name in ("harness.py", "solution.py")
                     if (lab.dir / name).exists())
    return [module for module in HEAVY_MODULES if re.search(rf"^\s*(import|from)\s+{module}\b", text, re.MULTILINE)]


def environment_for(modules: list[str]) -> str:
    return next((name for name in ENVIRONMENTS if name in modules), "numpy")


@dataclass(frozen=True)
class MountedLab:
    """What a zygote binds for one lab: its harness and data, its artifacts (and real models)."""
    lab_id: str
    version: str  # the lab's content hash
    harness: Path
    data: Path | None
    artifacts: tuple[Bind, ...]

    def binds(self) -> list[Bind]:
        inside = f"{ALL_LABS}/{self.lab_id}"
        binds = [Bind(self.harness, f"{inside}/harness.py")]
        if self.data is not None:
            binds.append(Bind(self.data, f"{inside}/data"))
        for bind in self.artifacts:
            binds.append(Bind(bind.host, bind.inside.replace("/sandbox/artifacts", f"{ALL_ARTIFACTS}/{self.lab_id}", 1)))
        return binds


class ZygoteUnavailable(RuntimeError):
    pass


class Zygote:
    """One zygote process and the worker's end of its control socket."""

    def __init__(self, environment: str, labs: dict[str, MountedLab], devices: tuple[str, ...],
                 base_env: dict[str, str]) -> None:
        if bubblewrap_path() is None:
            raise ZygoteUnavailable("bubblewrap is not installed; using cold sandboxes")
        account = sandbox_account()
        self.environment, self.labs, self.devices = environment, labs, devices
        self.ready = threading.Event()
        self.failed: str | None = None
        self.running = 0
        self.retired = False
        self._lock = threading.Lock()
        self._send_lock = threading.Lock()
        self._exits: dict[int, Future] = {}
        self._ids = itertools.count(1)
        self.sock, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:
            child_program = os.memfd_create("llmcourse-seccomp-child", 0)
            os.write(child_program, program())
            os.lseek(child_program, 0, os.SEEK_SET)
            own_program = program_fd(for_zygote=True)
        except SeccompUnavailable as exc:
            raise ZygoteUnavailable(str(exc)) from exc
        env = {**base_env, "LABKIT_ZYGOTE_FD": str(theirs.fileno()), "LABKIT_SECCOMP_FD": str(child_program),
               "LABKIT_PREIMPORT": ",".join(ENVIRONMENTS[environment])}
        if account is not None:
            env.update({"LABKIT_ZYGOTE_UID": str(account.uid), "LABKIT_ZYGOTE_GID": str(account.gid)})
        argv = zygote_argv(labs, env, devices, own_program, root_worker=account is not None)
        self.cgroup = RunCgroup(ZYGOTE_MEMORY_MB * 1024 * 1024, 64)
        cgroup = self.cgroup
        self.process = subprocess.Popen(
            argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            pass_fds=(theirs.fileno(), child_program, own_program), start_new_session=True,
            preexec_fn=cgroup.enter, env={"PATH": "/usr/bin:/bin"})
        theirs.close()
        for fd in (child_program, own_program):
            os.close(fd)
        self.started = time.monotonic()
        threading.Thread(target=self._log_output, daemon=True, name=f"zygote-{environment}-log").start()
        threading.Thread(target=self._read_replies, daemon=True, name=f"zygote-{environment}").start()

    def serves(self, mounted: MountedLab) -> bool:
        return self.labs.get(mounted.lab_id) == mounted

    def alive(self) -> bool:
        return self.failed is None and self.process.poll() is None

    def _log_output(self) -> None:
        for line in self.process.stdout:
            log.warning("zygote %s: %s", self.environment, line.decode(errors="replace").rstrip())

    def _read_replies(self) -> None:
        try:
            while True:
                data = self.sock.recv(65536)
                if not data:
                    break
                message = json.loads(data)
                if "ready" in message:
                    if message["ready"]:
                        log.info("zygote %s ready in %.2f s", self.environment, time.monotonic() - self.started)
                        self.ready.set()
                    else:
                        self.failed = f"zygote had {message.get('threads')} threads after its imports"
                        log.warning("warm start off for %s: %s; using cold sandboxes", self.environment, self.failed)
                    continue
                with self._lock:
                    future = self._exits.pop(message["job"], None)
                if future is not None:
                    future.set_result(message["exit"])
        except (OSError, ValueError) as exc:
            self.failed = f"control socket: {exc}"
        finally:
            self.failed = self.failed or "zygote exited"
            with self._lock:
                pending, self._exits = list(self._exits.values()), {}
            for future in pending:
                future.set_result(None)

    def run(self, mounted: MountedLab, code: str, env: dict[str, str], submit_file: str, limits: SandboxLimits,
            on_output=None) -> SandboxRun | None:
        """Fork a sandbox for one job and collect it; None if the zygote could not take the job."""
        job = next(self._ids)
        cgroup = RunCgroup(limits.memory_mb * 1024 * 1024, limits.processes)
        pipes = [os.pipe() for _ in range(3)]
        ours = [read for read, _ in pipes]
        theirs = [write for _, write in pipes] + cgroup.procs_files()
        future: Future = Future()
        with self._lock:
            self._exits[job] = future
            self.running += 1
        message = {"job": job, "lab": mounted.lab_id, "artifacts": bool(mounted.artifacts), "code": code,
                   "env": env, "submit_file": submit_file, "workdir_mb": limits.workdir_mb,
                   "rlimits": [[kind, soft, hard] for kind, (soft, hard) in _rlimits(limits, cgroup)]}
        started = time.monotonic()
        try:
            try:
                with self._send_lock:
                    self.sock.sendmsg([json.dumps(message).encode()],
                                      [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", theirs))])
            except OSError as exc:
                log.warning("zygote %s refused a job (%s); using a cold sandbox", self.environment, exc)
                self.failed = str(exc)
                return None
            finally:
                for fd in theirs:
                    os.close(fd)
            try:
                status, stdout, stderr, result = drain(*ours, limits, started, on_output)
            except BaseException:  # e.g. the owner cancelled the run from the output callback
                self._kill(job, cgroup)
                raise
            if status != "ok":
                self._kill(job, cgroup)
            exit_code = self._exit_code(job, future, cgroup)
            run = SandboxRun(status=status, exit_code=exit_code, stdout_tail=stdout.text(),
                             stderr_tail=stderr.text(), result=result,
                             wall_seconds=round(time.monotonic() - started, 3), stdout_bytes=stdout.total,
                             stderr_bytes=stderr.total, notes=["warm"])
            classify(run, limits, cgroup, killed_from_outside=exit_code is None)
            return run
        finally:
            for fd in ours:
                os.close(fd)
            cgroup.close()
            with self._lock:
                self._exits.pop(job, None)
                self.running -= 1
            if self.retired:
                self.stop_when_idle()

    def _exit_code(self, job: int, future: Future, cgroup: RunCgroup) -> int | None:
        try:
            return future.result(timeout=EXIT_REPORT_TIMEOUT)
        except TimeoutError:
            self._kill(job, cgroup)
            try:
                return future.result(timeout=EXIT_REPORT_TIMEOUT)
            except TimeoutError:
                return None

    def _kill(self, job: int, cgroup: RunCgroup) -> None:
        """Every process of the job at once: the run's cgroup where the host has one, and the job's PID
        namespace (its supervisor kills PID 1) in every case."""
        cgroup.kill_all()
        try:
            with self._send_lock:
                self.sock.send(json.dumps({"job": job, "kill": True}).encode())
        except OSError:
            pass

    def stop_when_idle(self) -> None:
        self.retired = True
        with self._lock:
            if self.running:
                return
        self.stop()

    def stop(self) -> None:
        self.failed = self.failed or "stopped"
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.cgroup.kill_all()
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, 9)
            except ProcessLookupError:
                pass
        self.process.wait()
        self.cgroup.close()
        self.sock.close()


def zygote_argv(labs: dict[str, MountedLab], env: dict[str, str], devices: tuple[str, ...], seccomp_fd: int,
                root_worker: bool = True) -> list[str]:
    """Like the cold path's bubblewrap command, except that /proc is left whole for the children's own
    /proc mounts (each child covers its sensitive parts again). A root worker's zygote starts as root with
    the capabilities it needs to uncover /proc and drop to the sandbox user itself; a non-root worker's is
    uid 65534 of a user namespace that maps to the worker's own uid (never 0: mapping it on to the children
    would need CAP_SETFCAP), with no capabilities (bubblewrap covers nothing there), and user namespaces
    stay allowed for its children."""
    argv = [bubblewrap_path() or "bwrap", "--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts",
            "--unshare-cgroup-try", "--cap-drop", "ALL"]
    if root_worker:
        for cap in ("CAP_SETUID", "CAP_SETGID", "CAP_SETPCAP", "CAP_SYS_ADMIN"):
            argv += ["--cap-add", cap]
    else:
        argv += ["--unshare-user", "--uid", "65534", "--gid", "65534"]
    argv += ["--die-with-parent", "--new-session", "--clearenv", "--hostname", "sandbox",
             "--perms", WORLD_WRITABLE, "--size", str(64 * 1024 * 1024), "--tmpfs", "/tmp"]
    binds = [Bind(Path(__file__).resolve().parent.parent / "labkit", INSIDE_LIB)]
    for lab in labs.values():
        binds += lab.binds()
    system = _system_binds()
    mount_points = ["/sandbox/lab", "/sandbox/artifacts", "/sandbox/work", ALL_LABS, ALL_ARTIFACTS]
    argv += _parent_dirs([system[i + 2] for i, part in enumerate(system) if part == "--ro-bind"]
                         + mount_points + [bind.inside for bind in binds])
    argv += system
    argv += ["--proc", "/proc", "--dev", "/dev", "--perms", WORLD_WRITABLE, "--size", str(64 * 1024 * 1024),
             "--tmpfs", "/dev/shm"]
    for device in devices:
        argv += ["--dev-bind", device, device]
    for point in mount_points:
        argv += ["--perms", "0755", "--dir", point]
    for bind in binds:
        argv += ["--ro-bind", str(bind.host), bind.inside]
    argv += ["--remount-ro", "/", "--chdir", "/"]
    for key, value in env.items():
        argv += ["--setenv", key, value]
    argv += ["--seccomp", str(seccomp_fd)]
    return argv + ["--", sys.executable, "-I", "-B", f"{INSIDE_LIB}/zygote.py"]


class Zygotes:
    """The worker's zygotes, one per (environment, devices). A job for a lab the current zygote does not
    mount (or mounts at an older version) starts a new one in the background that mounts it too; the old
    one is stopped once its running jobs end."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._current: dict[tuple, Zygote] = {}
        self._broken: dict[tuple, float] = {}
        self.starts = {"warm": 0, "cold": 0}  # jobs this worker forked from a zygote, and those it could not

    def run(self, environment: str, mounted: MountedLab, devices: tuple[str, ...], base_env: dict[str, str],
            code: str, env: dict[str, str], submit_file: str, limits: SandboxLimits,
            on_output=None) -> SandboxRun | None:
        zygote = self._zygote_for((environment, devices), mounted, base_env)
        run = zygote.run(mounted, code, env, submit_file, limits, on_output) if zygote is not None else None
        self.starts["warm" if run is not None else "cold"] += 1
        return run

    def _zygote_for(self, key: tuple, mounted: MountedLab, base_env: dict[str, str]) -> Zygote | None:
        with self._lock:
            zygote = self._current.get(key)
            if zygote is not None and zygote.alive() and zygote.serves(mounted):
                return zygote if zygote.ready.is_set() else None
            if zygote is not None and not zygote.alive():
                del self._current[key]
                if not zygote.ready.is_set():  # it never started: retrying at once would fail the same way
                    self._broken[key] = time.monotonic()
                    log.warning("zygote %s could not start (%s); cold sandboxes for %d s", key[0], zygote.failed,
                                RETRY_AFTER)
                    return None
                log.warning("zygote %s gone (%s); starting another, this job runs cold", key[0], zygote.failed)
                zygote = None
            if time.monotonic() - self._broken.get(key, -1e9) < RETRY_AFTER:
                return None
            labs = dict(zygote.labs) if zygote is not None else {}
            labs[mounted.lab_id] = mounted
            try:
                replacement = Zygote(key[0], labs, key[1], base_env)
            except (ZygoteUnavailable, OSError) as exc:
                log.warning("warm start unavailable (%s); using cold sandboxes", exc)
                self._broken[key] = time.monotonic()
                return None
            self._current[key] = replacement
        if zygote is not None:
            zygote.stop_when_idle()
        return None

    def wait_ready(self, timeout: float = READY_TIMEOUT) -> bool:
        """For benchmarks and tests: wait until every zygote started so far is ready (or failed)."""
        deadline = time.monotonic() + timeout
        for zygote in list(self._current.values()):
            while zygote.alive() and not zygote.ready.wait(0.05):
                if time.monotonic() > deadline:
                    return False
        return all(z.alive() and z.ready.is_set() for z in self._current.values())

    def clear(self) -> None:
        with self._lock:
            zygotes, self._current = list(self._current.values()), {}
            self._broken.clear()
        for zygote in zygotes:
            zygote.stop()


ZYGOTES = Zygotes()
