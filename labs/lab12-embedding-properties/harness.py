"""Lab 12 harness (runs inside the sandbox): the student's functions on the shipped vectors
(data/vectors.npy, data/vocab.txt). Seed 0 uses fixed, visible queries; hidden seeds draw their own."""
import random

import numpy as np

from labkit.data import data_path, read_lines, read_tsv, read_words
from labkit.harness import case


def load(ctx) -> tuple[np.ndarray, list[str]]:
    return np.load(data_path(ctx, "vectors.npy"), allow_pickle=False), read_words(ctx, "vocab.txt")


def questions(ctx) -> list[tuple[str, str, str, str, str]]:
    """data/analogies.txt as (category, a, b, c, d); a line ': name' starts the category `name`."""
    out, category = [], ""
    for line in read_lines(ctx, "analogies.txt"):
        if line.startswith(":"):
            category = line[1:].strip()
        else:
            out.append((category, *line.split()))
    return out


def similarity_pairs(ctx) -> list[tuple[str, str, float]]:
    return [(a, b, float(score)) for a, b, score in read_tsv(ctx, "similarity.tsv", columns=3)]


def number(value, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{what} must return a float, got {type(value).__name__}")
    return float(value)


def word_list(value, what: str) -> list[str]:
    if not isinstance(value, (list, tuple)) or not all(isinstance(w, str) for w in value):
        raise TypeError(f"{what} must return a list of str words, got {value!r:.100}")
    return list(value)


@case
def cosine(student, ctx):
    vectors, vocab = load(ctx)
    if ctx.visible:
        pairs = [("king", "queen"), ("cat", "dog"), ("apple", "car"), ("paris", "france")]
    else:
        rng = random.Random(ctx.seed)
        pairs = [tuple(rng.sample(vocab, 2)) for _ in range(6)]
    ctx.show(cosine_pairs=[f"cosine(vectors[{a!r}], vectors[{b!r}])" for a, b in pairs])
    index = {w: i for i, w in enumerate(vocab)}
    return [number(student.cosine(vectors[index[a]].copy(), vectors[index[b]].copy()), "cosine")
            for a, b in pairs]


@case
def neighbors(student, ctx):
    vectors, vocab = load(ctx)
    if ctx.visible:
        queries, k = ["king", "paris", "walk"], 5
    else:
        rng = random.Random(ctx.seed + 1)
        queries, k = rng.sample(vocab, 4), rng.randint(3, 8)
    ctx.show(neighbor_calls=[f"nearest_neighbors({w!r}, vectors, vocab, k={k})" for w in queries])
    out = []
    for word in queries:
        result = student.nearest_neighbors(word, vectors.copy(), list(vocab), k)
        if not isinstance(result, (list, tuple)) or not all(
                isinstance(p, (list, tuple)) and len(p) == 2 and isinstance(p[0], str) for p in result):
            raise TypeError(f"nearest_neighbors must return a list of (word, similarity) tuples, got {result!r:.100}")
        out.append([[p[0], number(p[1], "nearest_neighbors (the similarity)")] for p in result])
    return {"queries": queries, "k": k, "results": out}


def _analogy_questions(ctx, vocab) -> tuple[list[tuple[str, str, str]], int]:
    if ctx.visible:
        return [("man", "woman", "king"), ("france", "paris", "japan"), ("big", "bigger", "cold"),
                ("cat", "cats", "dog"), ("walk", "walked", "jump")], 3
    rng = random.Random(ctx.seed + 2)
    planted = [q for q in questions(ctx) if q[0] != "oov"]
    chosen = [tuple(q[1:4]) for q in rng.sample(planted, 6)]
    chosen += [tuple(rng.sample(vocab, 3)) for _ in range(4)]
    return chosen, rng.randint(1, 4)


@case
def analogy(student, ctx):
    vectors, vocab = load(ctx)
    queries, k = _analogy_questions(ctx, vocab)
    ctx.show(analogy_calls=[f"analogy({a!r}, {b!r}, {c!r}, vectors, vocab, k={k})" for a, b, c in queries])
    results = [word_list(student.analogy(a, b, c, vectors.copy(), list(vocab), k), "analogy")
               for a, b, c in queries]
    return {"queries": [list(q) for q in queries], "k": k, "results": results}


def _evaluation_questions(ctx) -> list[tuple[str, str, str, str, str]]:
    """All of data/analogies.txt on the visible seed; else 60 of its planted questions, one with an unknown
    word and two of a category of their own, shuffled."""
    if ctx.visible:
        return questions(ctx)
    rng = random.Random(ctx.seed + 3)
    items = rng.sample([q for q in questions(ctx) if q[0] != "oov"], 60)
    items += [("oov", "cat", "cats", "unicorn", "unicorns"), ("mixed", "king", "queen", "man", "woman"),
              ("mixed", "paris", "france", "tokyo", "japan")]
    rng.shuffle(items)
    return items


@case
def evaluate(student, ctx):
    vectors, vocab = load(ctx)
    items = _evaluation_questions(ctx)
    ctx.show(evaluate_call=f"evaluate_analogies(questions, vectors, vocab) on {len(items)} questions"
                           + (" (all of data/analogies.txt)" if ctx.visible else ""))
    result = student.evaluate_analogies([tuple(q) for q in items], vectors.copy(), list(vocab))
    if not isinstance(result, dict) or not {"accuracy", "per_category", "answered", "skipped"} <= set(result):
        raise TypeError("evaluate_analogies must return a dict with keys 'accuracy', 'per_category', 'answered' "
                        "and 'skipped'")
    per = result["per_category"]
    if not isinstance(per, dict):
        raise TypeError("evaluate_analogies(...)['per_category'] must be a dict {category: accuracy}")
    return {"accuracy": number(result["accuracy"], "evaluate_analogies['accuracy']"),
            "per_category": {str(c): number(a, "per_category accuracy") for c, a in per.items()},
            "answered": int(result["answered"]), "skipped": int(result["skipped"])}


@case
def spearman(student, ctx):
    if ctx.visible:
        x, y = [1.0, 2.0, 2.0, 3.0, 5.0, 4.0], [2.0, 1.0, 4.0, 4.0, 6.0, 3.0]
    else:
        rng = np.random.default_rng(ctx.seed + 4)
        n = int(rng.integers(10, 30))
        x = rng.integers(0, 6, n).astype(float).tolist()  # many ties
        y = (np.array(x) + rng.normal(0, 2, n)).round(0).tolist()
    ctx.show(spearman_call=f"spearman({x}, {y})")
    return number(student.spearman(list(x), list(y)), "spearman")


@case
def similarity(student, ctx):
    vectors, vocab = load(ctx)
    pairs = similarity_pairs(ctx)
    if not ctx.visible:  # 25 of the pairs and one with a word outside the vocabulary
        pairs = random.Random(ctx.seed + 5).sample(pairs, 25) + [("griffin", "lion", 6.5)]
    ctx.show(similarity_call=f"similarity_correlation(pairs, vectors, vocab) on {len(pairs)} pairs"
                             + (" (data/similarity.tsv)" if ctx.visible else ""))
    result = student.similarity_correlation([tuple(p) for p in pairs], vectors.copy(), list(vocab))
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        raise TypeError("similarity_correlation must return a tuple (spearman_rho, number_of_pairs_used)")
    return [number(result[0], "similarity_correlation (rho)"), number(result[1], "similarity_correlation (count)")]
