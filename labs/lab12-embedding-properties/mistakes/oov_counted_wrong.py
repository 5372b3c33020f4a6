"""Common mistake: questions with a word outside the vocabulary count as wrong answers instead of being skipped."""
# overrides solution.py: only what differs from the reference solution is below


def _answered_right(question: tuple[str, str, str, str], known: set[str], vectors: np.ndarray,
                    vocab: list[str]) -> bool | None:
    a, b, c, d = question
    return {a, b, c, d} <= known and analogy(a, b, c, vectors, vocab)[0] == d
