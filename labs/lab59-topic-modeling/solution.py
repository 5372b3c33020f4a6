"""Lab 59 reference: LDA with collapsed Gibbs sampling, and UMass topic coherence."""
from __future__ import annotations

import math

import numpy as np


def init_counts(documents: list[list[int]], z: list[list[int]], num_topics: int, vocab_size: int):
    doc_topic = np.zeros((len(documents), num_topics), dtype=np.int64)
    topic_word = np.zeros((num_topics, vocab_size), dtype=np.int64)
    for d, (words, topics) in enumerate(zip(documents, z)):
        for w, k in zip(words, topics):
            doc_topic[d, k] += 1
            topic_word[k, w] += 1
    return doc_topic, topic_word, topic_word.sum(axis=1)


def gibbs_sweep(documents, z, doc_topic, topic_word, topic_total, alpha, beta, uniforms):
    """One pass over every token in document order. Counts are updated in place; returns the new z."""
    vocab_size = topic_word.shape[1]
    new_z, n = [], 0
    for d, words in enumerate(documents):
        topics = list(z[d])
        for i, w in enumerate(words):
            k = topics[i]
            doc_topic[d, k] -= 1
            topic_word[k, w] -= 1
            topic_total[k] -= 1
            weights = (doc_topic[d] + alpha) * (topic_word[:, w] + beta) / (topic_total + vocab_size * beta)
            cumulative = np.cumsum(weights)
            k = int(np.searchsorted(cumulative, uniforms[n] * cumulative[-1], side="right"))
            k = min(k, len(cumulative) - 1)
            doc_topic[d, k] += 1
            topic_word[k, w] += 1
            topic_total[k] += 1
            topics[i] = k
            n += 1
        new_z.append(topics)
    return new_z


def lda_gibbs(documents, num_topics, vocab_size, alpha=1.0, beta=0.1, iterations=80, seed=0):
    """Returns (phi (K, V), theta (D, K)), both float64 with rows summing to 1."""
    rng = np.random.default_rng(seed)
    z = [list(rng.integers(0, num_topics, len(words))) for words in documents]
    doc_topic, topic_word, topic_total = init_counts(documents, z, num_topics, vocab_size)
    tokens = sum(len(words) for words in documents)
    for _ in range(iterations):
        z = gibbs_sweep(documents, z, doc_topic, topic_word, topic_total, alpha, beta, rng.random(tokens))
    phi = (topic_word + beta) / (topic_total[:, None] + vocab_size * beta)
    theta = (doc_topic + alpha) / (doc_topic.sum(axis=1, keepdims=True) + num_topics * alpha)
    return phi, theta


def top_words(phi: np.ndarray, n: int) -> list[list[int]]:
    return [list(map(int, np.argsort(-row, kind="stable")[:n])) for row in phi]


def umass_coherence(top: list[int], documents: list[list[int]]) -> float:
    """sum over i > j of log((D(w_i, w_j) + 1) / D(w_j)), words in rank order (most probable first)."""
    doc_sets = [set(words) for words in documents]
    def frequency(*words):
        return sum(1 for s in doc_sets if all(w in s for w in words))
    return float(sum(math.log((frequency(top[i], top[j]) + 1) / frequency(top[j]))
                     for i in range(1, len(top)) for j in range(i)))
