"""Common mistake: the hash functions are a * h + b without the modulo P, which is no longer the given
hash family, so the signatures differ from the expected ones."""
# overrides solution.py: only what differs from the reference solution is below


def _hash_family(hashes: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.outer(hashes, a) + b
