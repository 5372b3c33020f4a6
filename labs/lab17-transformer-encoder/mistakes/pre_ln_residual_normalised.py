"""Common mistake (lab 17): the pre-LN residual adds the normalised input."""
from __future__ import annotations

import math

import torch
from torch import nn


def sinusoidal_positional_encoding(max_len, d_model):
    """(max_len, d_model) float32: PE[p, 2i] = sin(p / 10000^(2i/d)), PE[p, 2i+1] = cos(p / 10000^(2i/d))."""
    if d_model % 2:
        raise ValueError(f"d_model must be even, got {d_model}")
    position = torch.arange(max_len, dtype=torch.float64)[:, None]              # (max_len, 1)
    two_i = torch.arange(0, d_model, 2, dtype=torch.float64)                   # 0, 2, 4, ...
    angle = position / torch.pow(10000.0, two_i / d_model)                      # (max_len, d_model/2)
    pe = torch.zeros(max_len, d_model, dtype=torch.float64)
    pe[:, 0::2] = torch.sin(angle)
    pe[:, 1::2] = torch.cos(angle)
    return pe.float()


class FeedForward(nn.Module):
    """Position-wise FFN: linear2(relu(linear1(x))), applied to every position independently."""

    def __init__(self, d_model, d_ff):
        super().__init__()
        self.linear1 = nn.Linear(d_model, d_ff)
        self.linear2 = nn.Linear(d_ff, d_model)

    def forward(self, x):
        return self.linear2(torch.relu(self.linear1(x)))


class EncoderLayer(nn.Module):
    def __init__(self, d_model, n_heads, d_ff, norm_first=False, eps=1e-5):
        super().__init__()
        self.norm_first = norm_first
        self.self_attn = nn.MultiheadAttention(d_model, n_heads, dropout=0.0, batch_first=True)
        self.ffn = FeedForward(d_model, d_ff)
        self.norm1 = nn.LayerNorm(d_model, eps=eps)
        self.norm2 = nn.LayerNorm(d_model, eps=eps)

    def _attend(self, x, pad_mask):
        key_padding_mask = None if pad_mask is None else ~pad_mask          # torch: True = ignore this key
        out, _ = self.self_attn(x, x, x, key_padding_mask=key_padding_mask, need_weights=False)
        return out

    def forward(self, x, pad_mask=None):
        if self.norm_first:                                  # pre-LN: x + sublayer(norm(x))
            x = self.norm1(x)
            x = x + self._attend(x, pad_mask)
            x = self.norm2(x)
            return x + self.ffn(x)
        x = self.norm1(x + self._attend(x, pad_mask))        # post-LN: norm(x + sublayer(x))
        return self.norm2(x + self.ffn(x))


class Encoder(nn.Module):
    def __init__(self, vocab_size, d_model, n_heads, d_ff, n_layers, max_len, norm_first=False):
        super().__init__()
        self.d_model = d_model
        self.embed = nn.Embedding(vocab_size, d_model)
        self.register_buffer("pe", sinusoidal_positional_encoding(max_len, d_model), persistent=False)
        self.layers = nn.ModuleList(EncoderLayer(d_model, n_heads, d_ff, norm_first) for _ in range(n_layers))
        self.final_norm = nn.LayerNorm(d_model) if norm_first else None

    def forward(self, tokens, pad_mask=None):
        x = self.embed(tokens) * math.sqrt(self.d_model) + self.pe[: tokens.size(1)]
        for layer in self.layers:
            x = layer(x, pad_mask)
        return x if self.final_norm is None else self.final_norm(x)
