"""Common mistake: ties get different ranks."""
# overrides solution.py: only what differs from the reference solution is below


def spearman(x, y) -> float:
    rx = np.argsort(np.argsort(x)).astype(float) + 1
    ry = np.argsort(np.argsort(y)).astype(float) + 1
    rx, ry = rx - rx.mean(), ry - ry.mean()
    return float((rx @ ry) / np.sqrt((rx @ rx) * (ry @ ry)))
