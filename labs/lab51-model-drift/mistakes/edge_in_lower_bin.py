"""Common mistake (lab 51): a value equal to an edge lands in the bin below it."""
# overrides solution.py: only what differs from the reference solution is below


def bin_proportions(values, edges):
    index = np.searchsorted(np.asarray(edges, dtype=np.float64), np.asarray(values, dtype=np.float64), side="left")
    counts = np.bincount(index, minlength=len(edges) + 1).astype(np.float64)
    total = counts.sum()
    return counts / total if total else counts
