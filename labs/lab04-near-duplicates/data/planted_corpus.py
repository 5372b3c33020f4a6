"""Generates a synthetic web-like corpus with PLANTED near-duplicates, so that a de-duplication
pipeline can be scored with precision and recall. Shared by the lab's harness (inside the sandbox,
to build inputs) and checks.py (outside, to rebuild the ground truth from the same seed).

make_corpus(seed) -> (docs, clusters)
    docs:     list[str], shuffled
    clusters: list of sorted index lists; each is one original document plus its near-copies.
              Every other document is unique (including "hard negatives" that share boilerplate).
"""
from __future__ import annotations

import random

SYLLABLES = ["ka", "lo", "mi", "ne", "ru", "sa", "to", "vi", "ben", "dor", "fal", "gim", "hep", "jor", "kel",
             "mur", "pax", "quen", "ril", "tas", "ul", "wen", "yor", "zed", "an", "es", "ot", "ir"]
BOILERPLATE = ("we use cookies to improve your experience on this site by continuing to browse you agree to our "
               "use of cookies and our privacy policy read more about how we handle your data here").split()


def _vocabulary(rng: random.Random, size: int) -> list[str]:
    words: set[str] = set()
    while len(words) < size:
        words.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(1, 3))))
    ordered = sorted(words)
    rng.shuffle(ordered)
    return ordered


def _render(tokens: list[str], rng: random.Random) -> str:
    """Words -> text with sentences, capitals and punctuation (which shingling must ignore)."""
    out, start = [], True
    for i, tok in enumerate(tokens):
        word = tok.capitalize() if start else tok
        start = False
        if i < len(tokens) - 1 and rng.random() < 0.09:
            word += rng.choice([".", ".", "!", "?"])
            start = True
        elif rng.random() < 0.05:
            word += ","
        out.append(word)
    return " ".join(out) + "."


def _edit(tokens: list[str], rate: float, rng: random.Random, vocab: list[str], weights: list[float]) -> list[str]:
    out = []
    for tok in tokens:
        r = rng.random()
        if r < rate / 3:
            out.append(rng.choices(vocab, weights)[0])          # substitute
        elif r < 2 * rate / 3:
            continue                                            # delete
        elif r < rate:
            out += [tok, rng.choices(vocab, weights)[0]]        # insert
        else:
            out.append(tok)
    return out


def _noise(text: str, rng: random.Random) -> str:
    """Formatting-only changes: case, spacing, a trailing line (these must not matter)."""
    choice = rng.random()
    if choice < 0.3:
        text = text.upper() if rng.random() < 0.3 else text.lower()
    elif choice < 0.6:
        text = text.replace(" ", "  ").replace(". ", ".\n")
    if rng.random() < 0.4:
        text += rng.choice(["\n\nShare this article!", "\n(updated)", "\n\nRead more..."])
    return text


def make_corpus(seed: int, n_unique: int = 90, n_clusters: int = 25, n_boilerplate: int = 30):
    rng = random.Random(seed)
    vocab = _vocabulary(rng, 1500)
    weights = [1.0 / (r + 5) for r in range(len(vocab))]
    docs: list[tuple[str, int]] = []          # (text, cluster id or -1)

    def body(n):
        return rng.choices(vocab, weights, k=n)

    for _ in range(n_unique):
        docs.append((_render(body(rng.randint(50, 120)), rng), -1))
    for _ in range(n_boilerplate):            # hard negatives: same long cookie banner, different bodies
        extra = body(rng.randint(28, 45))
        tokens = BOILERPLATE + extra if rng.random() < 0.7 else extra + BOILERPLATE
        docs.append((_render(tokens, rng), -1))
    for cid in range(n_clusters):
        base = body(rng.randint(60, 140))
        docs.append((_render(base, rng), cid))
        for _ in range(rng.choice([1, 1, 1, 2, 2, 3])):
            copy = _edit(base, rng.uniform(0.0, 0.08), rng, vocab, weights)
            docs.append((_noise(_render(copy, rng), rng), cid))
    rng.shuffle(docs)
    groups: dict[int, list[int]] = {}
    for index, (_, cid) in enumerate(docs):
        if cid >= 0:
            groups.setdefault(cid, []).append(index)
    clusters = sorted(sorted(g) for g in groups.values())
    return [text for text, _ in docs], clusters
