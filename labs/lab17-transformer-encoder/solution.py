"""Lab 17 reference solution: a transformer encoder (positional encoding, FFN, post-/pre-LN layers, stack)."""
from __future__ import annotations

import math

import torch
from torch import nn


def _column_exponents(d_model):
    """(d_model,) float64: 2i / d_model for both columns of the pair (2i, 2i+1), which share one frequency."""
    two_i = torch.arange(d_model, dtype=torch.float64) // 2 * 2                 # 0, 0, 2, 2, 4, 4, ...
    return two_i / d_model


def _interleave(even, odd):
    """Columns 0, 2, 4, ... from `even` and columns 1, 3, 5, ... from `odd`."""
    return torch.stack([even, odd], dim=-1).flatten(-2)


def sinusoidal_positional_encoding(max_len, d_model):
    """(max_len, d_model) float32: PE[p, 2i] = sin(p / 10000^(2i/d)), PE[p, 2i+1] = cos(p / 10000^(2i/d))."""
    if d_model % 2:
        raise ValueError(f"d_model must be even, got {d_model}")
    position = torch.arange(max_len, dtype=torch.float64)[:, None]              # (max_len, 1)
    angle = position / torch.pow(10000.0, _column_exponents(d_model))           # (max_len, d_model)
    return _interleave(torch.sin(angle[:, 0::2]), torch.cos(angle[:, 1::2])).float()


class FeedForward(nn.Module):
    """Position-wise FFN: linear2(relu(linear1(x))), applied to every position independently."""

    def __init__(self, d_model, d_ff):
        super().__init__()
        self.linear1 = nn.Linear(d_model, d_ff)
        self.linear2 = nn.Linear(d_ff, d_model)

    def forward(self, x):
        return self.linear2(torch.relu(self.linear1(x)))


def _key_padding_mask(pad_mask):
    """Our pad_mask is True for real tokens; torch's key_padding_mask is True for keys to IGNORE."""
    return None if pad_mask is None else ~pad_mask


def _post_ln(x, sublayer, norm):
    """The original transformer: normalise after adding the residual."""
    return norm(x + sublayer(x))


def _pre_ln(x, sublayer, norm):
    """GPT-2 and most modern LLMs: the residual adds the UN-normalised x."""
    return x + sublayer(norm(x))


class EncoderLayer(nn.Module):
    def __init__(self, d_model, n_heads, d_ff, norm_first=False, eps=1e-5):
        super().__init__()
        self.norm_first = norm_first
        self.self_attn = nn.MultiheadAttention(d_model, n_heads, dropout=0.0, batch_first=True)
        self.ffn = FeedForward(d_model, d_ff)
        self.norm1 = nn.LayerNorm(d_model, eps=eps)
        self.norm2 = nn.LayerNorm(d_model, eps=eps)

    def _attend(self, x, pad_mask):
        out, _ = self.self_attn(x, x, x, key_padding_mask=_key_padding_mask(pad_mask), need_weights=False)
        return out

    def forward(self, x, pad_mask=None):
        residual_block = _pre_ln if self.norm_first else _post_ln
        x = residual_block(x, lambda h: self._attend(h, pad_mask), self.norm1)
        return residual_block(x, self.ffn, self.norm2)


def _embed(embedding, tokens):
    """Token embeddings scaled by sqrt(d_model), so the positional encoding (values in [-1, 1]) does not
    drown them."""
    return embedding(tokens) * math.sqrt(embedding.embedding_dim)


class Encoder(nn.Module):
    def __init__(self, vocab_size, d_model, n_heads, d_ff, n_layers, max_len, norm_first=False):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, d_model)
        self.register_buffer("pe", sinusoidal_positional_encoding(max_len, d_model), persistent=False)
        self.layers = nn.ModuleList(EncoderLayer(d_model, n_heads, d_ff, norm_first) for _ in range(n_layers))
        self.final_norm = nn.LayerNorm(d_model) if norm_first else None

    def forward(self, tokens, pad_mask=None):
        x = _embed(self.embed, tokens) + self.pe[: tokens.size(1)]
        for layer in self.layers:
            x = layer(x, pad_mask)
        return x if self.final_norm is None else self.final_norm(x)
