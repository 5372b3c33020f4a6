"""Lab 26 harness (runs inside the sandbox). It hands the student's sweep a model factory and the data,
counts the optimizer steps of every run through a global optimizer hook, then re-runs the chosen
configuration through the student's run_experiment. The table, the re-run and the choice are judged in
checks.py, outside the sandbox, from the returned weights: validation and held-out losses are
re-measured there, never taken from the student's numbers."""
import importlib.util
import math
import random
import sys
from pathlib import Path

import torch
from torch.optim.optimizer import register_optimizer_step_post_hook

from labkit.harness import case


def _load_tiny_lm():
    spec = importlib.util.spec_from_file_location("lab26_tiny_lm", Path(__file__).parent / "data" / "tiny_lm.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


lm = _load_tiny_lm()
STEPS, N_TRAIN, N_VAL = 20, 1500, 200
BASELINE = {"lr": 1e-3, "batch_size": 16, "warmup_steps": 0, "weight_decay": 0.0}
VISIBLE_GRID = {"lr": [3e-2, 2e-1]}
HYPER_PARAMETERS = tuple(BASELINE)
WEIGHT_SHAPES = {name: tuple(t.shape) for name, t in
                 lm.TinyCausalLM(len(lm.vocabulary()), **lm.MODEL_CONFIG).state_dict().items()}


def hidden_grid(seed: int) -> dict[str, list]:
    rng = random.Random(f"grid:{seed}")
    return {"lr": [rng.choice([2e-2, 3e-2, 5e-2]), rng.choice([1.5e-1, 2e-1])], "batch_size": [rng.choice([8, 32])],
            "warmup_steps": [rng.choice([3, 5])], "weight_decay": [rng.choice([0.05, 0.1, 0.3])]}


def _number(value, what: str) -> float:
    if isinstance(value, torch.Tensor) and value.numel() == 1:
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise TypeError(f"{what} must be a finite float, got {value!r:.60}")
    return float(value)


def _weights(state_dict, what: str) -> dict:
    if not isinstance(state_dict, dict) or set(state_dict) != set(WEIGHT_SHAPES):
        raise ValueError(f"{what} must be the trained model's state_dict() (keys {sorted(WEIGHT_SHAPES)[:3]}...)")
    for name, tensor in state_dict.items():
        if not isinstance(tensor, torch.Tensor) or tuple(tensor.shape) != WEIGHT_SHAPES[name]:
            raise ValueError(f"{what}['{name}'] must be a tensor of shape {WEIGHT_SHAPES[name]}")
    return {name: tensor.detach().float().numpy().copy() for name, tensor in state_dict.items()}


def _config(value, what: str) -> dict:
    if not isinstance(value, dict) or set(value) != set(HYPER_PARAMETERS):
        raise ValueError(f"{what} must be a dict with exactly the keys {list(HYPER_PARAMETERS)}")
    return {k: _number(value[k], f"{what}['{k}']") for k in HYPER_PARAMETERS}


def _row(value, index: int) -> dict:
    if not isinstance(value, dict) or not {"config", "val_loss", "state_dict"} <= set(value):
        raise TypeError(f"row {index} of the sweep must be a dict with 'config', 'val_loss' and 'state_dict' "
                        "(what run_experiment returns)")
    return {"config": _config(value["config"], f"row {index} config"),
            "val_loss": _number(value["val_loss"], f"row {index} val_loss"),
            "weights": _weights(value["state_dict"], f"row {index} state_dict")}


class RunLedger:
    """What the harness sees of each run: the seed it asked make_model for and the optimizer steps after."""

    def __init__(self):
        self.runs: list[dict] = []
        self._handle = register_optimizer_step_post_hook(self._count)

    def make_model(self, seed: int):
        self.runs.append({"seed": seed if isinstance(seed, int) else repr(seed), "steps": 0})
        return lm.build_model(seed)

    def _count(self, optimizer, args, kwargs) -> None:
        if self.runs:
            self.runs[-1]["steps"] += 1

    def close(self) -> list[dict]:
        self._handle.remove()
        return self.runs


# ------------------------------------------------------------------ cases

@case
def schedule(student, ctx):
    if ctx.visible:
        settings = [(1e-2, 5, 20)]
    else:
        rng = random.Random(f"schedule:{ctx.seed}")
        settings = [(rng.choice([3e-4, 1e-3, 6e-3]), rng.randint(0, 15), rng.randint(30, 80)) for _ in range(3)]
    ctx.show(calls=[f"[lr_at(step, peak_lr={p}, warmup_steps={w}, total_steps={t}) for step in range({t})]"
                    for p, w, t in settings])
    return [[_number(student.lr_at(step, p, w, t), "lr_at") for step in range(t)] for p, w, t in settings]


@case
def groups(student, ctx):
    if ctx.visible:
        return None  # graded on hidden seeds only
    model = lm.build_model(ctx.seed)
    decay = random.Random(f"decay:{ctx.seed}").choice([0.01, 0.1, 0.3])
    names = {id(p): name for name, p in model.named_parameters()}
    result = student.param_groups(model, decay)
    if not isinstance(result, (list, tuple)) or not all(isinstance(g, dict) and "params" in g for g in result):
        raise TypeError("param_groups must return a list of dicts, each with 'params' and 'weight_decay'")
    out = []
    for group in result:
        params = list(group["params"])
        if any(id(p) not in names for p in params):
            raise ValueError("param_groups must put the model's own parameters in the groups")
        out.append({"names": sorted(names[id(p)] for p in params),
                    "weight_decay": _number(group.get("weight_decay", 0.0), "weight_decay")})
    return {"groups": out, "weight_decay": decay, "all": sorted(names.values())}


@case
def sweep(student, ctx):
    grid = VISIBLE_GRID if ctx.visible else hidden_grid(ctx.seed)
    train, val = lm.token_ids(ctx.seed, "train", N_TRAIN), lm.token_ids(ctx.seed, "validation", N_VAL)
    ctx.show(call=f"sweep(baseline={BASELINE}, grid={grid}, make_model, train ({N_TRAIN} sentences), "
                  f"val ({N_VAL}), steps={STEPS}, seed={ctx.seed}); then choose(rows) and "
                  "run_experiment(rows[chosen]['config'], ...) once more")
    ledger = RunLedger()
    try:
        rows = student.sweep(dict(BASELINE), {k: list(v) for k, v in grid.items()}, ledger.make_model,
                             [list(s) for s in train], [list(s) for s in val], STEPS, ctx.seed)
        if not isinstance(rows, (list, tuple)) or not rows:
            raise TypeError("sweep must return a non-empty list of rows (one per configuration)")
        table = [_row(row, i) for i, row in enumerate(rows)]
        chosen = student.choose(list(rows))
        if isinstance(chosen, bool) or not isinstance(chosen, int) or not 0 <= chosen < len(rows):
            raise TypeError(f"choose must return the index of a row (0 to {len(rows) - 1}), got {chosen!r:.40}")
        sweep_runs = len(ledger.runs)
        rerun = student.run_experiment(dict(rows[chosen]["config"]), ledger.make_model, [list(s) for s in train],
                                       [list(s) for s in val], STEPS, ctx.seed)
    finally:
        runs = ledger.close()
    if not isinstance(rerun, dict) or "state_dict" not in rerun:
        raise TypeError("run_experiment must return a dict with 'config', 'val_loss' and 'state_dict'")
    return {"baseline": BASELINE, "grid": grid, "steps": STEPS, "seed": ctx.seed, "rows": table, "chosen": chosen,
            "runs": runs[:sweep_runs], "rerun_runs": runs[sweep_runs:],
            "rerun_weights": _weights(rerun["state_dict"], "run_experiment(...)['state_dict']")}
