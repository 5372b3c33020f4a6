"""Lab 30 reference solution: class imbalance (resampling, class-weighted cross-entropy, focal loss)."""
from __future__ import annotations

import torch
import torch.nn.functional as F

from labkit.metrics import log_metrics

METHODS = ("none", "oversample", "undersample", "weighted", "focal")


def class_weights(labels, num_classes):
    """'Balanced' weights n / (num_classes * count_c): float32 (num_classes,)."""
    counts = torch.bincount(labels, minlength=num_classes).to(torch.float32)
    return labels.numel() / (num_classes * counts)


def _indices_by_class(labels):
    return [torch.nonzero(labels == c).flatten() for c in torch.unique(labels)]


def random_oversample(labels, generator):
    """Every index once, plus minority indices drawn with replacement until each class has the largest count."""
    groups = _indices_by_class(labels)
    target = max(len(g) for g in groups)
    extra = [g[torch.randint(len(g), (target - len(g),), generator=generator)] for g in groups]
    return torch.cat([torch.arange(labels.numel()), *extra])


def random_undersample(labels, generator):
    """For every class, the size of the smallest class in indices drawn without replacement."""
    groups = _indices_by_class(labels)
    target = min(len(g) for g in groups)
    return torch.cat([g[torch.randperm(len(g), generator=generator)[:target]] for g in groups])


def weighted_cross_entropy(logits, targets, weights):
    """sum_i w[y_i] * -log softmax(logits_i)[y_i] / sum_i w[y_i], as F.cross_entropy(weight=weights)."""
    log_probs = torch.log_softmax(logits, dim=-1)
    nll = -log_probs.gather(1, targets[:, None]).squeeze(1)
    w = weights.to(logits.dtype)[targets]
    return (w * nll).sum() / w.sum()


def focal_loss(logits, targets, gamma=2.0, alpha=None):
    """Mean over the batch of -alpha[y] * (1 - p_y)^gamma * log p_y (Lin et al., 2017), computed in log space."""
    log_pt = torch.log_softmax(logits, dim=-1).gather(1, targets[:, None]).squeeze(1)
    loss = -((1 - log_pt.exp()) ** gamma) * log_pt
    if alpha is not None:
        loss = alpha.to(logits.dtype)[targets] * loss
    return loss.mean()


def sgd_step(model, lr):
    """Plain gradient descent, p <- p - lr * grad (torch.optim.SGD(lr=lr) does the same)."""
    with torch.no_grad():
        for parameter in model.parameters():
            parameter -= lr * parameter.grad


def train_classifier(model, x, y, num_classes, method, *, steps, lr, batch_size, generator):
    """Train `model` on (x, y) with one imbalance strategy; returns the list of `steps` training losses."""
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    weights = class_weights(y, num_classes)
    pool = torch.arange(len(y))
    if method == "oversample":
        pool = random_oversample(y, generator)
    elif method == "undersample":
        pool = random_undersample(y, generator)
    losses = []
    for step in range(steps):
        batch = pool[torch.randint(len(pool), (batch_size,), generator=generator)]
        logits = model(x[batch])
        if method == "weighted":
            loss = weighted_cross_entropy(logits, y[batch], weights)
        elif method == "focal":
            loss = focal_loss(logits, y[batch], gamma=2.0, alpha=weights)
        else:
            loss = F.cross_entropy(logits, y[batch])
        model.zero_grad()
        loss.backward()
        sgd_step(model, lr)
        losses.append(loss.item())
        if step % 10 == 0 or step == steps - 1:
            log_metrics(step, loss=loss.item())
    return losses
