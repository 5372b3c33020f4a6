"""Common mistake (lab 55): the biased pass@k estimator 1 - (1 - c/n)^k."""
# overrides solution.py: only what differs from the reference solution is below


def pass_at_k(n, c, k):
    return float(1.0 - (1.0 - c / n) ** k)
