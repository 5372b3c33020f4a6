"""Common mistake: project_2d() takes the SVD of the raw embeddings, without subtracting the mean."""
# overrides solution.py: only what differs from the reference solution is below


def project_2d(vectors: np.ndarray) -> np.ndarray:
    _, _, vt = np.linalg.svd(vectors, full_matrices=False)
    return vectors @ vt[:2].T
