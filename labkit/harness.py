"""Runs inside the sandbox: imports the student's module, runs each case for each seed and writes
the outputs (JSON) to the result pipe. It never sees expected values and never decides a verdict."""
from __future__ import annotations

import importlib.util
import json
import os
import random
import sys
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from labkit.encoding import to_jsonable

CaseFn = Callable[[Any, "Context"], Any]
CASES: dict[str, CaseFn] = {}
MAX_MESSAGE = 2000


def case(fn: CaseFn | None = None, *, name: str | None = None):
    """Register a harness case: `fn(student_module, ctx) -> outputs`."""

    def register(f: CaseFn) -> CaseFn:
        CASES[name or f.__name__] = f
        return f

    return register(fn) if fn is not None else register


@dataclass
class Context:
    seed: int
    visible: bool
    data_dir: Path
    artifacts_dir: Path = Path("/sandbox/artifacts")
    shown: dict = field(default_factory=dict)
    size: str = "cpu"  # "gpu" on a worker that owns a GPU (lab.yaml `configs`)
    config: dict = field(default_factory=dict)  # the lab's parameters for this size

    @property
    def device(self) -> str:
        """Where tensors go: "cuda" for the GPU size when CUDA is available in the sandbox, else "cpu"."""
        if self.size == "gpu" and "torch" in sys.modules and sys.modules["torch"].cuda.is_available():
            return "cuda"
        return "cpu"

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)

    def np_rng(self):
        import numpy as np

        return np.random.default_rng(self.seed)

    def torch_generator(self):
        import torch

        return torch.Generator().manual_seed(self.seed)

    def seed_everything(self) -> None:
        random.seed(self.seed)
        try:
            import numpy as np

            np.random.seed(self.seed % 2**32)
        except ImportError:
            pass
        if "torch" in sys.modules:
            sys.modules["torch"].manual_seed(self.seed)

    def show(self, **inputs: Any) -> None:
        """Record inputs shown to the student next to a visible check (taken from the reference run)."""
        self.shown.update(inputs)


def student_error(exc: BaseException, submission: Path) -> dict:
    """The exception with the traceback trimmed to frames of the student's own file."""
    frames = [
        f for f in traceback.extract_tb(exc.__traceback__) if Path(f.filename).name == submission.name
    ]
    lines = [f'  File "{submission.name}", line {f.lineno}, in {f.name}\n    {f.line or ""}'.rstrip()
             for f in frames[-8:]]
    if isinstance(exc, SyntaxError) and exc.lineno:
        lines.append(f'  File "{submission.name}", line {exc.lineno}\n    {(exc.text or "").rstrip()}')
    message = f"{type(exc).__name__}: {exc}"[:MAX_MESSAGE]
    text = ("Traceback (your code):\n" + "\n".join(lines) + "\n" if lines else "") + message
    return {"type": type(exc).__name__, "message": message, "traceback": text}


def import_submission(path: Path):
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[path.stem] = module
    spec.loader.exec_module(module)
    return module


@dataclass
class Project:
    """A multi-file submission, unpacked in the sandbox's work dir: the harness's cases get this instead of
    a module and import what they need from `root` (which is on sys.path)."""
    root: Path
    files: dict[str, str]

    def import_module(self, name: str):
        return importlib.import_module(name)


def load_project(submission: Path) -> Project:
    """Validate and unpack the zip into <work dir>/<stem>/ (inside the sandbox only), put it on sys.path."""
    from labkit.bundle import BundleLimits, extract_bundle

    limits = BundleLimits.from_kb(json.loads(os.environ["LABKIT_BUNDLE"]))
    root = submission.parent / submission.stem
    files = extract_bundle(submission.read_bytes(), root, limits)
    sys.path.insert(0, str(root))
    os.chdir(root)
    return Project(root=root, files=files)


