"""Lab 37 harness (inside the sandbox): runs the student's initialisers and optimizers on seeded inputs.

Initialisers: the filled weights come back and checks.py tests their statistics outside the sandbox.
Optimizers: the student's parameter trajectory comes back with the parameters and gradients it started from;
checks.py replays the reference run's inputs through torch.optim outside the sandbox and compares."""
from __future__ import annotations

import contextlib
import importlib
import math
import numbers
import random

import torch
from torch import nn

from labkit.harness import case

VISIBLE_SHAPES = [(3, 5), (8, 4, 3), (16, 6, 3, 3), (7, 7)]
VISIBLE_GAINS = [("linear", None), ("relu", None), ("tanh", None), ("leaky_relu", 0.2), ("selu", None)]
VISIBLE_XAVIER = dict(shape=[256, 128], gain=1.0)
VISIBLE_PARAMS = [[[0.5, -1.0, 2.0], [1.5, 0.0, -0.5]], [0.1, -0.2, 0.3]]
VISIBLE_GRADS = [
    [[[0.1, -0.2, 0.3], [0.0, 1.0, -1.0]], [0.5, 0.5, -0.5]],
    [[[0.2, -0.1, 0.1], [0.5, 0.5, -0.5]], [0.1, 0.4, -0.2]],
    [[[-0.3, 0.2, 0.0], [0.4, 0.2, -0.6]], [0.0, 0.3, -0.1]],
]
VISIBLE_ADAMW = dict(lr=0.1, betas=[0.9, 0.999], eps=1e-8, weight_decay=0.1)

# What the student's code may not call while it runs: writing these is the lab.
_BLOCKED = {
    torch.nn.init: ["xavier_uniform_", "xavier_normal_", "kaiming_uniform_", "kaiming_normal_",
                    "calculate_gain", "_calculate_fan_in_and_fan_out"],
    importlib.import_module("torch.optim.adam"): ["adam"],
    importlib.import_module("torch.optim.adamw"): ["adamw"],
    importlib.import_module("torch.optim.sgd"): ["sgd"],
}


def _blocked(name):
    def refuse(*args, **kwargs):
        raise RuntimeError(f"{name} is switched off while your code runs in this lab: write the "
                           "initialisation / update rule yourself with tensor operations")
    return refuse


# torch's ready-made optimizers (subclassing the torch.optim.Optimizer base class yourself stays allowed).
_TORCH_OPTIMIZERS = [cls for cls in vars(torch.optim).values() if isinstance(cls, type)
                     and issubclass(cls, torch.optim.Optimizer) and cls is not torch.optim.Optimizer]


@contextlib.contextmanager
def _own_code_only():
    """torch.nn.init's initialisers and torch.optim's optimizers are unavailable inside the block."""
    saved = [(module, attr, getattr(module, attr)) for module, attrs in _BLOCKED.items() for attr in attrs]
    saved += [(cls, "__init__", cls.__dict__["__init__"]) for cls in _TORCH_OPTIMIZERS if "__init__" in cls.__dict__]
    try:
        for module, attr, _ in saved:
            owner = f"torch.optim.{module.__name__}" if isinstance(module, type) else \
                f"torch.{module.__name__.removeprefix('torch.')}.{attr}"
            setattr(module, attr, _blocked(owner))
        yield
    finally:
        for module, attr, original in saved:
            setattr(module, attr, original)


def _rng(ctx, name):
    """A per-case random stream, so cases do not depend on each other's order."""
    return random.Random(f"{ctx.seed}:{name}")


# ----------------------------------------------------------------- initialisation

@case
def fans_and_gains(student, ctx):
    if ctx.visible:
        shapes, gains = VISIBLE_SHAPES, VISIBLE_GAINS
    else:
        rng = _rng(ctx, "fans_and_gains")
        shapes = [tuple(rng.randint(1, 9) for _ in range(rng.randint(2, 5))) for _ in range(6)]
        gains = [("linear", None), ("sigmoid", None), ("tanh", None), ("relu", None), ("selu", None),
                 ("leaky_relu", None), ("leaky_relu", round(rng.uniform(0.05, 0.5), 3))]
    ctx.show(shapes=[list(s) for s in shapes], gains=[list(g) for g in gains])
    with _own_code_only():
        fans = [_fan_pair(student.fan_in_and_fan_out(shape), shape) for shape in shapes]
        mine = [_number(student.calculate_gain(name, param), f"calculate_gain({name!r}, {param})")
                for name, param in gains]
    return {"fans": fans, "gains": mine,
            "torch_fans": [list(nn.init._calculate_fan_in_and_fan_out(torch.empty(s))) for s in shapes],
            "torch_gains": [nn.init.calculate_gain(name, param) for name, param in gains]}


