"""Common mistake: random insertion inserts any lexicon word, not a synonym of a word in the sentence."""
# overrides solution.py: only what differs from the reference solution is below


def _synonym_to_insert(out, lexicon, rng: random.Random, protected):
    if not any(lexicon.get(t) and t not in protected for t in out):
        return None
    return rng.choice(sorted(lexicon))
