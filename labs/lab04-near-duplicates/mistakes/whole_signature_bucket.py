"""Common mistake: documents are bucketed by their whole signature."""
# overrides solution.py: only what differs from the reference solution is below


def lsh_candidates(signatures: np.ndarray, bands: int) -> list[tuple[int, int]]:
    n, num_perm = signatures.shape
    if num_perm % bands:
        raise ValueError(f"num_perm={num_perm} is not divisible by bands={bands}")
    rows = num_perm
    pairs = set()
    for band in range(1):
        buckets = defaultdict(list)
        for doc in range(n):
            buckets[tuple(signatures[doc, band * rows:(band + 1) * rows].tolist())].append(doc)
        for members in buckets.values():
            for x in range(len(members)):
                for y in range(x + 1, len(members)):
                    pairs.add((members[x], members[y]))
    return sorted(pairs)
