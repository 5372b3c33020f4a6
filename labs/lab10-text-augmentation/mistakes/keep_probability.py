"""Common mistake: p is used as the probability of keeping a token."""
# overrides solution.py: only what differs from the reference solution is below


def random_deletion(tokens, p, rng: random.Random, protected=frozenset()):
    if not tokens:
        return []
    out = [t for t in tokens if t in protected or rng.random() < p]
    if not out:
        out = [tokens[rng.randrange(len(tokens))]]
    return out
