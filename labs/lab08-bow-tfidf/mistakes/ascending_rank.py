"""Common mistake: np.argsort(scores)[:top_k] ranks the least similar documents first."""
# overrides solution.py: only what differs from the reference solution is below


def _rank(scores: np.ndarray, top_k: int) -> list[int]:
    return [int(i) for i in np.argsort(scores)[:top_k]]
