"""Common mistake (lab 28): the confusion matrix is indexed [predicted, true] instead of [true, predicted]."""
# overrides solution.py: only what differs from the reference solution is below


def confusion_matrix(y_true, y_pred, num_classes):
    """(num_classes, num_classes) int64 counts."""
    y_true, y_pred = np.asarray(y_true, dtype=np.int64), np.asarray(y_pred, dtype=np.int64)
    matrix = np.zeros((num_classes, num_classes), dtype=np.int64)
    np.add.at(matrix, (y_pred, y_true), 1)          # rows = predictions: the transpose
    return matrix
