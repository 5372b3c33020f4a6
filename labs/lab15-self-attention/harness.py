"""Lab 15 harness: runs the student's attention code on seeded inputs (inside the sandbox).

It only produces outputs; checks.py compares them with the reference outputs outside the sandbox."""

import torch
from torch import nn

from labkit.data import case_rng
from labkit.harness import case

SMALL_Q = [[[1.0, 0.0, 1.0, 0.0], [0.0, 2.0, 0.0, 1.0], [1.0, 1.0, 1.0, 1.0]]]
SMALL_K = [[[1.0, 1.0, 0.0, 0.0], [0.0, 1.0, 1.0, 0.0], [0.0, 0.0, 1.0, 1.0]]]
SMALL_V = [[[1.0, 2.0], [-1.0, 0.0], [0.5, -0.5]]]


# ----------------------------------------------------------------- helpers

def _attention(student, q, k, v, mask=None):
    """Call the student's function on copies and validate what comes back."""
    args = [q.clone(), k.clone(), v.clone()]
    result = student.scaled_dot_product_attention(*args, mask=None if mask is None else mask.clone())
    return _pair(result, "scaled_dot_product_attention")


def _pair(result, what):
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        raise TypeError(f"{what} must return a tuple (output, weights); got {type(result).__name__}"
                        + (f" of length {len(result)}" if isinstance(result, (tuple, list)) else ""))
    output, weights = result
    for name, value in (("output", output), ("weights", weights)):
        if not isinstance(value, torch.Tensor):
            raise TypeError(f"{what}: {name} must be a torch.Tensor, got {type(value).__name__}")
    return {"output": output.detach(), "weights": weights.detach()}


def _bool_mask(value, what):
    if not isinstance(value, torch.Tensor):
        raise TypeError(f"{what} must return a torch.Tensor, got {type(value).__name__}")
    if value.dtype != torch.bool:
        raise TypeError(f"{what} must return a bool tensor (True = may attend), got dtype {value.dtype}; "
                        "build it with comparisons or .bool()")
    return value.detach().numpy()


def _randn(gen, *shape, dtype=torch.float64, scale=1.0):
    return (torch.randn(*shape, generator=gen, dtype=torch.float64) * scale).to(dtype)


def _ref_causal(t):
    return torch.ones(t, t, dtype=torch.bool).tril()


def _ref_padding(lengths, t):
    return (torch.arange(t)[None, :] < torch.tensor(lengths)[:, None])[:, None, :]


def _random_qkv(ctx, name):
    """float64 q (batch, seq_q, d_k), k (batch, seq_k, d_k), v (batch, seq_k, d_v) of random sizes, with
    seq_q != seq_k and d_k != d_v possible, so that mixing up axes shows."""
    rng = case_rng(ctx, name)
    batch, seq_q, seq_k = rng.randint(1, 3), rng.randint(2, 7), rng.randint(2, 7)
    d_k, d_v = rng.choice([4, 8, 16]), rng.choice([3, 5, 8])
    gen = ctx.torch_generator()
    return (_randn(gen, batch, seq_q, d_k), _randn(gen, batch, seq_k, d_k), _randn(gen, batch, seq_k, d_v))


# ----------------------------------------------------------------- cases

@case
def sdpa_small(student, ctx):
    q, k, v = (torch.tensor(x, dtype=torch.float64) for x in (SMALL_Q, SMALL_K, SMALL_V))
    ctx.show(q=SMALL_Q, k=SMALL_K, v=SMALL_V)
    return _attention(student, q, k, v)


@case
def sdpa_random(student, ctx):
    return _attention(student, *_random_qkv(ctx, "sdpa_random"))


@case
def causal_attention(student, ctx):
    rng = case_rng(ctx, "causal_attention")
    batch, t, d_k = rng.randint(1, 3), rng.randint(3, 8), rng.choice([4, 8])
    gen = ctx.torch_generator()
    x = [_randn(gen, batch, t, d_k, scale=2.0) for _ in range(3)]
    mask = _ref_causal(t)                                        # (t, t), broadcast over the batch
    out = _attention(student, *x, mask=mask)
    out["allowed"] = mask.expand(batch, t, t).numpy()
    return out


@case
def padding_attention(student, ctx):
    rng = case_rng(ctx, "padding_attention")
    batch, t, d_k = rng.randint(2, 4), rng.randint(4, 8), rng.choice([4, 8])
    lengths = [t] + [rng.randint(1, t) for _ in range(batch - 1)]
    gen = ctx.torch_generator()
    x = [_randn(gen, batch, t, d_k, scale=2.0) for _ in range(3)]
    mask = _ref_causal(t)[None] & _ref_padding(lengths, t)        # (batch, t, t)
    out = _attention(student, *x, mask=mask)
    out["allowed"] = mask.numpy()
    return out


