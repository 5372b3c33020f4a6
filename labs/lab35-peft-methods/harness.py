"""Lab 35 harness (inside the sandbox): runs the student's adapters, prefix tuning and budget matching on
seeded inputs, and fine-tunes the lab's tiny pre-trained model with each PEFT method at one budget. It
returns outputs and the trained PEFT weights; checks.py loads those weights outside the sandbox and
measures the held-out loss of each method."""
from __future__ import annotations

import importlib.util
import random
import sys

import torch
from torch import nn

from labkit.harness import case

BUDGET = 1024
COMPARISON = {  # hyper-parameters that fit BUDGET on the lab's model (d_model 32, 2 layers)
    "lora": dict(size=4, lr=3e-2),      # r = 4, alpha = 8 on q_proj and v_proj
    "adapter": dict(size=3, lr=3e-2),   # bottleneck 3 after o_proj and down_proj
    "prefix": dict(size=8, lr=0.2),     # 8 prefix vectors for keys and values in every layer
}
TRAIN = dict(steps=50, batch_size=32, n_train=512)


def _tinylm(ctx):
    if "tinylm" not in sys.modules:
        spec = importlib.util.spec_from_file_location("tinylm", ctx.data_dir / "tinylm.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules["tinylm"] = module
        spec.loader.exec_module(module)
    return sys.modules["tinylm"]


def _rng(ctx, name):
    return random.Random(f"{ctx.seed}:{name}")


def _randn(gen, *shape, scale=1.0):
    return torch.randn(*shape, generator=gen) * scale


def _tensor(value, what):
    if not isinstance(value, torch.Tensor):
        raise TypeError(f"{what} must return a torch.Tensor, got {type(value).__name__}")
    return value.detach().clone()


def _linear(module, name, shape, where):
    layer = getattr(module, name, None)
    if not isinstance(layer, nn.Linear):
        raise TypeError(f"{where}.{name} must be an nn.Linear, got {type(layer).__name__}")
    if tuple(layer.weight.shape) != shape:
        raise ValueError(f"{where}.{name}.weight has shape {tuple(layer.weight.shape)} where {shape} was expected "
                         "(nn.Linear(in, out) stores (out, in))")
    return layer


def _check_adapter(adapter, d_model, bottleneck, where):
    if not isinstance(adapter, nn.Module):
        raise TypeError(f"{where} must be an nn.Module, got {type(adapter).__name__}")
    return (_linear(adapter, "down", (bottleneck, d_model), where),
            _linear(adapter, "up", (d_model, bottleneck), where))


def _set_linear(layer, gen, scale):
    with torch.no_grad():
        layer.weight.copy_(_randn(gen, *layer.weight.shape, scale=scale))
        layer.bias.copy_(_randn(gen, *layer.bias.shape, scale=scale))


def _int(value, what):
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"{what} must return an int, got {type(value).__name__}")
    return value


# ------------------------------------------------------------------ adapters

@case
def adapter(student, ctx):
    if ctx.visible:
        d_model, bottleneck, batch, seq = 6, 2, 1, 3
    else:
        rng = _rng(ctx, "adapter")
        d_model, bottleneck, batch, seq = rng.choice([8, 16]), rng.choice([1, 2, 4]), 2, rng.randint(2, 5)
    module = student.BottleneckAdapter(d_model, bottleneck)
    down, up = _check_adapter(module, d_model, bottleneck, "BottleneckAdapter")
    gen = ctx.torch_generator()
    h = _randn(gen, batch, seq, d_model)
    with torch.no_grad():
        init_output = _tensor(module(h.clone()), "BottleneckAdapter.forward")
        _set_linear(down, gen, 0.5)
        _set_linear(up, gen, 0.5)
        output = _tensor(module(h.clone()), "BottleneckAdapter.forward")
    ctx.show(adapter=f"BottleneckAdapter(d_model={d_model}, bottleneck={bottleneck}) on h of shape "
                     f"{(batch, seq, d_model)}: output at initialisation, then with down / up set by the grader",
             down_weight=down.weight.tolist(), down_bias=down.bias.tolist(), up_weight=up.weight.tolist(),
             up_bias=up.bias.tolist(), h=h.tolist())
    return {"h": h, "init_output": init_output, "output": output}


@case
def adapted_model(student, ctx):
    tinylm = _tinylm(ctx)
    bottleneck = 2 if ctx.visible else _rng(ctx, "adapted_model").choice([2, 3, 5])
    model = tinylm.load_base(ctx.data_dir)
    if student.add_adapters(model, bottleneck) is not model:
        raise TypeError("add_adapters must modify the model in place and return it")
    gen = ctx.torch_generator()
    for name in _names(tinylm, ("o_proj", "down_proj")):
        wrapped = model.get_submodule(name)
        if not isinstance(getattr(wrapped, "base", None), nn.Linear):
            raise ValueError(f"add_adapters left {name} without the AdaptedLinear wrapper (attributes base, adapter)")
        down, up = _check_adapter(getattr(wrapped, "adapter", None), wrapped.base.out_features, bottleneck,
                                  f"{name}.adapter")
        _set_linear(down, gen, 0.3)
        _set_linear(up, gen, 0.3)
    ids = tinylm.general_ids(4, ctx.seed)
    model.eval()
    with torch.no_grad():
        logits = _tensor(model(ids), "the model's forward")
    return {"bottleneck": bottleneck, "logits": logits, **_counts(student, model)}


def _names(tinylm, leaves):
    return [n for n, m in tinylm.build_model().named_modules() if n.split(".")[-1] in leaves]


