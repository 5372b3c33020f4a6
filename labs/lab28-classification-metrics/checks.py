"""Lab 28 checks (outside the sandbox). The expected values are computed here with scikit-learn, from the
inputs recorded by the reference run (never from the student's run), with scikit-learn's defaults:
labels=range(num_classes) and zero_division="warn", which scores an undefined 0/0 as 0."""
from __future__ import annotations

import warnings

import numpy as np
from sklearn import metrics

from labkit.checks import Verdict, allclose, describe

TOL = dict(rtol=1e-9, atol=1e-12)     # float64 throughout: only summation order may differ
AVERAGES = ("micro", "macro", "weighted")
METRICS = ("precision", "recall", "f1")


# ----------------------------------------------------------------- scikit-learn, the ground truth

def _labels(inputs):
    return np.asarray(inputs["y_true"]), np.asarray(inputs["y_pred"]), list(range(inputs["num_classes"]))


def sklearn_prf(inputs, average):
    y_true, y_pred, labels = _labels(inputs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")          # UndefinedMetricWarning for the 0/0 cases is expected
        return metrics.precision_recall_fscore_support(y_true, y_pred, labels=labels, average=average)[:3]


def sklearn_confusion(inputs):
    y_true, y_pred, labels = _labels(inputs)
    return metrics.confusion_matrix(y_true, y_pred, labels=labels), metrics.accuracy_score(y_true, y_pred)


def sklearn_roc(inputs):
    y_true, scores = np.asarray(inputs["y_true"]), np.asarray(inputs["scores"], dtype=np.float64)
    fpr, tpr, thresholds = metrics.roc_curve(y_true, scores, drop_intermediate=False)
    return fpr, tpr, thresholds, metrics.roc_auc_score(y_true, scores)


def sklearn_roc_ovr(inputs):
    proba = np.asarray(inputs["proba"], dtype=np.float64)
    return metrics.roc_auc_score(np.asarray(inputs["y_true"]), proba, multi_class="ovr", average="macro",
                                 labels=list(range(inputs["num_classes"])))


# ----------------------------------------------------------------- diagnostics in the lab's terms

def _close(a, b):
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return a.shape == b.shape and bool(np.allclose(a, b, **TOL))


def _per_class_problem(got, want):
    """A message naming the classic per-class mistakes, or ''."""
    precision, recall, _ = (np.asarray(got[m], dtype=np.float64) for m in METRICS)
    if any(np.isnan(np.asarray(got[m], dtype=np.float64)).any() for m in METRICS):
        return ("some per-class values are NaN: a class that is never predicted has precision 0/0 (and a class "
                "with no true samples has recall 0/0); scikit-learn's default zero_division scores these as 0. ")
    if _close(precision, want[1]) and _close(recall, want[0]):
        return ("precision and recall are swapped: precision divides true positives by the column sum "
                "(everything PREDICTED as the class), recall by the row sum (everything truly in the class). ")
    return ""


def _averaged_problem(average, got, inputs):
    """Recognise the usual averaging mistakes."""
    if any(np.isnan(v) for v in got):
        return ("an average is NaN: a per-class 0/0 (a class never predicted, or with no true samples) must be "
                "scored 0 before averaging, as scikit-learn's default zero_division does. ")
    want = sklearn_prf(inputs, average)
    if average != "micro" and np.isclose(got[0], want[1], **TOL) and np.isclose(got[1], want[0], **TOL):
        return "precision and recall are swapped (is the confusion matrix transposed?). "
    per_class = sklearn_prf(inputs, None)
    y_true, y_pred, labels = _labels(inputs)
    if average == "macro":
        p, r = got[0], got[1]
        if p + r > 0 and np.isclose(got[2], 2 * p * r / (p + r), **TOL) and not _close(got[2], per_class[2].mean()):
            return ("macro F1 is the harmonic mean of macro precision and macro recall; it must be the plain "
                    "mean of the per-class F1 scores. ")
    if average == "weighted":
        predicted = np.bincount(y_pred, minlength=len(labels)).astype(np.float64)
        if _close(got[2], np.sum(per_class[2] * predicted) / predicted.sum()):
            return ("the weights are the numbers of PREDICTIONS per class; weighted averages use the support, "
                    "the number of TRUE samples of each class. ")
    if average == "micro":
        acc = float(np.mean(y_true == y_pred))
        if not _close(got[2], acc):
            return (f"micro F1 should equal the accuracy ({acc:.4f}) here: pool the true positives, false "
                    "positives and false negatives of all classes, then compute one precision/recall/F1. ")
    return ""


def _compare_per_class(got, inputs, prefix=""):
    want = sklearn_prf(inputs, None)
    problem = _per_class_problem(got, want)
    for name, expected in zip(METRICS, want):
        verdict = allclose(np.asarray(got[name], dtype=np.float64), expected, **TOL)
        if not verdict.passed:
            verdict.feedback = f"{prefix}{problem}per-class {name}: {verdict.feedback}"
            return verdict
    return Verdict(True)


def _compare_averaged(got, inputs, prefix=""):
    for average in AVERAGES:
        want = sklearn_prf(inputs, average)
        have = got[average]
        for name, h, w in zip(METRICS, have, want):
            if not np.isclose(h, w, **TOL):
                problem = _averaged_problem(average, have, inputs)
                return Verdict(False, f"{prefix}{problem}average={average!r}: {name} is {h:.6f} where {w:.6f} "
                                      "was expected", expected=describe([float(v) for v in want]),
                               got=describe(have))
    return Verdict(True)


# ----------------------------------------------------------------- check functions

def check_confusion(got, expected, ctx):
    inputs = expected["inputs"]
    want, acc = sklearn_confusion(inputs)
    have = np.asarray(got["matrix"])
    if have.shape == want.shape and not np.array_equal(have, want):
        if np.array_equal(have, want.T):
            return Verdict(False, "your confusion matrix is transposed: row i must be the TRUE class i and "
                                  "column j the PREDICTED class j", describe(want), describe(have))
        if have.sum() != want.sum():
            return Verdict(False, f"the counts add up to {int(have.sum())}, not to the {int(want.sum())} samples: "
                                  "every sample adds 1 to exactly one cell", describe(want), describe(have))
    verdict = allclose(have, want, rtol=0, atol=0)
    if not verdict.passed:
        verdict.feedback = "confusion matrix: " + verdict.feedback
        return verdict
    if not np.isclose(got["accuracy"], acc, **TOL):
        return Verdict(False, f"accuracy is {got['accuracy']:.6f} where {acc:.6f} (correct predictions / samples) "
                              "was expected", f"{acc:.6f}", f"{got['accuracy']:.6f}")
    return Verdict(True)


def check_per_class(got, expected, ctx):
    return _compare_per_class(got, expected["inputs"])


def check_averaged(got, expected, ctx):
    return _compare_averaged(got, expected["inputs"])


def check_never_predicted(got, expected, ctx):
    inputs = expected["inputs"]
    prefix = (f"class {expected['silent_class']} is never predicted and class {expected['absent_class']} never "
              "occurs in y_true: ")
    verdict = _compare_per_class(got["per_class"], inputs, prefix)
    if not verdict.passed:
        return verdict
    return _compare_averaged(got, inputs, prefix)


def _check_curve(got, inputs):
    fpr, tpr, thresholds, _ = sklearn_roc(inputs)
    have_thresholds = np.asarray(got["thresholds"], dtype=np.float64)
    if len(have_thresholds) != len(thresholds):
        distinct = len(set(inputs["scores"]))
        return Verdict(False, f"the curve has {len(have_thresholds)} points where {len(thresholds)} were expected: "
                              f"one point per distinct score ({distinct} here; tied samples cross a threshold "
                              "together) plus the starting point (0, 0) at threshold +inf",
                       describe(thresholds), describe(have_thresholds))
    if not np.isposinf(have_thresholds[0]):
        return Verdict(False, f"the first threshold is {have_thresholds[0]}, expected +inf: the curve starts at "
                              "(0, 0), where no sample is predicted positive")
    for name, have, want in (("thresholds", have_thresholds, thresholds), ("fpr", got["fpr"], fpr),
                             ("tpr", got["tpr"], tpr)):
        verdict = allclose(np.asarray(have, dtype=np.float64), want, **TOL)
        if not verdict.passed:
            verdict.feedback = f"roc_curve {name}: {verdict.feedback}"
            return verdict
    return Verdict(True)


def _check_auc(got, inputs):
    want = sklearn_roc(inputs)[3]
    if not np.isclose(got["auc"], want, **TOL):
        return Verdict(False, f"roc_auc is {got['auc']:.6f} where {want:.6f} was expected. With tied scores the "
                              "curve moves diagonally (trapezoid area), not in steps", f"{want:.6f}",
                       f"{got['auc']:.6f}")
    return Verdict(True)


def check_roc_curve(got, expected, ctx):
    return _check_curve(got, expected["inputs"])


def check_roc_auc(got, expected, ctx):
    return _check_auc(got, expected["inputs"])


def check_roc(got, expected, ctx):
    verdict = _check_curve(got, expected["inputs"])
    return verdict if not verdict.passed else _check_auc(got, expected["inputs"])


def check_roc_ovr(got, expected, ctx):
    want = sklearn_roc_ovr(expected["inputs"])
    if not np.isclose(got["auc"], want, **TOL):
        return Verdict(False, f"roc_auc_ovr is {got['auc']:.6f} where {want:.6f} was expected: average, over the "
                              "classes, the binary AUC of (y_true == c) against proba[:, c]",
                       f"{want:.6f}", f"{got['auc']:.6f}")
    return Verdict(True)
