"""Runs a command in a bubblewrap sandbox with limits; returns what it printed and wrote to the
result pipe. The host never touches a directory the sandbox can write: the only writable places
inside are size-capped tmpfs mounts that vanish with the sandbox."""
from __future__ import annotations

import os
import resource
import selectors
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from worker.cgroups import RunCgroup
from worker.seccomp import SeccompUnavailable, program_fd

RESULT_FD_ENV = "LABKIT_RESULT_FD"
OutputCallback = Callable[[str, bytes], None]


class SandboxUnavailable(RuntimeError):
    """bubblewrap is missing and insecure mode is off."""


class SandboxKilled(RuntimeError):
    """The sandbox itself (not the code inside) was killed from outside, e.g. by an operator or the OOM
    killer: not the student's doing, so the job is queued again rather than graded."""


@dataclass
class SandboxLimits:
    cpu_seconds: int = 30
    wall_seconds: int = 60
    memory_mb: int = 2048
    processes: int = 64
    file_size_mb: int = 16
    workdir_mb: int = 64
    open_files: int = 256
    output_bytes: int = 8 * 1024 * 1024  # stdout+stderr beyond this stops the run
    tail_bytes: int = 16 * 1024
    result_bytes: int = 64 * 1024 * 1024


@dataclass
class Bind:
    host: Path
    inside: str


@dataclass
class SandboxRun:
    status: str  # ok | timeout | cpu_limit | memory_limit | output_limit | result_limit | crashed | killed
    exit_code: int | None
    stdout_tail: str
    stderr_tail: str
    result: bytes
    wall_seconds: float
    stdout_bytes: int = 0
    stderr_bytes: int = 0
    peak_memory_bytes: int | None = None
    cpu_seconds: float = 0.0
    notes: list[str] = field(default_factory=list)


_cpu_used = 0.0
_cpu_lock = threading.Lock()


def account_cpu(seconds: float) -> None:
    global _cpu_used
    with _cpu_lock:
        _cpu_used += seconds


def sandbox_cpu_seconds() -> float:
    """CPU time all sandboxes of this process have used so far (for budgets such as a lab's proof)."""
    return _cpu_used


def bubblewrap_path() -> str | None:
    return shutil.which("bwrap")


def python_roots() -> list[Path]:
    """The interpreter's prefixes, as resolved and as named (a venv reached through a symlink)."""
    named = {Path(sys.base_prefix), Path(sys.prefix)}
    roots = {path.resolve() for path in named} | {path.absolute() for path in named}
    return sorted(r for r in roots if not str(r).startswith("/usr"))


def _system_binds() -> list[str]:
    args = ["--ro-bind", "/usr", "/usr"]
    for name in ("bin", "sbin", "lib", "lib64", "lib32"):
        path = Path("/") / name
        if path.is_symlink():
            args += ["--symlink", os.readlink(path), f"/{name}"]
        elif path.exists():
            args += ["--ro-bind", str(path), f"/{name}"]
    for etc in ("/etc/ld.so.cache", "/etc/alternatives", "/etc/localtime", "/etc/mime.types"):
        if os.path.exists(etc):
            args += ["--ro-bind", etc, etc]
    for root in python_roots():
        args += ["--ro-bind", str(root.resolve()), str(root)]
    return args


SANDBOX_USER = "llmcourse-sandbox"
# Parts of the fresh /proc that change host state; read-only inside even though the sandbox user could
# not write them anyway (defence in depth, docs/security.md).
PROC_READ_ONLY = ("sys", "sysrq-trigger", "irq", "bus", "fs")
WORLD_WRITABLE = "1777"


@dataclass(frozen=True)
class SandboxAccount:
    """The unprivileged host account sandboxed code runs as (never uid 0)."""
    uid: int
    gid: int


def sandbox_account(user: str = SANDBOX_USER) -> SandboxAccount | None:
    """A root worker drops sandboxed code to the dedicated system user (created on first use); a worker
    that is not root runs it under its own unprivileged uid (None: nothing to drop)."""
    if os.geteuid() != 0:
        return None
    import pwd

    try:
        entry = pwd.getpwnam(user)
    except KeyError:
        _create_system_user(user)
        entry = pwd.getpwnam(user)
    if entry.pw_uid == 0 or entry.pw_gid == 0:
        raise SandboxUnavailable(f"the sandbox user {user!r} must not be root (uid {entry.pw_uid}, gid {entry.pw_gid})")
    return SandboxAccount(entry.pw_uid, entry.pw_gid)


def _create_system_user(user: str) -> None:
    useradd = shutil.which("useradd") or "/usr/sbin/useradd"
    done = subprocess.run([useradd, "--system", "--user-group", "--no-create-home", "--home-dir", "/nonexistent",
                           "--shell", "/usr/sbin/nologin", user], capture_output=True, text=True)
    if done.returncode not in (0, 9):  # 9: created meanwhile by another worker
        raise SandboxUnavailable(f"could not create the sandbox user {user!r}: {done.stderr.strip()}")


