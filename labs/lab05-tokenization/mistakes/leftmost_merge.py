"""Common mistake: encoding merges the leftmost pair that has a merge instead of the earliest-learned one."""
# overrides solution.py: only what differs from the reference solution is below


def _pair_to_merge(pairs: list[tuple[str, str]], rank: dict[tuple[str, str], int]) -> tuple[str, str]:
    return pairs[0]
