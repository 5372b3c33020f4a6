"""Lab 34: LoRA versus full fine-tuning: the same model, data, budget and seed, and the costs measured.

Fill in every function marked TODO and submit this file as lora_vs_full.py. You may paste your
LoRALinear from lab 33 (without dropout).
"""
from __future__ import annotations

import math
import time

import torch
from torch import nn

from labkit.metrics import log_metrics


class LoRALinear(nn.Module):
    """Wraps a frozen nn.Linear: forward(x) = base(x) + (alpha / r) * x @ lora_A.T @ lora_B.T.

    Attributes: base (the wrapped layer, kept as is), lora_A nn.Parameter (r, in_features) initialised with
    nn.init.kaiming_uniform_(A, a=math.sqrt(5)), lora_B nn.Parameter (out_features, r) of zeros, scaling = alpha / r.
    Create A and B on the base weight's device and dtype. The base layer's weight and bias are frozen.
    """

    def __init__(self, base: nn.Linear, r: int, alpha: float):
        super().__init__()
        raise NotImplementedError("LoRALinear.__init__")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError("LoRALinear.forward")


def add_lora(model: nn.Module, targets: list[str], r: int, alpha: float) -> nn.Module:
    """Freeze EVERY parameter of the model, then replace each nn.Linear whose name ends in one of `targets`
    (e.g. "blocks.0.attn.q_proj" ends in "q_proj") by LoRALinear(that layer, r, alpha). In place; return model."""
    raise NotImplementedError("add_lora")


def trainable_parameters(model: nn.Module) -> list[nn.Parameter]:
    """The parameters with requires_grad=True, each once: what the optimizer must update."""
    raise NotImplementedError("trainable_parameters")


def count_parameters(model: nn.Module) -> dict:
    """{"trainable": int, "total": int}: elements (numel) of the trainable parameters and of all of them."""
    raise NotImplementedError("count_parameters")


def adam_state_bytes(parameters: list[torch.Tensor], amsgrad: bool = False) -> int:
    """Exactly how many bytes torch.optim.Adam / AdamW will hold in optimizer.state for these parameters
    once it has taken a step, computed from the parameters alone (before any optimizer exists).

    Per parameter tensor: exp_avg and exp_avg_sq (and max_exp_avg_sq when amsgrad=True), each with the
    parameter's shape and dtype, plus the step counter, a float32 scalar tensor (4 bytes).
    """
    raise NotImplementedError("adam_state_bytes")


def fine_tune(model, optimizer, data, loss_fn, *, steps: int, batch_size: int, warmup_steps: int,
              generator: torch.Generator, synchronize) -> dict:
    """Train for `steps` optimizer steps and time them; return {"losses": [...], "seconds_per_step": float}.

    data: (n, 8) torch.long sentences (already on the model's device). Each step:
        rows = torch.randint(len(data), (batch_size,), generator=generator)
        loss = loss_fn(model, data[rows.to(data.device)])     # a 0-dim tensor with a graph
        zero the gradients, backward, optimizer.step(); keep loss.item(); log_metrics(step, loss=...)
    Timing: the first warmup_steps steps are not timed. Right before starting time.perf_counter() and right
    before reading it at the end, call synchronize() (torch.cuda.synchronize on a GPU: kernels run
    asynchronously). seconds_per_step = elapsed / (steps - warmup_steps), in seconds.
    """
    raise NotImplementedError("fine_tune")


def efficiency_report(model: nn.Module, optimizer: torch.optim.Optimizer, seconds_per_step: float) -> dict:
    """What this fine-tune costs, measured on the model and optimizer after training:
    {"trainable_params": int, "total_params": int, "trainable_share": trainable / total,
     "optimizer_state_bytes": int (nbytes of every tensor in optimizer.state),
     "checkpoint_bytes": int (bytes of the trainable parameters: all a fine-tuned checkpoint must store),
     "seconds_per_step": float}
    """
    raise NotImplementedError("efficiency_report")
