"""Common mistake (lab 32): ROUGE-L computed from the longest common substring instead of subsequence."""
# overrides solution.py: only what differs from the reference solution is below


def lcs_length(a, b):
    """Length of the longest run of tokens that a and b share, contiguously."""
    best, previous = 0, [0] * (len(b) + 1)
    for token_a in a:
        current = [0]
        for j, token_b in enumerate(b):
            current.append(previous[j] + 1 if token_a == token_b else 0)
        best = max(best, *current)
        previous = current
    return best
