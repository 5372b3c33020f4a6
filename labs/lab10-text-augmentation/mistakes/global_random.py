"""Common mistake: draws from the global random module instead of the rng argument (so a given
random.Random(seed) does not reproduce the output). Below: the reference operations, handed the module
`random` where they should use `rng`."""
# overrides solution.py: only what differs from the reference solution is below

_reference = {"synonym_replacement": synonym_replacement, "random_swap": random_swap,
              "random_deletion": random_deletion}


def synonym_replacement(tokens, n, lexicon, rng: random.Random, protected=frozenset()):
    return _reference["synonym_replacement"](tokens, n, lexicon, random, protected)


def random_swap(tokens, n, rng: random.Random, protected=frozenset()):
    return _reference["random_swap"](tokens, n, random, protected)


def random_deletion(tokens, p, rng: random.Random, protected=frozenset()):
    return _reference["random_deletion"](tokens, p, random, protected)
