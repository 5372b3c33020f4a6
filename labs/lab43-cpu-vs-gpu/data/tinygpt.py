"""The lab's small GPT and its token stream (read-only, public; shared by the harness inside the sandbox
and the checks outside it). Sizes come from the lab's configuration (lab.yaml `configs`)."""
from __future__ import annotations

import bisect

import torch
import torch.nn.functional as F
from torch import nn


class Block(nn.Module):
    def __init__(self, d_model: int, n_heads: int):
        super().__init__()
        self.n_heads = n_heads
        self.ln1, self.ln2 = nn.LayerNorm(d_model), nn.LayerNorm(d_model)
        self.qkv = nn.Linear(d_model, 3 * d_model)
        self.proj = nn.Linear(d_model, d_model)
        self.up, self.down = nn.Linear(d_model, 4 * d_model), nn.Linear(4 * d_model, d_model)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        batch, seq, d_model = x.shape
        q, k, v = (t.view(batch, seq, self.n_heads, -1).transpose(1, 2) for t in self.qkv(self.ln1(x)).chunk(3, -1))
        attn = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        x = x + self.proj(attn.transpose(1, 2).reshape(batch, seq, d_model))
        return x + self.down(F.gelu(self.up(self.ln2(x))))


class TinyGPT(nn.Module):
    """A causal transformer LM: (batch, seq) token ids -> (batch, seq, vocab) logits; output tied to the input."""

    def __init__(self, vocab: int, d_model: int, n_heads: int, n_layers: int, seq_len: int):
        super().__init__()
        self.embed = nn.Embedding(vocab, d_model)
        self.pos = nn.Embedding(seq_len, d_model)
        self.blocks = nn.ModuleList(Block(d_model, n_heads) for _ in range(n_layers))
        self.ln_f = nn.LayerNorm(d_model)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        x = self.embed(ids) + self.pos(torch.arange(ids.shape[1], device=ids.device))
        for block in self.blocks:
            x = block(x)
        return self.ln_f(x) @ self.embed.weight.T


def build_model(size: dict, seed: int) -> TinyGPT:
    torch.manual_seed(seed)
    return TinyGPT(size["vocab"], size["d_model"], size["n_heads"], size["n_layers"], size["seq_len"])


def token_stream(seed: int, vocab: int, n: int) -> torch.Tensor:
    """n tokens (torch.long) of a seeded Markov chain in which each token has a few likely successors."""
    gen = torch.Generator().manual_seed(seed)
    cdf = torch.softmax(torch.randn(vocab, vocab, generator=gen, dtype=torch.float64) * 3.0, 1).cumsum(1).tolist()
    uniforms = torch.rand(n, generator=gen, dtype=torch.float64).tolist()
    tokens = [int(uniforms[0] * vocab)]
    for u in uniforms[1:]:
        tokens.append(min(bisect.bisect_left(cdf[tokens[-1]], u), vocab - 1))
    return torch.tensor(tokens)
