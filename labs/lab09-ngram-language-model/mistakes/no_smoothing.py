"""Common mistake: ignores k (plain maximum likelihood), so unseen n-grams get probability 0."""
# overrides solution.py: only what differs from the reference solution is below


class NgramLM(NgramLM):
    """The reference NgramLM, with prob changed."""

    def prob(self, context: tuple[str, ...], word: str) -> float:
        count, context_count = self._counts(context, word)
        return count / context_count if context_count else 1.0 / len(self.vocab)
