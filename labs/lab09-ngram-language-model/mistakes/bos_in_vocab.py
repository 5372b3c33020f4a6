"""Common mistake: counts '<s>' as a vocabulary word: |V| is one too large and '<s>' can be predicted."""
# overrides solution.py: only what differs from the reference solution is below


class NgramLM(NgramLM):
    """The reference NgramLM, with _vocabulary changed."""

    @staticmethod
    def _vocabulary(sentences: list[list[str]]) -> list[str]:
        return sorted({w for s in sentences for w in s} | {BOS, EOS, UNK})
