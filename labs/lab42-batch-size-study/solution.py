"""Lab 42 reference solution: timing, throughput, learning-rate scaling with warmup, gradient noise scale,
and training under a fixed budget of examples at different batch sizes."""
from __future__ import annotations

import math
import time

import torch

from labkit.metrics import log_metrics


def scale_learning_rate(base_lr: float, base_batch_size: int, batch_size: int, rule: str = "linear") -> float:
    """The learning rate for `batch_size`, given one tuned at `base_batch_size`."""
    ratio = batch_size / base_batch_size
    if rule == "linear":
        return base_lr * ratio
    if rule == "sqrt":
        return base_lr * math.sqrt(ratio)
    raise ValueError(f"unknown scaling rule {rule!r}; use 'linear' or 'sqrt'")


def warmup_learning_rate(step: int, peak_lr: float, warmup_steps: int) -> float:
    """Linear warmup: peak_lr * (step + 1) / warmup_steps for the first warmup_steps steps, then peak_lr."""
    if step < warmup_steps:
        return peak_lr * (step + 1) / warmup_steps
    return peak_lr


def time_steps(step_fn, warmup_steps: int, timed_steps: int) -> float:
    """Mean wall-clock seconds per call of step_fn, after warmup_steps untimed calls."""
    for _ in range(warmup_steps):
        step_fn()
    started = time.perf_counter()
    for _ in range(timed_steps):
        step_fn()
    return (time.perf_counter() - started) / timed_steps


def throughput_table(make_step, batch_sizes: list[int], seq_len: int, warmup_steps: int,
                     timed_steps: int) -> list[dict]:
    """One row per batch size: seconds per step, examples and tokens per second."""
    rows = []
    for batch_size in batch_sizes:
        seconds = time_steps(make_step(batch_size), warmup_steps, timed_steps)
        rows.append({"batch_size": batch_size, "seconds_per_step": seconds,
                     "examples_per_second": batch_size / seconds,
                     "tokens_per_second": batch_size * seq_len / seconds})
    return rows


def grad_sq_norm(model, loss_fn, inputs, targets) -> float:
    """|g|^2: the squared L2 norm of the gradient of the (mean) loss on one batch, over all parameters."""
    model.zero_grad()
    loss_fn(model(inputs), targets).backward()
    return float(sum((p.grad ** 2).sum() for p in model.parameters() if p.grad is not None))


def gradient_noise_scale(model, loss_fn, small_batches, large_batches) -> dict:
    """B_simple = tr(Sigma) / |G|^2 from squared gradient norms at two batch sizes (McCandlish et al., App. A)."""
    b_small, b_large = len(small_batches[0][1]), len(large_batches[0][1])
    g2_small = sum(grad_sq_norm(model, loss_fn, x, y) for x, y in small_batches) / len(small_batches)
    g2_large = sum(grad_sq_norm(model, loss_fn, x, y) for x, y in large_batches) / len(large_batches)
    grad_sq = (b_large * g2_large - b_small * g2_small) / (b_large - b_small)       # unbiased |G|^2
    trace_sigma = (g2_small - g2_large) / (1 / b_small - 1 / b_large)              # unbiased tr(Sigma)
    return {"g2_small": g2_small, "g2_large": g2_large, "grad_sq": grad_sq, "trace_sigma": trace_sigma,
            "b_simple": trace_sigma / grad_sq}


def sgd_step(model, lr: float) -> None:
    """Plain SGD, p <- p - lr * grad, for every parameter that has a gradient."""
    with torch.no_grad():
        for param in model.parameters():
            if param.grad is not None:
                param -= lr * param.grad


def train_with_batch_size(model, contexts, targets, *, batch_size: int, base_batch_size: int, base_lr: float,
                          warmup_steps: int, examples_budget: int, seed: int, rule: str = "linear") -> list[float]:
    """SGD over examples_budget examples in batches of batch_size, lr scaled by `rule` and warmed up."""
    peak_lr = scale_learning_rate(base_lr, base_batch_size, batch_size, rule)
    generator = torch.Generator().manual_seed(seed)
    order = torch.empty(0, dtype=torch.long)
    losses = []
    for step in range(examples_budget // batch_size):
        if len(order) < batch_size:                          # a fresh shuffle once the epoch runs out
            order = torch.cat([order, torch.randperm(len(targets), generator=generator)])
        batch, order = order[:batch_size], order[batch_size:]
        loss = torch.nn.functional.cross_entropy(model(contexts[batch]), targets[batch])
        model.zero_grad()
        loss.backward()
        sgd_step(model, warmup_learning_rate(step, peak_lr, warmup_steps))
        losses.append(loss.item())
        log_metrics(step, loss=loss.item())
    return losses