def _fan_pair(value, shape):
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        raise TypeError(f"fan_in_and_fan_out({shape}) must return a tuple (fan_in, fan_out), got {value!r}")
    return [_number(v, f"fan_in_and_fan_out({shape})") for v in value]


def _number(value, what):
    if isinstance(value, torch.Tensor) and value.numel() == 1:
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{what} must return a number, got {type(value).__name__}")
    return int(value) if isinstance(value, numbers.Integral) else float(value)


def _fill(student_fn, what, shape, **kwargs):
    """Call an in-place initialiser on a fresh nn.Parameter full of 7s; return the filled values."""
    weight = nn.Parameter(torch.full(shape, 7.0))
    with _own_code_only():
        result = student_fn(weight, **kwargs)
    if result is not weight:
        raise TypeError(f"{what} must fill the weight in place and return that same tensor "
                        f"(got {type(result).__name__}); e.g. `with torch.no_grad(): return weight.uniform_(-a, a)`")
    if tuple(weight.shape) != tuple(shape) or weight.dtype != torch.float32:
        raise ValueError(f"{what} changed the weight to shape {tuple(weight.shape)} dtype {weight.dtype}; "
                         f"keep shape {tuple(shape)} and dtype float32")
    if (weight.detach() == 7.0).float().mean() > 0.5:
        raise ValueError(f"{what} left the weight's old values in place: fill every entry")
    return weight.detach().clone()


def _conv_or_matrix(rng, conv, ratio_at_least=1.0):
    """A weight shape with 8k-40k entries: (out, in) or (out, in, k[, k]), out/in far from square."""
    while True:
        small = rng.randint(16, 96)
        large = int(small * rng.uniform(ratio_at_least, 3.0))
        out_f, in_f = (small, large) if rng.random() < 0.5 else (large, small)
        shape = (out_f, in_f) + ((rng.choice([3, 5]),) * rng.randint(1, 2) if conv else ())
        if 8192 <= math.prod(shape) <= 40000:
            return shape


@case
def xavier_uniform(student, ctx):
    if ctx.visible:
        specs = [dict(shape=tuple(VISIBLE_XAVIER["shape"]), gain=VISIBLE_XAVIER["gain"])]
        ctx.show(xavier=f"xavier_uniform_(weight of shape {tuple(VISIBLE_XAVIER['shape'])}, gain=1.0)")
    else:
        rng = _rng(ctx, "xavier_uniform")
        specs = [dict(shape=_conv_or_matrix(rng, conv), gain=rng.choice([1.0, 5.0 / 3, math.sqrt(2.0)]))
                 for conv in (False, True)]
    return [dict(spec, shape=list(spec["shape"]),
                 weight=_fill(student.xavier_uniform_, f"xavier_uniform_(shape {spec['shape']})",
                              spec["shape"], gain=spec["gain"]))
            for spec in specs]


@case
def kaiming_normal(student, ctx):
    rng = _rng(ctx, "kaiming_normal")
    out = []
    for conv in (False, True):
        shape = _conv_or_matrix(rng, conv, ratio_at_least=2.0)
        nonlinearity = rng.choice(["relu", "leaky_relu", "linear", "tanh"])
        a = round(rng.uniform(0.05, 0.3), 3) if nonlinearity == "leaky_relu" else 0.0
        mode = rng.choice(["fan_in", "fan_out"])
        weight = _fill(student.kaiming_normal_, f"kaiming_normal_(shape {shape}, mode={mode!r})", shape,
                       a=a, mode=mode, nonlinearity=nonlinearity)
        out.append(dict(shape=list(shape), a=a, mode=mode, nonlinearity=nonlinearity, weight=weight))
    return out


DEPTH, WIDTH, BATCH = 16, 256, 256


@case
def depth_experiment(student, ctx):
    """The classic experiment: the activations' std through 16 Linear(256, 256) + ReLU layers, from unit-variance
    inputs, when every layer is initialised by your kaiming_normal_ (fan_in, relu), your xavier_uniform_, or
    N(0, 0.02^2)."""
    ctx.show(depth_experiment=f"{DEPTH} layers x = relu(x @ W.T), W of shape ({WIDTH}, {WIDTH}), x: {BATCH} "
                              "unit-variance inputs; std of x after every layer")
    gen = torch.Generator().manual_seed(1234)
    inputs = torch.randn(BATCH, WIDTH, generator=gen)
    initialisers = {
        "kaiming_normal_": lambda: _fill(student.kaiming_normal_, "kaiming_normal_", (WIDTH, WIDTH),
                                         mode="fan_in", nonlinearity="relu"),
        "xavier_uniform_": lambda: _fill(student.xavier_uniform_, "xavier_uniform_", (WIDTH, WIDTH), gain=1.0),
        "normal_0.02": lambda: torch.randn(WIDTH, WIDTH, generator=gen) * 0.02,
    }
    profiles = {}
    for name, make_weight in initialisers.items():
        x, stds = inputs, []
        for _ in range(DEPTH):
            x = torch.relu(x @ make_weight().T)
            stds.append(float(x.std()))
        profiles[name] = stds
    return profiles


