"""Common mistake (lab 15): hand-written softmax without subtracting the row max."""
# overrides solution.py: only what differs from the reference solution is below


def _softmax(scores):
    exp = torch.exp(scores)                 # exp(200) overflows float32 to inf, and inf / inf is NaN
    return exp / exp.sum(dim=-1, keepdim=True)
