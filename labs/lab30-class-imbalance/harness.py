"""Lab 30 harness (runs inside the sandbox): calls the student's resampling, class-weight and loss functions
on seeded inputs, and trains a linear classification head on frozen sentence embeddings with each imbalance
strategy. It returns the trained weights; checks.py measures minority-class recall on a held-out set it
draws itself, outside the sandbox, so held-out labels never enter it."""
from __future__ import annotations

import importlib.util
import sys

import functools

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from labkit.harness import case

METHODS = ("none", "oversample", "undersample", "weighted", "focal")
STEPS, LR, BATCH_SIZE = 60, 0.5, 256

VISIBLE_LABELS = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 2]
VISIBLE_LOGITS = [[2.0, 0.5, -1.0], [0.2, 0.1, 0.3], [-1.0, 3.0, 0.0], [1.5, -0.5, 0.5]]
VISIBLE_TARGETS = [0, 2, 1, 2]
VISIBLE_ALPHA = [0.5, 1.0, 2.0]


# weighted_cross_entropy and focal_loss are the exercise: while the grader calls them, the library losses
# raise. They stay available everywhere else (train_classifier's plain baseline uses F.cross_entropy).
_LIBRARY_LOSSES = {"allowed": True}


def _guard_library_loss(name):
    original = getattr(F, name)

    @functools.wraps(original)
    def guarded(*args, **kwargs):
        if not _LIBRARY_LOSSES["allowed"]:
            raise RuntimeError(f"F.{name} is off limits in weighted_cross_entropy and focal_loss: compute the loss "
                               "from torch.log_softmax yourself")
        return original(*args, **kwargs)

    setattr(F, name, guarded)


for _name in ("cross_entropy", "nll_loss"):
    _guard_library_loss(_name)


class _own_losses_only:
    def __enter__(self):
        _LIBRARY_LOSSES["allowed"] = False

    def __exit__(self, *exc):
        _LIBRARY_LOSSES["allowed"] = True


def _data_module(ctx):
    name = "lab30_imbalance_data"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, ctx.data_dir / "imbalance_data.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


def _rng(ctx, name):
    return np.random.default_rng([ctx.seed, sum(map(ord, name))])


def _skewed_labels(rng, min_count=2):
    """Labels of 2-5 classes with a skewed prior; every class occurs at least min_count times."""
    num_classes = int(rng.integers(2, 6))
    prior = np.sort(rng.dirichlet(np.full(num_classes, 0.7)))[::-1]
    n = int(rng.integers(40, 400))
    counts = rng.multinomial(n - min_count * num_classes, prior) + min_count
    counts[np.argmax(counts)] += 5                    # never exactly balanced by chance
    labels = np.repeat(np.arange(num_classes), counts)
    rng.shuffle(labels)
    return torch.from_numpy(labels.astype(np.int64)), num_classes


# ----------------------------------------------------------------- validation

def _tensor(value, what, shape=None, floating=True):
    if not isinstance(value, torch.Tensor):
        raise TypeError(f"{what} must return a torch.Tensor, got {type(value).__name__}")
    if floating and not value.is_floating_point():
        raise TypeError(f"{what} must be a float tensor, got dtype {value.dtype}")
    if not floating and value.dtype != torch.long:
        raise TypeError(f"{what} must be a torch.long tensor of indices, got dtype {value.dtype}")
    if shape is not None and tuple(value.shape) != shape:
        raise ValueError(f"{what} has shape {tuple(value.shape)} where {shape} was expected")
    return value.detach()


def _scalar_loss(value, what, dtype):
    loss = _tensor(value, what, shape=None)
    if loss.dim() != 0:
        raise ValueError(f"{what} must be a scalar (0-dim tensor, the mean over the batch), got shape "
                         f"{tuple(loss.shape)}")
    if loss.dtype != dtype:
        raise TypeError(f"{what} returned dtype {loss.dtype} for {dtype} logits: keep the dtype of the logits")
    return float(loss)


def _indices(student_fn, labels, seed, what):
    result = student_fn(labels.clone(), torch.Generator().manual_seed(seed))
    indices = _tensor(result, what, floating=False)
    if indices.dim() != 1:
        raise ValueError(f"{what} must return a 1-D tensor of indices, got shape {tuple(indices.shape)}")
    if len(indices) and (indices.min() < 0 or indices.max() >= len(labels)):
        raise ValueError(f"{what} returned indices outside 0..{len(labels) - 1}: return positions in the dataset, "
                         "not labels")
    return indices.numpy()


def _resampling(student_fn, name, ctx):
    if ctx.visible:
        labels = torch.tensor(VISIBLE_LABELS)
        ctx.show(labels=VISIBLE_LABELS)
    else:
        labels, _ = _skewed_labels(_rng(ctx, name), min_count=8)
    what = f"{name}(labels, generator)"
    return {"labels": labels.numpy(),
            "first": _indices(student_fn, labels, ctx.seed, what),
            "again": _indices(student_fn, labels, ctx.seed, what),
            "other": _indices(student_fn, labels, ctx.seed + 1, what)}


# ----------------------------------------------------------------- cases

@case
def class_weights(student, ctx):
    if ctx.visible:
        labels, num_classes = torch.tensor(VISIBLE_LABELS), 3
        ctx.show(labels=VISIBLE_LABELS, num_classes=num_classes)
    else:
        labels, num_classes = _skewed_labels(_rng(ctx, "class_weights"))
    weights = _tensor(student.class_weights(labels.clone(), num_classes),
                      f"class_weights(labels, {num_classes})", (num_classes,))
    return {"labels": labels.numpy(), "num_classes": num_classes, "weights": weights.numpy()}


