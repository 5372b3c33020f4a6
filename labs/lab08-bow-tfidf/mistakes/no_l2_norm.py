"""Common mistake: tf * idf without l2 normalisation of the rows."""
# overrides solution.py: only what differs from the reference solution is below


def tfidf_transform(counts: np.ndarray, idf: np.ndarray) -> np.ndarray:
    return counts.astype(np.float64) * idf
