"""Common mistake (lab 28): macro F1 computed from macro precision and macro recall."""
# overrides solution.py: only what differs from the reference solution is below


def precision_recall_f1(y_true, y_pred, num_classes, average=None):
    """Precision, recall and F1 per class or averaged ('micro', 'macro', 'weighted')."""
    if average not in AVERAGES:
        raise ValueError(f"average must be one of {AVERAGES}, got {average!r}")
    matrix = confusion_matrix(y_true, y_pred, num_classes)
    tp = np.diag(matrix).astype(np.float64)
    predicted, support = matrix.sum(axis=0), matrix.sum(axis=1)
    if average == "micro":
        tp, predicted, support = tp.sum(), predicted.sum(), support.sum()
    precision, recall = _safe_divide(tp, predicted), _safe_divide(tp, support)
    f1 = _safe_divide(2 * tp, predicted + support)
    if average is None:
        return precision, recall, f1
    if average == "micro":
        return float(precision), float(recall), float(f1)
    weights = np.ones(num_classes) if average == "macro" else support.astype(np.float64)
    p, r = (float(np.sum(m * weights) / np.sum(weights)) for m in (precision, recall))
    f = 2 * p * r / (p + r) if p + r else 0.0      # the F1 of the averages, not the average of the F1s
    return p, r, f
