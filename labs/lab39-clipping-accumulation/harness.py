"""Lab 39 harness (inside the sandbox): runs the student's clipping and accumulation on seeded gradients,
models and batches.

Every case first runs the student's code, then computes the reference the same way PyTorch users do it
(torch.nn.utils.clip_grad_norm_ on copies of the gradients; ONE backward on the whole batch). checks.py compares
the student's numbers with the reference run's "reference" values, outside the sandbox."""
from __future__ import annotations

import contextlib
import importlib
import math
import numbers
import random

import torch
import torch.nn.functional as F
from torch import nn

from labkit.harness import case

IGNORE_INDEX = -100
VISIBLE_GRADS = [[[3.0, 0.0], [0.0, 4.0]], [0.0, 12.0, 0.0]]
VISIBLE_MAX_NORM = 6.5
VISIBLE_LENGTHS = [4, 2, 3, 4, 1]
VISIBLE_MICRO = 2

_clip_module = importlib.import_module("torch.nn.utils.clip_grad")
_BLOCKED = {torch.nn.utils: ["clip_grad_norm_", "clip_grad_norm", "get_total_norm", "clip_grads_with_norm_"],
            _clip_module: ["clip_grad_norm_", "clip_grad_norm", "_get_total_norm", "_clip_grads_with_norm_"]}


def _blocked(name):
    def refuse(*args, **kwargs):
        raise RuntimeError(f"{name} is switched off while your code runs in this lab: compute the global norm "
                           "and scale the gradients yourself")
    return refuse


@contextlib.contextmanager
def _own_clipping_only():
    saved = [(m, a, getattr(m, a)) for m, attrs in _BLOCKED.items() for a in attrs if hasattr(m, a)]
    try:
        for module, attr, _ in saved:
            setattr(module, attr, _blocked(f"torch.nn.utils.{attr.lstrip('_')}"))
        yield
    finally:
        for module, attr, original in saved:
            setattr(module, attr, original)


def _rng(ctx, name):
    """A per-case random stream, so cases do not depend on each other's order."""
    return random.Random(f"{ctx.seed}:{name}")


def _generator(rng):
    return torch.Generator().manual_seed(rng.randrange(2 ** 31))


def _float(value, what):
    if isinstance(value, torch.Tensor) and value.numel() == 1:
        value = value.detach().item()
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{what} must return a number (a 0-dim tensor or a float), got {type(value).__name__}")
    return float(value)


# ----------------------------------------------------------------- clipping

def _parameters_with_grads(grads):
    """A fresh nn.Parameter per gradient (None = a frozen parameter without .grad)."""
    params = []
    for g in grads:
        shape, dtype = (g.shape, g.dtype) if g is not None else ((3,), grads[0].dtype)
        p = nn.Parameter(torch.zeros(shape, dtype=dtype))
        p.grad = None if g is None else g.clone()
        params.append(p)
    return params


def _clip_run(student, grads, max_norm, norm_type):
    """The student's clip_grad_norm_, then torch's on copies of the same gradients."""
    params = _parameters_with_grads(grads)
    with _own_clipping_only():
        norm = student.clip_grad_norm_(params, max_norm, norm_type=norm_type)
    got = {"norm": _float(norm, "clip_grad_norm_"), "grads": _grad_list(params, "clip_grad_norm_")}
    reference_params = _parameters_with_grads(grads)
    reference_norm = torch.nn.utils.clip_grad_norm_(reference_params, max_norm, norm_type=norm_type)
    return {"yours": got, "reference": {"norm": float(reference_norm), "grads": [p.grad for p in reference_params]},
            "max_norm": max_norm, "norm_type": norm_type, "dtype": str(grads[0].dtype)}


def _grad_list(params, what):
    out = []
    for i, p in enumerate(params):
        if p.grad is not None and (p.grad.shape != p.shape or p.grad.dtype != p.dtype):
            raise ValueError(f"{what} changed gradient {i} to shape {tuple(p.grad.shape)} dtype {p.grad.dtype}; "
                             "scale it in place (g.mul_(coef)) and keep its shape and dtype")
        out.append(None if p.grad is None else p.grad.detach().clone())
    return out


