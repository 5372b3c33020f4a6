"""Lab 28: classification metrics by hand.

Fill in every function marked TODO and submit this file as metrics.py. Use numpy only:
scikit-learn, scipy and torchmetrics are not importable in this lab (writing the metrics is the point).

Conventions: y_true and y_pred are 1-D int64 numpy arrays of class ids in range(num_classes); every class
in range(num_classes) counts, even one that never occurs. A 0/0 (e.g. the precision of a class that is
never predicted) is scored 0, like scikit-learn's default zero_division.
"""
from __future__ import annotations

import numpy as np

AVERAGES = (None, "micro", "macro", "weighted")


def confusion_matrix(y_true, y_pred, num_classes):
    """Counts as a (num_classes, num_classes) int64 array: matrix[i, j] = samples of TRUE class i that
    were PREDICTED as class j."""
    # TODO: start from zeros and add 1 at (true, pred) for every sample (np.add.at does it in one call)
    raise NotImplementedError("confusion_matrix")


def accuracy(y_true, y_pred):
    """Share of samples whose prediction equals the label, as a Python float."""
    raise NotImplementedError("accuracy")


def precision_recall_f1(y_true, y_pred, num_classes, average=None):
    """Precision, recall and F1.

    average=None: a tuple of three (num_classes,) float64 arrays, one value per class.
    average='micro' | 'macro' | 'weighted': a tuple of three Python floats.
    """
    # TODO: read tp, tp + fp (column sums) and tp + fn (row sums, the support) off the confusion matrix
    # TODO: per class: precision = tp / (tp + fp), recall = tp / (tp + fn), F1 = 2 tp / (2 tp + fp + fn),
    #       with 0 wherever a denominator is 0
    # TODO: micro pools the counts over classes first; macro is the plain mean of the per-class values;
    #       weighted is their mean weighted by support
    raise NotImplementedError("precision_recall_f1")


def roc_curve(y_true, scores):
    """ROC curve of binary labels (0/1) against scores (higher = more likely class 1).

    Returns (fpr, tpr, thresholds), three float64 arrays of length (number of distinct scores + 1):
    thresholds[0] = +inf with (fpr, tpr) = (0, 0), then every distinct score from the highest down, with the
    false- and true-positive rates of predicting 1 for every score >= that threshold.
    """
    raise NotImplementedError("roc_curve")


def roc_auc(y_true, scores):
    """Area under roc_curve (trapezoid rule), as a Python float."""
    raise NotImplementedError("roc_auc")


def roc_auc_ovr(y_true, proba, num_classes):
    """Macro one-vs-rest ROC-AUC: proba is (n, num_classes); the mean over classes c of
    roc_auc(y_true == c, proba[:, c]), as a Python float."""
    raise NotImplementedError("roc_auc_ovr")
