"""Lab 38 harness (inside the sandbox): evaluates the student's schedules on seeded step grids.

Each case returns the configurations it used next to the student's learning rates. checks.py builds the
reference schedulers (transformers' cosine / inverse-sqrt, torch's StepLR / MultiStepLR / OneCycleLR, LambdaLR)
from the reference run's configurations, outside the sandbox."""
from __future__ import annotations

import math
import numbers
import random
from types import SimpleNamespace

from labkit.harness import case

VISIBLE_COSINE = dict(base_lr=1e-3, warmup_steps=10, total_steps=100, min_lr_ratio=0.0, num_cycles=0.5)
VISIBLE_STEP = dict(base_lr=0.1, step_size=30, gamma=0.1, n_steps=100)
VISIBLE_MULTISTEP = dict(base_lr=0.1, milestones=[30, 80], gamma=0.5, n_steps=100)


def _rng(ctx, name):
    """A per-case random stream, so cases do not depend on each other's order."""
    return random.Random(f"{ctx.seed}:{name}")


def _lr(value, what):
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        type_name = type(value).__name__
        raise TypeError(f"{what} must return a float learning rate, got {type_name}"
                        + (" (use .item() or plain Python math)" if type_name == "Tensor" else ""))
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{what} returned {value}: a learning rate must be finite")
    return value


def _curve(fn, name, n_steps, **kwargs):
    args = ", ".join(f"{k}={v!r}" for k, v in kwargs.items())
    return [_lr(fn(step, **kwargs), f"{name}(step={step}, {args})") for step in range(n_steps)]


def _base_lr(rng):
    return round(10 ** rng.uniform(-4.5, -1), 8)


