"""Lab 17: a transformer encoder. Submit this file as encoder.py.

Use torch.nn.MultiheadAttention for the attention sublayer (you built your own in Lab 16), your own
FeedForward, and nn.LayerNorm. nn.TransformerEncoderLayer / nn.TransformerEncoder are not allowed.
Keep the attribute names: the grader sets every weight by parameter name.
"""
from __future__ import annotations

import math

import torch
from torch import nn


def sinusoidal_positional_encoding(max_len, d_model):
    """Return a float32 tensor (max_len, d_model) with
        PE[p, 2i]   = sin(p / 10000^(2i / d_model))
        PE[p, 2i+1] = cos(p / 10000^(2i / d_model))
    d_model is even (raise ValueError otherwise).
    """
    raise NotImplementedError("sinusoidal_positional_encoding")


class FeedForward(nn.Module):
    """Position-wise feed-forward network: linear2(relu(linear1(x))).

    Attributes: linear1 = nn.Linear(d_model, d_ff), linear2 = nn.Linear(d_ff, d_model).
    """

    def __init__(self, d_model, d_ff):
        super().__init__()
        raise NotImplementedError("FeedForward.__init__")

    def forward(self, x):
        """x (..., d_model) -> (..., d_model)."""
        raise NotImplementedError("FeedForward.forward")


class EncoderLayer(nn.Module):
    """One encoder layer.

    Attributes:
        self_attn = nn.MultiheadAttention(d_model, n_heads, dropout=0.0, batch_first=True)
        ffn       = FeedForward(d_model, d_ff)
        norm1     = nn.LayerNorm(d_model, eps=eps)    (around the attention sublayer)
        norm2     = nn.LayerNorm(d_model, eps=eps)    (around the feed-forward sublayer)
    norm_first=False (post-LN, the original transformer):
        x = norm1(x + attn(x));  x = norm2(x + ffn(x))
    norm_first=True (pre-LN, GPT-2 and most modern LLMs):
        x = x + attn(norm1(x));  x = x + ffn(norm2(x))
    """

    def __init__(self, d_model, n_heads, d_ff, norm_first=False, eps=1e-5):
        super().__init__()
        raise NotImplementedError("EncoderLayer.__init__")

    def forward(self, x, pad_mask=None):
        """x (batch, seq, d_model); pad_mask None or bool (batch, seq), True = real token.
        Returns (batch, seq, d_model)."""
        raise NotImplementedError("EncoderLayer.forward")


class Encoder(nn.Module):
    """Token embedding + positional encoding + n_layers EncoderLayers (+ final LayerNorm for pre-LN).

    Attributes:
        embed      = nn.Embedding(vocab_size, d_model)
        pe         = sinusoidal_positional_encoding(max_len, d_model), registered as a buffer
        layers     = nn.ModuleList of n_layers EncoderLayer(d_model, n_heads, d_ff, norm_first)
        final_norm = nn.LayerNorm(d_model) if norm_first else None
    """

    def __init__(self, vocab_size, d_model, n_heads, d_ff, n_layers, max_len, norm_first=False):
        super().__init__()
        raise NotImplementedError("Encoder.__init__")

    def forward(self, tokens, pad_mask=None):
        """tokens (batch, seq) int64 with seq <= max_len; pad_mask as in EncoderLayer.
        x = embed(tokens) * sqrt(d_model) + pe[:seq], then every layer, then final_norm if any.
        Returns (batch, seq, d_model)."""
        raise NotImplementedError("Encoder.forward")
