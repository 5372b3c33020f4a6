"""Common mistake (lab 18): mean and variance computed on a detached tensor."""
# overrides solution.py: only what differs from the reference solution is below

_reference_moments, _reference_mean_square = _moments, _mean_square


def _moments(x):
    return _reference_moments(x.detach())          # no gradient flows through the mean and the variance


def _mean_square(x):
    return _reference_mean_square(x.detach())
