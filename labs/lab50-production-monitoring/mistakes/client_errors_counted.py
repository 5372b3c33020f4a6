"""Common mistake (lab 50): every non-2xx status is an error, and windows without traffic are left out."""
# overrides solution.py: only what differs from the reference solution is below


def error_rates(records, window_s):
    windows = {}
    for record in records:
        k = math.floor(record["ts"] / window_s)
        window = windows.setdefault(k, {"window_start": k * window_s, "requests": 0, "errors": 0, "error_rate": 0.0})
        window["requests"] += 1
        window["errors"] += int(record["status"] >= 400)
    for window in windows.values():
        window["error_rate"] = window["errors"] / window["requests"]
    return [windows[k] for k in sorted(windows)]
