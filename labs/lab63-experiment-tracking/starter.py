"""Lab 63: a minimal experiment tracker.

Fill in every method marked TODO and submit this file as tracker.py. Standard library only (mlflow and
wandb are not importable in this lab). The storage format is given in the README: one JSON object per
line in <root>/events.jsonl, artifacts stored as <root>/artifacts/<sha256 of their content>.
"""
from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

EVENTS = "events.jsonl"


class Tracker:
    def __init__(self, root: str):
        """Open (or create) a tracking folder. Everything already in events.jsonl must be visible to the
        queries, exactly as if this object had logged it."""
        self.root = Path(root)
        (self.root / "artifacts").mkdir(parents=True, exist_ok=True)
        # TODO: replay the existing events into your in-memory state
        raise NotImplementedError("Tracker.__init__")

    # ------------------------------------------------------------- writing (each call appends one event)

    def start_run(self, name: str, params: dict, tags: dict | None = None) -> str:
        """Returns the new run id: "run-0001" for the first run of the folder, then "run-0002", ..."""
        raise NotImplementedError("start_run")

    def log_metric(self, run_id: str, key: str, value: float, step: int) -> None:
        raise NotImplementedError("log_metric")

    def set_tag(self, run_id: str, key: str, value: str) -> None:
        raise NotImplementedError("set_tag")

    def log_artifact(self, run_id: str, path: str) -> str:
        """Copy the file to artifacts/<sha256 hex of its bytes>, log it, return the hex digest."""
        raise NotImplementedError("log_artifact")

    def end_run(self, run_id: str, status: str = "finished") -> None:
        raise NotImplementedError("end_run")

    # ------------------------------------------------------------- queries

    def search_runs(self, where: dict | None = None) -> list[str]:
        """Run ids in start order whose fields equal every entry of `where`: keys "params.<name>",
        "tags.<name>" (a missing param or tag never matches) and "status" ("running", "finished", "failed")."""
        raise NotImplementedError("search_runs")

    def metric_history(self, run_id: str, key: str) -> list[tuple[int, float]]:
        """[(step, value)] sorted by step; a step logged twice keeps the later value; [] if never logged."""
        raise NotImplementedError("metric_history")

    def summary(self, run_id: str, key: str, agg: str = "last") -> float | None:
        """"last" (value at the largest step), "max" or "min" of the history; None without history."""
        raise NotImplementedError("summary")

    def best_run(self, key: str, mode: str = "max", agg: str = "last", where: dict | None = None) -> str | None:
        """Among search_runs(where) with a history for `key`, the run whose summary is largest ("max") or
        smallest ("min"); ties go to the earlier run; None if no run qualifies."""
        raise NotImplementedError("best_run")

    def compare(self, run_ids: list[str], keys: list[str]) -> dict[str, dict[str, float | None]]:
        """{run_id: {key: summary(run_id, key, "last")}} for the given runs and metrics."""
        raise NotImplementedError("compare")
