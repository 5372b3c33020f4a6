"""Common mistake: ranks with argsort(argsort(x)), which gives tied values different ranks."""
# overrides solution.py: only what differs from the reference solution is below


def rank(values: np.ndarray) -> np.ndarray:
    return np.argsort(np.argsort(values)).astype(float) + 1
