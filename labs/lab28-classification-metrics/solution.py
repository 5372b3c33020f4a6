"""Lab 28 reference solution: classification metrics written by hand with numpy."""
from __future__ import annotations

import numpy as np

AVERAGES = (None, "micro", "macro", "weighted")


def confusion_matrix(y_true, y_pred, num_classes):
    """(num_classes, num_classes) int64 counts: row = true class, column = predicted class."""
    y_true, y_pred = np.asarray(y_true, dtype=np.int64), np.asarray(y_pred, dtype=np.int64)
    matrix = np.zeros((num_classes, num_classes), dtype=np.int64)
    np.add.at(matrix, (y_true, y_pred), 1)
    return matrix


def accuracy(y_true, y_pred):
    """Share of samples whose prediction equals the label, as a Python float."""
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    return float(np.mean(y_true == y_pred))


def _safe_divide(numerator, denominator):
    """numerator / denominator, with 0 where the denominator is 0 (scikit-learn's zero_division default)."""
    numerator = np.asarray(numerator, dtype=np.float64)
    denominator = np.asarray(denominator, dtype=np.float64)
    result = np.zeros(np.broadcast(numerator, denominator).shape, dtype=np.float64)
    np.divide(numerator, denominator, out=result, where=denominator != 0)
    return result


def precision_recall_f1(y_true, y_pred, num_classes, average=None):
    """Precision, recall and F1 per class (average=None: three (num_classes,) float64 arrays) or averaged
    ('micro', 'macro', 'weighted': three Python floats)."""
    if average not in AVERAGES:
        raise ValueError(f"average must be one of {AVERAGES}, got {average!r}")
    matrix = confusion_matrix(y_true, y_pred, num_classes)
    tp = np.diag(matrix).astype(np.float64)
    predicted = matrix.sum(axis=0)          # tp + fp, per class
    support = matrix.sum(axis=1)            # tp + fn, per class
    if average == "micro":
        tp, predicted, support = tp.sum(), predicted.sum(), support.sum()
    precision = _safe_divide(tp, predicted)
    recall = _safe_divide(tp, support)
    # F1 from the counts: 2tp / (2tp + fp + fn), which is 0 (not NaN) when precision and recall are both 0.
    f1 = _safe_divide(2 * tp, predicted + support)
    if average is None:
        return precision, recall, f1
    if average == "micro":
        return float(precision), float(recall), float(f1)
    weights = np.ones(num_classes) if average == "macro" else support.astype(np.float64)
    return tuple(float(np.sum(m * weights) / np.sum(weights)) for m in (precision, recall, f1))


def roc_curve(y_true, scores):
    """False- and true-positive rates at every distinct score, from the highest threshold down.

    Returns (fpr, tpr, thresholds), float64 arrays of length (distinct scores + 1); the first point is
    (0, 0) at threshold +inf."""
    y_true = np.asarray(y_true, dtype=np.int64)
    scores = np.asarray(scores, dtype=np.float64)
    order = np.argsort(-scores, kind="stable")
    scores, y_true = scores[order], y_true[order]
    # The last index of each run of equal scores: tied samples cross the threshold together.
    last_of_run = np.r_[np.flatnonzero(np.diff(scores)), len(scores) - 1]
    tps = np.cumsum(y_true)[last_of_run]
    fps = (last_of_run + 1) - tps
    tps, fps = np.r_[0, tps], np.r_[0, fps]
    thresholds = np.r_[np.inf, scores[last_of_run]]
    return fps / fps[-1], tps / tps[-1], thresholds


def roc_auc(y_true, scores):
    """Area under the ROC curve (trapezoids), as a Python float."""
    fpr, tpr, _ = roc_curve(y_true, scores)
    return float(np.sum(np.diff(fpr) * (tpr[1:] + tpr[:-1]) / 2))


def roc_auc_ovr(y_true, proba, num_classes):
    """Macro one-vs-rest ROC-AUC: the mean over classes of the AUC of 'class c' vs 'the rest' on proba[:, c]."""
    y_true, proba = np.asarray(y_true), np.asarray(proba, dtype=np.float64)
    return float(np.mean([roc_auc(y_true == c, proba[:, c]) for c in range(num_classes)]))
