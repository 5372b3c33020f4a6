"""Lab 12 custom checks (run outside the sandbox). Similarities are recomputed here from the shipped
vectors, so equal scores (ties) and float32-vs-float64 rounding never cost points."""
from __future__ import annotations

import math

import numpy as np

from labkit.checks import Verdict

TOL = 1e-5


def _space(ctx) -> tuple[np.ndarray, dict[str, int]]:
    data = ctx.lab_dir / "data"
    vectors = np.load(data / "vectors.npy", allow_pickle=False).astype(np.float64)
    vocab = [w for w in (data / "vocab.txt").read_text(encoding="utf-8").split() if w]
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    return unit, {w: i for i, w in enumerate(vocab)}


def check_neighbors(got, expected, ctx) -> Verdict:
    if not isinstance(got, dict) or not isinstance(got.get("results"), list):
        return Verdict(False, "nearest_neighbors produced nothing usable")
    unit, index = _space(ctx)
    k = expected["k"]
    for word, result in zip(expected["queries"], got["results"]):
        call = f"nearest_neighbors({word!r}, k={k})"
        scores = unit @ unit[index[word]]
        others = np.delete(scores, index[word])
        best = np.sort(others)[::-1][:k]
        words = [w for w, _ in result]
        if len(result) != k:
            return Verdict(False, f"{call} returned {len(result)} neighbours, expected {k}", got=str(words))
        if word in words:
            return Verdict(False, f"{call} lists {word!r} itself: a word is always its own nearest neighbour "
                                  "(cosine 1), so exclude it", got=str(words))
        unknown = [w for w in words if w not in index]
        if unknown or len(set(words)) != k:
            return Verdict(False, f"{call} must return {k} distinct vocabulary words", got=str(words))
        true = [float(scores[index[w]]) for w, _ in result]
        for (w, s), t in zip(result, true):
            if not math.isclose(s, t, rel_tol=TOL, abs_tol=TOL):
                return Verdict(False, f"{call} gives similarity {s:.6f} for {w!r}, but cosine({word!r}, {w!r}) is "
                                      f"{t:.6f}", expected=f"{t:.6f}", got=f"{s:.6f}")
        if any(abs(a - b) > TOL for a, b in zip(sorted(true, reverse=True), best)) :
            return Verdict(False, f"{call} did not return the {k} most similar words: their cosines are "
                                  f"{[round(t, 4) for t in true]}, the best are {[round(float(b), 4) for b in best]}",
                           got=str(words))
        if any(true[i] < true[i + 1] - TOL for i in range(k - 1)):
            return Verdict(False, f"{call} is not sorted from most to least similar", got=str(words))
    return Verdict(True)


def check_analogy(got, expected, ctx) -> Verdict:
    if not isinstance(got, dict) or not isinstance(got.get("results"), list):
        return Verdict(False, "analogy produced nothing usable")
    unit, index = _space(ctx)
    k = expected["k"]
    for (a, b, c), result in zip(expected["queries"], got["results"]):
        call = f"analogy({a!r}, {b!r}, {c!r}, k={k})"
        if len(result) != k or len(set(result)) != k or any(w not in index for w in result):
            return Verdict(False, f"{call} must return {k} distinct vocabulary words", got=str(result))
        if {a, b, c} & set(result):
            return Verdict(False, f"{call} returned a query word ({sorted({a, b, c} & set(result))}): 3CosAdd must "
                                  "exclude a, b and c, which are usually the closest words to b - a + c",
                           got=str(result))
        target = unit[index[b]] - unit[index[a]] + unit[index[c]]
        scores = unit @ target
        for w in (a, b, c):
            scores[index[w]] = -np.inf
        best = np.sort(scores)[::-1][:k]
        have = [float(scores[index[w]]) for w in result]
        reference = [w for w in np.array(list(index))[np.argsort(-scores)[:k]]]
        if any(abs(h - t) > TOL for h, t in zip(sorted(have, reverse=True), best)):
            return Verdict(False, f"{call} returned {result}, which are not the words closest to "
                                  "unit(b) - unit(a) + unit(c): normalise every vector to length 1 before "
                                  "combining and scoring", expected=str(reference), got=str(result))
        if any(have[i] < have[i + 1] - TOL for i in range(k - 1)):
            return Verdict(False, f"{call} is not sorted from best to worst answer", expected=str(reference),
                           got=str(result))
    return Verdict(True)


def check_evaluate(got, expected, ctx) -> Verdict:
    if not isinstance(got, dict):
        return Verdict(False, "evaluate_analogies produced nothing usable")
    for key in ("answered", "skipped"):
        if got.get(key) != expected[key]:
            return Verdict(False, f"'{key}' is {got.get(key)}, expected {expected[key]}: a question is skipped when "
                                  "any of its four words is not in the vocabulary, and answered otherwise",
                           expected=str(expected[key]), got=str(got.get(key)))
    want, have = expected["per_category"], got.get("per_category", {})
    if set(want) != set(have):
        return Verdict(False, f"per_category has categories {sorted(have)}; expected {sorted(want)} (categories with "
                              "no answered question are left out)", expected=str(sorted(want)), got=str(sorted(have)))
    for category in want:
        if not math.isclose(have[category], want[category], abs_tol=1e-9):
            return Verdict(False, f"accuracy for {category!r} is {have[category]:.4f}, expected {want[category]:.4f}",
                           expected=f"{want[category]:.4f}", got=f"{have[category]:.4f}")
    if not math.isclose(got["accuracy"], expected["accuracy"], abs_tol=1e-9):
        return Verdict(False, f"overall accuracy is {got['accuracy']:.4f}, expected {expected['accuracy']:.4f}: it is "
                              "correct answers / answered questions (micro-average), not the mean of the categories",
                       expected=f"{expected['accuracy']:.4f}", got=f"{got['accuracy']:.4f}")
    return Verdict(True)
