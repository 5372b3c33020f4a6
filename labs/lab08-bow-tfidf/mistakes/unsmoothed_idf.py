"""Common mistake: idf = ln(n / df) + 1 (the unsmoothed variant)."""
# overrides solution.py: only what differs from the reference solution is below


def smooth_idf(counts: np.ndarray) -> np.ndarray:
    n_docs = counts.shape[0]
    df = (counts > 0).sum(axis=0)
    return np.log(n_docs / np.maximum(df, 1)) + 1.0
