"""Lab 43 reference solution: device-agnostic training, synchronised timing and a speed-up report."""
from __future__ import annotations

import contextlib
import time

import torch
import torch.nn.functional as F

from labkit.metrics import log_metrics


def make_train_step(model, optimizer, tokens: torch.Tensor, device: torch.device, *, batch_size: int,
                    seq_len: int, generator: torch.Generator, amp_dtype: torch.dtype | None = None):
    """A function that runs one training step on `device` and returns the loss (a 0-dim tensor, not synced)."""
    device = torch.device(device)
    stream = tokens.to(device)
    offsets = torch.arange(seq_len + 1, device=device)

    def step() -> torch.Tensor:
        starts = torch.randint(len(tokens) - seq_len, (batch_size,), generator=generator).to(device)
        windows = stream[starts[:, None] + offsets]
        autocast = (torch.autocast(device_type=device.type, dtype=amp_dtype) if amp_dtype is not None
                    else contextlib.nullcontext())
        with autocast:
            logits = model(windows[:, :-1])
            loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]).float(), windows[:, 1:].reshape(-1))
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        return loss.detach()
    return step


def train(model, tokens: torch.Tensor, device: torch.device, *, steps: int, batch_size: int, seq_len: int,
          lr: float, generator: torch.Generator) -> list[float]:
    """Move the model to `device`, train it with AdamW for `steps` steps, return the losses."""
    device = torch.device(device)
    model.to(device)
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr)
    step = make_train_step(model, optimizer, tokens, device, batch_size=batch_size, seq_len=seq_len,
                           generator=generator)
    losses = [step() for _ in range(steps)]
    values = torch.stack(losses).tolist()        # one synchronisation at the end, not one per step
    for i, value in enumerate(values):
        log_metrics(i, loss=value)
    return values


def synchronizer(device: torch.device):
    """What to call before reading the clock: wait for the device's queued work (CUDA), nothing on a CPU."""
    device = torch.device(device)
    if device.type == "cuda":
        return lambda: torch.cuda.synchronize(device)
    return lambda: None


def benchmark(step_fn, *, warmup_steps: int, timed_steps: int, synchronize) -> float:
    """Seconds per step: warm-up untimed, then synchronize, clock, timed steps, synchronize, clock."""
    for _ in range(warmup_steps):
        step_fn()
    synchronize()
    started = time.perf_counter()
    for _ in range(timed_steps):
        step_fn()
    synchronize()
    return (time.perf_counter() - started) / timed_steps


def speedup_report(seconds_per_step: dict, tokens_per_step: int, baseline: str) -> dict:
    """Per configuration: seconds per step, tokens per second and speed-up over the baseline."""
    base = seconds_per_step[baseline]
    return {name: {"seconds_per_step": seconds, "tokens_per_second": tokens_per_step / seconds,
                   "speedup": base / seconds}
            for name, seconds in seconds_per_step.items()}
