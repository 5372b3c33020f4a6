"""Lab 46: knowledge distillation: soft targets with a temperature, the distillation loss (T^2-scaled KL
to the teacher mixed with the hard-label cross-entropy), and a distillation training loop.

Reference solution.
"""
from __future__ import annotations

import torch
from torch import nn

from labkit.metrics import log_metrics


def soft_targets(logits: torch.Tensor, temperature: float) -> torch.Tensor:
    """softmax(logits / T) over the last dimension, in the logits' dtype, numerically stable."""
    scaled = logits / temperature
    scaled = scaled - scaled.amax(dim=-1, keepdim=True)
    exp = scaled.exp()
    return exp / exp.sum(dim=-1, keepdim=True)


def distillation_loss(student_logits: torch.Tensor, teacher_logits: torch.Tensor, labels: torch.Tensor,
                      temperature: float, alpha: float, ignore_index: int = -100) -> torch.Tensor:
    """alpha * CE(labels, student) + (1 - alpha) * T^2 * KL(teacher_T || student_T), both averaged over the
    positions whose label is not ignore_index. Logits (..., V), labels (...); returns a 0-dim tensor."""
    vocab = student_logits.shape[-1]
    student = student_logits.reshape(-1, vocab)
    teacher = teacher_logits.detach().reshape(-1, vocab)
    labels = labels.reshape(-1)
    keep = labels != ignore_index
    student, teacher, labels = student[keep], teacher[keep], labels[keep]
    count = labels.numel()

    log_p = torch.log_softmax(student, dim=-1)
    hard = -log_p.gather(1, labels[:, None]).sum() / count

    t = float(temperature)
    log_p_t = torch.log_softmax(student / t, dim=-1)
    log_q_t = torch.log_softmax(teacher / t, dim=-1)
    soft = (log_q_t.exp() * (log_q_t - log_p_t)).sum() / count
    return alpha * hard + (1.0 - alpha) * t * t * soft


def distill(student: nn.Module, teacher: nn.Module, optimizer: torch.optim.Optimizer, contexts: torch.Tensor,
            targets: torch.Tensor, *, steps: int, batch_size: int, temperature: float, alpha: float,
            generator: torch.Generator) -> list[float]:
    """Train the student on (contexts, targets) with distillation_loss against the frozen teacher."""
    teacher.eval()
    student.train()
    losses = []
    for step in range(steps):
        rows = torch.randint(len(targets), (batch_size,), generator=generator).to(targets.device)
        batch = contexts[rows]
        with torch.no_grad():
            teacher_logits = teacher(batch)
        loss = distillation_loss(student(batch), teacher_logits, targets[rows], temperature, alpha)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
        log_metrics(step, loss=losses[-1])
    return losses
