"""Per-run cgroup for memory and process limits (v2 when delegated, else v1), or nothing."""
from __future__ import annotations

import os
import signal
import time
import uuid
from pathlib import Path

ROOT = Path("/sys/fs/cgroup")


def _own_path(controller: str) -> str:
    for line in Path("/proc/self/cgroup").read_text().splitlines():
        _, controllers, path = line.split(":", 2)
        if controller in controllers.split(","):
            return path.lstrip("/")
    return ""


def v2_parent() -> Path:
    """Where run cgroups are created: the delegated subtree named by LLMCOURSE_CGROUP_PARENT (set by the
    worker container's entrypoint, deploy/worker-entrypoint.sh), else the worker's own cgroup."""
    delegated = os.environ.get("LLMCOURSE_CGROUP_PARENT")
    return Path(delegated) if delegated else ROOT / _own_path("")


class RunCgroup:
    """Creates the cgroup(s) of one run; `enter()` is called in the child before exec."""

    def __init__(self, memory_bytes: int, pids: int) -> None:
        self.dirs: list[Path] = []
        self.memory_dir: Path | None = None
        self.cpu_dir: Path | None = None  # where the run's CPU time is counted
        self.freezer_dir: Path | None = None  # cgroup v1: stops the run while it is killed
        self.kill_file: Path | None = None  # cgroup v2: cgroup.kill
        name = f"llmcourse-{uuid.uuid4().hex[:12]}"
        if (ROOT / "cgroup.controllers").exists():
            self._setup_v2(name, memory_bytes, pids)
        else:
            self._setup_v1(name, memory_bytes, pids)

    @property
    def limits_memory(self) -> bool:
        return self.memory_dir is not None

    @property
    def limits_pids(self) -> bool:
        return any("pids" in str(d) or (d / "pids.max").exists() for d in self.dirs)

    def _setup_v2(self, name: str, memory_bytes: int, pids: int) -> None:
        base = v2_parent()
        path = base / name
        try:
            path.mkdir()
            (path / "memory.max").write_text(str(memory_bytes))
            (path / "memory.swap.max").write_text("0")
            (path / "pids.max").write_text(str(pids))
        except OSError:
            self._remove(path)
            return
        self.dirs.append(path)
        self.memory_dir = self.cpu_dir = path
        if (path / "cgroup.kill").exists():
            self.kill_file = path / "cgroup.kill"

    def _setup_v1(self, name: str, memory_bytes: int, pids: int) -> None:
        memory = ROOT / "memory" / _own_path("memory") / name
        try:
            memory.mkdir()
            (memory / "memory.limit_in_bytes").write_text(str(memory_bytes))
            swap = memory / "memory.memsw.limit_in_bytes"
            if swap.exists():
                swap.write_text(str(memory_bytes))
            self.dirs.append(memory)
            self.memory_dir = memory
        except OSError:
            self._remove(memory)
        pids_dir = ROOT / "pids" / _own_path("pids") / name
        try:
            pids_dir.mkdir()
            (pids_dir / "pids.max").write_text(str(pids))
            self.dirs.append(pids_dir)
        except OSError:
            self._remove(pids_dir)
        cpu_dir = ROOT / "cpuacct" / _own_path("cpuacct") / name
        try:
            cpu_dir.mkdir()
            self.dirs.append(cpu_dir)
            self.cpu_dir = cpu_dir
        except OSError:
            self._remove(cpu_dir)
        freezer = ROOT / "freezer" / _own_path("freezer") / name
        try:
            freezer.mkdir()
            self.dirs.append(freezer)
            self.freezer_dir = freezer
        except OSError:
            self._remove(freezer)

    def set_limits(self, memory_bytes: int, pids: int) -> bool:
        """False if a limit could not be applied (e.g. memory already above the new limit)."""
        ok = True
        for path in self.dirs:
            for name, value in (("memory.max", memory_bytes), ("memory.limit_in_bytes", memory_bytes),
                                ("memory.memsw.limit_in_bytes", memory_bytes), ("pids.max", pids)):
                target = path / name
                if target.exists():
                    try:
                        target.write_text(str(value))
                    except OSError:
                        ok = ok and name == "memory.memsw.limit_in_bytes"
        return ok

    def enter(self) -> None:
        pid = str(os.getpid())
        for path in self.dirs:
            (path / "cgroup.procs").write_text(pid)

    def pids(self) -> set[int]:
        found: set[int] = set()
        for path in self.dirs:
            try:
                found.update(int(p) for p in (path / "cgroup.procs").read_text().split())
            except OSError:
                pass
        return found

    def kill_all(self, timeout: float = 5.0) -> bool:
        """SIGKILL every process of the run at once; True once none is left. cgroup v2 has cgroup.kill; on v1
        the freezer stops the run first, so no process can fork or exit (and free its PID for reuse)
        between listing the PIDs and signalling them."""
        deadline = time.monotonic() + timeout
        if self.kill_file is not None:
            try:
                self.kill_file.write_text("1")
            except OSError:
                pass
        frozen = self._freeze(deadline)
        try:
            while True:
                left = self.pids()
                if not left:
                    return True
                if time.monotonic() > deadline:
                    return False
                for pid in left:
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
                if frozen:
                    self._thaw()  # killed while frozen: they die as soon as they run
                    frozen = False
                time.sleep(0.01)
        finally:
            if frozen:
                self._thaw()

    def _freeze(self, deadline: float) -> bool:
        if self.freezer_dir is None:
            return False
        state = self.freezer_dir / "freezer.state"
        try:
            state.write_text("FROZEN")
            while state.read_text().strip() != "FROZEN" and time.monotonic() < deadline:
                time.sleep(0.002)
            return True
        except OSError:
            return False

    def _thaw(self) -> None:
        try:
            (self.freezer_dir / "freezer.state").write_text("THAWED")
        except OSError:
            pass

    def procs_files(self) -> list[int]:
        """Write descriptors of the run's cgroup.procs files, opened here (as the worker): a process that is
        handed one can move itself into the run's cgroups by writing "0", with the worker's rights."""
        return [os.open(path / "cgroup.procs", os.O_WRONLY | os.O_CLOEXEC) for path in self.dirs]

    def out_of_memory(self) -> bool:
        if not self.memory_dir:
            return False
        for name, key in (("memory.events", "oom_kill"), ("memory.oom_control", "oom_kill")):
            try:
                for line in (self.memory_dir / name).read_text().splitlines():
                    parts = line.split()
                    if parts[0] == key and int(parts[1]) > 0:
                        return True
            except (OSError, IndexError, ValueError):
                continue
        return False

    def cpu_seconds(self) -> float:
        """CPU time every process of the run used (0.0 where the host does not account it)."""
        if self.cpu_dir is None:
            return 0.0
        try:
            if (self.cpu_dir / "cpuacct.usage").exists():
                return int((self.cpu_dir / "cpuacct.usage").read_text()) / 1e9
            for line in (self.cpu_dir / "cpu.stat").read_text().splitlines():
                if line.startswith("usage_usec"):
                    return int(line.split()[1]) / 1e6
        except (OSError, ValueError, IndexError):
            pass
        return 0.0

    def peak_memory_bytes(self) -> int | None:
        if not self.memory_dir:
            return None
        for name in ("memory.peak", "memory.max_usage_in_bytes"):
            try:
                return int((self.memory_dir / name).read_text())
            except (OSError, ValueError):
                continue
        return None

    def close(self) -> None:
        self.kill_all()
        for path in self.dirs:
            self._remove(path)

    @staticmethod
    def _remove(path: Path) -> None:
        for _ in range(50):
            try:
                path.rmdir()
                return
            except FileNotFoundError:
                return
            except OSError:
                time.sleep(0.02)
