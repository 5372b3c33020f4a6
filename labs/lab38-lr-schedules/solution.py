"""Lab 38 reference solution: learning-rate schedules written by hand (linear warmup + cosine, step decay,
inverse square root, one-cycle) and a scheduler that drives an optimizer's parameter groups, matching
transformers' and torch's schedulers."""
from __future__ import annotations

import bisect
import math


def linear_warmup_factor(step, warmup_steps):
    """Multiplier rising linearly from 0 at step 0 to 1 at step warmup_steps."""
    return step / max(1, warmup_steps)


def warmup_cosine_lr(step, base_lr, warmup_steps, total_steps, min_lr_ratio=0.0, num_cycles=0.5):
    """Linear warmup to base_lr, then a cosine from base_lr down to min_lr_ratio * base_lr at total_steps."""
    if step < warmup_steps:
        return base_lr * linear_warmup_factor(step, warmup_steps)
    progress = (step - warmup_steps) / max(1, total_steps - warmup_steps)
    cosine = 0.5 * (1.0 + math.cos(math.pi * num_cycles * 2.0 * progress))
    return base_lr * max(0.0, min_lr_ratio + (1.0 - min_lr_ratio) * cosine)


def step_decay_lr(step, base_lr, step_size, gamma):
    """Multiply the rate by gamma every step_size steps (a staircase)."""
    return base_lr * gamma ** (step // step_size)


def multistep_lr(step, base_lr, milestones, gamma):
    """Multiply the rate by gamma at each milestone step (sorted list)."""
    return base_lr * gamma ** bisect.bisect_right(sorted(milestones), step)


def inverse_sqrt_lr(step, base_lr, warmup_steps, timescale=None):
    """Linear warmup, then base_lr / sqrt((step + timescale - warmup_steps) / timescale)."""
    if timescale is None:
        timescale = warmup_steps or 10_000
    if step < warmup_steps:
        return base_lr * linear_warmup_factor(step, warmup_steps)
    return base_lr / math.sqrt((step + timescale - warmup_steps) / timescale)


def _anneal(start, end, pct, strategy):
    if strategy == "cos":
        return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)
    return (end - start) * pct + start


def one_cycle(step, max_lr, total_steps, pct_start=0.3, anneal_strategy="cos", div_factor=25.0,
              final_div_factor=1e4, three_phase=False, base_momentum=0.85, max_momentum=0.95):
    """(lr, momentum) of the one-cycle policy at `step` (0 <= step < total_steps), as torch's OneCycleLR.

    The rate climbs from max_lr / div_factor to max_lr over the first pct_start of the run while momentum falls
    from max_momentum to base_momentum, then both go back; three_phase adds a separate final annihilation
    phase down to initial_lr / final_div_factor."""
    initial_lr = max_lr / div_factor
    min_lr = initial_lr / final_div_factor
    warm_end = float(pct_start * total_steps) - 1
    if three_phase:
        phases = [(warm_end, initial_lr, max_lr, max_momentum, base_momentum),
                  (float(2 * pct_start * total_steps) - 2, max_lr, initial_lr, base_momentum, max_momentum),
                  (total_steps - 1, initial_lr, min_lr, max_momentum, max_momentum)]
    else:
        phases = [(warm_end, initial_lr, max_lr, max_momentum, base_momentum),
                  (total_steps - 1, max_lr, min_lr, base_momentum, max_momentum)]
    start_step = 0.0
    for i, (end_step, lr_from, lr_to, m_from, m_to) in enumerate(phases):
        if step <= end_step or i == len(phases) - 1:
            pct = (step - start_step) / (end_step - start_step)
            return (_anneal(lr_from, lr_to, pct, anneal_strategy), _anneal(m_from, m_to, pct, anneal_strategy))
        start_step = end_step
    raise AssertionError("unreachable: the last phase always matches")


class WarmupCosineScheduler:
    """Sets every parameter group's lr to warmup_cosine_lr(step, that group's initial lr, ...).

    Like torch's LambdaLR: the constructor records each group's starting lr as "initial_lr" and applies step 0;
    each step() moves one step on. Only optimizer.param_groups is used."""

    def __init__(self, optimizer, warmup_steps, total_steps, min_lr_ratio=0.0, num_cycles=0.5):
        self.optimizer = optimizer
        self.warmup_steps, self.total_steps = warmup_steps, total_steps
        self.min_lr_ratio, self.num_cycles = min_lr_ratio, num_cycles
        for group in optimizer.param_groups:
            group.setdefault("initial_lr", group["lr"])
        self.base_lrs = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_step = 0
        self._apply()

    def step(self):
        self.last_step += 1
        self._apply()

    def get_last_lr(self):
        return list(self._last_lr)

    def _apply(self):
        self._last_lr = [warmup_cosine_lr(self.last_step, base, self.warmup_steps, self.total_steps,
                                          self.min_lr_ratio, self.num_cycles) for base in self.base_lrs]
        for group, lr in zip(self.optimizer.param_groups, self._last_lr):
            group["lr"] = lr
