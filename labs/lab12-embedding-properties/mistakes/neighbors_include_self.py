"""Common mistake: the query word is not left out, so it comes back as its own nearest neighbour."""
# overrides solution.py: only what differs from the reference solution is below


def nearest_neighbors(word: str, vectors: np.ndarray, vocab: list[str], k: int = 5) -> list[tuple[str, float]]:
    unit, index = _unit_vectors(vectors, vocab)
    scores = unit @ unit[index[word]]
    return [(vocab[i], float(scores[i])) for i in _top_k(scores, [], k)]
