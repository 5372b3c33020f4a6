"""Common mistake: cosine_similarity() protects the first matrix against all-zero rows (the visible example
has one there) but divides the second by its norms directly, so an all-zero document vector gives NaN."""
# overrides solution.py: only what differs from the reference solution is below


def cosine_similarity(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    a_norm = np.linalg.norm(a, axis=1, keepdims=True)
    a_unit = np.divide(a, a_norm, out=np.zeros_like(a, dtype=np.float64), where=a_norm > 0)
    b_unit = b / np.linalg.norm(b, axis=1, keepdims=True)
    return a_unit @ b_unit.T
