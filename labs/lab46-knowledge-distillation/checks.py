"""Lab 46 checks (outside the sandbox).

Soft targets and the distillation loss are compared with the reference's on the same inputs (the loss's
value, and its gradient with respect to the student's and the teacher's logits); a wrong loss is matched
against the usual slips (no T^2, KL averaged over the vocabulary too, padding counted, teacher not
softened, KL the wrong way round, alpha on the wrong term) so the feedback names the slip. The
distillation run is scored here: the student's weights and the baseline's (the same small model trained on
the same transfer set without the teacher) are loaded into the lab's model and evaluated on a held-out
stream drawn with a salt kept in private/, which never enters the sandbox."""
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
TOLERANCE = {"torch.float64": dict(rtol=1e-9, atol=1e-12), "torch.float32": dict(rtol=2e-5, atol=1e-6)}
HELDOUT_MARGIN = 0.05      # nats behind the reference's distilled student
BEAT_MARGIN = 0.05         # nats the distilled student must beat the no-teacher baseline by


@lru_cache(maxsize=1)
def markov():
    spec = importlib.util.spec_from_file_location("lab46_markov_checks", LAB / "data" / "markov.py")
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


def _tol(dtype_name: str) -> dict:
    return TOLERANCE.get(dtype_name, TOLERANCE["torch.float32"])


# ------------------------------------------------------------------ soft targets

def check_soft_targets(got, expected, ctx) -> Verdict:
    if not isinstance(got, dict):
        return Verdict(False, "soft_targets returned nothing usable")
    if got["shape"] != expected["shape"]:
        return Verdict(False, f"soft_targets returned shape {tuple(got['shape'])} where {tuple(expected['shape'])} "
                              "(the logits' shape) was expected: normalise over the last dimension only")
    if got["dtype"] != expected["dtype"]:
        return Verdict(False, f"soft_targets returned {got['dtype']} for {expected['dtype']} logits: keep the logits' "
                              "dtype")
    probs, want = np.asarray(got["probs"], dtype=np.float64), np.asarray(expected["probs"], dtype=np.float64)
    if not np.all(np.isfinite(probs)):
        return Verdict(False, "soft_targets produced inf/nan: exp(logits / T) overflows for large logits; subtract the "
                              "row maximum before exponentiating (softmax is unchanged by a shift)",
                       describe(want), describe(probs))
    sums = probs.sum(-1)
    if not np.allclose(sums, 1.0, **_tol(expected["dtype"])):
        worst = np.unravel_index(np.argmax(np.abs(sums - 1.0)), sums.shape)
        return Verdict(False, f"the probabilities of row {tuple(int(i) for i in worst)} sum to {sums[worst]:.6g}, not 1: "
                              "normalise over the last dimension (the vocabulary)", describe(want), describe(probs))
    if not np.allclose(probs, want, **_tol(expected["dtype"])):
        logits, t = np.asarray(expected["logits"], dtype=np.float64), expected["temperature"]
        plain = _softmax(logits)
        times = _softmax(logits * t)
        why = (": these are softmax(logits), the temperature was not applied" if np.allclose(probs, plain, rtol=1e-4)
               else ": these are softmax(logits * T); divide the logits by the temperature" if
               np.allclose(probs, times, rtol=1e-4) else ": expected softmax(logits / temperature)")
        return Verdict(False, f"soft targets differ from softmax(logits / {t}){why}", describe(want), describe(probs))
    return Verdict(True)


def _softmax(x: np.ndarray) -> np.ndarray:
    x = x - x.max(-1, keepdims=True)
    e = np.exp(x)
    return e / e.sum(-1, keepdims=True)


# ------------------------------------------------------------------ the distillation loss

def _log_softmax(x: np.ndarray) -> np.ndarray:
    x = x - x.max(-1, keepdims=True)
    return x - np.log(np.exp(x).sum(-1, keepdims=True))


