"""Warm start: an idle sandbox per recently graded lab, started ahead with torch/transformers already
imported, waits for its one job on stdin. Every submission still gets a fresh sandbox of its own (an
idle one is used once, then replaced), so isolation is the same as the cold path; only the import time
moves out of the student's wait. Any doubt (lab changed, sandbox died, limits cannot be applied) falls
back to the cold path."""
from __future__ import annotations

import json
import re
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

from worker.sandbox import SandboxProcess

HEAVY_MODULES = ("numpy", "torch", "transformers", "tokenizers", "sklearn")
MAX_IDLE = 2
MAX_IDLE_SECONDS = 900


def preimports(lab) -> list[str]:
    """Libraries the lab's harness and reference import (what the student's code will almost surely need)."""
    text = "\n".join((lab.dir / name).read_text(encoding="utf-8") for name in ("harness.py", "solution.py")
                     if (lab.dir / name).exists())
    found = []
    for module in HEAVY_MODULES:
        if re.search(rf"^\s*(import|from)\s+{module}\b", text, re.MULTILINE):
            found.append(module)
    return found


@dataclass
class Idle:
    sandbox: SandboxProcess
    key: tuple
    created: float


class WarmPool:
    def __init__(self, max_idle: int = MAX_IDLE) -> None:
        self.max_idle = max_idle
        self.idle: OrderedDict[tuple, Idle] = OrderedDict()
        self.lock = threading.Lock()

    def take(self, key: tuple) -> SandboxProcess | None:
        with self.lock:
            idle = self.idle.pop(key, None)
        if idle is None:
            return None
        if not idle.sandbox.alive() or time.monotonic() - idle.created > MAX_IDLE_SECONDS:
            idle.sandbox.discard()
            return None
        return idle.sandbox

    def put(self, key: tuple, sandbox: SandboxProcess) -> None:
        with self.lock:
            old = self.idle.pop(key, None)
            self.idle[key] = Idle(sandbox, key, time.monotonic())
            evicted = []
            while len(self.idle) > self.max_idle:
                evicted.append(self.idle.popitem(last=False)[1])
        for item in ([old] if old else []) + evicted:
            item.sandbox.discard()

    def clear(self) -> None:
        with self.lock:
            items, self.idle = list(self.idle.values()), OrderedDict()
        for item in items:
            item.sandbox.discard()


def job_bytes(code: str, env: dict[str, str]) -> bytes:
    return json.dumps({"code": code, "env": env}).encode("utf-8")


POOL = WarmPool()
