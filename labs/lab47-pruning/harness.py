"""Lab 47 harness (inside the sandbox): the student's pruning masks (magnitude, global and per layer) and
structured neuron masks on seeded tensors; magnitude pruning of a trained classifier followed by fine-tuning
with the masks kept; and movement pruning while adapting the classifier to a related task. The pruned
weights go back to checks.py, which measures sparsity and accuracy on held-out inputs whose labels never
enter the sandbox."""
from __future__ import annotations

import importlib.util
import random
import sys

import torch

from labkit.harness import case

SETTINGS = {"hidden": 64, "n_train": 3000, "dense_steps": 600, "dense_lr": 0.01, "batch_size": 128,
            "finetune_steps": 200, "movement_steps": 300, "lr": 0.003, "weight_decay": 0.01}
_DENSE: dict = {}


def _tasks(ctx):
    if "lab47_tasks" not in sys.modules:
        spec = importlib.util.spec_from_file_location("lab47_tasks", ctx.data_dir / "tasks.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules["lab47_tasks"] = module
        spec.loader.exec_module(module)
    return sys.modules["lab47_tasks"]


def _rng(ctx, name):
    return random.Random(f"{ctx.seed}:{name}")


def _mask_out(masks, names, shapes, what: str) -> dict:
    if not isinstance(masks, dict):
        raise TypeError(f"{what} must return a dict {{name: bool tensor}}, got {type(masks).__name__}")
    out = {}
    for name in names:
        if name not in masks:
            raise TypeError(f"{what} returned no mask for {name!r} (keys: {sorted(map(str, masks))})")
        mask = masks[name]
        if not isinstance(mask, torch.Tensor):
            raise TypeError(f"{what}: the mask for {name!r} must be a torch.Tensor, got {type(mask).__name__}")
        if tuple(mask.shape) != tuple(shapes[name]):
            raise TypeError(f"{what}: the mask for {name!r} has shape {tuple(mask.shape)} where "
                            f"{tuple(shapes[name])} (the weight's shape) was expected")
        out[name] = {"dtype": str(mask.dtype), "keep": mask.detach().cpu().to(torch.uint8)}
    return out


# ----------------------------------------------------------------- masks on seeded tensors

def _mask_inputs(ctx) -> dict:
    if ctx.visible:
        weights = {"layer1": torch.tensor([[0.5, -1.2, 0.05], [2.0, -0.3, 0.9]]),
                   "layer2": torch.tensor([[-0.02, 0.4], [0.15, -0.07], [0.6, 0.01]])}
        return {"weights": weights, "runs": [{"sparsity": 0.5, "scope": "global"}]}
    rng = _rng(ctx, "masks")
    gen = torch.Generator().manual_seed(ctx.seed + 4700)
    weights = {}
    scales = rng.sample([0.05, 0.3, 1.0, 4.0], rng.randint(2, 4))      # layers of different scales
    for i, scale in enumerate(scales):
        shape = (rng.randint(3, 9), rng.randint(2, 9))
        weights[f"block{i}.weight"] = torch.randn(shape, generator=gen) * scale
    runs = [{"sparsity": rng.choice([0.25, 0.4, 0.5, 0.6, 0.75]), "scope": "global"},
            {"sparsity": rng.choice([0.3, 0.45, 0.6, 0.8]), "scope": "layer"}]
    return {"weights": weights, "runs": runs}


@case
def masks(student, ctx):
    inputs = _mask_inputs(ctx)
    weights = inputs["weights"]
    ctx.show(masks=f"magnitude_masks(weights {{name: shape}} = {{{', '.join(f'{k!r}: {tuple(v.shape)}' for k, v in weights.items())}}}, "
                   + ", ".join(f"sparsity={r['sparsity']}, scope={r['scope']!r}" for r in inputs["runs"])
                   + (f"; weights = {{{', '.join(f'{k!r}: {v.tolist()}' for k, v in weights.items())}}}"
                      if ctx.visible else ""))
    shapes = {k: v.shape for k, v in weights.items()}
    results = []
    for run in inputs["runs"]:
        found = student.magnitude_masks({k: v.clone() for k, v in weights.items()}, run["sparsity"], run["scope"])
        results.append({**run, "masks": _mask_out(found, list(weights), shapes, "magnitude_masks")})
    return {"weights": weights, "results": results}


@case
def neurons(student, ctx):
    if ctx.visible:
        gen = torch.Generator().manual_seed(47)
        hidden, d_in, d_out, n_prune = 6, 4, 3, 2
    else:
        rng = _rng(ctx, "neurons")
        gen = torch.Generator().manual_seed(ctx.seed + 4701)
        hidden, d_in, d_out = rng.randint(8, 24), rng.randint(2, 12), rng.randint(2, 12)
        n_prune = rng.randint(2, hidden - 2)
    w_in = torch.randn(hidden, d_in, generator=gen)
    w_out = torch.randn(d_out, hidden, generator=gen)
    ctx.show(neurons=f"neuron_mask(w_in {tuple(w_in.shape)}, w_out {tuple(w_out.shape)}, n_prune={n_prune})"
             + (f"; w_in = {w_in.tolist()}; w_out = {w_out.tolist()}" if ctx.visible else ""))
    mask = student.neuron_mask(w_in.clone(), w_out.clone(), n_prune)
    if not isinstance(mask, torch.Tensor):
        raise TypeError(f"neuron_mask must return a bool tensor of shape ({hidden},), got {type(mask).__name__}")
    return {"w_in": w_in, "w_out": w_out, "n_prune": n_prune, "shape": list(mask.shape), "dtype": str(mask.dtype),
            "keep": mask.detach().cpu().to(torch.uint8) if mask.dim() == 1 else None}


# ----------------------------------------------------------------- pruning a trained model

def _data(ctx, task: str):
    tasks = _tasks(ctx)
    x = tasks.inputs(ctx.seed * 3 + 1, SETTINGS["n_train"])
    return x, tasks.labels_for(ctx.seed, task, x)


def _dense_state(ctx) -> dict:
    """The classifier trained densely on task A (the harness's own training), once per seed."""
    if ctx.seed not in _DENSE:
        tasks = _tasks(ctx)
        x, y = _data(ctx, "A")
        model = tasks.train_dense(tasks.build_model(SETTINGS, ctx.seed), x, y, steps=SETTINGS["dense_steps"],
                                  batch_size=SETTINGS["batch_size"], lr=SETTINGS["dense_lr"],
                                  generator=torch.Generator().manual_seed(ctx.seed))
        _DENSE[ctx.seed] = {k: v.detach().clone() for k, v in model.state_dict().items()}
    return _DENSE[ctx.seed]


def _fresh_dense(ctx):
    tasks = _tasks(ctx)
    model = tasks.build_model(SETTINGS, 0)
    model.load_state_dict(_dense_state(ctx))
    return model


def _optimizer(model):
    return torch.optim.AdamW(model.parameters(), lr=SETTINGS["lr"], weight_decay=SETTINGS["weight_decay"])


def _weights(model) -> dict:
    return {n: p.detach().float().cpu().clone() for n, p in model.named_parameters()}


@case
def magnitude_training(student, ctx):
    tasks = _tasks(ctx)
    rng = _rng(ctx, "magnitude")
    sparsity = 0.75 if ctx.visible else rng.choice([0.5, 0.6, 0.7, 0.75])
    scope = "global" if ctx.visible else rng.choice(["global", "layer"])
    model = _fresh_dense(ctx)
    dense = _weights(model)
    ctx.show(magnitude_training=f"MLP(16 -> {SETTINGS['hidden']} -> {SETTINGS['hidden']} -> 4) trained on task A; "
                                f"magnitude_masks({list(tasks.PRUNABLE)}, sparsity={sparsity}, scope={scope!r}); "
                                f"apply_masks; train_pruned for {SETTINGS['finetune_steps']} steps of "
                                f"{SETTINGS['batch_size']} with AdamW(lr={SETTINGS['lr']}, "
                                f"weight_decay={SETTINGS['weight_decay']})")
    params = dict(model.named_parameters())
    found = student.magnitude_masks({n: params[n] for n in tasks.PRUNABLE}, sparsity, scope)
    mask_record = _mask_out(found, tasks.PRUNABLE, {n: params[n].shape for n in tasks.PRUNABLE}, "magnitude_masks")
    student.apply_masks(model, found)
    after_apply = {n: int((params[n] == 0).sum()) for n in tasks.PRUNABLE}
    x, y = _data(ctx, "A")
    losses = student.train_pruned(model, found, _optimizer(model), x, y, steps=SETTINGS["finetune_steps"],
                                  batch_size=SETTINGS["batch_size"],
                                  generator=torch.Generator().manual_seed(ctx.seed + 1))
    if not isinstance(losses, (list, tuple)) or len(losses) != SETTINGS["finetune_steps"]:
        raise TypeError(f"train_pruned must return one loss per step ({SETTINGS['finetune_steps']} floats)")
    return {"sparsity": sparsity, "scope": scope, "settings": SETTINGS, "masks": mask_record,
            "zeros_after_apply": after_apply, "weights": _weights(model), "dense_weights": dense}


@case
def movement(student, ctx):
    tasks = _tasks(ctx)
    rng = _rng(ctx, "movement")
    sparsity = 0.6 if ctx.visible else rng.choice([0.5, 0.6, 0.7])
    model = _fresh_dense(ctx)
    ctx.show(movement=f"the task-A MLP adapted to task B with movement_prune(names={list(tasks.PRUNABLE)}, "
                      f"steps={SETTINGS['movement_steps']}, batch_size={SETTINGS['batch_size']}, sparsity={sparsity}) "
                      f"and AdamW(lr={SETTINGS['lr']}, weight_decay={SETTINGS['weight_decay']})")
    x, y = _data(ctx, "B")
    params = dict(model.named_parameters())
    found = student.movement_prune(model, _optimizer(model), x, y, names=list(tasks.PRUNABLE),
                                   steps=SETTINGS["movement_steps"], batch_size=SETTINGS["batch_size"],
                                   sparsity=sparsity, generator=torch.Generator().manual_seed(ctx.seed + 2))
    mask_record = _mask_out(found, tasks.PRUNABLE, {n: params[n].shape for n in tasks.PRUNABLE}, "movement_prune")
    return {"sparsity": sparsity, "settings": SETTINGS, "masks": mask_record, "weights": _weights(model)}
