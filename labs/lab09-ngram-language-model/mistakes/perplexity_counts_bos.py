"""Common mistake: perplexity() divides by the length of the PADDED sentences, so the n-1 '<s>' tokens,
which the model never predicts, are counted in N and the perplexity comes out too low."""
# overrides solution.py: only what differs from the reference solution is below


class NgramLM(NgramLM):
    """The reference NgramLM, with perplexity changed."""

    def perplexity(self, sentences: list[list[str]]) -> float:
        log_total = sum(self.sentence_logprob(s) for s in sentences)
        n_tokens = sum(len(pad(s, self.n)) for s in sentences)
        return math.exp(-log_total / n_tokens)
