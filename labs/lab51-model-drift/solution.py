"""Lab 51 reference solution: detecting drift in the traffic of an LLM service."""
from __future__ import annotations

import numpy as np


def bin_proportions(values, edges):
    """Share of values per bin: bin 0 is v < edges[0], bin i is edges[i-1] <= v < edges[i], the last bin is
    v >= edges[-1]; float64 array of length len(edges) + 1 (zeros for an empty input)."""
    index = np.searchsorted(np.asarray(edges, dtype=np.float64), np.asarray(values, dtype=np.float64), side="right")
    counts = np.bincount(index, minlength=len(edges) + 1).astype(np.float64)
    total = counts.sum()
    return counts / total if total else counts


def token_distribution(texts, vocab):
    """Share of each vocabulary word among all whitespace tokens of texts, the last entry for every token
    outside vocab; float64 array of length len(vocab) + 1."""
    position = {word: i for i, word in enumerate(vocab)}
    counts = np.zeros(len(vocab) + 1, dtype=np.float64)
    for text in texts:
        for token in text.split():
            counts[position.get(token, len(vocab))] += 1
    total = counts.sum()
    return counts / total if total else counts


def smooth(p, eps):
    """Add eps to every bin and renormalise, so that an empty bin no longer makes a log infinite."""
    p = np.asarray(p, dtype=np.float64) + eps
    return p / p.sum()


def psi(expected, actual, eps=1e-4):
    """Population stability index: sum over bins of (a - e) * ln(a / e), after smoothing both."""
    e, a = smooth(expected, eps), smooth(actual, eps)
    return float(np.sum((a - e) * np.log(a / e)))


def kl_divergence(p, q, eps=1e-4):
    """KL(p || q) = sum p ln(p / q) in nats, after smoothing both."""
    p, q = smooth(p, eps), smooth(q, eps)
    return float(np.sum(p * np.log(p / q)))


def prompt_lengths(texts):
    return [len(text.split()) for text in texts]


class DriftDetector:
    """Compares batches of prompts with a reference batch on prompt lengths and on tokens."""

    def __init__(self, reference_texts, vocab, length_edges, psi_threshold=0.2, kl_threshold=0.1, eps=1e-4):
        self.vocab, self.length_edges = list(vocab), list(length_edges)
        self.psi_threshold, self.kl_threshold, self.eps = psi_threshold, kl_threshold, eps
        self.reference_lengths = bin_proportions(prompt_lengths(reference_texts), self.length_edges)
        self.reference_tokens = token_distribution(reference_texts, self.vocab)

    def scores(self, texts):
        lengths = bin_proportions(prompt_lengths(texts), self.length_edges)
        tokens = token_distribution(texts, self.vocab)
        return {"length_psi": psi(self.reference_lengths, lengths, self.eps),
                "length_kl": kl_divergence(lengths, self.reference_lengths, self.eps),
                "token_psi": psi(self.reference_tokens, tokens, self.eps),
                "token_kl": kl_divergence(tokens, self.reference_tokens, self.eps)}

    def is_drifted(self, texts):
        s = self.scores(texts)
        return bool(max(s["length_psi"], s["token_psi"]) > self.psi_threshold
                    or max(s["length_kl"], s["token_kl"]) > self.kl_threshold)


class RetrainingTrigger:
    """Fires when k consecutive windows were drifted, then starts counting again from zero."""

    def __init__(self, k):
        self.k = k
        self.streak = 0

    def update(self, drifted):
        self.streak = self.streak + 1 if drifted else 0
        if self.streak >= self.k:
            self.streak = 0
            return True
        return False
