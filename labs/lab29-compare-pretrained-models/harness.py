"""Lab 29 harness (inside the sandbox): the student's pooling, classifier, fine-tuning loop, confidence
intervals and model comparison on the two tiny pre-trained backbones from build_artifacts.py.

Test labels never enter the sandbox: the comparison returns predictions, and checks.py scores them.
The harness hands out backbones through a loader that counts how many fresh copies each model got and
how many training forward passes each copy ran, so the grader can see that both models had the same
budget and one fresh copy per seed."""
from __future__ import annotations

import csv
import hashlib
import json
import random
import sys

import torch
from torch import nn

from labkit.harness import case

NAMES = ("encoder-mlm", "decoder-clm")
COMPARISON = dict(steps=40, lr=3e-3, batch_size=16)          # the visible, full-budget comparison
HIDDEN_COMPARISON = dict(steps=6, lr=3e-3, batch_size=16)    # hidden seeds: protocol and intervals only
FINE_TUNE_CHECK = dict(steps=4, lr=3e-3, batch_size=8)
VISIBLE_SEEDS = [0, 1, 2]


def _rng(ctx, name):
    return random.Random(f"{ctx.seed}:{name}")


def _modeling(ctx):
    if str(ctx.data_dir) not in sys.path:
        sys.path.insert(0, str(ctx.data_dir))
    import modeling

    return modeling


def _tokenizer(ctx):
    vocab = json.loads((ctx.artifacts_dir / "vocab.json").read_text())
    return _modeling(ctx).WordTokenizer(vocab)


def _load(ctx, name: str) -> nn.Module:
    """A fresh copy of a pre-trained backbone (eval mode)."""
    from safetensors.torch import load_file

    folder = ctx.artifacts_dir / name
    config = json.loads((folder / "config.json").read_text())
    modeling_sha = hashlib.sha256((ctx.data_dir / "modeling.py").read_bytes()).hexdigest()
    if config.get("modeling_sha256") != modeling_sha:
        raise RuntimeError("the artifacts were built from another data/modeling.py: bump ARTIFACTS_VERSION in "
                           "build_artifacts.py so they are rebuilt")
    backbone = _modeling(ctx).build(config)
    backbone.load_state_dict(load_file(str(folder / "model.safetensors")))
    return backbone.eval()


def _rows(ctx, name: str) -> tuple[list[str], list[int]]:
    with open(ctx.data_dir / name, newline="") as f:
        rows = list(csv.DictReader(f))
    return [r["text"] for r in rows], [int(r["label"]) for r in rows]


def _tensor(value, what: str, shape: tuple) -> torch.Tensor:
    if not isinstance(value, torch.Tensor):
        raise TypeError(f"{what} must return a torch.Tensor, got {type(value).__name__}")
    if tuple(value.shape) != shape:
        raise ValueError(f"{what} returned shape {tuple(value.shape)} where {shape} was expected")
    return value.detach()


def _triple(value, what: str) -> list[float]:
    if not isinstance(value, (tuple, list)) or len(value) != 3:
        raise TypeError(f"{what} must return a tuple (mean, low, high)")
    return [float(v) for v in value]


# ----------------------------------------------------------------- pooling and the classifier

@case
def pool(student, ctx):
    if ctx.visible:
        lengths, seq, d = [3, 5, 1], 5, 4
    else:
        rng = _rng(ctx, "pool")
        seq, d = rng.randint(3, 9), rng.choice([4, 8, 16])
        lengths = [seq] + [rng.randint(1, seq) for _ in range(rng.randint(1, 4))]
    mask = (torch.arange(seq)[None, :] < torch.tensor(lengths)[:, None]).long()
    hidden = torch.randn(len(lengths), seq, d, generator=ctx.torch_generator())
    ctx.show(pool=f"hidden states of shape {tuple(hidden.shape)}, attention_mask rows with lengths {lengths} "
                  "(right padding)")
    shape = (len(lengths), d)
    out = {kind: _tensor(student.pool(hidden.clone(), mask.clone(), kind), f"pool(..., '{kind}')", shape)
           for kind in ("encoder", "decoder")}
    return dict(out, hidden=hidden, attention_mask=mask)         # the inputs, for the grader's diagnosis


def _texts(ctx, name: str, count: int) -> list[str]:
    texts, _ = _rows(ctx, "val.csv")
    return _rng(ctx, name).sample(texts, count)


@case
def classifier(student, ctx):
    tokenizer = _tokenizer(ctx)
    texts = _texts(ctx, "classifier", 6)
    gen = ctx.torch_generator()
    out = {}
    for name in NAMES:
        backbone = _load(ctx, name)
        model = student.Classifier(backbone, backbone.kind, num_labels=2)
        head = getattr(model, "head", None)
        if not isinstance(head, nn.Linear) or (head.in_features, head.out_features) != (backbone.d_model, 2):
            raise ValueError(f"Classifier needs self.head = nn.Linear(backbone.d_model, num_labels) = "
                             f"nn.Linear({backbone.d_model}, 2); got {head!r}")
        with torch.no_grad():
            head.weight.copy_(torch.randn(head.weight.shape, generator=gen))
            head.bias.copy_(torch.randn(head.bias.shape, generator=gen))
        model.eval()
        encoded = tokenizer(texts, backbone.kind)
        with torch.no_grad():
            logits = model(encoded["input_ids"], encoded["attention_mask"])
        out[name] = {"logits": _tensor(logits, "Classifier.forward", (len(texts), 2)),
                     "parameters": int(sum(p.numel() for p in model.parameters())),
                     "trainable": int(sum(p.numel() for p in model.parameters() if p.requires_grad))}
    return out


