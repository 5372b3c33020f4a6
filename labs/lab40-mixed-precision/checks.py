"""Lab 40 checks (outside the sandbox).

The scaler traces are compared with torch.amp.GradScaler driven through the same gradient sequences in
the reference run (so "equal to the reference" means "equal to PyTorch"): whether each step ran, the
scale before and after, the growth tracker, the parameters, and for scaled_step the gradient norm. The
AMP training run is evaluated here: its float32 weights are loaded into the lab's model and scored on a
held-out stream drawn with a salt kept in private/, which never enters the sandbox."""
from __future__ import annotations

import importlib.util
import json
import math
import sys
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

import numpy as np

from labkit.checks import Verdict, describe

LAB = Path(__file__).resolve().parent
SCALE_RTOL = 1e-6          # the scale is a float32 quantity in GradScaler
PARAMS = dict(rtol=1e-5, atol=1e-6)
HELDOUT_MARGIN = 0.05      # nats behind the reference's held-out loss
AMP_DTYPE_NAMES = {"bf16": "torch.bfloat16", "fp16": "torch.float16"}


@lru_cache(maxsize=1)
def markov():
    spec = importlib.util.spec_from_file_location("lab40_markov", LAB / "data" / "markov.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@contextmanager
def one_thread():
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def _same_number(a, b, rtol) -> bool:
    if a is None or b is None:
        return a is b
    if math.isnan(b):
        return math.isnan(a)
    if math.isinf(b):
        return a == b
    return math.isclose(a, b, rel_tol=rtol, abs_tol=1e-12)


# ------------------------------------------------------------------ scaler traces

def _step_problem(t: int, kind: str, have: dict, want: dict) -> str | None:
    where = f"step {t} (gradients: {kind})"
    if have["stepped"] != want["stepped"]:
        if have["stepped"]:
            return (f"{where}: optimizer.step() ran, but the gradients held inf/nan after unscaling: step() must "
                    "skip the optimizer step when unscale_ found a non-finite gradient")
        return f"{where}: the optimizer step was skipped although every unscaled gradient was finite"
    if not _same_number(have["scale_before"], want["scale_before"], SCALE_RTOL):
        return f"{where}: get_scale() is {have['scale_before']} before the step where {want['scale_before']} was expected"
    if have["norm"] is not None or want["norm"] is not None:
        if not _same_number(have["norm"], want["norm"], 1e-5):
            scaled = want["norm"] is not None and math.isfinite(want["norm"]) and have["norm"] is not None and \
                math.isclose(have["norm"], want["norm"] * want["scale_before"], rel_tol=1e-4)
            return (f"{where}: scaled_step returned the gradient norm {have['norm']} where {want['norm']} was expected"
                    + (": that is the norm of the SCALED gradients; call scaler.unscale_(optimizer) before "
                       "clip_grad_norm_ so the threshold applies to the true gradients" if scaled else
                       ": return what clip_grad_norm_ returns, computed on the unscaled gradients"))
    if not np.allclose(np.asarray(have["params"]), np.asarray(want["params"]), **PARAMS):
        return (f"{where}: the parameters after the step differ although the step ran in both: the optimizer must "
                "see the gradients divided by the scale exactly once (and clipped after unscaling)")
    if not _same_number(have["scale_after"], want["scale_after"], SCALE_RTOL) or \
            have["growth_tracker"] != want["growth_tracker"]:
        rule = ("after an inf/nan step: scale *= backoff_factor and growth_tracker = 0" if not want["stepped"] else
                "after a good step growth_tracker += 1; when it reaches growth_interval: scale *= growth_factor and "
                "growth_tracker = 0")
        return (f"{where}: after update() the scale is {have['scale_after']} with growth_tracker "
                f"{have['growth_tracker']}, where {want['scale_after']} and {want['growth_tracker']} were expected "
                f"({rule})")
    return None


def check_trace(got, expected, ctx) -> Verdict:
    if not isinstance(got, dict):
        return Verdict(False, "the scaler produced no trace")
    mine, want = got["student"], expected["torch"]
    if len(mine) != len(want):
        return Verdict(False, f"{len(mine)} steps traced where {len(want)} were expected")
    for t, (have, wanted) in enumerate(zip(mine, want)):
        problem = _step_problem(t, expected["kinds"][t], have, wanted)
        if problem:
            rows = [f"step {i}: {k}, scale {w['scale_before']:g} -> {w['scale_after']:g}, "
                    f"{'stepped' if w['stepped'] else 'skipped'}" for i, (k, w) in
                    enumerate(zip(expected["kinds"], want))][: t + 1]
            return Verdict(False, problem, "torch.amp.GradScaler: " + "; ".join(rows),
                           f"step {t}: scale {have['scale_before']:g} -> {have['scale_after']:g}, "
                           f"{'stepped' if have['stepped'] else 'skipped'}, growth_tracker {have['growth_tracker']}")
    return Verdict(True)


# ------------------------------------------------------------------ unscale_

def check_unscale(got, expected, ctx) -> Verdict:
    if not isinstance(got, dict):
        return Verdict(False, "unscale_ produced nothing usable")
    close = lambda a, b: a is not None and np.allclose(np.asarray(a), np.asarray(b), rtol=1e-6, atol=1e-7)  # noqa: E731
    if not close(got["scaled_grads"], np.asarray(expected["grads"]) * expected["scale"]):
        return Verdict(False, "after scale(loss).backward() the gradients are not the true gradients times the scale: "
                              "scale(loss) must return loss * get_scale()")
    if not close(got["unscaled_grads"], expected["grads"]):
        return Verdict(False, "after unscale_(optimizer) the gradients are not the true ones: divide every gradient of "
                              "the optimizer's parameters by the scale, in place (p.grad.mul_(1 / scale))",
                       describe(np.asarray(expected["grads"])), describe(np.asarray(got["unscaled_grads"])))
    if got["second_unscale"] != "RuntimeError":
        return Verdict(False, "a second unscale_(optimizer) before update() must raise RuntimeError (as GradScaler "
                              "does): unscaling twice would divide the gradients by the scale twice")
    if not close(got["grads_at_step"], expected["grads"]):
        twice = got["grads_at_step"] is not None and close(got["grads_at_step"],
                                                           np.asarray(expected["grads"]) / expected["scale"])
        return Verdict(False, "the optimizer stepped with gradients that are not the true ones"
                              + (": step() unscaled them again after your unscale_; remember per optimizer that "
                                 "unscale_ already ran and do not unscale twice" if twice else ""))
    if got["nan_stepped"]:
        return Verdict(False, "with a nan gradient the optimizer still stepped: skip optimizer.step()")
    if not close(got["params_after_nan"], got["params_after_step"]):
        return Verdict(False, "a step with a nan gradient changed the parameters: it must be skipped entirely")
    if not _same_number(got["scale_after_nan"], expected["scale"] * 0.5, SCALE_RTOL):
        return Verdict(False, f"after the nan step the scale is {got['scale_after_nan']} where "
                              f"{expected['scale'] * 0.5} (backoff_factor 0.5) was expected")
    if got["skipped_steps"] != 1:
        return Verdict(False, f"skipped_steps is {got['skipped_steps']!r} after one skipped step; count each skipped "
                              "optimizer step")
    disabled = got["disabled"]
    if not (math.isclose(disabled["scaled_loss"], disabled["loss"], rel_tol=1e-7) and disabled["scale"] == 1.0):
        return Verdict(False, "LossScaler(enabled=False) must do nothing: scale(loss) returns loss, get_scale() is 1.0")
    return Verdict(True)


# ------------------------------------------------------------------ autocast

def check_autocast(got, expected, ctx) -> Verdict:
    if not isinstance(got, dict):
        return Verdict(False, "autocast_dtypes returned nothing usable")
    have, want = got["dtypes"], expected["dtypes"]
    if have != want:
        missing = sorted(set(want) - set(have))
        if missing:
            return Verdict(False, f"no dtype for {missing}: hook every leaf module (named_modules() entries without "
                                  "children) and record the dtype of its output", describe(want), describe(have))
        wrong = [k for k in want if have.get(k) != want[k]]
        hint = (" Every output is float32: the forward did not run under torch.autocast(device_type, dtype)"
                if set(have.values()) == {"torch.float32"} else "")
        return Verdict(False, f"{wrong[0]} produced {have.get(wrong[0])} where {want[wrong[0]]} was expected.{hint}",
                       describe(want), describe(have))
    if got["hooks_left"]:
        return Verdict(False, f"{got['hooks_left']} forward hooks are still registered on the model: remove them "
                              "(handle.remove()) before returning, or every later forward pass pays for them")
    if got["autocast_left_on"]:
        return Verdict(False, "autocast is still enabled after autocast_dtypes returned: use it as a context manager")
    return Verdict(True, "; ".join(f"{k}: {v.replace('torch.', '')}" for k, v in have.items()))


# ------------------------------------------------------------------ AMP training

def _heldout(ctx, config) -> tuple:
    salt = json.loads((ctx.private_dir / "heldout.json").read_text())
    return markov().examples(ctx.seed, ctx.seed * 7 + salt["stream_salt"], config, salt["examples"])


def _loss_of(weights: dict, config: dict, contexts, targets) -> float:
    import torch

    model = markov().build_model(config, 0)
    model.load_state_dict({k: torch.as_tensor(np.asarray(v, dtype=np.float32)) for k, v in weights.items()})
    with one_thread():
        return markov().mean_loss(model.eval(), contexts, targets)


def check_training(got, expected, ctx) -> Verdict:
    if not isinstance(got, dict):
        return Verdict(False, "train_amp returned nothing usable")
    config = expected["config"]
    amp_name = AMP_DTYPE_NAMES[config["amp"]]
    if got["param_dtypes"] != ["torch.float32"]:
        return Verdict(False, f"the model's parameters are {got['param_dtypes']} after training: keep float32 master "
                              "weights and let torch.autocast cast per operation (a model cast to bf16/fp16 loses "
                              "the small updates to rounding)")
    if got["seen_dtypes"] != [amp_name]:
        return Verdict(False, f"the hidden layer's outputs during training were {got['seen_dtypes']} where only "
                              f"{amp_name} was expected: run the forward pass and the loss under "
                              f"torch.autocast(device_type, dtype)")
    contexts, targets = _heldout(ctx, config)
    try:
        mine = _loss_of(got["weights"], config, contexts, targets)
    except (KeyError, RuntimeError, ValueError) as exc:
        return Verdict(False, f"the trained weights do not fit the model ({exc})")
    ref = _loss_of(expected["weights"], config, contexts, targets)
    untrained = markov().mean_loss(markov().build_model(config, ctx.seed).eval(), contexts, targets)
    summary = f"held-out loss {mine:.3f} (reference {ref:.3f}, untrained {untrained:.3f})"
    if not (math.isfinite(mine) and mine <= ref + HELDOUT_MARGIN):
        return Verdict(False, f"{summary}: more than {HELDOUT_MARGIN} nats behind the reference. Check that each step "
                              "draws rows with the generator, uses scaled_step (zero_grad, scaled backward, unscale_, "
                              "clip, step, update), and that skipped steps are rare", f"<= {ref + HELDOUT_MARGIN:.3f}",
                       f"{mine:.3f}")
    return Verdict(True, summary)
