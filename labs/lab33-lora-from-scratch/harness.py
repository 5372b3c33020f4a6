"""Lab 33 harness (inside the sandbox): runs the student's LoRA code on seeded layers and on the lab's
tiny pre-trained model, and returns outputs and weights. The comparison with Hugging Face peft and the
held-out loss of the fine-tuned weights are computed outside, in checks.py."""
from __future__ import annotations

import importlib.util
import random
import sys

import torch
from torch import nn

from labkit.harness import case

ALL_TARGETS = ["q_proj", "k_proj", "v_proj", "o_proj", "up_proj", "down_proj"]
FINETUNE = dict(targets=["q_proj", "v_proj", "up_proj", "down_proj"], r=4, alpha=8.0, steps=50, lr=1.5e-2,
                batch_size=32, n_train=512)


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


def _check_lora_layer(layer, base: nn.Linear, r: int, where: str) -> None:
    """Attribute names and shapes the grader relies on, with messages in LoRA's terms."""
    if not isinstance(layer, nn.Module):
        raise TypeError(f"{where} must be an nn.Module (a LoRALinear), got {type(layer).__name__}")
    for name, shape, meaning in (("lora_A", (r, base.in_features), "(r, in_features)"),
                                 ("lora_B", (base.out_features, r), "(out_features, r)")):
        value = getattr(layer, name, None)
        if not isinstance(value, nn.Parameter):
            raise TypeError(f"{where}.{name} must be an nn.Parameter, got {type(value).__name__}")
        if tuple(value.shape) != shape:
            raise ValueError(f"{where}.{name} has shape {tuple(value.shape)} where {shape} {meaning} was expected "
                             f"(in_features={base.in_features}, out_features={base.out_features}, r={r})")
    if getattr(layer, "base", None) is not base:
        raise ValueError(f"{where}.base must be the nn.Linear that was wrapped (keep it, do not copy it)")


def _set_lora_weights(layer, gen, scale=0.3) -> dict:
    with torch.no_grad():
        layer.lora_A.copy_(_randn(gen, *layer.lora_A.shape, scale=scale))
        layer.lora_B.copy_(_randn(gen, *layer.lora_B.shape, scale=scale))
    return {"A": layer.lora_A.detach().clone(), "B": layer.lora_B.detach().clone()}


def _tensor(value, what):
    if not isinstance(value, torch.Tensor):
        raise TypeError(f"{what} must return a torch.Tensor, got {type(value).__name__}")
    return value.detach().clone()


def _layer_spec(ctx):
    if ctx.visible:
        return dict(in_features=4, out_features=3, r=2, alpha=4.0, batch=2)
    rng = _rng(ctx, "layer")
    return dict(in_features=rng.choice([6, 8, 12]), out_features=rng.choice([5, 8, 10]), r=rng.choice([1, 2, 4]),
                alpha=float(rng.choice([1, 4, 8, 16])), batch=rng.randint(2, 4))


@case
def lora_linear(student, ctx):
    s = _layer_spec(ctx)
    gen = ctx.torch_generator()
    base = nn.Linear(s["in_features"], s["out_features"])
    with torch.no_grad():
        base.weight.copy_(_randn(gen, s["out_features"], s["in_features"], scale=0.5))
        base.bias.copy_(_randn(gen, s["out_features"], scale=0.5))
    weight, bias = base.weight.detach().clone(), base.bias.detach().clone()
    layer = student.LoRALinear(base, r=s["r"], alpha=s["alpha"], dropout=0.0)
    _check_lora_layer(layer, base, s["r"], "LoRALinear")
    lora = _set_lora_weights(layer, gen)
    x = _randn(gen, s["batch"], s["in_features"])
    layer.eval()
    with torch.no_grad():
        output = _tensor(layer(x.clone()), "LoRALinear.forward")
    ctx.show(layer=f"LoRALinear(nn.Linear({s['in_features']}, {s['out_features']}), r={s['r']}, "
                   f"alpha={s['alpha']}) with lora_A, lora_B set by the grader",
             W=weight.tolist(), bias=bias.tolist(), lora_A=lora["A"].tolist(), lora_B=lora["B"].tolist(),
             x=x.tolist())
    return {**s, "W": weight, "bias": bias, "A": lora["A"], "B": lora["B"], "x": x, "output": output}


@case
def init(student, ctx):
    rng = _rng(ctx, "init")
    in_features, out_features = rng.choice([16, 32, 64]), rng.choice([8, 16, 24])
    r, alpha, dropout = rng.choice([2, 4, 8]), float(rng.choice([4, 8, 16, 32])), 0.1
    gen = ctx.torch_generator()
    base = nn.Linear(in_features, out_features)
    layer = student.LoRALinear(base, r=r, alpha=alpha, dropout=dropout)
    _check_lora_layer(layer, base, r, "LoRALinear")
    x = _randn(gen, 3, in_features)
    layer.eval()
    with torch.no_grad():
        output, base_output = _tensor(layer(x), "LoRALinear.forward"), base(x)
    return {"r": r, "alpha": alpha, "in_features": in_features, "A": layer.lora_A.detach().clone(),
            "B": layer.lora_B.detach().clone(), "scaling": float(getattr(layer, "scaling", float("nan"))),
            "output": output, "base_output": base_output,
            "grad_flags": {"base.weight": base.weight.requires_grad, "base.bias": base.bias.requires_grad,
                           "lora_A": layer.lora_A.requires_grad, "lora_B": layer.lora_B.requires_grad}}