def _parent_dirs(destinations: list[str]) -> list[str]:
    """bubblewrap creates missing parents of a bind with the host's modes (/root is 0700, which would hide
    an interpreter under it from the sandbox user): create them first, world-readable."""
    made: list[str] = []
    for dest in destinations:
        for parent in reversed(Path(dest).parents):
            text = str(parent)
            if text not in ("/", "/usr", "/tmp", "/proc", "/dev") and not text.startswith("/usr/") \
                    and text not in made and text not in destinations:
                made.append(text)
    args: list[str] = []
    for path in made:
        args += ["--perms", "0755", "--dir", path]
    return args


def _namespaces(account: SandboxAccount | None, uid: int) -> list[str]:
    if account is not None:
        # Root worker: bubblewrap builds the mounts as root without a user namespace, keeps only the
        # capabilities setpriv needs, and setpriv drops to the sandbox user before the command starts.
        return ["--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts", "--unshare-cgroup-try",
                "--cap-drop", "ALL", "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
    # Unprivileged worker: a user namespace maps `uid` inside to the worker's own (non-zero) uid outside.
    return ["--unshare-all", "--unshare-user", "--disable-userns", "--cap-drop", "ALL", "--uid", str(uid), "--gid", str(uid)]


def _drop_privileges(account: SandboxAccount | None) -> list[str]:
    if account is None:
        return []
    return [SETPRIV, f"--reuid={account.uid}", f"--regid={account.gid}", "--clear-groups", "--inh-caps=-all",
            "--ambient-caps=-all", "--bounding-set=-all", "--no-new-privs", "--"]


SETPRIV = "/usr/bin/setpriv"


def bubblewrap_argv(command: list[str], binds: list[Bind], env: dict[str, str], limits: SandboxLimits,
                    workdir: str, uid: int, devices: list[str], account: SandboxAccount | None = None,
                    seccomp_fd: int | None = None) -> list[str]:
    argv = [bubblewrap_path() or "bwrap", *_namespaces(account, uid), "--die-with-parent", "--new-session",
            "--clearenv", "--hostname", "sandbox"]
    # /tmp first: the interpreter or the project may live below /tmp, and later binds must stay visible.
    argv += ["--perms", WORLD_WRITABLE, "--size", str(64 * 1024 * 1024), "--tmpfs", "/tmp"]
    system = _system_binds()
    argv += _parent_dirs([system[i + 2] for i, part in enumerate(system) if part == "--ro-bind"]
                         + [workdir] + [bind.inside for bind in binds])
    argv += system
    argv += ["--proc", "/proc", "--dev", "/dev", "--perms", WORLD_WRITABLE, "--size", str(64 * 1024 * 1024),
             "--tmpfs", "/dev/shm"]
    for name in PROC_READ_ONLY:
        argv += ["--ro-bind-try", f"/proc/{name}", f"/proc/{name}"]
    for device in devices:
        argv += ["--dev-bind", device, device]
    argv += ["--perms", WORLD_WRITABLE, "--size", str(limits.workdir_mb * 1024 * 1024), "--tmpfs", workdir]
    for bind in binds:
        argv += ["--ro-bind", str(bind.host), bind.inside]
    argv += ["--remount-ro", "/", "--chdir", workdir]
    for key, value in env.items():
        argv += ["--setenv", key, value]
    if seccomp_fd is not None:
        argv += ["--seccomp", str(seccomp_fd)]
    return argv + ["--"] + _drop_privileges(account) + command


def _rlimits(limits: SandboxLimits, cgroup: RunCgroup | None) -> list[tuple[int, tuple[int, int]]]:
    mb = 1024 * 1024
    values = [
        (resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds + 1)),
        (resource.RLIMIT_FSIZE, (limits.file_size_mb * mb, limits.file_size_mb * mb)),
        (resource.RLIMIT_NOFILE, (limits.open_files, limits.open_files)),
        (resource.RLIMIT_CORE, (0, 0)),
    ]
    if cgroup is None or not cgroup.limits_memory:
        # Fallback only: RLIMIT_DATA, never RLIMIT_AS (which breaks torch's address space reservations).
        values.append((resource.RLIMIT_DATA, (limits.memory_mb * mb, limits.memory_mb * mb)))
    if cgroup is None or not cgroup.limits_pids:
        values.append((resource.RLIMIT_NPROC, (limits.processes, limits.processes)))
    return values


