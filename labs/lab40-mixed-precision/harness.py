"""Lab 40 harness (inside the sandbox): the student's loss scaler on gradient sequences with injected
inf/nan and real fp32 overflows, replayed through torch.amp.GradScaler too (the reference run's trace is
what the student's must equal); unscale_ before clipping; the dtypes autocast gives each layer; and an
AMP training run whose weights checks.py evaluates on held-out data that never enters the sandbox."""
from __future__ import annotations

import importlib.util
import random
import sys

import torch
from torch import nn

from labkit.harness import case

AMP_DTYPES = {"bf16": torch.bfloat16, "fp16": torch.float16}


def _markov(ctx):
    if "markov" not in sys.modules:
        spec = importlib.util.spec_from_file_location("markov", ctx.data_dir / "markov.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules["markov"] = module
        spec.loader.exec_module(module)
    return sys.modules["markov"]


def _rng(ctx, name):
    return random.Random(f"{ctx.seed}:{name}")


class CountingSGD(torch.optim.SGD):
    """Plain SGD that records each real step and the gradients it was given (the grader's view)."""

    def __init__(self, params, lr):
        super().__init__(params, lr=lr)
        self.steps_taken = 0
        self.grads_at_step: list[torch.Tensor] = []

    def step(self, closure=None):
        self.steps_taken += 1
        self.grads_at_step.append(torch.cat([p.grad.detach().flatten().clone() for g in self.param_groups
                                             for p in g["params"]]))
        return super().step(closure)


# ----------------------------------------------------------------- gradient sequences

def _scenario(ctx, name: str) -> dict:
    """Scaler settings and per-step gradients: mostly finite, some with an inf, a nan, or an overflow that
    only the scaled gradient hits (|g| * scale beyond float32's 3.4e38)."""
    if ctx.visible:
        kinds = ["ok", "ok", "inf", "ok", "ok", "ok", "ok", "nan", "ok", "ok"]
        return {"init_scale": 1024.0, "growth_factor": 2.0, "backoff_factor": 0.5, "growth_interval": 3,
                "shapes": [[3], [2, 2]], "kinds": kinds, "max_grad_norm": 1.0}
    rng = _rng(ctx, name)
    steps = rng.randint(12, 20)
    bad = ["inf", "-inf", "nan", "overflow"]
    kinds = [rng.choice(["ok", "ok", "ok", "ok"] + bad) for _ in range(steps)]
    kinds[:3] = [rng.choice(bad), "ok", rng.choice(bad)]     # a bad step while the growth tracker is at 1
    return {"init_scale": float(2 ** rng.randint(8, 20)), "growth_factor": rng.choice([2.0, 4.0, 1.5]),
            "backoff_factor": rng.choice([0.5, 0.25, 0.125]), "growth_interval": rng.randint(2, 4),
            "shapes": [[rng.randint(1, 5)] for _ in range(rng.randint(1, 3))] + [[2, rng.randint(1, 3)]],
            "kinds": kinds, "max_grad_norm": rng.choice([0.5, 1.0, 5.0])}


def _gradients(spec: dict, generator: torch.Generator, rng: random.Random) -> list[list[torch.Tensor]]:
    sequence = []
    for kind in spec["kinds"]:
        grads = [torch.randn(shape, generator=generator) * 3.0 for shape in spec["shapes"]]
        if kind != "ok":
            which = rng.randrange(len(grads))
            flat = grads[which].view(-1)
            flat[rng.randrange(flat.numel())] = {"inf": float("inf"), "-inf": float("-inf"), "nan": float("nan"),
                                                 "overflow": 3.0e38}[kind]
        sequence.append(grads)
    return sequence


def _params(spec: dict, generator: torch.Generator) -> list[nn.Parameter]:
    return [nn.Parameter(torch.randn(shape, generator=generator)) for shape in spec["shapes"]]


def _loss(params, grads) -> torch.Tensor:
    """A loss whose gradient with respect to params[i] is exactly grads[i]."""
    return sum((p * g).sum() for p, g in zip(params, grads))


def _flat(params) -> torch.Tensor:
    return torch.cat([p.detach().flatten().clone() for p in params])


def _run_sequence(make_scaler, get_tracker, spec, sequence, init_params, clip_step):
    """Drive a scaler through the sequence; clip_step(scaler, optimizer, loss, params) or the plain pattern."""
    params = [nn.Parameter(p.detach().clone()) for p in init_params]
    optimizer = CountingSGD(params, lr=0.1)
    scaler = make_scaler(spec)
    trace = []
    for grads in sequence:
        before, steps_before = float(scaler.get_scale()), optimizer.steps_taken
        loss = _loss(params, grads)
        norm = None
        if clip_step is None:
            optimizer.zero_grad(set_to_none=True)
            scaler.scale(loss).backward()
            scaler.step(optimizer)
            scaler.update()
        else:
            norm = clip_step(scaler, optimizer, loss, params)
        trace.append({"scale_before": before, "stepped": optimizer.steps_taken > steps_before,
                      "scale_after": float(scaler.get_scale()), "growth_tracker": int(get_tracker(scaler)),
                      "params": _flat(params), "norm": norm})
    return trace


def _torch_scaler(spec):
    return torch.amp.GradScaler("cpu", init_scale=spec["init_scale"], growth_factor=spec["growth_factor"],
                                backoff_factor=spec["backoff_factor"], growth_interval=spec["growth_interval"])


def _torch_clip_step(max_norm):
    def step(scaler, optimizer, loss, params):
        optimizer.zero_grad(set_to_none=True)
        scaler.scale(loss).backward()
        scaler.unscale_(optimizer)
        norm = torch.nn.utils.clip_grad_norm_(params, max_norm)
        scaler.step(optimizer)
        scaler.update()
        return float(norm)
    return step


def _student_scaler(student):
    def make(spec):
        return student.LossScaler(init_scale=spec["init_scale"], growth_factor=spec["growth_factor"],
                                  backoff_factor=spec["backoff_factor"], growth_interval=spec["growth_interval"])
    return make


def _student_tracker(scaler) -> int:
    value = getattr(scaler, "growth_tracker", None)
    if isinstance(value, torch.Tensor):
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"LossScaler.growth_tracker must be an int (successful steps in a row), got {value!r}")
    return value


