"""Lab 33: LoRA from scratch. Fill in every TODO and submit this file as lora.py.

The point is to write LoRA yourself: do not import peft here (the grader compares your layer with peft's)."""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from labkit.metrics import log_metrics


class LoRALinear(nn.Module):
    """Wraps a pre-trained nn.Linear: y = base(x) + (alpha / r) * B A dropout(x).

    Attributes the grader uses:
        base:          the wrapped nn.Linear itself (weight and bias frozen: requires_grad False)
        lora_A:        nn.Parameter (r, in_features), nn.init.kaiming_uniform_(A, a=math.sqrt(5))
        lora_B:        nn.Parameter (out_features, r), zeros
        scaling:       float, alpha / r
        lora_dropout:  nn.Dropout(dropout), applied to x on the LoRA path only
        merged:        bool, True after merge() until unmerge()
    """

    def __init__(self, base: nn.Linear, r: int, alpha: float, dropout: float = 0.0):
        super().__init__()
        # TODO: keep `base` and freeze it; create lora_A, lora_B, scaling, lora_dropout, merged
        raise NotImplementedError("LoRALinear.__init__")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x: (..., in_features) float32 -> (..., out_features). After merge(), only base(x)."""
        raise NotImplementedError("LoRALinear.forward")

    def merge(self) -> None:
        """Add (alpha / r) * lora_B @ lora_A into base.weight (no autograd); a second call does nothing."""
        raise NotImplementedError("LoRALinear.merge")

    def unmerge(self) -> None:
        """Subtract what merge() added, restoring the pre-trained weight; does nothing if not merged."""
        raise NotImplementedError("LoRALinear.unmerge")


def apply_lora(model: nn.Module, target_modules: list[str], r: int, alpha: float,
               dropout: float = 0.0) -> nn.Module:
    """Freeze every parameter of `model`, then replace in place each nn.Linear whose name ends in one of
    `target_modules` (e.g. "blocks.0.attn.q_proj" matches "q_proj") by LoRALinear(it, r, alpha, dropout).
    Returns the same model object."""
    raise NotImplementedError("apply_lora")


def count_trainable_parameters(model: nn.Module) -> int:
    """Number of scalar parameters with requires_grad=True."""
    raise NotImplementedError("count_trainable_parameters")


def lora_state_dict(model: nn.Module) -> dict[str, torch.Tensor]:
    """The adapter only: the entries of model.state_dict() whose names end in lora_A or lora_B."""
    raise NotImplementedError("lora_state_dict")


def fine_tune(model: nn.Module, data: torch.Tensor, steps: int, lr: float, batch_size: int,
              generator: torch.Generator) -> list[float]:
    """Next-token fine-tuning of the trainable parameters.

    data: (n, seq_len) int64 token ids. Each step: batch = data[torch.randint(0, n, (batch_size,),
    generator=generator)], logits = model(batch[:, :-1]), cross-entropy against batch[:, 1:],
    AdamW(trainable parameters, lr, weight_decay=0) step. Log each loss with log_metrics(step, loss=...)
    and return the list of losses (floats)."""
    raise NotImplementedError("fine_tune")
