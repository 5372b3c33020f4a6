"""Lab 25 reference solution: token-level perplexity with a sliding window, padding and context masking,
and bits per byte."""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F

IGNORE_INDEX = -100


def window_spans(n_tokens: int, max_length: int, stride: int) -> list[tuple[int, int, int]]:
    """(begin, end, score_from) per window: the model reads ids[begin:end] and the positions
    score_from .. end - 1 are scored there: every position but the first exactly once."""
    if not 1 <= stride < max_length:
        raise ValueError(f"stride must be at least 1 and below max_length ({max_length}), got {stride}")
    spans, prev_end = [], 0
    for begin in range(0, n_tokens, stride):
        end = min(begin + max_length, n_tokens)
        spans.append((begin, end, max(prev_end, begin + 1)))
        prev_end = end
        if end == n_tokens:
            break
    return spans


def masked_nll(logits: torch.Tensor, labels: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Per-row sum of -log p(label) over the labels that are not -100, and the number of such labels.
    logits[:, t] predicts labels[:, t]; the sums are float64."""
    logp = torch.log_softmax(logits.double(), dim=-1)
    scored = labels != IGNORE_INDEX
    picked = logp.gather(-1, labels.clamp(min=0).unsqueeze(-1)).squeeze(-1)
    return -(picked * scored).sum(dim=1), scored.sum(dim=1)


@torch.no_grad()
def sliding_window_nll(model, ids: torch.Tensor, max_length: int, stride: int) -> tuple[float, int]:
    """Total negative log-likelihood (nats) of ids[1:] given what precedes each token inside its
    window, and the number of tokens scored."""
    total, count = 0.0, 0
    for begin, end, score_from in window_spans(len(ids), max_length, stride):
        window = ids[begin:end].unsqueeze(0)
        labels = window[:, 1:].clone()
        labels[:, :score_from - begin - 1] = IGNORE_INDEX  # context prefix: read, not scored
        nll, n = masked_nll(model(window)[:, :-1], labels)
        total += float(nll[0])
        count += int(n[0])
    return total, count


@torch.no_grad()
def batch_nll(model, sequences: list[list[int]], pad_id: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Right-pad the sequences into one batch; per-sequence NLL sums (float64, (B,)) and token counts
    (long, (B,)) with padding neither attended to nor scored."""
    width = max(len(s) for s in sequences)
    ids = torch.full((len(sequences), width), pad_id, dtype=torch.long)
    real = torch.zeros(len(sequences), width, dtype=torch.bool)
    for row, seq in enumerate(sequences):
        ids[row, :len(seq)] = torch.tensor(seq)
        real[row, :len(seq)] = True
    logits = model(ids, real)
    labels = ids[:, 1:].masked_fill(~real[:, 1:], IGNORE_INDEX)
    return masked_nll(logits[:, :-1], labels)


def perplexity(total_nll: float, n_tokens: int) -> float:
    return math.exp(total_nll / n_tokens)


def bits_per_byte(total_nll: float, n_bytes: int) -> float:
    """Nats over the whole text -> bits per UTF-8 byte: comparable across tokenizers."""
    return total_nll / (math.log(2) * n_bytes)


def evaluate_text(model, encode, text: str, max_length: int, stride: int) -> dict:
    ids = torch.tensor(encode(text), dtype=torch.long)
    total, count = sliding_window_nll(model, ids, max_length, stride)
    return {"nll": total, "tokens": count, "perplexity": perplexity(total, count),
            "bits_per_byte": bits_per_byte(total, len(text.encode("utf-8")))}
