"""Lab 39 reference solution: gradient clipping by global norm and gradient accumulation over micro-batches
(token- or sample-weighted, so an uneven last micro-batch gives exactly the large batch's gradient)."""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F

IGNORE_INDEX = -100


# ----------------------------------------------------------------- clipping

def _grads(parameters):
    if isinstance(parameters, torch.Tensor):
        parameters = [parameters]
    return [p.grad for p in parameters if p.grad is not None]


def global_grad_norm(parameters, norm_type=2.0):
    """The norm of all gradients taken together as one long vector (parameters without .grad are skipped)."""
    grads = _grads(parameters)
    if not grads:
        return torch.tensor(0.0)
    norm_type = float(norm_type)
    if math.isinf(norm_type):
        return torch.stack([g.detach().abs().max() for g in grads]).max()
    per_tensor = torch.stack([torch.linalg.vector_norm(g.detach(), norm_type) for g in grads])
    return torch.linalg.vector_norm(per_tensor, norm_type)


def clip_grad_norm_(parameters, max_norm, norm_type=2.0):
    """Scale every gradient in place by min(1, max_norm / (total_norm + 1e-6)); return the norm BEFORE clipping."""
    parameters = list(parameters) if not isinstance(parameters, torch.Tensor) else [parameters]
    total_norm = global_grad_norm(parameters, norm_type)
    clip_coef = torch.clamp(max_norm / (total_norm + 1e-6), max=1.0)
    for g in _grads(parameters):
        g.detach().mul_(clip_coef.to(g.dtype))
    return total_norm


# ----------------------------------------------------------------- accumulation

def split_micro_batches(input_ids, labels, micro_batch_size):
    """Consecutive slices of at most micro_batch_size sequences; the last one may be smaller."""
    return [(input_ids[i:i + micro_batch_size], labels[i:i + micro_batch_size])
            for i in range(0, input_ids.size(0), micro_batch_size)]


def _weights(micro_batches, weighting):
    """How much each micro-batch's summed loss counts: 1 / (tokens or sequences in the WHOLE batch)."""
    if weighting == "tokens":
        return 1.0 / sum(int((labels != IGNORE_INDEX).sum()) for _, labels in micro_batches)
    if weighting == "samples":
        return 1.0 / sum(labels.size(0) for _, labels in micro_batches)
    raise ValueError(f"weighting must be 'tokens' or 'samples', not {weighting!r}")


def _summed_loss(model, input_ids, labels, weighting):
    logits = model(input_ids)                                          # (b, T, vocab)
    token_losses = F.cross_entropy(logits.flatten(0, 1), labels.flatten(), ignore_index=IGNORE_INDEX,
                                   reduction="none").view(labels.shape)
    if weighting == "tokens":
        return token_losses.sum()
    counted = (labels != IGNORE_INDEX).sum(dim=1).clamp(min=1)
    return (token_losses.sum(dim=1) / counted).sum()                 # sum over sequences of their mean loss


def accumulate_gradients(model, micro_batches, weighting="tokens"):
    """Backward every micro-batch so that the parameters' .grad equal those of ONE backward on the whole batch.

    Returns the whole batch's loss as a float (token mean, or mean of per-sequence means for 'samples')."""
    model.zero_grad(set_to_none=True)
    scale = _weights(micro_batches, weighting)
    total = 0.0
    for input_ids, labels in micro_batches:
        loss = _summed_loss(model, input_ids, labels, weighting) * scale
        loss.backward()
        total += loss.item()
    return total


def train_step(model, optimizer, input_ids, labels, micro_batch_size, max_norm, weighting="tokens"):
    """One optimizer step on the whole batch, computed in micro-batches: accumulate, clip once, step.

    Returns (loss, grad_norm) as floats; grad_norm is the global norm before clipping."""
    loss = accumulate_gradients(model, split_micro_batches(input_ids, labels, micro_batch_size), weighting)
    grad_norm = clip_grad_norm_(model.parameters(), max_norm)
    optimizer.step()
    optimizer.zero_grad()
    return loss, float(grad_norm)