def _counts(student, model):
    return {"count": _int(student.count_trainable_parameters(model), "count_trainable_parameters"),
            "actual_count": sum(p.numel() for p in model.parameters() if p.requires_grad),
            "trainable": sorted(n for n, p in model.named_parameters() if p.requires_grad)}


# ------------------------------------------------------------------ prefix tuning

@case
def prefix(student, ctx):
    tinylm = _tinylm(ctx)
    if ctx.visible:
        d_model, n_heads, n_prefix, batch, seq = 8, 2, 2, 1, 4
    else:
        rng = _rng(ctx, "prefix")
        d_model, n_heads = rng.choice([8, 16, 32]), rng.choice([1, 2, 4])
        n_prefix, batch, seq = rng.randint(1, 6), rng.randint(1, 3), rng.randint(3, 7)
    gen = ctx.torch_generator()
    attn = tinylm.Attention(d_model, n_heads)
    for layer in (attn.q_proj, attn.k_proj, attn.v_proj, attn.o_proj):
        _set_linear(layer, gen, d_model ** -0.5)
    module = student.PrefixAttention(attn, n_prefix)
    if getattr(module, "attn", None) is not attn:
        raise ValueError("PrefixAttention.attn must be the wrapped attention module itself")
    for name in ("prefix_k", "prefix_v"):
        value = getattr(module, name, None)
        if not isinstance(value, nn.Parameter) or tuple(value.shape) != (n_prefix, d_model):
            raise ValueError(f"PrefixAttention.{name} must be an nn.Parameter of shape (n_prefix, d_model) = "
                             f"{(n_prefix, d_model)}, got {getattr(value, 'shape', type(value).__name__)}")
        with torch.no_grad():
            value.copy_(_randn(gen, n_prefix, d_model))
    x = _randn(gen, batch, seq, d_model)
    changed = x.clone()
    changed[:, -1] = _randn(gen, batch, d_model)
    with torch.no_grad():
        output = _tensor(module(x.clone()), "PrefixAttention.forward")
        output_changed = _tensor(module(changed), "PrefixAttention.forward")
    ctx.show(prefix=f"PrefixAttention(Attention(d_model={d_model}, n_heads={n_heads}), n_prefix={n_prefix}) on x "
                    f"of shape {(batch, seq, d_model)}; projections and prefixes set by the grader")
    return {"output": output, "output_changed": output_changed, "n_prefix": n_prefix}


# ------------------------------------------------------------------ equal budgets

def _budget_spec(ctx):
    if ctx.visible:
        return dict(vocab_size=45, d_model=32, n_heads=2, d_ff=64, n_layers=2, max_len=16), 1024
    rng = _rng(ctx, "budget")
    d_model = rng.choice([16, 24, 32, 48])
    config = dict(vocab_size=45, d_model=d_model, n_heads=2, d_ff=2 * d_model, n_layers=rng.randint(1, 4),
                  max_len=16)
    return config, rng.choice([500, 1000, 1500, 3000, 6000])


@case
def budget(student, ctx):
    tinylm = _tinylm(ctx)
    config, budget_size = _budget_spec(ctx)
    sizes = {"lora": 3, "adapter": 5, "prefix": 4}
    out = {"formula": {"lora": _int(student.lora_params(dict(config), sizes["lora"]), "lora_params"),
                       "adapter": _int(student.adapter_params(dict(config), sizes["adapter"]), "adapter_params"),
                       "prefix": _int(student.prefix_params(dict(config), sizes["prefix"]), "prefix_params")},
           "sizes": sizes, "budget": budget_size}
    builders = {"lora": lambda m: student.add_lora(m, sizes["lora"], 2.0 * sizes["lora"]),
                "adapter": lambda m: student.add_adapters(m, sizes["adapter"]),
                "prefix": lambda m: student.add_prefix(m, sizes["prefix"])}
    out["actual"] = {name: sum(p.numel() for p in build(tinylm.TinyLM(**config)).parameters() if p.requires_grad)
                     for name, build in builders.items()}
    matched = student.match_budget(dict(config), budget_size)
    if not isinstance(matched, dict):
        raise TypeError(f"match_budget must return a dict, got {type(matched).__name__}")
    out["matched"] = {k: matched.get(k) for k in ("lora_r", "adapter_bottleneck", "prefix_length")}
    ctx.show(budget=f"config d_model={config['d_model']}, n_layers={config['n_layers']}, d_ff={config['d_ff']}; "
                    f"lora_params(config, 3), adapter_params(config, 5), prefix_params(config, 4), "
                    f"match_budget(config, {budget_size})")
    return out


# ------------------------------------------------------------------ the training comparison

@case
def comparison(student, ctx):
    if ctx.visible:
        return None  # trained on hidden house styles only (the check is hidden)
    tinylm = _tinylm(ctx)
    data = tinylm.HouseStyle(ctx.seed).train_ids(TRAIN["n_train"], ctx.seed)
    builders = {"lora": lambda m, s: student.add_lora(m, s, 2.0 * s),
                "adapter": lambda m, s: student.add_adapters(m, s),
                "prefix": lambda m, s: student.add_prefix(m, s)}
    results = {}
    for method, spec in COMPARISON.items():
        model = builders[method](tinylm.load_base(ctx.data_dir), spec["size"])
        losses = student.fine_tune(model, data.clone(), steps=TRAIN["steps"], lr=spec["lr"],
                                   batch_size=TRAIN["batch_size"], generator=ctx.torch_generator())
        if not isinstance(losses, (list, tuple)) or not all(isinstance(v, (int, float)) for v in losses):
            raise TypeError("fine_tune must return the list of training losses (Python floats, one per step)")
        results[method] = {"losses": [float(v) for v in losses],
                           "trainable": {n: p.detach().clone() for n, p in model.named_parameters()
                                         if p.requires_grad}}
    return results
