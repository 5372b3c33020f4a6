"""Lab 18 harness: the student's LayerNorm/RMSNorm on seeded inputs, and the training experiment
(inside the sandbox). Held-out labels are not here: checks.py scores the predictions."""
import math

import numpy as np
import torch
from torch import nn

from labkit.data import case_rng
from labkit.harness import case

EXPERIMENT = dict(d_model=32, depth=8, steps=200, lr=0.2, batch_size=64)
NORMS = ("none", "layernorm", "rmsnorm")


def _tensor(value, what, like=None):
    if not isinstance(value, torch.Tensor):
        raise TypeError(f"{what} must return a torch.Tensor, got {type(value).__name__}")
    if like is not None and value.dtype != like.dtype:
        raise TypeError(f"{what} returned {value.dtype} for {like.dtype} input; keep the input dtype")
    return value.detach()


def _randn(gen, *shape, dtype=torch.float64, scale=1.0, shift=0.0):
    return (torch.randn(*shape, generator=gen, dtype=torch.float64) * scale + shift).to(dtype)


SMALL_X = [[1.0, 2.0, 3.0, 4.0, 10.0], [-1.0, 0.5, 0.0, 2.0, -3.0]]
SMALL_W = [1.0, 0.5, 2.0, -1.0, 1.5]
SMALL_B = [0.0, 0.1, -0.2, 0.3, 0.0]


@case
def ln_small(student, ctx):
    x, w, b = (torch.tensor(v, dtype=torch.float64) for v in (SMALL_X, SMALL_W, SMALL_B))
    ctx.show(x=SMALL_X, weight=SMALL_W, bias=SMALL_B, layer_norm_eps=1e-5, rms_norm_eps=1e-6)
    return _tensor(student.layer_norm(x.clone(), w.clone(), b.clone(), eps=1e-5), "layer_norm", x)


@case
def rms_small(student, ctx):
    x, w = (torch.tensor(v, dtype=torch.float64) for v in (SMALL_X, SMALL_W))
    return _tensor(student.rms_norm(x.clone(), w.clone(), eps=1e-6), "rms_norm", x)


def _random_inputs(ctx, name):
    rng = case_rng(ctx, name)
    shape = (rng.randint(1, 3), rng.randint(2, 6), rng.choice([4, 8, 16, 64]))
    gen = ctx.torch_generator()
    x = _randn(gen, *shape, scale=rng.uniform(0.5, 3.0), shift=rng.uniform(-2.0, 2.0))
    w = _randn(gen, shape[-1], scale=0.5, shift=1.0)
    b = _randn(gen, shape[-1], scale=0.5)
    return x, w, b


@case
def ln_random(student, ctx):
    x, w, b = _random_inputs(ctx, "ln_random")
    out = {}
    for label, dtype in (("float64", torch.float64), ("float32", torch.float32)):
        xd, wd, bd = x.to(dtype), w.to(dtype), b.to(dtype)
        out[label] = _tensor(student.layer_norm(xd.clone(), wd.clone(), bd.clone(), eps=1e-5), "layer_norm", xd)
    out["no_affine"] = _tensor(student.layer_norm(x.clone(), None, None, eps=1e-5), "layer_norm", x)
    out["eps_0.1"] = _tensor(student.layer_norm(x.clone(), w.clone(), b.clone(), eps=0.1), "layer_norm", x)
    return out


@case
def rms_random(student, ctx):
    x, w, _ = _random_inputs(ctx, "rms_random")
    out = {}
    for label, dtype in (("float64", torch.float64), ("float32", torch.float32)):
        xd, wd = x.to(dtype), w.to(dtype)
        out[label] = _tensor(student.rms_norm(xd.clone(), wd.clone(), eps=1e-6), "rms_norm", xd)
    out["no_affine"] = _tensor(student.rms_norm(x.clone(), None, eps=1e-6), "rms_norm", x)
    out["eps_0.1"] = _tensor(student.rms_norm(x.clone(), w.clone(), eps=0.1), "rms_norm", x)
    return out


@case
def tiny_variance(student, ctx):
    """Inputs whose variance is comparable to eps: only the exact eps placement gives the right answer."""
    gen = ctx.torch_generator()
    d = case_rng(ctx, "tiny_variance").choice([8, 16])
    near_constant = _randn(gen, 3, d, scale=3e-3, shift=1.5)          # variance ~1e-5, eps 1e-5
    tiny = _randn(gen, 3, d, scale=1e-3)                              # mean square ~1e-6, eps 1e-6
    return {"layer_norm": _tensor(student.layer_norm(near_constant.clone(), None, None, eps=1e-5), "layer_norm"),
            "rms_norm": _tensor(student.rms_norm(tiny.clone(), None, eps=1e-6), "rms_norm")}


