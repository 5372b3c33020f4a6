"""The stand-in model package of lab 49 (shipped with the lab; copy it next to your function.py to run locally).

A real serverless LLM function would load its weights from the deployment package, a layer or a mounted volume
(`/opt/model`, EFS) or download them from S3 into `/tmp`: seconds of work that must happen once per container,
not once per request. `load_model(model_dir)` stands in for that: it reads `config.json` and the corpus of a
character-level n-gram language model (up to 4 characters of context, backing off to shorter ones), builds its
float32 next-token log-probability tables, and takes LOAD_SECONDS more, as reading a large checkpoint would.
Nothing is downloaded.

The local invoker (the grader) reads LOADS (how many times load_model ran in this process) and may call
inject_fault(message) to make the next forward call fail, as a real accelerator or runtime sometimes does.
"""
import json
import time
from pathlib import Path

import numpy as np

LOAD_SECONDS = 0.1   # simulated time to read a large checkpoint
LOADS = 0            # load_model calls so far (read by the invoker)
_FAULT = []          # messages of injected faults, consumed by the next forward calls


def inject_fault(message: str) -> None:
    """The invoker's fault injection: the next forward call raises RuntimeError(message)."""
    _FAULT.append(message)


class TinyLM:
    """encode(text) -> list[int]; decode(ids) -> str; forward(batch) -> (B, V) float32 logits; eos_id; alphabet."""

    def __init__(self, config: dict, tables: dict):
        self.name = config["name"]
        self.alphabet = config["alphabet"]
        self.eos_id = int(config["eos_id"])
        self.order = int(config["order"])
        self.vocab = ["<eos>"] + list(self.alphabet)
        self.vocab_size = len(self.vocab)
        self._tables = tables
        self._index = {ch: i + 1 for i, ch in enumerate(self.alphabet)}
        self._uniform = np.full(self.vocab_size, -np.log(self.vocab_size), dtype=np.float32)

    def encode(self, text: str) -> list:
        unknown = sorted(set(text) - set(self.alphabet))
        if unknown:
            raise ValueError(f"characters outside the model's alphabet: {''.join(unknown)!r}")
        return [self._index[ch] for ch in text]

    def decode(self, ids) -> str:
        return "".join(self.vocab[int(i)] for i in ids if int(i) != self.eos_id)

    def forward(self, batch) -> np.ndarray:
        if _FAULT:
            raise RuntimeError(_FAULT.pop(0))
        if not isinstance(batch, (list, tuple)) or not batch:
            raise ValueError("forward takes a non-empty list of token-id sequences")
        rows = []
        for seq in batch:
            seq = [int(t) for t in seq]
            if not seq or any(not 0 <= t < self.vocab_size for t in seq):
                raise ValueError(f"forward: each sequence needs at least one token id in [0, {self.vocab_size})")
            padded = [self.eos_id] * self.order + seq
            for k in range(self.order, 0, -1):  # back off to a shorter context the corpus did show
                row = self._tables.get(tuple(padded[-k:]))
                if row is not None:
                    break
            else:
                row = self._uniform
            rows.append(row.copy())
        return np.stack(rows)


def _build_tables(config: dict, corpus: str) -> dict:
    alphabet, eos, order = config["alphabet"], int(config["eos_id"]), int(config["order"])
    index = {ch: i + 1 for i, ch in enumerate(alphabet)}
    vocab_size = len(alphabet) + 1
    counts: dict = {}
    for line in corpus.splitlines():
        if not line.strip():
            continue
        ids = [eos] * order + [index[ch] for ch in line] + [eos]
        for end in range(order, len(ids)):
            for k in range(1, order + 1):
                counts.setdefault(tuple(ids[end - k:end]), np.zeros(vocab_size))[ids[end]] += 1.0
    noise = np.random.default_rng(49)
    tables = {}
    for context in sorted(counts):  # a tiny fixed perturbation: no two scores tie
        row = counts[context] + 0.05
        tables[context] = (np.log(row / row.sum()) + noise.uniform(0.0, 1e-3, vocab_size)).astype(np.float32)
    return tables


def load_model(model_dir) -> TinyLM:
    """Load the model stored in model_dir (config.json + its corpus). Expensive: call it once per container."""
    global LOADS
    LOADS += 1
    model_dir = Path(model_dir)
    config = json.loads((model_dir / "config.json").read_text(encoding="utf-8"))
    corpus = (model_dir / config["corpus"]).read_text(encoding="utf-8")
    model = TinyLM(config, _build_tables(config, corpus))
    if LOAD_SECONDS:
        time.sleep(LOAD_SECONDS)
    return model


def greedy(model: TinyLM, prompt: str, max_new_tokens: int):
    """The grader's reference decoding: (generated ids without eos, "eos" | "length")."""
    seq, out = model.encode(prompt), []
    while len(out) < max_new_tokens:
        token = int(np.argmax(model.forward([seq])[0]))
        if token == model.eos_id:
            return out, "eos"
        seq.append(token)
        out.append(token)
    return out, "length"
