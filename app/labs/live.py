"""Live view of a running submission: the tail of its output and the training metrics it prints
(`step 10 loss 2.31`, or `labkit.log_metrics`). Display only: nothing here ever affects a grade."""
from __future__ import annotations

import json
import re
import time

from sqlalchemy import select, update

from app.core.db import session_scope
from app.labs.models import Submission

METRIC_PREFIX = "@metric "
STEP_LOSS = re.compile(r"\bstep\s*[=:]?\s*(\d+)\b.*?\bloss\s*[=:]?\s*([-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)",
                       re.IGNORECASE)
TAIL_CHARS = 4000
MAX_POINTS = 400


def parse_metric(line: str) -> dict | None:
    if line.startswith(METRIC_PREFIX):
        try:
            point = json.loads(line[len(METRIC_PREFIX):])
        except json.JSONDecodeError:
            return None
        if isinstance(point, dict) and isinstance(point.get("step"), (int, float)):
            values = {k: float(v) for k, v in point.items() if isinstance(v, (int, float)) and not isinstance(v, bool)}
            if isinstance(point.get("series"), str) and point["series"]:
                values["series"] = point["series"][:40]  # labkit.metrics names hidden cases "hidden"
            return values
        return None
    match = STEP_LOSS.search(line)
    if match:
        return {"step": float(match.group(1)), "loss": float(match.group(2))}
    return None


class RunCancelled(Exception):
    """The submission no longer waits for this run (its student cancelled it, or it was finished elsewhere):
    raised from the sandbox's output callback, so the sandbox is killed and nothing is recorded."""


class LiveLog:
    """Collects output as it arrives and saves a snapshot to the submission at most every `interval` s.
    Each metric point is labelled with its case ("visible 1", "hidden 2"...): a new case starts where the
    label changes or the step goes back, so the chart draws one line per case instead of a sawtooth. The
    sandbox also calls it with stream "idle" while the run is silent, so a cancel is noticed either way."""

    def __init__(self, submission_id: int, interval: float = 1.0) -> None:
        self.submission_id = submission_id
        self.interval = interval
        self.tail = ""
        self.partial = ""
        self.points: list[dict] = []
        self.last_flush = 0.0
        self.dirty = False
        self.case_kind: str | None = None
        self.case_counts: dict[str, int] = {}
        self.last_step: float | None = None

    def label(self, point: dict) -> dict:
        kind = str(point.pop("series", "") or "visible")
        if kind != self.case_kind or self.last_step is None or point["step"] <= self.last_step:
            self.case_counts[kind] = self.case_counts.get(kind, 0) + 1
        self.case_kind, self.last_step = kind, point["step"]
        return {**point, "series": f"{kind} {self.case_counts[kind]}"}

    def __call__(self, stream: str, data: bytes) -> None:
        if stream == "idle":
            if time.monotonic() - self.last_flush >= self.interval:
                self.flush()
            return
        text = data.decode("utf-8", errors="replace")
        self.tail = (self.tail + text)[-TAIL_CHARS:]
        if stream == "stdout":
            lines = (self.partial + text).split("\n")
            self.partial = lines.pop()[-1000:]
            for line in lines[-200:]:
                point = parse_metric(line.strip())
                if point is not None:
                    self.points.append(self.label(point))
            if len(self.points) > MAX_POINTS:
                self.points = self.points[::2]
        self.dirty = True
        if time.monotonic() - self.last_flush >= self.interval:
            self.flush()

    def snapshot(self) -> dict:
        return {"tail": self.tail, "metrics": self.points}

    def flush(self) -> None:
        """Save the snapshot while the submission is running; stop the run once it no longer is (cancelled)."""
        self.last_flush = time.monotonic()
        with session_scope() as db:
            if self.dirty:
                self.dirty = False
                saved = db.execute(update(Submission).where(Submission.id == self.submission_id,
                                                            Submission.status == "running")
                                   .values(live=self.snapshot())).rowcount
                if saved:
                    return
            status = db.scalar(select(Submission.status).where(Submission.id == self.submission_id))
        if status is not None and status not in ("queued", "running"):
            raise RunCancelled(f"submission {self.submission_id} is {status}: its run is no longer wanted")
