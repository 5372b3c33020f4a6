"""Lab 15: scaled dot-product self-attention.

Fill in every function marked TODO. Submit this file as attention.py.
Use plain tensor operations (matmul, masked_fill, softmax); torch.nn.functional.scaled_dot_product_attention
and nn.MultiheadAttention are off limits here: the point is to write them yourself.
"""
from __future__ import annotations

import math

import torch
from torch import nn


def scaled_dot_product_attention(q, k, v, mask=None):
    """Attention(q, k, v) = softmax(q k^T / sqrt(d_k)) v.

    Args:
        q: (batch, seq_q, d_k) queries.
        k: (batch, seq_k, d_k) keys.
        v: (batch, seq_k, d_v) values.
        mask: None, or a bool tensor broadcastable to (batch, seq_q, seq_k);
              True = "this query may attend to this key", False = "hide this key".
    Returns:
        (output, weights): output (batch, seq_q, d_v), weights (batch, seq_q, seq_k),
        both with the dtype of q. Every row of weights (one query) sums to 1.
    """
    # TODO: 1. scores = q times k transposed on its last two axes, divided by sqrt(d_k)
    # TODO: 2. if a mask is given, set the scores of hidden keys to -inf (before the softmax!)
    # TODO: 3. softmax over the keys axis, 4. weighted sum of the values
    raise NotImplementedError("scaled_dot_product_attention")


def causal_mask(seq_len, device=None):
    """(seq_len, seq_len) bool tensor, True where key j <= query i (no peeking at the future)."""
    raise NotImplementedError("causal_mask")


def padding_mask(lengths, max_len):
    """lengths: (batch,) int tensor of real sequence lengths.

    Returns a (batch, 1, max_len) bool tensor, True where key position j < lengths[b],
    so that it broadcasts over the query axis.
    """
    raise NotImplementedError("padding_mask")


def combine_masks(mask_a, mask_b):
    """Logical AND of two broadcastable bool masks; if one is None return the other (both None -> None)."""
    raise NotImplementedError("combine_masks")


class SelfAttention(nn.Module):
    """Single-head self-attention over one sequence x of shape (batch, seq, d_model).

    Attributes the grader sets directly (keep these names):
        self.W_q = nn.Linear(d_model, d_k, bias=False)
        self.W_k = nn.Linear(d_model, d_k, bias=False)
        self.W_v = nn.Linear(d_model, d_v, bias=False)   # d_v defaults to d_k
    """

    def __init__(self, d_model, d_k, d_v=None):
        super().__init__()
        # TODO: create W_q, W_k, W_v
        raise NotImplementedError("SelfAttention.__init__")

    def forward(self, x, mask=None):
        """x: (batch, seq, d_model) -> (output (batch, seq, d_v), weights (batch, seq, seq))."""
        raise NotImplementedError("SelfAttention.forward")
