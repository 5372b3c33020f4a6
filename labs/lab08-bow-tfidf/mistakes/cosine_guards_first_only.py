"""Common mistake: cosine_similarity() protects the first matrix against all-zero rows (the visible example
has one there) but divides the second by its norms directly, so an all-zero document vector gives NaN."""
# overrides solution.py: only what differs from the reference solution is below


def cosine_similarity(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return _unit_rows(a) @ (b / np.linalg.norm(b, axis=1, keepdims=True)).T
