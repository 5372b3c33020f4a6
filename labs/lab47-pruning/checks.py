"""Lab 47 checks (outside the sandbox).

Masks are compared exactly with the reference's (random float weights have no ties), and a wrong mask is
matched against the usual slips (per layer instead of global, the largest pruned instead of the smallest,
signed values instead of magnitudes, a neuron scored by one side only) so the feedback names the slip. The
pruned models are scored here: sparsity is counted in the returned weights, and accuracy is measured on
held-out inputs drawn with a salt kept in private/ and labelled here by the task's rule: neither the
inputs nor their labels ever enter the sandbox."""
from __future__ import annotations

import importlib.util
import json
import sys
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

import numpy as np

from labkit.checks import Verdict, describe

LAB = Path(__file__).resolve().parent
RETAIN = 0.08            # pruned + fine-tuned accuracy within this of the dense model's
BEHIND_REFERENCE = 0.02  # and within this of the reference's pruned model
MOVEMENT_BEHIND = 0.03
MASK_AGREEMENT = 0.98


@lru_cache(maxsize=1)
def tasks():
    spec = importlib.util.spec_from_file_location("lab47_tasks_checks", LAB / "data" / "tasks.py")
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


# ------------------------------------------------------------------ mask helpers

def _prune_lowest(scores: dict, sparsity: float, scope: str) -> dict:
    """Keep-masks that drop the round(sparsity * n) lowest scores (numpy, stable order)."""
    if scope == "layer":
        return {k: _prune_lowest({k: v}, sparsity, "global")[k] for k, v in scores.items()}
    flat = np.concatenate([np.asarray(v, dtype=np.float64).ravel() for v in scores.values()])
    keep = np.ones(flat.size, dtype=bool)
    keep[np.argsort(flat, kind="stable")[:round(sparsity * flat.size)]] = False
    out, start = {}, 0
    for k, v in scores.items():
        size = np.asarray(v).size
        out[k] = keep[start:start + size].reshape(np.asarray(v).shape)
        start += size
    return out


def _same(a: dict, b: dict) -> bool:
    return all(np.array_equal(np.asarray(a[k], dtype=bool), np.asarray(b[k], dtype=bool)) for k in b)


def _keep(record: dict) -> dict:
    return {k: np.asarray(v["keep"]).astype(bool) for k, v in record.items()}


def _mask_dtype_problem(record: dict, what: str) -> str | None:
    wrong = {k: v["dtype"] for k, v in record.items() if v["dtype"] != "torch.bool"}
    if wrong:
        name, dtype = next(iter(wrong.items()))
        return f"{what}: the mask for {name!r} is {dtype}; return bool tensors (True = keep)"
    return None


def _count_problem(have: dict, sparsity: float, scope: str) -> str | None:
    if scope == "global":
        total = sum(m.size for m in have.values())
        want, pruned = round(sparsity * total), sum(int((~m).sum()) for m in have.values())
        if pruned != want:
            return (f"{pruned} of {total} weights pruned where round({sparsity} * {total}) = {want} was expected "
                    "(scope 'global' counts all tensors together)")
        return None
    for name, m in have.items():
        want, pruned = round(sparsity * m.size), int((~m).sum())
        if pruned != want:
            return (f"{name}: {pruned} of {m.size} weights pruned where round({sparsity} * {m.size}) = {want} was "
                    "expected (scope 'layer' prunes each tensor to the sparsity on its own)")
    return None


def _why_masks_differ(weights: dict, have: dict, sparsity: float, scope: str) -> str:
    w = {k: np.asarray(v, dtype=np.float64) for k, v in weights.items()}
    other = "layer" if scope == "global" else "global"
    slips = [
        (_prune_lowest({k: np.abs(v) for k, v in w.items()}, sparsity, other),
         f"these are the masks for scope {other!r}: with scope {scope!r} "
         + ("rank all tensors' |w| together (one threshold for the whole model)" if scope == "global" else
            "rank each tensor's |w| on its own")),
        (_prune_lowest({k: -np.abs(v) for k, v in w.items()}, sparsity, scope),
         "the LARGEST weights were pruned: prune the lowest |w| and keep the largest"),
        (_prune_lowest(w, sparsity, scope),
         "the most negative weights were pruned: rank by magnitude |w|, not by the signed value"),
    ]
    for masks, message in slips:
        if _same(have, masks):
            return message
    return "the pruned positions are not the weights with the lowest |w|"


# ------------------------------------------------------------------ masks on seeded tensors

