"""Lab 16: multi-head attention.

Fill in every function marked TODO and submit this file as mha.py. Do not use nn.MultiheadAttention or
torch.nn.functional.scaled_dot_product_attention inside your module (the grader compares against them).
"""
from __future__ import annotations

import math

import torch
from torch import nn


def scaled_dot_product_attention(q, k, v, mask=None):
    """Your Lab 15 function, working for ANY number of leading axes.

    q (..., seq_q, d), k (..., seq_k, d), v (..., seq_k, d_v); mask: bool, True = may attend,
    broadcastable to (..., seq_q, seq_k). Returns (output (..., seq_q, d_v), weights (..., seq_q, seq_k)).
    """
    raise NotImplementedError("paste your Lab 15 scaled_dot_product_attention here")


def split_heads(x, n_heads):
    """(batch, seq, d_model) -> (batch, n_heads, seq, d_head) with d_head = d_model // n_heads.

    Head h holds features h*d_head:(h+1)*d_head of every position. Raise ValueError if d_model is not
    divisible by n_heads.
    """
    raise NotImplementedError("split_heads")


def merge_heads(x):
    """(batch, n_heads, seq, d_head) -> (batch, seq, n_heads * d_head); the inverse of split_heads."""
    raise NotImplementedError("merge_heads")


class MultiHeadAttention(nn.Module):
    """Multi-head attention with the grader-visible attributes
        W_q, W_k, W_v, W_o = nn.Linear(d_model, d_model, bias=bias)   (four of them)
    Raise ValueError if d_model % n_heads != 0.
    """

    def __init__(self, d_model, n_heads, bias=True):
        super().__init__()
        # TODO: store d_model and n_heads; create W_q, W_k, W_v, W_o
        raise NotImplementedError("MultiHeadAttention.__init__")

    def forward(self, query, key, value, mask=None):
        """query (batch, seq_q, d_model); key, value (batch, seq_k, d_model).

        mask: None, a (seq_q, seq_k) bool tensor, or a 3-D (batch, seq_q or 1, seq_k) bool tensor;
        True = may attend. Returns (output (batch, seq_q, d_model), weights (batch, n_heads, seq_q, seq_k)).
        """
        # TODO: project, split heads, (give a 3-D mask a head axis), attend, merge heads, project with W_o
        raise NotImplementedError("MultiHeadAttention.forward")


def copy_from_torch(mha, torch_mha):
    """Copy the parameters of a torch.nn.MultiheadAttention (same d_model and heads) into `mha`, in place.

    torch_mha.in_proj_weight (3*d_model, d_model), torch_mha.in_proj_bias (3*d_model,),
    torch_mha.out_proj.weight (d_model, d_model), torch_mha.out_proj.bias (d_model,).
    Returns mha.
    """
    raise NotImplementedError("copy_from_torch")
