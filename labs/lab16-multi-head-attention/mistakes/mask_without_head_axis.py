"""Common mistake (lab 16): the mask gets no head axis."""
# overrides solution.py: only what differs from the reference solution is below


def _with_head_axis(mask):
    return mask     # as it is: a (batch, 1, seq_k) mask lines its batch axis up with the heads
