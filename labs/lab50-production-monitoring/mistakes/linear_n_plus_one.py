"""Common mistake (lab 50): linear interpolation at q/100 * (n + 1), Excel's PERCENTILE.EXC convention."""
# overrides solution.py: only what differs from the reference solution is below


def percentile_linear(values, q):
    ordered = np.sort(np.asarray(values, dtype=np.float64))
    position = min(max(q / 100.0 * (len(ordered) + 1) - 1, 0.0), len(ordered) - 1)
    lower = math.floor(position)
    upper = min(lower + 1, len(ordered) - 1)
    return float(ordered[lower] + (ordered[upper] - ordered[lower]) * (position - lower))
