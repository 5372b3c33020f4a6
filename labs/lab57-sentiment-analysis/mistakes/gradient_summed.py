"""Common mistake (lab 57): the gradient of the SUMMED cross-entropy with the loss of the mean."""
# overrides solution.py: only what differs from the reference solution is below


def logreg_loss_and_grad(X, y, w, b, l2):
    p = sigmoid(X @ w + b)
    eps = 1e-12
    loss = -np.mean(y * np.log(p + eps) + (1 - y) * np.log(1 - p + eps)) + 0.5 * l2 * float(w @ w)
    error = p - y
    return float(loss), X.T @ error + l2 * w, float(error.sum())


def train_logreg(X, y, lr=4.0, epochs=150, l2=1e-4):
    w, b = np.zeros(X.shape[1], dtype=np.float64), 0.0
    y = y.astype(np.float64)
    for _ in range(epochs):
        _, grad_w, grad_b = logreg_loss_and_grad(X, y, w, b, l2)
        w -= lr / len(y) * grad_w       # the learning rate was tuned down to hide the sum
        b -= lr / len(y) * grad_b
    return w, float(b)
