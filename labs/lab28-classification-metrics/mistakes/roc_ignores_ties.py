"""Common mistake (lab 28): one ROC point per sample, so tied scores make a staircase in sort order."""
# overrides solution.py: only what differs from the reference solution is below


def roc_curve(y_true, scores):
    """(fpr, tpr, thresholds), one point per sample from the highest score down."""
    y_true = np.asarray(y_true, dtype=np.int64)
    scores = np.asarray(scores, dtype=np.float64)
    order = np.argsort(-scores, kind="stable")
    scores, y_true = scores[order], y_true[order]
    tps = np.r_[0, np.cumsum(y_true)]
    fps = np.r_[0, np.cumsum(1 - y_true)]
    return fps / fps[-1], tps / tps[-1], np.r_[np.inf, scores]
