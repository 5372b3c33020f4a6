"""Common mistake (lab 15): softmax computed in float32 whatever the input dtype."""
# overrides solution.py: only what differs from the reference solution is below


def scaled_dot_product_attention(q, k, v, mask=None):
    scores = _scores(q, k)
    if mask is not None:
        scores = _hide_masked(scores, mask)
    weights = torch.softmax(scores, dim=-1, dtype=torch.float32)   # float64 scores give float32 weights
    return weights @ v.float(), weights                            # and v.float() makes the matmul run
