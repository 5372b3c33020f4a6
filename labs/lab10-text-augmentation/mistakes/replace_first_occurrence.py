"""Common mistake: synonym replacement changes only the first occurrence of a word."""
# overrides solution.py: only what differs from the reference solution is below


def synonym_replacement(tokens, n, lexicon, rng: random.Random, protected=frozenset()):
    candidates = sorted({t for t in tokens if lexicon.get(t) and t not in protected})
    rng.shuffle(candidates)
    out = list(tokens)
    for word in candidates[:n]:
        synonym = rng.choice(lexicon[word])
        out[tokens.index(word)] = synonym
    return out
