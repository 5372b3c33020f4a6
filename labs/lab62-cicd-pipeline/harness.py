"""Lab 62 harness (runs inside the sandbox): feeds a seeded sequence of candidate models (data/candidates.py:
good ones, broken artifacts, a regression, a weak one) and a rollback through the student's pipeline with a
fresh registry folder, and returns every decision, the final index.json and the files of the registry.
checks.py replays the sequence with its own tests, evaluation and registry rules outside the sandbox."""
from __future__ import annotations

import copy
import hashlib
import importlib.util
import json
import numbers
import sys
import tempfile
from pathlib import Path

from labkit.harness import case

GATE = {"min_accuracy": 0.8, "max_regression": 0.02}
DECISIONS = ("promoted", "rejected_tests", "rejected_gate")


def _candidates(ctx):
    name = "lab62_candidates"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, ctx.data_dir / "candidates.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        sys.modules[name] = module
    return sys.modules[name]


def _decision(value):
    if not isinstance(value, dict) or set(value) != {"decision", "failures", "accuracy", "sha256"}:
        raise TypeError("run_pipeline must return a dict with exactly the keys decision, failures, accuracy, sha256")
    if value["decision"] not in DECISIONS:
        raise ValueError(f"run_pipeline: decision {value['decision']!r} is not one of {DECISIONS}")
    accuracy = value["accuracy"]
    if accuracy is not None and (isinstance(accuracy, bool) or not isinstance(accuracy, numbers.Real)):
        raise TypeError("run_pipeline: accuracy must be a float or None")
    return {"decision": value["decision"], "failures": [str(f) for f in value["failures"]],
            "accuracy": None if accuracy is None else float(accuracy),
            "sha256": None if value["sha256"] is None else str(value["sha256"])}


def _registry_files(registry: Path) -> dict:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(registry.iterdir()) if p.is_file()}


@case
def pipeline(student, ctx):
    candidates = _candidates(ctx)
    seed = "visible" if ctx.visible else ctx.seed
    steps = candidates.sequence(seed)
    eval_set = candidates.eval_set(seed)
    if ctx.visible:
        steps = steps[:4]
        ctx.show(steps=json.loads(json.dumps(steps, default=str).replace("NaN", "null")), gate=GATE)
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        registry = Path(tmp) / "registry"
        for step in steps:
            if "rollback" in step:
                restored = student.rollback(str(registry))
                results.append({"rollback": None if restored is None else str(restored)})
            else:
                results.append(_decision(student.run_pipeline(copy.deepcopy(step["candidate"]), str(registry),
                                                              copy.deepcopy(eval_set), dict(GATE))))
        index_path = registry / "index.json"
        if not index_path.exists():
            raise FileNotFoundError("the registry folder has no index.json after the pipeline ran")
        index = json.loads(index_path.read_text(encoding="utf-8"))
        files = _registry_files(registry)
    return {"seed": seed, "visible_steps": len(steps), "results": results, "index": index, "files": files}