def _student_clip_step(student, max_norm):
    def step(scaler, optimizer, loss, params):
        norm = student.scaled_step(scaler, optimizer, loss, params, max_norm)
        if isinstance(norm, torch.Tensor) and norm.numel() == 1:
            norm = norm.item()
        if isinstance(norm, bool) or not isinstance(norm, (int, float)):
            raise TypeError(f"scaled_step must return the gradient norm as a float, got {type(norm).__name__}")
        return float(norm)
    return step


def _traces(student, ctx, name, clipped: bool) -> dict:
    spec = _scenario(ctx, name)
    gen = torch.Generator().manual_seed(ctx.seed)
    init = _params(spec, gen)
    sequence = _gradients(spec, gen, _rng(ctx, name + ":inject"))
    ctx.show(**{name: f"LossScaler(init_scale={spec['init_scale']}, growth_factor={spec['growth_factor']}, "
                      f"backoff_factor={spec['backoff_factor']}, growth_interval={spec['growth_interval']}) over "
                      f"{len(spec['kinds'])} steps of SGD(lr=0.1); gradients per step: {spec['kinds']}"
                      + (f"; scaled_step(..., max_grad_norm={spec['max_grad_norm']})" if clipped else
                         "; each step: scale(loss).backward(), step(optimizer), update()")})
    torch_step = _torch_clip_step(spec["max_grad_norm"]) if clipped else None
    student_step = _student_clip_step(student, spec["max_grad_norm"]) if clipped else None
    reference = _run_sequence(_torch_scaler, lambda s: s._growth_tracker.item(), spec, sequence, init, torch_step)
    mine = _run_sequence(_student_scaler(student), _student_tracker, spec, sequence, init, student_step)
    return {**spec, "torch": reference, "student": mine}


@case
def trace(student, ctx):
    return _traces(student, ctx, "trace", clipped=False)


@case
def clipping(student, ctx):
    return _traces(student, ctx, "clipping", clipped=True)


# ----------------------------------------------------------------- unscale_ semantics