def run_case(fn: CaseFn, student: Any, ctx: Context, submission: Path) -> dict:
    started = time.perf_counter()
    try:
        ctx.seed_everything()
        value = to_jsonable(fn(student, ctx))
        record = {"ok": True, "value": value}
    except MemoryError:
        record = {"ok": False, "error": {"type": "MemoryError", "message": "MemoryError: the memory limit was reached",
                                         "traceback": "MemoryError: the memory limit was reached"}}
    except BaseException as exc:  # noqa: BLE001 - any student failure becomes a record
        if isinstance(exc, KeyboardInterrupt):
            raise
        record = {"ok": False, "error": student_error(exc, submission)}
    record["seconds"] = round(time.perf_counter() - started, 4)
    return record


def write_result(payload: dict) -> None:
    data = json.dumps(payload).encode()
    fd = int(os.environ["LABKIT_RESULT_FD"])
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]
    os.close(fd)


def main() -> None:
    submission = Path(os.environ["LABKIT_SUBMISSION"])
    seeds = [int(s) for s in os.environ["LABKIT_SEEDS"].split(",") if s]
    visible_seed = int(os.environ.get("LABKIT_VISIBLE_SEED", "0"))
    data_dir = Path(os.environ.get("LABKIT_DATA_DIR", "data"))
    only = set(filter(None, os.environ.get("LABKIT_CASES", "").split(",")))
    payload: dict = {"format": 1, "import_error": None, "runs": {}, "shown": {}, "shown_by_case": {}}
    try:
        student = load_project(submission) if os.environ.get("LABKIT_BUNDLE") else import_submission(submission)
    except BaseException as exc:  # noqa: BLE001
        payload["import_error"] = student_error(exc, submission)
        write_result(payload)
        return
    quiet = HiddenOutput()
    for seed in seeds:
        if seed != visible_seed:
            quiet.silence()  # what the student's code prints on hidden inputs never reaches the student
        ctx = Context(seed=seed, visible=seed == visible_seed, data_dir=data_dir,
                      artifacts_dir=Path(os.environ.get("LABKIT_ARTIFACTS_DIR", "/sandbox/artifacts")),
                      size=os.environ.get("LABKIT_SIZE", "cpu"),
                      config=json.loads(os.environ.get("LABKIT_CONFIG") or "{}"))
        runs, by_case = {}, {}
        for name, fn in CASES.items():
            if only and name not in only:
                continue
            before = dict(ctx.shown)
            runs[name] = run_case(fn, student, ctx, submission)
            by_case[name] = to_jsonable({k: v for k, v in ctx.shown.items() if k not in before or before[k] is not v})
        payload["runs"][str(seed)] = runs
        payload["shown"][str(seed)] = to_jsonable(ctx.shown)
        payload["shown_by_case"][str(seed)] = by_case
    quiet.restore()
    write_result(payload)


class HiddenOutput:
    """Sends fds 1 and 2 to /dev/null while hidden cases run; metric lines (labkit.metrics) keep flowing to
    the real stdout, labelled, for the live chart."""

    def __init__(self) -> None:
        self.saved: tuple[int, int] | None = None

    def silence(self) -> None:
        if self.saved is not None:
            return
        from labkit import metrics

        sys.stdout.flush()
        sys.stderr.flush()
        self.saved = (os.dup(1), os.dup(2))
        metrics.STREAM = os.fdopen(os.dup(self.saved[0]), "w", buffering=1, closefd=True)
        metrics.SERIES = "hidden"
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 1)
        os.dup2(null, 2)
        os.close(null)

    def restore(self) -> None:
        if self.saved is None:
            return
        from labkit import metrics

        sys.stdout.flush()
        sys.stderr.flush()
        os.dup2(self.saved[0], 1)
        os.dup2(self.saved[1], 2)
        for fd in self.saved:
            os.close(fd)
        metrics.STREAM.close()
        metrics.STREAM, metrics.SERIES, self.saved = None, "", None
