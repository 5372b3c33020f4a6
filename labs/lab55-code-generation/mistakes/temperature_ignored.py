"""Common mistake (lab 55): the temperature never reaches the softmax."""
# overrides solution.py: only what differs from the reference solution is below


def softmax_with_temperature(logits, temperature):
    logits = np.asarray(logits, dtype=np.float64)
    weights = np.exp(logits - logits.max())
    return weights / weights.sum()
