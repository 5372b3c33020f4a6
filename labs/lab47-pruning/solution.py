"""Lab 47: model pruning: unstructured magnitude pruning (global or per layer), structured neuron pruning,
masks kept through fine-tuning, and movement pruning.

Reference solution.
"""
from __future__ import annotations

import torch
from torch import nn

from labkit.metrics import log_metrics


def topk_masks(scores: dict[str, torch.Tensor], sparsity: float, scope: str = "global") -> dict[str, torch.Tensor]:
    """Boolean masks (True = keep) that prune the k = round(sparsity * n) lowest-scored entries, over all
    tensors together (scope "global", n = all entries) or in each tensor separately (scope "layer")."""
    if scope == "layer":
        return {name: topk_masks({name: s}, sparsity, "global")[name] for name, s in scores.items()}
    flat = torch.cat([s.detach().reshape(-1) for s in scores.values()])
    k = round(sparsity * flat.numel())
    keep = torch.ones(flat.numel(), dtype=torch.bool)
    if k > 0:
        keep[torch.argsort(flat, stable=True)[:k]] = False
    masks, start = {}, 0
    for name, s in scores.items():
        masks[name] = keep[start:start + s.numel()].reshape(s.shape).to(s.device)
        start += s.numel()
    return masks


def magnitude_masks(weights: dict[str, torch.Tensor], sparsity: float, scope: str = "global") -> dict[str, torch.Tensor]:
    """Unstructured magnitude pruning: the score of a weight is |w|."""
    return topk_masks({name: w.detach().abs() for name, w in weights.items()}, sparsity, scope)


def neuron_mask(w_in: torch.Tensor, w_out: torch.Tensor, n_prune: int) -> torch.Tensor:
    """Structured pruning of the hidden neurons between two Linear layers: w_in (H, D) makes the neurons,
    w_out (O, H) reads them. Score of neuron h: ||w_in[h, :]|| * ||w_out[:, h]||; returns a (H,) bool mask
    that drops the n_prune lowest-scored neurons."""
    score = w_in.detach().norm(dim=1) * w_out.detach().norm(dim=0)
    keep = torch.ones(score.numel(), dtype=torch.bool, device=score.device)
    if n_prune > 0:
        keep[torch.argsort(score, stable=True)[:n_prune]] = False
    return keep


def apply_masks(model: nn.Module, masks: dict[str, torch.Tensor]) -> None:
    """Zero the pruned weights in place (masks are keyed by parameter name)."""
    params = dict(model.named_parameters())
    with torch.no_grad():
        for name, mask in masks.items():
            params[name].mul_(mask.to(params[name].dtype))


def train_pruned(model: nn.Module, masks: dict[str, torch.Tensor], optimizer: torch.optim.Optimizer,
                 x: torch.Tensor, y: torch.Tensor, *, steps: int, batch_size: int,
                 generator: torch.Generator) -> list[float]:
    """Fine-tune with the masks kept: pruned weights are zero after every step."""
    model.train()
    losses = []
    for step in range(steps):
        rows = torch.randint(len(y), (batch_size,), generator=generator)
        loss = nn.functional.cross_entropy(model(x[rows]), y[rows])
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        apply_masks(model, masks)
        losses.append(loss.item())
        log_metrics(step, loss=losses[-1])
    return losses


def movement_prune(model: nn.Module, optimizer: torch.optim.Optimizer, x: torch.Tensor, y: torch.Tensor, *,
                   names: list[str], steps: int, batch_size: int, sparsity: float,
                   generator: torch.Generator) -> dict[str, torch.Tensor]:
    """First-order movement pruning: fine-tune densely for steps // 2 steps accumulating
    S -= grad * w (after backward, before the optimizer step) for each named weight; keep the weights with
    the largest S (global top-k), apply the masks, then fine-tune the rest of the steps with them kept."""
    params = dict(model.named_parameters())
    scores = {name: torch.zeros_like(params[name]) for name in names}
    model.train()
    for step in range(steps // 2):
        rows = torch.randint(len(y), (batch_size,), generator=generator)
        loss = nn.functional.cross_entropy(model(x[rows]), y[rows])
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        with torch.no_grad():
            for name in names:
                scores[name] -= params[name].grad * params[name]
        optimizer.step()
        log_metrics(step, loss=loss.item())
    masks = topk_masks(scores, sparsity, "global")
    apply_masks(model, masks)
    train_pruned(model, masks, optimizer, x, y, steps=steps - steps // 2, batch_size=batch_size, generator=generator)
    return masks
