"""Common mistake (lab 50): histogram buckets hold per-bucket counts, not cumulative ones."""
# overrides solution.py: only what differs from the reference solution is below


def _latency_histogram(records, buckets):
    lines = _family("llm_request_latency_seconds", "histogram", "Latency of successful requests in seconds.")
    for model in sorted({r["model"] for r in records}):
        seconds = [r["latency_ms"] / 1000.0 for r in records if r["model"] == model and is_success(r)]
        lower = -math.inf
        for bound in buckets:
            inside = sum(1 for s in seconds if lower < s <= bound)
            lines.append(f"llm_request_latency_seconds_bucket{_labels(model=model, le=repr(float(bound)))} {inside}")
            lower = bound
        lines.append(f"llm_request_latency_seconds_bucket{_labels(model=model, le='+Inf')} {len(seconds)}")
        lines.append(f"llm_request_latency_seconds_sum{_labels(model=model)} {sum(seconds)!r}")
        lines.append(f"llm_request_latency_seconds_count{_labels(model=model)} {len(seconds)}")
    return lines