def _random_grads(rng, dtype, with_none=True):
    gen = _generator(rng)
    shapes = [(rng.randint(2, 6), rng.randint(2, 6)), (rng.randint(3, 9),), (rng.randint(1, 3), 4, 2)]
    scales = [10 ** rng.uniform(-2, 1) for _ in shapes]
    grads = [(torch.randn(s, generator=gen, dtype=torch.float64) * c).to(dtype) for s, c in zip(shapes, scales)]
    typical = math.sqrt(sum(c * c * math.prod(s) for s, c in zip(shapes, scales)))   # about the true L2 norm
    if with_none:
        grads.insert(rng.randint(1, len(grads)), None)
    return grads, typical


@case
def clip_small(student, ctx):
    grads = [torch.tensor(g, dtype=torch.float64) for g in VISIBLE_GRADS] + [None]
    ctx.show(grads=VISIBLE_GRADS + [None], max_norm=VISIBLE_MAX_NORM,
             call="clip_grad_norm_([w, b, frozen], max_norm=6.5); frozen.grad is None")
    return _clip_run(student, grads, VISIBLE_MAX_NORM, 2.0)


@case
def clip(student, ctx):
    """float64 gradients with clipping active, float32 gradients already below the threshold."""
    rng = _rng(ctx, "clip")
    active, typical = _random_grads(rng, torch.float64)
    inactive, typical32 = _random_grads(rng, torch.float32)
    return {"active": _clip_run(student, active, round(typical * rng.uniform(0.1, 0.5), 6), 2.0),
            "inactive": _clip_run(student, inactive, round(typical32 * rng.uniform(3.0, 6.0), 6), 2.0)}


@case
def clip_inf(student, ctx):
    rng = _rng(ctx, "clip_inf")
    grads, _ = _random_grads(rng, torch.float64)
    largest = max(float(g.abs().max()) for g in grads if g is not None)
    return _clip_run(student, grads, round(largest * rng.uniform(0.2, 0.6), 6), math.inf)


@case
def global_norm(student, ctx):
    rng = _rng(ctx, "global_norm")
    grads, _ = _random_grads(rng, torch.float64)
    out = {"yours": {}, "reference": {}}
    for norm_type in (2.0, 1.0, 3.0, math.inf):
        params = _parameters_with_grads(grads)
        with _own_clipping_only():
            value = student.global_grad_norm(params, norm_type=norm_type)
        out["yours"][str(norm_type)] = _float(value, f"global_grad_norm(norm_type={norm_type})")
        norms = torch.stack([torch.linalg.vector_norm(g, norm_type) for g in grads if g is not None])
        out["reference"][str(norm_type)] = float(torch.linalg.vector_norm(norms, norm_type))
    return out


# ----------------------------------------------------------------- accumulation

class TinyLM(nn.Module):
    """Embedding -> tanh(Linear) -> Linear to the vocabulary: logits (batch, seq, vocab)."""

    def __init__(self, vocab, d_model):
        super().__init__()
        self.embed, self.hidden, self.head = nn.Embedding(vocab, d_model), nn.Linear(d_model, d_model), \
            nn.Linear(d_model, vocab)

    def forward(self, input_ids):
        return self.head(torch.tanh(self.hidden(self.embed(input_ids))))


def _model(gen, vocab, d_model, dtype):
    model = TinyLM(vocab, d_model)
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(torch.randn(p.shape, generator=gen) * 0.5)
    return model.to(dtype)


def _batch(gen, lengths, seq_len, vocab):
    """Padded token ids (pad 0) and labels with -100 on padding (and on the first token of odd sequences)."""
    ids = torch.randint(1, vocab, (len(lengths), seq_len), generator=gen)
    labels = torch.randint(0, vocab, (len(lengths), seq_len), generator=gen)
    for row, length in enumerate(lengths):
        ids[row, length:] = 0
        labels[row, length:] = IGNORE_INDEX
        if row % 2 and length > 1:
            labels[row, 0] = IGNORE_INDEX          # e.g. a masked prompt token
    return ids, labels


