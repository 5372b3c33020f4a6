"""The warm-start fork server (docs/security.md, "Warm start"). Runs inside its own bubblewrap sandbox,
started by the worker (worker/zygote.py): drops to the sandbox user, imports the heavy libraries once,
then forks one child per job. Each child enters new user, mount, PID, IPC, UTS and network namespaces,
mounts a fresh /proc and fresh size-capped tmpfs work dirs, binds only its own lab, joins the run's
cgroup through descriptors the worker opened, closes every other descriptor, drops every capability,
sets no_new_privs, loads the same seccomp filter as the cold path and runs the harness.

Protocol (SOCK_SEQPACKET, JSON): the zygote says {"ready": true} once imported; the worker sends
{"job": id, ...} with descriptors [stdout, stderr, result, *cgroup.procs]; the zygote answers
{"job": id, "exit": code} when the job's process tree is gone, and {"job": id, "kill": true} from the
worker ends that job's whole PID namespace at once."""
import array
import ctypes
import importlib
import json
import os
import resource
import signal
import socket
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.dont_write_bytecode = True

LIBC = ctypes.CDLL(None, use_errno=True)
LIBC.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong, ctypes.c_char_p]
LIBC.umount2.argtypes = [ctypes.c_char_p, ctypes.c_int]
LIBC.prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]

CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC = 0x00020000, 0x04000000, 0x08000000
CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET = 0x10000000, 0x20000000, 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 32, 4096, 16384, 1 << 18
MNT_DETACH = 2
PR_SET_NO_NEW_PRIVS, PR_CAPBSET_DROP, PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL = 38, 24, 47, 4
PR_SET_SECCOMP, SECCOMP_MODE_FILTER, PR_SET_DUMPABLE = 22, 2, 4
PROC_READ_ONLY = ("sys", "sysrq-trigger", "irq", "bus", "fs")
INSIDE_UID = 65534
LAB, ARTIFACTS, WORK = "/sandbox/lab", "/sandbox/artifacts", "/sandbox/work"
ALL_LABS, ALL_ARTIFACTS = "/sandbox/labs", "/sandbox/artifacts-all"
MAX_FDS = 16


class SetupError(RuntimeError):
    pass


def _check(result: int, what: str) -> None:
    if result != 0:
        raise SetupError(f"{what}: {os.strerror(ctypes.get_errno())}")


def _mount(source, target, fstype, flags, data=None) -> None:
    enc = lambda value: value.encode() if isinstance(value, str) else value  # noqa: E731
    _check(LIBC.mount(enc(source), enc(target), enc(fstype), flags, enc(data)), f"mount {target}")


def _bind_read_only(source: str, target: str) -> None:
    _mount(source, target, None, MS_BIND | MS_REC)
    _mount(None, target, None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)


def _tmpfs(target: str, megabytes: int, read_only: bool = False) -> None:
    flags = MS_NOSUID | MS_NODEV | (MS_RDONLY if read_only else 0)
    _mount("tmpfs", target, "tmpfs", flags, f"size={max(1, megabytes)}m,mode=1777")


# --- the zygote itself ---------------------------------------------------------------------------