@case
def oversample(student, ctx):
    return _resampling(student.random_oversample, "random_oversample", ctx)


@case
def undersample(student, ctx):
    return _resampling(student.random_undersample, "random_undersample", ctx)


@case
def weighted_ce(student, ctx):
    if ctx.visible:
        return None  # graded on hidden seeds only
    rng = _rng(ctx, "weighted_ce")
    gen = ctx.torch_generator()
    cases = []
    for dtype in (torch.float64, torch.float32, torch.float64):
        batch, num_classes = int(rng.integers(4, 40)), int(rng.integers(2, 7))
        logits = (torch.randn(batch, num_classes, generator=gen, dtype=torch.float64) * 3).to(dtype)
        targets = torch.from_numpy(rng.integers(0, num_classes, batch))
        weights = torch.from_numpy(rng.uniform(0.1, 5.0, num_classes)).to(torch.float32)
        with _own_losses_only():
            loss = student.weighted_cross_entropy(logits.clone(), targets.clone(), weights.clone())
        cases.append({"logits": logits.numpy(), "targets": targets.numpy(), "weights": weights.numpy(),
                      "loss": _scalar_loss(loss, "weighted_cross_entropy(logits, targets, weights)", dtype)})
    return cases


def _focal_calls(student, calls):
    out = []
    for logits, targets, gamma, alpha in calls:
        what = f"focal_loss(logits, targets, gamma={gamma}, alpha={'None' if alpha is None else 'tensor'})"
        with _own_losses_only():
            loss = student.focal_loss(logits.clone(), targets.clone(), gamma=gamma,
                                      alpha=None if alpha is None else alpha.clone())
        out.append({"logits": logits.numpy(), "targets": targets.numpy(), "gamma": gamma,
                    "alpha": None if alpha is None else alpha.numpy(),
                    "loss": _scalar_loss(loss, what, logits.dtype)})
    return out


@case
def focal(student, ctx):
    if ctx.visible:
        logits, targets = torch.tensor(VISIBLE_LOGITS, dtype=torch.float64), torch.tensor(VISIBLE_TARGETS)
        alpha = torch.tensor(VISIBLE_ALPHA, dtype=torch.float64)
        ctx.show(logits=VISIBLE_LOGITS, targets=VISIBLE_TARGETS, alpha=VISIBLE_ALPHA, gammas=[0.0, 2.0])
        return _focal_calls(student, [(logits, targets, 0.0, None), (logits, targets, 2.0, None),
                                      (logits, targets, 2.0, alpha)])
    rng = _rng(ctx, "focal")
    gen = ctx.torch_generator()
    calls = []
    for gamma in (0.0, 0.5, 2.0, 5.0):
        batch, num_classes = int(rng.integers(4, 40)), int(rng.integers(2, 7))
        logits = torch.randn(batch, num_classes, generator=gen, dtype=torch.float64) * 2
        targets = torch.from_numpy(rng.integers(0, num_classes, batch))
        alpha = None if gamma == 0.5 else torch.from_numpy(rng.uniform(0.2, 3.0, num_classes))
        calls.append((logits, targets, gamma, alpha))
    return _focal_calls(student, calls)


@case
def focal_stable(student, ctx):
    if ctx.visible:
        return None  # graded on hidden seeds only
    rng = _rng(ctx, "focal_stable")
    batch, num_classes = int(rng.integers(8, 32)), int(rng.integers(3, 6))
    # Logits of +-100 and more: softmax underflows to exactly 0 in float32 for the losing classes.
    logits = torch.randn(batch, num_classes, generator=ctx.torch_generator()) * 60
    targets = torch.from_numpy(rng.integers(0, num_classes, batch))
    logits[0, targets[0]] = logits[0].min() - 150.0   # one confidently wrong prediction at least
    return _focal_calls(student, [(logits, targets, 2.0, None)])


@case
def training(student, ctx):
    data = _data_module(ctx)
    x, y = (torch.from_numpy(a) for a in data.training_set(ctx.seed))
    num_classes = len(data.CLASSES)
    ctx.show(training=f"nn.Linear({data.DIM}, {num_classes}) on {len(y)} embeddings, class counts "
                      f"{torch.bincount(y).tolist()} ({', '.join(data.CLASSES)}); train_classifier(model, x, y, "
                      f"{num_classes}, method, steps={STEPS}, lr={LR}, batch_size={BATCH_SIZE}, generator) "
                      f"for each method in {list(METHODS)}")
    models = {}
    for method in METHODS:
        torch.manual_seed(ctx.seed)
        model = nn.Linear(data.DIM, num_classes)
        losses = student.train_classifier(model, x.clone(), y.clone(), num_classes, method, steps=STEPS, lr=LR,
                                          batch_size=BATCH_SIZE, generator=torch.Generator().manual_seed(ctx.seed))
        if not isinstance(losses, (list, tuple)) or len(losses) != STEPS:
            raise TypeError(f"train_classifier(..., {method!r}) must return the list of the {STEPS} training losses")
        weight = _tensor(model.weight, f"after train_classifier(..., {method!r}), model.weight",
                         (num_classes, data.DIM))
        bias = _tensor(model.bias, f"after train_classifier(..., {method!r}), model.bias", (num_classes,))
        models[method] = {"weight": weight.float().numpy(), "bias": bias.float().numpy()}
    return {"models": models}
