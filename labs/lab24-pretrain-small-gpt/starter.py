"""Lab 24: pre-train a small GPT on the story corpus. Fill in every function; see README.md."""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from labkit.metrics import log_metrics
from storykit import Block  # the given pre-LayerNorm causal transformer block (data/storykit.py)


def pack_documents(documents: list[list[int]], eos_id: int, block_size: int) -> torch.Tensor:
    """doc_1 <eos> doc_2 <eos> ... as one stream cut into full blocks: LongTensor (n_blocks, block_size)."""
    raise NotImplementedError


class TinyGPT(nn.Module):
    """wte, wpe, blocks (nn.ModuleList of Block), ln_f, lm_head (no bias) tied to wte."""

    def __init__(self, vocab_size: int, d_model: int, n_heads: int, n_layers: int, block_size: int,
                 dropout: float = 0.0):
        super().__init__()
        raise NotImplementedError

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        """ids (batch, T) long, T <= block_size -> logits (batch, T, vocab_size)."""
        raise NotImplementedError


def causal_lm_loss(logits: torch.Tensor, ids: torch.Tensor) -> torch.Tensor:
    """Mean cross-entropy of predicting ids[:, t + 1] from logits[:, t]; a 0-dim float32 tensor."""
    raise NotImplementedError


def pretrain(model: TinyGPT, blocks: torch.Tensor, *, steps: int, batch_size: int, lr: float, warmup_steps: int,
             weight_decay: float, max_grad_norm: float, generator: torch.Generator, device: str = "cpu",
             amp_dtype: torch.dtype | None = None) -> list[float]:
    """Train `model` in place for `steps` steps; return the loss of every step (Python floats)."""
    raise NotImplementedError
