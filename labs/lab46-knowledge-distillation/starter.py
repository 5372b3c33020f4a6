"""Lab 46: knowledge distillation: soft targets with a temperature, the distillation loss, and a
distillation training loop.

Fill in every function marked TODO and submit this file as distillation.py.
"""
from __future__ import annotations

import torch
from torch import nn

from labkit.metrics import log_metrics


def soft_targets(logits: torch.Tensor, temperature: float) -> torch.Tensor:
    """softmax(logits / temperature) over the last dimension.

    logits: (..., V) float32 or float64. Returns a tensor of the same shape and dtype whose last dimension
    sums to 1. Must not overflow for logits in the hundreds.
    """
    # TODO
    raise NotImplementedError("soft_targets")


def distillation_loss(student_logits: torch.Tensor, teacher_logits: torch.Tensor, labels: torch.Tensor,
                      temperature: float, alpha: float, ignore_index: int = -100) -> torch.Tensor:
    """alpha * CE(labels, student) + (1 - alpha) * T^2 * KL(softmax(teacher / T) || softmax(student / T)).

    student_logits, teacher_logits: (..., V), same shape and dtype (e.g. (batch, positions, V) for an LM or
    (batch, V)); labels: (...) long, ignore_index where a position does not count (padding).
    Both terms are averaged over the counted positions (the KL is summed over the vocabulary first).
    Returns a 0-dim tensor in the logits' dtype. The teacher's logits must receive no gradient.
    """
    # TODO
    raise NotImplementedError("distillation_loss")


def distill(student: nn.Module, teacher: nn.Module, optimizer: torch.optim.Optimizer, contexts: torch.Tensor,
            targets: torch.Tensor, *, steps: int, batch_size: int, temperature: float, alpha: float,
            generator: torch.Generator) -> list[float]:
    """Train `student` for `steps` steps on (contexts (n, context) long, targets (n,) long) with
    distillation_loss against the frozen `teacher`. Each step draws
    rows = torch.randint(len(targets), (batch_size,), generator=generator).to(targets.device).
    Returns one float loss per step; call log_metrics(step, loss=...) each step.
    """
    # TODO
    raise NotImplementedError("distill")
