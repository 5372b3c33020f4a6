"""Lab 60 checks (outside the sandbox).

The schedule, the forward process, the loss, one reverse step and the sampling loop are compared with the
reference run on the same inputs. The training run is judged here: the student's trained weights are
loaded into the lab's Denoiser, the grader's own DDPM sampler (written below, independent of the
student's code) draws images for every prompt with the correct schedule and a generator seeded here, and a
classifier the platform builds itself labels each image: nearest clean shape by cosine similarity over
every position and size the data generator can draw, "no shape" when nothing is similar enough. Nothing
the student's code returns about quality is trusted."""
from __future__ import annotations

import importlib.util
import math
import sys
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

import numpy as np

from labkit.checks import Verdict, describe

LAB = Path(__file__).resolve().parent
RECOGNISED = 0.5       # cosine similarity to the nearest clean shape below which an image is "no shape"
MIN_ACCURACY = 0.7     # fraction of generated images classified as their prompt's shape
SAMPLE_SALT = 7919     # the grader's sampling noise; never the generator the sandbox saw


def tolerance(dtype) -> dict:
    return dict(rtol=1e-10, atol=1e-12) if np.dtype(dtype) == np.float64 else dict(rtol=1e-5, atol=1e-6)


@lru_cache(maxsize=1)
def shapes():
    spec = importlib.util.spec_from_file_location("lab60_shapes", LAB / "data" / "shapes.py")
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


def _first_bad(have: np.ndarray, want: np.ndarray, tol: dict):
    bad = ~np.isclose(have, want, **tol)
    return np.argwhere(bad)[0] if bad.any() else None


# ------------------------------------------------------------------ schedule

SCHEDULE_RULES = {
    "betas": "torch.linspace(beta_start, beta_end, T, dtype=torch.float64)",
    "alphas": "1 - betas",
    "alpha_bars": "the cumulative product of alphas (torch.cumprod), alpha_bars[0] = alphas[0]",
    "posterior_variance": "betas * (1 - alpha_bars_prev) / (1 - alpha_bars) with alpha_bars_prev = "
                          "[1, alpha_bars[:-1]], so posterior_variance[0] = 0",
}


def _schedule_problem(have: dict, want: dict) -> Verdict | None:
    for key, rule in SCHEDULE_RULES.items():
        h, w = np.asarray(have[key], dtype=np.float64), np.asarray(want[key], dtype=np.float64)
        where = _first_bad(h, w, dict(rtol=1e-6, atol=1e-9))
        if where is not None:
            i = int(where[0])
            return Verdict(False, f"{key}[{i}] is {h[i]:.6g} where {w[i]:.6g} was expected: {key} = {rule}",
                           describe(w), describe(h))
    return None


def check_schedule(got, expected, ctx) -> Verdict:
    if not isinstance(got, dict):
        return Verdict(False, "make_schedule returned nothing usable")
    return _schedule_problem(got, expected) or Verdict(True)


# ------------------------------------------------------------------ forward process

def check_forward(got, expected, ctx) -> Verdict:
    if not isinstance(got, dict):
        return Verdict(False, "q_sample returned nothing usable")
    problem = _schedule_problem(got["schedule"], expected["schedule"])
    if problem:
        return problem
    ab = np.asarray(expected["schedule"]["alpha_bars"])[np.asarray(expected["t"])].reshape(-1, 1, 1, 1)
    x0, noise = np.asarray(expected["x0"], np.float64), np.asarray(expected["noise"], np.float64)
    for key in [k for k in expected if k.startswith("x_t_")]:
        have, want = np.asarray(got[key]), np.asarray(expected[key])
        if have.dtype != want.dtype:
            return Verdict(False, f"q_sample on {want.dtype} images returned {have.dtype}: keep the images' dtype")
        where = _first_bad(have, want, tolerance(want.dtype))
        if where is None:
            continue
        b = int(where[0])
        t = int(np.asarray(expected["t"])[b])
        diagnoses = [
            (ab * x0 + (1 - ab) * noise, "x_t = alpha_bar * x0 + (1 - alpha_bar) * noise: take the square roots, "
                                         "x_t = sqrt(alpha_bar_t) * x0 + sqrt(1 - alpha_bar_t) * noise"),
            (np.sqrt(ab) * x0 + np.sqrt(ab) * noise, "the noise is scaled by sqrt(alpha_bar_t); it needs "
                                                      "sqrt(1 - alpha_bar_t)"),
        ]
        alphas = np.asarray(expected["schedule"]["alphas"])[np.asarray(expected["t"])].reshape(-1, 1, 1, 1)
        diagnoses.append((np.sqrt(alphas) * x0 + np.sqrt(1 - alphas) * noise,
                          "that is one step of noise (alphas[t]); the closed form jumps straight from x0 to x_t "
                          "with the cumulative product alpha_bars[t]"))
        prev = np.asarray(expected["schedule"]["alpha_bars"])[np.maximum(np.asarray(expected["t"]) - 1, 0)]
        prev = prev.reshape(-1, 1, 1, 1)
        diagnoses.append((np.sqrt(prev) * x0 + np.sqrt(1 - prev) * noise,
                          "off by one step: index alpha_bars with t itself (t = 0 is the first noising step)"))
        why = next((msg for alt, msg in diagnoses if np.allclose(have, alt, rtol=1e-4, atol=1e-5)),
                   "x_t = sqrt(alpha_bar_t) * x0 + sqrt(1 - alpha_bar_t) * noise, with alpha_bar_t taken per image "
                   "(alpha_bars[t] reshaped to (B, 1, 1, 1))")
        return Verdict(False, f"image {b} (t = {t}, {want.dtype}): x_t differs from the closed-form forward process: "
                              f"{why}", describe(want[b, 0]), describe(have[b, 0]))
    return Verdict(True)


