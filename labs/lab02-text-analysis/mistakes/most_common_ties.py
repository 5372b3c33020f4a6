"""Common mistake: top_k() relies on Counter.most_common tie order."""
# overrides solution.py: only what differs from the reference solution is below


def top_k(counts: dict[str, int], k: int) -> list[tuple[str, int]]:
    return Counter(counts).most_common(max(k, 0))