def drop_to(uid: int, gid: int) -> None:
    """Started as host root with a few capabilities (to uncover /proc, see worker/zygote.py); from here on
    the sandbox user, with an empty bounding set and no_new_privs, like setpriv on the cold path."""
    for cap in range(64):
        LIBC.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0)
    os.setgroups([])
    os.setresgid(gid, gid, gid)
    os.setresuid(uid, uid, uid)
    _check(LIBC.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no_new_privs")
    if os.getuid() == 0 or os.geteuid() == 0:
        raise SetupError("still root after dropping privileges")


def uncover_proc() -> None:
    # bubblewrap covers /proc/irq and /proc/bus with read-only binds; a /proc with covered parts cannot be
    # mounted afresh in a child's namespaces. Each child covers its own /proc again.
    for name in PROC_READ_ONLY:
        LIBC.umount2(f"/proc/{name}".encode(), MNT_DETACH)


def thread_count() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("Threads:"):
                return int(line.split()[1])
    return 0


def serve(control: socket.socket, seccomp: bytes) -> None:
    running: dict[int, int] = {}  # pid of a job's supervisor -> job id
    wake_read, wake_write = os.pipe2(os.O_NONBLOCK | os.O_CLOEXEC)
    signal.set_wakeup_fd(wake_write)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    import selectors

    selector = selectors.DefaultSelector()
    selector.register(control, selectors.EVENT_READ)
    selector.register(wake_read, selectors.EVENT_READ)
    while True:
        for key, _ in selector.select():
            if key.fileobj is control:
                message, fds = _receive(control)
                if message is None:
                    return  # the worker went away
                _handle(control, message, fds, running, seccomp)
            else:
                try:
                    os.read(wake_read, 4096)
                except BlockingIOError:
                    pass
        _reap(control, running)


def _receive(control: socket.socket):
    fds = array.array("i")
    data, ancillary, _, _ = control.recvmsg(1 << 22, socket.CMSG_LEN(MAX_FDS * fds.itemsize))
    if not data:
        return None, []
    for level, kind, payload in ancillary:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            fds.frombytes(payload[: len(payload) - len(payload) % fds.itemsize])
    return json.loads(data), list(fds)


def _handle(control, message: dict, fds: list[int], running: dict[int, int], seccomp: bytes) -> None:
    if message.get("kill"):
        for pid, job in running.items():
            if job == message["job"]:
                os.kill(pid, signal.SIGTERM)  # its supervisor kills the job's PID namespace at once
        return
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        code = 70
        try:
            code = supervise(message, fds, seccomp, control.fileno())
        except BaseException as exc:  # noqa: BLE001 - report and leave without running anything
            try:
                os.write(fds[1], f"sandbox setup failed: {exc}\n".encode())
            except (OSError, IndexError):
                pass
        os._exit(code)
    for fd in fds:
        os.close(fd)
    running[pid] = message["job"]


def _reap(control: socket.socket, running: dict[int, int]) -> None:
    while running:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        job = running.pop(pid, None)
        if job is not None:
            code = os.waitstatus_to_exitcode(status)
            control.send(json.dumps({"job": job, "exit": code if code >= 0 else 128 - code}).encode())


# --- one job ---------------------------------------------------------------------------------------

def supervise(message: dict, fds: list[int], seccomp: bytes, control_fd: int) -> int:
    """The job's first process: joins the run's cgroups, builds the namespaces, starts the job as PID 1 of
    its own PID namespace and waits for it. SIGTERM from the zygote kills that PID 1, which takes every
    process of the job with it (never signals to PIDs read from a list)."""
    os.close(control_fd)
    signal.set_wakeup_fd(-1)
    stdout, stderr, result, *cgroup_procs = fds
    for fd in cgroup_procs:
        os.write(fd, b"0")
        os.close(fd)
    keep = {stdout, stderr, result}
    os.closerange(3, min(keep))
    for fd in range(min(keep) + 1, max(keep)):
        if fd not in keep:
            _close_quietly(fd)
    os.closerange(max(keep) + 1, 65536)
    uid, gid = os.getuid(), os.getgid()
    # The zygote is not dumpable (it changed uid), so its /proc/self files belong to root; the job's own
    # supervisor must write its namespace's maps. Nothing of the job can see this process (new PID ns).
    LIBC.prctl(PR_SET_DUMPABLE, 1, 0, 0, 0)
    _check(LIBC.unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWNET),
           "unshare")
    for name, text in (("setgroups", "deny"), ("uid_map", f"{INSIDE_UID} {uid} 1"),
                       ("gid_map", f"{INSIDE_UID} {gid} 1")):
        try:
            with open(f"/proc/self/{name}", "w") as handle:
                handle.write(text)
        except OSError as exc:
            raise SetupError(f"{name}: {exc.strerror}") from None
    child = os.fork()
    if child == 0:
        code = 70
        try:
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            run_job(message, stdout, stderr, result, seccomp)
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        except BaseException as exc:  # noqa: BLE001
            try:
                os.write(2, f"{type(exc).__name__}: {exc}\n".encode())
            except OSError:
                pass
            code = 1
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except BaseException:  # noqa: BLE001
            pass
        os._exit(code)
    for fd in keep:
        os.close(fd)
    signal.signal(signal.SIGTERM, lambda *_: os.kill(child, signal.SIGKILL))
    _, status = os.waitpid(child, 0)
    code = os.waitstatus_to_exitcode(status)
    return code if code >= 0 else 128 - code


def _close_quietly(fd: int) -> None:
    try:
        os.close(fd)
    except OSError:
        pass


