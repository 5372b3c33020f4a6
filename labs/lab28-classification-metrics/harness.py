"""Lab 28 harness (runs inside the sandbox): calls the student's metric functions on the predictions of a
simulated fine-tuned classifier (fixed for the visible seed, drawn from the seed otherwise) and returns the
inputs next to the answers. checks.py computes the expected values with scikit-learn, outside the sandbox."""
from __future__ import annotations

import importlib.abc
import numbers
import sys

import numpy as np

from labkit.harness import case

# The metrics are the lab: library implementations are not importable from the submission.
BLOCKED_LIBRARIES = ("sklearn", "scipy", "torchmetrics", "evaluate")

VISIBLE_CLASSES = ["negative", "neutral", "positive"]
VISIBLE_TRUE = [0, 0, 0, 0, 1, 1, 1, 2, 2, 2, 2, 2]
VISIBLE_PRED = [0, 0, 2, 0, 0, 2, 0, 2, 2, 2, 0, 2]        # "neutral" is never predicted
VISIBLE_BINARY_TRUE = [0, 0, 1, 1, 0, 1, 1, 0, 1, 0]
VISIBLE_BINARY_SCORES = [0.1, 0.4, 0.35, 0.8, 0.4, 0.9, 0.35, 0.2, 0.6, 0.6]
AVERAGES = ("micro", "macro", "weighted")


class _BlockLibraries(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname, path=None, target=None):
        if fullname.split(".")[0] in BLOCKED_LIBRARIES:
            raise ImportError(f"{fullname} is not available in this lab: write the metric yourself with numpy")
        return None


def _block_libraries():
    for name in list(sys.modules):
        if name.split(".")[0] in BLOCKED_LIBRARIES:
            del sys.modules[name]
    sys.meta_path.insert(0, _BlockLibraries())


_block_libraries()


# ----------------------------------------------------------------- simulated classifier outputs

def _softmax(logits):
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


def simulated_predictions(rng, n, num_classes, skill):
    """Labels from a skewed class prior and the probabilities of a classifier that is right more often
    than chance (its true-class logit is raised by `skill`)."""
    prior = rng.dirichlet(np.full(num_classes, 1.5))
    y_true = rng.choice(num_classes, size=n, p=prior)
    logits = rng.normal(size=(n, num_classes))
    logits[np.arange(n), y_true] += skill
    proba = _softmax(logits)
    return y_true, proba, proba.argmax(axis=1)


def _every_class_seen(rng, n, num_classes, skill):
    """Predictions where every class occurs both as a label and as a prediction (redrawn until so)."""
    while True:
        y_true, proba, y_pred = simulated_predictions(rng, n, num_classes, skill)
        if len(set(y_true.tolist())) == num_classes and len(set(y_pred.tolist())) == num_classes:
            return y_true, proba, y_pred


def _labels_case(ctx, name):
    if ctx.visible:
        return np.array(VISIBLE_TRUE), np.array(VISIBLE_PRED), len(VISIBLE_CLASSES)
    rng = np.random.default_rng([ctx.seed, sum(map(ord, name))])
    num_classes = int(rng.integers(3, 7))
    y_true, _, y_pred = _every_class_seen(rng, int(rng.integers(60, 240)), num_classes, rng.uniform(0.8, 2.5))
    return y_true, y_pred, num_classes


def _inputs(y_true, y_pred, num_classes):
    return {"y_true": y_true.tolist(), "y_pred": y_pred.tolist(), "num_classes": num_classes}


# ----------------------------------------------------------------- validation of what the student returns

def _array(value, what, shape, integer=False):
    try:
        array = np.asarray(value)
    except Exception as exc:  # noqa: BLE001 - any odd object is the student's to fix
        raise TypeError(f"{what} must be a numpy array, got {type(value).__name__}") from exc
    if array.dtype.kind not in ("iu" if integer else "iuf"):
        kind = "integer counts" if integer else "numbers"
        raise TypeError(f"{what} must hold {kind}, got dtype {array.dtype}")
    if shape is None and array.ndim != 1:
        raise ValueError(f"{what} must be a 1-D array, got shape {array.shape}")
    if shape is not None and array.shape != shape:
        raise ValueError(f"{what} has shape {array.shape} where {shape} was expected")
    return array.astype(np.int64 if integer else np.float64)


def _number(value, what):
    if isinstance(value, bool) or not isinstance(value, (numbers.Real, np.ndarray)):
        raise TypeError(f"{what} must be a float, got {type(value).__name__}")
    if isinstance(value, np.ndarray):
        if value.size != 1:
            raise TypeError(f"{what} must be one float, got an array of shape {value.shape}")
        value = value.item()
    return float(value)


def _triple(value, what):
    if not isinstance(value, (tuple, list)) or len(value) != 3:
        raise TypeError(f"{what} must return a tuple (precision, recall, f1)")
    return value


def _per_class(student, y_true, y_pred, num_classes):
    call = f"precision_recall_f1(y_true, y_pred, {num_classes}, average=None)"
    result = _triple(student.precision_recall_f1(y_true.copy(), y_pred.copy(), num_classes, average=None), call)
    return {name: _array(value, f"{call}: {name}", (num_classes,))
            for name, value in zip(("precision", "recall", "f1"), result)}


