"""Lab 25 custom checks (run outside the sandbox). Every number the student's code returns is compared
with the grader's own computation here, from the stand-in weights in data/ and the texts of the
reference run (never the student's copy): the window spans, the sliding-window NLL and token count,
per-sequence NLL in a padded batch (against each sequence scored alone, without padding), and
perplexity and bits per byte."""
from __future__ import annotations

import importlib.util
import math
import sys
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

import numpy as np

from labkit.checks import Verdict

RTOL, ATOL = 1e-4, 1e-4  # float32 logits, sums of a few hundred log-probabilities


@lru_cache(maxsize=1)
def stand_in():
    spec = importlib.util.spec_from_file_location("lab25_stand_in_checks", Path(__file__).parent / "data" / "stand_in.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@lru_cache(maxsize=1)
def model():
    return stand_in().load_stand_in(Path(__file__).parent / "data")


def spans_of(n_tokens: int, max_length: int, stride: int) -> list[list[int]]:
    spans, scored_until, begin = [], 1, 0
    while scored_until < n_tokens:
        end = min(begin + max_length, n_tokens)
        spans.append([begin, end, scored_until])
        scored_until, begin = end, begin + stride
    return spans or [[0, n_tokens, 1]]


@contextmanager
def one_thread():
    """Tiny forward passes: extra threads only contend with the sandboxes running beside the grader."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


@lru_cache(maxsize=64)
def independent_nll(ids: tuple[int, ...], max_length: int, stride: int) -> tuple[float, int]:
    """Position p is scored once, with the context ids[begin:p] of the window it is scored in."""
    import torch

    tokens = torch.tensor(ids)
    total, count = 0.0, 0
    with torch.no_grad(), one_thread():
        for begin, end, first in spans_of(len(ids), max_length, stride):
            logp = torch.log_softmax(model()(tokens[begin:end][None])[0].double(), -1)
            positions = torch.arange(first, end)
            total -= float(logp[positions - begin - 1, tokens[positions]].sum())
            count += len(positions)
    return total, count


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=RTOL, abs_tol=ATOL)


# ------------------------------------------------------------------ window spans

def check_spans(got, expected, ctx) -> Verdict:
    for item in expected:
        n, max_length, stride = item["args"]
        want = spans_of(n, max_length, stride)
        have = next((g["spans"] for g in got if g["args"] == item["args"]), None)
        if have == want:
            continue
        call = f"window_spans({n}, {max_length}, {stride})"
        if have and len(have) == len(want) and [s[:2] for s in have] == [s[:2] for s in want]:
            row = next(i for i, (a, b) in enumerate(zip(have, want)) if a != b)
            return Verdict(False, f"{call}: window {row} reads the right tokens but scores from position {have[row][2]} "
                                  f"where {want[row][2]} was expected: score only the positions no earlier window "
                                  "scored (score_from = max(previous end, begin + 1))",
                           expected=str(want), got=str(have))
        return Verdict(False, f"{call} returned {have} where {want} was expected: windows start at 0, stride, "
                              "2 * stride, ..., end at min(begin + max_length, n_tokens), and the last one reaches "
                              "n_tokens", expected=str(want), got=str(have))
    return Verdict(True)


# ------------------------------------------------------------------ sliding-window NLL

def _ids(text: str) -> tuple[int, ...]:
    return tuple(stand_in().encode(text))


def check_sliding(got, expected, ctx) -> Verdict:
    ids = _ids(expected["text"])
    for item in got["results"]:
        max_length, stride = item["max_length"], item["stride"]
        want_nll, want_count = independent_nll(ids, max_length, stride)
        call = f"max_length={max_length}, stride={stride}"
        if item["tokens"] != want_count:
            why = ("tokens of the context prefix are scored again: in each window set the labels before score_from "
                   "to -100" if item["tokens"] > want_count else
                   "some tokens are never scored: every position from 1 to n - 1 is scored in exactly one window")
            return Verdict(False, f"{call}: {item['tokens']} tokens scored where {want_count} were expected "
                                  f"({len(ids)} tokens, the first has no context): {why}",
                           expected=str(want_count), got=str(item["tokens"]))
        if not _close(item["nll"], want_nll):
            return Verdict(False, f"{call}: total NLL {item['nll']:.4f} where {want_nll:.4f} was expected. Logits at "
                                  "window position t predict the token at t + 1; sum -log_softmax over the scored "
                                  "tokens (nats)", expected=f"{want_nll:.4f}", got=f"{item['nll']:.4f}")
    return Verdict(True)


# ------------------------------------------------------------------ padded batches

def check_padding(got, expected, ctx) -> Verdict:
    sequences = expected["sequences"]
    nll, tokens = np.asarray(got["nll"], dtype=np.float64), np.asarray(got["tokens"])
    for row, seq in enumerate(sequences):
        want_nll, want_count = independent_nll(tuple(seq), len(seq), len(seq) - 1)
        if int(tokens[row]) != want_count:
            why = ("padding positions are counted: labels must be -100 where the label is padding"
                   if tokens[row] > want_count else "real tokens are left out of the count")
            return Verdict(False, f"sequence {row} ({len(seq)} tokens) counts {int(tokens[row])} scored tokens where "
                                  f"{want_count} were expected: {why}")
        if not _close(float(nll[row]), want_nll):
            return Verdict(False, f"sequence {row}: NLL {nll[row]:.4f} in the padded batch, {want_nll:.4f} when "
                                  "scored alone: padding must change nothing (mask it in the labels and pass "
                                  "attention_mask)")
    return Verdict(True)


# ------------------------------------------------------------------ perplexity and bits per byte

def check_report(got, expected, ctx) -> Verdict:
    text = expected["text"]
    total, count = independent_nll(_ids(text), expected["max_length"], expected["stride"])
    n_bytes = len(text.encode("utf-8"))
    want = {"nll": total, "tokens": count, "perplexity": math.exp(total / count),
            "bits_per_byte": total / (math.log(2) * n_bytes)}
    if got["tokens"] != count or not _close(got["nll"], total):
        return Verdict(False, f"evaluate_text: nll {got['nll']:.4f} over {got['tokens']:g} tokens where {total:.4f} over "
                              f"{count} was expected: use sliding_window_nll on encode(text)")
    if not _close(got["perplexity"], want["perplexity"]):
        return Verdict(False, f"perplexity {got['perplexity']:.4f} where exp(nll / tokens) = {want['perplexity']:.4f}",
                       expected=f"{want['perplexity']:.4f}", got=f"{got['perplexity']:.4f}")
    if not _close(got["bits_per_byte"], want["bits_per_byte"]):
        bpb = got["bits_per_byte"]
        diagnoses = [(total / n_bytes, "that is nats per byte: divide by ln 2 to get bits"),
                      (total / (math.log(2) * count), "that is bits per TOKEN: divide by the number of UTF-8 bytes "
                                                      "of the text"),
                      (total / (math.log(2) * len(text)), "that divides by characters: count bytes, "
                                                          "len(text.encode('utf-8'))")]
        why = next((w for value, w in diagnoses if _close(bpb, value)), "bits per byte = nll / (ln 2 * n_bytes)")
        return Verdict(False, f"bits_per_byte {bpb:.5f} where {want['bits_per_byte']:.5f} was expected ({n_bytes} "
                              f"bytes): {why}", expected=f"{want['bits_per_byte']:.5f}", got=f"{bpb:.5f}")
    return Verdict(True)
