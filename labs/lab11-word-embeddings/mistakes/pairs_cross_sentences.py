"""Common mistake: context windows cross sentence boundaries."""
# overrides solution.py: only what differs from the reference solution is below


def skipgram_pairs(sentences: list[list[int]], window: int) -> np.ndarray:
    pairs = []
    for sentence in [[t for s in sentences for t in s]]:
        for i, center in enumerate(sentence):
            for j in range(max(0, i - window), min(len(sentence), i + window + 1)):
                if j != i:
                    pairs.append((center, sentence[j]))
    return np.array(pairs, dtype=np.int64).reshape(-1, 2)