def _averaged(student, y_true, y_pred, num_classes):
    out = {}
    for average in AVERAGES:
        call = f"precision_recall_f1(y_true, y_pred, {num_classes}, average={average!r})"
        result = _triple(student.precision_recall_f1(y_true.copy(), y_pred.copy(), num_classes, average=average),
                         call)
        out[average] = [_number(v, f"{call}: {n}") for n, v in zip(("precision", "recall", "f1"), result)]
    return out


def _roc(student, y_true, scores):
    result = student.roc_curve(y_true.copy(), scores.copy())
    if not isinstance(result, (tuple, list)) or len(result) != 3:
        raise TypeError("roc_curve must return a tuple (fpr, tpr, thresholds)")
    arrays = {}
    for name, value in zip(("fpr", "tpr", "thresholds"), result):
        arrays[name] = _array(value, f"roc_curve: {name}", None)
    lengths = {len(a) for a in arrays.values()}
    if len(lengths) != 1:
        raise ValueError("roc_curve: fpr, tpr and thresholds must have the same length (one entry per point)")
    auc = _number(student.roc_auc(y_true.copy(), scores.copy()), "roc_auc(y_true, scores)")
    return {**arrays, "auc": auc}


# ----------------------------------------------------------------- cases

@case
def confusion(student, ctx):
    y_true, y_pred, k = _labels_case(ctx, "confusion")
    if ctx.visible:
        ctx.show(classes=VISIBLE_CLASSES, y_true=VISIBLE_TRUE, y_pred=VISIBLE_PRED)
    matrix = _array(student.confusion_matrix(y_true.copy(), y_pred.copy(), k),
                    f"confusion_matrix(y_true, y_pred, {k})", (k, k), integer=True)
    acc = _number(student.accuracy(y_true.copy(), y_pred.copy()), "accuracy(y_true, y_pred)")
    return {"inputs": _inputs(y_true, y_pred, k), "matrix": matrix, "accuracy": acc}


@case
def per_class(student, ctx):
    y_true, y_pred, k = _labels_case(ctx, "per_class")
    if ctx.visible:
        ctx.show(classes=VISIBLE_CLASSES, y_true=VISIBLE_TRUE, y_pred=VISIBLE_PRED)
    return {"inputs": _inputs(y_true, y_pred, k), **_per_class(student, y_true, y_pred, k)}


@case
def averaged(student, ctx):
    y_true, y_pred, k = _labels_case(ctx, "averaged")
    if ctx.visible:
        ctx.show(classes=VISIBLE_CLASSES, y_true=VISIBLE_TRUE, y_pred=VISIBLE_PRED)
    return {"inputs": _inputs(y_true, y_pred, k), **_averaged(student, y_true, y_pred, k)}


@case
def never_predicted(student, ctx):
    """A class the model never predicts and another that never occurs in the labels (but is predicted)."""
    if ctx.visible:
        return None  # graded on hidden seeds only
    rng = np.random.default_rng([ctx.seed, 7])
    k = int(rng.integers(3, 7))
    silent, absent = (int(c) for c in rng.choice(k, size=2, replace=False))
    y_true, proba, _ = _every_class_seen(rng, int(rng.integers(60, 200)), k, rng.uniform(1.0, 2.5))
    y_true = np.where(y_true == absent, silent, y_true)      # `absent` never occurs as a label
    proba[:, silent] = -1.0                                   # `silent` is never predicted
    y_pred = proba.argmax(axis=1)
    wrong = rng.choice(len(y_pred), size=int(rng.integers(2, 6)), replace=False)
    y_pred[wrong] = absent                                    # ... while `absent` is predicted a few times
    return {"inputs": _inputs(y_true, y_pred, k), "silent_class": silent, "absent_class": absent,
            "per_class": _per_class(student, y_true, y_pred, k), **_averaged(student, y_true, y_pred, k)}


@case
def roc(student, ctx):
    if ctx.visible:
        y_true, scores = np.array(VISIBLE_BINARY_TRUE), np.array(VISIBLE_BINARY_SCORES)
        ctx.show(y_true=VISIBLE_BINARY_TRUE, scores=VISIBLE_BINARY_SCORES)
    else:
        rng = np.random.default_rng([ctx.seed, 11])
        y_true, proba, _ = _every_class_seen(rng, int(rng.integers(40, 200)), 2, rng.uniform(0.5, 2.0))
        scores = np.round(proba[:, 1], 1)                     # scores in tenths: many ties
        # Like many test files, the positives are listed first; a tie-blind curve is then biased upwards.
        order = np.argsort(-y_true, kind="stable")
        y_true, scores = y_true[order], scores[order]
    return {"inputs": {"y_true": y_true.tolist(), "scores": scores.tolist()}, **_roc(student, y_true, scores)}


@case
def roc_ovr(student, ctx):
    if ctx.visible:
        return None  # graded on hidden seeds only
    rng = np.random.default_rng([ctx.seed, 13])
    k = int(rng.integers(3, 6))
    y_true, proba, _ = _every_class_seen(rng, int(rng.integers(60, 200)), k, rng.uniform(0.5, 2.0))
    proba = np.round(proba, 3)
    proba /= proba.sum(axis=1, keepdims=True)
    auc = _number(student.roc_auc_ovr(y_true.copy(), proba.copy(), k), f"roc_auc_ovr(y_true, proba, {k})")
    return {"inputs": {"y_true": y_true.tolist(), "proba": proba, "num_classes": k}, "auc": auc}