# ------------------------------------------------------------------ loss

def check_loss(got, expected, ctx) -> Verdict:
    if not isinstance(got, dict):
        return Verdict(False, "denoising_loss returned nothing usable")
    have, want = got["loss"], expected["loss"]
    if not math.isclose(have, want, rel_tol=1e-5, abs_tol=1e-7):
        alt = expected["alternatives"]
        why = ("that is the error against x0: the denoiser predicts the NOISE, so the target is `noise`"
               if math.isclose(have, alt["x0_target"], rel_tol=1e-4) else
               "that is the sum of squared errors: take the mean (F.mse_loss)"
               if math.isclose(have, alt["sum"], rel_tol=1e-4) else
               "loss = mean((model(q_sample(x0, t, noise), t, labels) - noise) ** 2)")
        return Verdict(False, f"denoising_loss is {have:.6g} where {want:.6g} was expected: {why}",
                       f"{want:.6g}", f"{have:.6g}")
    if not got["has_graph"] or got["params_with_grad"] < got["n_params"] - 1:
        return Verdict(False, "the loss does not carry gradients to the model's parameters: do not wrap the model call "
                              "in torch.no_grad() or detach the prediction")
    return Verdict(True)


# ------------------------------------------------------------------ reverse step and sampling

def check_reverse(got, expected, ctx) -> Verdict:
    if not isinstance(got, dict):
        return Verdict(False, "p_sample_step returned nothing usable")
    have, want = np.asarray(got["x_prev"]), np.asarray(expected["x_prev"])
    for i, t in enumerate(expected["steps"]):
        if not np.allclose(have[i], want[i], rtol=1e-4, atol=1e-5):
            extra = (" At t = 0 return the mean only: no noise is added at the last step." if t == 0 else
                     " mean = (x_t - beta_t / sqrt(1 - alpha_bar_t) * eps) / sqrt(alpha_t) (alpha_t, not "
                     "alpha_bar_t, under the square root), plus sqrt(posterior_variance[t]) * z")
            return Verdict(False, f"x_(t-1) at t = {t} (T = {expected['T']}) differs from the DDPM reverse step.{extra}",
                           describe(want[i, 0, 0]), describe(have[i, 0, 0]))
    return Verdict(True)


def check_sampling(got, expected, ctx) -> Verdict:
    if not isinstance(got, dict):
        return Verdict(False, "sample returned nothing usable")
    have, want = np.asarray(got["samples"]), np.asarray(expected["samples"])
    if not np.allclose(np.asarray(got["generator_state"]), np.asarray(expected["generator_state"])):
        return Verdict(False, f"sample drew a different amount of noise from the generator than expected for T = "
                              f"{expected['T']}: x_T = randn, then one randn of the batch's shape for every t > 0 "
                              "(none at t = 0), in that order")
    if not np.allclose(have, want, rtol=1e-4, atol=1e-4):
        return Verdict(False, "the samples differ from the reference's with the same model and generator: start from "
                              "x_T = randn(shape, generator), loop t = T-1 .. 0 drawing z before each step with t > 0, "
                              "call p_sample_step, and clamp the result to [-1, 1]", describe(want[0, 0]),
                       describe(have[0, 0]))
    return Verdict(True)


