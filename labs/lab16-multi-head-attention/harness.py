"""Lab 16 harness: runs the student's multi-head attention on seeded inputs (inside the sandbox)."""
import time

import torch
from torch import nn

from labkit.data import case_rng
from labkit.harness import case


def _randn(gen, *shape, scale=1.0):
    return torch.randn(*shape, generator=gen, dtype=torch.float64) * scale


def _tensor(value, what):
    if not isinstance(value, torch.Tensor):
        raise TypeError(f"{what} must return a torch.Tensor, got {type(value).__name__}")
    return value.detach()


def _pair(result, what):
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        raise TypeError(f"{what} must return a tuple (output, weights); got {type(result).__name__}")
    return {"output": _tensor(result[0], what + " output"), "weights": _tensor(result[1], what + " weights")}


def _causal(t):
    return torch.ones(t, t, dtype=torch.bool).tril()


def _padding(lengths, t):
    return (torch.arange(t)[None, :] < torch.tensor(lengths)[:, None])[:, None, :]     # (batch, 1, t)


def _layers(module, d_model, bias, what):
    layers = []
    for name in ("W_q", "W_k", "W_v", "W_o"):
        layer = getattr(module, name, None)
        if not isinstance(layer, nn.Linear):
            raise ValueError(f"{what} needs an attribute {name} that is an nn.Linear; got {type(layer).__name__}")
        if tuple(layer.weight.shape) != (d_model, d_model):
            raise ValueError(f"{what}.{name}.weight has shape {tuple(layer.weight.shape)}; expected "
                             f"({d_model}, {d_model}): every projection maps d_model -> d_model (all heads at once)")
        if (layer.bias is not None) != bias:
            raise ValueError(f"{what}.{name} must be created with bias={bias}")
        layers.append(layer)
    return layers


def _build(student, d_model, n_heads, bias, gen):
    """The student's module with the grader's weights, in float64."""
    what = f"MultiHeadAttention({d_model}, {n_heads}, bias={bias})"
    module = student.MultiHeadAttention(d_model, n_heads, bias=bias)
    if not isinstance(module, nn.Module):
        raise TypeError("MultiHeadAttention must be a torch.nn.Module subclass")
    with torch.no_grad():
        for layer in _layers(module, d_model, bias, what):
            layer.weight.copy_(_randn(gen, d_model, d_model, scale=d_model ** -0.5))
            if bias:
                layer.bias.copy_(_randn(gen, d_model, scale=0.1))
    return module.double().eval()


def _heads_for(rng, d_model):
    return rng.choice([h for h in (2, 4) if d_model % h == 0])


@case
def split_merge(student, ctx):
    if ctx.visible:
        batch, seq, n_heads, d_head = 1, 3, 2, 4
        x = torch.arange(batch * seq * n_heads * d_head, dtype=torch.float64).view(batch, seq, n_heads * d_head)
        y = torch.arange(batch * seq * n_heads * d_head, dtype=torch.float64).view(batch, n_heads, seq, d_head)
        ctx.show(split_heads_x=x.tolist(), n_heads=n_heads, merge_heads_input=y.tolist())
    else:
        rng = case_rng(ctx, "split_merge")
        batch, seq, n_heads, d_head = rng.randint(1, 3), rng.randint(2, 6), rng.choice([2, 3, 4]), rng.choice([2, 4])
        gen = ctx.torch_generator()
        x = _randn(gen, batch, seq, n_heads * d_head)
        y = _randn(gen, batch, n_heads, seq, d_head)
    split = _tensor(student.split_heads(x.clone(), n_heads), "split_heads")
    merged = _tensor(student.merge_heads(y.clone()), "merge_heads")
    return {"split": split, "merged": merged}


@case
def mha_self(student, ctx):
    if ctx.visible:
        batch, seq, d_model, n_heads, mask = 1, 3, 4, 2, None
    else:
        rng = case_rng(ctx, "mha_self")
        batch, seq, d_model = rng.randint(1, 3), rng.randint(3, 7), rng.choice([8, 12, 16])
        n_heads, mask = _heads_for(rng, d_model), _causal(seq)
    ctx.show(mha_self=f"MultiHeadAttention(d_model={d_model}, n_heads={n_heads}) with the grader's weights, "
                      f"x of shape ({batch}, {seq}, {d_model}), forward(x, x, x, mask={mask})")
    gen = ctx.torch_generator()
    module = _build(student, d_model, n_heads, True, gen)
    x = _randn(gen, batch, seq, d_model)
    with torch.no_grad():
        return _pair(module(x, x, x, mask=mask), "MultiHeadAttention.forward")


@case
def mha_cross(student, ctx):
    rng = case_rng(ctx, "mha_cross")
    batch, seq_q, seq_k, d_model = rng.randint(2, 4), rng.randint(2, 6), rng.randint(3, 8), rng.choice([8, 16])
    n_heads = _heads_for(rng, d_model)
    lengths = [seq_k] + [rng.randint(1, seq_k - 1) for _ in range(batch - 1)]
    bias = rng.random() < 0.5
    gen = ctx.torch_generator()
    module = _build(student, d_model, n_heads, bias, gen)
    query = _randn(gen, batch, seq_q, d_model)
    memory = _randn(gen, batch, seq_k, d_model)
    with torch.no_grad():
        return _pair(module(query, memory, memory, mask=_padding(lengths, seq_k)), "MultiHeadAttention.forward")


