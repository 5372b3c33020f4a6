"""Lab 51: detecting drift in the traffic of an LLM service, and deciding when to retrain.

Fill in every function marked TODO and submit this file as drift.py. Use numpy (scipy is not needed).
A batch (or window) of traffic is a list of prompts (str); tokens are the whitespace-separated words.
"""
from __future__ import annotations

import numpy as np


def bin_proportions(values, edges):
    """Share of values per bin, float64 array of length len(edges) + 1: bin 0 is v < edges[0],
    bin i is edges[i-1] <= v < edges[i], the last bin is v >= edges[-1]."""
    # TODO: np.searchsorted(edges, values, side=...) gives the bin index; np.bincount counts them
    raise NotImplementedError("bin_proportions")


def token_distribution(texts, vocab):
    """Share of each word of vocab among all tokens of texts (in vocab's order), plus a last entry for every
    token outside vocab; float64 array of length len(vocab) + 1."""
    # TODO
    raise NotImplementedError("token_distribution")


def smooth(p, eps):
    """p + eps in every bin, renormalised to sum to 1 (float64 array)."""
    # TODO
    raise NotImplementedError("smooth")


def psi(expected, actual, eps=1e-4):
    """Population stability index of actual against expected, after smoothing both: sum((a - e) * ln(a / e))."""
    # TODO
    raise NotImplementedError("psi")


def kl_divergence(p, q, eps=1e-4):
    """KL(p || q) = sum(p * ln(p / q)) in nats, after smoothing both; a Python float."""
    # TODO
    raise NotImplementedError("kl_divergence")


class DriftDetector:
    """Compares windows of prompts with a reference batch, on prompt lengths (number of tokens, binned with
    length_edges) and on the token distribution over vocab."""

    def __init__(self, reference_texts, vocab, length_edges, psi_threshold=0.2, kl_threshold=0.1, eps=1e-4):
        # TODO: keep the thresholds and the reference's two distributions
        raise NotImplementedError("DriftDetector")

    def scores(self, texts):
        """{"length_psi", "length_kl", "token_psi", "token_kl"}: PSI(reference, window) and
        KL(window || reference) on the length bins and on the tokens, as floats."""
        # TODO
        raise NotImplementedError("DriftDetector.scores")

    def is_drifted(self, texts):
        """True when a PSI is above psi_threshold or a KL above kl_threshold (lengths or tokens)."""
        # TODO
        raise NotImplementedError("DriftDetector.is_drifted")


class RetrainingTrigger:
    """Fires (update returns True) when the last k windows in a row were drifted; then the count restarts."""

    def __init__(self, k):
        # TODO
        raise NotImplementedError("RetrainingTrigger")

    def update(self, drifted):
        # TODO
        raise NotImplementedError("RetrainingTrigger.update")
