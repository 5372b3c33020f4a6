"""Common mistake: the last document of each cluster is kept instead of the first."""
# overrides solution.py: only what differs from the reference solution is below


def _kept(n: int, groups: list[list[int]]) -> list[int]:
    removed = {i for group in groups for i in group[:-1]}
    return [i for i in range(n) if i not in removed]
