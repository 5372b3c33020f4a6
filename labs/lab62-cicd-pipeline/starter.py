"""Lab 62: a local CI/CD pipeline for a model.

Fill in every function marked TODO and submit this file as pipeline.py (standard library only). A model is a
JSON-like dict: {"name": str, "labels": [str, ...], "vocab": [str, ...], "weights": [[float] * V] * L,
"bias": [float] * L}; the registry is a folder holding packaged models and index.json (format in the README).
"""
from __future__ import annotations

import hashlib
import json
import math
from pathlib import Path

REQUIRED_KEYS = ("name", "labels", "vocab", "weights", "bias")
INDEX = "index.json"


def run_tests(model: dict) -> list[str]:
    """Failure codes, [] when the artifact is sound. If keys are missing: ["missing_key:<key>", ...] for each
    missing key in REQUIRED_KEYS order, and nothing else. Otherwise, in this order: "shape" (weights not
    L x V or bias not L), "non_finite" (a NaN or infinite weight or bias), "duplicate_labels"."""
    raise NotImplementedError("run_tests")


def predict(model: dict, text: str) -> str:
    """Counts of the lower-cased, whitespace-split words over model["vocab"], scores = W @ counts + bias,
    the label of the FIRST highest score."""
    raise NotImplementedError("predict")


def evaluate(model: dict, eval_set: list[dict]) -> float:
    """Share of items ({"text", "label"}) predicted right."""
    raise NotImplementedError("evaluate")


def passes_gate(accuracy: float, production_accuracy: float | None, gate: dict) -> bool:
    """accuracy >= gate["min_accuracy"] and, when a model is in production,
    accuracy >= production_accuracy - gate["max_regression"]."""
    raise NotImplementedError("passes_gate")


def package(model: dict, registry_dir: str) -> tuple[str, str]:
    """Write the canonical JSON bytes (json.dumps(model, sort_keys=True, separators=(",", ":")), UTF-8) to
    registry_dir/<first 12 hex chars of their sha256>.json; return (sha256 hex, file name)."""
    raise NotImplementedError("package")


def promote(registry_dir: str, sha: str) -> None:
    """The current production entry becomes "archived", this one "production"; append it to history."""
    raise NotImplementedError("promote")


def rollback(registry_dir: str) -> str | None:
    """Pop the current model from history (status "rolled_back"); the model promoted just before it becomes
    production again. Returns its sha256, or None (and changes nothing) with fewer than 2 promotions."""
    raise NotImplementedError("rollback")


def run_pipeline(model: dict, registry_dir: str, eval_set: list[dict], gate: dict) -> dict:
    """Test -> evaluate -> package -> register -> gate -> promote. Returns
    {"decision": "rejected_tests" | "rejected_gate" | "promoted", "failures": [...], "accuracy": float | None,
     "sha256": str | None}."""
    raise NotImplementedError("run_pipeline")
