"""Common mistake: the hash functions are a * h + b without the modulo P."""
# overrides solution.py: only what differs from the reference solution is below


def minhash_signature(shingle_set: set[str], a: np.ndarray, b: np.ndarray) -> np.ndarray:
    if not shingle_set:
        return np.full(len(a), P, dtype=np.int64)
    hashes = np.array([base_hash(s) for s in shingle_set], dtype=np.int64)
    return (np.outer(hashes, a) + b).min(axis=0)
