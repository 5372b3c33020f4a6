"""Lab 42 harness (inside the sandbox): the student's learning-rate rules, timing and throughput code,
gradient noise scale and fixed-budget training at several batch sizes, on a tiny next-token model.

Timing is noisy on a shared machine, so the timing cases record what the grader can trust: how often the
student called the step function, how long each call really took (measured inside the step function),
and a re-measurement by the harness right after the student's. Held-out loss is computed by checks.py
from the returned weights; the held-out set never enters the sandbox."""
from __future__ import annotations

import bisect
import json
import random
import time

import torch
import torch.nn.functional as F
from torch import nn

from labkit.harness import case

VOCAB, CONTEXT = 16, 3
TRAIN_EXAMPLES = 3000
FIRST_CALL_S = 0.060          # a slow first call, as when caches, allocators or kernels warm up


class TinyLM(nn.Module):
    """Next-token model: embed the last CONTEXT tokens, one tanh layer, logits over the vocabulary."""

    def __init__(self, d_embed: int = 8, d_hidden: int = 32) -> None:
        super().__init__()
        self.embed = nn.Embedding(VOCAB, d_embed)
        self.hidden = nn.Linear(CONTEXT * d_embed, d_hidden)
        self.out = nn.Linear(d_hidden, VOCAB)

    def forward(self, contexts: torch.Tensor) -> torch.Tensor:     # (batch, CONTEXT) int64 -> (batch, VOCAB)
        return self.out(torch.tanh(self.hidden(self.embed(contexts).flatten(1))))


def _rng(ctx, name):
    return random.Random(f"{ctx.seed}:{name}")


def _model(init_seed: int) -> TinyLM:
    torch.manual_seed(init_seed)
    return TinyLM().double()