@case
def modules(student, ctx):
    d = case_rng(ctx, "modules").choice([6, 12])
    gen = ctx.torch_generator()
    out = {}
    for name, cls, expected in (("LayerNorm", student.LayerNorm, {"weight": 1.0, "bias": 0.0}),
                                ("RMSNorm", student.RMSNorm, {"weight": 1.0})):
        module = cls(d)
        if not isinstance(module, nn.Module):
            raise TypeError(f"{name} must be a torch.nn.Module")
        params = dict(module.named_parameters())
        if sorted(params) != sorted(expected):
            raise ValueError(f"{name}({d}) should have exactly the parameters {sorted(expected)}, found {sorted(params)}")
        for pname, init in expected.items():
            p = params[pname]
            if tuple(p.shape) != (d,):
                raise ValueError(f"{name}.{pname} has shape {tuple(p.shape)}; expected ({d},)")
            if not torch.all(p.detach() == init):
                raise ValueError(f"{name}.{pname} should start as all {init:g} (so the norm starts as a plain "
                                 "normalisation)")
        module = module.double()
        with torch.no_grad():
            for pname in expected:
                params[pname].copy_(_randn(gen, d, scale=0.5, shift=expected[pname]))
        x = _randn(gen, 2, 3, d, scale=2.0, shift=0.5).requires_grad_(True)
        upstream = _randn(gen, 2, 3, d)
        y = module(x)
        (y * upstream).sum().backward()
        out[name] = {"output": _tensor(y, f"{name}.forward"),
                     "grad_x": x.grad.detach() if x.grad is not None else None,
                     "grad_weight": params["weight"].grad.detach() if params["weight"].grad is not None else None}
    return out


@case
def blocks(student, ctx):
    """ResidualMLP(5, 6, depth=2, 4, norm) for each norm kind, every parameter set to known values: the
    checks recompute the pre-norm network from those values (the no-norm model included)."""
    gen = ctx.torch_generator()
    out = {}
    for norm in NORMS:
        model = student.ResidualMLP(5, 6, 2, 4, norm)
        if not isinstance(model, nn.Module):
            raise TypeError("ResidualMLP must be a torch.nn.Module")
        model = model.double()
        params = dict(model.named_parameters())
        want = {"inp.weight", "inp.bias", "head.weight", "head.bias"}
        for i in range(2):
            want |= {f"blocks.{i}.fc1.weight", f"blocks.{i}.fc1.bias", f"blocks.{i}.fc2.weight", f"blocks.{i}.fc2.bias"}
        norms = [f"blocks.{i}.norm" for i in range(2)] + ["final_norm"]
        if norm != "none":
            want |= {f"{n}.weight" for n in norms}
        if norm == "layernorm":
            want |= {f"{n}.bias" for n in norms}
        if set(params) != want:
            odd = sorted(set(params) ^ want)[0]
            raise ValueError(f"ResidualMLP(norm={norm!r}) has parameters {sorted(params)}; expected {sorted(want)} "
                             f"(inp, blocks[i].norm/fc1/fc2, final_norm, head; first difference: {odd})")
        state = {}
        with torch.no_grad():
            for name in sorted(params):
                shift = 1.0 if name.endswith("norm.weight") else 0.0
                params[name].copy_(_randn(gen, *params[name].shape, scale=0.6, shift=shift))
                state[name] = params[name].detach().numpy().copy()
            x = _randn(gen, 3, 5, scale=2.0, shift=1.0)
            y = _tensor(model(x), f"ResidualMLP(norm={norm!r}).forward")
        out[norm] = {"state": state, "x": x.numpy(), "logits": y.numpy()}
    return out


def _load_data(ctx):
    train = np.load(ctx.data_dir / "train.npz")
    x_test = np.load(ctx.data_dir / "test_inputs.npy")
    return torch.from_numpy(train["x"]), torch.from_numpy(train["y"]), torch.from_numpy(x_test)


def _count_norms(model, student):
    return sum(isinstance(m, (student.LayerNorm, student.RMSNorm)) for m in model.modules())


@case
def experiment(student, ctx):
    x, y, x_test = _load_data(ctx)
    cfg = EXPERIMENT
    out, lines = {}, []
    for norm in NORMS:
        torch.manual_seed(ctx.seed)
        model = student.ResidualMLP(x.shape[1], cfg["d_model"], cfg["depth"], 4, norm)
        if not isinstance(model, nn.Module):
            raise TypeError("ResidualMLP must be a torch.nn.Module")
        n_norms, want = _count_norms(model, student), (0 if norm == "none" else cfg["depth"] + 1)
        if n_norms != want:
            raise ValueError(f"ResidualMLP(norm={norm!r}) contains {n_norms} LayerNorm/RMSNorm modules; expected "
                             f"{want} (one per block plus final_norm), built with make_norm")
        losses = student.train_classifier(model, x, y, cfg["steps"], cfg["lr"], cfg["batch_size"])
        if not isinstance(losses, (list, tuple)) or len(losses) != cfg["steps"]:
            raise TypeError(f"train_classifier must return a list of {cfg['steps']} floats (one loss per step)")
        losses = [float(v) for v in losses]
        model.eval()
        with torch.no_grad():
            logits = model(x_test)
        if tuple(logits.shape) != (x_test.shape[0], 4):
            raise ValueError(f"ResidualMLP output has shape {tuple(logits.shape)}; expected ({x_test.shape[0]}, 4)")
        finite = bool(torch.isfinite(logits).all())
        out[norm] = {"losses": losses, "predictions": logits.argmax(dim=-1).numpy() if finite else None}
        tail = [v for v in losses[-20:] if math.isfinite(v)]
        last = f"{sum(tail) / len(tail):.3f}" if len(tail) == 20 else "nan/inf (diverged)"
        lines.append(f"  {norm:<10} first loss {losses[0]:.3f}   mean of last 20 losses {last}")
    if ctx.visible:
        print(f"Experiment (seed {ctx.seed}): residual MLP, depth {cfg['depth']}, SGD lr {cfg['lr']}, "
              f"{cfg['steps']} steps\n" + "\n".join(lines) + "\n  (held-out accuracy is computed by the grader)")
    return out
