"""Common mistake: raw unigram frequencies as the noise distribution."""
# overrides solution.py: only what differs from the reference solution is below


def noise_distribution(counts: np.ndarray, power: float = 0.75) -> np.ndarray:
    weights = np.asarray(counts, dtype=np.float64)
    return weights / weights.sum()
