"""Common mistake: Pearson correlation of the raw values instead of their ranks."""
# overrides solution.py: only what differs from the reference solution is below


def spearman(x, y) -> float:
    return _pearson(np.asarray(x, dtype=float), np.asarray(y, dtype=float))
