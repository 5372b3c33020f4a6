"""Lab 4 harness: runs inside the sandbox. Builds inputs (fixed for the visible seed, generated for hidden
seeds), calls the student's functions, validates types and shapes. No expected values here; the planted
ground truth of the corpus is rebuilt by checks.py outside the sandbox."""
from __future__ import annotations

import numbers

import numpy as np

from labkit.data import case_np_rng, case_rng, load_module
from labkit.harness import case
from labkit.returns import number

P = (1 << 31) - 1


def _corpus_module(ctx):
    return load_module(ctx, "planted_corpus.py")


def _params(num_perm, seed):
    """The same hash family as make_hash_params in the starter (inputs only)."""
    rng = np.random.default_rng(seed)
    return rng.integers(1, P, size=num_perm, dtype=np.int64), rng.integers(0, P, size=num_perm, dtype=np.int64)


# ----------------------------------------------------------------------------- validation


def _shingle_list(value):
    if not isinstance(value, (set, frozenset, list)):
        raise TypeError(f"shingles must return a set of strings, got {type(value).__name__}")
    if any(not isinstance(s, str) for s in value):
        raise TypeError("shingles must return a set of strings (each shingle is the k words joined by spaces)")
    return sorted(set(value))


_float = number


def _signature(value, num_perm):
    array = np.asarray(value)
    if array.shape != (num_perm,):
        raise ValueError(f"minhash_signature must return an array of shape ({num_perm},) (one value per hash "
                         f"function), got shape {array.shape}")
    if array.dtype.kind not in "iu":
        raise TypeError(f"minhash_signature must return integers (dtype int64), got dtype {array.dtype}")
    return array.astype(np.int64)


def _pairs(value, what="lsh_candidates"):
    if not isinstance(value, (list, set, tuple)):
        raise TypeError(f"{what} must return a list of (i, j) pairs, got {type(value).__name__}")
    out = set()
    for pair in value:
        if not isinstance(pair, (tuple, list)) or len(pair) != 2 or not all(
                isinstance(x, numbers.Integral) and not isinstance(x, bool) for x in pair):
            raise TypeError(f"{what} must return (i, j) pairs of document indices, got {pair!r}")
        i, j = int(pair[0]), int(pair[1])
        if i == j:
            raise ValueError(f"{what} returned the pair {pair!r}: a document is not a candidate of itself")
        out.add((min(i, j), max(i, j)))
    return [list(p) for p in sorted(out)]


def _clusters(value):
    if not isinstance(value, list):
        raise TypeError(f"clusters must return a list of lists of indices, got {type(value).__name__}")
    out = []
    for group in value:
        if not isinstance(group, (list, tuple, set)) or not all(
                isinstance(x, numbers.Integral) and not isinstance(x, bool) for x in group):
            raise TypeError(f"each cluster must be a list of document indices, got {group!r}")
        out.append(sorted(int(x) for x in group))
    return sorted(out)


def _indices(value):
    if not isinstance(value, list) or not all(isinstance(x, numbers.Integral) and not isinstance(x, bool)
                                              for x in value):
        raise TypeError("deduplicate must return a list of the indices (ints) of the documents to keep")
    return sorted({int(x) for x in value})


# ----------------------------------------------------------------------------- visible inputs

VISIBLE_TEXT = "The keeper lit the lamp. The keeper lit the LAMP, and the bell rang!"
VISIBLE_SETS = [({"a", "b", "c"}, {"b", "c", "d"}), ({"x"}, {"y"}), (set(), set()),
                ({"the keeper lit", "keeper lit the"}, {"the keeper lit", "keeper lit the"})]
VISIBLE_SHINGLES = {"the keeper lit", "keeper lit the", "lit the lamp", "the lamp and", "lamp and the"}
VISIBLE_CURVE = [(32, 4), (16, 8), (64, 2)]
VISIBLE_SIGNATURES = np.array([   # 6 documents x 8 hash functions; with bands=4 each band has 2 rows
    [1, 2, 3, 4, 5, 6, 7, 8],
    [1, 2, 9, 9, 9, 9, 9, 9],
    [0, 0, 0, 0, 5, 6, 0, 0],
    [7, 7, 7, 7, 7, 7, 7, 7],
    [1, 2, 0, 0, 5, 6, 9, 9],
    [8, 8, 8, 8, 8, 8, 8, 8],
], dtype=np.int64)
VISIBLE_PAIRS = [(0, 1), (2, 3), (5, 6), (6, 7), (1, 0)]


# ----------------------------------------------------------------------------- cases


@case
def shingles(student, ctx):
    if ctx.visible:
        inputs = [(VISIBLE_TEXT, 3), (VISIBLE_TEXT, 1), ("Two words", 3), ("...!", 2)]
        ctx.show(text=VISIBLE_TEXT, calls="k=3; k=1; shingles('Two words', 3); shingles('...!', 2)")
    else:
        docs, _ = _corpus_module(ctx).make_corpus(ctx.seed, n_unique=4, n_clusters=1, n_boilerplate=1)
        rng = case_rng(ctx, "shingles")
        inputs = [(d, rng.randint(1, 5)) for d in docs[:4]] + [("A b", 4), ("", 2)]
    return [_shingle_list(student.shingles(text, k)) for text, k in inputs]


@case
def jaccard(student, ctx):
    if ctx.visible:
        pairs = VISIBLE_SETS
        ctx.show(pairs=[[sorted(a), sorted(b)] for a, b in pairs])
    else:
        pairs, rng = [], case_rng(ctx, "jaccard")
        for _ in range(6):
            universe = [f"s{i}" for i in range(rng.randint(5, 40))]
            a = {s for s in universe if rng.random() < 0.5}
            b = {s for s in universe if rng.random() < 0.5}
            pairs.append((a, b))
        pairs += [(set(), {"x"}), (set(), set())]
    return [_float(student.jaccard(set(a), set(b)), "jaccard") for a, b in pairs]


