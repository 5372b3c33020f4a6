"""Lab 46 harness (inside the sandbox): the student's soft targets and distillation loss on seeded logits
(value and gradients), and a distillation run: the harness trains a wide teacher on plenty of text, gives
it and a small transfer set to the student's `distill`, and trains the same small student on the same
transfer set without the teacher (the baseline). Both students' weights go back to checks.py, which
scores them on held-out text that never enters the sandbox."""
from __future__ import annotations

import importlib.util
import random
import sys

import torch

from labkit.harness import case

VISIBLE_LOGITS = [[2.0, 1.0, 0.1, -1.0, 0.5], [0.0, 0.0, 3.0, 1.0, -2.0]]


def _markov(ctx):
    if "lab46_markov" not in sys.modules:
        spec = importlib.util.spec_from_file_location("lab46_markov", ctx.data_dir / "markov.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules["lab46_markov"] = module
        spec.loader.exec_module(module)
    return sys.modules["lab46_markov"]


def _rng(ctx, name):
    return random.Random(f"{ctx.seed}:{name}")


def _tensor_out(value, name: str) -> torch.Tensor:
    if not isinstance(value, torch.Tensor):
        raise TypeError(f"{name} must return a torch.Tensor, got {type(value).__name__}")
    return value


# ----------------------------------------------------------------- soft targets

@case
def soft_targets(student, ctx):
    if ctx.visible:
        logits, temperature = torch.tensor(VISIBLE_LOGITS), 2.0
    else:
        rng = _rng(ctx, "soft")
        gen = torch.Generator().manual_seed(ctx.seed)
        shape = [rng.randint(1, 3), rng.randint(2, 5), rng.randint(3, 11)]
        dtype = rng.choice([torch.float32, torch.float64])
        logits = (torch.randn(shape, generator=gen, dtype=torch.float64) * rng.choice([3.0, 60.0])).to(dtype)
        temperature = rng.choice([0.5, 1.0, 2.0, 5.0])
    ctx.show(soft_targets=f"soft_targets(logits {tuple(logits.shape)} {logits.dtype}, temperature={temperature})"
             + (f"; logits = {VISIBLE_LOGITS}" if ctx.visible else ""))
    probs = _tensor_out(student.soft_targets(logits.clone(), temperature), "soft_targets")
    return {"logits": logits, "temperature": temperature, "probs": probs.detach(), "dtype": str(probs.dtype),
            "shape": list(probs.shape)}


# ----------------------------------------------------------------- the distillation loss

def _loss_inputs(ctx) -> dict:
    if ctx.visible:
        gen = torch.Generator().manual_seed(46)
        student = torch.randn(4, 5, generator=gen)
        teacher = torch.randn(4, 5, generator=gen) * 2.0
        labels = torch.tensor([0, 3, 2, 4])
        return {"student": student, "teacher": teacher, "labels": labels, "temperature": 2.0, "alpha": 0.5}
    rng = _rng(ctx, "loss")
    gen = torch.Generator().manual_seed(ctx.seed + 4600)
    batch, length, vocab = rng.randint(2, 4), rng.randint(3, 7), rng.randint(5, 17)
    dtype = rng.choice([torch.float32, torch.float64])
    student = torch.randn(batch, length, vocab, generator=gen, dtype=torch.float64).mul(2.0).to(dtype)
    teacher = torch.randn(batch, length, vocab, generator=gen, dtype=torch.float64).mul(4.0).to(dtype)
    labels = torch.randint(vocab, (batch, length), generator=gen)
    labels[0, -1] = -100                                   # padding: counted in neither term
    labels[torch.rand(batch, length, generator=gen) < 0.25] = -100
    labels[-1, 0] = rng.randrange(vocab)                   # at least one counted position
    return {"student": student, "teacher": teacher, "labels": labels,
            "temperature": rng.choice([1.5, 2.0, 3.0, 4.0, 8.0]), "alpha": rng.choice([0.0, 0.25, 0.5, 0.9])}


@case
def kd_loss(student, ctx):
    inputs = _loss_inputs(ctx)
    ctx.show(kd_loss=f"distillation_loss(student_logits {tuple(inputs['student'].shape)} {inputs['student'].dtype}, "
                     f"teacher_logits {tuple(inputs['teacher'].shape)}, labels {tuple(inputs['labels'].shape)} "
                     f"({int((inputs['labels'] == -100).sum())} of them -100), temperature={inputs['temperature']}, "
                     f"alpha={inputs['alpha']})"
                     + (f"; student_logits = {inputs['student'].tolist()}, teacher_logits = "
                        f"{inputs['teacher'].tolist()}, labels = {inputs['labels'].tolist()}" if ctx.visible else ""))
    student_logits = inputs["student"].clone().requires_grad_(True)
    teacher_logits = inputs["teacher"].clone().requires_grad_(True)
    loss = _tensor_out(student.distillation_loss(student_logits, teacher_logits, inputs["labels"].clone(),
                                                 inputs["temperature"], inputs["alpha"]), "distillation_loss")
    out = {**inputs, "loss": float(loss.detach().double()) if loss.numel() == 1 else None,
           "loss_shape": list(loss.shape), "loss_dtype": str(loss.dtype), "grad_student": None, "grad_teacher": None}
    if loss.numel() == 1 and loss.requires_grad:
        loss.backward()
        out["grad_student"] = None if student_logits.grad is None else student_logits.grad.detach()
        out["grad_teacher"] = None if teacher_logits.grad is None else teacher_logits.grad.detach()
    return out


# ----------------------------------------------------------------- distillation run

def _setting(ctx) -> dict:
    config = dict(ctx.config)
    if not ctx.visible:
        rng = _rng(ctx, "training")
        config["temperature"] = rng.choice([2.0, 3.0, 4.0])
        config["alpha"] = rng.choice([0.1, 0.3, 0.5])
    return config


def _weights(model) -> dict:
    return {n: p.detach().float().cpu().clone() for n, p in model.named_parameters()}


@case
def training(student, ctx):
    markov = _markov(ctx)
    config, device = _setting(ctx), ctx.device
    contexts, targets = markov.examples(ctx.seed, ctx.seed + 1, config, config["teacher_examples"])
    teacher = markov.train_hard(markov.build_teacher(config, ctx.seed).to(device), contexts.to(device),
                                targets.to(device), steps=config["teacher_steps"], batch_size=config["teacher_batch"],
                                lr=config["teacher_lr"], generator=torch.Generator().manual_seed(ctx.seed + 1))
    teacher_before = _weights(teacher)
    transfer_x, transfer_y = markov.examples(ctx.seed, ctx.seed + 2, config, config["n_transfer"])
    transfer_x, transfer_y = transfer_x.to(device), transfer_y.to(device)
    ctx.show(training=f"distill on {device} ({ctx.size} size): teacher TinyLM({config['teacher_embed']}, "
                      f"{config['teacher_hidden']}) trained on {config['teacher_examples']} examples; student "
                      f"TinyLM({config['student_embed']}, {config['student_hidden']}) on {config['n_transfer']} transfer "
                      f"examples, {config['steps']} steps of {config['batch_size']}, AdamW(lr={config['lr']}), "
                      f"temperature={config['temperature']}, alpha={config['alpha']}")
    model = markov.build_student(config, ctx.seed).to(device)
    optimizer = torch.optim.AdamW(model.parameters(), lr=config["lr"], weight_decay=0.0)
    losses = student.distill(model, teacher, optimizer, transfer_x, transfer_y, steps=config["steps"],
                             batch_size=config["batch_size"], temperature=config["temperature"],
                             alpha=config["alpha"], generator=torch.Generator().manual_seed(ctx.seed + 3))
    if not isinstance(losses, (list, tuple)) or len(losses) != config["steps"]:
        raise TypeError(f"distill must return one loss per step ({config['steps']} floats)")
    teacher_after = _weights(teacher)
    teacher_changed = any(not torch.equal(teacher_before[n], teacher_after[n]) for n in teacher_before)
    baseline = markov.train_hard(markov.build_student(config, ctx.seed).to(device), transfer_x, transfer_y,
                                 steps=config["steps"], batch_size=config["batch_size"], lr=config["lr"],
                                 generator=torch.Generator().manual_seed(ctx.seed + 3))
    return {"config": config, "losses": [float(v) for v in losses], "teacher_changed": teacher_changed,
            "weights": _weights(model), "baseline_weights": _weights(baseline)}
