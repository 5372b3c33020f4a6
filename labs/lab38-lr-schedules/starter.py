"""Lab 38: learning-rate schedules.

Fill in every TODO. Submit this file as schedules.py.
Plain Python math is all you need (math.cos, math.sqrt); do not import torch.optim.lr_scheduler or
transformers' schedule helpers: the grader compares your numbers with theirs.
"""
from __future__ import annotations

import math


def warmup_cosine_lr(step, base_lr, warmup_steps, total_steps, min_lr_ratio=0.0, num_cycles=0.5):
    """Learning rate (float) at `step` (0 <= step <= total_steps).

    Warmup (step < warmup_steps): base_lr * step / max(1, warmup_steps), rising linearly from 0.
    After it: progress = (step - warmup_steps) / max(1, total_steps - warmup_steps) goes from 0 to 1;
    cosine = 0.5 * (1 + cos(pi * 2 * num_cycles * progress)); the rate is
    base_lr * max(0, min_lr_ratio + (1 - min_lr_ratio) * cosine), so it ends at min_lr_ratio * base_lr.
    """
    raise NotImplementedError("warmup_cosine_lr")


def step_decay_lr(step, base_lr, step_size, gamma):
    """base_lr multiplied by gamma once every step_size steps (a staircase), as torch's StepLR."""
    raise NotImplementedError("step_decay_lr")


def multistep_lr(step, base_lr, milestones, gamma):
    """base_lr multiplied by gamma at each milestone (a sorted list of steps), as torch's MultiStepLR.
    At a milestone step the rate is already the decayed one."""
    raise NotImplementedError("multistep_lr")


def inverse_sqrt_lr(step, base_lr, warmup_steps, timescale=None):
    """Linear warmup as above, then base_lr / sqrt((step + timescale - warmup_steps) / timescale).

    timescale defaults to warmup_steps (or 10_000 when warmup_steps is 0), as transformers'
    get_inverse_sqrt_schedule; the rate is exactly base_lr at step == warmup_steps."""
    raise NotImplementedError("inverse_sqrt_lr")


def one_cycle(step, max_lr, total_steps, pct_start=0.3, anneal_strategy="cos", div_factor=25.0,
              final_div_factor=1e4, three_phase=False, base_momentum=0.85, max_momentum=0.95):
    """(lr, momentum) of the one-cycle policy at `step` (0 <= step < total_steps), as torch's OneCycleLR.

    initial_lr = max_lr / div_factor, min_lr = initial_lr / final_div_factor.
    Two phases: [0, pct_start*total_steps - 1]: lr initial_lr -> max_lr, momentum max_momentum -> base_momentum;
                then up to total_steps - 1: lr max_lr -> min_lr, momentum base_momentum -> max_momentum.
    Three phases: initial_lr -> max_lr (ends pct_start*total_steps - 1), max_lr -> initial_lr (ends
                2*pct_start*total_steps - 2), initial_lr -> min_lr (ends total_steps - 1; momentum stays max).
    Within a phase from step s0 to s1: pct = (step - s0) / (s1 - s0) and
        'cos':    value = end + (start - end) / 2 * (cos(pi * pct) + 1)
        'linear': value = start + (end - start) * pct
    """
    raise NotImplementedError("one_cycle")


class WarmupCosineScheduler:
    """Drives an optimizer's parameter groups with warmup_cosine_lr, like torch's LambdaLR.

    The constructor stores each group's starting rate as group["initial_lr"] (keep one that is already there)
    and sets every group's lr for step 0. step() moves one step on and sets each group's
    lr = warmup_cosine_lr(step, that group's initial_lr, ...). get_last_lr() returns the list of rates just set.
    Use only optimizer.param_groups (a list of dicts with an "lr" key).
    """

    def __init__(self, optimizer, warmup_steps, total_steps, min_lr_ratio=0.0, num_cycles=0.5):
        raise NotImplementedError("WarmupCosineScheduler")

    def step(self):
        raise NotImplementedError("WarmupCosineScheduler.step")

    def get_last_lr(self):
        raise NotImplementedError("WarmupCosineScheduler.get_last_lr")