class Attention(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.c_attn, self.c_proj = nn.Linear(d, 3 * d), nn.Linear(d, d)


class MLP(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.c_fc, self.c_proj = nn.Linear(d, 4 * d), nn.Linear(4 * d, d)


class Block(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.ln_1, self.attn, self.ln_2, self.mlp = nn.LayerNorm(d), Attention(d), nn.LayerNorm(d), MLP(d)


class TinyGPT(nn.Module):
    """The parameter layout of GPT-2 / nanoGPT (only the layout matters here, so there is no forward)."""

    def __init__(self, vocab, block_size, d, n_layer):
        super().__init__()
        self.transformer = nn.ModuleDict(dict(
            wte=nn.Embedding(vocab, d), wpe=nn.Embedding(block_size, d),
            h=nn.ModuleList(Block(d) for _ in range(n_layer)), ln_f=nn.LayerNorm(d)))
        self.lm_head = nn.Linear(d, vocab, bias=False)
        self.lm_head.weight = self.transformer.wte.weight          # weight tying


def _gpt_groups(model):
    """Parameters grouped by the distribution GPT-2 initialisation gives them."""
    groups = {"residual_proj": [], "linear": [], "embedding": [], "bias": [], "ln_weight": [], "ln_bias": []}
    for name, p in model.named_parameters():
        if name.endswith("c_proj.weight"):
            key = "residual_proj"
        elif ".ln_" in name or name.startswith("transformer.ln_f"):
            key = "ln_weight" if name.endswith("weight") else "ln_bias"
        elif name.endswith("bias"):
            key = "bias"
        elif ".wte." in name or ".wpe." in name:
            key = "embedding"
        else:
            key = "linear"
        groups[key].append(p.detach().reshape(-1))
    return {k: torch.cat(v) for k, v in groups.items()}


@case
def gpt2_init(student, ctx):
    rng = _rng(ctx, "gpt2_init")
    n_layer, d = rng.randint(2, 6), rng.choice([32, 48, 64])
    vocab, block, std = rng.randint(96, 160), rng.choice([32, 48]), rng.choice([0.02, 0.01, 0.03])
    model = TinyGPT(vocab, block, d, n_layer)
    with torch.no_grad():
        for p in model.parameters():
            p.fill_(7.0)
    with _own_code_only():
        student.gpt2_init_(model, n_layer, std=std)
    if model.lm_head.weight is not model.transformer.wte.weight:
        raise ValueError("gpt2_init_ broke the weight tying between lm_head and wte: fill existing weights in "
                         "place (weight.normal_(...)) instead of assigning new nn.Parameter objects")
    return dict(n_layer=n_layer, d_model=d, std=std, groups=_gpt_groups(model))


# ----------------------------------------------------------------- optimizers

def _grad_steps(gen, params, n_steps, dtype):
    """Per-step gradients; each tensor gets its own scale 1e-4..10, so eps and bias correction matter."""
    scales = [10 ** (torch.rand((), generator=gen, dtype=torch.float64).item() * 5 - 4) for _ in params]
    return [[(torch.randn(p.shape, generator=gen, dtype=torch.float64) * s).to(dtype)
             for p, s in zip(params, scales)] for _ in range(n_steps)]


def _random_problem(ctx, name, dtype=torch.float64, n_params=3):
    rng = _rng(ctx, name)
    gen = torch.Generator().manual_seed(rng.randrange(2 ** 31))
    shapes = [(rng.randint(2, 6), rng.randint(2, 6)), (rng.randint(2, 8),), (rng.randint(1, 4), 3, 2)][:n_params]
    params = [torch.randn(s, generator=gen, dtype=torch.float64).to(dtype) for s in shapes]
    return rng, params, _grad_steps(gen, params, rng.randint(4, 6), dtype)


def _adam_settings(rng, weight_decay):
    return dict(lr=round(rng.uniform(0.005, 0.08), 4), betas=[round(rng.uniform(0.8, 0.95), 3),
                round(rng.uniform(0.95, 0.999), 4)], eps=rng.choice([1e-8, 1e-6]), weight_decay=weight_decay)


def _run_student(cls, what, params0, grads, settings):
    params = [nn.Parameter(p.clone()) for p in params0]
    with _own_code_only():
        optimizer = cls(params, **_call_settings(settings))
    trajectory = []
    for step, step_grads in enumerate(grads):
        for p, g in zip(params, step_grads):
            p.grad = None if g is None else g.clone()
        before = [p.detach().clone() for p in params]
        with _own_code_only():
            optimizer.step()
        _check_moved(what, step, params, before, step_grads)
        with _own_code_only():
            optimizer.zero_grad()
        stale = [i for i, p in enumerate(params) if p.grad is not None and bool(p.grad.abs().sum() > 0)]
        if stale:
            raise ValueError(f"{what}.zero_grad() left the gradient of parameter {stale[0]} in place: set every "
                             "p.grad to None (or zero it)")
        trajectory.append([p.detach().clone() for p in params])
    return _stack(trajectory)


def _call_settings(settings):
    return {k: tuple(v) if k == "betas" else v for k, v in settings.items()}


def _check_moved(what, step, params, before, step_grads):
    for i, (p, old, g) in enumerate(zip(params, before, step_grads)):
        if p.dtype != old.dtype or p.shape != old.shape:
            raise ValueError(f"{what}.step() changed parameter {i} to shape {tuple(p.shape)} dtype {p.dtype}; "
                             f"it must keep shape {tuple(old.shape)} and dtype {old.dtype}")
        if g is not None and bool(g.abs().sum() > 0) and torch.equal(p.detach(), old):
            raise ValueError(f"{what}.step() did not change parameter {i} at step {step + 1}: update each "
                             "parameter in place (p.add_(...) under torch.no_grad()); `p = p - lr * g` only "
                             "rebinds a local name")


def _stack(trajectory):
    """{"p0": (n_steps, *shape of parameter 0), ...}"""
    return {f"p{i}": torch.stack([snapshot[i] for snapshot in trajectory]) for i in range(len(trajectory[0]))}


def _optimizer_case(student, cls_name, params, grads, settings):
    cls = getattr(student, cls_name, None)
    if cls is None:
        raise AttributeError(f"your file defines no class {cls_name}")
    mine = _run_student(cls, cls_name, params, grads, settings)
    # The inputs travel with the result: checks.py replays them through torch.optim outside the sandbox.
    return {"optimizer": cls_name, "settings": settings, "params": params, "grads": grads, "yours": mine}


@case
def adamw(student, ctx):
    if ctx.visible:
        params = [torch.tensor(p, dtype=torch.float64) for p in VISIBLE_PARAMS]
        grads = [[torch.tensor(g, dtype=torch.float64) for g in step] for step in VISIBLE_GRADS]
        settings = dict(VISIBLE_ADAMW)
        ctx.show(adamw=f"AdamW([w (2, 3), b (3,)], {settings}), 3 steps, float64", params=VISIBLE_PARAMS,
                 grads_per_step=VISIBLE_GRADS)
    else:
        rng, params, grads = _random_problem(ctx, "adamw")
        settings = _adam_settings(rng, round(rng.uniform(0.02, 0.3), 3))
    return _optimizer_case(student, "AdamW", params, grads, settings)


@case
def adam(student, ctx):
    rng, params, grads = _random_problem(ctx, "adam")
    return _optimizer_case(student, "Adam", params, grads,
                           _adam_settings(rng, round(rng.uniform(0.02, 0.3), 3)))


@case
def sgd_momentum(student, ctx):
    rng, params, grads = _random_problem(ctx, "sgd_momentum")
    out = {}
    for nesterov in (False, True):
        settings = dict(lr=round(rng.uniform(0.01, 0.2), 4), momentum=round(rng.uniform(0.5, 0.95), 3),
                        weight_decay=round(rng.uniform(0.01, 0.2), 3), nesterov=nesterov)
        out["nesterov" if nesterov else "classic"] = _optimizer_case(student, "SGD", params,
                                                                     grads, settings)
    return out


@case
def skipped_grads(student, ctx):
    """A frozen parameter (grad always None) and one that gets no gradient at one step."""
    rng, params, grads = _random_problem(ctx, "skipped_grads")
    skipped_step = rng.randint(1, len(grads) - 2)
    for step, step_grads in enumerate(grads):
        step_grads[2] = None
        if step == skipped_step:
            step_grads[1] = None
    out = {}
    for name in ("Adam", "AdamW"):
        out[name] = _optimizer_case(student, name, params, grads,
                                    _adam_settings(rng, round(rng.uniform(0.02, 0.3), 3)))
    return out


@case
def float32_params(student, ctx):
    rng, params, grads = _random_problem(ctx, "float32_params", dtype=torch.float32)
    return {
        "SGD": _optimizer_case(student, "SGD", params, grads,
                               dict(lr=0.05, momentum=0.9, weight_decay=0.01, nesterov=True)),
        "Adam": _optimizer_case(student, "Adam", params, grads, _adam_settings(rng, 0.05)),
        "AdamW": _optimizer_case(student, "AdamW", params, grads, _adam_settings(rng, 0.1)),
    }
