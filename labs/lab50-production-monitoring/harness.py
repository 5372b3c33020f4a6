"""Lab 50 harness (runs inside the sandbox): feeds the student's monitoring functions a request log
(data/requests.jsonl for the visible seed, a log simulated from the seed otherwise) and returns the log next
to what the student computed. checks.py recomputes every number outside the sandbox with numpy's own
percentile methods and parses the Prometheus text independently."""
from __future__ import annotations

import json
import math
import numbers
import random

import numpy as np

from labkit.harness import case

MODELS = ("chat-small", "chat-large")
QUANTILES = (0, 25, 50, 90, 95, 99, 100)
BUCKETS = (0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
WINDOW_S = 60.0


def _no_library_percentiles():
    """Writing the percentile is the lab: numpy's own versions are switched off for the submission."""
    def blocked(*args, **kwargs):
        raise RuntimeError("np.percentile / np.quantile are not available in this lab: write the percentile yourself")
    for name in ("percentile", "quantile", "nanpercentile", "nanquantile"):
        setattr(np, name, blocked)


_no_library_percentiles()


# ----------------------------------------------------------------- the simulated service

def _status(rng, in_outage):
    if in_outage and rng.random() < 0.6:
        return rng.choice([500, 502, 503])
    roll = rng.random()
    if roll < 0.03:
        return 500
    if roll < 0.07:
        return rng.choice([400, 422, 429])          # client errors: not the service's fault
    return 200


def request_log(rng, n, duration_s=600.0):
    """n requests over duration_s seconds, with an outage (5xx burst) and a silent gap (no traffic)."""
    outage = rng.uniform(0.2, 0.6) * duration_s
    gap_start = rng.uniform(0.65, 0.8) * duration_s
    records, ts = [], rng.uniform(0.0, 5.0)
    while len(records) < n:
        ts += rng.expovariate(n / duration_s)
        if gap_start <= ts < gap_start + 2.5 * WINDOW_S:
            continue
        model = rng.choice(MODELS)
        status = _status(rng, outage <= ts < outage + WINDOW_S)
        tokens = rng.randint(5, 400) if status == 200 else 0
        per_token_ms = 9.0 if model == "chat-small" else 21.0
        latency = 40.0 + tokens * per_token_ms * math.exp(rng.gauss(0.0, 0.25))
        if status >= 500:
            latency = rng.uniform(5.0, 3000.0)
        records.append({"ts": round(ts, 3), "model": model, "status": status, "latency_ms": round(latency, 1),
                        "prompt_tokens": rng.randint(10, 800), "completion_tokens": tokens})
    return records


def _log(ctx, name):
    if ctx.visible:
        lines = (ctx.data_dir / "requests.jsonl").read_text(encoding="utf-8").splitlines()
        records = [json.loads(line) for line in lines if line.strip()]
        ctx.show(request_log="data/requests.jsonl", records=len(records))
        return records
    rng = random.Random(f"{ctx.seed}:{name}")
    return request_log(rng, rng.randint(300, 700))


def _copy(records):
    return [dict(r) for r in records]


# ----------------------------------------------------------------- validation

def _number(value, what):
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{what} must be a float, got {type(value).__name__}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{what} is {value}: a latency or rate must be finite")
    return value


def _report(result, quantiles):
    keys = [f"p{q:g}" for q in quantiles]
    if not isinstance(result, dict) or sorted(result) != sorted(keys):
        raise TypeError(f"latency_report must return a dict with exactly the keys {keys}")
    out = {}
    for key in keys:
        entry = result[key]
        if not isinstance(entry, dict) or set(entry) != {"nearest_rank", "linear"}:
            raise TypeError(f"latency_report(...)['{key}'] must be a dict with the keys 'nearest_rank' and 'linear'")
        out[key] = {k: _number(v, f"latency_report(...)['{key}']['{k}']") for k, v in entry.items()}
    return out


def _windows(result):
    if not isinstance(result, list):
        raise TypeError(f"error_rates must return a list of dicts, got {type(result).__name__}")
    keys = {"window_start", "requests", "errors", "error_rate"}
    out = []
    for i, window in enumerate(result):
        if not isinstance(window, dict) or set(window) != keys:
            raise TypeError(f"error_rates(...)[{i}] must be a dict with exactly the keys {sorted(keys)}")
        out.append({k: _number(window[k], f"error_rates(...)[{i}]['{k}']") for k in sorted(keys)})
    return out


def _throughput(result):
    if not isinstance(result, dict) or set(result) != {"throughput", "per_request_mean"}:
        raise TypeError("tokens_per_second must return a dict with the keys 'throughput' and 'per_request_mean'")
    return {k: _number(v, f"tokens_per_second(...)['{k}']") for k, v in result.items()}


def _exposition(result):
    if not isinstance(result, str):
        raise TypeError(f"prometheus_exposition must return a str, got {type(result).__name__}")
    return result


# ----------------------------------------------------------------- cases

@case
def percentiles(student, ctx):
    """Both percentile definitions on the successful requests' latencies, plus small edge cases."""
    records = _log(ctx, "percentiles")
    out = {"records": records, "quantiles": list(QUANTILES),
           "report": _report(student.latency_report(_copy(records), QUANTILES), QUANTILES)}
    if not ctx.visible:
        rng = random.Random(f"{ctx.seed}:edges")
        samples = [[round(rng.uniform(10, 900), 1)], [5.0, 5.0, 7.0, 9.0],
                   [round(rng.lognormvariate(5, 1), 1) for _ in range(rng.randint(7, 40))],
                   [float(rng.randint(1, 6)) for _ in range(rng.randint(10, 30))]]          # many ties
        qs = [0, 1, 10, 33.3, 50, 66.7, 90, 95, 99, 99.9, 100]
        out["edges"] = [{"values": v, "q": q,
                         "nearest_rank": _number(student.percentile_nearest_rank(list(v), q), "percentile_nearest_rank"),
                         "linear": _number(student.percentile_linear(list(v), q), "percentile_linear")}
                        for v in samples for q in qs]
    return out


@case
def throughput(student, ctx):
    if ctx.visible:
        return None
    records = _log(ctx, "throughput")
    return {"records": records, "result": _throughput(student.tokens_per_second(_copy(records)))}


@case
def error_windows(student, ctx):
    if ctx.visible:
        return None
    records = _log(ctx, "error_windows")
    return {"records": records, "window_s": WINDOW_S,
            "windows": _windows(student.error_rates(_copy(records), WINDOW_S))}


@case
def exposition(student, ctx):
    records = _log(ctx, "exposition")
    return {"records": records, "buckets": list(BUCKETS),
            "text": _exposition(student.prometheus_exposition(_copy(records), BUCKETS))}
