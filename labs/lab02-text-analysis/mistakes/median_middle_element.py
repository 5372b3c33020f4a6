"""Common mistake: the median of an even-sized list is taken as sorted[n // 2]."""
# overrides solution.py: only what differs from the reference solution is below


def length_summary(lengths: list[int], bin_width: int = 5) -> dict:
    if not lengths:
        return {"count": 0, "mean": 0.0, "median": 0.0, "min": 0, "max": 0, "histogram": []}
    ordered = sorted(lengths)
    n = len(ordered)
    middle = n // 2
    median = float(ordered[middle])
    histogram = [0] * (ordered[-1] // bin_width + 1)
    for length in ordered:
        histogram[length // bin_width] += 1
    return {"count": n, "mean": sum(ordered) / n, "median": median,
            "min": ordered[0], "max": ordered[-1], "histogram": histogram}
