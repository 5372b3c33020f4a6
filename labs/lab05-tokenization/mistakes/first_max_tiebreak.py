"""Common mistake: the most frequent pair is picked with max(counts, key=counts.get), so a tie goes to
whichever pair was counted first instead of the alphabetically smallest one."""
# overrides solution.py: only what differs from the reference solution is below


def _best_pair(counts: dict[tuple[str, str], int]) -> tuple[str, str]:
    return max(counts, key=counts.get)