class _Tail:
    def __init__(self, keep: int) -> None:
        self.keep = keep
        self.chunks: deque[bytes] = deque()
        self.size = 0
        self.total = 0

    def add(self, data: bytes) -> None:
        self.total += len(data)
        self.chunks.append(data)
        self.size += len(data)
        while self.size - len(self.chunks[0]) >= self.keep:
            self.size -= len(self.chunks.popleft())

    def text(self) -> str:
        data = b"".join(self.chunks)[-self.keep:]
        prefix = "[... output trimmed ...]\n" if self.total > len(data) else ""
        return prefix + data.decode("utf-8", errors="replace")


class SandboxProcess:
    """One sandbox, used for exactly one run (the cold path; warm starts fork from a zygote instead,
    worker/zygote.py)."""

    def __init__(self, command: list[str], *, binds: list[Bind], env: dict[str, str], limits: SandboxLimits,
                 workdir: str = "/sandbox/work", insecure: bool = False, uid: int = 65534,
                 devices: list[str] | None = None) -> None:
        self.use_bwrap = bubblewrap_path() is not None
        if not self.use_bwrap and not insecure:
            raise SandboxUnavailable(
                "bubblewrap (bwrap) is not installed, so student code cannot run safely. Install the "
                "'bubblewrap' package, or set LLMCOURSE_INSECURE_SANDBOX=1 for local development only.")
        self.limits, self.workdir = limits, workdir
        account = sandbox_account() if self.use_bwrap else None
        try:
            extra_fds: tuple[int, ...] = (program_fd(),) if self.use_bwrap else ()
        except SeccompUnavailable as exc:
            raise SandboxUnavailable(str(exc)) from exc
        self.cgroup = RunCgroup(limits.memory_mb * 1024 * 1024, limits.processes) if self.use_bwrap else None
        self.result_fd, result_write = os.pipe()
        env = {**env, RESULT_FD_ENV: str(result_write)}
        if self.use_bwrap:
            seccomp_fd = extra_fds[0]
            argv = bubblewrap_argv(command, binds, env, limits, workdir, uid, devices or [], account, seccomp_fd)
            self.cwd, popen_env = None, {"PATH": "/usr/bin:/bin"}
        else:
            argv, self.cwd, popen_env = _insecure_command(command, binds, env, workdir)
        rlimits = _rlimits(limits, self.cgroup)
        cgroup = self.cgroup

        def prepare_child() -> None:
            if cgroup is not None:
                cgroup.enter()
            for kind, value in rlimits:
                resource.setrlimit(kind, value)

        self.started = time.monotonic()
        try:
            self.process = subprocess.Popen(
                argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                stderr=subprocess.PIPE, pass_fds=(result_write, *extra_fds), cwd=self.cwd, env=popen_env,
                start_new_session=True, preexec_fn=prepare_child)
        finally:
            for fd in (result_write, *extra_fds):
                os.close(fd)

    def alive(self) -> bool:
        return self.process.poll() is None

    def collect(self, on_output: OutputCallback | None = None) -> SandboxRun:
        try:
            run = _collect(self.process, self.result_fd, self.limits, self.started, self.cgroup, on_output)
            _kill(self.process, self.cgroup)
            # bwrap exits with its child's status; a signal on bwrap itself came from outside
            outside = self.use_bwrap and run.exit_code is not None and run.exit_code < 0
            classify(run, self.limits, self.cgroup, outside)
        finally:
            self.discard()
        return run

    def discard(self) -> None:
        _kill(self.process, self.cgroup)
        if self.cgroup is not None:
            self.cgroup.close()
        if self.result_fd is not None:  # closed exactly once: a second close could hit another thread's fd
            os.close(self.result_fd)
            self.result_fd = None
        if not self.use_bwrap and self.cwd:
            shutil.rmtree(Path(self.cwd).parents[len(Path(self.workdir).parts) - 2], ignore_errors=True)
            self.cwd = None


def run_sandboxed(command: list[str], on_output: OutputCallback | None = None, **options) -> SandboxRun:
    """Run `command` (paths as seen inside) and collect stdout/stderr tails and the result pipe.
    `on_output(stream, bytes)` sees output as it arrives (live logs; display only, never graded), and
    `("idle", b"")` every half second of silence; an exception it raises stops the run (everything is killed)."""
    return SandboxProcess(command, **options).collect(on_output)


def _cpu_exhausted(run: SandboxRun, limits: SandboxLimits) -> bool:
    return run.wall_seconds >= limits.cpu_seconds * 0.9


