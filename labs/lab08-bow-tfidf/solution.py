"""Lab 8 reference solution: bag-of-words and TF-IDF with numpy, checked against scikit-learn."""
import re

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

TOKEN_PATTERN = re.compile(r"(?u)\b\w\w+\b")


def tokenize(text: str) -> list[str]:
    return TOKEN_PATTERN.findall(text.lower())


def extract_terms(text: str, ngram_range: tuple[int, int] = (1, 1)) -> list[str]:
    tokens = tokenize(text)
    low, high = ngram_range
    return [" ".join(tokens[i:i + n]) for n in range(low, high + 1) for i in range(len(tokens) - n + 1)]


def _document_frequency(docs: list[str], ngram_range: tuple[int, int]) -> dict[str, int]:
    """For each term, the number of documents it occurs in (however many times it occurs in each)."""
    df: dict[str, int] = {}
    for doc in docs:
        for term in set(extract_terms(doc, ngram_range)):
            df[term] = df.get(term, 0) + 1
    return df


def build_vocabulary(docs: list[str], ngram_range: tuple[int, int] = (1, 1), min_df: int = 1) -> dict[str, int]:
    df = _document_frequency(docs, ngram_range)
    kept = sorted(term for term, count in df.items() if count >= min_df)
    return {term: i for i, term in enumerate(kept)}


def count_matrix(docs: list[str], vocabulary: dict[str, int], ngram_range: tuple[int, int] = (1, 1)) -> np.ndarray:
    counts = np.zeros((len(docs), len(vocabulary)), dtype=np.int64)
    for row, doc in enumerate(docs):
        for term in extract_terms(doc, ngram_range):
            column = vocabulary.get(term)
            if column is not None:
                counts[row, column] += 1
    return counts


def smooth_idf(counts: np.ndarray) -> np.ndarray:
    n_docs = counts.shape[0]
    df = (counts > 0).sum(axis=0)
    return np.log((1 + n_docs) / (1 + df)) + 1.0


def _unit_rows(matrix: np.ndarray) -> np.ndarray:
    """Each row divided by its L2 norm (float64); an all-zero row stays all zero instead of 0 / 0."""
    matrix = matrix.astype(np.float64)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return np.divide(matrix, norms, out=np.zeros_like(matrix), where=norms > 0)


def tfidf_transform(counts: np.ndarray, idf: np.ndarray) -> np.ndarray:
    return _unit_rows(counts.astype(np.float64) * idf)


def sklearn_tfidf(docs: list[str], ngram_range: tuple[int, int] = (1, 1), min_df: int = 1):
    vectorizer = TfidfVectorizer(ngram_range=ngram_range, min_df=min_df)
    matrix = vectorizer.fit_transform(docs)
    return matrix.toarray(), list(vectorizer.get_feature_names_out())


def cosine_similarity(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return _unit_rows(a) @ _unit_rows(b).T


def _rank(scores: np.ndarray, top_k: int) -> list[int]:
    """The indices of the top_k highest scores, highest first; ties in index order."""
    return sorted(range(len(scores)), key=lambda i: (-scores[i], i))[:top_k]


def search(query: str, docs: list[str], top_k: int = 3) -> list[int]:
    vocabulary = build_vocabulary(docs)
    counts = count_matrix(docs, vocabulary)
    idf = smooth_idf(counts)
    doc_vectors = tfidf_transform(counts, idf)
    query_vector = tfidf_transform(count_matrix([query], vocabulary), idf)
    return _rank(cosine_similarity(query_vector, doc_vectors)[0], top_k)
