"""Common mistake: character n-grams without < > markers."""
# overrides solution.py: only what differs from the reference solution is below


def char_ngrams(word: str, n_min: int = 3, n_max: int = 5) -> list[str]:
    marked = word
    return [marked[i:i + n] for n in range(n_min, n_max + 1) for i in range(len(marked) - n + 1)]
