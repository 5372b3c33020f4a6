"""The stand-in language model of lab 48 (shipped with the lab, read-only in the sandbox).

A real deployment would load an LLM's weights (GPT-2, Llama...) once at start-up and call its forward pass.
This stand-in keeps exactly that interface and is small enough to grade in a second: a character-level
n-gram model (up to 4 characters of context, backing off to shorter ones) whose next-token scores
(log-probabilities, float32) come from counts over a short corpus about serving models, with a tiny fixed
perturbation so that no two scores tie. Token 0 is end-of-sequence.

`forward(batch)` takes a list of token-id sequences of any lengths and returns one row of next-token logits
per sequence. A row depends only on its own sequence (a batched call gives bit-for-bit the rows of separate
calls), and every call costs `latency_s` seconds whatever the batch size, as a GPU forward pass does: that is
why serving stacks batch concurrent requests.
"""
from __future__ import annotations

import time
from functools import lru_cache

import numpy as np

ALPHABET = " abcdefghijklmnopqrstuvwxyz.,'?!"
EOS_ID = 0
CORPUS = """the server loads the model once and answers many requests.
a request carries a prompt and the number of new tokens to generate.
the model reads the prompt and predicts the next token.
greedy decoding keeps the token with the highest score.
the server stops when the model emits the end of the text.
batching puts many requests into one forward pass.
one forward pass costs the same for one request or eight.
streaming sends each token to the client as soon as it is ready.
a bad request gets a clear error, not a crash.
the client waits for the answer, so latency matters.
what is the answer? the answer is in the tokens.
serve the model, batch the requests, stream the tokens!
it's the model's job to predict, and the server's job to serve."""


ORDER = 4  # characters of context at most


@lru_cache(maxsize=1)
def _tables() -> dict:
    """{context tuple (1..ORDER previous ids, eos-padded on the left): (V,) float32 next-token log-probs}."""
    vocab_size = len(ALPHABET) + 1
    index = {ch: i + 1 for i, ch in enumerate(ALPHABET)}
    counts: dict = {}
    for line in CORPUS.splitlines():
        ids = [EOS_ID] * ORDER + [index[ch] for ch in line] + [EOS_ID]
        for end in range(ORDER, len(ids)):
            for k in range(1, ORDER + 1):
                row = counts.setdefault(tuple(ids[end - k:end]), np.zeros(vocab_size))
                row[ids[end]] += 1.0
    noise = np.random.default_rng(48)
    tables = {}
    for context in sorted(counts):
        row = counts[context] + 0.05
        tables[context] = (np.log(row / row.sum()) + noise.uniform(0.0, 1e-3, vocab_size)).astype(np.float32)
    return tables


class TinyLM:
    """encode/decode text, forward(batch) -> (B, V) float32 next-token logits, eos_id, vocab_size."""

    def __init__(self, latency_s: float = 0.0):
        self.alphabet = ALPHABET
        self.eos_id = EOS_ID
        self.vocab = ["<eos>"] + list(ALPHABET)
        self.vocab_size = len(self.vocab)
        self.latency_s = latency_s
        self._tables = _tables()
        self._uniform = np.full(self.vocab_size, -np.log(self.vocab_size), dtype=np.float32)
        self._index = {ch: i + 1 for i, ch in enumerate(ALPHABET)}

    def encode(self, text: str) -> list[int]:
        unknown = sorted(set(text) - set(ALPHABET))
        if unknown:
            raise ValueError(f"characters outside the model's alphabet: {''.join(unknown)!r}")
        return [self._index[ch] for ch in text]

    def decode(self, ids) -> str:
        return "".join(self.vocab[int(i)] for i in ids if int(i) != EOS_ID)

    def forward(self, batch) -> np.ndarray:
        if not isinstance(batch, (list, tuple)) or not batch:
            raise ValueError("forward takes a non-empty list of token-id sequences")
        rows = []
        for seq in batch:
            seq = [int(t) for t in seq]
            if not seq:
                raise ValueError("forward: every sequence needs at least one token")
            if any(not 0 <= t < self.vocab_size for t in seq):
                raise ValueError(f"forward: token ids must lie in [0, {self.vocab_size})")
            rows.append(self._row([EOS_ID] * ORDER + seq))
        if self.latency_s:
            time.sleep(self.latency_s)  # one pass on the accelerator, whatever the batch size
        return np.stack(rows)

    def _row(self, padded: list) -> np.ndarray:
        for k in range(ORDER, 0, -1):  # back off to a shorter context when the corpus never showed this one
            row = self._tables.get(tuple(padded[-k:]))
            if row is not None:
                return row.copy()
        return self._uniform.copy()


def greedy(model: TinyLM, prompt: str, max_new_tokens: int) -> tuple[list[int], str]:
    """The reference decoding: (generated token ids without eos, "eos" | "length"), one forward per step."""
    seq, out = model.encode(prompt), []
    while len(out) < max_new_tokens:
        token = int(np.argmax(model.forward([seq])[0]))
        if token == EOS_ID:
            return out, "eos"
        seq.append(token)
        out.append(token)
    return out, "length"
