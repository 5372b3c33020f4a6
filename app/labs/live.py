"""Live view of a running submission: the tail of its output and the training metrics it prints
(`step 10 loss 2.31`, or `labkit.log_metrics`). Display only: nothing here ever affects a grade."""
from __future__ import annotations

import json
import re
import time

from sqlalchemy import update

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
            return {k: float(v) for k, v in point.items() if isinstance(v, (int, float)) and not isinstance(v, bool)}
        return None
    match = STEP_LOSS.search(line)
    if match:
        return {"step": float(match.group(1)), "loss": float(match.group(2))}
    return None


class LiveLog:
    """Collects output as it arrives and saves a snapshot to the submission at most every `interval` s."""

    def __init__(self, submission_id: int, interval: float = 1.0) -> None:
        self.submission_id = submission_id
        self.interval = interval
        self.tail = ""
        self.partial = ""
        self.points: list[dict] = []
        self.last_flush = 0.0
        self.dirty = False

    def __call__(self, stream: str, data: bytes) -> None:
        text = data.decode("utf-8", errors="replace")
        self.tail = (self.tail + text)[-TAIL_CHARS:]
        if stream == "stdout":
            lines = (self.partial + text).split("\n")
            self.partial = lines.pop()[-1000:]
            for line in lines[-200:]:
                point = parse_metric(line.strip())
                if point is not None:
                    self.points.append(point)
            if len(self.points) > MAX_POINTS:
                self.points = self.points[::2]
        self.dirty = True
        if time.monotonic() - self.last_flush >= self.interval:
            self.flush()

    def snapshot(self) -> dict:
        return {"tail": self.tail, "metrics": self.points}

    def flush(self) -> None:
        if not self.dirty:
            return
        self.last_flush, self.dirty = time.monotonic(), False
        with session_scope() as db:
            db.execute(update(Submission).where(Submission.id == self.submission_id, Submission.status == "running")
                       .values(live=self.snapshot()))
