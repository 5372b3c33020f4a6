"""Lab 30 checks (outside the sandbox).

Exact parts are compared with independent computations here (scikit-learn's 'balanced' class weights,
torch's F.cross_entropy(weight=...), the focal-loss formula in float64). The training checks load the
student's trained weights and measure recall on a held-out set drawn here from a random stream the sandbox
never sees; the bar is the reference's plain (no correction) model on the same held-out set."""
from __future__ import annotations

import importlib.util
import math
import sys
from functools import lru_cache
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.utils.class_weight import compute_class_weight

from labkit.checks import Verdict, allclose, describe

HELDOUT_STREAM = 0x5EC12E7          # held-out draws: a stream of this file's own, never in the sandbox
MIN_RECALL_GAIN = 0.10              # minority recall over the plain model (reference gains: 0.26-0.67)
MIN_BALANCED_GAIN = 0.02            # balanced accuracy over the plain model (reference gains: 0.05-0.25)
CORRECTIONS = ("oversample", "undersample", "weighted", "focal")


# ----------------------------------------------------------------- held-out evaluation

def _data_module(lab_dir: Path):
    name = "lab30_imbalance_data_checks"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, lab_dir / "data" / "imbalance_data.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        sys.modules[name] = module
    return sys.modules[name]


@lru_cache(maxsize=8)
def heldout_set(lab_dir: Path, seed: int):
    data = _data_module(lab_dir)
    return data.sample(data.make_task(seed), data.HELDOUT_SIZE, np.random.default_rng([seed, HELDOUT_STREAM]))


