"""Common mistake: analogy adds the raw vectors and scores them with dot products, not unit vectors and cosines."""
# overrides solution.py: only what differs from the reference solution is below


def analogy(a: str, b: str, c: str, vectors: np.ndarray, vocab: list[str], k: int = 1) -> list[str]:
    index = {w: i for i, w in enumerate(vocab)}
    raw = vectors.astype(np.float64)
    target = raw[index[b]] - raw[index[a]] + raw[index[c]]
    return [vocab[i] for i in _top_k(raw @ target, [index[a], index[b], index[c]], k)]
