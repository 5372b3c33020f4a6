"""Lab 9: an n-gram language model. Submit this file as ngram.py.

Fill in every function marked TODO. Read README.md for the exact conventions (padding, vocabulary,
unknown words, what generate returns); the checks follow them to the letter.
"""
import math
import random
from collections import Counter

BOS, EOS, UNK = "<s>", "</s>", "<unk>"


def pad(tokens: list[str], n: int) -> list[str]:
    """Return n-1 BOS tokens, then the tokens, then one EOS token.

    pad(["a", "b"], 3) == ["<s>", "<s>", "a", "b", "</s>"]
    """
    raise NotImplementedError("TODO: pad")


def count_ngrams(sentences: list[list[str]], n: int) -> dict[tuple[str, ...], int]:
    """Count every n-gram (a tuple of n tokens) of every padded sentence."""
    raise NotImplementedError("TODO: count_ngrams")


class NgramLM:
    """An n-gram language model with add-k smoothing (k=0 gives maximum likelihood)."""

    def __init__(self, n: int, k: float = 0.0):
        self.n = n
        self.k = k

    def fit(self, sentences: list[list[str]]) -> "NgramLM":
        """Build the vocabulary (training words + EOS + UNK, sorted) and the counts; return self."""
        raise NotImplementedError("TODO: fit")

    def prob(self, context: tuple[str, ...], word: str) -> float:
        """P(word | context) = (c(context + word) + k) / (c(context) + k * |V|).

        `context` holds the previous n-1 tokens (it may contain BOS). Tokens outside the
        vocabulary (other than BOS) are treated as UNK, in the context and in `word`.
        """
        raise NotImplementedError("TODO: prob")

    def next_distribution(self, context: tuple[str, ...]) -> dict[str, float]:
        """{word: P(word | context)} for every word of the vocabulary (sums to 1)."""
        raise NotImplementedError("TODO: next_distribution")

    def sentence_logprob(self, tokens: list[str]) -> float:
        """Natural-log probability of the padded sentence: every word and the final EOS."""
        raise NotImplementedError("TODO: sentence_logprob")

    def perplexity(self, sentences: list[list[str]]) -> float:
        """exp(-total log-probability / number of predicted tokens); float('inf') if a probability is 0."""
        raise NotImplementedError("TODO: perplexity")

    def generate(self, rng: random.Random, max_len: int = 30) -> list[str]:
        """Sample one sentence with `rng`: start from n-1 BOS, draw a word from next_distribution,
        shift it into the context, stop after EOS (included in the result) or after max_len tokens."""
        raise NotImplementedError("TODO: generate")


if __name__ == "__main__":
    # A quick local try-out on the visible data (data/visible_train.txt, data/visible_heldout.txt).
    train = [line.split() for line in open("data/visible_train.txt", encoding="utf-8") if line.strip()]
    heldout = [line.split() for line in open("data/visible_heldout.txt", encoding="utf-8") if line.strip()]
    print(sorted(count_ngrams(train, 2).items())[:5])
    model = NgramLM(2, k=1.0).fit(train)
    print("P(cat | the) =", model.prob(("the",), "cat"))
    print("held-out perplexity:", model.perplexity(heldout))
    rng = random.Random(0)
    for _ in range(3):
        print(" ".join(NgramLM(2).fit(train).generate(rng)))
