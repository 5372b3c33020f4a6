"""`log_metrics(step, loss=..., ...)`: a line the platform charts live while a training lab runs.
Display only: grades never come from printed output."""
import json
import sys

# Where metric lines go: stdout, or (while the harness silences a hidden case's output) the stream the
# harness keeps for them, so the live chart still follows training. `series` names the case.
STREAM = None
SERIES = ""


def log_metrics(step: int, **values: float) -> None:
    point = {"step": step, **{k: float(v) for k, v in values.items()}}
    if SERIES:
        point["series"] = SERIES
    stream = STREAM or sys.stdout
    stream.write("@metric " + json.dumps(point) + "\n")
    stream.flush()