# ------------------------------------------------------------------ generated images, judged here

@lru_cache(maxsize=4)
def _templates(size: int):
    images, labels = shapes().all_variants(size)
    centred = images - images.mean(axis=1, keepdims=True)
    return centred / np.linalg.norm(centred, axis=1, keepdims=True), labels


def classify(images: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """(class id or -1 for "no shape", similarity to the nearest clean shape) per image."""
    templates, labels = _templates(size)
    x = images.reshape(len(images), -1).astype(np.float64)
    x = x - x.mean(axis=1, keepdims=True)
    x = x / (np.linalg.norm(x, axis=1, keepdims=True) + 1e-12)
    similarity = x @ templates.T
    best = similarity.argmax(axis=1)
    score = similarity[np.arange(len(x)), best]
    return np.where(score >= RECOGNISED, labels[best], -1), score


def grader_samples(weights: dict, config: dict, labels, seed: int) -> np.ndarray:
    """The grader's own ancestral DDPM sampler (correct schedule from the config) on the given weights."""
    import torch

    model = shapes().build_model(config, 0)
    model.load_state_dict({k: torch.as_tensor(np.asarray(v, dtype=np.float32)) for k, v in weights.items()})
    model.eval()
    T = config["T"]
    betas = torch.linspace(config["beta_start"], config["beta_end"], T, dtype=torch.float64)
    alphas = 1 - betas
    bars = torch.cumprod(alphas, 0)
    prev = torch.cat([torch.ones(1, dtype=torch.float64), bars[:-1]])
    var = betas * (1 - prev) / (1 - bars)
    gen = torch.Generator().manual_seed(seed * 31 + SAMPLE_SALT)
    labels = torch.as_tensor(labels)
    shape = (len(labels), 1, config["size"], config["size"])
    with torch.no_grad(), one_thread():
        x = torch.randn(shape, generator=gen)
        for t in reversed(range(T)):
            eps = model(x, torch.full((len(labels),), t, dtype=torch.long), labels)
            x = (x - float(betas[t] / (1 - bars[t]).sqrt()) * eps) / float(alphas[t].sqrt())
            if t > 0:
                x = x + float(var[t].sqrt()) * torch.randn(shape, generator=gen)
    return x.clamp(-1, 1).numpy()


def _accuracy(weights, config, seed) -> tuple[float, list[str]]:
    names = shapes().CLASSES
    labels = np.repeat(np.arange(len(names)), config["eval_per_prompt"])
    images = grader_samples(weights, config, labels, seed)
    if not np.isfinite(images).all():
        return 0.0, ["the samples contain nan/inf"]
    pred, score = classify(images, config["size"])
    rows = []
    for c, name in enumerate(names):
        got = pred[labels == c]
        counts = {("no shape" if k < 0 else names[k]): int((got == k).sum()) for k in sorted(set(got.tolist()))}
        rows.append(f"'a {name}' -> " + ", ".join(f"{v} {k}" for k, v in counts.items()))
    return float((pred == labels).mean()), rows


def check_training(got, expected, ctx) -> Verdict:
    if not isinstance(got, dict):
        return Verdict(False, "train_ddpm returned nothing usable")
    config = expected["config"]
    losses = got["losses"]
    if not all(math.isfinite(v) for v in losses):
        return Verdict(False, "the training loss became nan/inf: check the loss and the learning rate")
    try:
        mine, rows = _accuracy(got["weights"], config, ctx.seed)
    except (KeyError, RuntimeError, ValueError) as exc:
        return Verdict(False, f"the trained weights do not fit the lab's Denoiser ({exc})")
    ref, _ = _accuracy(expected["weights"], config, ctx.seed)
    need = min(MIN_ACCURACY, ref - 0.1)
    summary = (f"{mine:.0%} of {len(shapes().CLASSES) * config['eval_per_prompt']} generated images show their "
               f"prompt's shape (reference {ref:.0%}, needed {need:.0%}); " + "; ".join(rows))
    if mine < need:
        first, last = np.mean(losses[: max(1, len(losses) // 10)]), np.mean(losses[-max(1, len(losses) // 10):])
        return Verdict(False, f"{summary}. Your loss went from {first:.3f} to {last:.3f}. Check that each step "
                              "draws fresh t and noise, that the loss compares the prediction with the noise, and "
                              "that make_schedule/q_sample pass their checks", f">= {need:.0%}", f"{mine:.0%}")
    return Verdict(True, summary)
