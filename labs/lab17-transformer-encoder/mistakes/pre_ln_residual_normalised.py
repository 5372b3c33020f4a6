"""Common mistake (lab 17): the pre-LN residual adds the normalised input."""
# overrides solution.py: only what differs from the reference solution is below


def _pre_ln(x, sublayer, norm):
    x = norm(x)                         # the residual stream itself is normalised
    return x + sublayer(x)
