"""Common mistake: every LSH candidate pair is treated as a duplicate, without checking its real Jaccard
similarity against the threshold."""
# overrides solution.py: only what differs from the reference solution is below


def _verified(candidates: list[tuple[int, int]], sets: list[set], threshold: float) -> list[tuple[int, int]]:
    return candidates
