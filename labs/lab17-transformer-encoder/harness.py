"""Lab 17 harness: builds the student's encoder pieces, sets every weight from a seeded generator by
parameter name, and runs them in float64 (inside the sandbox)."""

import torch
from torch import nn

from labkit.data import case_rng
from labkit.harness import case


def _tensor(value, what):
    if not isinstance(value, torch.Tensor):
        raise TypeError(f"{what} must return a torch.Tensor, got {type(value).__name__}")
    return value.detach()


def _layer_names(prefix, norm):
    names = [f"{prefix}self_attn.in_proj_weight", f"{prefix}self_attn.in_proj_bias",
             f"{prefix}self_attn.out_proj.weight", f"{prefix}self_attn.out_proj.bias",
             f"{prefix}ffn.linear1.weight", f"{prefix}ffn.linear1.bias",
             f"{prefix}ffn.linear2.weight", f"{prefix}ffn.linear2.bias"]
    if norm:
        names += [f"{prefix}norm1.weight", f"{prefix}norm1.bias", f"{prefix}norm2.weight", f"{prefix}norm2.bias"]
    return names


def _forbid_library_layers(module, what):
    for sub in module.modules():
        if isinstance(sub, (nn.TransformerEncoderLayer, nn.TransformerEncoder, nn.Transformer)):
            raise ValueError(f"{what} uses {type(sub).__name__}; build the layer from nn.MultiheadAttention, "
                             "your FeedForward and nn.LayerNorm instead")


def _set_weights(module, expected_names, gen, what):
    """Fill the student's parameters by name; complain in the lab's terms if the names differ."""
    if not isinstance(module, nn.Module):
        raise TypeError(f"{what} must be a torch.nn.Module")
    _forbid_library_layers(module, what)
    params = dict(module.named_parameters())
    missing = [n for n in expected_names if n not in params]
    extra = [n for n in params if n not in expected_names]
    if missing:
        raise ValueError(f"{what} has no parameter '{missing[0]}' ({len(missing)} missing). Use the attribute "
                         "names from the instructions: self_attn, ffn.linear1, ffn.linear2, norm1, norm2, "
                         "embed, layers, final_norm")
    if extra and any("pe" in n.split(".") for n in extra):
        raise ValueError(f"{what} has the positional encoding as a parameter; it is fixed, not learned: "
                         "register it with self.register_buffer('pe', ...)")
    if extra:
        raise ValueError(f"{what} has an unexpected parameter '{extra[0]}' ({len(extra)} extra): no extra "
                         "layers, and final_norm only when norm_first=True")
    with torch.no_grad():
        for name in expected_names:
            p = params[name]
            if name.endswith("norm1.weight") or name.endswith("norm2.weight") or name == "final_norm.weight":
                value = 1.0 + 0.2 * torch.randn(p.shape, generator=gen, dtype=torch.float64)
            elif p.dim() == 2:
                value = torch.randn(p.shape, generator=gen, dtype=torch.float64) * p.shape[1] ** -0.5
            else:
                value = 0.2 * torch.randn(p.shape, generator=gen, dtype=torch.float64)
            p.copy_(value.to(p.dtype))
    return module.double().eval()


def _pad_mask(lengths, seq):
    return torch.arange(seq)[None, :] < torch.tensor(lengths)[:, None]          # (batch, seq), True = real token


def _lengths(rng, batch, seq):
    return [seq] + [rng.randint(1, seq) for _ in range(batch - 1)]


@case
def pe(student, ctx):
    if ctx.visible:
        max_len, d_model = 4, 6
    else:
        rng = case_rng(ctx, "pe")
        max_len, d_model = rng.randint(8, 64), rng.choice([4, 8, 16, 32])
    ctx.show(positional_encoding=f"sinusoidal_positional_encoding(max_len={max_len}, d_model={d_model})")
    out = _tensor(student.sinusoidal_positional_encoding(max_len, d_model), "sinusoidal_positional_encoding")
    if out.dtype != torch.float32:
        raise TypeError(f"sinusoidal_positional_encoding must return float32, got {out.dtype}")
    return out


@case
def ffn(student, ctx):
    rng = case_rng(ctx, "ffn")
    d_model, d_ff = rng.choice([4, 8]), rng.choice([8, 16, 32])
    gen = ctx.torch_generator()
    module = _set_weights(student.FeedForward(d_model, d_ff),
                          ["linear1.weight", "linear1.bias", "linear2.weight", "linear2.bias"], gen,
                          f"FeedForward({d_model}, {d_ff})")
    x = torch.randn(2, 3, d_model, generator=gen, dtype=torch.float64)
    with torch.no_grad():
        return _tensor(module(x), "FeedForward.forward")


