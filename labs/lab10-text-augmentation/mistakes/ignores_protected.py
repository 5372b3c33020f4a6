"""Common mistake: swap and deletion ignore the protected tokens."""
# overrides solution.py: only what differs from the reference solution is below


def random_swap(tokens, n, rng: random.Random, protected=frozenset()):
    out = list(tokens)
    positions = list(range(len(out)))
    if len(positions) >= 2:
        for _ in range(n):
            i, j = rng.sample(positions, 2)
            out[i], out[j] = out[j], out[i]
    return out


def random_deletion(tokens, p, rng: random.Random, protected=frozenset()):
    if not tokens:
        return []
    out = [t for t in tokens if rng.random() >= p]
    if not out:
        out = [tokens[rng.randrange(len(tokens))]]
    return out