def check_masks(got, expected, ctx) -> Verdict:
    if not isinstance(got, dict):
        return Verdict(False, "magnitude_masks returned nothing usable")
    for mine, want in zip(got["results"], expected["results"]):
        where = f"sparsity={want['sparsity']}, scope={want['scope']!r}"
        problem = _mask_dtype_problem(mine["masks"], f"magnitude_masks({where})")
        if problem:
            return Verdict(False, problem)
        have, wanted = _keep(mine["masks"]), _keep(want["masks"])
        problem = _count_problem(have, want["sparsity"], want["scope"])
        if problem is None and not _same(have, wanted):
            problem = _why_masks_differ(expected["weights"], have, want["sparsity"], want["scope"])
        if problem:
            return Verdict(False, f"magnitude_masks({where}): {problem}",
                           describe({k: v.astype(int).tolist() for k, v in wanted.items()}),
                           describe({k: v.astype(int).tolist() for k, v in have.items()}))
    return Verdict(True)


def check_neurons(got, expected, ctx) -> Verdict:
    if not isinstance(got, dict):
        return Verdict(False, "neuron_mask returned nothing usable")
    hidden = expected["shape"][0]
    if got["shape"] != expected["shape"]:
        return Verdict(False, f"neuron_mask returned shape {tuple(got['shape'])} where ({hidden},) was expected: one "
                              f"entry per hidden neuron. w_in is (H, D) = {tuple(np.asarray(expected['w_in']).shape)} "
                              "(nn.Linear stores (out_features, in_features)): neuron h's incoming weights are the "
                              "ROW w_in[h, :], its outgoing weights the COLUMN w_out[:, h]")
    if got["dtype"] != "torch.bool":
        return Verdict(False, f"neuron_mask returned {got['dtype']}; return a bool tensor (True = keep)")
    have, want = np.asarray(got["keep"]).astype(bool), np.asarray(expected["keep"]).astype(bool)
    if int((~have).sum()) != expected["n_prune"]:
        return Verdict(False, f"{int((~have).sum())} neurons pruned where n_prune = {expected['n_prune']}",
                       describe(want.astype(int)), describe(have.astype(int)))
    if not np.array_equal(have, want):
        w_in, w_out = np.asarray(expected["w_in"], dtype=np.float64), np.asarray(expected["w_out"], dtype=np.float64)
        n = expected["n_prune"]
        variants = [(np.linalg.norm(w_in, axis=1), "only the incoming weights were scored: multiply by the norm "
                                                   "of the outgoing column w_out[:, h] too"),
                    (np.linalg.norm(w_out, axis=0), "only the outgoing weights were scored: multiply by the norm of "
                                                    "the incoming row w_in[h, :] too"),
                    (-np.linalg.norm(w_in, axis=1) * np.linalg.norm(w_out, axis=0),
                     "the highest-scored neurons were pruned: drop the n_prune LOWEST scores")]
        why = "score of neuron h = ||w_in[h, :]|| * ||w_out[:, h]|| (L2 norms); prune the n_prune lowest"
        for score, message in variants:
            if np.array_equal(have, _prune_lowest({"s": score}, n / score.size, "global")["s"]):
                why = message
                break
        return Verdict(False, f"the pruned neurons differ: {why}", describe(want.astype(int)), describe(have.astype(int)))
    return Verdict(True)


# ------------------------------------------------------------------ pruned models

def _heldout(ctx, task: str):
    salt = json.loads((ctx.private_dir / "heldout.json").read_text())
    x = tasks().inputs(ctx.seed * 11 + salt["stream_salt"], salt["examples"])
    return x, tasks().labels_for(ctx.seed, task, x)


def _accuracy(weights: dict, settings: dict, x, y) -> float:
    import torch

    model = tasks().build_model(settings, 0)
    model.load_state_dict({k: torch.as_tensor(np.asarray(v, dtype=np.float32)) for k, v in weights.items()})
    with one_thread():
        return tasks().accuracy(model.eval(), x, y)


def _sparsity_problem(weights: dict, keep: dict, stage: str) -> str | None:
    for name, mask in keep.items():
        w = np.asarray(weights[name])
        alive = int((w[~mask] != 0).sum())
        if alive:
            return (f"{stage}, {alive} of the {int((~mask).sum())} pruned weights of {name} are non-zero again: keep "
                    "the masks through training (re-apply them after every optimizer.step(); AdamW's momentum and "
                    "weight decay move zeroed weights)")
    return None