def _variant_loss(inputs: dict, *, t_squared=True, kl_over_vocab=False, padding_in_kl=False, soften_teacher=True,
                  reversed_kl=False, alpha_swapped=False) -> float:
    """The distillation loss in float64, with one of the usual slips switched on."""
    s = np.asarray(inputs["student"], dtype=np.float64)
    q = np.asarray(inputs["teacher"], dtype=np.float64)
    labels = np.asarray(inputs["labels"]).reshape(-1)
    vocab = s.shape[-1]
    s, q = s.reshape(-1, vocab), q.reshape(-1, vocab)
    keep = labels != -100
    t, alpha = inputs["temperature"], inputs["alpha"]
    hard = -_log_softmax(s[keep])[np.arange(keep.sum()), labels[keep]].mean()
    rows = slice(None) if padding_in_kl else keep
    log_p = _log_softmax(s[rows] / t)
    log_q = _log_softmax(q[rows] / t if soften_teacher else q[rows])
    if reversed_kl:
        per_row = (np.exp(log_p) * (log_p - log_q)).sum(-1)
    else:
        per_row = (np.exp(log_q) * (log_q - log_p)).sum(-1)
    soft = per_row.mean() / (vocab if kl_over_vocab else 1.0)
    if t_squared:
        soft = soft * t * t
    if alpha_swapped:
        alpha = 1.0 - alpha
    return float(alpha * hard + (1.0 - alpha) * soft)


SLIPS = [
    (dict(t_squared=False), "the soft term is not multiplied by T^2 (temperature squared): without it the gradients of "
                            "the soft term shrink as 1/T^2 and the teacher barely counts at high temperature"),
    (dict(kl_over_vocab=True), "the KL term is averaged over the vocabulary too (F.kl_div(..., reduction='mean') "
                               "divides by positions x vocabulary): sum the KL over the vocabulary and average over "
                               "positions ('batchmean')"),
    (dict(padding_in_kl=True), "positions whose label is -100 (padding) are counted in the KL term: drop them from "
                               "both terms and average over the counted positions only"),
    (dict(soften_teacher=False), "the teacher's distribution is not softened: divide the teacher's logits by the "
                                 "temperature too"),
    (dict(reversed_kl=True), "the KL is the wrong way round: it is KL(teacher || student) = sum p_teacher * "
                             "(log p_teacher - log p_student)"),
    (dict(alpha_swapped=True), "alpha weights the wrong term: alpha multiplies the hard-label cross-entropy and "
                               "(1 - alpha) the soft term"),
]


def check_kd_loss(got, expected, ctx) -> Verdict:
    if not isinstance(got, dict):
        return Verdict(False, "distillation_loss returned nothing usable")
    if got["loss_shape"] != []:
        return Verdict(False, f"distillation_loss returned a tensor of shape {tuple(got['loss_shape'])}: it must be a "
                              "0-dim tensor (the mean over the counted positions)")
    want, have = expected["loss"], got["loss"]
    if have is None or not math.isfinite(have):
        return Verdict(False, f"distillation_loss returned {have}", f"{want:.8g}", f"{have}")
    if got["loss_dtype"] != expected["loss_dtype"]:
        return Verdict(False, f"the loss is {got['loss_dtype']} for {expected['student'].dtype} logits: compute it in "
                              f"the logits' dtype ({expected['loss_dtype']})")
    tol = _tol(expected["loss_dtype"])
    if math.isclose(have, want, rel_tol=tol["rtol"], abs_tol=tol["atol"]):
        return Verdict(True, f"loss {have:.6g}")
    for variant, message in SLIPS:
        slip = _variant_loss(expected, **variant)
        if not math.isclose(slip, want, rel_tol=1e-6) and math.isclose(have, slip, rel_tol=1e-4, abs_tol=1e-7):
            return Verdict(False, f"loss {have:.6g} where {want:.6g} was expected: {message}", f"{want:.8g}", f"{have:.8g}")
    return Verdict(False, f"loss {have:.6g} where {want:.6g} was expected: alpha * CE(labels) + (1 - alpha) * T^2 * "
                          "KL(softmax(teacher/T) || softmax(student/T)), both averaged over positions whose label is "
                          "not -100", f"{want:.8g}", f"{have:.8g}")


