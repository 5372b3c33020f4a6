"""Lab 60 harness (inside the sandbox): the student's noise schedule and closed-form forward process on
seeded images, the denoising loss and one reverse step with a fixed random denoiser, the whole sampling
loop with a seeded generator, and a training run whose weights checks.py turns into images (with its own
sampler) and classifies, outside the sandbox."""
from __future__ import annotations

import importlib.util
import random
import sys

import torch

from labkit.harness import case


def _shapes(ctx):
    if "shapes" not in sys.modules:
        spec = importlib.util.spec_from_file_location("shapes", ctx.data_dir / "shapes.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules["shapes"] = module
        spec.loader.exec_module(module)
    return sys.modules["shapes"]


def _rng(ctx, name):
    return random.Random(f"{ctx.seed}:{name}")


def _tensor(value, what: str, shape=None, dtype=None) -> torch.Tensor:
    if not isinstance(value, torch.Tensor):
        raise TypeError(f"{what} must return a torch.Tensor, got {type(value).__name__}")
    if shape is not None and tuple(value.shape) != tuple(shape):
        raise ValueError(f"{what} returned shape {tuple(value.shape)} where {tuple(shape)} was expected")
    if dtype is not None and value.dtype != dtype:
        raise TypeError(f"{what} returned dtype {value.dtype} where {dtype} was expected")
    return value.detach().cpu().clone()


def _schedule(student, T, beta_start, beta_end) -> dict:
    schedule = student.make_schedule(T, beta_start, beta_end)
    if not isinstance(schedule, dict):
        raise TypeError(f"make_schedule must return a dict of tensors, got {type(schedule).__name__}")
    for key in ("betas", "alphas", "alpha_bars", "posterior_variance"):
        if key not in schedule:
            raise KeyError(f"make_schedule's dict has no {key!r} (keys: {sorted(schedule)})")
        _tensor(schedule[key], f"make_schedule()[{key!r}]", shape=(T,))
    return schedule


def _schedule_out(schedule) -> dict:
    return {k: schedule[k].detach().cpu().to(torch.float64).clone()
            for k in ("betas", "alphas", "alpha_bars", "posterior_variance")}


def _model_config(ctx, T) -> dict:
    return {"size": ctx.config["size"], "hidden": 32, "T": T}


# ----------------------------------------------------------------- schedule and forward process

@case
def schedule(student, ctx):
    ctx.show(schedule="make_schedule(T=10, beta_start=1e-4, beta_end=0.02)")
    return _schedule_out(_schedule(student, 10, 1e-4, 0.02))


@case
def forward(student, ctx):
    shapes = _shapes(ctx)
    size = ctx.config["size"]
    if ctx.visible:
        T, beta_start, beta_end, n, dtypes = 10, 1e-4, 0.02, 4, [torch.float32]
        t = torch.tensor([0, 3, 6, 9])
    else:
        rng = _rng(ctx, "forward")
        T, beta_start, beta_end = rng.randint(20, 300), rng.uniform(1e-4, 1e-3), rng.uniform(0.01, 0.3)
        n, dtypes = rng.randint(3, 7), [torch.float32, torch.float64]
        t = torch.tensor([0, T - 1] + [rng.randrange(T) for _ in range(n - 2)])
    sched = _schedule(student, T, beta_start, beta_end)
    x0, labels = shapes.make_images(n, size, ctx.seed)
    noise = torch.randn(x0.shape, generator=torch.Generator().manual_seed(ctx.seed))
    ctx.show(forward=f"make_schedule(T={T}, beta_start={beta_start:.4g}, beta_end={beta_end:.4g}); "
                     f"q_sample(x0 {tuple(x0.shape)} float32 (prompts {[shapes.PROMPTS[i] for i in labels]}), "
                     f"t={t.tolist()}, noise ~ N(0, 1) {tuple(noise.shape)})")
    out = {"T": T, "t": t, "x0": x0, "noise": noise, "schedule": _schedule_out(sched)}
    for dtype in dtypes:
        x_t = student.q_sample(x0.to(dtype), t, noise.to(dtype), sched)
        out[f"x_t_{str(dtype).replace('torch.', '')}"] = _tensor(x_t, "q_sample", shape=x0.shape, dtype=dtype)
    return out


# ----------------------------------------------------------------- loss and one reverse step

def _fixed_model(ctx, T):
    shapes = _shapes(ctx)
    model = shapes.build_model(_model_config(ctx, T), ctx.seed + 1)
    with torch.no_grad():                     # a random model that predicts noise of a sensible size
        model.out.weight.mul_(4.0)
    return model


@case
def loss(student, ctx):
    shapes = _shapes(ctx)
    rng = _rng(ctx, "loss")
    T = rng.randint(20, 100)
    sched = _schedule(student, T, 1e-4, 0.2)
    model = _fixed_model(ctx, T)
    n = rng.randint(4, 9)
    x0, labels = shapes.make_images(n, ctx.config["size"], ctx.seed + 2)
    gen = torch.Generator().manual_seed(ctx.seed + 3)
    t = torch.randint(T, (n,), generator=gen)
    noise = torch.randn(x0.shape, generator=gen)
    value = student.denoising_loss(model, x0, labels, t, noise, sched)
    if not isinstance(value, torch.Tensor) or value.dim() != 0:
        raise TypeError("denoising_loss must return a 0-dim tensor (the mean squared error)")
    has_graph = value.requires_grad
    if has_graph:
        value.backward()
    grads = sum(1 for p in model.parameters() if p.grad is not None and float(p.grad.abs().sum()) > 0)
    with torch.no_grad():                      # for the feedback: what the common wrong losses give
        x_t = ((sched["alpha_bars"][t].sqrt().float().view(-1, 1, 1, 1)) * x0
               + (1 - sched["alpha_bars"][t]).sqrt().float().view(-1, 1, 1, 1) * noise)
        pred = model(x_t, t, labels)
        alternatives = {"x0_target": float(((pred - x0) ** 2).mean()), "sum": float(((pred - noise) ** 2).sum())}
    return {"loss": float(value.detach()), "has_graph": has_graph, "params_with_grad": grads,
            "n_params": len(list(model.parameters())), "alternatives": alternatives}


@case
def reverse(student, ctx):
    shapes = _shapes(ctx)
    rng = _rng(ctx, "reverse")
    T = rng.randint(20, 100)
    sched = _schedule(student, T, rng.uniform(1e-4, 1e-3), rng.uniform(0.05, 0.3))
    model = _fixed_model(ctx, T)
    size = ctx.config["size"]
    gen = torch.Generator().manual_seed(ctx.seed + 4)
    n = rng.randint(3, 6)
    labels = torch.randint(len(shapes.CLASSES), (n,), generator=gen)
    steps = [T - 1, 0, 1] + [rng.randrange(2, T - 1) for _ in range(2)]
    outs = []
    for t in steps:
        x_t = torch.randn((n, 1, size, size), generator=gen)
        z = torch.randn((n, 1, size, size), generator=gen)
        kept = x_t.clone()
        x_prev = student.p_sample_step(model, x_t, t, labels, sched, z)
        if not torch.equal(kept, x_t):
            raise ValueError("p_sample_step changed x_t in place: compute x_{t-1} as a new tensor")
        outs.append(_tensor(x_prev, f"p_sample_step(t={t})", shape=x_t.shape))
    return {"T": T, "steps": steps, "x_prev": torch.stack(outs), "schedule": _schedule_out(sched)}


@case
def sampling(student, ctx):
    shapes = _shapes(ctx)
    rng = _rng(ctx, "sampling")
    T = rng.randint(8, 20)
    sched = _schedule(student, T, 1e-3, rng.uniform(0.1, 0.3))
    model = _fixed_model(ctx, T)
    size = ctx.config["size"]
    labels = torch.tensor([rng.randrange(len(shapes.CLASSES)) for _ in range(rng.randint(3, 6))])
    gen = torch.Generator().manual_seed(ctx.seed + 5)
    x = student.sample(model, labels, sched, (1, size, size), gen)
    return {"T": T, "samples": _tensor(x, "sample", shape=(len(labels), 1, size, size), dtype=torch.float32),
            "generator_state": torch.randn(3, generator=gen)}


# ----------------------------------------------------------------- training (judged outside)

@case
def training(student, ctx):
    shapes = _shapes(ctx)
    config, device = dict(ctx.config), ctx.device
    images, labels = shapes.make_images(config["n_train"], config["size"], ctx.seed)
    model = shapes.build_model(config, ctx.seed).to(device)
    sched = _schedule(student, config["T"], config["beta_start"], config["beta_end"])
    ctx.show(training=f"train_ddpm on {device} ({ctx.size} size): {config['n_train']} images "
                      f"{config['size']}x{config['size']} of {shapes.CLASSES}, Denoiser(hidden={config['hidden']}), "
                      f"T={config['T']}, betas {config['beta_start']}..{config['beta_end']}, {config['steps']} steps "
                      f"of {config['batch_size']}, Adam(lr={config['lr']}); then the grader samples "
                      f"{config['eval_per_prompt']} images per prompt from your weights and classifies them")
    losses = student.train_ddpm(model, images.to(device), labels.to(device), sched, steps=config["steps"],
                                batch_size=config["batch_size"], lr=config["lr"],
                                generator=torch.Generator().manual_seed(ctx.seed))
    if not isinstance(losses, (list, tuple)) or len(losses) != config["steps"]:
        raise TypeError(f"train_ddpm must return one loss per step ({config['steps']} floats)")
    return {"config": config, "losses": [float(v) for v in losses],
            "weights": {n: p.detach().float().cpu().clone() for n, p in model.state_dict().items()}}
