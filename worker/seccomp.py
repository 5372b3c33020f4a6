"""The seccomp filter every sandboxed process runs under, cold and warm alike (docs/security.md).

Built with libseccomp (through ctypes: the library resolves syscall numbers per architecture and
writes the BPF program) and handed to bubblewrap with `--seccomp FD`, which loads it just before the
sandboxed command starts. Syscalls that reach kernel state outside the sandbox, inspect or control other
processes, or add kernel attack surface a lab never needs fail with EPERM; creating namespaces fails too,
so a submission cannot build itself a new user namespace and mount inside it. Syscalls of a foreign
architecture (32-bit entry points on x86_64) kill the process: libseccomp's default for a bad arch."""
from __future__ import annotations

import ctypes
import ctypes.util
import errno
import os
from functools import lru_cache

DENIED = (
    # other processes: reading or writing their memory, stealing their descriptors
    "ptrace", "process_vm_readv", "process_vm_writev", "pidfd_getfd", "kcmp", "process_madvise",
    # mounts and namespaces
    "mount", "umount2", "pivot_root", "chroot", "unshare", "setns", "move_mount", "open_tree", "fsopen",
    "fsconfig", "fsmount", "fspick", "mount_setattr",
    # kernel keyrings, BPF, perf, userfaultfd, io_uring: large attack surface, never needed by a lab
    "keyctl", "add_key", "request_key", "bpf", "perf_event_open", "userfaultfd", "io_uring_setup",
    "io_uring_enter", "io_uring_register",
    # the machine itself
    "kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module", "reboot", "swapon",
    "swapoff", "acct", "syslog", "quotactl", "settimeofday", "clock_settime", "clock_adjtime", "adjtimex",
    "iopl", "ioperm", "open_by_handle_at", "name_to_handle_at", "lookup_dcookie", "fanotify_init",
    "nfsservctl", "uselib", "vhangup", "migrate_pages", "move_pages",
)
# clone() may not create namespaces; clone3() passes its flags in memory a filter cannot read, so it
# answers ENOSYS and the C library falls back to clone().
NAMESPACE_FLAGS = (0x00020000, 0x02000000, 0x04000000, 0x08000000, 0x10000000, 0x20000000, 0x40000000)
CLONE_FLAGS_ARG = 0

SCMP_ACT_ALLOW = 0x7FFF0000
SCMP_CMP_MASKED_EQ = 7


def _errno_action(code: int) -> int:
    return 0x00050000 | (code & 0xFFFF)


class _ArgCmp(ctypes.Structure):
    _fields_ = [("arg", ctypes.c_uint), ("op", ctypes.c_int), ("datum_a", ctypes.c_uint64),
                ("datum_b", ctypes.c_uint64)]


class SeccompUnavailable(RuntimeError):
    """libseccomp is missing: the worker refuses to run student code without the filter."""


def _library() -> ctypes.CDLL:
    name = ctypes.util.find_library("seccomp") or "libseccomp.so.2"
    try:
        lib = ctypes.CDLL(name, use_errno=True)
    except OSError as exc:
        raise SeccompUnavailable(
            "libseccomp is not installed, so the sandbox's syscall filter cannot be built. Install the "
            "'libseccomp2' package.") from exc
    lib.seccomp_init.restype = ctypes.c_void_p
    lib.seccomp_init.argtypes = [ctypes.c_uint32]
    lib.seccomp_release.argtypes = [ctypes.c_void_p]
    lib.seccomp_syscall_resolve_name.argtypes = [ctypes.c_char_p]
    lib.seccomp_rule_add_array.argtypes = [ctypes.c_void_p, ctypes.c_uint32, ctypes.c_int, ctypes.c_uint,
                                           ctypes.POINTER(_ArgCmp)]
    lib.seccomp_export_bpf.argtypes = [ctypes.c_void_p, ctypes.c_int]
    return lib


def _add(lib: ctypes.CDLL, ctx: int, action: int, name: str, *conditions: _ArgCmp) -> None:
    number = lib.seccomp_syscall_resolve_name(name.encode())
    if number < 0:  # not a syscall on this architecture
        return
    array = (_ArgCmp * len(conditions))(*conditions) if conditions else None
    result = lib.seccomp_rule_add_array(ctx, action, number, len(conditions), array)
    if result != 0:
        raise SeccompUnavailable(f"libseccomp refused the rule for {name}: {os.strerror(-result)}")


# The warm-start zygote builds each child's namespaces and mounts itself, so its own filter lets these
# through; every child then loads the full filter before any student code runs (labkit/zygote.py).
ZYGOTE_ALLOWED = ("mount", "umount2", "unshare")


@lru_cache(maxsize=2)
def program(for_zygote: bool = False) -> bytes:
    """The compiled BPF program (built once per process)."""
    lib = _library()
    ctx = lib.seccomp_init(SCMP_ACT_ALLOW)
    if not ctx:
        raise SeccompUnavailable("libseccomp could not create a filter")
    try:
        for name in (n for n in DENIED if not (for_zygote and n in ZYGOTE_ALLOWED)):
            _add(lib, ctx, _errno_action(errno.EPERM), name)
        for flag in NAMESPACE_FLAGS:
            _add(lib, ctx, _errno_action(errno.EPERM), "clone",
                 _ArgCmp(CLONE_FLAGS_ARG, SCMP_CMP_MASKED_EQ, flag, flag))
        _add(lib, ctx, _errno_action(errno.ENOSYS), "clone3")
        read_fd, write_fd = os.pipe()
        try:
            if lib.seccomp_export_bpf(ctx, write_fd) != 0:
                raise SeccompUnavailable("libseccomp could not export the filter")
            os.close(write_fd)
            write_fd = -1
            chunks = []
            while chunk := os.read(read_fd, 65536):
                chunks.append(chunk)
            return b"".join(chunks)
        finally:
            os.close(read_fd)
            if write_fd >= 0:
                os.close(write_fd)
    finally:
        lib.seccomp_release(ctx)


def program_fd(for_zygote: bool = False) -> int:
    """A fresh descriptor holding the program, positioned at its start, for `bwrap --seccomp FD`."""
    data = program(for_zygote)
    fd = os.memfd_create("llmcourse-seccomp", os.MFD_CLOEXEC)
    os.write(fd, data)
    os.lseek(fd, 0, os.SEEK_SET)
    return fd