def _counted_tokens(lengths):
    """Tokens with a label per sequence, as _batch masks them (odd rows also lose their first token)."""
    return [length - (1 if row % 2 and length > 1 else 0) for row, length in enumerate(lengths)]


def _uneven_lengths(rng, seq_len, size):
    """Sequence lengths whose micro-batches differ in both sequence and counted-token numbers, so that weighting
    micro-batches equally (mean loss / k) is always measurably wrong."""
    while True:
        lengths = [seq_len] + [rng.randint(1, seq_len) for _ in range(rng.randint(4, 10))]
        if len(lengths) % size == 0:
            lengths.append(rng.randint(1, seq_len))          # the last micro-batch is always smaller
        tokens = _counted_tokens(lengths)
        per_micro = [sum(tokens[i:i + size]) for i in range(0, len(tokens), size)]
        if len(set(per_micro)) > 1:
            return lengths


def _reference_loss(model, ids, labels, weighting):
    """The whole batch's loss in ONE forward: token mean, or the mean of per-sequence means."""
    token_losses = F.cross_entropy(model(ids).flatten(0, 1), labels.flatten(), ignore_index=IGNORE_INDEX,
                                   reduction="none").view(labels.shape)
    counted = (labels != IGNORE_INDEX).sum(dim=1)
    if weighting == "tokens":
        return token_losses.sum() / counted.sum()
    return (token_losses.sum(dim=1) / counted.clamp(min=1)).mean()


def _micro(ids, labels, size):
    return [(ids[i:i + size].clone(), labels[i:i + size].clone()) for i in range(0, ids.size(0), size)]


def _accumulation(student, ctx, name, dtype, weighting="tokens", stale=False):
    if ctx.visible:
        rng = random.Random(0)
        lengths, seq_len, size, vocab, d_model = VISIBLE_LENGTHS, 4, VISIBLE_MICRO, 11, 6
        ctx.show(accumulation=f"TinyLM(vocab {vocab}, d_model {d_model}, float64); 5 sequences of length 4 with "
                              f"real lengths {lengths}, micro_batch_size {size} -> micro-batches of 2, 2 and 1 "
                              "sequences; weighting 'tokens'")
    else:
        rng = _rng(ctx, name)
        seq_len, vocab, d_model = rng.randint(5, 10), rng.randint(12, 40), rng.choice([8, 12, 16])
        size = rng.randint(2, 4)
        lengths = _uneven_lengths(rng, seq_len, size)
    gen = _generator(rng)
    model = _model(gen, vocab, d_model, dtype)
    start = {k: v.clone() for k, v in model.state_dict().items()}
    ids, labels = _batch(gen, lengths, seq_len, vocab)
    if stale:
        for p in model.parameters():
            p.grad = torch.randn(p.shape, generator=gen, dtype=torch.float64).to(dtype)   # left over from before
    with _micro_batches_only(model, size, "accumulate_gradients"):
        loss = student.accumulate_gradients(model, _micro(ids, labels, size), weighting=weighting)
    got = {"loss": _float(loss, "accumulate_gradients"), "grads": _named_grads(model)}
    model.load_state_dict(start)
    model.zero_grad(set_to_none=True)
    reference_loss = _reference_loss(model, ids, labels, weighting)
    reference_loss.backward()
    return {"yours": got, "reference": {"loss": reference_loss.item(), "grads": _named_grads(model)},
            "micro_batch_sizes": [len(m[0]) for m in _micro(ids, labels, size)],
            "tokens_per_micro_batch": [int((m[1] != IGNORE_INDEX).sum()) for m in _micro(ids, labels, size)],
            "weighting": weighting, "dtype": str(dtype)}


@contextlib.contextmanager
def _micro_batches_only(model, size, what):
    """Fail when the model ever runs on more sequences than one micro-batch holds: concatenating the
    micro-batches into one forward gives the right numbers but defeats the purpose (the memory saving)."""
    seen = []
    handle = model.register_forward_pre_hook(lambda module, args: seen.append(int(args[0].shape[0])))
    try:
        yield
    finally:
        handle.remove()
    if seen and max(seen) > size:
        raise ValueError(f"{what} ran the model on {max(seen)} sequences at once, but a micro-batch holds at most "
                         f"{size}: run forward and backward once per micro-batch and let the gradients add up")


