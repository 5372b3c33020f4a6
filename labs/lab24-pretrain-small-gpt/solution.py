"""Lab 24 reference solution: pack documents into fixed blocks, a small GPT whose LM head shares the
token embedding, the causal LM loss, and a pre-training loop (AdamW, warmup + cosine, gradient
clipping, bf16 autocast on a GPU)."""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from labkit.metrics import log_metrics
from storykit import Block


def pack_documents(documents: list[list[int]], eos_id: int, block_size: int) -> torch.Tensor:
    """doc_1 <eos> doc_2 <eos> ... as one stream, cut into full blocks; the incomplete tail is dropped."""
    stream: list[int] = []
    for document in documents:
        stream.extend(document)
        stream.append(eos_id)
    n_blocks = len(stream) // block_size
    if n_blocks == 0:
        raise ValueError(f"the documents hold {len(stream)} tokens with separators: not one block of {block_size}")
    return torch.tensor(stream[:n_blocks * block_size], dtype=torch.long).view(n_blocks, block_size)


class TinyGPT(nn.Module):
    """Token + position embeddings, n_layers causal Blocks, a final LayerNorm and an LM head that is the
    token embedding matrix itself (weight tying)."""

    def __init__(self, vocab_size: int, d_model: int, n_heads: int, n_layers: int, block_size: int,
                 dropout: float = 0.0):
        super().__init__()
        self.block_size = block_size
        self.wte = nn.Embedding(vocab_size, d_model)
        self.wpe = nn.Embedding(block_size, d_model)
        self.drop = nn.Dropout(dropout)
        self.blocks = nn.ModuleList(Block(d_model, n_heads, dropout) for _ in range(n_layers))
        self.ln_f = nn.LayerNorm(d_model)
        self.lm_head = nn.Linear(d_model, vocab_size, bias=False)
        self.apply(self._init_weights)
        self.lm_head.weight = self.wte.weight  # one (vocab_size, d_model) matrix reads and writes tokens

    @staticmethod
    def _init_weights(module: nn.Module) -> None:
        # GPT-2's N(0, 0.02): with N(0, 1) embeddings the tied head starts with huge logits.
        if isinstance(module, (nn.Linear, nn.Embedding)):
            nn.init.normal_(module.weight, mean=0.0, std=0.02)
        if isinstance(module, nn.Linear) and module.bias is not None:
            nn.init.zeros_(module.bias)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        t = ids.shape[1]
        if t > self.block_size:
            raise ValueError(f"sequence of {t} tokens is longer than block_size {self.block_size}")
        x = self.drop(self.wte(ids) + self.wpe(torch.arange(t, device=ids.device)))
        for block in self.blocks:
            x = block(x)
        return self.lm_head(self.ln_f(x))


def causal_lm_loss(logits: torch.Tensor, ids: torch.Tensor) -> torch.Tensor:
    """Mean cross-entropy of predicting ids[:, t + 1] from logits[:, t] (float32 even under autocast)."""
    vocab_size = logits.shape[-1]
    return F.cross_entropy(logits[:, :-1].reshape(-1, vocab_size).float(), ids[:, 1:].reshape(-1))


def lr_factor(step: int, warmup_steps: int, total_steps: int, floor: float = 0.1) -> float:
    """Linear warmup to 1, then cosine decay to `floor` at the last step."""
    if step < warmup_steps:
        return (step + 1) / warmup_steps
    progress = (step - warmup_steps) / max(1, total_steps - warmup_steps)
    return floor + (1 - floor) * 0.5 * (1 + math.cos(math.pi * progress))


def pretrain(model: TinyGPT, blocks: torch.Tensor, *, steps: int, batch_size: int, lr: float, warmup_steps: int,
             weight_decay: float, max_grad_norm: float, generator: torch.Generator, device: str = "cpu",
             amp_dtype: torch.dtype | None = None) -> list[float]:
    model.to(device).train()
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=weight_decay, betas=(0.9, 0.95))
    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda s: lr_factor(s, warmup_steps, steps))
    log_every = max(1, steps // 100)
    losses = []
    for step in range(steps):
        rows = torch.randint(len(blocks), (batch_size,), generator=generator)
        batch = blocks[rows].to(device)
        with torch.autocast(device_type=device, dtype=amp_dtype or torch.bfloat16, enabled=amp_dtype is not None):
            logits = model(batch)
        loss = causal_lm_loss(logits, batch)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), max_grad_norm)
        optimizer.step()
        schedule.step()
        losses.append(loss.item())
        if step % log_every == 0 or step == steps - 1:
            log_metrics(step + 1, loss=losses[-1], lr=schedule.get_last_lr()[0])
    return losses
