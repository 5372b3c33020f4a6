"""Common mistake: the query word is its own nearest neighbour."""
# overrides solution.py: only what differs from the reference solution is below


def nearest_neighbors(word: str, vectors: np.ndarray, vocab: list[str], k: int = 5) -> list[tuple[str, float]]:
    index = {w: i for i, w in enumerate(vocab)}
    unit = normalize(vectors.astype(np.float64))
    scores = unit @ unit[index[word]]
    order = np.argsort(-scores, kind="stable")[:k]
    return [(vocab[i], float(scores[i])) for i in order]