@case
def unscale(student, ctx):
    rng = _rng(ctx, "unscale")
    gen = torch.Generator().manual_seed(ctx.seed)
    scale = float(2 ** rng.randint(4, 16))
    shapes = [[rng.randint(1, 4)], [rng.randint(1, 3), 2]]
    params = [nn.Parameter(torch.randn(s, generator=gen)) for s in shapes]
    optimizer = CountingSGD(params, lr=0.05)
    scaler = student.LossScaler(init_scale=scale, growth_interval=1000)
    grads = [torch.randn(s, generator=gen) for s in shapes]
    out = {"scale": scale, "grads": torch.cat([g.flatten() for g in grads])}
    scaler.scale(_loss(params, grads)).backward()
    out["scaled_grads"] = torch.cat([p.grad.flatten().clone() for p in params])
    scaler.unscale_(optimizer)
    out["unscaled_grads"] = torch.cat([p.grad.flatten().clone() for p in params])
    try:
        scaler.unscale_(optimizer)
        out["second_unscale"] = "no error"
    except RuntimeError:
        out["second_unscale"] = "RuntimeError"
    scaler.step(optimizer)
    out["grads_at_step"] = optimizer.grads_at_step[-1] if optimizer.grads_at_step else None
    scaler.update()
    out["params_after_step"] = _flat(params)
    bad = [g.clone() for g in grads]
    bad[-1].view(-1)[0] = float("nan")
    optimizer.zero_grad(set_to_none=True)
    scaler.scale(_loss(params, bad)).backward()
    scaler.unscale_(optimizer)
    scaler.step(optimizer)
    scaler.update()
    out.update(nan_stepped=optimizer.steps_taken > 1, params_after_nan=_flat(params),
               scale_after_nan=float(scaler.get_scale()), skipped_steps=getattr(scaler, "skipped_steps", None))
    disabled = student.LossScaler(init_scale=scale, enabled=False)
    with torch.no_grad():
        loss = _loss(params, grads)
        out["disabled"] = {"scaled_loss": float(disabled.scale(loss)), "loss": float(loss),
                           "scale": float(disabled.get_scale())}
    return out


# ----------------------------------------------------------------- which layers run in low precision

@case
def autocast(student, ctx):
    markov = _markov(ctx)
    rng = _rng(ctx, "autocast")
    dtype_name = "bf16" if ctx.visible else "fp16"
    config = dict(ctx.config)
    if not ctx.visible:
        config["d_hidden"] = rng.choice([16, 24, 48])
    model = markov.build_model(config, ctx.seed)
    contexts, _ = markov.examples(ctx.seed, ctx.seed + 1, config, 6)
    ctx.show(autocast=f"autocast_dtypes(TinyMLP(d_hidden={config['d_hidden']}), contexts (6, {config['context']}), "
                      f"'cpu', {AMP_DTYPES[dtype_name]})")
    found = student.autocast_dtypes(model, contexts, "cpu", AMP_DTYPES[dtype_name])
    if not isinstance(found, dict):
        raise TypeError(f"autocast_dtypes must return a dict {{module name: dtype string}}, got {type(found).__name__}")
    hooks_left = sum(len(m._forward_hooks) for m in model.modules())
    return {"dtypes": {str(k): str(v) for k, v in found.items()}, "hooks_left": hooks_left,
            "autocast_left_on": torch.is_autocast_enabled("cpu"), "dtype": dtype_name}


# ----------------------------------------------------------------- AMP training

@case
def training(student, ctx):
    markov = _markov(ctx)
    config, device = ctx.config, ctx.device
    amp = AMP_DTYPES[config["amp"]]
    contexts, targets = markov.examples(ctx.seed, ctx.seed + 2, config, config["n_train"])
    model = markov.build_model(config, ctx.seed).to(device)
    optimizer = torch.optim.AdamW(model.parameters(), lr=config["lr"], weight_decay=0.0)
    scaler = student.LossScaler(init_scale=config["init_scale"], growth_interval=config["growth_interval"],
                                enabled=bool(config["loss_scaling"]))
    seen_dtypes = set()
    hook = model.hidden.register_forward_hook(lambda mod, args, output: seen_dtypes.add(str(output.dtype)))
    ctx.show(training=f"train_amp on {device} ({ctx.size} size): TinyMLP({config['d_hidden']} hidden), "
                      f"{config['steps']} steps of {config['batch_size']}, autocast {amp}, AdamW(lr={config['lr']}), "
                      f"LossScaler(enabled={bool(config['loss_scaling'])}), max_grad_norm {config['max_grad_norm']}")
    losses = student.train_amp(model, optimizer, scaler, contexts.to(device), targets.to(device),
                               steps=config["steps"], batch_size=config["batch_size"], device_type=device,
                               dtype=amp, max_grad_norm=config["max_grad_norm"],
                               generator=torch.Generator().manual_seed(ctx.seed))
    hook.remove()
    if not isinstance(losses, (list, tuple)) or len(losses) != config["steps"]:
        raise TypeError(f"train_amp must return one loss per step ({config['steps']} floats)")
    return {"config": dict(config), "losses": [float(v) for v in losses], "seen_dtypes": sorted(seen_dtypes),
            "param_dtypes": sorted({str(p.dtype) for p in model.parameters()}),
            "weights": {n: p.detach().float().cpu().clone() for n, p in model.named_parameters()},
            "final_scale": float(scaler.get_scale()), "skipped_steps": getattr(scaler, "skipped_steps", None)}
