"""Common mistake: 3CosAdd without excluding the query words."""
# overrides solution.py: only what differs from the reference solution is below


def analogy(a: str, b: str, c: str, vectors: np.ndarray, vocab: list[str], k: int = 1) -> list[str]:
    index = {w: i for i, w in enumerate(vocab)}
    unit = normalize(vectors.astype(np.float64))
    target = unit[index[b]] - unit[index[a]] + unit[index[c]]
    scores = unit @ target
    return [vocab[i] for i in np.argsort(-scores, kind="stable")[:k]]