def _cosine_config(rng, min_lr_ratio):
    total = rng.randint(20, 300)
    return dict(base_lr=_base_lr(rng), warmup_steps=rng.randint(0, total // 4), total_steps=total,
                min_lr_ratio=min_lr_ratio, num_cycles=rng.choice([0.5, 0.5, 1.0, 0.25]))


@case
def warmup_cosine(student, ctx):
    if ctx.visible:
        configs = [dict(VISIBLE_COSINE)]
        ctx.show(warmup_cosine=f"warmup_cosine_lr(step, **{VISIBLE_COSINE}) for step = 0 .. 100")
    else:
        rng = _rng(ctx, "warmup_cosine")
        configs = [_cosine_config(rng, 0.0), _cosine_config(rng, round(rng.uniform(0.02, 0.3), 3))]
        configs[0]["warmup_steps"] = max(configs[0]["warmup_steps"], 2)
    return {"configs": configs,
            "lrs": [_curve(student.warmup_cosine_lr, "warmup_cosine_lr", c["total_steps"] + 1, **c) for c in configs]}


@case
def step_decay(student, ctx):
    if ctx.visible:
        step_cfg, multi_cfg = dict(VISIBLE_STEP), dict(VISIBLE_MULTISTEP)
        ctx.show(step_decay=f"step_decay_lr(step, base_lr=0.1, step_size=30, gamma=0.1) and multistep_lr(step, "
                            f"base_lr=0.1, milestones=[30, 80], gamma=0.5) for step = 0 .. 99")
    else:
        rng = _rng(ctx, "step_decay")
        n_steps = rng.randint(60, 300)
        step_cfg = dict(base_lr=_base_lr(rng), step_size=rng.randint(3, n_steps // 3),
                        gamma=round(rng.uniform(0.1, 0.9), 3), n_steps=n_steps)
        milestones = sorted(rng.sample(range(1, n_steps), rng.randint(2, 4)))
        multi_cfg = dict(base_lr=_base_lr(rng), milestones=milestones, gamma=round(rng.uniform(0.1, 0.9), 3),
                         n_steps=n_steps)
    step_args = {k: v for k, v in step_cfg.items() if k != "n_steps"}
    multi_args = {k: (list(v) if k == "milestones" else v) for k, v in multi_cfg.items() if k != "n_steps"}
    return {"step_config": step_cfg, "multistep_config": multi_cfg,
            "step_lrs": _curve(student.step_decay_lr, "step_decay_lr", step_cfg["n_steps"], **step_args),
            "multistep_lrs": _curve(student.multistep_lr, "multistep_lr", multi_cfg["n_steps"], **multi_args)}


@case
def inverse_sqrt(student, ctx):
    rng = _rng(ctx, "inverse_sqrt")
    configs = []
    for explicit_timescale in (False, True):
        warmup = rng.randint(1, 60)
        configs.append(dict(base_lr=_base_lr(rng), warmup_steps=warmup,
                            timescale=rng.randint(warmup + 1, 4 * warmup + 10) if explicit_timescale else None,
                            n_steps=rng.randint(3 * warmup, 6 * warmup) + 10))
    return {"configs": configs,
            "lrs": [_curve(student.inverse_sqrt_lr, "inverse_sqrt_lr", c["n_steps"],
                           **{k: v for k, v in c.items() if k != "n_steps"}) for c in configs]}


def _one_cycle_config(rng, anneal_strategy, three_phase):
    return dict(max_lr=_base_lr(rng), total_steps=rng.randint(20, 300), pct_start=round(rng.uniform(0.1, 0.45), 3),
                anneal_strategy=anneal_strategy, div_factor=rng.choice([10.0, 25.0, 100.0]),
                final_div_factor=rng.choice([1e2, 1e4]), three_phase=three_phase,
                base_momentum=round(rng.uniform(0.8, 0.88), 3), max_momentum=round(rng.uniform(0.9, 0.97), 3))


def _one_cycle_curves(student, configs):
    lrs, momenta = [], []
    for config in configs:
        lr_curve, m_curve = [], []
        for step in range(config["total_steps"]):
            what = f"one_cycle(step={step}, ...)"
            value = student.one_cycle(step, **config)
            if not isinstance(value, (tuple, list)) or len(value) != 2:
                raise TypeError(f"{what} must return a tuple (lr, momentum), got {type(value).__name__}")
            lr_curve.append(_lr(value[0], what + " lr"))
            m_curve.append(_lr(value[1], what + " momentum"))
        lrs.append(lr_curve)
        momenta.append(m_curve)
    return {"configs": configs, "lrs": lrs, "momenta": momenta}


@case
def one_cycle(student, ctx):
    rng = _rng(ctx, "one_cycle")
    return _one_cycle_curves(student, [_one_cycle_config(rng, "cos", False) for _ in range(2)])


@case
def one_cycle_variants(student, ctx):
    rng = _rng(ctx, "one_cycle_variants")
    return _one_cycle_curves(student, [_one_cycle_config(rng, "linear", False), _one_cycle_config(rng, "cos", True),
                                       _one_cycle_config(rng, "linear", True)])


@case
def scheduler_groups(student, ctx):
    """WarmupCosineScheduler on an optimizer-like object with 2-3 parameter groups of different rates."""
    rng = _rng(ctx, "scheduler_groups")
    config = _cosine_config(rng, rng.choice([0.0, round(rng.uniform(0.05, 0.2), 3)]))
    config["warmup_steps"] = max(config["warmup_steps"], 2)
    group_lrs = [_base_lr(rng) for _ in range(rng.randint(2, 3))]
    optimizer = SimpleNamespace(param_groups=[{"lr": lr, "weight_decay": 0.1 * i} for i, lr in enumerate(group_lrs)])
    scheduler = student.WarmupCosineScheduler(optimizer, config["warmup_steps"], config["total_steps"],
                                              min_lr_ratio=config["min_lr_ratio"], num_cycles=config["num_cycles"])
    group_curves, reported = [], []
    for step in range(config["total_steps"] + 1):
        if step:
            scheduler.step()
        current = [_lr(g["lr"], f"param_groups[{i}]['lr'] after {step} scheduler steps")
                   for i, g in enumerate(optimizer.param_groups)]
        last = scheduler.get_last_lr()
        if not isinstance(last, (list, tuple)) or len(last) != len(current):
            raise TypeError(f"get_last_lr() must return a list with one rate per parameter group "
                            f"({len(current)}), got {last!r}")
        group_curves.append(current)
        reported.append([_lr(v, "get_last_lr()") for v in last])
    return {"config": config, "group_lrs": group_lrs, "lrs": group_curves, "reported": reported}