@case
def matches_torch(student, ctx):
    rng = case_rng(ctx, "matches_torch")
    batch, seq, d_model = rng.randint(2, 3), rng.randint(3, 7), rng.choice([8, 16])
    n_heads = _heads_for(rng, d_model)
    lengths = [seq] + [rng.randint(1, seq) for _ in range(batch - 1)]
    gen = ctx.torch_generator()
    reference = nn.MultiheadAttention(d_model, n_heads, batch_first=True, dtype=torch.float64).eval()
    with torch.no_grad():
        for p in reference.parameters():          # biases start at 0 in torch: make them count
            p.copy_(_randn(gen, *p.shape, scale=d_model ** -0.5))
    module = student.MultiHeadAttention(d_model, n_heads)
    if not isinstance(module, nn.Module):
        raise TypeError("MultiHeadAttention must be a torch.nn.Module subclass")
    module = module.double()
    copied = student.copy_from_torch(module, reference)
    if not isinstance(copied, nn.Module):
        raise TypeError(f"copy_from_torch must return the module it filled, got {type(copied).__name__}")
    x = _randn(gen, batch, seq, d_model)
    pad = _padding(lengths, seq)
    with torch.no_grad():
        out = _pair(copied.eval()(x, x, x, mask=_causal(seq)[None] & pad), "MultiHeadAttention.forward")
        torch_out, torch_w = reference(x, x, x, key_padding_mask=~pad[:, 0, :], attn_mask=~_causal(seq),
                                       need_weights=True, average_attn_weights=False)
    out["torch_output"], out["torch_weights"] = torch_out, torch_w
    return out


@case
def param_counts(student, ctx):
    d_model = 16 if ctx.visible else case_rng(ctx, "param_counts").choice([8, 12, 24, 32])
    n_heads = 4
    counts = {}
    for label, heads, bias in (("one_head", 1, True), ("multi_head", n_heads, True), ("multi_head_no_bias", n_heads, False)):
        module = student.MultiHeadAttention(d_model, heads, bias=bias)
        if not isinstance(module, nn.Module):
            raise TypeError("MultiHeadAttention must be a torch.nn.Module subclass")
        counts[label] = int(sum(p.numel() for p in module.parameters()))
    try:
        student.MultiHeadAttention(d_model + 1, n_heads)
        counts["rejects_indivisible"] = False
    except ValueError:
        counts["rejects_indivisible"] = True
    counts["d_model"] = d_model
    return counts


@case
def heads_compare(student, ctx):
    """Single-head vs multi-head, graded: ONE set of projection weights loaded into modules with 1, 2 and
    4 heads, all run on the same x with a causal mask; the checks recompute every output from those
    weights, so the difference between one head and several is exactly what is graded."""
    rng = case_rng(ctx, "heads_compare")
    batch, seq, d_model = rng.randint(1, 2), rng.randint(4, 7), rng.choice([8, 16])
    gen = ctx.torch_generator()
    weights = {name: (_randn(gen, d_model, d_model, scale=d_model ** -0.5), _randn(gen, d_model, scale=0.1))
               for name in ("W_q", "W_k", "W_v", "W_o")}
    x = _randn(gen, batch, seq, d_model)
    out = {"x": x.numpy(), "params": {k: (w.numpy(), b.numpy()) for k, (w, b) in weights.items()}, "runs": {}}
    for n_heads in (1, 2, 4):
        what = f"MultiHeadAttention({d_model}, {n_heads})"
        module = student.MultiHeadAttention(d_model, n_heads)
        if not isinstance(module, nn.Module):
            raise TypeError("MultiHeadAttention must be a torch.nn.Module subclass")
        module = module.double().eval()
        with torch.no_grad():
            for name, layer in zip(("W_q", "W_k", "W_v", "W_o"), _layers(module, d_model, True, what)):
                layer.weight.copy_(weights[name][0])
                layer.bias.copy_(weights[name][1])
            result = _pair(module(x, x, x, mask=_causal(seq)), what + ".forward")
        out["runs"][str(n_heads)] = {"output": result["output"].numpy(), "weights": result["weights"].numpy(),
                                     "params": int(sum(p.numel() for p in module.parameters()))}
    return out


@case
def report(student, ctx):
    """Not graded: prints a single-head vs multi-head comparison to your run's output."""
    if not ctx.visible:
        return None
    batch, seq, d_model, reps = 8, 64, 64, 20
    x = torch.randn(batch, seq, d_model)
    mask = _causal(seq)
    lines = [f"Single-head vs multi-head attention, x of shape ({batch}, {seq}, {d_model}), causal mask, "
             f"mean of {reps} forward passes (not graded):"]
    lines.append(f"{'implementation':<38}{'params':>8}{'output shape':>18}{'weights shape':>20}{'ms':>8}")
    rows = [(f"your MultiHeadAttention, {h} head(s)", student.MultiHeadAttention(d_model, h).eval()) for h in (1, 4, 8)]
    rows.append(("torch nn.MultiheadAttention, 8 heads",
                 nn.MultiheadAttention(d_model, 8, batch_first=True).eval()))
    for label, module in rows:
        with torch.no_grad():
            if isinstance(module, nn.MultiheadAttention):
                call = lambda: module(x, x, x, attn_mask=~mask, need_weights=True, average_attn_weights=False)  # noqa: E731
            else:
                call = lambda: module(x, x, x, mask=mask)  # noqa: E731
            out, weights = call()
            started = time.perf_counter()
            for _ in range(reps):
                call()
            ms = 1000 * (time.perf_counter() - started) / reps
        params = sum(p.numel() for p in module.parameters())
        lines.append(f"{label:<38}{params:>8}{str(tuple(out.shape)):>18}{str(tuple(weights.shape)):>20}{ms:>8.2f}")
    print("\n".join(lines))
    return None
