"""Lab 8: bag-of-words and TF-IDF. Submit this file as tfidf.py.

Implement every TODO with Python and numpy (sklearn_tfidf is the one place to use scikit-learn).
README.md gives the exact conventions; they are scikit-learn's defaults, so your numbers must match
TfidfVectorizer to about 1e-6.
"""
import re

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

TOKEN_PATTERN = re.compile(r"(?u)\b\w\w+\b")  # scikit-learn's default token_pattern


def tokenize(text: str) -> list[str]:
    """Lowercase, then return every match of TOKEN_PATTERN (words of 2+ word characters)."""
    raise NotImplementedError("TODO: tokenize")


def extract_terms(text: str, ngram_range: tuple[int, int] = (1, 1)) -> list[str]:
    """All n-grams of the tokens for n = ngram_range[0] .. ngram_range[1], each joined with one space."""
    raise NotImplementedError("TODO: extract_terms")


def build_vocabulary(docs: list[str], ngram_range: tuple[int, int] = (1, 1), min_df: int = 1) -> dict[str, int]:
    """{term: column index}: the terms found in at least min_df documents, indexed in alphabetical order."""
    raise NotImplementedError("TODO: build_vocabulary")


def count_matrix(docs: list[str], vocabulary: dict[str, int], ngram_range: tuple[int, int] = (1, 1)) -> np.ndarray:
    """Bag-of-words counts, shape (len(docs), len(vocabulary)), integer dtype; terms outside the vocabulary are ignored."""
    raise NotImplementedError("TODO: count_matrix")


def smooth_idf(counts: np.ndarray) -> np.ndarray:
    """idf(t) = ln((1 + n_docs) / (1 + df(t))) + 1, shape (n_terms,), float64."""
    raise NotImplementedError("TODO: smooth_idf")


def tfidf_transform(counts: np.ndarray, idf: np.ndarray) -> np.ndarray:
    """counts * idf with every row scaled to unit l2 norm (all-zero rows stay zero), float64."""
    raise NotImplementedError("TODO: tfidf_transform")


def sklearn_tfidf(docs: list[str], ngram_range: tuple[int, int] = (1, 1), min_df: int = 1):
    """Return (dense float64 matrix, list of feature names) from scikit-learn's TfidfVectorizer."""
    raise NotImplementedError("TODO: sklearn_tfidf")


def cosine_similarity(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Cosine similarity of every row of a (m, d) with every row of b (n, d): shape (m, n); 0 for zero rows."""
    raise NotImplementedError("TODO: cosine_similarity")


def search(query: str, docs: list[str], top_k: int = 3) -> list[int]:
    """Indices of the top_k documents most similar to the query (TF-IDF fitted on docs, unigrams), best first."""
    raise NotImplementedError("TODO: search")


if __name__ == "__main__":
    docs = [line.strip() for line in open("data/visible_docs.txt", encoding="utf-8") if line.strip()]
    vocab = build_vocabulary(docs)
    counts = count_matrix(docs, vocab)
    mine = tfidf_transform(counts, smooth_idf(counts))
    theirs, names = sklearn_tfidf(docs)
    print(names)
    print("max difference to scikit-learn:", np.abs(mine - theirs).max())
    corpus = [line.strip() for line in open("data/corpus.txt", encoding="utf-8") if line.strip()]
    for i in search("moons of Jupiter and Saturn", corpus):
        print(i, corpus[i])
