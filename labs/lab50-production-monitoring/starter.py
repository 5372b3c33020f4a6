"""Lab 50: monitoring an LLM service in production.

Fill in every function marked TODO and submit this file as monitoring.py. numpy is available, but
np.percentile / np.quantile are switched off: writing the percentile is part of the lab.

A request log is a list of dicts, one per request, in order of arrival:
    {"ts": 12.345,            # start time in seconds (float)
     "model": "chat-small",   # which model served it (str)
     "status": 200,           # HTTP status (int)
     "latency_ms": 812.4,     # time until the last token, in milliseconds (float)
     "prompt_tokens": 120, "completion_tokens": 64}   # ints
A request is successful when 200 <= status < 300 and an error when status >= 500 (4xx are the client's).
"""
from __future__ import annotations

import math

import numpy as np


def percentile_nearest_rank(values, q):
    """Nearest-rank percentile of a non-empty list of floats, q in [0, 100], as a float: the value at
    1-based rank ceil(q/100 * n) of the sorted values (rank 1 when that is 0)."""
    # TODO
    raise NotImplementedError("percentile_nearest_rank")


def percentile_linear(values, q):
    """numpy's default ('linear') percentile as a float: position q/100 * (n - 1) in the sorted values
    (0-based), interpolated linearly between the two neighbouring values."""
    # TODO
    raise NotImplementedError("percentile_linear")


def latency_report(records, quantiles):
    """{"p50": {"nearest_rank": float, "linear": float}, ...}: one key f"p{q:g}" per q in quantiles, over the
    latency_ms of successful requests."""
    # TODO
    raise NotImplementedError("latency_report")


def tokens_per_second(records):
    """{"throughput": float, "per_request_mean": float}.
    throughput: completion tokens of successful requests / (max(ts + latency) - min(ts)), in seconds;
    per_request_mean: mean over successful requests of completion_tokens / (latency_ms / 1000)."""
    # TODO
    raise NotImplementedError("tokens_per_second")


def error_rates(records, window_s):
    """A list of {"window_start": float, "requests": int, "errors": int, "error_rate": float}, one per window
    k*window_s <= ts < (k+1)*window_s, from the first request's window to the last one's, including windows
    without requests (0 requests, rate 0.0). errors counts status >= 500."""
    # TODO
    raise NotImplementedError("error_rates")


def prometheus_exposition(records, buckets):
    """The Prometheus text exposition (a str) of four metric families, each introduced by its
    '# HELP name text' and '# TYPE name kind' lines:
      llm_requests_total{model,status}          counter   requests per (model, status), all requests
      llm_completion_tokens_total{model}        counter   completion tokens per model, all requests
      llm_tokens_per_second                     gauge     tokens_per_second(records)["throughput"]
      llm_request_latency_seconds{model}        histogram latency of successful requests, in SECONDS:
          _bucket{model,le} for each bound in buckets and le="+Inf" (cumulative: observations <= le),
          _sum{model} and _count{model}."""
    # TODO
    raise NotImplementedError("prometheus_exposition")
