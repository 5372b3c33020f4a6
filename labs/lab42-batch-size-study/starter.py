"""Lab 42: a batch-size study: timing and throughput, learning-rate scaling with warmup, the gradient
noise scale, and training under a fixed budget of examples.

Fill in every function marked TODO and submit this file as batch_study.py.
"""
from __future__ import annotations

import math
import time

import torch

from labkit.metrics import log_metrics


def scale_learning_rate(base_lr: float, base_batch_size: int, batch_size: int, rule: str = "linear") -> float:
    """The learning rate for `batch_size`, given base_lr tuned at base_batch_size.

    rule "linear": base_lr * batch_size / base_batch_size  (Goyal et al., SGD)
    rule "sqrt":   base_lr * sqrt(batch_size / base_batch_size)  (often closer for Adam)
    any other rule: raise ValueError.
    """
    raise NotImplementedError("scale_learning_rate")


def warmup_learning_rate(step: int, peak_lr: float, warmup_steps: int) -> float:
    """Linear warmup: peak_lr * (step + 1) / warmup_steps while step < warmup_steps, then peak_lr.

    step counts from 0, so step 0 already trains with peak_lr / warmup_steps. warmup_steps=0: always peak_lr.
    """
    raise NotImplementedError("warmup_learning_rate")


def time_steps(step_fn, warmup_steps: int, timed_steps: int) -> float:
    """Mean wall-clock SECONDS per call of step_fn (no arguments).

    Call it warmup_steps times without timing (first calls are slow), then time timed_steps calls with
    time.perf_counter() and return the elapsed time divided by timed_steps.
    """
    raise NotImplementedError("time_steps")


def throughput_table(make_step, batch_sizes: list[int], seq_len: int, warmup_steps: int,
                     timed_steps: int) -> list[dict]:
    """One row per batch size, in the given order.

    make_step(B) returns a step function that runs one training step on a batch of B examples.
    Each row: {"batch_size": B, "seconds_per_step": s, "examples_per_second": B / s,
               "tokens_per_second": B * seq_len / s}, with s measured by time_steps.
    """
    raise NotImplementedError("throughput_table")


def grad_sq_norm(model, loss_fn, inputs, targets) -> float:
    """|g|^2: the squared L2 norm, over ALL parameters, of the gradient of loss_fn(model(inputs), targets).

    Zero the old gradients first. Returns a Python float.
    """
    raise NotImplementedError("grad_sq_norm")


def gradient_noise_scale(model, loss_fn, small_batches, large_batches) -> dict:
    """The simple gradient noise scale from two batch sizes (McCandlish et al., 2018, Appendix A.1).

    small_batches / large_batches: lists of (inputs, targets); all small batches have B_small examples,
    all large ones B_large. Returns a dict of floats:
      g2_small, g2_large: mean of grad_sq_norm over the small / large batches
      grad_sq:     |G|^2    = (B_large * g2_large - B_small * g2_small) / (B_large - B_small)
      trace_sigma: tr(Sigma) = (g2_small - g2_large) / (1 / B_small - 1 / B_large)
      b_simple:    trace_sigma / grad_sq
    """
    raise NotImplementedError("gradient_noise_scale")


def sgd_step(model, lr: float) -> None:
    """Plain SGD by hand: p <- p - lr * p.grad for every parameter with a gradient (inside torch.no_grad())."""
    raise NotImplementedError("sgd_step")


def train_with_batch_size(model, contexts, targets, *, batch_size: int, base_batch_size: int, base_lr: float,
                          warmup_steps: int, examples_budget: int, seed: int, rule: str = "linear") -> list[float]:
    """Train with sgd_step on examples_budget examples in batches of batch_size; return the per-step losses.

    contexts: (n, 3) int64, targets: (n,) int64; loss = F.cross_entropy(model(contexts[b]), targets[b]).
    steps = examples_budget // batch_size.
    Batches: one torch.Generator().manual_seed(seed); the index stream is randperm(n, generator=g),
             then another randperm(n, generator=g) when it runs out, and so on; batch s is the next
             batch_size indices of that stream.
    Each step: zero the gradients, backward the loss, then sgd_step(model, lr) with
             lr = warmup_learning_rate(s, scale_learning_rate(base_lr, base_batch_size, batch_size, rule), warmup_steps).
    Call log_metrics(step, loss=...) each step to draw the curve.
    """
    raise NotImplementedError("train_with_batch_size")
