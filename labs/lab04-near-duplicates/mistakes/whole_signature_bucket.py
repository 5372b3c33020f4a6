"""Common mistake: documents are bucketed by their whole signature (one band of all the rows), so only
documents with identical signatures become candidates."""
# overrides solution.py: only what differs from the reference solution is below

_reference_lsh_candidates = lsh_candidates


def lsh_candidates(signatures: np.ndarray, bands: int) -> list[tuple[int, int]]:
    return _reference_lsh_candidates(signatures, 1)
