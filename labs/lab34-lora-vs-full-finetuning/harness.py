"""Lab 34 harness (inside the sandbox): the student's LoRA wrapping, parameter counts, Adam-state size,
fine-tuning loop and efficiency report, run for full fine-tuning and LoRA at several ranks on the same
data, budget and seed.

Everything a report states is re-measured here: parameter counts from requires_grad, the optimizer's
state from the real torch.optim.AdamW's tensors, and time per step twice: from the inside (the harness's
loss function records when each step calls it; its first call is slow on purpose, as a real first step
is) and by the harness's own timing loop right after. The held-out loss of each method is computed by
checks.py from the returned weights; the held-out sentences never enter the sandbox."""
from __future__ import annotations

import contextlib
import importlib.util
import random
import sys
import time

import torch
from torch import nn

from labkit.harness import case

ALL_TARGETS = ["q_proj", "k_proj", "v_proj", "o_proj", "up_proj", "down_proj"]
FIRST_CALL_S = 0.05          # a slow first step, as when kernels, caches and the allocator warm up
REMEASURE_STEPS = 4
REPORT_KEYS = ("trainable_params", "total_params", "trainable_share", "optimizer_state_bytes",
               "checkpoint_bytes", "seconds_per_step")


def _tinylm(ctx):
    if "tinylm" not in sys.modules:
        spec = importlib.util.spec_from_file_location("tinylm", ctx.data_dir / "tinylm.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules["tinylm"] = module
        spec.loader.exec_module(module)
    return sys.modules["tinylm"]


def _rng(ctx, name):
    return random.Random(f"{ctx.seed}:{name}")


class SyncHook:
    """The synchronize() handed to fine_tune: torch.cuda.synchronize on a GPU, nothing on a CPU, and on
    both it records when it was called, so the grader sees whether the clock was read after a sync."""

    def __init__(self, device: str):
        self.device = device
        self.calls: list[float] = []

    def __call__(self) -> None:
        if self.device == "cuda":
            torch.cuda.synchronize()
        self.calls.append(time.perf_counter())


def _int(value, what: str) -> int:
    if isinstance(value, torch.Tensor) and value.numel() == 1:
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{what} must be an int, got {type(value).__name__} {value!r}")
    return value


def _float(value, what: str) -> float:
    if isinstance(value, torch.Tensor) and value.numel() == 1:
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{what} must be a float, got {type(value).__name__} {value!r}")
    return float(value)


def _trainable_list(student, model, where: str) -> list[nn.Parameter]:
    params = student.trainable_parameters(model)
    if not isinstance(params, (list, tuple)) or not all(isinstance(p, nn.Parameter) for p in params):
        raise TypeError(f"trainable_parameters must return a list of nn.Parameter ({where})")
    owned = {id(p) for p in model.parameters()}
    if any(id(p) not in owned for p in params):
        raise ValueError(f"trainable_parameters returned a tensor that is not a parameter of the model ({where})")
    if len({id(p) for p in params}) != len(params):
        raise ValueError(f"trainable_parameters lists a parameter twice ({where}): the optimizer would update it "
                         "twice per step")
    return list(params)


def _names(model, params) -> list[str]:
    by_id = {id(p): name for name, p in model.named_parameters()}
    return sorted(by_id[id(p)] for p in params)


def _lora_spec(ctx):
    if ctx.visible:
        return {"targets": ["q_proj", "v_proj"], "r": 2, "alpha": 4.0}
    rng = _rng(ctx, "counts")
    targets = sorted(rng.sample(ALL_TARGETS, rng.randint(1, 4)), key=ALL_TARGETS.index)
    return {"targets": targets, "r": rng.choice([1, 2, 4, 8, 16]), "alpha": float(rng.choice([4, 8, 16, 32]))}


# ----------------------------------------------------------------- parameter counts

@case
def counts(student, ctx):
    tinylm = _tinylm(ctx)
    spec = _lora_spec(ctx)
    model = tinylm.load_base(ctx.data_dir, ctx.config)
    ids = tinylm.general_ids(4, ctx.seed)
    with torch.no_grad():
        base_logits = model(ids)
    full = student.count_parameters(model)
    returned = student.add_lora(model, list(spec["targets"]), r=spec["r"], alpha=spec["alpha"])
    if returned is not model:
        raise TypeError("add_lora must wrap the layers in place and return the same model")
    lora = student.count_parameters(model)
    params = _trainable_list(student, model, "after add_lora")
    with torch.no_grad():
        logits = model(ids)
    arch = tinylm.architecture(ctx.config)
    ctx.show(model=f"the lab's base model ({arch}); count_parameters before and after add_lora(model, "
                   f"{spec['targets']}, r={spec['r']}, alpha={spec['alpha']})")
    for what, value in (("full", full), ("lora", lora)):
        if not isinstance(value, dict) or set(value) != {"trainable", "total"}:
            raise TypeError(f"count_parameters must return {{'trainable': int, 'total': int}}, got {value!r}")
    return {**spec, "full": {k: _int(v, f"count_parameters()[{k!r}]") for k, v in full.items()},
            "lora": {k: _int(v, f"count_parameters()[{k!r}]") for k, v in lora.items()},
            "actual_trainable": sum(p.numel() for p in model.parameters() if p.requires_grad),
            "actual_total": sum(p.numel() for p in model.parameters()),
            "trainable_names": _names(model, params),
            "requires_grad_names": sorted(n for n, p in model.named_parameters() if p.requires_grad),
            "start_gap": float((logits - base_logits).abs().max())}


# ----------------------------------------------------------------- Adam state

DTYPES = {"float32": torch.float32, "float64": torch.float64, "bfloat16": torch.bfloat16, "float16": torch.float16}


def _adam_spec(ctx):
    if ctx.visible:
        return {"shapes": [[4, 3], [3]], "dtypes": ["float32", "float32"], "amsgrad": False}
    rng = _rng(ctx, "adam")
    n = rng.randint(3, 6)
    shapes = [[rng.randint(1, 40) for _ in range(rng.randint(0, 3))] for _ in range(n)]
    return {"shapes": shapes, "dtypes": [rng.choice(list(DTYPES)) for _ in range(n)], "amsgrad": rng.random() < 0.5}


@case
def adam_state(student, ctx):
    spec = _adam_spec(ctx)
    gen = ctx.torch_generator()
    params = [nn.Parameter(torch.randn(list(shape), generator=gen).to(DTYPES[dtype]))
              for shape, dtype in zip(spec["shapes"], spec["dtypes"])]
    ctx.show(parameters=[f"{tuple(s)} {d}" for s, d in zip(spec["shapes"], spec["dtypes"])], amsgrad=spec["amsgrad"])
    predicted = _int(student.adam_state_bytes(list(params), amsgrad=spec["amsgrad"]), "adam_state_bytes")
    optimizer = torch.optim.AdamW(params, lr=1e-3, amsgrad=spec["amsgrad"], foreach=False)
    for p in params:
        p.grad = torch.randn(list(p.shape), generator=gen).to(p.dtype)
    optimizer.step()
    measured = {name: sum(v.nbytes for v in state.values() if torch.is_tensor(v))
                for name, state in zip([f"param {i}" for i in range(len(params))],
                                       (optimizer.state[p] for p in params))}
    return {**spec, "predicted": predicted, "measured": sum(measured.values()), "per_param": measured,
            "numels": [p.numel() for p in params], "element_sizes": [p.element_size() for p in params]}


# ----------------------------------------------------------------- the comparison

class RecordedLoss:
    """The loss function handed to fine_tune: next-token cross-entropy (under autocast when the size asks
    for AMP) that records when each step called it and what batch it got: the grader's inner clock."""

    def __init__(self, lm_loss, device: str, amp: str | None, first_call_s: float):
        self.lm_loss, self.device, self.first_call_s = lm_loss, device, first_call_s
        self.dtype = {"bf16": torch.bfloat16, "fp16": torch.float16}.get(amp or "")
        self.calls: list[float] = []
        self.shapes: list[list[int]] = []

    def __call__(self, model, batch):
        if not isinstance(batch, torch.Tensor):
            raise TypeError(f"loss_fn(model, batch) takes the batch as a tensor of token ids, got {type(batch).__name__}")
        self.calls.append(time.perf_counter())
        self.shapes.append(list(batch.shape))
        if len(self.calls) == 1 and self.first_call_s:
            time.sleep(self.first_call_s)
        context = (torch.autocast(device_type=self.device, dtype=self.dtype) if self.dtype
                   else contextlib.nullcontext())
        with context:
            return self.lm_loss(model, batch)


def _methods(config) -> list[tuple[str, int | None]]:
    return [("full", None)] + [(f"lora_r{r}", int(r)) for r in config["ranks"]]


def _remeasure(model, optimizer, data, loss, batch_size, generator, synchronize) -> float:
    """The harness's own seconds per step on the same model and optimizer (one warm-up step first)."""
    durations = []
    for _ in range(1 + REMEASURE_STEPS):
        synchronize()
        started = time.perf_counter()
        batch = data[torch.randint(len(data), (batch_size,), generator=generator).to(data.device)]
        value = loss(model, batch)
        optimizer.zero_grad()
        value.backward()
        optimizer.step()
        synchronize()
        durations.append(time.perf_counter() - started)
    return sum(durations[1:]) / REMEASURE_STEPS


def _report(student, model, optimizer, seconds) -> dict:
    report = student.efficiency_report(model, optimizer, seconds)
    if not isinstance(report, dict):
        raise TypeError(f"efficiency_report must return a dict, got {type(report).__name__}")
    missing = [k for k in REPORT_KEYS if k not in report]
    if missing:
        raise ValueError(f"efficiency_report lacks {missing}; it needs the keys {list(REPORT_KEYS)}")
    return {k: (_float if k in ("trainable_share", "seconds_per_step") else _int)(report[k],
                                                                                    f"efficiency_report's {k!r}")
            for k in REPORT_KEYS}


def _run_method(student, ctx, tinylm, data, name, rank):
    config, device = ctx.config, ctx.device
    synchronize = SyncHook(device)
    model = tinylm.load_base(ctx.data_dir, config).to(device)
    if rank is not None:
        returned = student.add_lora(model, list(config["targets"]), r=rank, alpha=float(config["alpha"]))
        if returned is not model:
            raise TypeError("add_lora must wrap the layers in place and return the same model")
    params = _trainable_list(student, model, name)
    if not params:
        raise ValueError(f"{name}: trainable_parameters returned no parameters, so nothing would train")
    lr = config["lr_full"] if rank is None else config["lr_lora"]
    optimizer = torch.optim.AdamW(params, lr=lr, weight_decay=0.0)
    loss = RecordedLoss(tinylm.lm_loss, device, config.get("amp"), FIRST_CALL_S)
    result = student.fine_tune(model, optimizer, data, loss, steps=config["steps"], batch_size=config["batch_size"],
                               warmup_steps=config["warmup_steps"], generator=torch.Generator().manual_seed(ctx.seed),
                               synchronize=synchronize)
    returned_at = time.perf_counter()
    if not isinstance(result, dict) or not {"losses", "seconds_per_step"} <= set(result):
        raise TypeError("fine_tune must return {'losses': [float, ...], 'seconds_per_step': float}")
    losses = result["losses"]
    if not isinstance(losses, (list, tuple)):
        raise TypeError(f"fine_tune's 'losses' must be a list of floats, got {type(losses).__name__}")
    seconds = _float(result["seconds_per_step"], "fine_tune's 'seconds_per_step'")
    report = _report(student, model, optimizer, seconds)
    weights = {n: p.detach().float().cpu().clone() for n, p in model.named_parameters() if p.requires_grad}
    state_bytes = sum(v.nbytes for state in optimizer.state.values() for v in state.values() if torch.is_tensor(v))
    counted = {"trainable_params": sum(p.numel() for p in model.parameters() if p.requires_grad),
               "total_params": sum(p.numel() for p in model.parameters()),
               "optimizer_state_bytes": state_bytes,
               "checkpoint_bytes": sum(p.numel() * p.element_size() for p in model.parameters() if p.requires_grad),
               "optimizer_params": sum(p.numel() for group in optimizer.param_groups for p in group["params"])}
    syncs = list(synchronize.calls)
    remeasured = _remeasure(model, optimizer, data, RecordedLoss(tinylm.lm_loss, device, config.get("amp"), 0.0),
                            config["batch_size"], torch.Generator().manual_seed(ctx.seed + 1), SyncHook(device))
    return {"rank": rank, "losses": [_float(v, "a loss in fine_tune's 'losses'") for v in losses],
            "report": report, "counted": counted, "weights": weights, "calls": loss.calls,
            "batch_shapes": loss.shapes, "syncs": syncs, "returned_at": returned_at, "remeasured": remeasured}


@case
def comparison(student, ctx):
    tinylm = _tinylm(ctx)
    config = ctx.config
    style = tinylm.HouseStyle(ctx.seed)
    data = style.train_ids(config["n_train"], ctx.seed).to(ctx.device)
    methods = _methods(config)
    ctx.show(comparison=f"on the {ctx.size} size ({tinylm.architecture(config)}, device {ctx.device}): "
                        f"{[m for m, _ in methods]} each fine-tune a fresh copy of the base for {config['steps']} "
                        f"steps of batch {config['batch_size']} on {config['n_train']} house-style sentences "
                        f"(lr_full {config['lr_full']}, lr_lora {config['lr_lora']}, LoRA on {config['targets']} "
                        f"with alpha {config['alpha']}), the same generator seed for each")
    runs = {name: _run_method(student, ctx, tinylm, data, name, rank) for name, rank in methods}
    return {"config": dict(config), "size": ctx.size, "device": ctx.device, "runs": runs}
