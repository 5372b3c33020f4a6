"""Lab 8 custom checks (run outside the sandbox).

check_sklearn: the feature names are exactly scikit-learn's and the matrix matches (allclose).
check_search: the returned documents are a correct top-k by cosine similarity; documents with equal
scores may come in any order (ties are harmless). Scores come from the reference run's copy."""
from __future__ import annotations

from labkit.checks import Verdict, allclose

TIE = 1e-9


def check_sklearn(got, expected, ctx) -> Verdict:
    if not isinstance(got, dict):
        return Verdict(False, "sklearn_tfidf returned nothing usable")
    names, want_names = got.get("names"), expected["names"]
    if names != want_names:
        missing = [n for n in want_names if n not in (names or [])]
        extra = [n for n in (names or []) if n not in want_names]
        if missing or extra:
            detail = (f"{len(missing)} expected feature(s) missing, e.g. {missing[0]!r}" if missing
                      else f"{len(extra)} unexpected feature(s), e.g. {extra[0]!r}")
            return Verdict(False, f"feature names differ from TfidfVectorizer's: {detail}. Pass ngram_range and "
                                  "min_df to TfidfVectorizer and keep its other defaults",
                           expected=f"{len(want_names)} features {want_names[:6]}",
                           got=f"{len(names or [])} features {(names or [])[:6]}")
        return Verdict(False, "the feature names are not in the vectorizer's (alphabetical) column order; return "
                              "list(vectorizer.get_feature_names_out())")
    matrix = got.get("matrix")
    verdict = allclose(matrix, expected["matrix"], rtol=1e-6, atol=1e-9)
    if not verdict.passed:
        return Verdict(False, "the TF-IDF matrix differs from TfidfVectorizer's with default settings "
                              f"(smooth idf, l2 norm): {verdict.feedback}", verdict.expected, verdict.got)
    return Verdict(True)


def check_search(got, expected, ctx) -> Verdict:
    if not isinstance(got, dict) or not isinstance(got.get("results"), list):
        return Verdict(False, "search returned nothing usable")
    top_k = expected["top_k"]
    for query, found, scores in zip(expected["queries"], got["results"], expected["scores"]):
        call = f"search({query!r}, docs, top_k={top_k})"
        if len(found) != top_k:
            return Verdict(False, f"{call} returned {len(found)} indices, expected {top_k}", got=str(found))
        if len(set(found)) != len(found) or not all(0 <= i < len(scores) for i in found):
            return Verdict(False, f"{call} must return {top_k} distinct document indices in [0, {len(scores)})",
                           got=str(found))
        best = sorted(scores, reverse=True)[:top_k]
        have = [scores[i] for i in found]
        order = sorted(range(len(scores)), key=lambda i: (-scores[i], i))[:top_k]
        if any(abs(h - b) > TIE for h, b in zip(sorted(have, reverse=True), best)):
            return Verdict(False, f"{call} did not return the {top_k} most similar documents: their cosine "
                                  f"similarities are {[round(s, 4) for s in have]}, the best are "
                                  f"{[round(s, 4) for s in best]}. Fit the vocabulary and idf on the documents, "
                                  "transform the query with the same vocabulary and idf, then rank by cosine",
                           expected=str(order), got=str(found))
        if any(have[j] < have[j + 1] - TIE for j in range(top_k - 1)):
            return Verdict(False, f"{call} returned the right documents in the wrong order: their cosine "
                                  f"similarities are {[round(s, 4) for s in have]}; put the most similar first",
                           expected=str(order), got=str(found))
    return Verdict(True)
