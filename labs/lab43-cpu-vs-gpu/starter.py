"""Lab 43: CPU versus GPU: device-agnostic training, synchronised timing and a speed-up report.

Fill in every function marked TODO and submit this file as device_benchmark.py. Never write "cuda" or
"cpu" in your code: every function receives the device it must use.
"""
from __future__ import annotations

import contextlib
import time

import torch
import torch.nn.functional as F

from labkit.metrics import log_metrics


def make_train_step(model, optimizer, tokens: torch.Tensor, device: torch.device, *, batch_size: int,
                    seq_len: int, generator: torch.Generator, amp_dtype: torch.dtype | None = None):
    """Return step(): one training step on `device`, returning the loss as a 0-dim tensor (do not call
    .item() inside: that would wait for the device every step).

    The model and optimizer are already on `device`; tokens (n,) torch.long is on the CPU (move it once).
    Each step: starts = torch.randint(len(tokens) - seq_len, (batch_size,), generator=generator) on the CPU
    generator, moved to the device; windows = tokens[starts[:, None] + arange(seq_len + 1)];
    inputs = windows[:, :-1], targets = windows[:, 1:]; forward and F.cross_entropy (logits as float) under
    torch.autocast(device_type=device.type, dtype=amp_dtype) when amp_dtype is not None;
    optimizer.zero_grad(set_to_none=True), backward, optimizer.step().
    """
    raise NotImplementedError("make_train_step")


def train(model, tokens: torch.Tensor, device: torch.device, *, steps: int, batch_size: int, seq_len: int,
          lr: float, generator: torch.Generator) -> list[float]:
    """Move the model to `device`, create torch.optim.AdamW(model.parameters(), lr=lr), run `steps` steps of
    make_train_step (fp32) and return the losses as floats (convert them once, at the end); log_metrics each."""
    raise NotImplementedError("train")


def synchronizer(device: torch.device):
    """A function of no argument to call before reading the clock: torch.cuda.synchronize(device) for a CUDA
    device (looked up when called), nothing at all for a CPU."""
    raise NotImplementedError("synchronizer")


def benchmark(step_fn, *, warmup_steps: int, timed_steps: int, synchronize) -> float:
    """Seconds per step of step_fn: warmup_steps untimed calls, then synchronize(), time.perf_counter(),
    timed_steps calls, synchronize(), time.perf_counter(); elapsed / timed_steps."""
    raise NotImplementedError("benchmark")


def speedup_report(seconds_per_step: dict, tokens_per_step: int, baseline: str) -> dict:
    """{name: {"seconds_per_step": s, "tokens_per_second": tokens_per_step / s,
               "speedup": seconds_per_step[baseline] / s}} for every configuration name."""
    raise NotImplementedError("speedup_report")
