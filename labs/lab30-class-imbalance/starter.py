"""Lab 30: handling class imbalance.

Fill in every function marked TODO and submit this file as imbalance.py. Write the techniques yourself with
torch: F.cross_entropy is fine for the plain baseline, but weighted_cross_entropy and focal_loss must compute
the loss from log_softmax (that is the exercise).
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

from labkit.metrics import log_metrics

METHODS = ("none", "oversample", "undersample", "weighted", "focal")


def class_weights(labels, num_classes):
    """'Balanced' class weights: n_samples / (num_classes * count_c).

    labels: (n,) torch.long. Returns a float32 tensor (num_classes,)."""
    raise NotImplementedError("class_weights")


def random_oversample(labels, generator):
    """Indices (1-D torch.long) of an oversampled training set: every index 0..n-1 once, plus, for every class
    smaller than the largest, (largest count - its count) of its indices drawn WITH replacement using
    `generator` (a torch.Generator). Order does not matter."""
    raise NotImplementedError("random_oversample")


def random_undersample(labels, generator):
    """Indices (1-D torch.long) of an undersampled training set: for every class, (smallest class count) of its
    indices drawn WITHOUT replacement using `generator`. Order does not matter."""
    raise NotImplementedError("random_undersample")


def weighted_cross_entropy(logits, targets, weights):
    """Class-weighted cross-entropy, equal to F.cross_entropy(logits, targets, weight=weights).

    logits: (batch, num_classes) float; targets: (batch,) long; weights: (num_classes,) float.
    Returns a 0-dim tensor with the dtype of logits: sum_i w[y_i] * nll_i / sum_i w[y_i]."""
    # TODO: nll_i = -log_softmax(logits)[i, y_i]; normalise by the weights of the targets, not the batch size
    raise NotImplementedError("weighted_cross_entropy")


def focal_loss(logits, targets, gamma=2.0, alpha=None):
    """Focal loss (Lin et al., 2017): mean over the batch of -alpha[y_i] * (1 - p_i)^gamma * log p_i,
    where p_i is the softmax probability of the target class. alpha: None or a (num_classes,) float tensor.
    Returns a 0-dim tensor with the dtype of logits."""
    # TODO: compute log p_i with log_softmax (stable), then p_i = exp(log p_i)
    raise NotImplementedError("focal_loss")


def train_classifier(model, x, y, num_classes, method, *, steps, lr, batch_size, generator):
    """Train `model` (an nn.Linear classification head) on embeddings x (n, dim) float32 and labels y (n,) long
    with one strategy from METHODS:
      "none": plain cross-entropy; "oversample" / "undersample": resample the indices once, then draw every
      batch from that pool; "weighted": weighted_cross_entropy with class_weights(y, num_classes);
      "focal": focal_loss with gamma=2.0 and alpha=class_weights(y, num_classes).
    Each of the `steps` steps draws batch_size indices with torch.randint(..., generator=generator) from the
    pool, computes the loss, back-propagates and updates the parameters with learning rate lr.
    Returns the list of the `steps` losses (floats); print progress with log_metrics(step, loss=...)."""
    raise NotImplementedError("train_classifier")
