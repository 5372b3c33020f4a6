"""Lab 63 harness (runs inside the sandbox): replays a seeded experiment history (data/experiments.py)
through the student's Tracker in a fresh folder, then returns the event log it wrote, what it stored under
artifacts/, the answers to seeded queries, and the answers of a second Tracker opened on the same folder.
checks.py replays the same history through its own model of the log and compares."""
from __future__ import annotations

import importlib.abc
import importlib.util
import json
import sys
import tempfile
from pathlib import Path

from labkit.harness import case

BLOCKED_LIBRARIES = ("mlflow", "wandb", "aim", "sacred", "neptune", "comet_ml")


class _BlockLibraries(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname, path=None, target=None):
        if fullname.split(".")[0] in BLOCKED_LIBRARIES:
            raise ImportError(f"{fullname} is not available in this lab: write the tracker yourself")
        return None


sys.meta_path.insert(0, _BlockLibraries())


def _experiments(ctx):
    name = "lab63_experiments"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, ctx.data_dir / "experiments.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        sys.modules[name] = module
    return sys.modules[name]


def replay(student, root: Path, ops: list[dict], scratch: Path):
    tracker = student.Tracker(str(root))
    run_ids, hashes = [], []
    for op in ops:
        kind = op["op"]
        if kind == "start_run":
            run_id = tracker.start_run(op["name"], dict(op["params"]), dict(op["tags"]))
            if not isinstance(run_id, str):
                raise TypeError(f"start_run must return the run id as a str, got {type(run_id).__name__}")
            run_ids.append(run_id)
        elif kind == "log_metric":
            tracker.log_metric(run_ids[op["run"]], op["key"], op["value"], op["step"])
        elif kind == "set_tag":
            tracker.set_tag(run_ids[op["run"]], op["key"], op["value"])
        elif kind == "log_artifact":
            path = scratch / op["name"]
            path.write_text(op["content"], encoding="utf-8")
            digest = tracker.log_artifact(run_ids[op["run"]], str(path))
            if not isinstance(digest, str):
                raise TypeError(f"log_artifact must return the sha256 hex digest as a str, got {type(digest).__name__}")
            hashes.append(digest)
        elif kind == "end_run":
            tracker.end_run(run_ids[op["run"]], op["status"])
    return tracker, run_ids, hashes


def _jsonable(value):
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, float) or value is None or isinstance(value, (str, int)):
        return value
    try:
        return float(value)
    except (TypeError, ValueError):
        raise TypeError(f"query answers must be str, numbers, None, lists or dicts; got {type(value).__name__}")


def answer(tracker, query: dict):
    kind = query["query"]
    if kind == "search_runs":
        result = tracker.search_runs(query["where"])
    elif kind == "best_run":
        result = tracker.best_run(query["key"], mode=query["mode"], agg=query["agg"], where=query["where"])
    elif kind == "compare":
        result = tracker.compare(list(query["run_ids"]), list(query["keys"]))
    else:
        result = tracker.metric_history(query["run_id"], query["key"])
    return _jsonable(result)


def _read_log(root: Path) -> list:
    log = root / "events.jsonl"
    if not log.exists():
        raise FileNotFoundError("the tracker wrote no events.jsonl in its root folder")
    events = []
    for number, line in enumerate(log.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                events.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise ValueError(f"events.jsonl line {number} is not JSON: {exc.msg}") from None
    return events


def _stored_artifacts(root: Path) -> dict:
    folder = root / "artifacts"
    return {p.name: p.read_text(encoding="utf-8", errors="replace") for p in sorted(folder.iterdir())} \
        if folder.is_dir() else {}


def _run(student, ops, queries):
    with tempfile.TemporaryDirectory() as tmp:
        root, scratch = Path(tmp) / "tracking", Path(tmp) / "scratch"
        scratch.mkdir()
        tracker, run_ids, hashes = replay(student, root, ops, scratch)
        answers = [answer(tracker, q) for q in queries]
        reopened = student.Tracker(str(root))          # another process opening the same folder later
        reopened_answers = [answer(reopened, q) for q in queries]
        next_id = reopened.start_run("after-restart", {"lr": 0.1}, {})
        return {"operations": ops, "queries": queries, "run_ids": run_ids, "hashes": hashes,
                "events": _read_log(root), "artifacts": _stored_artifacts(root), "answers": answers,
                "reopened_answers": reopened_answers, "next_run_id": next_id}


@case
def tracking(student, ctx):
    experiments = _experiments(ctx)
    seed = "visible" if ctx.visible else ctx.seed
    runs = 3 if ctx.visible else 6
    ops, queries = experiments.operations(seed, runs), experiments.queries(seed, runs)
    if ctx.visible:
        ctx.show(operations=ops, queries=queries)
    return _run(student, ops, queries)
