"""Lab 15 reference solution: scaled dot-product self-attention."""
from __future__ import annotations

import math

import torch
from torch import nn


def scaled_dot_product_attention(q, k, v, mask=None):
    """softmax(q k^T / sqrt(d_k)) v, with masked scores set to -inf before the softmax.

    q: (batch, seq_q, d_k), k: (batch, seq_k, d_k), v: (batch, seq_k, d_v)
    mask: bool tensor broadcastable to (batch, seq_q, seq_k); True = "may attend".
    Returns (output (batch, seq_q, d_v), weights (batch, seq_q, seq_k)).
    """
    scores = _scores(q, k)                                      # (batch, seq_q, seq_k)
    if mask is not None:
        scores = _hide_masked(scores, mask)
    weights = _softmax(scores)                                  # each query row sums to 1
    return weights @ v, weights


def _scores(q, k):
    """q k^T / sqrt(d_k), on the last two axes only, so any batch shape works."""
    return q @ k.transpose(-2, -1) / math.sqrt(q.size(-1))


def _hide_masked(scores, mask):
    """-inf where mask is False, BEFORE the softmax: exp(-inf) = 0, so hidden keys get exactly zero weight."""
    return scores.masked_fill(~mask, float("-inf"))


def _softmax(scores):
    """Softmax over the keys (last axis), in the dtype of the scores; torch.softmax subtracts the row
    max first, so scores of a few hundred do not overflow."""
    return torch.softmax(scores, dim=-1)


def causal_mask(seq_len, device=None):
    """(seq_len, seq_len) bool: True on and below the diagonal (query i may see keys 0..i)."""
    return torch.ones(seq_len, seq_len, dtype=torch.bool, device=device).tril()


def padding_mask(lengths, max_len):
    """(batch, 1, max_len) bool: True where the KEY position j < lengths[b]."""
    lengths = torch.as_tensor(lengths)
    positions = torch.arange(max_len, device=lengths.device)
    return (positions[None, :] < lengths[:, None])[:, None, :]


def combine_masks(mask_a, mask_b):
    """Logical AND of two broadcastable bool masks; None means "no mask"."""
    if mask_a is None:
        return mask_b
    if mask_b is None:
        return mask_a
    return mask_a & mask_b


class SelfAttention(nn.Module):
    """Single-head self-attention: q, k, v are projections of the same sequence x."""

    def __init__(self, d_model, d_k, d_v=None):
        super().__init__()
        d_v = d_k if d_v is None else d_v
        self.W_q = nn.Linear(d_model, d_k, bias=False)
        self.W_k = nn.Linear(d_model, d_k, bias=False)
        self.W_v = nn.Linear(d_model, d_v, bias=False)

    def forward(self, x, mask=None):
        return scaled_dot_product_attention(self.W_q(x), self.W_k(x), self.W_v(x), mask)
