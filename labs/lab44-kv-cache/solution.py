"""Lab 44 reference solution: a KV cache for incremental decoding of a GPT-2, written from its weights."""
from __future__ import annotations

import math

import torch


class KVCache:
    """Per layer, the keys and values of every position seen so far: tensors (batch, n_heads, seq, head_dim)."""

    def __init__(self, n_layers: int):
        self.keys: list[torch.Tensor | None] = [None] * n_layers
        self.values: list[torch.Tensor | None] = [None] * n_layers

    def update(self, layer: int, k: torch.Tensor, v: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        if self.keys[layer] is not None:
            k = torch.cat([self.keys[layer], k], dim=2)
            v = torch.cat([self.values[layer], v], dim=2)
        self.keys[layer], self.values[layer] = k, v
        return k, v

    def length(self) -> int:
        return 0 if self.keys[0] is None else self.keys[0].shape[2]

    def truncate(self, length: int) -> None:
        for i in range(len(self.keys)):
            if self.keys[i] is not None:
                self.keys[i] = self.keys[i][:, :, :length]
                self.values[i] = self.values[i][:, :, :length]


def causal_mask(q_len: int, k_len: int, device=None) -> torch.Tensor:
    past = k_len - q_len
    rows = torch.arange(q_len, device=device).unsqueeze(1)
    cols = torch.arange(k_len, device=device).unsqueeze(0)
    return cols <= rows + past


def attention(x: torch.Tensor, attn, n_heads: int, cache: KVCache | None = None, layer: int = 0) -> torch.Tensor:
    batch, seq, d_model = x.shape
    head_dim = d_model // n_heads
    qkv = x @ attn.c_attn.weight + attn.c_attn.bias           # GPT-2's Conv1D: weight (in, out)
    q, k, v = qkv.split(d_model, dim=2)
    q, k, v = (t.view(batch, seq, n_heads, head_dim).transpose(1, 2) for t in (q, k, v))
    if cache is not None:
        k, v = cache.update(layer, k, v)
    scores = q @ k.transpose(-2, -1) / math.sqrt(head_dim)
    mask = causal_mask(seq, k.shape[2], device=x.device)
    scores = scores.masked_fill(~mask, float("-inf"))
    out = torch.softmax(scores, dim=-1) @ v
    out = out.transpose(1, 2).reshape(batch, seq, d_model)
    return out @ attn.c_proj.weight + attn.c_proj.bias


def gpt2_forward(model, input_ids: torch.Tensor, cache: KVCache | None = None) -> torch.Tensor:
    tr = model.transformer
    past = cache.length() if cache is not None else 0
    positions = torch.arange(past, past + input_ids.shape[1], device=input_ids.device)
    h = tr.wte(input_ids) + tr.wpe(positions)
    for i, block in enumerate(tr.h):
        h = h + attention(block.ln_1(h), block.attn, model.config.n_head, cache, i)
        h = h + block.mlp(block.ln_2(h))
    return model.lm_head(tr.ln_f(h))


@torch.no_grad()
def greedy_generate(model, input_ids: torch.Tensor, max_new_tokens: int, use_cache: bool = True) -> torch.Tensor:
    cache = KVCache(model.config.n_layer) if use_cache else None
    tokens, step_input = input_ids, input_ids
    for _ in range(max_new_tokens):
        logits = gpt2_forward(model, step_input if use_cache else tokens, cache)
        next_token = logits[:, -1].argmax(dim=-1, keepdim=True)
        tokens = torch.cat([tokens, next_token], dim=1)
        step_input = next_token
    return tokens