def _run_layer(student, ctx, name, norm_first):
    if ctx.visible:
        batch, seq, d_model, n_heads, d_ff, lengths = 1, 3, 4, 2, 8, None
    else:
        rng = case_rng(ctx, name)
        batch, seq, d_model, d_ff = rng.randint(2, 3), rng.randint(3, 7), rng.choice([8, 16]), rng.choice([16, 32])
        n_heads, lengths = rng.choice([2, 4]), _lengths(rng, batch, seq)
    what = f"EncoderLayer({d_model}, n_heads={n_heads}, d_ff={d_ff}, norm_first={norm_first})"
    if ctx.visible and not norm_first:
        ctx.show(encoder_layer=f"{what}, grader's weights, x of shape ({batch}, {seq}, {d_model}), pad_mask=None")
    gen = ctx.torch_generator()
    layer = student.EncoderLayer(d_model, n_heads, d_ff, norm_first=norm_first)
    module = _set_weights(layer, _layer_names("", True), gen, what)
    x = torch.randn(batch, seq, d_model, generator=gen, dtype=torch.float64)
    mask = None if lengths is None else _pad_mask(lengths, seq)
    with torch.no_grad():
        return _tensor(module(x, mask), "EncoderLayer.forward")


@case
def layer_post(student, ctx):
    return _run_layer(student, ctx, "layer_post", norm_first=False)


@case
def layer_pre(student, ctx):
    return _run_layer(student, ctx, "layer_pre", norm_first=True)


def _encoder_names(n_layers, norm_first):
    names = ["embed.weight"]
    for i in range(n_layers):
        names += _layer_names(f"layers.{i}.", True)
    if norm_first:
        names += ["final_norm.weight", "final_norm.bias"]
    return names


def _build_encoder(student, gen, vocab, d_model, n_heads, d_ff, n_layers, max_len, norm_first):
    what = (f"Encoder(vocab_size={vocab}, d_model={d_model}, n_heads={n_heads}, d_ff={d_ff}, "
            f"n_layers={n_layers}, max_len={max_len}, norm_first={norm_first})")
    encoder = student.Encoder(vocab, d_model, n_heads, d_ff, n_layers, max_len, norm_first=norm_first)
    return _set_weights(encoder, _encoder_names(n_layers, norm_first), gen, what), what


@case
def encoder(student, ctx):
    if ctx.visible:
        configs = [dict(vocab=12, d_model=8, n_heads=2, d_ff=16, n_layers=2, max_len=16, norm_first=True)]
        batch, seq, lengths = 1, 5, None
    else:
        rng = case_rng(ctx, "encoder")
        base = dict(vocab=rng.randint(10, 30), d_model=rng.choice([8, 16]), n_heads=2, d_ff=rng.choice([16, 32]),
                    n_layers=rng.randint(2, 3), max_len=32)
        configs = [dict(base, norm_first=False), dict(base, norm_first=True)]
        batch, seq = rng.randint(2, 3), rng.randint(4, 10)
        lengths = _lengths(rng, batch, seq)
    gen = ctx.torch_generator()
    outputs = {}
    for config in configs:
        module, what = _build_encoder(student, gen, **config)
        tokens = torch.randint(0, config["vocab"], (batch, seq), generator=gen)
        if ctx.visible:
            ctx.show(encoder=f"{what}, grader's weights, tokens {tokens.tolist()}, pad_mask=None")
        mask = None if lengths is None else _pad_mask(lengths, seq)
        with torch.no_grad():
            out = _tensor(module(tokens, mask), "Encoder.forward")
        outputs["pre_ln" if config["norm_first"] else "post_ln"] = out
    return outputs


@case
def padding_ignored(student, ctx):
    """Changing the tokens at padded positions must not change the outputs at real positions."""
    rng = case_rng(ctx, "padding_ignored")
    config = dict(vocab=20, d_model=8, n_heads=2, d_ff=16, n_layers=2, max_len=16, norm_first=rng.random() < 0.5)
    batch, seq = 3, rng.randint(5, 9)
    lengths = [seq, rng.randint(2, seq - 1), rng.randint(1, seq - 1)]
    gen = ctx.torch_generator()
    module, _ = _build_encoder(student, gen, **config)
    tokens = torch.randint(0, 20, (batch, seq), generator=gen)
    mask = _pad_mask(lengths, seq)
    other = torch.where(mask, tokens, torch.randint(0, 20, (batch, seq), generator=gen))
    with torch.no_grad():
        a = _tensor(module(tokens, mask), "Encoder.forward")
        b = _tensor(module(other, mask), "Encoder.forward")
    return {"max_change_at_real_tokens": float((a - b)[mask].abs().max()), "output": a, "real": mask.numpy()}