def check_magnitude_training(got, expected, ctx) -> Verdict:
    if not isinstance(got, dict):
        return Verdict(False, "magnitude pruning produced nothing usable")
    problem = _mask_dtype_problem(got["masks"], "magnitude_masks")
    if problem:
        return Verdict(False, problem)
    have, want = _keep(got["masks"]), _keep(expected["masks"])
    if not _same(have, want):
        problem = _count_problem(have, expected["sparsity"], expected["scope"]) or _why_masks_differ(
            {k: expected["dense_weights"][k] for k in want}, have, expected["sparsity"], expected["scope"])
        return Verdict(False, f"magnitude_masks on the trained model: {problem}")
    for name, mask in want.items():
        if got["zeros_after_apply"][name] < int((~mask).sum()):
            return Verdict(False, f"after apply_masks only {got['zeros_after_apply'][name]} weights of {name} are zero "
                                  f"where {int((~mask).sum())} are pruned: multiply each named parameter by its mask "
                                  "in place (under torch.no_grad())")
    problem = _sparsity_problem(got["weights"], want, "after train_pruned")
    if problem:
        return Verdict(False, problem)
    x, y = _heldout(ctx, "A")
    settings = expected["settings"]
    mine = _accuracy(got["weights"], settings, x, y)
    ref = _accuracy(expected["weights"], settings, x, y)
    dense = _accuracy(expected["dense_weights"], settings, x, y)
    oneshot = {k: np.asarray(v) * want[k] if k in want else np.asarray(v) for k, v in expected["dense_weights"].items()}
    before = _accuracy(oneshot, settings, x, y)
    summary = (f"sparsity {expected['sparsity']} ({expected['scope']}); held-out accuracy {mine:.3f} (dense {dense:.3f}, "
               f"pruned before fine-tuning {before:.3f}, reference after fine-tuning {ref:.3f})")
    if mine < ref - BEHIND_REFERENCE or mine < dense - RETAIN:
        return Verdict(False, f"{summary}: more than {BEHIND_REFERENCE} behind the reference or {RETAIN} behind the "
                              "dense model. Fine-tune with the optimizer you are given, rows drawn with the generator",
                       f">= {max(ref - BEHIND_REFERENCE, dense - RETAIN):.3f}", f"{mine:.3f}")
    return Verdict(True, summary)


def check_movement(got, expected, ctx) -> Verdict:
    if not isinstance(got, dict):
        return Verdict(False, "movement_prune produced nothing usable")
    problem = _mask_dtype_problem(got["masks"], "movement_prune")
    if problem:
        return Verdict(False, problem)
    have, want = _keep(got["masks"]), _keep(expected["masks"])
    problem = _count_problem(have, expected["sparsity"], "global")
    if problem:
        return Verdict(False, f"movement_prune: {problem}")
    problem = _sparsity_problem(got["weights"], have, "after movement_prune")
    if problem:
        return Verdict(False, problem)
    total = sum(m.size for m in want.values())
    agree = sum(int((have[k] == want[k]).sum()) for k in want) / total
    if agree < MASK_AGREEMENT:
        why = ("keep the weights with the LARGEST accumulated S = -sum(w * grad) (weights moving away from zero); "
               "not |S|, not |w|, and accumulate after backward() and before optimizer.step()")
        dense = (ctx.reference.get("magnitude_training") or {}).get("dense_weights")
        if dense is not None:
            magnitude = _prune_lowest({k: np.abs(np.asarray(dense[k], dtype=np.float64)) for k in want},
                                      expected["sparsity"], "global")
            if sum(int((have[k] == magnitude[k]).sum()) for k in want) / total > agree:
                why = "your masks look like magnitude masks of the starting weights: score by movement, " + why
        return Verdict(False, f"the movement masks agree with the reference's on {agree:.1%} of the weights "
                              f"(at least {MASK_AGREEMENT:.0%} expected): {why}")
    x, y = _heldout(ctx, "B")
    settings = expected["settings"]
    mine = _accuracy(got["weights"], settings, x, y)
    ref = _accuracy(expected["weights"], settings, x, y)
    summary = f"sparsity {expected['sparsity']}; held-out task-B accuracy {mine:.3f} (reference {ref:.3f})"
    if mine < ref - MOVEMENT_BEHIND:
        return Verdict(False, f"{summary}: more than {MOVEMENT_BEHIND} behind the reference. Fine-tune the second half "
                              "with train_pruned and the same optimizer and generator", f">= {ref - MOVEMENT_BEHIND:.3f}",
                       f"{mine:.3f}")
    return Verdict(True, summary)
