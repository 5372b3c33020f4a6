"""Builds Lab 42's data (run once by the lab author; the outputs are committed):

- data/transitions.json: a fixed random Markov chain over 16 tokens, the "language" every run samples
  its training text from (each hidden seed draws a different stream);
- private/heldout.json: 2000 (context, next token) pairs from the same chain, never mounted in the
  sandbox: the grader computes held-out loss on them from the student's trained weights.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

VOCAB, CONTEXT, HELDOUT = 16, 3, 2000
HERE = Path(__file__).parent


def transitions(seed: int = 42) -> np.ndarray:
    rng = np.random.default_rng(seed)
    logits = 2.5 * rng.standard_normal((VOCAB, VOCAB))
    probs = np.exp(logits - logits.max(axis=1, keepdims=True))
    return probs / probs.sum(axis=1, keepdims=True)


def stream(probs: np.ndarray, length: int, seed: int) -> list[int]:
    rng = np.random.default_rng(seed)
    tokens = [int(rng.integers(VOCAB))]
    for _ in range(length - 1):
        tokens.append(int(rng.choice(VOCAB, p=probs[tokens[-1]])))
    return tokens


def main() -> None:
    probs = transitions()
    (HERE / "data" / "transitions.json").write_text(json.dumps([[round(float(p), 12) for p in row] for row in probs]))
    tokens = stream(probs, HELDOUT + CONTEXT, seed=2024)
    contexts = [tokens[i:i + CONTEXT] for i in range(HELDOUT)]
    targets = tokens[CONTEXT:CONTEXT + HELDOUT]
    (HERE / "private" / "heldout.json").write_text(json.dumps({"contexts": contexts, "targets": targets}))


if __name__ == "__main__":
    main()