def _training_set(ctx, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """(contexts, next tokens) from a stream of the lab's Markov chain (data/transitions.json)."""
    cdf = torch.tensor(json.loads((ctx.data_dir / "transitions.json").read_text()), dtype=torch.float64).cumsum(1)
    cdf = cdf.tolist()
    uniforms = torch.rand(TRAIN_EXAMPLES + CONTEXT, generator=torch.Generator().manual_seed(seed),
                          dtype=torch.float64).tolist()
    tokens = [int(uniforms[0] * VOCAB)]
    for u in uniforms[1:]:
        tokens.append(min(bisect.bisect_left(cdf[tokens[-1]], u), VOCAB - 1))
    stream = torch.tensor(tokens)
    contexts = torch.stack([stream[i:i + CONTEXT] for i in range(TRAIN_EXAMPLES)])
    return contexts, stream[CONTEXT:].clone()


def _weights(model: nn.Module) -> dict:
    return {name: p.detach().clone() for name, p in model.named_parameters()}


def _number(value, what: str) -> float:
    if isinstance(value, torch.Tensor) and value.numel() == 1:
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{what} must return a float, got {type(value).__name__}")
    return float(value)


# ----------------------------------------------------------------- learning-rate rules

@case
def lr_rules(student, ctx):
    if ctx.visible:
        base_lr, base_batch, batches, peak, warmup = 0.1, 32, [32, 64, 256, 16], 0.8, 4
    else:
        rng = _rng(ctx, "lr_rules")
        base_lr, base_batch = rng.choice([0.01, 0.05, 0.1, 0.3]), rng.choice([8, 16, 32, 64])
        batches = [base_batch * rng.choice([1, 2, 3, 4, 8, 16]) for _ in range(3)] + [base_batch // 2]
        peak, warmup = rng.uniform(0.05, 2.0), rng.randint(2, 10)
    ctx.show(lr_rules=f"scale_learning_rate({base_lr}, {base_batch}, B, rule) for B in {batches}, rules linear and "
                      f"sqrt; warmup_learning_rate(step, {peak}, {warmup}) for steps 0..{warmup + 2}")
    scaled = {f"{rule} B={b}": _number(student.scale_learning_rate(base_lr, base_batch, b, rule), "scale_learning_rate")
              for rule in ("linear", "sqrt") for b in batches}
    warm = [_number(student.warmup_learning_rate(step, peak, warmup), "warmup_learning_rate")
            for step in range(warmup + 3)]
    try:
        student.scale_learning_rate(base_lr, base_batch, batches[0], "cubic")
        unknown_rule = "no error"
    except ValueError:
        unknown_rule = "ValueError"
    return {"scaled": scaled, "warmup": warm, "unknown_rule": unknown_rule}


# ----------------------------------------------------------------- timing

class RecordedStep:
    """A step function whose every call is timed from the inside (the grader's ground truth)."""

    def __init__(self, work, first_call_s: float = 0.0) -> None:
        self.work, self.first_call_s = work, first_call_s
        self.durations: list[float] = []

    def __call__(self) -> None:
        started = time.perf_counter()
        if not self.durations and self.first_call_s:
            time.sleep(self.first_call_s)
        self.work()
        self.durations.append(time.perf_counter() - started)


@case
def timing(student, ctx):
    if ctx.visible:
        delay, warmup, timed = 0.005, 2, 6
    else:
        rng = _rng(ctx, "timing")
        delay, warmup, timed = rng.uniform(0.008, 0.016), rng.randint(1, 2), rng.randint(4, 6)
    ctx.show(timing=f"time_steps(step_fn, warmup_steps={warmup}, timed_steps={timed}); the first call of step_fn "
                    f"is slow ({FIRST_CALL_S * 1000:.0f} ms), the others about {delay * 1000:.1f} ms")
    step = RecordedStep(lambda: time.sleep(delay), first_call_s=FIRST_CALL_S)
    reported = _number(student.time_steps(step, warmup, timed), "time_steps")
    return {"reported": reported, "durations": step.durations, "warmup_steps": warmup, "timed_steps": timed}


def _step_factory(ctx, overhead_s: float):
    """make_step(B): one SGD step of a tiny model on a batch of B examples, after a fixed 'data loading'
    pause, as on a real input pipeline: larger batches amortise the per-step cost."""
    contexts, targets = _training_set(ctx, ctx.seed % 2**31 + 7)

    def make_step(batch_size: int):
        if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size < 1:
            raise TypeError(f"make_step takes a positive int batch size, got {batch_size!r}")
        model = _model(0)
        batch = torch.arange(batch_size) % len(targets)

        def work():
            time.sleep(overhead_s)
            model.zero_grad()
            F.cross_entropy(model(contexts[batch]), targets[batch]).backward()
            with torch.no_grad():         # plain SGD by hand: torch.optim would import torch._dynamo (~1.5 s)
                for param in model.parameters():
                    param -= 0.05 * param.grad
        return RecordedStep(work)
    return make_step


@case
def throughput(student, ctx):
    rng = _rng(ctx, "throughput")
    batch_sizes = [1, 4, 16, 64] if ctx.visible else sorted(rng.sample([1, 2, 4, 8, 16, 32, 64, 128], 4))
    overhead = 0.002 if ctx.visible else rng.uniform(0.001, 0.004)
    seq_len, warmup, timed = CONTEXT + 1, 1, 4
    made = []
    base_factory = _step_factory(ctx, overhead)

    def make_step(batch_size):
        step = base_factory(batch_size)
        made.append((batch_size, step))
        return step

    rows = student.throughput_table(make_step, list(batch_sizes), seq_len, warmup, timed)
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise TypeError("throughput_table must return a list of dicts, one per batch size")
    keys = ("batch_size", "seconds_per_step", "examples_per_second", "tokens_per_second")
    clean = []
    for row in rows:
        missing = [k for k in keys if k not in row]
        if missing:
            raise ValueError(f"a throughput_table row lacks {missing}; each row needs the keys {list(keys)}")
        clean.append({k: _number(row[k], f"throughput_table's {k!r}") for k in keys})
    inside = {str(b): list(step.durations) for b, step in made}
    remeasured = {}
    for batch_size in batch_sizes:       # the grader's own measurement, right after the student's
        step = base_factory(batch_size)
        for _ in range(warmup + timed):
            step()
        remeasured[str(batch_size)] = sum(step.durations[warmup:]) / timed
    return {"rows": clean, "batch_sizes": batch_sizes, "seq_len": seq_len, "warmup_steps": warmup,
            "timed_steps": timed, "overhead_s": overhead, "inside": inside, "remeasured": remeasured}


# ----------------------------------------------------------------- gradient noise scale

def _batches(contexts, targets, generator, size, count):
    order = torch.randperm(len(targets), generator=generator)[:size * count]
    return [(contexts[order[i * size:(i + 1) * size]], targets[order[i * size:(i + 1) * size]]) for i in range(count)]


@case
def grad_norm(student, ctx):
    contexts, targets = _training_set(ctx, ctx.seed % 2**31 + 11)
    generator = torch.Generator().manual_seed(ctx.seed % 2**31)
    model = _model(ctx.seed % 2**31)
    sizes = [5, 12] if ctx.visible else [_rng(ctx, "grad_norm").randint(2, 40) for _ in range(2)]
    values = []
    for size in sizes:                       # twice in a row: the second call must not see the first's .grad
        (x, y), = _batches(contexts, targets, generator, size, 1)
        values.append(_number(student.grad_sq_norm(model, F.cross_entropy, x, y), "grad_sq_norm"))
    return {"batch_sizes": sizes, "values": values}


@case
def noise_scale(student, ctx):
    contexts, targets = _training_set(ctx, ctx.seed % 2**31 + 13)
    generator = torch.Generator().manual_seed(ctx.seed % 2**31 + 1)
    if ctx.visible:
        b_small, n_small, b_large, n_large = 4, 16, 64, 4
    else:
        rng = _rng(ctx, "noise_scale")
        b_small, n_small = rng.choice([2, 4, 8]), rng.randint(8, 20)
        b_large, n_large = rng.choice([64, 96, 128]), rng.randint(3, 6)
    ctx.show(noise_scale=f"gradient_noise_scale on a freshly initialised model: {n_small} batches of {b_small} and "
                         f"{n_large} batches of {b_large} examples, loss_fn=F.cross_entropy")
    model = _model(ctx.seed % 2**31 + 2)
    small = _batches(contexts, targets, generator, b_small, n_small)
    large = _batches(contexts, targets, generator, b_large, n_large)
    result = student.gradient_noise_scale(model, F.cross_entropy, small, large)
    keys = ("g2_small", "g2_large", "grad_sq", "trace_sigma", "b_simple")
    if not isinstance(result, dict) or any(k not in result for k in keys):
        raise TypeError(f"gradient_noise_scale must return a dict with the keys {list(keys)}")
    return {k: _number(result[k], f"gradient_noise_scale's {k!r}") for k in keys}


# ----------------------------------------------------------------- fixed-budget training

def _study_config(ctx) -> dict:
    if ctx.visible:
        return dict(base_batch_size=8, batch_sizes=[8, 32, 128], base_lr=0.2, examples_budget=1536)
    rng = _rng(ctx, "study")
    return dict(base_batch_size=8, batch_sizes=[8, 32, 128], base_lr=rng.choice([0.15, 0.2]),
                examples_budget=rng.choice([1024, 1536]))


@case
def study(student, ctx):
    config = _study_config(ctx)
    seed = _rng(ctx, "study-seed").randint(0, 10_000)
    contexts, targets = _training_set(ctx, ctx.seed % 2**31)
    ctx.show(study=f"train_with_batch_size for batch sizes {config['batch_sizes']} (base {config['base_batch_size']}, "
                   f"base_lr {config['base_lr']}, linear rule, warmup_steps = batch_size // base_batch_size), "
                   f"examples_budget {config['examples_budget']}, seed {seed}, the same initial weights for each")
    runs = {}
    for batch_size in config["batch_sizes"]:
        model = _model(seed)
        losses = student.train_with_batch_size(
            model, contexts.clone(), targets.clone(), batch_size=batch_size, base_batch_size=config["base_batch_size"],
            base_lr=config["base_lr"], warmup_steps=batch_size // config["base_batch_size"],
            examples_budget=config["examples_budget"], seed=seed, rule="linear")
        steps = config["examples_budget"] // batch_size
        if not isinstance(losses, (list, tuple)) or len(losses) != steps:
            raise TypeError(f"train_with_batch_size must return one loss per step ({steps} for batch size "
                            f"{batch_size}), got {type(losses).__name__}"
                            + (f" of length {len(losses)}" if isinstance(losses, (list, tuple)) else ""))
        runs[str(batch_size)] = {"weights": _weights(model), "losses": [float(v) for v in losses]}
    return {"config": config, "runs": runs}
