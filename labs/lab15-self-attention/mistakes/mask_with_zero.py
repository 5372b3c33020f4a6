"""Common mistake (lab 15): masked scores are filled with 0 instead of -inf."""
# overrides solution.py: only what differs from the reference solution is below


def _hide_masked(scores, mask):
    return scores.masked_fill(~mask, 0.0)   # exp(0) = 1: hidden keys still get weight
