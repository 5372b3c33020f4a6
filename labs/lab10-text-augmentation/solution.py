"""Lab 10 reference solution: EDA text augmentation with a seeded random.Random."""
import random


def load_lexicon(path: str) -> dict[str, list[str]]:
    lexicon: dict[str, list[str]] = {}
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            word, synonyms = line.split("\t")
            lexicon[word] = [s for s in synonyms.split(",") if s and s != word]
    return lexicon


def _replace_word(tokens, out, word, synonym):
    """out with synonym at every position where the original tokens hold word (all occurrences)."""
    return [synonym if original == word else current for original, current in zip(tokens, out)]


def synonym_replacement(tokens, n, lexicon, rng: random.Random, protected=frozenset()):
    candidates = sorted({t for t in tokens if lexicon.get(t) and t not in protected})
    rng.shuffle(candidates)
    out = list(tokens)
    for word in candidates[:n]:
        out = _replace_word(tokens, out, word, rng.choice(lexicon[word]))
    return out


def _synonym_to_insert(out, lexicon, rng: random.Random, protected):
    """A synonym of a random replaceable word of out (None when there is none)."""
    candidates = [t for t in out if lexicon.get(t) and t not in protected]
    return rng.choice(lexicon[rng.choice(candidates)]) if candidates else None


def random_insertion(tokens, n, lexicon, rng: random.Random, protected=frozenset()):
    out = list(tokens)
    for _ in range(n):
        synonym = _synonym_to_insert(out, lexicon, rng, protected)
        if synonym is None:
            break
        out.insert(rng.randint(0, len(out)), synonym)
    return out


def random_swap(tokens, n, rng: random.Random, protected=frozenset()):
    out = list(tokens)
    positions = [i for i, t in enumerate(out) if t not in protected]
    if len(positions) >= 2:
        for _ in range(n):
            i, j = rng.sample(positions, 2)
            out[i], out[j] = out[j], out[i]
    return out


def random_deletion(tokens, p, rng: random.Random, protected=frozenset()):
    if not tokens:
        return []
    out = [t for t in tokens if t in protected or rng.random() >= p]
    if not out:
        out = [tokens[rng.randrange(len(tokens))]]
    return out


def eda(tokens, lexicon, rng: random.Random, alpha=0.1, n_aug=4, protected=frozenset()):
    n = max(1, int(alpha * len(tokens)))
    augmented = []
    for i in range(n_aug):
        op = i % 4
        if op == 0:
            augmented.append(synonym_replacement(tokens, n, lexicon, rng, protected))
        elif op == 1:
            augmented.append(random_insertion(tokens, n, lexicon, rng, protected))
        elif op == 2:
            augmented.append(random_swap(tokens, n, rng, protected))
        else:
            augmented.append(random_deletion(tokens, alpha, rng, protected))
    return augmented
