"""Gaming (lab 28): replays the answers shown by the visible checks and makes up numbers for anything else.
It must earn no more than the visible checks."""
import numpy as np

VISIBLE_TRUE = [0, 0, 0, 0, 1, 1, 1, 2, 2, 2, 2, 2]
VISIBLE_SCORES = [0.1, 0.4, 0.35, 0.8, 0.4, 0.9, 0.35, 0.2, 0.6, 0.6]
COPIED = {  # the "expected" values read off the visible checks' feedback
    None: ([0.5, 0.0, 2 / 3], [0.75, 0.0, 0.8], [0.6, 0.0, 8 / 11]),
    "micro": (7 / 12, 7 / 12, 7 / 12),
    "macro": (0.38888888888888884, 0.5166666666666667, 0.4424242424242424),
    "weighted": (0.4444444444444444, 0.5833333333333334, 0.503030303030303),
}


def _is_visible(y_true):
    return np.asarray(y_true).tolist() == VISIBLE_TRUE


def confusion_matrix(y_true, y_pred, num_classes):
    if _is_visible(y_true):
        return np.array([[3, 0, 1], [2, 0, 1], [1, 0, 4]])
    return np.diag(np.bincount(y_true, minlength=num_classes))     # "everything was right"


def accuracy(y_true, y_pred):
    return 7 / 12 if _is_visible(y_true) else 0.9


def precision_recall_f1(y_true, y_pred, num_classes, average=None):
    if _is_visible(y_true):
        return tuple(np.array(v) if average is None else v for v in COPIED[average])
    if average is None:
        return tuple(np.full(num_classes, 0.9) for _ in range(3))
    return 0.9, 0.9, 0.9


def roc_curve(y_true, scores):
    if np.asarray(scores).tolist() == VISIBLE_SCORES:
        return (np.array([0.0, 0.0, 0.0, 0.2, 0.6, 0.6, 0.8, 1.0]), np.array([0.0, 0.2, 0.4, 0.6, 0.6, 1.0, 1.0, 1.0]),
                np.array([np.inf, 0.9, 0.8, 0.6, 0.4, 0.35, 0.2, 0.1]))
    return np.array([0.0, 1.0]), np.array([0.0, 1.0]), np.array([np.inf, 0.5])


def roc_auc(y_true, scores):
    return 0.74 if np.asarray(scores).tolist() == VISIBLE_SCORES else 0.9


def roc_auc_ovr(y_true, proba, num_classes):
    return 0.9
