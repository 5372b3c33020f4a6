"""Lab 16 reference solution: multi-head attention."""
from __future__ import annotations

import math

import torch
from torch import nn


def scaled_dot_product_attention(q, k, v, mask=None):
    """Lab 15's attention, for any leading axes: q (..., seq_q, d), k (..., seq_k, d), v (..., seq_k, d_v)."""
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.size(-1))
    weights = _masked_softmax(scores, mask)
    return weights @ v, weights


def _masked_softmax(scores, mask=None):
    """Softmax over the keys (last axis); keys where mask is False get -inf first, so exactly zero weight."""
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    return torch.softmax(scores, dim=-1)


def split_heads(x, n_heads):
    """(batch, seq, d_model) -> (batch, n_heads, seq, d_head): head h gets features h*d_head:(h+1)*d_head."""
    batch, seq, d_model = x.shape
    if d_model % n_heads:
        raise ValueError(f"d_model={d_model} is not divisible by n_heads={n_heads}")
    return x.view(batch, seq, n_heads, d_model // n_heads).transpose(1, 2)


def merge_heads(x):
    """(batch, n_heads, seq, d_head) -> (batch, seq, n_heads * d_head), the inverse of split_heads."""
    batch, n_heads, seq, d_head = x.shape
    return x.transpose(1, 2).reshape(batch, seq, n_heads * d_head)


def _with_head_axis(mask):
    """A 3-D (batch, seq_q | 1, seq_k) mask gets a head axis, (batch, 1, seq_q | 1, seq_k), so that the
    same mask applies in every head; a 2-D (seq_q, seq_k) mask (or None) broadcasts as it is."""
    if mask is not None and mask.dim() == 3:
        return mask.unsqueeze(1)
    return mask


class MultiHeadAttention(nn.Module):
    def __init__(self, d_model, n_heads, bias=True):
        super().__init__()
        if d_model % n_heads:
            raise ValueError(f"d_model={d_model} is not divisible by n_heads={n_heads}")
        self.d_model, self.n_heads = d_model, n_heads
        self.W_q = nn.Linear(d_model, d_model, bias=bias)
        self.W_k = nn.Linear(d_model, d_model, bias=bias)
        self.W_v = nn.Linear(d_model, d_model, bias=bias)
        self.W_o = nn.Linear(d_model, d_model, bias=bias)

    def forward(self, query, key, value, mask=None):
        """query (batch, seq_q, d_model), key/value (batch, seq_k, d_model); mask True = may attend,
        shape (seq_q, seq_k) or (batch, seq_q | 1, seq_k). Returns output (batch, seq_q, d_model) and
        per-head weights (batch, n_heads, seq_q, seq_k)."""
        q, k, v = self._project_heads(query, key, value)
        heads, weights = scaled_dot_product_attention(q, k, v, _with_head_axis(mask))   # all heads at once
        return self.W_o(merge_heads(heads)), weights

    def _project_heads(self, query, key, value):
        """W_q(query), W_k(key), W_v(value), each split into heads: (batch, n_heads, seq, d_head)."""
        q = split_heads(self.W_q(query), self.n_heads)
        k = split_heads(self.W_k(key), self.n_heads)
        v = split_heads(self.W_v(value), self.n_heads)
        return q, k, v


def copy_from_torch(mha, torch_mha):
    """Copy the weights of an nn.MultiheadAttention into `mha` (in place) and return `mha`."""
    d = mha.d_model
    with torch.no_grad():
        for i, layer in enumerate((mha.W_q, mha.W_k, mha.W_v)):
            layer.weight.copy_(torch_mha.in_proj_weight[i * d:(i + 1) * d])
            if layer.bias is not None:
                layer.bias.copy_(torch_mha.in_proj_bias[i * d:(i + 1) * d])
        mha.W_o.weight.copy_(torch_mha.out_proj.weight)
        if mha.W_o.bias is not None:
            mha.W_o.bias.copy_(torch_mha.out_proj.bias)
    return mha
