"""Lab 37 checks (outside the sandbox).

Initialisers: the statistics of the filled weights (std, mean, bound, Kolmogorov-Smirnov distance to the
target distribution) against the theory, for the shapes and gains the reference run recorded.
Optimizers: the student's parameter trajectory against torch.optim replayed here on the parameters and
gradients the reference run recorded."""
import math

import numpy as np

from labkit.checks import Verdict, allclose, describe

F64_TOL = dict(rtol=1e-9, atol=1e-12)      # float64: only rounding-order differences are harmless
F32_TOL = dict(rtol=1e-5, atol=1e-6)       # float32
FALSE_ALARM = 1e-7                          # chance that a correct initialiser fails one statistical test
_erf = np.frompyfunc(math.erf, 1, 1)


# ----------------------------------------------------------------- fans and gains

def check_fans_and_gains(got, expected, ctx):
    shapes = ctx.shown.get("shapes") or [None] * len(expected["torch_fans"])
    gains = ctx.shown.get("gains") or [None] * len(expected["torch_gains"])
    for shape, have, want in zip(shapes, got["fans"], expected["torch_fans"]):
        if list(have) != list(want):
            call = f"fan_in_and_fan_out({tuple(shape) if shape else '...'})"
            msg = f"{call} returned {tuple(have)} where {tuple(want)} was expected"
            if list(have) == list(want)[::-1]:
                msg += ": fan_in and fan_out are swapped (a weight is (out_features, in_features, *kernel))"
            elif shape and len(shape) > 2:
                msg += ": multiply by the receptive field, the product of the kernel sizes shape[2:]"
            return Verdict(False, msg, describe(want), describe(have))
    for spec, have, want in zip(gains, got["gains"], expected["torch_gains"]):
        if not math.isclose(have, want, rel_tol=1e-12, abs_tol=1e-15):
            label = f"calculate_gain{tuple(spec)}" if spec else "calculate_gain"
            return Verdict(False, f"{label} returned {have!r} where {want!r} was expected", describe(want),
                           describe(have))
    return Verdict(True)


# ----------------------------------------------------------------- distributions

def _fans(shape):
    receptive = math.prod(shape[2:])
    return shape[1] * receptive, shape[0] * receptive


def _torch_gain(nonlinearity, a):
    if nonlinearity == "leaky_relu":
        return math.sqrt(2.0 / (1 + a ** 2))
    return {"relu": math.sqrt(2.0), "tanh": 5.0 / 3, "linear": 1.0}[nonlinearity]


def _cdf(kind, x, scale):
    if kind == "uniform":
        return np.clip((x + scale) / (2 * scale), 0.0, 1.0)
    return 0.5 * (1.0 + _erf(x / (scale * math.sqrt(2.0))).astype(np.float64))


def _distribution_problem(values, kind, std, label):
    """None if `values` look like i.i.d. draws of the target distribution, else what is wrong.

    kind: "uniform" (on [-a, a], a = std * sqrt(3)) or "normal" (mean 0). Thresholds scale with the sample
    size so a correct initialiser fails with probability about FALSE_ALARM."""
    x = np.asarray(values, dtype=np.float64).ravel()
    n = x.size
    if not np.isfinite(x).all():
        return f"{label}: the weights contain NaN or inf"
    kurtosis = 1.8 if kind == "uniform" else 3.0
    z = math.sqrt(2 * math.log(2 / FALSE_ALARM))
    got_std = float(x.std())
    ratio = got_std / std
    if abs(ratio - 1) > max(z * math.sqrt((kurtosis - 1) / (4 * n)), 0.01):
        return (f"{label}: standard deviation {got_std:.5g} where {std:.5g} was expected "
                f"(yours is {ratio:.3f} times the target)")
    if abs(float(x.mean())) > z * std / math.sqrt(n):
        return f"{label}: mean {float(x.mean()):.3g}, but the weights must be centred on 0"
    if kind == "uniform":
        bound = std * math.sqrt(3.0)
        if np.abs(x).max() > bound * (1 + 1e-5):
            return (f"{label}: a value of {float(np.abs(x).max()):.5g} lies outside [-a, a] with "
                    f"a = {bound:.5g}: draw from U(-a, a)")
    scale = std * math.sqrt(3.0) if kind == "uniform" else std
    sorted_x = np.sort(x)
    cdf = _cdf(kind, sorted_x, scale)
    d = max(float((np.arange(1, n + 1) / n - cdf).max()), float((cdf - np.arange(n) / n).max()))
    if d > math.sqrt(math.log(2 / FALSE_ALARM) / (2 * n)):
        other = "normal" if kind == "uniform" else "uniform"
        return (f"{label}: the values do not look {kind}ly distributed (Kolmogorov-Smirnov distance {d:.3f}); "
                f"a {other} distribution, or one that is not i.i.d.?")
    return None


