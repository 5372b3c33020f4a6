"""Lab 40: mixed precision training: a dynamic loss scaler, the AMP training step, and autocast.

Fill in every function marked TODO and submit this file as amp_training.py.
"""
from __future__ import annotations

import math

import torch
from torch import nn

from labkit.metrics import log_metrics


class LossScaler:
    """Dynamic loss scaling with torch.amp.GradScaler's semantics (see the README for every rule).

    Keep these attributes: growth_tracker (int: successful steps in a row since the scale last changed)
    and skipped_steps (int: optimizer steps skipped because of inf/nan gradients).
    """

    def __init__(self, init_scale: float = 2.0 ** 16, growth_factor: float = 2.0, backoff_factor: float = 0.5,
                 growth_interval: int = 2000, enabled: bool = True):
        raise NotImplementedError("LossScaler.__init__")

    def get_scale(self) -> float:
        """The current scale (1.0 when disabled)."""
        raise NotImplementedError("LossScaler.get_scale")

    def scale(self, loss: torch.Tensor) -> torch.Tensor:
        """loss * scale (the loss unchanged when disabled)."""
        raise NotImplementedError("LossScaler.scale")

    def unscale_(self, optimizer: torch.optim.Optimizer) -> None:
        """Divide the .grad of every parameter of the optimizer by the scale, in place, and remember (for this
        optimizer, until update()) whether any gradient is inf or nan. A second call before update() raises
        RuntimeError."""
        raise NotImplementedError("LossScaler.unscale_")

    def step(self, optimizer: torch.optim.Optimizer, *args, **kwargs):
        """unscale_ first if it has not run for this optimizer; then skip the step (return None, count it)
        if inf/nan was found, else return optimizer.step(*args, **kwargs)."""
        raise NotImplementedError("LossScaler.step")

    def update(self) -> None:
        """Back off on inf/nan (scale *= backoff_factor, growth_tracker = 0), else count a good step and grow
        the scale (scale *= growth_factor, growth_tracker = 0) when growth_interval good steps are reached.
        Forget what unscale_ found, ready for the next iteration."""
        raise NotImplementedError("LossScaler.update")


def scaled_step(scaler: LossScaler, optimizer: torch.optim.Optimizer, loss: torch.Tensor,
                parameters: list[torch.Tensor], max_grad_norm: float) -> float:
    """One AMP optimizer step with gradient clipping. Returns the gradient norm clip_grad_norm_ returns,
    as a float, computed on the UNSCALED gradients (inf or nan on a step that is skipped)."""
    raise NotImplementedError("scaled_step")


def autocast_dtypes(model: nn.Module, inputs: torch.Tensor, device_type: str, dtype: torch.dtype) -> dict:
    """{leaf module name: str(output dtype)} for one forward pass of model(inputs) under
    torch.autocast(device_type=device_type, dtype=dtype), e.g. {"hidden": "torch.bfloat16", ...}.
    Leaf modules have no children; remove your hooks before returning."""
    raise NotImplementedError("autocast_dtypes")


def train_amp(model: nn.Module, optimizer: torch.optim.Optimizer, scaler: LossScaler, contexts: torch.Tensor,
              targets: torch.Tensor, *, steps: int, batch_size: int, device_type: str, dtype: torch.dtype,
              max_grad_norm: float, generator: torch.Generator) -> list[float]:
    """Mixed-precision training for `steps` steps; returns the loss of every step (floats).

    Each step: rows = torch.randint(len(targets), (batch_size,), generator=generator) (moved to the data's
    device); forward and cross-entropy loss under torch.autocast(device_type, dtype); then scaled_step.
    The model's weights stay float32. Call log_metrics(step, loss=..., scale=scaler.get_scale()).
    """
    raise NotImplementedError("train_amp")
