"""Lab 34 reference solution: LoRA and full fine-tuning side by side, with the efficiency figures
(trainable parameters, optimizer-state bytes, checkpoint bytes, time per step) measured, not assumed."""
from __future__ import annotations

import math
import time

import torch
from torch import nn

from labkit.metrics import log_metrics

ADAM_STEP_COUNTER_BYTES = 4     # torch.optim.Adam/AdamW keep `step` as a float32 scalar tensor per parameter


class LoRALinear(nn.Module):
    """base(x) + (alpha / r) * x A^T B^T with a frozen base, A (r, in) kaiming-uniform and B (out, r) zero."""

    def __init__(self, base: nn.Linear, r: int, alpha: float):
        super().__init__()
        self.base = base
        self.r, self.alpha, self.scaling = r, alpha, alpha / r
        device, dtype = base.weight.device, base.weight.dtype
        self.lora_A = nn.Parameter(torch.empty(r, base.in_features, device=device, dtype=dtype))
        self.lora_B = nn.Parameter(torch.zeros(base.out_features, r, device=device, dtype=dtype))
        nn.init.kaiming_uniform_(self.lora_A, a=math.sqrt(5))
        for param in self.base.parameters():
            param.requires_grad_(False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.base(x) + self.scaling * (x @ self.lora_A.T @ self.lora_B.T)


def add_lora(model: nn.Module, targets: list[str], r: int, alpha: float) -> nn.Module:
    """Freeze the whole model, then wrap every nn.Linear whose name ends in a target (in place)."""
    for param in model.parameters():
        param.requires_grad_(False)
    names = [name for name, module in model.named_modules()
             if isinstance(module, nn.Linear) and name.split(".")[-1] in targets]
    for name in names:
        parent_name, _, child = name.rpartition(".")
        parent = model.get_submodule(parent_name) if parent_name else model
        setattr(parent, child, LoRALinear(getattr(parent, child), r, alpha))
    return model


def trainable_parameters(model: nn.Module) -> list[nn.Parameter]:
    """The parameters the optimizer must update (each shared tensor once)."""
    return [param for param in model.parameters() if param.requires_grad]


def count_parameters(model: nn.Module) -> dict:
    return {"trainable": sum(p.numel() for p in trainable_parameters(model)),
            "total": sum(p.numel() for p in model.parameters())}


def adam_state_bytes(parameters: list[torch.Tensor], amsgrad: bool = False) -> int:
    """Bytes of Adam's state after its first step: exp_avg, exp_avg_sq (and max_exp_avg_sq with amsgrad),
    each shaped and typed like its parameter, plus one float32 step counter per parameter tensor."""
    moments = 3 if amsgrad else 2
    return sum(moments * p.numel() * p.element_size() + ADAM_STEP_COUNTER_BYTES for p in parameters)


def fine_tune(model, optimizer, data, loss_fn, *, steps: int, batch_size: int, warmup_steps: int,
              generator: torch.Generator, synchronize) -> dict:
    """`steps` optimizer steps on random batches; seconds per step timed after `warmup_steps` steps."""
    model.train()
    losses = []
    started = None
    for step in range(steps):
        if step == warmup_steps:
            synchronize()                      # the warm-up's queued GPU work must not leak into the timing
            started = time.perf_counter()
        rows = torch.randint(len(data), (batch_size,), generator=generator)
        loss = loss_fn(model, data[rows.to(data.device)])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
        log_metrics(step, loss=losses[-1])
    synchronize()
    seconds = (time.perf_counter() - started) / (steps - warmup_steps)
    return {"losses": losses, "seconds_per_step": seconds}


def efficiency_report(model: nn.Module, optimizer: torch.optim.Optimizer, seconds_per_step: float) -> dict:
    """What this fine-tune costs: parameters, optimizer memory, checkpoint size and time per step."""
    counts = count_parameters(model)
    trainable = trainable_parameters(model)
    state_bytes = sum(value.nbytes for state in optimizer.state.values() for value in state.values()
                      if torch.is_tensor(value))
    return {"trainable_params": counts["trainable"], "total_params": counts["total"],
            "trainable_share": counts["trainable"] / counts["total"],
            "optimizer_state_bytes": state_bytes,
            "checkpoint_bytes": sum(p.numel() * p.element_size() for p in trainable),
            "seconds_per_step": float(seconds_per_step)}
