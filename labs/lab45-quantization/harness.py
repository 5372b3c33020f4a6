"""Lab 45 harness (inside the sandbox): the student's absmax and zero-point quantizers (per tensor and per
channel), int4 packing, fake quantization with a straight-through estimator, calibration, post-training
quantization of the lab's pre-trained MLP and quantization-aware training. Test labels never enter the
sandbox: the harness returns predictions and trained weights, and checks.py measures accuracy."""
from __future__ import annotations

import importlib.util
import random
import sys

import numpy as np
import torch
from torch import nn

from labkit.harness import case


def _tinymlp(ctx):
    if "tinymlp" not in sys.modules:
        spec = importlib.util.spec_from_file_location("tinymlp", ctx.data_dir / "tinymlp.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules["tinymlp"] = module
        spec.loader.exec_module(module)
    return sys.modules["tinymlp"]


def _rng(ctx, name):
    return random.Random(f"{ctx.seed}:{name}")


def _gen(ctx, name):
    return torch.Generator().manual_seed(_rng(ctx, name).randrange(2**31))


def _check_tensor(value, what, dtypes, shape=None):
    if not isinstance(value, torch.Tensor):
        raise TypeError(f"{what} must be a torch.Tensor, got {type(value).__name__}")
    if dtypes and value.dtype not in dtypes:
        names = " or ".join(str(d).replace("torch.", "") for d in dtypes)
        raise TypeError(f"{what} has dtype {str(value.dtype).replace('torch.', '')} where {names} was expected")
    if shape is not None and tuple(value.shape) != tuple(shape):
        raise ValueError(f"{what} has shape {tuple(value.shape)} where {tuple(shape)} was expected")
    return value.detach().cpu().clone()


INTS = (torch.int8, torch.uint8, torch.int16, torch.int32, torch.int64)


def _scale_shape(x, channel_dim):
    if channel_dim is None:
        return ()
    return tuple(n if d == channel_dim % x.dim() else 1 for d, n in enumerate(x.shape))


def _absmax(student, x, bits, channel_dim, label):
    out = student.absmax_quantize(x.clone(), bits=bits, channel_dim=channel_dim)
    if not isinstance(out, (tuple, list)) or len(out) != 2:
        raise TypeError("absmax_quantize must return a tuple (q, scale)")
    q = _check_tensor(out[0], f"{label}: q", (torch.int8,), x.shape)
    scale = _check_tensor(out[1], f"{label}: scale", (torch.float32,), _scale_shape(x, channel_dim))
    deq = _check_tensor(student.dequantize(out[0], out[1]), f"dequantize after {label}", (torch.float32,), x.shape)
    return {"label": label, "x": x, "bits": bits, "q": q, "scale": scale, "deq": deq}


def _zeropoint(student, x, bits, channel_dim, label):
    out = student.zeropoint_quantize(x.clone(), bits=bits, channel_dim=channel_dim)
    if not isinstance(out, (tuple, list)) or len(out) != 3:
        raise TypeError("zeropoint_quantize must return a tuple (q, scale, zero_point)")
    q = _check_tensor(out[0], f"{label}: q", (torch.uint8,), x.shape)
    scale = _check_tensor(out[1], f"{label}: scale", (torch.float32,), _scale_shape(x, channel_dim))
    zp = _check_tensor(out[2], f"{label}: zero_point", INTS, _scale_shape(x, channel_dim))
    deq = _check_tensor(student.dequantize(out[0], out[1], out[2]), f"dequantize after {label}", (torch.float32,),
                        x.shape)
    return {"label": label, "x": x, "bits": bits, "q": q, "scale": scale, "zero_point": zp.to(torch.int64), "deq": deq}


VISIBLE_X = torch.tensor([[0.5, -1.27, 0.02, 0.9], [-0.1, 0.3, 2.54, -0.8]])


def _hidden_tensors(ctx, name):
    rng, gen = _rng(ctx, name), _gen(ctx, name)
    shape = tuple(rng.randint(2, 9) for _ in range(rng.choice([2, 3])))
    x = torch.randn(*shape, generator=gen) * rng.choice([0.05, 1.0, 30.0])
    if name == "zeropoint" and rng.random() < 0.5:
        x = x.abs() + 0.1                   # all positive: the range must still include 0
    channel_dim = rng.randrange(-len(shape), len(shape))
    return rng, gen, x, channel_dim


@case
def absmax(student, ctx):
    if ctx.visible:
        ctx.show(x=VISIBLE_X.tolist(), calls=["absmax_quantize(x, bits=8)", "absmax_quantize(x, bits=8, channel_dim=0)"])
        return {"runs": [_absmax(student, VISIBLE_X, 8, None, "absmax_quantize(x, bits=8)"),
                         _absmax(student, VISIBLE_X, 8, 0, "absmax_quantize(x, bits=8, channel_dim=0)")]}
    rng, gen, x, channel_dim = _hidden_tensors(ctx, "absmax")
    runs = []
    for bits in (8, 4):
        runs.append(_absmax(student, x, bits, None, f"absmax_quantize(x {tuple(x.shape)}, bits={bits})"))
        runs.append(_absmax(student, x, bits, channel_dim,
                            f"absmax_quantize(x {tuple(x.shape)}, bits={bits}, channel_dim={channel_dim})"))
    # a round trip: values on a per-channel grid, each channel reaching +-qmax, scales powers of two
    bits = rng.choice([8, 4])
    qmax = 2 ** (bits - 1) - 1
    rows, cols = rng.randint(2, 6), rng.randint(3, 10)
    q_true = torch.randint(-qmax, qmax + 1, (rows, cols), generator=gen)
    q_true[:, 0] = torch.where(torch.rand(rows, generator=gen) < 0.5, -qmax, qmax)
    s = 2.0 ** torch.randint(-8, 3, (rows, 1), generator=gen).float()
    grid = (q_true.float() * s)
    trip = _absmax(student, grid, bits, 0, f"absmax_quantize(grid {tuple(grid.shape)}, bits={bits}, channel_dim=0)")
    return {"runs": runs, "round_trip": trip}


@case
def zeropoint(student, ctx):
    if ctx.visible:
        ctx.show(x=VISIBLE_X.tolist(), calls=["zeropoint_quantize(x, bits=8)",
                                              "zeropoint_quantize(x, bits=8, channel_dim=0)"])
        return {"runs": [_zeropoint(student, VISIBLE_X, 8, None, "zeropoint_quantize(x, bits=8)"),
                         _zeropoint(student, VISIBLE_X, 8, 0, "zeropoint_quantize(x, bits=8, channel_dim=0)")]}
    rng, gen, x, channel_dim = _hidden_tensors(ctx, "zeropoint")
    runs = []
    for bits in (8, 4):
        runs.append(_zeropoint(student, x, bits, None, f"zeropoint_quantize(x {tuple(x.shape)}, bits={bits})"))
        runs.append(_zeropoint(student, x, bits, channel_dim,
                               f"zeropoint_quantize(x {tuple(x.shape)}, bits={bits}, channel_dim={channel_dim})"))
    bits = rng.choice([8, 4])
    qmax = 2 ** bits - 1
    n = rng.randint(6, 30)
    q_true = torch.randint(0, qmax + 1, (n,), generator=gen)
    q_true[0], q_true[1] = 0, qmax
    zp = rng.randint(1, qmax - 1)
    s = 2.0 ** rng.randint(-8, 2)
    grid = (q_true.float() - zp) * s
    trip = _zeropoint(student, grid, bits, None, f"zeropoint_quantize(grid of {n}, bits={bits})")
    return {"runs": runs, "round_trip": trip}


@case
def pack(student, ctx):
    rng, gen = _rng(ctx, "pack"), _gen(ctx, "pack")
    shape = (rng.randint(1, 5), 2 * rng.randint(1, 8))
    q = torch.randint(0, 16, shape, generator=gen).to(torch.uint8)
    packed = _check_tensor(student.pack_int4(q.clone()), f"pack_int4(q {shape})", (torch.uint8,),
                           (shape[0], shape[1] // 2))
    unpacked = _check_tensor(student.unpack_int4(packed.clone()), f"unpack_int4(packed {tuple(packed.shape)})",
                             (torch.uint8,), shape)
    return {"q": q, "packed": packed, "unpacked": unpacked}


@case
def fake_quant(student, ctx):
    rng, gen = _rng(ctx, "fake_quant"), _gen(ctx, "fake_quant")
    results = []
    for kind in ("affine", "symmetric_per_channel"):
        x = (torch.randn(rng.randint(3, 6), rng.randint(4, 9), generator=gen) * 2.0).requires_grad_(True)
        if kind == "affine":
            qmin, qmax = 0, rng.choice([15, 255])
            scale, zero_point = torch.tensor(rng.uniform(0.01, 0.4)), torch.tensor(rng.randint(0, qmax // 2))
        else:
            qmax = rng.choice([1, 7, 127])
            qmin = -qmax
            scale = x.detach().abs().amax(dim=1, keepdim=True) / qmax * rng.uniform(0.6, 1.0)   # some values clip
            zero_point = torch.tensor(0)
        out = student.fake_quantize(x, scale, zero_point, qmin, qmax)
        value = _check_tensor(out, f"fake_quantize ({kind})", (torch.float32,), x.shape)
        if not out.requires_grad:
            raise TypeError("fake_quantize's output does not require grad: the straight-through estimator must let "
                            "gradients reach x")
        weights = torch.randn(x.shape, generator=gen)
        (out * weights).sum().backward()
        grad = torch.zeros_like(x) if x.grad is None else x.grad.detach().clone()
        results.append({"kind": kind, "x": x.detach(), "scale": scale, "zero_point": zero_point, "qmin": qmin,
                        "qmax": qmax, "out": value, "grad": grad, "upstream": weights})
    return results


def _train(ctx):
    data = np.load(ctx.data_dir / "train.npz")
    return torch.from_numpy(data["x"]), torch.from_numpy(data["y"])


def _calibration_batches(ctx, name):
    x, _ = _train(ctx)
    gen = _gen(ctx, name)
    n_batches, size = (2, 64) if ctx.visible else (_rng(ctx, name).randint(2, 5), 64)
    perm = torch.randperm(x.shape[0], generator=gen)
    return [x[perm[i * size:(i + 1) * size]] for i in range(n_batches)]


def _ranges(value, names, what):
    if not isinstance(value, dict):
        raise TypeError(f"{what} must return a dict {{linear name: (min, max)}}, got {type(value).__name__}")
    missing = [n for n in names if n not in value]
    if missing:
        raise ValueError(f"{what} has no range for the nn.Linear named {missing[0]!r} (keys: {sorted(value)})")
    out = {}
    for n in names:
        pair = value[n]
        if not isinstance(pair, (tuple, list)) or len(pair) != 2:
            raise TypeError(f"{what}[{n!r}] must be a tuple (min, max)")
        out[n] = [float(pair[0]), float(pair[1])]
    return out


@case
def calibration(student, ctx):
    tinymlp = _tinymlp(ctx)
    model = tinymlp.load_model(ctx.data_dir)
    batches = _calibration_batches(ctx, "calibration")
    ranges = _ranges(student.calibrate(model, [b.clone() for b in batches]), tinymlp.LINEARS, "calibrate")
    return {"ranges": ranges, "n_batches": len(batches)}


@case
def ptq(student, ctx):
    tinymlp = _tinymlp(ctx)
    if ctx.visible:
        w_bits, a_bits = 8, 8
    else:
        w_bits, a_bits = _rng(ctx, "ptq").choice([(8, 8), (4, 8), (8, 4), (4, 4)])
    model = tinymlp.load_model(ctx.data_dir)
    batches = _calibration_batches(ctx, "ptq")
    ranges = _ranges(student.calibrate(model, [b.clone() for b in batches]), tinymlp.LINEARS, "calibrate")
    ctx.show(call=f"ranges = calibrate(mlp, {len(batches)} batches of 64 training rows); "
                  f"quantize_model(mlp, ranges, w_bits={w_bits}, a_bits={a_bits}); the grader runs the quantized "
                  "model on the test set and measures its accuracy")
    returned = student.quantize_model(model, ranges, w_bits=w_bits, a_bits=a_bits)
    if returned is not model:
        raise TypeError("quantize_model must replace the nn.Linear layers in place and return the model")
    layers = {}
    for name in tinymlp.LINEARS:
        layer = model.get_submodule(name)
        if isinstance(layer, nn.Linear):
            raise ValueError(f"quantize_model left layer {name!r} a plain nn.Linear: replace each with a QuantLinear")
        wq = getattr(layer, "weight_q", None)
        layers[name] = {
            "weight_q": _check_tensor(wq, f"layer {name!r}: weight_q", (torch.int8,)),
            "weight_scale": _check_tensor(getattr(layer, "weight_scale", None), f"layer {name!r}: weight_scale",
                                          (torch.float32,)),
            "act_scale": _check_tensor(torch.as_tensor(getattr(layer, "act_scale", float("nan"))).float(),
                                       f"layer {name!r}: act_scale", None),
            "act_zero_point": _check_tensor(torch.as_tensor(getattr(layer, "act_zero_point", -1)),
                                            f"layer {name!r}: act_zero_point", INTS)}
        if any(isinstance(p, torch.Tensor) and p.dtype == torch.float32 and p.dim() == 2
               and p.shape[1] > 1
               for p in list(layer.parameters()) + list(layer.buffers())):
            raise ValueError(f"layer {name!r} still holds a float32 weight matrix: a QuantLinear keeps weight_q (int8) "
                             "and weight_scale, and dequantizes in forward")
    x_test = torch.from_numpy(np.load(ctx.data_dir / "test_x.npy"))
    with torch.no_grad():
        logits = _check_tensor(model(x_test), "the quantized model's output", (torch.float32,), (x_test.shape[0], 4))
    return {"w_bits": w_bits, "a_bits": a_bits, "ranges": ranges, "layers": layers, "logits": logits}


@case
def qat(student, ctx):
    tinymlp = _tinymlp(ctx)
    cfg = dict(ctx.config.get("qat", {"steps": 120, "lr": 0.001, "batch_size": 128, "w_bits": 2}))
    model = tinymlp.load_model(ctx.data_dir).to(ctx.device)
    x, y = _train(ctx)
    ctx.show(call=f"qat_finetune(mlp, x_train {tuple(x.shape)}, y_train, steps={cfg['steps']}, lr={cfg['lr']}, "
                  f"batch_size={cfg['batch_size']}, generator, w_bits={cfg['w_bits']}) on {ctx.device}; the grader "
                  f"quantizes your weights to {cfg['w_bits']} bits per channel and measures test accuracy")
    losses = student.qat_finetune(model, x.to(ctx.device), y.to(ctx.device), steps=cfg["steps"], lr=cfg["lr"],
                                  batch_size=cfg["batch_size"], generator=ctx.torch_generator(), w_bits=cfg["w_bits"])
    if not isinstance(losses, (list, tuple)) or len(losses) != cfg["steps"]:
        raise TypeError(f"qat_finetune must return the list of training losses, one float per step ({cfg['steps']})")
    state = model.state_dict()
    expected = set(tinymlp.build_model().state_dict())
    if set(state) != expected:
        raise ValueError("qat_finetune must train the MLP's own parameters in place (its state_dict keys changed: "
                         f"{sorted(set(state) ^ expected)[:3]})")
    return {"w_bits": cfg["w_bits"], "weights": {k: v.detach().float().cpu().clone() for k, v in state.items()},
            "losses": [float(v) for v in losses]}
