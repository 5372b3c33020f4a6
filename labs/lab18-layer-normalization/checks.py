"""Lab 18 checks (outside the sandbox). The experiment's held-out labels live in private/."""
import math

import numpy as np

from labkit.checks import Verdict, allclose, describe

F64 = dict(rtol=1e-9, atol=1e-12)
F32 = dict(rtol=1e-4, atol=1e-5)
MIN_ACCURACY = 0.55          # chance is 0.25; the reference reaches 0.68-0.88 depending on the seed
MAX_LOSS_RATIO = 0.75        # mean of the last 20 losses vs the first loss


def _tol(expected):
    return F64 if np.asarray(expected).dtype == np.float64 else F32


def _close(label, got, expected):
    if got is None:
        return Verdict(False, f"{label}: nothing returned")
    have, want = np.asarray(got), np.asarray(expected)
    if have.shape != want.shape:
        return Verdict(False, f"{label} has shape {have.shape} where {want.shape} (same as the input) was expected",
                       describe(want), describe(have))
    verdict = allclose(have, want, **_tol(want))
    if not verdict.passed:
        verdict.feedback = f"{label}: {verdict.feedback}"
    return verdict


def _ln_variants(x, w, b, eps):
    mean = x.mean(-1, keepdims=True)
    centred = x - mean
    biased = (centred ** 2).mean(-1, keepdims=True)
    unbiased = (centred ** 2).sum(-1, keepdims=True) / (x.shape[-1] - 1)
    return {
        "the unbiased variance (divide by n-1, torch.var's default); LayerNorm divides by n: use "
        "unbiased=False / correction=0": centred / np.sqrt(unbiased + eps) * w + b,
        "eps added to the standard deviation; torch adds it to the variance, inside the square root":
            centred / (np.sqrt(biased) + eps) * w + b,
        "no weight and bias applied": centred / np.sqrt(biased + eps),
        "a normalisation over the wrong axis (dim 0)":
            (x - x.mean(0)) / np.sqrt(x.var(0) + eps) * w + b,
    }


def _rms_variants(x, w, eps):
    ms = (x ** 2).mean(-1, keepdims=True)
    centred = x - x.mean(-1, keepdims=True)
    return {
        "the mean subtracted first; RMSNorm does not centre, it divides x itself by its root mean square":
            centred / np.sqrt((centred ** 2).mean(-1, keepdims=True) + eps) * w,
        "eps added outside the square root; torch computes x * rsqrt(mean(x^2) + eps)": x / (np.sqrt(ms) + eps) * w,
        "the root of the SUM of squares instead of the mean": x / np.sqrt((x ** 2).sum(-1, keepdims=True) + eps) * w,
        "no weight applied": x / np.sqrt(ms + eps),
    }


def _diagnose(got, variants):
    have = np.asarray(got, dtype=np.float64)
    for description, candidate in variants.items():
        if candidate.shape == have.shape and np.allclose(have, candidate, rtol=1e-7, atol=1e-9):
            return f" Your result equals {description}."
    return ""


def check_ln_small(got, expected, ctx):
    verdict = _close("layer_norm(x, weight, bias, eps=1e-5)", got, expected)
    if not verdict.passed and "x" in ctx.shown:
        x, w, b = (np.asarray(ctx.shown[k], dtype=np.float64) for k in ("x", "weight", "bias"))
        verdict.feedback += _diagnose(got, _ln_variants(x, w, b, 1e-5))
    return verdict


def check_rms_small(got, expected, ctx):
    verdict = _close("rms_norm(x, weight, eps=1e-6)", got, expected)
    if not verdict.passed and "x" in ctx.shown:
        x, w = (np.asarray(ctx.shown[k], dtype=np.float64) for k in ("x", "weight"))
        verdict.feedback += _diagnose(got, _rms_variants(x, w, 1e-6))
    return verdict


def check_random(got, expected, ctx):
    if not isinstance(got, dict):
        return Verdict(False, "no results")
    labels = {"float64": "float64 input", "float32": "float32 input", "no_affine": "weight=None, bias=None",
              "eps_0.1": "eps=0.1"}
    verdicts = (_close(label, got.get(key), expected[key]) for key, label in labels.items())
    return next((verdict for verdict in verdicts if not verdict.passed), Verdict(True))


def check_tiny_variance(got, expected, ctx):
    if not isinstance(got, dict):
        return Verdict(False, "no results")
    for key, where in (("layer_norm", "sqrt(var + eps)"), ("rms_norm", "rsqrt(mean(x^2) + eps)")):
        verdict = _close(f"{key} on an input whose variance is about eps", got.get(key), expected[key])
        if not verdict.passed:
            verdict.feedback += f" eps must sit inside the square root: {where}."
            return verdict
    return Verdict(True)


def check_modules(got, expected, ctx):
    if not isinstance(got, dict):
        return Verdict(False, "no results")
    for name in ("LayerNorm", "RMSNorm"):
        mine, ref = got.get(name) or {}, expected[name]
        for key, label in (("output", "forward output"), ("grad_x", "gradient w.r.t. the input"),
                           ("grad_weight", "gradient w.r.t. weight")):
            if mine.get(key) is None:
                return Verdict(False, f"{name}: no {label}; is the computation detached from autograd "
                                      "(.detach(), .item(), numpy)?")
            verdict = _close(f"{name} {label}", mine[key], ref[key])
            if not verdict.passed:
                return verdict
    return Verdict(True)