def check_xavier(got, expected, ctx):
    if not isinstance(got, list) or len(got) != len(expected):
        return Verdict(False, "xavier_uniform_ produced no usable weights")
    for have, spec in zip(got, expected):
        shape, gain = tuple(spec["shape"]), spec["gain"]
        fan_in, fan_out = _fans(shape)
        std = gain * math.sqrt(2.0 / (fan_in + fan_out))
        problem = _distribution_problem(have["weight"], "uniform", std,
                                        f"xavier_uniform_(shape {shape}, gain={gain:.4g})")
        if problem:
            return Verdict(False, problem + f". Expected U(-a, a) with a = gain * sqrt(6 / (fan_in + fan_out)) "
                           f"= {std * math.sqrt(3):.5g} (fan_in {fan_in}, fan_out {fan_out}).")
    return Verdict(True)


def check_kaiming(got, expected, ctx):
    if not isinstance(got, list) or len(got) != len(expected):
        return Verdict(False, "kaiming_normal_ produced no usable weights")
    for have, spec in zip(got, expected):
        shape = tuple(spec["shape"])
        fan_in, fan_out = _fans(shape)
        fan = fan_in if spec["mode"] == "fan_in" else fan_out
        gain = _torch_gain(spec["nonlinearity"], spec["a"])
        std = gain / math.sqrt(fan)
        label = (f"kaiming_normal_(shape {shape}, a={spec['a']}, mode={spec['mode']!r}, "
                 f"nonlinearity={spec['nonlinearity']!r})")
        problem = _distribution_problem(have["weight"], "normal", std, label)
        if problem:
            other = fan_out if spec["mode"] == "fan_in" else fan_in
            ratio = float(np.asarray(have["weight"]).std()) / std
            if abs(ratio - math.sqrt(fan / other)) < 0.05 * ratio:
                problem += (f"; that is the std for the other mode: {spec['mode']} is "
                            f"{'shape[1]' if spec['mode'] == 'fan_in' else 'shape[0]'} x receptive field = {fan}")
            return Verdict(False, problem + f". Expected N(0, std^2), std = gain / sqrt({spec['mode']}) = {std:.5g}.")
    return Verdict(True)


def check_gpt2_init(got, expected, ctx):
    if not isinstance(got, dict) or "groups" not in got:
        return Verdict(False, "gpt2_init_ produced no usable model")
    std, n_layer = expected["std"], expected["n_layer"]
    groups = got["groups"]
    for key, value, what in (("bias", 0.0, "Linear biases"), ("ln_weight", 1.0, "LayerNorm weights"),
                             ("ln_bias", 0.0, "LayerNorm biases")):
        arr = np.asarray(groups[key], dtype=np.float64)
        if not np.all(arr == value):
            return Verdict(False, f"{what} must be exactly {value:g}; found {float(arr[arr != value][0]):.4g}")
    residual_std = std / math.sqrt(2 * n_layer)
    for key, target, what in (("linear", std, "c_attn / c_fc weights"), ("embedding", std, "wte / wpe embeddings"),
                              ("residual_proj", residual_std, "c_proj (residual output projection) weights")):
        problem = _distribution_problem(groups[key], "normal", target, f"{what} with std={std}, n_layer={n_layer}")
        if problem:
            if key == "residual_proj":
                ratio = float(np.asarray(groups[key]).std()) / residual_std
                if abs(ratio - math.sqrt(2 * n_layer)) < 0.1 * ratio:
                    problem += "; they are not scaled: use std / sqrt(2 * n_layer) for every c_proj.weight"
                elif abs(ratio - math.sqrt(2)) < 0.1:
                    problem += "; scaled by 1/sqrt(n_layer), but there are 2 residual branches per block"
            return Verdict(False, problem)
    return Verdict(True)


def check_depth_experiment(got, expected, ctx):
    """Kaiming keeps a ReLU stack's activations at a constant scale; Xavier (gain 1) halves their variance per
    layer. Judged on the shape of your profiles, which any correct initialiser reproduces."""
    table = "\n".join(f"{name:>16}: " + " ".join(f"{v:.3g}" for v in values) for name, values in got.items())
    kaiming, xavier = got.get("kaiming_normal_"), got.get("xavier_uniform_")
    if not kaiming or not xavier or not np.all(np.isfinite(kaiming + xavier)) or min(kaiming[0], xavier[0]) <= 0:
        return Verdict(False, "the activations are NaN, inf or all zero after the first layer: are the weights "
                              "filled from the right distribution?", describe(expected), table)
    kaiming_ratio, xavier_ratio = kaiming[-1] / kaiming[0], xavier[-1] / xavier[0]
    if not 0.25 <= kaiming_ratio <= 4.0:
        return Verdict(False, f"with your kaiming_normal_ the activations' std goes from {kaiming[0]:.3g} to "
                              f"{kaiming[-1]:.3g} over {len(kaiming)} ReLU layers (x{kaiming_ratio:.3g}); Kaiming's "
                              "gain sqrt(2) with fan_in keeps it roughly constant", describe(expected), table)
    if not 0.0005 <= xavier_ratio <= 0.05:
        return Verdict(False, f"with your xavier_uniform_ the std changes x{xavier_ratio:.3g} over {len(xavier)} ReLU "
                              "layers; Xavier with gain 1 should lose about half the variance per ReLU layer "
                              f"(x{2 ** (-(len(xavier) - 1) / 2):.3g})", describe(expected), table)
    return Verdict(True)


