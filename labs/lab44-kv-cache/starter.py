"""Lab 44: a KV cache for faster LLM inference. Fill in every function; see README.md.

Work with the model's own weights (model.transformer.wte, .wpe, .h[i].ln_1/.attn/.ln_2/.mlp, .ln_f,
model.lm_head); do not call model(...), model.generate or past_key_values.
"""
from __future__ import annotations

import math

import torch


class KVCache:
    """Per layer, the keys and values of every position seen so far: tensors (batch, n_heads, seq, head_dim)."""

    def __init__(self, n_layers: int):
        self.keys: list[torch.Tensor | None] = [None] * n_layers
        self.values: list[torch.Tensor | None] = [None] * n_layers

    def update(self, layer: int, k: torch.Tensor, v: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Append k, v (batch, n_heads, new, head_dim) to layer `layer`; return all keys and values so far."""
        raise NotImplementedError

    def length(self) -> int:
        """How many positions are cached (0 when empty)."""
        raise NotImplementedError

    def truncate(self, length: int) -> None:
        """Keep only the first `length` positions, in every layer."""
        raise NotImplementedError


def causal_mask(q_len: int, k_len: int, device=None) -> torch.Tensor:
    """Bool (q_len, k_len): True where query i (the last q_len of k_len positions) may attend to key j."""
    raise NotImplementedError


def attention(x: torch.Tensor, attn, n_heads: int, cache: KVCache | None = None, layer: int = 0) -> torch.Tensor:
    """GPT-2 multi-head causal self-attention for x (batch, new, d_model) with a GPT2Attention's weights,
    using and updating `cache` (layer `layer`) when given. Returns (batch, new, d_model)."""
    raise NotImplementedError


def gpt2_forward(model, input_ids: torch.Tensor, cache: KVCache | None = None) -> torch.Tensor:
    """Logits (batch, new, vocab) for input_ids (batch, new) that follow cache.length() cached positions."""
    raise NotImplementedError


@torch.no_grad()
def greedy_generate(model, input_ids: torch.Tensor, max_new_tokens: int, use_cache: bool = True) -> torch.Tensor:
    """Greedy decoding: (batch, prompt + max_new_tokens) token ids (torch.long), the prompt first."""
    raise NotImplementedError