def _collect(process: subprocess.Popen, result_fd: int, limits: SandboxLimits, started: float,
             cgroup: RunCgroup | None, on_output: OutputCallback | None = None) -> SandboxRun:
    status, stdout, stderr, result = drain(process.stdout.fileno(), process.stderr.fileno(), result_fd, limits,
                                           started, on_output)
    deadline = started + limits.wall_seconds
    if status != "ok":
        _kill(process, cgroup)
    try:
        exit_code = process.wait(timeout=max(0.1, deadline - time.monotonic()) if status == "ok" else 5)
    except subprocess.TimeoutExpired:
        status = "timeout"
        _kill(process, cgroup)
        exit_code = process.wait()
    return SandboxRun(status=status, exit_code=exit_code, stdout_tail=stdout.text(), stderr_tail=stderr.text(),
                      result=result, wall_seconds=round(time.monotonic() - started, 3),
                      stdout_bytes=stdout.total, stderr_bytes=stderr.total)


def drain(stdout_fd: int, stderr_fd: int, result_fd: int, limits: SandboxLimits, started: float,
          on_output: OutputCallback | None = None) -> tuple[str, _Tail, _Tail, bytes]:
    """Read a run's output and result until every writer has closed them, a limit is crossed or the wall
    clock runs out; returns the status so far ("ok" or the limit crossed)."""
    stdout, stderr = _Tail(limits.tail_bytes), _Tail(limits.tail_bytes)
    result = bytearray()
    status = "ok"
    selector = selectors.DefaultSelector()
    selector.register(stdout_fd, selectors.EVENT_READ, stdout)
    selector.register(stderr_fd, selectors.EVENT_READ, stderr)
    selector.register(result_fd, selectors.EVENT_READ, "result")
    open_streams = 3
    deadline = started + limits.wall_seconds
    while open_streams:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            status = "timeout"
            break
        events = selector.select(timeout=min(remaining, 0.5))
        if not events and on_output is not None:
            on_output("idle", b"")  # a silent run can still be stopped by its owner (app/labs/live.py)
        for key, _ in events:
            data = os.read(key.fd, 65536)
            if not data:
                selector.unregister(key.fd)
                open_streams -= 1
                continue
            if key.data == "result":
                result.extend(data)
                if len(result) > limits.result_bytes:
                    status = "result_limit"
            else:
                key.data.add(data)
                if on_output is not None:
                    on_output("stdout" if key.data is stdout else "stderr", data)
                if stdout.total + stderr.total > limits.output_bytes:
                    status = "output_limit"
        if status != "ok":
            break
    selector.close()
    return status, stdout, stderr, bytes(result)


def classify(run: SandboxRun, limits: SandboxLimits, cgroup: RunCgroup | None, killed_from_outside: bool) -> None:
    """Turn how the run ended into its status: killed from outside (not the student's doing), a CPU or
    memory limit, or a crash."""
    if cgroup is not None:
        run.peak_memory_bytes = cgroup.peak_memory_bytes()
        run.cpu_seconds = cgroup.cpu_seconds()
        account_cpu(run.cpu_seconds)
        if cgroup.out_of_memory() and run.status in ("ok", "crashed"):
            run.status = "memory_limit"
    if run.status == "ok" and killed_from_outside:
        run.status = "killed"
    elif run.status == "ok" and run.exit_code in (128 + signal.SIGXCPU, -signal.SIGXCPU):
        run.status = "cpu_limit"
    elif run.status == "ok" and run.exit_code in (128 + signal.SIGKILL, -signal.SIGKILL):
        run.status = "cpu_limit" if _cpu_exhausted(run, limits) else "crashed"
    from worker.metrics import record_run

    record_run(run)


def _kill(process: subprocess.Popen, cgroup: RunCgroup | None) -> None:
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait()
    if cgroup is not None:
        cgroup.kill_all()
    for stream in (process.stdout, process.stderr):
        if stream and not stream.closed:
            stream.close()


def _insecure_command(command: list[str], binds: list[Bind], env: dict[str, str], workdir: str):
    """Development fallback without namespaces: copies read-only inputs next to a temp work dir."""
    import tempfile

    root = Path(tempfile.mkdtemp(prefix="llmcourse-insecure-"))
    mapping = {}
    for bind in binds:
        target = root / bind.inside.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        if bind.host.is_dir():
            shutil.rmtree(target, ignore_errors=True)  # a real model replaces its stand-in, files and all
            shutil.copytree(bind.host, target)
        else:
            shutil.copy2(bind.host, target)
        mapping[bind.inside] = str(target)
    (root / workdir.lstrip("/")).mkdir(parents=True, exist_ok=True)
    mapping[workdir] = str(root / workdir.lstrip("/"))

    def translate(value: str) -> str:
        for inside in sorted(mapping, key=len, reverse=True):
            if value == inside or value.startswith(inside + "/"):
                return mapping[inside] + value[len(inside):]
        return value

    argv = [translate(part) for part in command]
    new_env = {k: translate(v) for k, v in env.items()}
    new_env["PATH"] = "/usr/bin:/bin"
    return argv, mapping[workdir], new_env
