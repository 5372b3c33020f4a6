"""Lab 63 reference: a minimal experiment tracker (runs, parameters, metrics with steps, artifacts with
content hashes, tags) stored as an append-only JSON-lines event log, and queries over it."""
from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

EVENTS = "events.jsonl"


class Tracker:
    def __init__(self, root: str):
        self.root = Path(root)
        (self.root / "artifacts").mkdir(parents=True, exist_ok=True)
        self.runs: dict[str, dict] = {}
        log = self.root / EVENTS
        if log.exists():
            for line in log.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    self._apply(json.loads(line))

    # ------------------------------------------------------------- writing

    def _append(self, event: dict) -> None:
        with open(self.root / EVENTS, "a", encoding="utf-8") as log:
            log.write(json.dumps(event, sort_keys=True) + "\n")
        self._apply(event)

    def _apply(self, event: dict) -> None:
        kind, run_id = event["event"], event["run_id"]
        if kind == "start_run":
            self.runs[run_id] = {"name": event["name"], "params": dict(event["params"]), "tags": dict(event["tags"]),
                                 "status": "running", "metrics": {}, "artifacts": {}}
            return
        run = self.runs[run_id]
        if kind == "metric":
            run["metrics"].setdefault(event["key"], {})[event["step"]] = event["value"]
        elif kind == "tag":
            run["tags"][event["key"]] = event["value"]
        elif kind == "artifact":
            run["artifacts"][event["name"]] = event["sha256"]
        elif kind == "end_run":
            run["status"] = event["status"]

    def _require(self, run_id: str) -> dict:
        if run_id not in self.runs:
            raise KeyError(f"unknown run {run_id!r}")
        return self.runs[run_id]

    def start_run(self, name: str, params: dict, tags: dict | None = None) -> str:
        run_id = f"run-{len(self.runs) + 1:04d}"
        self._append({"event": "start_run", "run_id": run_id, "name": name, "params": dict(params),
                      "tags": dict(tags or {})})
        return run_id

    def log_metric(self, run_id: str, key: str, value: float, step: int) -> None:
        self._require(run_id)
        self._append({"event": "metric", "run_id": run_id, "key": key, "value": float(value), "step": int(step)})

    def set_tag(self, run_id: str, key: str, value: str) -> None:
        self._require(run_id)
        self._append({"event": "tag", "run_id": run_id, "key": key, "value": value})

    def log_artifact(self, run_id: str, path: str) -> str:
        self._require(run_id)
        content = Path(path).read_bytes()
        digest = hashlib.sha256(content).hexdigest()
        stored = self.root / "artifacts" / digest
        if not stored.exists():
            shutil.copyfile(path, stored)
        self._append({"event": "artifact", "run_id": run_id, "name": Path(path).name, "sha256": digest,
                      "size": len(content)})
        return digest

    def end_run(self, run_id: str, status: str = "finished") -> None:
        self._require(run_id)
        self._append({"event": "end_run", "run_id": run_id, "status": status})

    # ------------------------------------------------------------- queries

    def _matches(self, run: dict, where: dict) -> bool:
        for field, wanted in where.items():
            section, _, key = field.partition(".")
            if section == "status":
                value = run["status"]
            elif section in ("params", "tags") and key in run[section]:
                value = run[section][key]
            else:
                return False
            if value != wanted:
                return False
        return True

    def search_runs(self, where: dict | None = None) -> list[str]:
        return [run_id for run_id, run in self.runs.items() if self._matches(run, where or {})]

    def metric_history(self, run_id: str, key: str) -> list[tuple[int, float]]:
        return sorted(self._require(run_id)["metrics"].get(key, {}).items())

    def summary(self, run_id: str, key: str, agg: str = "last") -> float | None:
        history = self.metric_history(run_id, key)
        if not history:
            return None
        values = [value for _, value in history]
        return {"last": values[-1], "max": max(values), "min": min(values)}[agg]

    def best_run(self, key: str, mode: str = "max", agg: str = "last", where: dict | None = None) -> str | None:
        best, best_value = None, None
        for run_id in self.search_runs(where):
            value = self.summary(run_id, key, agg)
            if value is None:
                continue
            if best is None or (value > best_value if mode == "max" else value < best_value):
                best, best_value = run_id, value
        return best

    def compare(self, run_ids: list[str], keys: list[str]) -> dict[str, dict[str, float | None]]:
        return {run_id: {key: self.summary(run_id, key) for key in keys} for run_id in run_ids}
