"""Lab 50 reference solution: monitoring an LLM service from its request log."""
from __future__ import annotations

import math

import numpy as np


def is_success(record):
    return 200 <= record["status"] < 300


def is_error(record):
    return record["status"] >= 500


def percentile_nearest_rank(values, q):
    """The smallest value such that at least q% of the values are <= it (q = 0 gives the minimum)."""
    ordered = np.sort(np.asarray(values, dtype=np.float64))
    rank = max(1, math.ceil(q / 100.0 * len(ordered)))
    return float(ordered[rank - 1])


def percentile_linear(values, q):
    """numpy's default ('linear'): interpolate between the sorted values at position q/100 * (n - 1)."""
    ordered = np.sort(np.asarray(values, dtype=np.float64))
    position = q / 100.0 * (len(ordered) - 1)
    lower = math.floor(position)
    upper = min(lower + 1, len(ordered) - 1)
    fraction = position - lower
    return float(ordered[lower] + (ordered[upper] - ordered[lower]) * fraction)


def latency_report(records, quantiles):
    latencies = [r["latency_ms"] for r in records if is_success(r)]
    return {f"p{q:g}": {"nearest_rank": percentile_nearest_rank(latencies, q),
                        "linear": percentile_linear(latencies, q)} for q in quantiles}


def tokens_per_second(records):
    successes = [r for r in records if is_success(r)]
    first_start = min(r["ts"] for r in records)
    last_end = max(r["ts"] + r["latency_ms"] / 1000.0 for r in records)
    total_tokens = sum(r["completion_tokens"] for r in successes)
    per_request = [r["completion_tokens"] / (r["latency_ms"] / 1000.0) for r in successes]
    return {"throughput": total_tokens / (last_end - first_start),
            "per_request_mean": float(np.mean(per_request))}


def error_rates(records, window_s):
    index = [math.floor(r["ts"] / window_s) for r in records]
    first, last = min(index), max(index)
    windows = [{"window_start": k * window_s, "requests": 0, "errors": 0, "error_rate": 0.0}
               for k in range(first, last + 1)]
    for k, record in zip(index, records):
        window = windows[k - first]
        window["requests"] += 1
        window["errors"] += int(is_error(record))
    for window in windows:
        if window["requests"]:
            window["error_rate"] = window["errors"] / window["requests"]
    return windows


def _labels(**labels):
    return "{" + ",".join(f'{key}="{value}"' for key, value in labels.items()) + "}"


def _family(name, kind, help_text):
    return [f"# HELP {name} {help_text}", f"# TYPE {name} {kind}"]


def _latency_histogram(records, buckets):
    lines = _family("llm_request_latency_seconds", "histogram", "Latency of successful requests in seconds.")
    for model in sorted({r["model"] for r in records}):
        seconds = [r["latency_ms"] / 1000.0 for r in records if r["model"] == model and is_success(r)]
        for bound in buckets:
            below = sum(1 for s in seconds if s <= bound)
            lines.append(f"llm_request_latency_seconds_bucket{_labels(model=model, le=repr(float(bound)))} {below}")
        lines.append(f"llm_request_latency_seconds_bucket{_labels(model=model, le='+Inf')} {len(seconds)}")
        lines.append(f"llm_request_latency_seconds_sum{_labels(model=model)} {sum(seconds)!r}")
        lines.append(f"llm_request_latency_seconds_count{_labels(model=model)} {len(seconds)}")
    return lines


def prometheus_exposition(records, buckets):
    lines = _family("llm_requests_total", "counter", "Requests served, by model and HTTP status.")
    for model, status in sorted({(r["model"], r["status"]) for r in records}):
        count = sum(1 for r in records if r["model"] == model and r["status"] == status)
        lines.append(f"llm_requests_total{_labels(model=model, status=status)} {count}")
    lines += _family("llm_completion_tokens_total", "counter", "Completion tokens generated, by model.")
    for model in sorted({r["model"] for r in records}):
        tokens = sum(r["completion_tokens"] for r in records if r["model"] == model)
        lines.append(f"llm_completion_tokens_total{_labels(model=model)} {tokens}")
    lines += _family("llm_tokens_per_second", "gauge", "Completion tokens per second over the log.")
    lines.append(f"llm_tokens_per_second {tokens_per_second(records)['throughput']!r}")
    lines += _latency_histogram(records, buckets)
    return "\n".join(lines) + "\n"