@case
def masks(student, ctx):
    if ctx.visible:
        t, lengths = 4, [3, 1, 4]
    else:
        rng = case_rng(ctx, "masks")
        t = rng.randint(3, 9)
        lengths = [rng.randint(1, t) for _ in range(rng.randint(2, 4))]
    ctx.show(masks_seq_len=t, masks_lengths=lengths)
    causal = student.causal_mask(t)
    padding = student.padding_mask(torch.tensor(lengths), t)
    causal_np = _bool_mask(causal, "causal_mask")
    padding_np = _bool_mask(padding, "padding_mask")
    combined = student.combine_masks(causal, padding)
    with_none = student.combine_masks(None, padding)
    return {"causal": causal_np, "padding": padding_np,
            "combined": _bool_mask(combined, "combine_masks(causal, padding)"),
            "with_none": _bool_mask(with_none, "combine_masks(None, padding)")}


@case
def large_logits(student, ctx):
    batch, t, d_k = 2, case_rng(ctx, "large_logits").randint(4, 8), 16
    gen = ctx.torch_generator()
    # Scores of a few hundred: exp() of them overflows float32 (max about 3.4e38 = e^88).
    q = _randn(gen, batch, t, d_k, dtype=torch.float32, scale=8.0)
    k = _randn(gen, batch, t, d_k, dtype=torch.float32, scale=8.0)
    v = _randn(gen, batch, t, 4, dtype=torch.float32)
    return _attention(student, q, k, v, mask=_ref_causal(t))


@case
def dtypes(student, ctx):
    q, k, v = _random_qkv(ctx, "dtypes")
    out64 = _attention(student, q, k, v)
    out32 = _attention(student, q.float(), k.float(), v.float())
    return {"output64": out64["output"], "weights64": out64["weights"],
            "output32": out32["output"], "weights32": out32["weights"]}


@case
def self_attention(student, ctx):
    if ctx.visible:
        batch, t, d_model, d_k, d_v, lengths = 1, 4, 6, 4, 3, None
    else:
        rng = case_rng(ctx, "self_attention")
        batch, t, d_model = rng.randint(2, 3), rng.randint(3, 7), rng.choice([8, 12, 16])
        d_k, d_v = rng.choice([4, 8]), rng.choice([4, 6])
        lengths = [t] + [rng.randint(1, t) for _ in range(batch - 1)]
    ctx.show(self_attention=f"SelfAttention(d_model={d_model}, d_k={d_k}, d_v={d_v}) on x of shape "
                            f"({batch}, {t}, {d_model}), causal mask" + (f", lengths {lengths}" if lengths else ""))
    module = student.SelfAttention(d_model, d_k, d_v)
    if not isinstance(module, nn.Module):
        raise TypeError("SelfAttention must be a torch.nn.Module subclass")
    gen = ctx.torch_generator()
    with torch.no_grad():
        for name, out_dim in (("W_q", d_k), ("W_k", d_k), ("W_v", d_v)):
            layer = getattr(module, name, None)
            if not isinstance(layer, nn.Linear):
                raise ValueError(f"SelfAttention(d_model={d_model}, d_k={d_k}, d_v={d_v}) needs an attribute "
                                 f"{name} that is an nn.Linear; got {type(layer).__name__}")
            if tuple(layer.weight.shape) != (out_dim, d_model):
                raise ValueError(f"SelfAttention.{name}.weight has shape {tuple(layer.weight.shape)}; expected "
                                 f"{(out_dim, d_model)}: nn.Linear(d_model, {'d_v' if name == 'W_v' else 'd_k'}) "
                                 "stores its weight as (out_features, in_features)")
            if layer.bias is not None:
                raise ValueError(f"SelfAttention.{name} must be created with bias=False")
            layer.weight.copy_(_randn(gen, out_dim, d_model, dtype=torch.float32, scale=d_model ** -0.5))
    x = _randn(gen, batch, t, d_model, dtype=torch.float32)
    mask = _ref_causal(t)
    if lengths is not None:
        mask = mask[None] & _ref_padding(lengths, t)
    module.eval()
    with torch.no_grad():
        out = _pair(module(x, mask=mask.clone()), "SelfAttention.forward")
    out["allowed"] = mask.expand(batch, t, t).numpy()
    return out
