"""Common mistake: off-by-one context: a single '<s>' whatever n is."""
# overrides solution.py: only what differs from the reference solution is below


def pad(tokens: list[str], n: int) -> list[str]:
    """n-1 start symbols, the tokens, one end symbol."""
    return [BOS] + list(tokens) + [EOS]


class NgramLM(NgramLM):
    """The reference NgramLM, with sentence_logprob changed."""

    def sentence_logprob(self, tokens: list[str]) -> float:
        padded = pad(tokens, self.n)
        total = 0.0
        for i in range(1, len(padded)):
            p = self.prob(tuple(padded[max(0, i - self.n + 1):i]), padded[i])
            if p == 0.0:
                return float("-inf")
            total += math.log(p)
        return total