def check_kd_grad(got, expected, ctx) -> Verdict:
    if not isinstance(got, dict):
        return Verdict(False, "distillation_loss returned nothing usable")
    if got["grad_student"] is None:
        return Verdict(False, "no gradient reached the student's logits: build the loss from them with differentiable "
                              "torch operations (no .item(), .numpy() or .detach() on the student's side)")
    if got["grad_teacher"] is not None and np.any(np.asarray(got["grad_teacher"]) != 0):
        return Verdict(False, "the loss sends gradient into the teacher's logits: detach them (teacher_logits.detach()) "
                              "so that only the student learns")
    have, want = np.asarray(got["grad_student"]), np.asarray(expected["grad_student"])
    if have.shape != want.shape:
        return Verdict(False, f"the gradient has shape {have.shape} where {want.shape} was expected")
    tol = _tol(expected["loss_dtype"])
    if not np.allclose(have, want, rtol=tol["rtol"] * 10, atol=tol["atol"] * 10):
        labels = np.asarray(expected["labels"])
        padded = labels == -100
        hint = (": positions labelled -100 receive gradient; they must count in neither term" if
                np.any(padded) and np.any(np.abs(have[padded]) > 1e-12) else
                ": d loss / d student_logits = [alpha * (softmax(z_s) - onehot) + (1 - alpha) * T * "
                "(softmax(z_s/T) - softmax(z_t/T))] / counted positions")
        return Verdict(False, "the gradient with respect to the student's logits differs from the reference's" + hint,
                       describe(want), describe(have))
    return Verdict(True)


# ------------------------------------------------------------------ the distillation run

def _heldout(ctx, config) -> tuple:
    salt = json.loads((ctx.private_dir / "heldout.json").read_text())
    return markov().examples(ctx.seed, ctx.seed * 7 + salt["stream_salt"], config, salt["examples"])


def _loss_of(weights: dict, config: dict, contexts, targets) -> float:
    import torch

    model = markov().build_student(config, 0)
    model.load_state_dict({k: torch.as_tensor(np.asarray(v, dtype=np.float32)) for k, v in weights.items()})
    with one_thread():
        return markov().mean_loss(model.eval(), contexts, targets)


def check_training(got, expected, ctx) -> Verdict:
    if not isinstance(got, dict):
        return Verdict(False, "distill returned nothing usable")
    config = expected["config"]
    if got["teacher_changed"]:
        return Verdict(False, "the teacher's weights changed during distill: the teacher is frozen (teacher.eval(), "
                              "its forward pass under torch.no_grad(), only the student's parameters in the optimizer)")
    contexts, targets = _heldout(ctx, config)
    try:
        mine = _loss_of(got["weights"], config, contexts, targets)
    except (KeyError, RuntimeError, ValueError) as exc:
        return Verdict(False, f"the student's trained weights do not fit the student model ({exc})")
    ref = _loss_of(expected["weights"], config, contexts, targets)
    baseline = _loss_of(expected["baseline_weights"], config, contexts, targets)
    untrained = markov().mean_loss(markov().build_student(config, ctx.seed).eval(), contexts, targets)
    summary = (f"held-out loss {mine:.3f} (reference distilled {ref:.3f}, same student without the teacher "
               f"{baseline:.3f}, untrained {untrained:.3f})")
    if not math.isfinite(mine) or mine > baseline - BEAT_MARGIN:
        return Verdict(False, f"{summary}: the distilled student does not beat the student trained without the "
                              f"teacher by {BEAT_MARGIN} nats. Each step: the teacher's logits under no_grad, "
                              "distillation_loss(student logits, teacher logits, labels, temperature, alpha), "
                              "backward, optimizer step", f"< {baseline - BEAT_MARGIN:.3f}", f"{mine:.3f}")
    if mine > ref + HELDOUT_MARGIN:
        return Verdict(False, f"{summary}: more than {HELDOUT_MARGIN} nats behind the reference's distilled student. "
                              "Draw the rows of each step with the generator and check the loss (T^2, batchmean)",
                       f"<= {ref + HELDOUT_MARGIN:.3f}", f"{mine:.3f}")
    return Verdict(True, summary)
