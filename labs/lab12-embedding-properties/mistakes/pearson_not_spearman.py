"""Common mistake: Pearson on raw values instead of ranks."""
# overrides solution.py: only what differs from the reference solution is below


def spearman(x, y) -> float:
    rx, ry = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    rx, ry = rx - rx.mean(), ry - ry.mean()
    return float((rx @ ry) / np.sqrt((rx @ rx) * (ry @ ry)))
