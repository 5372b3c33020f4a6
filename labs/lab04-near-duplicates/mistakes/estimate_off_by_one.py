"""Common mistake: estimate_jaccard() divides the number of equal positions by num_perm - 1 (an "unbiased"
denominator borrowed from the sample variance). With 256 hash functions it is only 0.4% off, so it passes
a tolerance on the statistics, but identical signatures get an estimate above 1."""
# overrides solution.py: only what differs from the reference solution is below


def estimate_jaccard(sig1: np.ndarray, sig2: np.ndarray) -> float:
    return float(np.sum(sig1 == sig2)) / (len(sig1) - 1)