# ----------------------------------------------------------------- optimizers

def _tol(array):
    return F64_TOL if np.asarray(array).dtype == np.float64 else F32_TOL


def torch_trajectory(run):
    """Replay the recorded parameters and gradients through torch.optim: {"p0": (n_steps, *shape), ...}."""
    import torch

    torch_cls = {"SGD": torch.optim.SGD, "Adam": torch.optim.Adam, "AdamW": torch.optim.AdamW}[run["optimizer"]]
    settings = {k: tuple(v) if k == "betas" else v for k, v in run["settings"].items()}
    params = [torch.nn.Parameter(torch.from_numpy(np.array(p))) for p in run["params"]]
    optimizer = torch_cls(params, **settings)
    snapshots = []
    for step_grads in run["grads"]:
        for p, g in zip(params, step_grads):
            p.grad = None if g is None else torch.from_numpy(np.array(g))
        optimizer.step()
        optimizer.zero_grad()
        snapshots.append([p.detach().numpy().copy() for p in params])
    return {f"p{i}": np.stack([s[i] for s in snapshots]) for i in range(len(params))}


def _compare_run(got, expected, ctx):
    name = expected["optimizer"]
    if not isinstance(got, dict) or "yours" not in got:
        return Verdict(False, f"{name} produced no parameter trajectory")
    for key, want in torch_trajectory(expected).items():
        have = np.asarray(got["yours"].get(key))
        want = np.asarray(want)
        label = f"{name}({expected['settings']}) parameter {key[1:]}"
        if have.shape != want.shape:
            return Verdict(False, f"{label}: shape {have.shape} where {want.shape} was expected")
        if have.dtype != want.dtype:
            return Verdict(False, f"{label} became {have.dtype}; parameters must keep their dtype {want.dtype} "
                                  "(create the state with torch.zeros_like(p))")
        for step in range(want.shape[0]):
            verdict = allclose(have[step], want[step], **_tol(want))
            if not verdict.passed:
                verdict.feedback = (f"{label} after step {step + 1} differs from torch.optim.{name}: "
                                    f"{verdict.feedback}")
                return verdict
    return Verdict(True)


def check_optimizer(got, expected, ctx):
    """One run ({"yours", "torch"}) or several named runs of the same case."""
    if "optimizer" in expected:
        verdict = _compare_run(got, expected, ctx)
        if not verdict.passed and "params" in ctx.shown:
            verdict.feedback += _diagnose_visible_adamw(got, ctx.shown, expected["settings"])
        return verdict
    for key, run in expected.items():
        verdict = _compare_run(got.get(key) if isinstance(got, dict) else None, run, ctx)
        if not verdict.passed:
            verdict.feedback = f"[{key}] {verdict.feedback}"
            return verdict
    return Verdict(True)


def _adam_variant(params, grads_per_step, settings, bias_correction=True, decoupled=True):
    lr, (beta1, beta2), eps, wd = (settings["lr"], settings["betas"], settings["eps"], settings["weight_decay"])
    params = [np.asarray(p, dtype=np.float64).copy() for p in params]
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    for t, grads in enumerate(grads_per_step, start=1):
        for i, g in enumerate(grads):
            g = np.asarray(g, dtype=np.float64)
            if decoupled:
                params[i] *= 1 - lr * wd
            else:
                g = g + wd * params[i]
            m[i] = beta1 * m[i] + (1 - beta1) * g
            v[i] = beta2 * v[i] + (1 - beta2) * g * g
            c1, c2 = (1 - beta1 ** t, 1 - beta2 ** t) if bias_correction else (1.0, 1.0)
            params[i] -= lr * (m[i] / c1) / (np.sqrt(v[i] / c2) + eps)
    return params


def _diagnose_visible_adamw(got, shown, settings):
    """Name the classic AdamW mistakes when the student's final parameters equal one of them."""
    try:
        final = [np.asarray(got["yours"][f"p{i}"])[-1] for i in range(len(shown["params"]))]
    except (KeyError, TypeError, IndexError):
        return ""
    variants = {
        "Adam without bias correction (divide m by 1 - beta1^t and v by 1 - beta2^t)":
            dict(bias_correction=False),
        "Adam with L2 regularisation (weight decay added to the gradient); AdamW decays the weights "
        "directly: p *= 1 - lr * weight_decay, and leaves the gradient alone": dict(decoupled=False),
    }
    for description, flags in variants.items():
        candidate = _adam_variant(shown["params"], shown["grads_per_step"], settings, **flags)
        if all(np.allclose(a, b, rtol=1e-9, atol=1e-12) for a, b in zip(final, candidate)):
            return f" Your result equals {description}."
    return ""
