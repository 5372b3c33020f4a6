"""Common mistake: the median of an even-sized list is taken as sorted[n // 2] (the upper of the two middle
values) instead of the mean of the two middle values."""
# overrides solution.py: only what differs from the reference solution is below


def _median(ordered: list[int]) -> float:
    return float(ordered[len(ordered) // 2])