def _filesystem(message: dict) -> None:
    _mount(None, "/", None, MS_REC | MS_PRIVATE)
    _mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    for name in PROC_READ_ONLY:
        if os.path.exists(f"/proc/{name}"):
            _bind_read_only(f"/proc/{name}", f"/proc/{name}")
    _tmpfs("/tmp", 64)
    _tmpfs("/dev/shm", 64)
    _tmpfs(WORK, message["workdir_mb"])
    _bind_read_only(f"{ALL_LABS}/{message['lab']}", LAB)
    if message.get("artifacts"):
        _bind_read_only(f"{ALL_ARTIFACTS}/{message['lab']}", ARTIFACTS)
    _tmpfs(ALL_LABS, 1, read_only=True)  # every other lab out of sight
    _tmpfs(ALL_ARTIFACTS, 1, read_only=True)


def _loopback_up() -> None:
    import fcntl

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        request = struct.pack("16sH14x", b"lo", 0)
        flags = struct.unpack("16sH14x", fcntl.ioctl(sock, 0x8913, request))[1]  # SIOCGIFFLAGS
        fcntl.ioctl(sock, 0x8914, struct.pack("16sH14x", b"lo", flags | 1))  # SIOCSIFFLAGS, IFF_UP


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def _drop_capabilities() -> None:
    for cap in range(64):
        LIBC.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0)
    LIBC.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)
    header = (ctypes.c_uint32 * 2)(0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3, this process
    data = (ctypes.c_uint32 * 6)()
    _check(LIBC.capset(header, data), "capset")
    _check(LIBC.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no_new_privs")


def _load_seccomp(program: bytes) -> None:
    buffer = ctypes.create_string_buffer(program, len(program))
    fprog = _SockFprog(len(program) // 8, ctypes.cast(buffer, ctypes.c_void_p))
    _check(LIBC.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.addressof(fprog), 0, 0), "seccomp")


def run_job(message: dict, stdout: int, stderr: int, result: int, seccomp: bytes) -> None:
    _filesystem(message)
    socket.sethostname("sandbox")
    _loopback_up()
    submission = os.path.join(WORK, message["submit_file"])
    with open(submission, "w", encoding="utf-8") as handle:
        handle.write(message["code"])
    os.chmod(submission, 0o644)
    os.chdir(WORK)
    null = os.open("/dev/null", os.O_RDONLY)
    os.dup2(null, 0)
    os.dup2(stdout, 1)
    os.dup2(stderr, 2)
    os.dup2(result, 3, inheritable=True)
    os.closerange(4, 65536)
    os.environ.clear()
    os.environ.update(message["env"])
    os.environ["LABKIT_RESULT_FD"] = "3"
    for kind, soft, hard in message["rlimits"]:
        resource.setrlimit(kind, (soft, hard))
    _drop_capabilities()
    _load_seccomp(seccomp)
    del message
    import runpy

    from labkit import harness

    runpy.run_path(os.environ["LABKIT_HARNESS"], run_name="labkit_harness")
    harness.main()


def main() -> None:
    control = socket.socket(fileno=int(os.environ.pop("LABKIT_ZYGOTE_FD")))
    seccomp_fd = int(os.environ.pop("LABKIT_SECCOMP_FD"))
    with os.fdopen(seccomp_fd, "rb") as handle:
        seccomp = handle.read()
    if "LABKIT_ZYGOTE_UID" in os.environ:  # a root worker's zygote: host root until here
        uncover_proc()
        drop_to(int(os.environ.pop("LABKIT_ZYGOTE_UID")), int(os.environ.pop("LABKIT_ZYGOTE_GID")))
    else:  # a non-root worker's: uid 65534 of a user namespace that maps to the worker's own uid
        _check(LIBC.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no_new_privs")
    for name in filter(None, os.environ.pop("LABKIT_PREIMPORT", "").split(",")):
        try:
            importlib.import_module(name)
        except ImportError:
            pass
    for name in ("labkit.harness", "labkit.data", "labkit.compare", "labkit.returns"):  # what harnesses use
        importlib.import_module(name)
    threads = thread_count()
    control.send(json.dumps({"ready": threads == 1, "threads": threads}).encode())
    if threads == 1:  # forking a process with other threads could copy a lock held mid-operation
        serve(control, seccomp)


if __name__ == "__main__":
    main()
