"""Common mistake: random insertion inserts any lexicon word, not a synonym."""
# overrides solution.py: only what differs from the reference solution is below


def random_insertion(tokens, n, lexicon, rng: random.Random, protected=frozenset()):
    out = list(tokens)
    for _ in range(n):
        candidates = [t for t in out if lexicon.get(t) and t not in protected]
        if not candidates:
            break
        synonym = rng.choice(sorted(lexicon))
        out.insert(rng.randint(0, len(out)), synonym)
    return out
