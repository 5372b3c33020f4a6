"""Lab 57 reference: sentiment from a lexicon with rules, and from TF-IDF features with logistic regression."""
from __future__ import annotations

import math
import re
from collections import Counter

import numpy as np

TOKEN = re.compile(r"[a-z]+(?:'[a-z]+)?|[.,;!?]")
SENTENCE_END = {".", "!", "?"}
CLAUSE_BREAK = {".", "!", "?", ",", ";", "but"}


def tokenize(text: str) -> list[str]:
    """Lower-cased words (with their apostrophes: "isn't") and the punctuation marks . , ; ! ?"""
    return TOKEN.findall(text.lower())


# ----------------------------------------------------------------- the lexicon method

def _but_weights(sentence: list[str], lexicon: dict) -> list[float]:
    if "but" not in sentence:
        return [1.0] * len(sentence)
    pivot = sentence.index("but")
    return [lexicon["but_before"] if i < pivot else lexicon["but_after"] for i in range(len(sentence))]


def _sentences(tokens: list[str]) -> list[list[str]]:
    sentences, current = [], []
    for token in tokens:
        current.append(token)
        if token in SENTENCE_END:
            sentences.append(current)
            current = []
    if current:
        sentences.append(current)
    return sentences


def lexicon_score(tokens: list[str], lexicon: dict) -> float:
    words, boosts, negators = lexicon["words"], lexicon["intensifiers"], set(lexicon["negators"])
    total = 0.0
    for sentence in _sentences(tokens):
        weights = _but_weights(sentence, lexicon)
        negated, boost = False, 1.0
        for token, weight in zip(sentence, weights):
            if token in CLAUSE_BREAK:
                negated, boost = False, 1.0
            elif token in negators:
                negated = True
            elif token in boosts:
                boost *= boosts[token]
            elif token in words:
                value = words[token] * boost
                if negated:
                    value *= lexicon["negation_factor"]
                total += weight * value
                boost = 1.0
            else:
                boost = 1.0
    return float(total)


def lexicon_predict(texts: list[str], lexicon: dict) -> np.ndarray:
    return np.array([int(lexicon_score(tokenize(t), lexicon) > 0) for t in texts], dtype=np.int64)


# ----------------------------------------------------------------- TF-IDF

def ngram_features(tokens: list[str]) -> list[str]:
    words = [t for t in tokens if t[0].isalpha()]
    return words + [f"{a} {b}" for a, b in zip(words, words[1:])]


def fit_tfidf(documents: list[list[str]]) -> tuple[dict[str, int], np.ndarray]:
    document_frequency = Counter(f for doc in documents for f in set(doc))
    vocabulary = {feature: i for i, feature in enumerate(sorted(document_frequency))}
    n = len(documents)
    idf = np.array([math.log((1 + n) / (1 + document_frequency[f])) + 1.0 for f in vocabulary], dtype=np.float64)
    return vocabulary, idf


def transform_tfidf(documents: list[list[str]], vocabulary: dict[str, int], idf: np.ndarray) -> np.ndarray:
    matrix = np.zeros((len(documents), len(vocabulary)), dtype=np.float64)
    for row, doc in enumerate(documents):
        for feature, count in Counter(doc).items():
            if feature in vocabulary:
                matrix[row, vocabulary[feature]] = count
    matrix *= idf
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.where(norms == 0, 1.0, norms)


# ----------------------------------------------------------------- logistic regression

def sigmoid(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def logreg_loss_and_grad(X, y, w, b, l2):
    p = sigmoid(X @ w + b)
    eps = 1e-12
    loss = -np.mean(y * np.log(p + eps) + (1 - y) * np.log(1 - p + eps)) + 0.5 * l2 * float(w @ w)
    error = (p - y) / len(y)
    return float(loss), X.T @ error + l2 * w, float(error.sum())


def train_logreg(X, y, lr=4.0, epochs=150, l2=1e-4):
    w, b = np.zeros(X.shape[1], dtype=np.float64), 0.0
    y = y.astype(np.float64)
    for _ in range(epochs):
        _, grad_w, grad_b = logreg_loss_and_grad(X, y, w, b, l2)
        w -= lr * grad_w
        b -= lr * grad_b
    return w, float(b)


def predict_logreg(X, w, b) -> np.ndarray:
    return (X @ w + b > 0).astype(np.int64)


class SentimentModel:
    """TF-IDF over unigrams and bigrams, then logistic regression."""

    def fit(self, texts: list[str], labels: np.ndarray) -> "SentimentModel":
        documents = [ngram_features(tokenize(t)) for t in texts]
        self.vocabulary, self.idf = fit_tfidf(documents)
        X = transform_tfidf(documents, self.vocabulary, self.idf)
        self.w, self.b = train_logreg(X, np.asarray(labels))
        return self

    def predict(self, texts: list[str]) -> np.ndarray:
        X = transform_tfidf([ngram_features(tokenize(t)) for t in texts], self.vocabulary, self.idf)
        return predict_logreg(X, self.w, self.b)
