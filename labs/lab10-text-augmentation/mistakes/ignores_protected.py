"""Common mistake: swap and deletion ignore the protected tokens (the argument is accepted but never
used), so negations and aspect terms get moved or deleted."""
# overrides solution.py: only what differs from the reference solution is below

_reference_swap, _reference_deletion = random_swap, random_deletion


def random_swap(tokens, n, rng: random.Random, protected=frozenset()):
    return _reference_swap(tokens, n, rng, frozenset())


def random_deletion(tokens, p, rng: random.Random, protected=frozenset()):
    return _reference_deletion(tokens, p, rng, frozenset())
