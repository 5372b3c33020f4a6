"""Lab 35: bottleneck adapters and prefix tuning next to LoRA, at equal trainable-parameter budgets.
Fill in every TODO and submit this file as peft_methods.py (do not import peft)."""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from labkit.metrics import log_metrics

ADAPTER_TARGETS = ("o_proj", "down_proj")   # an adapter after the attention and after the MLP of every block
LORA_TARGETS = ("q_proj", "v_proj")


class LoRALinear(nn.Module):
    """Your LoRA layer from lab 33 (no dropout needed): attributes base, lora_A (r, in), lora_B (out, r),
    scaling = alpha / r; forward = base(x) + scaling * x @ A.T @ B.T."""

    def __init__(self, base: nn.Linear, r: int, alpha: float):
        super().__init__()
        raise NotImplementedError("LoRALinear: paste yours from lab 33")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError("LoRALinear.forward")


class BottleneckAdapter(nn.Module):
    """h + up(relu(down(h))). down = nn.Linear(d_model, bottleneck); up = nn.Linear(bottleneck, d_model)
    with weight AND bias zero, so the adapter is the identity at the start. h: (..., d_model) float32."""

    def __init__(self, d_model: int, bottleneck: int):
        super().__init__()
        raise NotImplementedError("BottleneckAdapter.__init__")

    def forward(self, h: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError("BottleneckAdapter.forward")


class AdaptedLinear(nn.Module):
    """A frozen nn.Linear followed in series by an adapter: attributes base, adapter; forward = adapter(base(x))."""

    def __init__(self, base: nn.Linear, bottleneck: int):
        super().__init__()
        raise NotImplementedError("AdaptedLinear.__init__")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError("AdaptedLinear.forward")


class PrefixAttention(nn.Module):
    """Wraps the frozen tinylm.Attention `attn` (attributes q_proj, k_proj, v_proj, o_proj, n_heads).

    prefix_k, prefix_v: nn.Parameter (n_prefix, d_model), initialised torch.randn(...) * 0.5.
    forward(x: (batch, seq, d_model)) -> (batch, seq, d_model): queries from x; keys and values are the
    prefix followed by k_proj(x) / v_proj(x); split into n_heads heads of d_model // n_heads; scores
    scaled by 1/sqrt(head_dim); query i may attend to every prefix slot and to real keys j <= i;
    softmax, weighted sum, merge heads, o_proj."""

    def __init__(self, attn: nn.Module, n_prefix: int):
        super().__init__()
        raise NotImplementedError("PrefixAttention.__init__")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError("PrefixAttention.forward")


def add_lora(model: nn.Module, r: int, alpha: float) -> nn.Module:
    """Freeze every parameter; wrap each nn.Linear named q_proj / v_proj with LoRALinear. Returns model."""
    raise NotImplementedError("add_lora")


def add_adapters(model: nn.Module, bottleneck: int) -> nn.Module:
    """Freeze every parameter; replace each o_proj and down_proj by AdaptedLinear(it, bottleneck)."""
    raise NotImplementedError("add_adapters")


def add_prefix(model: nn.Module, n_prefix: int) -> nn.Module:
    """Freeze every parameter; replace each block's `attn` module by PrefixAttention(it, n_prefix)."""
    raise NotImplementedError("add_prefix")


def count_trainable_parameters(model: nn.Module) -> int:
    raise NotImplementedError("count_trainable_parameters")


def lora_params(config: dict, r: int) -> int:
    """Trainable parameters add_lora(r) gives a TinyLM(**config) (keys d_model, n_layers, d_ff, ...)."""
    raise NotImplementedError("lora_params")


def adapter_params(config: dict, bottleneck: int) -> int:
    raise NotImplementedError("adapter_params")


def prefix_params(config: dict, n_prefix: int) -> int:
    raise NotImplementedError("prefix_params")


def match_budget(config: dict, budget: int) -> dict[str, int]:
    """{"lora_r": ..., "adapter_bottleneck": ..., "prefix_length": ...}: for each method the largest size
    whose trainable count is <= budget (0 if even size 1 does not fit)."""
    raise NotImplementedError("match_budget")


def fine_tune(model: nn.Module, data: torch.Tensor, steps: int, lr: float, batch_size: int,
              generator: torch.Generator) -> list[float]:
    """As in lab 33: AdamW (weight_decay 0) on the trainable parameters; each step a batch
    data[torch.randint(0, n, (batch_size,), generator=generator)], next-token cross-entropy,
    log_metrics(step, loss=...); returns the list of losses."""
    raise NotImplementedError("fine_tune")
