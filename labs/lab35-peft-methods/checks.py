"""Lab 35 checks (outside the sandbox).

Adapters, prefix attention and the budget formulas are compared with the reference outputs. The training
comparison never trusts a number from the sandbox: it takes each method's trained PEFT weights, loads
them into the lab's base model wrapped by the reference implementation of the same method, and measures
the held-out loss on adjective/animal pairs that never entered the sandbox."""
from __future__ import annotations

import importlib.util
import math
import sys
from pathlib import Path

import numpy as np

from labkit.checks import Verdict, allclose, describe

TOL = dict(rtol=1e-5, atol=1e-5)
MIN_SHARE_OF_REFERENCE_GAIN = 0.5
METHOD_SIZES = {"lora": 4, "adapter": 3, "prefix": 8}  # harness.COMPARISON
METHOD_LABELS = {"lora": "LoRA r=4 (q, v)", "adapter": "adapter m=3 (o, down)", "prefix": "prefix 8 tokens"}


def _module(name: str, path: Path):
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


def _compare(what, got, want, tol=TOL) -> Verdict:
    have, want = np.asarray(got), np.asarray(want)
    if have.shape != want.shape:
        return Verdict(False, f"{what} has shape {have.shape} where {want.shape} was expected", describe(want),
                       describe(have))
    verdict = allclose(have, want, **tol)
    if not verdict.passed:
        verdict.feedback = f"{what}: {verdict.feedback}"
    return verdict


# ------------------------------------------------------------------ adapters

def check_adapter(got, expected, ctx) -> Verdict:
    if not isinstance(got, dict) or "output" not in got:
        return Verdict(False, "no output from BottleneckAdapter")
    init = np.asarray(got["init_output"])
    if init.shape == np.asarray(expected["h"]).shape and not np.allclose(init, expected["h"], **TOL):
        return Verdict(False, "at initialisation the adapter must be the identity (output == h), so the model "
                              "starts as the pre-trained one: initialise up.weight and up.bias to zero",
                       describe(expected["h"]), describe(init))
    return _compare("BottleneckAdapter output h + up(relu(down(h))) with the grader's weights", got["output"],
                    expected["output"])


def check_adapters_hidden(got, expected, ctx) -> Verdict:
    verdict = check_adapter(got, expected, ctx)
    if not verdict.passed:
        return verdict
    mine, ref = ctx.outputs.get("adapted_model"), ctx.reference.get("adapted_model")
    if not isinstance(mine, dict):
        return Verdict(False, "add_adapters on the lab's model failed")
    verdict = _compare(f"logits after add_adapters(model, {ref['bottleneck']}) with the grader's adapter weights",
                       mine["logits"], ref["logits"])
    if not verdict.passed:
        verdict.feedback += " Each adapter goes after o_proj and after down_proj: AdaptedLinear(x) = adapter(base(x))."
        return verdict
    return _check_counts(mine, ref, "add_adapters")


def _check_counts(mine, ref, what) -> Verdict:
    leaked = [n for n in mine["trainable"] if n not in ref["trainable"]]
    if leaked:
        return Verdict(False, f"after {what}, {leaked[0]} is trainable: freeze every pre-trained parameter",
                       expected=f"{ref['actual_count']} trainable", got=str(mine["actual_count"]))
    if mine["actual_count"] != ref["actual_count"] or mine["count"] != ref["actual_count"]:
        return Verdict(False, f"after {what}: {mine['actual_count']} trainable parameters in the model, "
                              f"count_trainable_parameters says {mine['count']}; expected {ref['actual_count']}",
                       expected=str(ref["actual_count"]), got=str(mine["count"]))
    return Verdict(True)


# ------------------------------------------------------------------ prefix tuning

def check_prefix(got, expected, ctx) -> Verdict:
    if not isinstance(got, dict) or "output" not in got:
        return Verdict(False, "no output from PrefixAttention")
    out, changed = np.asarray(got["output"]), np.asarray(got["output_changed"])
    if out.shape == changed.shape and out.ndim == 3 and out.shape[1] > 1:
        leak = np.abs(out[:, :-1] - changed[:, :-1]).max()
        if leak > 1e-5:
            return Verdict(False, f"changing the LAST token changes the outputs of earlier positions (by {leak:.3g}): "
                                  "real tokens must stay causal (query i sees keys j <= i) while every query sees "
                                  "all prefix slots")
    verdict = _compare("PrefixAttention output with the grader's prefixes", out, expected["output"])
    if not verdict.passed and out.shape == np.asarray(expected["output"]).shape:
        verdict.feedback += (" The mask over the n_prefix + seq keys must be True for every prefix column and for "
                             "real key j <= i (shift the causal mask right by n_prefix); scale scores by "
                             "1/sqrt(head_dim), not 1/sqrt(d_model).")
    return verdict


