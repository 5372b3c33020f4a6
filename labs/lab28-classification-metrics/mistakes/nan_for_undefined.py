"""Common mistake (lab 28): plain division, so a class that is never predicted gets precision 0/0 = NaN."""
# overrides solution.py: only what differs from the reference solution is below


def _safe_divide(numerator, denominator):
    """numerator / denominator (NaN where the denominator is 0)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(numerator, dtype=np.float64) / np.asarray(denominator, dtype=np.float64)