def _model_spec(ctx):
    if ctx.visible:
        return dict(targets=["q_proj", "v_proj"], r=2, alpha=4.0, dropout=0.5)
    rng = _rng(ctx, "model")
    targets = sorted(rng.sample(ALL_TARGETS, rng.randint(2, 4)), key=ALL_TARGETS.index)
    return dict(targets=targets, r=rng.choice([2, 4, 8]), alpha=float(rng.choice([4, 8, 16])),
                dropout=rng.choice([0.2, 0.5]))


def _wrapped_layers(model, targets, tinylm_module):
    base = tinylm_module.build_model()
    names = [n for n, m in base.named_modules() if isinstance(m, nn.Linear) and n.split(".")[-1] in targets]
    layers = {}
    for name in names:
        layer = model.get_submodule(name)
        if isinstance(layer, nn.Linear):
            raise ValueError(f"apply_lora(model, {targets}, ...) left {name} a plain nn.Linear: wrap every "
                             "nn.Linear whose name ends in a target with LoRALinear")
        layers[name] = layer
    return layers


@case
def tiny_model(student, ctx):
    tinylm = _tinylm(ctx)
    s = _model_spec(ctx)
    model = tinylm.load_base(ctx.data_dir)
    originals = {n: m for n, m in model.named_modules() if isinstance(m, nn.Linear)}
    returned = student.apply_lora(model, list(s["targets"]), r=s["r"], alpha=s["alpha"], dropout=s["dropout"])
    if returned is not model:
        raise TypeError("apply_lora must modify the model in place and return it")
    layers = _wrapped_layers(model, s["targets"], tinylm)
    gen = ctx.torch_generator()
    lora = {}
    for name, layer in layers.items():
        _check_lora_layer(layer, originals[name], s["r"], name)
        lora[name] = _set_lora_weights(layer, gen)
    ids = tinylm.general_ids(6, ctx.seed)
    count = student.count_trainable_parameters(model)
    if not isinstance(count, int) or isinstance(count, bool):
        raise TypeError(f"count_trainable_parameters must return an int, got {type(count).__name__}")
    state = student.lora_state_dict(model)
    if not isinstance(state, dict):
        raise TypeError(f"lora_state_dict must return a dict of tensors, got {type(state).__name__}")
    out = {**s, "ids": ids, "lora": lora, "count": count,
           "actual_count": sum(p.numel() for p in model.parameters() if p.requires_grad),
           "trainable": sorted(n for n, p in model.named_parameters() if p.requires_grad),
           "state_keys": sorted(str(k) for k in state)}
    with torch.no_grad():
        model.eval()
        out["eval_logits"] = _tensor(model(ids), "the model's forward")
        model.train()
        torch.manual_seed(ctx.seed)
        out["train_logits"] = _tensor(model(ids), "the model's forward")
        model.eval()
        out.update(_merge_round_trip(model, layers, ids))
    ctx.show(model=f"apply_lora(TinyLM, target_modules={s['targets']}, r={s['r']}, alpha={s['alpha']}, "
                   f"dropout={s['dropout']}); every lora_A / lora_B set by the grader; eval mode")
    return out


def _merge_round_trip(model, layers, ids) -> dict:
    for name, layer in layers.items():
        layer.merge()
    merged = {"merged_weights": {n: layer.base.weight.detach().clone() for n, layer in layers.items()},
              "merged_logits": model(ids).detach().clone()}
    for layer in layers.values():
        layer.merge()  # merging twice must not add B A twice
    merged["merged_twice_logits"] = model(ids).detach().clone()
    for layer in layers.values():
        layer.unmerge()
    merged["unmerged_weights"] = {n: layer.base.weight.detach().clone() for n, layer in layers.items()}
    merged["unmerged_logits"] = model(ids).detach().clone()
    return merged


@case
def finetune(student, ctx):
    tinylm = _tinylm(ctx)
    cfg = FINETUNE
    model = tinylm.load_base(ctx.data_dir)
    student.apply_lora(model, list(cfg["targets"]), r=cfg["r"], alpha=cfg["alpha"], dropout=0.0)
    data = tinylm.HouseStyle(ctx.seed).train_ids(cfg["n_train"], ctx.seed)
    ctx.show(finetune=f"apply_lora(base, {cfg['targets']}, r={cfg['r']}, alpha={cfg['alpha']}) then "
                      f"fine_tune(model, data ({cfg['n_train']}, {tinylm.SEQ_LEN}), steps={cfg['steps']}, "
                      f"lr={cfg['lr']}, batch_size={cfg['batch_size']}, generator)")
    losses = student.fine_tune(model, data.clone(), steps=cfg["steps"], lr=cfg["lr"],
                               batch_size=cfg["batch_size"], generator=ctx.torch_generator())
    if not isinstance(losses, (list, tuple)) or not all(isinstance(v, (int, float)) for v in losses):
        raise TypeError("fine_tune must return the list of training losses (Python floats, one per step)")
    return {"weights": {k: v.detach().clone() for k, v in model.state_dict().items()},
            "losses": [float(v) for v in losses]}
