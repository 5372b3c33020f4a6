"""Lab 59: topic modelling with LDA and collapsed Gibbs sampling.

Fill in every function marked TODO and submit this file as topics.py. numpy only: scikit-learn, gensim and
scipy are not importable in this lab (writing the sampler is the point).

A corpus is a list of documents, each a list of word ids in range(vocab_size); z has the same shape and holds
the topic id (in range(num_topics)) currently assigned to each token.
"""
from __future__ import annotations

import math

import numpy as np


def init_counts(documents: list[list[int]], z: list[list[int]], num_topics: int, vocab_size: int):
    """Returns int64 arrays (doc_topic (D, K), topic_word (K, V), topic_total (K,)):
    doc_topic[d, k] = tokens of document d assigned to topic k; topic_word[k, w] = tokens of word w assigned to
    topic k; topic_total[k] = all tokens assigned to topic k."""
    raise NotImplementedError("init_counts")


def gibbs_sweep(documents, z, doc_topic, topic_word, topic_total, alpha: float, beta: float,
                uniforms: np.ndarray) -> list[list[int]]:
    """One collapsed Gibbs pass over every token, document by document, position by position.

    For the n-th token visited (word w in document d): remove it from the three count arrays, compute
        p[k] = (doc_topic[d, k] + alpha) * (topic_word[k, w] + beta) / (topic_total[k] + V * beta),
    pick the first k with cumsum(p)[k] > uniforms[n] * sum(p), and add the token back under k.
    Update the count arrays IN PLACE and return the new assignments (a new list of lists)."""
    raise NotImplementedError("gibbs_sweep")


def lda_gibbs(documents, num_topics: int, vocab_size: int, alpha: float = 1.0, beta: float = 0.1,
              iterations: int = 80, seed: int = 0):
    """Random initial topics (np.random.default_rng(seed)), `iterations` sweeps with fresh uniforms, then
    phi (K, V) = (topic_word + beta) / (topic_total + V * beta) and theta (D, K) = (doc_topic + alpha) /
    (document length + K * alpha), both float64. Returns (phi, theta)."""
    raise NotImplementedError("lda_gibbs")


def top_words(phi: np.ndarray, n: int) -> list[list[int]]:
    """Per topic, the ids of its n most probable words, most probable first (ties: smaller id first)."""
    raise NotImplementedError("top_words")


def umass_coherence(top: list[int], documents: list[list[int]]) -> float:
    """UMass coherence of one topic's top words (most probable first):
    sum over i = 1..M-1 and j = 0..i-1 of log((D(w_i, w_j) + 1) / D(w_j)), where D(...) counts the documents
    containing all the given words."""
    raise NotImplementedError("umass_coherence")
