"""Lab 62 reference: a local CI/CD pipeline for a model artifact: test, evaluate against a quality gate,
package with a content hash, promote in a file registry (a folder with index.json), roll back."""
from __future__ import annotations

import hashlib
import json
import math
from pathlib import Path

REQUIRED_KEYS = ("name", "labels", "vocab", "weights", "bias")
INDEX = "index.json"


# ----------------------------------------------------------------- test

def run_tests(model: dict) -> list[str]:
    missing = [f"missing_key:{key}" for key in REQUIRED_KEYS if key not in model]
    if missing:
        return missing
    failures = []
    labels, vocab, weights, bias = model["labels"], model["vocab"], model["weights"], model["bias"]
    if len(weights) != len(labels) or any(len(row) != len(vocab) for row in weights) or len(bias) != len(labels):
        failures.append("shape")
    numbers = [w for row in weights for w in row] + list(bias)
    if not all(isinstance(x, (int, float)) and math.isfinite(x) for x in numbers):
        failures.append("non_finite")
    if len(set(labels)) != len(labels):
        failures.append("duplicate_labels")
    return failures


# ----------------------------------------------------------------- evaluate

def predict(model: dict, text: str) -> str:
    index = {word: i for i, word in enumerate(model["vocab"])}
    counts = [0.0] * len(model["vocab"])
    for word in text.lower().split():
        if word in index:
            counts[index[word]] += 1
    scores = [sum(w * c for w, c in zip(row, counts)) + b for row, b in zip(model["weights"], model["bias"])]
    best = max(scores)
    return model["labels"][scores.index(best)]


def evaluate(model: dict, eval_set: list[dict]) -> float:
    return sum(predict(model, item["text"]) == item["label"] for item in eval_set) / len(eval_set)


def passes_gate(accuracy: float, production_accuracy: float | None, gate: dict) -> bool:
    if accuracy < gate["min_accuracy"]:
        return False
    return production_accuracy is None or accuracy >= production_accuracy - gate["max_regression"]


# ----------------------------------------------------------------- package and registry

def canonical_bytes(model: dict) -> bytes:
    return json.dumps(model, sort_keys=True, separators=(",", ":")).encode("utf-8")


def package(model: dict, registry_dir: str) -> tuple[str, str]:
    content = canonical_bytes(model)
    sha = hashlib.sha256(content).hexdigest()
    filename = f"{sha[:12]}.json"
    (Path(registry_dir) / filename).write_bytes(content)
    return sha, filename


def load_index(registry_dir: str) -> dict:
    path = Path(registry_dir) / INDEX
    if path.exists():
        return json.loads(path.read_text(encoding="utf-8"))
    return {"production": None, "history": [], "entries": []}


def save_index(registry_dir: str, index: dict) -> None:
    (Path(registry_dir) / INDEX).write_text(json.dumps(index, indent=2, sort_keys=True), encoding="utf-8")


def _entry(index: dict, sha: str) -> dict:
    return next(entry for entry in index["entries"] if entry["sha256"] == sha)


def register(registry_dir: str, sha: str, filename: str, accuracy: float, status: str) -> None:
    index = load_index(registry_dir)
    index["entries"].append({"sha256": sha, "file": filename, "accuracy": accuracy, "status": status})
    save_index(registry_dir, index)


def promote(registry_dir: str, sha: str) -> None:
    index = load_index(registry_dir)
    if index["production"] is not None:
        _entry(index, index["production"])["status"] = "archived"
    _entry(index, sha)["status"] = "production"
    index["production"] = sha
    index["history"].append(sha)
    save_index(registry_dir, index)


def rollback(registry_dir: str) -> str | None:
    """Production goes back to the model promoted before the current one; returns its sha256 (None if none)."""
    index = load_index(registry_dir)
    if len(index["history"]) < 2:
        return None
    current = index["history"].pop()
    _entry(index, current)["status"] = "rolled_back"
    previous = index["history"][-1]
    _entry(index, previous)["status"] = "production"
    index["production"] = previous
    save_index(registry_dir, index)
    return previous


# ----------------------------------------------------------------- the pipeline

def run_pipeline(model: dict, registry_dir: str, eval_set: list[dict], gate: dict) -> dict:
    Path(registry_dir).mkdir(parents=True, exist_ok=True)
    failures = run_tests(model)
    if failures:
        return {"decision": "rejected_tests", "failures": failures, "accuracy": None, "sha256": None}
    accuracy = evaluate(model, eval_set)
    index = load_index(registry_dir)
    production = _entry(index, index["production"])["accuracy"] if index["production"] else None
    sha, filename = package(model, registry_dir)
    if not passes_gate(accuracy, production, gate):
        register(registry_dir, sha, filename, accuracy, "rejected")
        return {"decision": "rejected_gate", "failures": [], "accuracy": accuracy, "sha256": sha}
    register(registry_dir, sha, filename, accuracy, "staged")
    promote(registry_dir, sha)
    return {"decision": "promoted", "failures": [], "accuracy": accuracy, "sha256": sha}
