"""Common mistake: pads with '<s>' but never appends '</s>'."""
# overrides solution.py: only what differs from the reference solution is below


def pad(tokens: list[str], n: int) -> list[str]:
    """n-1 start symbols, the tokens, one end symbol."""
    return [BOS] * (n - 1) + list(tokens)


class NgramLM(NgramLM):
    """The reference NgramLM, with perplexity changed."""

    def perplexity(self, sentences: list[list[str]]) -> float:
        log_total = sum(self.sentence_logprob(s) for s in sentences)
        n_tokens = sum(len(s) for s in sentences)
        return math.exp(-log_total / n_tokens)