@case
def minhash(student, ctx):
    if ctx.visible:
        num_perm, seed, sets = 16, 7, [VISIBLE_SHINGLES]
        ctx.show(shingle_set=sorted(VISIBLE_SHINGLES), num_perm=num_perm, seed=seed)
    else:
        rng = case_rng(ctx, "minhash")
        num_perm, seed = rng.choice([32, 64, 100]), rng.randint(0, 10**6)
        docs, _ = _corpus_module(ctx).make_corpus(ctx.seed, n_unique=3, n_clusters=1, n_boilerplate=0)
        sets = [{" ".join(d.lower().split()[i:i + 3]) for i in range(20)} for d in docs[:3]] + [{"x"}, set()]
    a, b = _params(num_perm, seed)
    return np.stack([_signature(student.minhash_signature(set(s), a.copy(), b.copy()), num_perm) for s in sets])


@case
def minhash_estimate(student, ctx):
    """Statistical property: the share of equal signature positions estimates the Jaccard similarity; and
    the estimator itself on short signatures made here (where a wrong denominator shows), identical ones
    (1.0) and ones with no equal position (0.0)."""
    rng = case_rng(ctx, "minhash_estimate")
    universe = [f"w{i}" for i in range(400)]
    base = set(rng.sample(universe, 200))
    out = []
    for overlap in (0.2, 0.5, 0.8):
        keep = set(rng.sample(sorted(base), int(200 * overlap)))
        other = keep | set(rng.sample(sorted(set(universe) - base), 200 - len(keep)))
        a, b = _params(256, rng.randint(0, 10**6))
        s1 = _signature(student.minhash_signature(set(base), a, b), 256)
        s2 = _signature(student.minhash_signature(set(other), a, b), 256)
        out.append({"true": len(base & other) / len(base | other),
                    "estimate": _float(student.estimate_jaccard(s1, s2), "estimate_jaccard")})
    exact = []
    for num_perm in (4, 7, 10, 16):
        s1 = np.asarray([rng.randrange(P) for _ in range(num_perm)], dtype=np.int64)
        s2 = s1.copy()
        for i in rng.sample(range(num_perm), rng.randint(1, num_perm - 1)):
            s2[i] = (s2[i] + 1 + rng.randrange(1000)) % P
        for x, y in ((s1, s2), (s1, s1.copy()), (s1, (s1 + 1) % P)):
            exact.append({"num_perm": num_perm, "equal": int(np.sum(x == y)),
                          "estimate": _float(student.estimate_jaccard(x.copy(), y.copy()), "estimate_jaccard")})
    return {"statistical": out, "exact": exact}


@case
def lsh_curve(student, ctx):
    rng = case_rng(ctx, "lsh_curve")
    combos = VISIBLE_CURVE if ctx.visible else [(rng.choice([8, 16, 20, 50]), rng.randint(2, 10)) for _ in range(3)]
    grid = [0.0, 0.1, 0.3, 0.5, 0.7, 0.9, 1.0] if ctx.visible else [round(rng.random(), 3) for _ in range(6)]
    ctx.show(bands_rows=combos, s=grid)
    return [[_float(student.lsh_probability(s, b, r), "lsh_probability") for s in grid] for b, r in combos]


@case
def lsh_candidates(student, ctx):
    if ctx.visible:
        sigs, bands = VISIBLE_SIGNATURES, 4
        ctx.show(signatures=sigs.tolist(), bands=bands)
        return _pairs(student.lsh_candidates(sigs.copy(), bands))
    rng = case_np_rng(ctx, "lsh_candidates")
    results = []
    for bands, rows in ((4, 3), (6, 2), (3, 5)):
        n = int(rng.integers(15, 30))
        sigs = rng.integers(0, 50, size=(n, bands * rows)).astype(np.int64)
        for _ in range(int(rng.integers(3, 8))):          # plant shared bands
            i, j, band = rng.integers(0, n), rng.integers(0, n), rng.integers(0, bands)
            sigs[j, band * rows:(band + 1) * rows] = sigs[i, band * rows:(band + 1) * rows]
        sigs[n - 1] = sigs[0]                               # an exact duplicate
        results.append(_pairs(student.lsh_candidates(sigs.copy(), bands)))
    return results


@case
def clusters(student, ctx):
    if ctx.visible:
        n, pairs = 10, VISIBLE_PAIRS
        ctx.show(n=n, pairs=pairs)
        return _clusters(student.clusters(n, list(pairs)))
    out, rng = [], case_rng(ctx, "clusters")
    for _ in range(3):
        n = rng.randint(10, 40)
        pairs = [(rng.randrange(n), rng.randrange(n)) for _ in range(rng.randint(3, n))]
        pairs = [(i, j) for i, j in pairs if i != j]
        out.append(_clusters(student.clusters(n, pairs)))
    return out


@case
def deduplicate(student, ctx):
    docs, _ = _corpus_module(ctx).make_corpus(ctx.seed)
    if ctx.visible:
        ctx.show(corpus=f"{len(docs)} documents from planted_corpus.make_corpus(0)", first_document=docs[0],
                 arguments="k=3, num_perm=128, bands=32, threshold=0.5, seed=1")
    return _indices(student.deduplicate(list(docs), k=3, num_perm=128, bands=32, threshold=0.5, seed=1))