# ------------------------------------------------------------------ budgets

def check_budget(got, expected, ctx) -> Verdict:
    if not isinstance(got, dict) or "formula" not in got:
        return Verdict(False, "no results from the budget functions")
    sizes = expected["sizes"]
    for method, fn in (("lora", "lora_params"), ("adapter", "adapter_params"), ("prefix", "prefix_params")):
        want, mine, actual = expected["formula"][method], got["formula"][method], got["actual"][method]
        if mine != want:
            return Verdict(False, f"{fn}(config, {sizes[method]}) returned {mine}; the model wrapped by the "
                                  f"reference has {want} trainable parameters", expected=str(want), got=str(mine))
        if actual != want:
            return Verdict(False, f"your add_{'adapters' if method == 'adapter' else method} leaves {actual} "
                                  f"trainable parameters where {want} were expected", expected=str(want),
                           got=str(actual))
    if got["matched"] != expected["matched"]:
        return Verdict(False, f"match_budget(config, {expected['budget']}) should pick, for each method, the "
                              "largest size whose trainable count is <= the budget",
                       expected=describe(expected["matched"]), got=describe(got["matched"]))
    return Verdict(True)


# ------------------------------------------------------------------ the training comparison

def _heldout_loss(method: str, weights: dict | None, ctx) -> tuple[float | None, str]:
    import torch

    tinylm = _module("lab35_tinylm", ctx.lab_dir / "data" / "tinylm.py")
    reference = _module("lab35_reference", ctx.lab_dir / "solution.py")
    base = tinylm.load_base(ctx.lab_dir / "data")
    size = METHOD_SIZES[method]
    if weights is None:
        model = base
    else:
        build = {"lora": lambda m: reference.add_lora(m, size, 2.0 * size),
                 "adapter": lambda m: reference.add_adapters(m, size),
                 "prefix": lambda m: reference.add_prefix(m, size)}[method]
        with torch.random.fork_rng():
            model = build(base)  # the initial values are replaced by the student's weights below
        expected_names = {n for n, p in model.named_parameters() if p.requires_grad}
        if set(weights) != expected_names:
            odd = sorted(set(weights) ^ expected_names)
            return None, (f"{METHOD_LABELS[method]}: the trainable tensors after training are not the method's own "
                          f"(e.g. {odd[0]}): only the PEFT parameters may be trainable, named as in the README")
        state = {n: torch.as_tensor(np.asarray(v)) for n, v in weights.items()}
        for name, value in state.items():
            if tuple(value.shape) != tuple(model.get_parameter(name).shape):
                return None, f"{METHOD_LABELS[method]}: {name} has shape {tuple(value.shape)}"
        model.load_state_dict(state, strict=False)
    model.eval()
    with torch.no_grad():
        loss = tinylm.lm_loss(model, tinylm.HouseStyle(ctx.seed).heldout_ids()).item()
    return (loss, "") if math.isfinite(loss) else (None, f"{METHOD_LABELS[method]}: held-out loss is not finite")


def check_comparison(got, expected, ctx) -> Verdict:
    if not isinstance(got, dict) or set(got) != set(METHOD_SIZES):
        return Verdict(False, "no trained weights for the three methods")
    base, _ = _heldout_loss("lora", None, ctx)
    rows, failures = [f"held-out loss: base model {base:.3f}"], []
    for method in METHOD_SIZES:
        losses = got[method].get("losses") or []
        if not losses or not all(math.isfinite(v) for v in losses):
            return Verdict(False, f"{METHOD_LABELS[method]}: fine_tune returned no losses, or NaN / inf ones")
        mine, problem = _heldout_loss(method, got[method]["trainable"], ctx)
        if mine is None:
            return Verdict(False, problem)
        ref, _ = _heldout_loss(method, expected[method]["trainable"], ctx)
        needed = base - MIN_SHARE_OF_REFERENCE_GAIN * (base - ref)
        rows.append(f"{METHOD_LABELS[method]}: yours {mine:.3f}, reference {ref:.3f}, needed <= {needed:.3f}")
        if mine > needed:
            failures.append(METHOD_LABELS[method])
    table = "; ".join(rows)
    if failures:
        return Verdict(False, f"{', '.join(failures)} learned too little of the house style at the {1024}-parameter "
                              f"budget ({table})", got=table)
    return Verdict(True, table)
