"""Lab 9 reference solution: an n-gram language model with add-k smoothing."""
import math
import random
from collections import Counter

BOS, EOS, UNK = "<s>", "</s>", "<unk>"


def pad(tokens: list[str], n: int) -> list[str]:
    """n-1 start symbols, the tokens, one end symbol."""
    return [BOS] * (n - 1) + list(tokens) + [EOS]


def count_ngrams(sentences: list[list[str]], n: int) -> dict[tuple[str, ...], int]:
    counts: Counter = Counter()
    for sentence in sentences:
        padded = pad(sentence, n)
        for i in range(len(padded) - n + 1):
            counts[tuple(padded[i:i + n])] += 1
    return dict(counts)


class NgramLM:
    def __init__(self, n: int, k: float = 0.0):
        self.n = n
        self.k = k
        self.vocab: list[str] = []
        self.ngram_counts: dict[tuple[str, ...], int] = {}
        self.context_counts: Counter = Counter()

    @staticmethod
    def _vocabulary(sentences: list[list[str]]) -> list[str]:
        """The words the model can predict: every training word, '</s>' and '<unk>' (never '<s>')."""
        return sorted({w for s in sentences for w in s} | {EOS, UNK})

    def fit(self, sentences: list[list[str]]) -> "NgramLM":
        self.vocab = self._vocabulary(sentences)
        self._known = set(self.vocab)
        self.ngram_counts = count_ngrams(sentences, self.n)
        self.context_counts = Counter()
        for gram, c in self.ngram_counts.items():
            self.context_counts[gram[:-1]] += c
        return self

    def _map(self, token: str) -> str:
        return token if token in self._known or token == BOS else UNK

    def _counts(self, context: tuple[str, ...], word: str) -> tuple[int, int]:
        """c(context + word) and c(context), unknown words read as '<unk>'."""
        context = tuple(self._map(t) for t in context)
        return self.ngram_counts.get(context + (self._map(word),), 0), self.context_counts.get(context, 0)

    def prob(self, context: tuple[str, ...], word: str) -> float:
        count, context_count = self._counts(context, word)
        denominator = context_count + self.k * len(self.vocab)
        if denominator == 0:  # unseen context without smoothing: fall back to uniform
            return 1.0 / len(self.vocab)
        return (count + self.k) / denominator

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
        n_tokens = sum(len(s) + 1 for s in sentences)
        return math.exp(-log_total / n_tokens)

    def _sample(self, dist: dict[str, float], rng: random.Random) -> str:
        """One word drawn from dist with a single rng.random(): inverse-CDF over the sorted vocabulary."""
        u, cumulative, word = rng.random(), 0.0, EOS
        for w in self.vocab:
            if dist[w] > 0.0:
                word = w  # (also guards against u landing past a sum of 0.9999999)
            cumulative += dist[w]
            if u < cumulative:
                break
        return word

    def generate(self, rng: random.Random, max_len: int = 30) -> list[str]:
        context = (BOS,) * (self.n - 1)
        out: list[str] = []
        while len(out) < max_len:
            word = self._sample(self.next_distribution(context), rng)
            out.append(word)
            if word == EOS:
                break
            context = (context + (word,))[1:] if self.n > 1 else ()
        return out
