"""A corpus with planted topics. Each topic puts 90% of its mass on its own block of words (shuffled over the
vocabulary) and 10% on every word; each document is mostly about one topic, mixed with the others. The
harness draws a corpus from the seed; checks.py draws the same planted topics again, outside the sandbox,
and matches them to the student's topics."""
from __future__ import annotations

import hashlib

import numpy as np

TOPICS = 4
WORDS_PER_TOPIC = 10
VOCABULARY = TOPICS * WORDS_PER_TOPIC
DOCUMENTS = 48
DOCUMENT_LENGTH = 25
OWN_MASS = 0.9
DOMINANT_MASS = 0.8      # each document is mostly about one topic (topics take turns), the rest is mixed
DOC_CONCENTRATION = 0.5
THEMES = [["engine", "wheel", "brake", "fuel", "driver", "road", "garage", "tyre", "gear", "motor"],
          ["flour", "oven", "sugar", "butter", "dough", "bake", "yeast", "cake", "bread", "icing"],
          ["goal", "match", "coach", "league", "pitch", "score", "team", "referee", "season", "striker"],
          ["planet", "orbit", "comet", "telescope", "galaxy", "star", "moon", "nebula", "rocket", "crater"]]


def planted(seed) -> tuple[list[list[int]], np.ndarray, list[str]]:
    """(documents as lists of word ids, the planted topic-word matrix (TOPICS, VOCABULARY), the word of each id)."""
    rng = np.random.default_rng(hash_seed(seed))
    order = rng.permutation(VOCABULARY)             # word id of each themed word
    words = [""] * VOCABULARY
    phi = np.full((TOPICS, VOCABULARY), (1 - OWN_MASS) / VOCABULARY)
    for k in range(TOPICS):
        block = order[k * WORDS_PER_TOPIC:(k + 1) * WORDS_PER_TOPIC]
        phi[k, block] += OWN_MASS / WORDS_PER_TOPIC
        for word_id, word in zip(block, THEMES[k]):
            words[word_id] = word
    documents = []
    for d in range(DOCUMENTS):
        theta = (1 - DOMINANT_MASS) * rng.dirichlet(np.full(TOPICS, DOC_CONCENTRATION))
        theta[d % TOPICS] += DOMINANT_MASS
        topics = rng.choice(TOPICS, size=DOCUMENT_LENGTH, p=theta)
        documents.append([int(rng.choice(VOCABULARY, p=phi[k])) for k in topics])
    return documents, phi, words


def hash_seed(seed) -> int:
    """A stable integer from any seed (str or int): Python's hash() of a str changes between runs."""
    return int.from_bytes(hashlib.sha256(str(seed).encode("utf-8")).digest()[:8], "little")
