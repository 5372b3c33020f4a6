"""Common mistake (lab 50): nearest rank rounded instead of taken as the ceiling."""
# overrides solution.py: only what differs from the reference solution is below


def percentile_nearest_rank(values, q):
    ordered = np.sort(np.asarray(values, dtype=np.float64))
    rank = max(1, round(q / 100.0 * len(ordered)))
    return float(ordered[rank - 1])
