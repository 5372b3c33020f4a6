"""Common mistake: uses the global random module instead of the rng argument."""
# overrides solution.py: only what differs from the reference solution is below


def synonym_replacement(tokens, n, lexicon, rng: random.Random, protected=frozenset()):
    candidates = sorted({t for t in tokens if lexicon.get(t) and t not in protected})
    random.shuffle(candidates)
    out = list(tokens)
    for word in candidates[:n]:
        synonym = random.choice(lexicon[word])
        out = [synonym if original == word else current for original, current in zip(tokens, out)]
    return out


def random_swap(tokens, n, rng: random.Random, protected=frozenset()):
    out = list(tokens)
    positions = [i for i, t in enumerate(out) if t not in protected]
    if len(positions) >= 2:
        for _ in range(n):
            i, j = random.sample(positions, 2)
            out[i], out[j] = out[j], out[i]
    return out


def random_deletion(tokens, p, rng: random.Random, protected=frozenset()):
    if not tokens:
        return []
    out = [t for t in tokens if t in protected or random.random() >= p]
    if not out:
        out = [tokens[rng.randrange(len(tokens))]]
    return out
