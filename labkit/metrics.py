"""`log_metrics(step, loss=..., ...)`: a line the platform charts live while a training lab runs.
Display only: grades never come from printed output."""
import json
import sys


def log_metrics(step: int, **values: float) -> None:
    point = {"step": step, **{k: float(v) for k, v in values.items()}}
    sys.stdout.write("@metric " + json.dumps(point) + "\n")
    sys.stdout.flush()
