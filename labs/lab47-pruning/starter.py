"""Lab 47: model pruning: unstructured magnitude pruning (global or per layer), structured neuron pruning,
masks kept through fine-tuning, and movement pruning.

Fill in every function marked TODO and submit this file as pruning.py.
"""
from __future__ import annotations

import torch
from torch import nn

from labkit.metrics import log_metrics


def topk_masks(scores: dict[str, torch.Tensor], sparsity: float, scope: str = "global") -> dict[str, torch.Tensor]:
    """Bool masks (True = keep), one per entry of `scores`, same shapes. Prune the k = round(sparsity * n)
    LOWEST scores: over all tensors together when scope == "global" (n = total number of entries), in each
    tensor separately (n = that tensor's size) when scope == "layer"."""
    # TODO
    raise NotImplementedError("topk_masks")


def magnitude_masks(weights: dict[str, torch.Tensor], sparsity: float, scope: str = "global") -> dict[str, torch.Tensor]:
    """Unstructured magnitude pruning: the score of a weight is |w|. Do not modify the weights."""
    # TODO
    raise NotImplementedError("magnitude_masks")


def neuron_mask(w_in: torch.Tensor, w_out: torch.Tensor, n_prune: int) -> torch.Tensor:
    """Structured pruning of the H hidden neurons between two nn.Linear layers: w_in (H, D) computes them,
    w_out (O, H) reads them. Score of neuron h = ||w_in[h, :]||_2 * ||w_out[:, h]||_2. Returns a (H,) bool
    mask (True = keep) that drops the n_prune lowest-scored neurons."""
    # TODO
    raise NotImplementedError("neuron_mask")


def apply_masks(model: nn.Module, masks: dict[str, torch.Tensor]) -> None:
    """Zero, in place, the pruned weights of the parameters named in `masks` (model.named_parameters())."""
    # TODO
    raise NotImplementedError("apply_masks")


def train_pruned(model: nn.Module, masks: dict[str, torch.Tensor], optimizer: torch.optim.Optimizer,
                 x: torch.Tensor, y: torch.Tensor, *, steps: int, batch_size: int,
                 generator: torch.Generator) -> list[float]:
    """Fine-tune (cross-entropy on x (n, 16) float32, y (n,) long) for `steps` steps, each on
    rows = torch.randint(len(y), (batch_size,), generator=generator), keeping the masks: every pruned weight
    is zero after every step. Returns one float loss per step; log_metrics(step, loss=...) each step."""
    # TODO
    raise NotImplementedError("train_pruned")


def movement_prune(model: nn.Module, optimizer: torch.optim.Optimizer, x: torch.Tensor, y: torch.Tensor, *,
                   names: list[str], steps: int, batch_size: int, sparsity: float,
                   generator: torch.Generator) -> dict[str, torch.Tensor]:
    """First-order movement pruning. For steps // 2 steps: train densely (rows drawn as in train_pruned) and,
    after backward() and before optimizer.step(), accumulate S[name] -= grad * w for each named weight
    (S starts at zero). Then masks = topk_masks(S, sparsity, "global"), apply them, and train_pruned for the
    remaining steps - steps // 2 steps with the same optimizer and generator. Returns the masks."""
    # TODO
    raise NotImplementedError("movement_prune")
