"""Lab 40 reference solution: a dynamic loss scaler with torch.amp.GradScaler's semantics, the AMP
training step (unscale before clipping), a look at which layers run in low precision, and an AMP
training loop."""
from __future__ import annotations

import math

import torch
from torch import nn

from labkit.metrics import log_metrics


class LossScaler:
    """Dynamic loss scaling for fp16: multiply the loss by `scale` so small gradients survive fp16,
    divide the gradients by it before the optimizer sees them, skip steps whose gradients overflowed."""

    def __init__(self, init_scale: float = 2.0 ** 16, growth_factor: float = 2.0, backoff_factor: float = 0.5,
                 growth_interval: int = 2000, enabled: bool = True):
        self.scale_value = float(init_scale)
        self.growth_factor, self.backoff_factor = growth_factor, backoff_factor
        self.growth_interval, self.enabled = growth_interval, enabled
        self.growth_tracker = 0          # successful steps in a row since the scale last changed
        self.skipped_steps = 0
        self._found_inf: dict[int, bool] = {}   # optimizer id -> non-finite gradients seen by unscale_
        self._stepped: set[int] = set()

    def get_scale(self) -> float:
        return self.scale_value if self.enabled else 1.0

    def scale(self, loss: torch.Tensor) -> torch.Tensor:
        return loss * self.scale_value if self.enabled else loss

    def unscale_(self, optimizer: torch.optim.Optimizer) -> None:
        if not self.enabled:
            return
        if id(optimizer) in self._found_inf:
            raise RuntimeError("unscale_() has already been called on this optimizer since the last update()")
        inv_scale = torch.tensor(1.0 / self.scale_value, dtype=torch.float64).float()
        found_inf = False
        with torch.no_grad():
            for group in optimizer.param_groups:
                for param in group["params"]:
                    if param.grad is None:
                        continue
                    param.grad.mul_(inv_scale.to(param.grad.device))
                    found_inf = found_inf or not bool(torch.isfinite(param.grad).all())
        self._found_inf[id(optimizer)] = found_inf

    def step(self, optimizer: torch.optim.Optimizer, *args, **kwargs):
        if not self.enabled:
            return optimizer.step(*args, **kwargs)
        if id(optimizer) not in self._found_inf:
            self.unscale_(optimizer)
        self._stepped.add(id(optimizer))
        if self._found_inf[id(optimizer)]:
            self.skipped_steps += 1
            return None
        return optimizer.step(*args, **kwargs)

    def update(self) -> None:
        if not self.enabled:
            return
        if any(self._found_inf.values()):
            self.scale_value *= self.backoff_factor
            self.growth_tracker = 0
        else:
            self.growth_tracker += 1
            if self.growth_tracker == self.growth_interval:
                grown = self.scale_value * self.growth_factor
                if math.isfinite(float(torch.tensor(grown, dtype=torch.float32))):
                    self.scale_value = grown
                self.growth_tracker = 0
        self._found_inf.clear()
        self._stepped.clear()


def scaled_step(scaler: LossScaler, optimizer: torch.optim.Optimizer, loss: torch.Tensor,
                parameters: list[torch.Tensor], max_grad_norm: float) -> float:
    """One AMP step: backward the scaled loss, unscale, clip the TRUE gradients, step (or skip), update."""
    optimizer.zero_grad(set_to_none=True)
    scaler.scale(loss).backward()
    scaler.unscale_(optimizer)
    norm = torch.nn.utils.clip_grad_norm_(parameters, max_grad_norm)
    scaler.step(optimizer)
    scaler.update()
    return float(norm)


def autocast_dtypes(model: nn.Module, inputs: torch.Tensor, device_type: str, dtype: torch.dtype) -> dict:
    """The dtype of every leaf module's output during one forward pass under autocast."""
    seen, handles = {}, []
    for name, module in model.named_modules():
        if name and not list(module.children()):
            handles.append(module.register_forward_hook(
                lambda mod, args, output, name=name: seen.__setitem__(name, str(output.dtype))))
    try:
        with torch.no_grad(), torch.autocast(device_type=device_type, dtype=dtype):
            model(inputs)
    finally:
        for handle in handles:
            handle.remove()
    return seen


def train_amp(model: nn.Module, optimizer: torch.optim.Optimizer, scaler: LossScaler, contexts: torch.Tensor,
              targets: torch.Tensor, *, steps: int, batch_size: int, device_type: str, dtype: torch.dtype,
              max_grad_norm: float, generator: torch.Generator) -> list[float]:
    """Mixed-precision training: forward and loss under autocast, fp32 master weights, scaled backward."""
    model.train()
    parameters = [p for p in model.parameters() if p.requires_grad]
    losses = []
    for step in range(steps):
        rows = torch.randint(len(targets), (batch_size,), generator=generator).to(targets.device)
        with torch.autocast(device_type=device_type, dtype=dtype):
            logits = model(contexts[rows])
            loss = nn.functional.cross_entropy(logits, targets[rows])
        scaled_step(scaler, optimizer, loss, parameters, max_grad_norm)
        losses.append(loss.item())
        log_metrics(step, loss=losses[-1], scale=scaler.get_scale())
    return losses
