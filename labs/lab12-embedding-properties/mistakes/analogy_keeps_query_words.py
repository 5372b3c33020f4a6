"""Common mistake: 3CosAdd without excluding the query words a, b and c: the answer is usually c or b."""
# overrides solution.py: only what differs from the reference solution is below


def analogy(a: str, b: str, c: str, vectors: np.ndarray, vocab: list[str], k: int = 1) -> list[str]:
    unit, index = _unit_vectors(vectors, vocab)
    target = unit[index[b]] - unit[index[a]] + unit[index[c]]
    return [vocab[i] for i in _top_k(unit @ target, [], k)]
