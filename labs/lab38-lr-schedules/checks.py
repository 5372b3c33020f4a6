"""Lab 38 checks (outside the sandbox): the student's learning rates against the library schedulers.

References: transformers' get_cosine_schedule_with_warmup / get_cosine_with_min_lr_schedule_with_warmup and
get_inverse_sqrt_schedule, torch's StepLR, MultiStepLR and OneCycleLR, each stepped on a real torch optimizer
with the configuration the reference run recorded."""
import warnings

import numpy as np

from labkit.checks import Verdict

RTOL = 1e-9          # float64 arithmetic: only rounding-order differences (gamma**k vs repeated products) pass


def _optimizer(group_lrs):
    import torch

    groups = [{"params": [torch.zeros(1, requires_grad=True)], "lr": lr} for lr in group_lrs]
    return torch.optim.SGD(groups, lr=group_lrs[0], momentum=0.9)


def _run(scheduler, optimizer, n_steps, read=lambda opt: [g["lr"] for g in opt.param_groups]):
    """The values `read` sees at steps 0 .. n_steps - 1 (the constructor applies step 0)."""
    values = [read(optimizer)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")          # "lr_scheduler.step() before optimizer.step()": no training here
        for _ in range(n_steps - 1):
            scheduler.step()
            values.append(read(optimizer))
    return values


def _cosine_scheduler(optimizer, config):
    from transformers.optimization import (get_cosine_schedule_with_warmup,
                                           get_cosine_with_min_lr_schedule_with_warmup)

    if config["min_lr_ratio"] == 0:
        return get_cosine_schedule_with_warmup(optimizer, config["warmup_steps"], config["total_steps"],
                                               num_cycles=config["num_cycles"])
    return get_cosine_with_min_lr_schedule_with_warmup(optimizer, config["warmup_steps"], config["total_steps"],
                                                       num_cycles=config["num_cycles"],
                                                       min_lr_rate=config["min_lr_ratio"])


def reference_cosine(config, group_lrs=None):
    optimizer = _optimizer(group_lrs or [config["base_lr"]])
    curves = _run(_cosine_scheduler(optimizer, config), optimizer, config["total_steps"] + 1)
    return curves if group_lrs else [row[0] for row in curves]


def reference_inverse_sqrt(config):
    from transformers.optimization import get_inverse_sqrt_schedule

    optimizer = _optimizer([config["base_lr"]])
    scheduler = get_inverse_sqrt_schedule(optimizer, config["warmup_steps"], timescale=config["timescale"])
    return [row[0] for row in _run(scheduler, optimizer, config["n_steps"])]


def reference_step(config, milestones=False):
    from torch.optim import lr_scheduler

    optimizer = _optimizer([config["base_lr"]])
    scheduler = (lr_scheduler.MultiStepLR(optimizer, config["milestones"], gamma=config["gamma"]) if milestones
                 else lr_scheduler.StepLR(optimizer, config["step_size"], gamma=config["gamma"]))
    return [row[0] for row in _run(scheduler, optimizer, config["n_steps"])]


def reference_one_cycle(config):
    from torch.optim import lr_scheduler

    optimizer = _optimizer([config["max_lr"]])
    scheduler = lr_scheduler.OneCycleLR(
        optimizer, max_lr=config["max_lr"], total_steps=config["total_steps"], pct_start=config["pct_start"],
        anneal_strategy=config["anneal_strategy"], cycle_momentum=True, base_momentum=config["base_momentum"],
        max_momentum=config["max_momentum"], div_factor=config["div_factor"],
        final_div_factor=config["final_div_factor"], three_phase=config["three_phase"])
    rows = _run(scheduler, optimizer, config["total_steps"],
                read=lambda opt: (opt.param_groups[0]["lr"], opt.param_groups[0]["momentum"]))
    return [r[0] for r in rows], [r[1] for r in rows]


# ----------------------------------------------------------------- comparisons

def _compare_curve(got, want, label, phase_of=None):
    have, want = np.asarray(got, dtype=np.float64), np.asarray(want, dtype=np.float64)
    if have.shape != want.shape:
        return Verdict(False, f"{label}: {have.size} values where {want.size} were expected")
    atol = 1e-12 * max(float(np.abs(want).max()), 1e-30)
    bad = np.flatnonzero(~np.isclose(have, want, rtol=RTOL, atol=atol))
    if not bad.size:
        return Verdict(True)
    step = int(bad[0])
    where = f" ({phase_of(step)})" if phase_of else ""
    return Verdict(False, f"{label} at step {step}{where} is {have[step]:.10g} where {want[step]:.10g} was expected "
                          f"({bad.size} of {want.size} steps differ)",
                   expected=f"steps {step}..{step + 4}: {np.array2string(want[step:step + 5], precision=8)}",
                   got=f"steps {step}..{step + 4}: {np.array2string(have[step:step + 5], precision=8)}")


def _cosine_phase(config):
    def phase(step):
        if step < config["warmup_steps"]:
            return f"linear warmup, which lasts {config['warmup_steps']} steps"
        if step == config["warmup_steps"]:
            return "the end of warmup: the rate must be exactly base_lr here"
        return f"cosine decay, progress measured from the end of warmup (step {config['warmup_steps']})"
    return phase


def check_warmup_cosine(got, expected, ctx):
    for config, curve in zip(expected["configs"], got["lrs"]):
        verdict = _compare_curve(curve, reference_cosine(config), f"warmup_cosine_lr({config})",
                                 _cosine_phase(config))
        if not verdict.passed:
            return verdict
    return Verdict(True)


def check_step_decay(got, expected, ctx):
    verdict = _compare_curve(got["step_lrs"], reference_step(expected["step_config"]),
                             f"step_decay_lr({expected['step_config']})",
                             lambda step: f"{step // expected['step_config']['step_size']} full periods of "
                                          f"step_size completed: a staircase, gamma ** (step // step_size)")
    if not verdict.passed:
        return verdict
    milestones = expected["multistep_config"]["milestones"]
    return _compare_curve(got["multistep_lrs"], reference_step(expected["multistep_config"], milestones=True),
                          f"multistep_lr({expected['multistep_config']})",
                          lambda step: f"{sum(m <= step for m in milestones)} milestones reached "
                                       f"(a milestone step already has the decayed rate)")


def check_inverse_sqrt(got, expected, ctx):
    for config, curve in zip(expected["configs"], got["lrs"]):
        phase = (lambda c: lambda step: "linear warmup" if step < c["warmup_steps"] else
                 f"inverse-sqrt decay with timescale {c['timescale'] or c['warmup_steps']}")(config)
        verdict = _compare_curve(curve, reference_inverse_sqrt(config), f"inverse_sqrt_lr({config})", phase)
        if not verdict.passed:
            return verdict
    return Verdict(True)


def check_one_cycle(got, expected, ctx):
    for config, lrs, momenta in zip(expected["configs"], got["lrs"], got["momenta"]):
        want_lrs, want_momenta = reference_one_cycle(config)
        warm_end = config["pct_start"] * config["total_steps"] - 1

        def phase(step):
            return ("warm-up phase, lr rising and momentum falling" if step <= warm_end else
                    "annealing phase, lr falling and momentum rising back")
        for label, have, want in (("lr", lrs, want_lrs), ("momentum", momenta, want_momenta)):
            verdict = _compare_curve(have, want, f"one_cycle({config}) {label}", phase)
            if not verdict.passed:
                return verdict
    return Verdict(True)


def check_scheduler_groups(got, expected, ctx):
    config, group_lrs = expected["config"], expected["group_lrs"]
    want = np.asarray(reference_cosine(config, group_lrs))
    have, reported = np.asarray(got["lrs"]), np.asarray(got["reported"])
    if have.shape != want.shape:
        return Verdict(False, f"expected {want.shape[1]} group learning rates over {want.shape[0]} steps")
    for g in range(want.shape[1]):
        verdict = _compare_curve(have[:, g], want[:, g], f"param_groups[{g}]['lr'] (initial lr {group_lrs[g]})",
                                 _cosine_phase(config))
        if not verdict.passed:
            verdict.feedback += (". Each group is scaled from its OWN initial lr, recomputed every step "
                                 "(lr = initial_lr * factor(step)), never multiplied onto the current lr.")
            return verdict
    if not np.allclose(reported, have, rtol=RTOL, atol=0):
        return Verdict(False, "get_last_lr() does not return the rates now set in optimizer.param_groups")
    return Verdict(True)
