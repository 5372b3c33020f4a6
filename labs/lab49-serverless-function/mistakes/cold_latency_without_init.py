"""Common mistake (lab 49): the cold-start latency is taken from Duration alone, forgetting the Init Duration
that the same REPORT line carries: cold starts look almost as cheap as warm invocations."""
# overrides solution.py: only what differs from the reference solution is below

_reference_summary = summarize_reports


def summarize_reports(lines, price_per_gb_second, price_per_request):
    summary = _reference_summary(lines, price_per_gb_second, price_per_request)
    cold = [r for r in map(parse_report, lines) if r is not None and r["init_ms"] is not None]
    summary["p50_cold_ms"] = _nearest_rank([r["duration_ms"] for r in cold], 50)
    return summary