def per_class_recall(model: dict, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    weight = np.asarray(model["weight"], dtype=np.float64)
    bias = np.asarray(model["bias"], dtype=np.float64)
    predictions = (x.astype(np.float64) @ weight.T + bias).argmax(axis=1)
    return np.array([np.mean(predictions[y == c] == c) for c in range(weight.shape[0])])


def _recall_verdict(got, expected, ctx, methods):
    x, y = heldout_set(ctx.lab_dir, ctx.seed)
    minority = int(np.argmin(np.bincount(y)))
    base = per_class_recall(expected["models"]["none"], x, y)
    lines, failures = [], []
    for method in methods:
        model = got["models"][method]
        if not all(np.isfinite(np.asarray(model[k], dtype=np.float64)).all() for k in ("weight", "bias")):
            failures.append(f"{method}: the trained weights contain NaN or inf")
            continue
        recall = per_class_recall(model, x, y)
        lines.append(f"{method}: minority recall {recall[minority]:.2f}, balanced accuracy {recall.mean():.2f}")
        if recall[minority] < base[minority] + MIN_RECALL_GAIN:
            failures.append(f"{method}: minority-class recall {recall[minority]:.2f} is not at least "
                            f"{MIN_RECALL_GAIN} above the plain model's {base[minority]:.2f}")
        elif recall.mean() < base.mean() + MIN_BALANCED_GAIN:
            failures.append(f"{method}: balanced accuracy {recall.mean():.2f} does not beat the plain model's "
                            f"{base.mean():.2f} by {MIN_BALANCED_GAIN}: the minority gain cost the other classes "
                            "too much (predicting the rare class everywhere is not a fix)")
    summary = (f"held-out set of {len(y)} ({np.bincount(y).tolist()} per class); plain model: minority recall "
               f"{base[minority]:.2f}, balanced accuracy {base.mean():.2f}. " + "; ".join(lines))
    if failures:
        return Verdict(False, "; ".join(failures) + ". " + summary,
                       expected=f"minority recall >= {base[minority] + MIN_RECALL_GAIN:.2f} and balanced accuracy "
                                f">= {base.mean() + MIN_BALANCED_GAIN:.2f}", got="; ".join(lines))
    return Verdict(True, summary)


def check_recall_all(got, expected, ctx):
    return _recall_verdict(got, expected, ctx, CORRECTIONS)


def check_recall_resampling(got, expected, ctx):
    return _recall_verdict(got, expected, ctx, ("oversample", "undersample"))


def check_recall_reweighting(got, expected, ctx):
    return _recall_verdict(got, expected, ctx, ("weighted", "focal"))


# ----------------------------------------------------------------- class weights

def check_class_weights(got, expected, ctx):
    labels, k = np.asarray(expected["labels"]), expected["num_classes"]
    want = compute_class_weight("balanced", classes=np.arange(k), y=labels)
    have = np.asarray(got["weights"], dtype=np.float64)
    verdict = allclose(have, want, rtol=1e-5, atol=1e-7)
    if verdict.passed:
        return verdict
    counts = np.bincount(labels, minlength=k).astype(np.float64)
    known = {"proportional to the class frequency (count / n); it must be the inverse": counts / len(labels),
             "1 / count: multiply by n / num_classes so a balanced dataset gets weight 1 everywhere": 1 / counts,
             "n / count: divide by num_classes as well": len(labels) / counts}
    for mistake, values in known.items():
        if have.shape == values.shape and np.allclose(have, values, rtol=1e-5):
            verdict.feedback = f"your weights are {mistake}. " + verdict.feedback
            break
    return verdict


# ----------------------------------------------------------------- resampling

def _same_draws(got, name):
    first, again = np.asarray(got["first"]), np.asarray(got["again"])
    if first.shape != again.shape or not np.array_equal(first, again):
        return Verdict(False, f"{name} gave different indices for two generators with the same seed: draw every "
                              "random number from the generator argument (torch.randint / torch.randperm(..., "
                              "generator=generator))")
    return None


def check_oversample(got, expected, ctx):
    labels, idx = np.asarray(expected["labels"]), np.asarray(got["first"])
    counts = np.bincount(labels)
    target, k = counts.max(), len(counts)
    kept = np.isin(np.arange(len(labels)), idx)
    if not kept.all():
        return Verdict(False, f"sample {int(np.argmin(kept))} is missing: oversampling keeps every original sample "
                              "and only ADDS copies of the smaller classes", got=describe(idx))
    new_counts = np.bincount(labels[idx], minlength=k)
    if not (new_counts == target).all():
        return Verdict(False, f"after oversampling the classes have {new_counts.tolist()} samples; every class "
                              f"should have {target} (the size of the largest class)",
                       expected=str([int(target)] * k), got=str(new_counts.tolist()))
    problem = _same_draws(got, "random_oversample")
    if problem:
        return problem
    if (counts < target).any() and np.array_equal(np.sort(idx), np.sort(np.asarray(got["other"]))):
        return Verdict(False, "generators with different seeds drew exactly the same extra samples: the copies "
                              "of the smaller classes must be drawn at random, with replacement")
    return Verdict(True)


def check_undersample(got, expected, ctx):
    labels, idx = np.asarray(expected["labels"]), np.asarray(got["first"])
    counts = np.bincount(labels)
    target, k = counts.min(), len(counts)
    if len(np.unique(idx)) != len(idx):
        return Verdict(False, "the undersampled indices contain duplicates: draw WITHOUT replacement "
                              "(torch.randperm(count, generator=generator)[:target])", got=describe(idx))
    new_counts = np.bincount(labels[idx], minlength=k)
    if not (new_counts == target).all():
        return Verdict(False, f"after undersampling the classes have {new_counts.tolist()} samples; every class "
                              f"should have {target} (the size of the smallest class)",
                       expected=str([int(target)] * k), got=str(new_counts.tolist()))
    problem = _same_draws(got, "random_undersample")
    if problem:
        return problem
    if (counts > target).any() and np.array_equal(np.sort(idx), np.sort(np.asarray(got["other"]))):
        return Verdict(False, "generators with different seeds kept exactly the same samples: choose the kept "
                              "samples of the larger classes at random")
    return Verdict(True)


# ----------------------------------------------------------------- losses

def _tolerance(logits):
    return dict(rtol=1e-10, atol=1e-12) if np.asarray(logits).dtype == np.float64 else dict(rtol=1e-5, atol=1e-6)


def check_weighted_ce(got, expected, ctx):
    for i, (have, inputs) in enumerate(zip(got, expected)):
        logits = torch.from_numpy(np.asarray(inputs["logits"]))
        targets = torch.from_numpy(np.asarray(inputs["targets"]))
        weights = torch.from_numpy(np.asarray(inputs["weights"])).to(logits.dtype)
        want = float(F.cross_entropy(logits.double(), targets, weight=weights.double()))
        if not math.isclose(have["loss"], want, rel_tol=_tolerance(inputs["logits"])["rtol"] * 10, abs_tol=1e-6):
            nll = F.cross_entropy(logits.double(), targets, reduction="none")
            as_mean = float((weights.double()[targets] * nll).mean())
            hint = (" This is sum(w * nll) / batch_size; divide by the sum of the weights of the batch's targets, "
                    "as F.cross_entropy(weight=...) does." if math.isclose(have["loss"], as_mean, rel_tol=1e-6) else "")
            return Verdict(False, f"call {i + 1} ({logits.dtype}, batch {len(targets)}): loss {have['loss']:.6f} "
                                  f"where {want:.6f} was expected.{hint}", f"{want:.8f}", f"{have['loss']:.8f}")
    return Verdict(True)


def focal_formula(logits, targets, gamma, alpha):
    """The focal loss in float64: mean of -alpha[y] (1 - p_y)^gamma log p_y."""
    logits = torch.from_numpy(np.asarray(logits, dtype=np.float64))
    targets = torch.from_numpy(np.asarray(targets))
    log_pt = torch.log_softmax(logits, dim=-1).gather(1, targets[:, None]).squeeze(1)
    loss = -((-torch.expm1(log_pt)) ** gamma) * log_pt
    if alpha is not None:
        loss = torch.from_numpy(np.asarray(alpha, dtype=np.float64))[targets] * loss
    return float(loss.mean())


def _focal_diagnosis(have, call):
    n = len(call["targets"])
    without_alpha = focal_formula(call["logits"], call["targets"], call["gamma"], None)
    want = focal_formula(call["logits"], call["targets"], call["gamma"], call["alpha"])
    if math.isclose(have, want * n, rel_tol=1e-6):
        return " It equals the SUM over the batch; take the mean."
    if call["alpha"] is not None and math.isclose(have, without_alpha, rel_tol=1e-6):
        return " It equals the loss without alpha: multiply each sample's loss by alpha[target]."
    if math.isclose(have, focal_formula(call["logits"], call["targets"], 0.0, call["alpha"]), rel_tol=1e-6):
        return " It equals plain (alpha-weighted) cross-entropy: the (1 - p_t) ** gamma factor is missing."
    return ""


def check_focal(got, expected, ctx):
    for i, (have, call) in enumerate(zip(got, expected)):
        want = focal_formula(call["logits"], call["targets"], call["gamma"], call["alpha"])
        tol = _tolerance(call["logits"])
        if not math.isfinite(have["loss"]):
            return Verdict(False, f"call {i + 1} (gamma={call['gamma']}): the loss is {have['loss']}. Compute "
                                  "log p_t with log_softmax and p_t = exp(log p_t); log(softmax(x)) gives log(0) = "
                                  "-inf once a probability underflows")
        if not math.isclose(have["loss"], want, rel_tol=tol["rtol"] * 10, abs_tol=tol["atol"] * 10):
            alpha = "None" if call["alpha"] is None else np.round(np.asarray(call["alpha"]), 3).tolist()
            return Verdict(False, f"call {i + 1} (gamma={call['gamma']}, alpha={alpha}): loss {have['loss']:.8f} "
                                  f"where {want:.8f} was expected.{_focal_diagnosis(have['loss'], call)}",
                           f"{want:.8f}", f"{have['loss']:.8f}")
    return Verdict(True)