def _np_norm(kind, state, prefix, x):
    if kind == "none":
        return x
    if kind == "layernorm":
        mean = x.mean(-1, keepdims=True)
        y = (x - mean) / np.sqrt(((x - mean) ** 2).mean(-1, keepdims=True) + 1e-5)
        return y * state[f"{prefix}.weight"] + state[f"{prefix}.bias"]
    return x / np.sqrt((x ** 2).mean(-1, keepdims=True) + 1e-6) * state[f"{prefix}.weight"]


def _np_mlp(kind, state, x, post_norm=False):
    """The lab's ResidualMLP in numpy: pre-norm blocks x + fc2(relu(fc1(norm(x)))), or post-norm ones."""
    lin = lambda name, v: v @ state[f"{name}.weight"].T + state[f"{name}.bias"]  # noqa: E731
    x = lin("inp", x)
    n_blocks = len({k.split(".")[1] for k in state if k.startswith("blocks.")})
    for i in range(n_blocks):
        b = f"blocks.{i}"
        if post_norm:
            x = _np_norm(kind, state, f"{b}.norm", x + lin(f"{b}.fc2", np.maximum(lin(f"{b}.fc1", x), 0)))
        else:
            x = x + lin(f"{b}.fc2", np.maximum(lin(f"{b}.fc1", _np_norm(kind, state, f"{b}.norm", x)), 0))
    return lin("head", _np_norm(kind, state, "final_norm", x))


def _blocks_problem(got):
    """None when every ResidualMLP is the specified pre-norm network, else what is wrong (in the lab's terms)."""
    for kind in ("none", "layernorm", "rmsnorm"):
        run = (got or {}).get(kind)
        if not run:
            return f"no ResidualMLP(norm={kind!r}) output"
        state = {k: np.asarray(v, dtype=np.float64) for k, v in run["state"].items()}
        x, logits = np.asarray(run["x"], dtype=np.float64), np.asarray(run["logits"], dtype=np.float64)
        want = _np_mlp(kind, state, x)
        if logits.shape == want.shape and np.allclose(logits, want, rtol=1e-7, atol=1e-9):
            continue
        if kind != "none" and logits.shape == want.shape and np.allclose(logits, _np_mlp(kind, state, x, True),
                                                                         rtol=1e-7, atol=1e-9):
            return (f"ResidualMLP(norm={kind!r}) normalises AFTER the residual sum, norm(x + fc2(relu(fc1(x)))): "
                    "that is the post-norm block of the original Transformer. This lab asks for pre-norm, "
                    "x + fc2(relu(fc1(norm(x)))), as in GPT-2 and Llama: the residual path stays un-normalised")
        if kind == "none":
            return ("ResidualMLP(norm='none') does not compute inp -> blocks x + fc2(relu(fc1(x))) -> head: the "
                    "no-norm model must have no normalisation anywhere (make_norm('none') is nn.Identity and nothing "
                    f"else normalises), max difference {np.abs(logits - want).max() if logits.shape == want.shape else 'shape'}")
        return (f"ResidualMLP(norm={kind!r}) with known weights does not give inp -> blocks "
                f"x + fc2(relu(fc1(norm(x)))) -> final_norm -> head (max difference "
                f"{np.abs(logits - want).max() if logits.shape == want.shape else 'in shape'})")
    return None


def check_blocks(got, expected, ctx):
    """The pre-norm residual network, for all three norm kinds (the no-norm model included)."""
    problem = _blocks_problem(got)
    return Verdict(problem is None, problem or "")


def check_experiment(got, expected, ctx):
    """The normalised residual MLPs train stably at a learning rate where the plain one diverges."""
    if not isinstance(got, dict):
        return Verdict(False, "no experiment results")
    if len((got.get("none") or {}).get("losses") or []) != len((expected.get("none") or {}).get("losses") or []):
        return Verdict(False, "the no-norm run (norm='none') did not report one loss per step")
    labels = np.load(ctx.private_dir / "test_labels.npy")
    architecture = _blocks_problem(ctx.outputs.get("blocks"))
    if architecture:
        cause = f"The model itself is not the specified one: {architecture}."
    else:
        cause = ("The model's forward pass matches the specified pre-norm network, so look at train_classifier: "
                 "optimizer.zero_grad() before loss.backward() every step, SGD(lr, momentum=0.9), one optimizer "
                 "step per mini-batch.")
    for norm in ("layernorm", "rmsnorm"):
        result = got.get(norm) or {}
        losses = [float(v) for v in result.get("losses") or []]
        if not losses:
            return Verdict(False, f"{norm}: no training losses")
        bad = next((i for i, v in enumerate(losses) if not math.isfinite(v)), None)
        if bad is not None:
            return Verdict(False, f"{norm}: the training loss became {losses[bad]} at step {bad}: the normalised "
                                  f"model diverged. {cause}")
        tail = sum(losses[-20:]) / 20
        if tail > MAX_LOSS_RATIO * losses[0]:
            return Verdict(False, f"{norm}: the mean loss of the last 20 steps is {tail:.3f}, not below "
                                  f"{MAX_LOSS_RATIO} x the first loss ({losses[0]:.3f}): the model is not learning. "
                                  f"{cause}")
        predictions = result.get("predictions")
        if predictions is None:
            return Verdict(False, f"{norm}: the held-out logits contain NaN or inf")
        predictions = np.asarray(predictions)
        if predictions.shape != labels.shape:
            return Verdict(False, f"{norm}: {predictions.shape[0] if predictions.ndim else 0} held-out predictions, "
                                  f"expected {labels.shape[0]}")
        accuracy = float((predictions == labels).mean())
        if accuracy < MIN_ACCURACY:
            return Verdict(False, f"{norm}: held-out accuracy {accuracy:.3f} is below {MIN_ACCURACY} (chance is 0.25). "
                                  f"{cause}")
    return Verdict(True)