@case
def fine_tune(student, ctx):
    tokenizer = _tokenizer(ctx)
    texts, labels = _rows(ctx, "train.csv")
    seed = _rng(ctx, "fine_tune").randint(0, 10_000)
    out = {}
    for name in NAMES:
        backbone = _load(ctx, name)
        torch.manual_seed(seed)
        model = student.Classifier(backbone, backbone.kind, num_labels=2)
        losses = student.fine_tune(model, tokenizer, list(texts), list(labels), seed=seed, **FINE_TUNE_CHECK)
        if not isinstance(losses, (list, tuple)) or len(losses) != FINE_TUNE_CHECK["steps"]:
            raise TypeError(f"fine_tune must return its {FINE_TUNE_CHECK['steps']} training losses as a list")
        out[name] = {"losses": [float(v) for v in losses],
                     "weights": {k: v.detach().clone() for k, v in model.state_dict().items()}}
    return out


# ----------------------------------------------------------------- confidence intervals

@case
def intervals(student, ctx):
    if ctx.visible:
        a, b, confidence = [0.80, 0.85, 0.90], [0.78, 0.80, 0.86], 0.95
    else:
        rng = _rng(ctx, "intervals")
        n = rng.randint(2, 10)
        a = [round(rng.uniform(0.6, 0.95), 4) for _ in range(n)]
        b = [round(x - rng.uniform(-0.05, 0.1), 4) for x in a]
        confidence = rng.choice([0.8, 0.9, 0.95, 0.99])
    ctx.show(intervals=f"confidence_interval({a}, {confidence}) and paired_difference({a}, {b}, {confidence})")
    return {"a": _triple(student.confidence_interval(list(a), confidence), "confidence_interval"),
            "difference": _triple(student.paired_difference(list(a), list(b), confidence), "paired_difference")}


# ----------------------------------------------------------------- the comparison

class CountingLoader:
    """load_backbone(name) for the student: a fresh pre-trained copy each call, instrumented to count the
    forward passes it runs in training mode (one per optimizer step in a plain loop)."""

    def __init__(self, ctx) -> None:
        self.ctx = ctx
        self.copies: dict[str, list[dict]] = {name: [] for name in NAMES}

    def __call__(self, name: str) -> nn.Module:
        if name not in self.copies:
            raise KeyError(f"load_backbone knows {list(NAMES)}, not {name!r}")
        backbone = _load(self.ctx, name)
        record = {"training_forwards": 0}
        self.copies[name].append(record)

        def count(module, args, output):
            if module.training and torch.is_grad_enabled():
                record["training_forwards"] += 1
        backbone.register_forward_hook(count)
        return backbone


@case
def comparison(student, ctx):
    seeds = VISIBLE_SEEDS if ctx.visible else sorted(_rng(ctx, "comparison").sample(range(100), 2))
    budget = COMPARISON if ctx.visible else HIDDEN_COMPARISON
    ctx.show(comparison=f"compare_models(load_backbone, {list(NAMES)}, ..., seeds={seeds}, steps={budget['steps']}, "
                        f"lr={budget['lr']}, batch_size={budget['batch_size']}) with data/train.csv, "
                        "data/val.csv and data/test_texts.txt")
    train_texts, train_labels = _rows(ctx, "train.csv")
    val_texts, val_labels = _rows(ctx, "val.csv")
    test_texts = (ctx.data_dir / "test_texts.txt").read_text().splitlines()
    loader = CountingLoader(ctx)
    report = student.compare_models(loader, list(NAMES), _tokenizer(ctx), list(train_texts), list(train_labels),
                                    list(val_texts), list(val_labels), list(test_texts), seeds=list(seeds),
                                    **budget)
    if not isinstance(report, dict) or any(not isinstance(report.get(n), dict) for n in NAMES):
        raise TypeError(f"compare_models must return a dict with one entry per model {list(NAMES)}")
    out = {"seeds": seeds, "steps": budget["steps"], "copies": loader.copies, "val_difference_ci": _triple(report.get("val_difference_ci"),
                                                                                "report['val_difference_ci']")}
    for name in NAMES:
        runs = report[name]
        for key, count, length in (("val_predictions", len(seeds), len(val_texts)),
                                   ("test_predictions", len(seeds), len(test_texts))):
            rows = runs.get(key)
            if not isinstance(rows, list) or len(rows) != count or any(len(r) != length for r in rows):
                raise ValueError(f"report[{name!r}][{key!r}] must hold one list of {length} predictions per seed "
                                 f"({count} seeds)")
        out[name] = {"val_predictions": [[int(p) for p in r] for r in runs["val_predictions"]],
                     "test_predictions": [[int(p) for p in r] for r in runs["test_predictions"]],
                     "val_accuracy": [float(v) for v in runs.get("val_accuracy", [])],
                     "val_ci": _triple(runs.get("val_ci"), f"report[{name!r}]['val_ci']")}
    return out
