"""Lab 25: perplexity of a pre-trained language model. Submit this file as perplexity.py.

The model is given: model(input_ids (B, T) long, attention_mask (B, T) bool or None) -> logits (B, T, V),
with T <= 32. README.md gives every signature and what the checks test.
"""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F

IGNORE_INDEX = -100


def window_spans(n_tokens: int, max_length: int, stride: int) -> list[tuple[int, int, int]]:
    """(begin, end, score_from) for each window: the model reads ids[begin:end] and the positions
    score_from .. end - 1 are scored there. Every position but the first is scored exactly once.
    Raise ValueError unless 1 <= stride < max_length."""
    raise NotImplementedError("TODO: window_spans")


def masked_nll(logits: torch.Tensor, labels: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """logits (B, T, V), labels (B, T) with -100 = not scored; logits[:, t] predicts labels[:, t].
    Returns (per-row sum of -log p(label), float64 (B,)) and (per-row count of scored labels, long (B,))."""
    raise NotImplementedError("TODO: masked_nll")


def sliding_window_nll(model, ids: torch.Tensor, max_length: int, stride: int) -> tuple[float, int]:
    """ids: torch.long (N,), starting with <bos>. Total NLL in nats of ids[1:] and the number of tokens scored."""
    raise NotImplementedError("TODO: sliding_window_nll")


def batch_nll(model, sequences: list[list[int]], pad_id: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Score the sequences as ONE right-padded batch: per-sequence NLL sums (float64 (B,)) and token
    counts (long (B,)); padding must change nothing."""
    raise NotImplementedError("TODO: batch_nll")


def perplexity(total_nll: float, n_tokens: int) -> float:
    raise NotImplementedError("TODO: perplexity")


def bits_per_byte(total_nll: float, n_bytes: int) -> float:
    """total_nll in nats over a text of n_bytes UTF-8 bytes -> bits per byte."""
    raise NotImplementedError("TODO: bits_per_byte")


def evaluate_text(model, encode, text: str, max_length: int, stride: int) -> dict:
    """encode(text) -> list[int] starting with <bos>. Returns {"nll", "tokens", "perplexity", "bits_per_byte"}."""
    raise NotImplementedError("TODO: evaluate_text")
