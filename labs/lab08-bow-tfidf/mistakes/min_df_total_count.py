"""Common mistake: min_df compared with the total number of occurrences, not documents."""
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


def build_vocabulary(docs: list[str], ngram_range: tuple[int, int] = (1, 1), min_df: int = 1) -> dict[str, int]:
    df: dict[str, int] = {}
    for doc in docs:
        for term in extract_terms(doc, ngram_range):
            df[term] = df.get(term, 0) + 1
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


def tfidf_transform(counts: np.ndarray, idf: np.ndarray) -> np.ndarray:
    weights = counts.astype(np.float64) * idf
    norms = np.linalg.norm(weights, axis=1, keepdims=True)
    return np.divide(weights, norms, out=np.zeros_like(weights), where=norms > 0)


def sklearn_tfidf(docs: list[str], ngram_range: tuple[int, int] = (1, 1), min_df: int = 1):
    vectorizer = TfidfVectorizer(ngram_range=ngram_range, min_df=min_df)
    matrix = vectorizer.fit_transform(docs)
    return matrix.toarray(), list(vectorizer.get_feature_names_out())


def cosine_similarity(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    a_norm = np.linalg.norm(a, axis=1, keepdims=True)
    b_norm = np.linalg.norm(b, axis=1, keepdims=True)
    a_unit = np.divide(a, a_norm, out=np.zeros_like(a, dtype=np.float64), where=a_norm > 0)
    b_unit = np.divide(b, b_norm, out=np.zeros_like(b, dtype=np.float64), where=b_norm > 0)
    return a_unit @ b_unit.T


def search(query: str, docs: list[str], top_k: int = 3) -> list[int]:
    vocabulary = build_vocabulary(docs)
    counts = count_matrix(docs, vocabulary)
    idf = smooth_idf(counts)
    doc_vectors = tfidf_transform(counts, idf)
    query_vector = tfidf_transform(count_matrix([query], vocabulary), idf)
    scores = cosine_similarity(query_vector, doc_vectors)[0]
    order = sorted(range(len(docs)), key=lambda i: (-scores[i], i))
    return order[:top_k]
