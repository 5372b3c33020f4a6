"""Common mistake (lab 15): softmax over the query axis (dim=1) instead of the keys."""
# overrides solution.py: only what differs from the reference solution is below


def _softmax(scores):
    return torch.softmax(scores, dim=1)     # dim 1 is the query axis: columns sum to 1, not rows