def _named_grads(model):
    grads = {}
    for name, p in model.named_parameters():
        if p.grad is None:
            raise ValueError(f"after accumulate_gradients, parameter {name} has no gradient: call .backward() on "
                             "each micro-batch's loss")
        grads[name] = p.grad.detach().clone()
    return grads


@case
def accumulation(student, ctx):
    return _accumulation(student, ctx, "accumulation", torch.float64)


@case
def accumulation_samples(student, ctx):
    return _accumulation(student, ctx, "accumulation_samples", torch.float64, weighting="samples")


@case
def accumulation_float32(student, ctx):
    return _accumulation(student, ctx, "accumulation_float32", torch.float32)


@case
def stale_grads(student, ctx):
    return _accumulation(student, ctx, "stale_grads", torch.float64, stale=True)


class PlainSGD:
    """p <- p - lr * p.grad; records the gradients it was given at every step() (after the student's clipping)."""

    def __init__(self, params, lr):
        self.params, self.lr, self.seen = list(params), lr, []

    @torch.no_grad()
    def step(self):
        self.seen.append([None if p.grad is None else p.grad.detach().clone() for p in self.params])
        for p in self.params:
            if p.grad is not None:
                p.add_(p.grad, alpha=-self.lr)

    def zero_grad(self, set_to_none=True):
        for p in self.params:
            p.grad = None


@case
def train_step(student, ctx):
    """Three optimizer steps, each on a batch split into micro-batches, with clipping active."""
    rng = _rng(ctx, "train_step")
    seq_len, vocab, d_model, size = rng.randint(5, 9), rng.randint(12, 30), 8, rng.randint(2, 3)
    gen = _generator(rng)
    model = _model(gen, vocab, d_model, torch.float64)
    start = {k: v.clone() for k, v in model.state_dict().items()}
    batches = [_batch(gen, [rng.randint(2, seq_len) for _ in range(rng.randint(5, 8))], seq_len, vocab)
               for _ in range(3)]
    max_norm, lr = round(rng.uniform(0.02, 0.05), 4), round(rng.uniform(0.1, 0.5), 3)
    optimizer = PlainSGD(model.parameters(), lr)
    results = []
    for step, (ids, labels) in enumerate(batches):
        for p in model.parameters():
            p.grad = torch.randn(p.shape, generator=gen, dtype=torch.float64)   # stale: e.g. from an eval backward
        with _own_clipping_only(), _micro_batches_only(model, size, "train_step"):
            result = student.train_step(model, optimizer, ids.clone(), labels.clone(), size, max_norm)
        if not isinstance(result, (tuple, list)) or len(result) != 2:
            raise TypeError(f"train_step must return a tuple (loss, grad_norm), got {type(result).__name__}")
        if len(optimizer.seen) != step + 1:
            raise ValueError(f"train_step called optimizer.step() {len(optimizer.seen) - step} times for one batch: "
                             "accumulate the gradients of all micro-batches, clip once, then step once")
        results.append([_float(result[0], "train_step loss"), _float(result[1], "train_step grad_norm")])
    got = {"results": results, "stepped_grads": optimizer.seen, "final": _named_params(model)}

    model.load_state_dict(start)
    reference = PlainSGD(model.parameters(), lr)
    reference_results = []
    for ids, labels in batches:
        model.zero_grad(set_to_none=True)
        loss = _reference_loss(model, ids, labels, "tokens")
        loss.backward()
        norm = torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm)
        reference.step()
        reference_results.append([loss.item(), norm.item()])
    return {"yours": got, "reference": {"results": reference_results, "stepped_grads": reference.seen,
                                        "final": _named_params(model)},
            "max_norm": max_norm, "micro_batch_size": size}


def _named_params(model):
    return {name: p.detach().clone() for name, p in model.named_parameters()}
