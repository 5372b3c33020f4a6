"""Common mistake (lab 15): masked weights are zeroed after the softmax."""
# overrides solution.py: only what differs from the reference solution is below


def scaled_dot_product_attention(q, k, v, mask=None):
    weights = _softmax(_scores(q, k))
    if mask is not None:
        weights = weights.masked_fill(~mask, 0.0)   # after the softmax: rows no longer sum to 1
    return weights @ v, weights
