"""Common mistake: pads with '<s>' but never appends '</s>'."""
# overrides solution.py: only what differs from the reference solution is below


def pad(tokens: list[str], n: int) -> list[str]:
    """n-1 start symbols, the tokens, one end symbol."""
    return [BOS] * (n - 1) + list(tokens)


class NgramLM:
    def __init__(self, n: int, k: float = 0.0):
        self.n = n
        self.k = k
        self.vocab: list[str] = []
        self.ngram_counts: dict[tuple[str, ...], int] = {}
        self.context_counts: Counter = Counter()

    def fit(self, sentences: list[list[str]]) -> "NgramLM":
        self.vocab = sorted({w for s in sentences for w in s} | {EOS, UNK})
        self._known = set(self.vocab)
        self.ngram_counts = count_ngrams(sentences, self.n)
        self.context_counts = Counter()
        for gram, c in self.ngram_counts.items():
            self.context_counts[gram[:-1]] += c
        return self

    def _map(self, token: str) -> str:
        return token if token in self._known or token == BOS else UNK

    def prob(self, context: tuple[str, ...], word: str) -> float:
        context = tuple(self._map(t) for t in context)
        word = self._map(word)
        numerator = self.ngram_counts.get(context + (word,), 0) + self.k
        denominator = self.context_counts.get(context, 0) + self.k * len(self.vocab)
        if denominator == 0:  # unseen context without smoothing: fall back to uniform
            return 1.0 / len(self.vocab)
        return numerator / denominator

    def next_distribution(self, context: tuple[str, ...]) -> dict[str, float]:
        return {w: self.prob(context, w) for w in self.vocab}

    def sentence_logprob(self, tokens: list[str]) -> float:
        padded = pad(tokens, self.n)
        total = 0.0
        for i in range(self.n - 1, len(padded)):
            p = self.prob(tuple(padded[i - self.n + 1:i]), padded[i])
            if p == 0.0:
                return float("-inf")
            total += math.log(p)
        return total

    def perplexity(self, sentences: list[list[str]]) -> float:
        log_total = sum(self.sentence_logprob(s) for s in sentences)
        n_tokens = sum(len(s) for s in sentences)
        return math.exp(-log_total / n_tokens)

    def generate(self, rng: random.Random, max_len: int = 30) -> list[str]:
        context = (BOS,) * (self.n - 1)
        out: list[str] = []
        while len(out) < max_len:
            dist = self.next_distribution(context)
            u, cumulative, word = rng.random(), 0.0, EOS
            for w in self.vocab:  # inverse-CDF sampling over the sorted vocabulary
                if dist[w] > 0.0:
                    word = w  # (also guards against u landing past a sum of 0.9999999)
                cumulative += dist[w]
                if u < cumulative:
                    break
            out.append(word)
            if word == EOS:
                break
            context = (context + (word,))[1:] if self.n > 1 else ()
        return out
